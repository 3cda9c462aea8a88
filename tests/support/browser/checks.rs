//! What a user observes, as the tests check it: waits until the page shows
//! something, and assertions on focus, accessibility, layout, the list, the
//! questions before leaving, and where a secret must not be kept.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::{json, Value};

use super::{poll, without_isolates, Browser};

/// How often a wait looks at the page again.
const EVERY: Duration = Duration::from_millis(100);

impl Browser {
    /// The text the page shows, as its accessibility tree holds it, read
    /// through DevTools: it works with the page's scripts turned off, and
    /// leaves out what is not displayed.
    pub async fn shown_text_by_devtools(&self) -> String {
        let tree = self.cdp("Accessibility.getFullAXTree", json!({})).await;
        tree["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|node| node["role"]["value"] == "StaticText" && node["ignored"] != true)
            .filter_map(|node| node["name"]["value"].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Waits until the element matching `css` shows text containing
    /// `expected`, and returns its text.
    /// `expected` as the user sees it: the invisible marks that isolate a
    /// name's writing direction in a sentence are not compared.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let mut last = String::new();
        let shown = poll(EVERY, async || {
            let element = self.client.find(Locator::Css(css)).await.ok()?;
            let text = without_isolates(&element.text().await.ok()?);
            if text.contains(expected) {
                return Some(text);
            }
            last = text;
            None
        })
        .await;
        shown.unwrap_or_else(|| panic!("{css:?} never showed {expected:?} (last text: {last:?})"))
    }

    /// Waits until the page's path (and query) is `expected`.
    pub async fn wait_for_path(&self, expected: &str) {
        let mut last = String::new();
        let reached = poll(EVERY, async || {
            let url = self.client.current_url().await.expect("current URL");
            last = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            (last == expected).then_some(())
        })
        .await;
        if reached.is_none() {
            panic!("the page never reached {expected:?} (last: {last:?})");
        }
    }

    /// Waits until `body` (a script with `return`) returns `expected`.
    pub async fn wait_for_script(&self, body: &str, expected: &str) {
        let mut last = Value::Null;
        let returned = poll(EVERY, async || {
            last = self.script(body).await;
            (last == expected).then_some(())
        })
        .await;
        if returned.is_none() {
            panic!("{body:?} never returned {expected:?} (last: {last})");
        }
    }

    /// What has focus, as a person would name it: its id, else its
    /// accessible label, else its text.
    pub async fn focused(&self) -> String {
        let focused = self
            .script(
                "const e = document.activeElement;
                 return e ? (e.id || e.getAttribute('aria-label') || e.textContent.trim()) : '';",
            )
            .await;
        focused.as_str().unwrap_or_default().to_owned()
    }

    /// Asserts that what has focus is `expected` (as [`Browser::focused`]
    /// names it, isolation marks aside) and that the focus can be seen: an
    /// outline at least 2 px wide.
    pub async fn expect_focus(&self, expected: &str) {
        let mut last = String::new();
        // Focus moves on the next frame or two: looked at twice as often.
        poll(Duration::from_millis(50), async || {
            last = without_isolates(&self.focused().await);
            (last == expected).then_some(())
        })
        .await;
        assert_eq!(last, expected, "focus");
        let outline = self
            .script(
                "const s = getComputedStyle(document.activeElement);
                 return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
            )
            .await;
        assert_eq!(outline, true, "the focus on {expected:?} is not visible");
    }

    /// Waits until the element with `id` has focus.
    pub async fn wait_for_focus(&self, id: &str) {
        self.wait_for_script(
            "return document.activeElement ? document.activeElement.id : ''",
            id,
        )
        .await;
    }

    /// The password the Create dialog shows, once it does.
    pub async fn shown_password(&self) -> String {
        self.find("#new-password")
            .await
            .text()
            .await
            .expect("password text")
    }

    /// The value of the field matching `css`.
    pub async fn value_of(&self, css: &str) -> String {
        let value = self
            .client
            .execute(
                "return document.querySelector(arguments[0]).value",
                vec![css.into()],
            )
            .await
            .expect("read a field");
        value.as_str().unwrap_or_default().to_owned()
    }

    /// The names in the list, in order.
    pub async fn row_names(&self) -> Vec<String> {
        let names = self
            .script("return [...document.querySelectorAll('.app-password-row .name')].map(e => e.textContent)")
            .await;
        serde_json::from_value(names).expect("a list of names")
    }

    /// Waits until the list shows exactly `names`, in order.
    pub async fn wait_for_rows(&self, names: &[&str]) {
        self.wait_for_script(
            "return JSON.stringify([...document.querySelectorAll('.app-password-row .name')].map(e => e.textContent))",
            &serde_json::to_string(names).expect("JSON"),
        )
        .await;
    }

    /// Asserts that Create is off because the limit is reached, and that
    /// the page says so.
    pub async fn expect_at_the_limit(&self) {
        assert_eq!(
            self.script("return document.getElementById('create').getAttribute('aria-disabled')")
                .await,
            "true",
            "Create is off at the limit, and still in the tab order"
        );
        self.wait_for_text("#limit-note", "the most allowed").await;
    }

    /// Runs axe-core (installed by scripts/setup.sh) on the page and fails
    /// with every violation of WCAG 2.2 A and AA it finds; `state` names what
    /// is on screen in the message.
    pub async fn expect_accessible(&self, state: &str) {
        // Colours measured halfway through a transition (a theme just
        // chosen, a button just left) are colours nobody reads.
        self.wait_for_script(
            "return String(document.getAnimations()
                 .filter(a => a instanceof CSSTransition && a.playState === 'running').length)",
            "0",
        )
        .await;
        let loaded = self.script("return typeof window.axe").await;
        if loaded != "object" {
            let path = testkit::tools_folder().join("node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "read {} (scripts/setup.sh installs it): {e}",
                    path.display()
                )
            });
            self.client
                .execute(&format!("{source}\nreturn typeof window.axe;"), vec![])
                .await
                .expect("load axe-core");
        }
        let violations = self
            .script_async(
                "axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                 .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + '\\n    '
                     + v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary.replace(/\\n/g, ' ')).join('\\n    '))),
                       e => done(['axe failed: ' + e]))",
            )
            .await;
        let violations: Vec<String> =
            serde_json::from_value(violations).expect("a list of violations");
        assert!(
            violations.is_empty(),
            "{state}: {} accessibility violation(s):\n{}",
            violations.len(),
            violations.join("\n")
        );
    }

    /// Asserts that each element matching `css` that shows text holds it
    /// on one line, nothing cut off: its text's line boxes all sit at one
    /// height, and it is as wide as its content. `state` names what is on
    /// screen in the message.
    pub async fn expect_single_lines(&self, css: &str, state: &str) {
        let wrapped = self
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0])]
                     .filter(e => e.getClientRects().length && e.textContent.trim())
                     .flatMap(e => {
                         const range = document.createRange();
                         range.selectNodeContents(e);
                         const half = parseFloat(getComputedStyle(e).fontSize) / 2;
                         const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
                         const name = (e.id || e.className || e.tagName) + ' ' + JSON.stringify(e.textContent.trim());
                         if (tops.some(t => t - Math.min(...tops) > half)) return [name + ' wraps'];
                         if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
                             return [name + ' is cut off'];
                         return [];
                     })",
                vec![css.into()],
            )
            .await
            .expect("measure lines");
        let wrapped: Vec<String> = serde_json::from_value(wrapped).expect("a list of elements");
        assert!(wrapped.is_empty(), "{state}: {}", wrapped.join("; "));
    }

    /// Asserts that nothing scrolls sideways at the current width.
    pub async fn expect_no_sideways_scroll(&self, state: &str) {
        let fits = self
            .script("return document.documentElement.scrollWidth <= window.innerWidth")
            .await;
        assert_eq!(fits, true, "{state}: the page scrolls sideways");
    }

    /// How many times the page has made the browser ask before leaving or
    /// reloading it (a `beforeunload` question), as chromedriver's log tells:
    /// chromedriver answers these itself ("Leave"), so they never reach the
    /// WebDriver alert commands. Needs [`Browser::start_watching_prompts`].
    pub fn leave_questions(&self) -> usize {
        let path = self
            .driver_log
            .as_ref()
            .expect("a browser watching prompts");
        let log = std::fs::read_to_string(path).unwrap_or_default();
        log.split("Page.javascriptDialogOpening")
            .skip(1)
            .filter(|event| {
                event
                    .split("DevTools WebSocket")
                    .next()
                    .is_some_and(|body| body.contains(r#""type": "beforeunload""#))
            })
            .count()
    }

    /// Waits until the page has made the browser ask `count` times before
    /// leaving or reloading it.
    pub async fn wait_for_leave_questions(&self, count: usize) {
        let mut last = 0;
        let asked = poll(EVERY, async || {
            last = self.leave_questions();
            (last == count).then_some(())
        })
        .await;
        if asked.is_none() {
            panic!("the browser asked before leaving {last} times, not {count}");
        }
    }

    /// Asserts that `secret` is nowhere the page could keep it: the DOM,
    /// cookies, the URL, the history state, both web storages, IndexedDB and
    /// the console.
    pub async fn assert_forgotten(&self, secret: &str) {
        let kept = self
            .client
            .execute(
                "const secret = arguments[0];
                 const places = { dom: document.documentElement.outerHTML, cookie: document.cookie,
                     url: location.href, history: JSON.stringify(history.state),
                     localStorage: JSON.stringify({...localStorage}),
                     sessionStorage: JSON.stringify({...sessionStorage}) };
                 return Object.keys(places).filter(k => (places[k] || '').includes(secret));",
                vec![secret.into()],
            )
            .await
            .expect("look for the secret");
        assert_eq!(kept, json!([]), "the secret is kept in the page");
        let databases = self
            .script_async("indexedDB.databases().then(d => done(d.length), e => done(String(e)))")
            .await;
        assert_eq!(databases, 0, "the app keeps nothing in IndexedDB");
        let logged: Vec<Value> = self
            .console()
            .await
            .into_iter()
            .filter(|entry| entry.to_string().contains(secret))
            .collect();
        assert!(
            logged.is_empty(),
            "the secret reached the console: {logged:?}"
        );
    }
}
