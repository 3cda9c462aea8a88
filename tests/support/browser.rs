//! The [`Browser`]: headless Chromium with the steps a user takes (sign in,
//! create an app password, press keys) and the checks a test makes of what
//! the page shows, keeps and logs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use super::webdriver::{self, SessionPost};
use super::{ProcessGroup, TestUser, PATIENCE};

/// chromedriver and the headless Chromium it starts, in a process group of
/// their own so that one kill ends both.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    /// Every console entry read so far (reading drains the browser's log).
    console: std::sync::Mutex<Vec<Value>>,
    /// chromedriver's log, when kept.
    driver_log: Option<PathBuf>,
    _driver: ProcessGroup,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a fresh Chromium profile
    /// whose preferred language is English.
    pub async fn start() -> Self {
        Self::start_speaking("en-US").await
    }

    /// Like [`Browser::start`], with `languages` (such as `de-DE,de`) as the
    /// browser's preferred languages.
    pub async fn start_speaking(languages: &str) -> Self {
        Self::start_with(languages, false).await
    }

    /// Like [`Browser::start`], keeping chromedriver's log, for
    /// [`Browser::leave_questions`].
    pub async fn start_watching_prompts() -> Self {
        Self::start_with("en-US", true).await
    }

    async fn start_with(languages: &str, driver_log: bool) -> Self {
        let profile = tempfile::tempdir().expect("temporary profile folder");
        let log = driver_log.then(|| profile.path().join("chromedriver.log"));
        let (client, driver) =
            webdriver::start_chromium(languages, profile.path(), log.as_deref()).await;
        Self {
            client,
            console: std::sync::Mutex::default(),
            driver_log: log,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Waits for an element matching `css` and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css:?} within {PATIENCE:?}: {e}"))
    }

    /// Types `text` into the field matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear field");
        field.send_keys(text).await.expect("type into field");
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
    }

    /// Waits until the element matching `css` shows text containing
    /// `expected`, and returns its text.
    /// `expected` as the user sees it: the invisible marks that isolate a
    /// name's writing direction in a sentence are not compared.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = element.text().await {
                    let text = without_isolates(&text);
                    if text.contains(expected) {
                        return text;
                    }
                    last = text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css:?} never showed {expected:?} (last text: {last:?})");
    }

    /// Waits until the page's path (and query) is `expected`.
    pub async fn wait_for_path(&self, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        while Instant::now() < deadline {
            let url = self.client.current_url().await.expect("current URL");
            last = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never reached {expected:?} (last: {last:?})");
    }

    /// Waits until `body` (a script with `return`) returns `expected`.
    pub async fn wait_for_script(&self, body: &str, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            last = self.script(body).await;
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{body:?} never returned {expected:?} (last: {last})");
    }

    /// What a script returns, e.g. `return document.title`.
    pub async fn script(&self, body: &str) -> Value {
        self.client.execute(body, vec![]).await.expect("run script")
    }

    /// Saves what the page shows as `NAME.png` in the folder named by
    /// `APP_PASSWORDS_SCREENSHOTS`, when set (`scripts/screenshots.sh` sets it
    /// to refresh the README's pictures).
    pub async fn screenshot(&self, name: &str) {
        if let Some(folder) = std::env::var_os("APP_PASSWORDS_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("take a screenshot");
            std::fs::create_dir_all(&folder).expect("screenshot folder");
            std::fs::write(PathBuf::from(folder).join(format!("{name}.png")), png)
                .expect("save screenshot");
        }
    }

    /// Runs `body` as an async script: it ends by calling `done(value)`.
    pub async fn script_async(&self, body: &str) -> Value {
        let script = format!("const done = arguments[arguments.length - 1]; {body}");
        self.client
            .execute_async(&script, vec![])
            .await
            .expect("run async script")
    }

    /// Presses `key` (a character, or a special key such as
    /// `Key::Tab.into()`) as a keyboard would, on whatever has focus.
    pub async fn press(&self, key: char) {
        self.press_keys(&[], key).await;
    }

    /// Presses `key` while holding Shift.
    pub async fn press_shifted(&self, key: char) {
        self.press_keys(&[fantoccini::key::Key::Shift.into()], key)
            .await;
    }

    async fn press_keys(&self, held: &[char], key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut keys = KeyActions::new("keyboard".into());
        for modifier in held {
            keys = keys.then(KeyAction::Down { value: *modifier });
        }
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        for modifier in held.iter().rev() {
            keys = keys.then(KeyAction::Up { value: *modifier });
        }
        self.client.perform_actions(keys).await.expect("press keys");
    }

    /// Types `text` into whatever has focus.
    pub async fn type_here(&self, text: &str) {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(text)
            .await
            .expect("type");
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
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        while Instant::now() < deadline {
            last = without_isolates(&self.focused().await);
            if last == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(last, expected, "focus");
        let outline = self
            .script(
                "const s = getComputedStyle(document.activeElement);
                 return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
            )
            .await;
        assert_eq!(outline, true, "the focus on {expected:?} is not visible");
    }

    /// Gives the first element matching `css` the focus, as the keyboard
    /// would reach it, so that the next key goes to it.
    pub async fn focus_first(&self, css: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).focus()",
                vec![css.into()],
            )
            .await
            .expect("focus an element");
    }

    /// Waits until the element with `id` has focus.
    pub async fn wait_for_focus(&self, id: &str) {
        self.wait_for_script(
            "return document.activeElement ? document.activeElement.id : ''",
            id,
        )
        .await;
    }

    /// Sets a media feature for the page, e.g. `prefers-color-scheme` to
    /// `dark` (DevTools' emulation, through chromedriver).
    pub async fn emulate_media(&self, feature: &str, value: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": feature, "value": value }] }),
        )
        .await;
    }

    /// Runs one DevTools command (through chromedriver) and returns its
    /// result.
    pub async fn cdp(&self, command: &str, params: Value) -> Value {
        self.client
            .issue_cmd(SessionPost::cdp(command, params))
            .await
            .unwrap_or_else(|error| panic!("DevTools {command}: {error}"))
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

    /// Makes the page `width` CSS pixels wide (800 high).
    pub async fn set_width(&self, width: u32) {
        self.client
            .set_window_size(width, 800)
            .await
            .expect("resize the window");
        self.wait_for_script("return String(window.innerWidth)", &width.to_string())
            .await;
    }

    /// Makes the page `width` by `height` CSS pixels, as a phone's screen
    /// (390 by 844) or a laptop's.
    pub async fn set_size(&self, width: u32, height: u32) {
        // The window's size counts the browser's own bars: set it, see what
        // the page got, and add the difference.
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
        let inner = self
            .script("return [window.innerWidth, window.innerHeight]")
            .await;
        let grow = |i: usize, wanted: u32| {
            let got = inner[i].as_u64().unwrap_or(u64::from(wanted));
            wanted + u32::try_from(u64::from(wanted).saturating_sub(got)).unwrap_or(0)
        };
        self.client
            .set_window_size(grow(0, width), grow(1, height))
            .await
            .expect("resize the window");
        self.wait_for_script(
            "return window.innerWidth + 'x' + window.innerHeight",
            &format!("{width}x{height}"),
        )
        .await;
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

    /// Takes the browser off the network, or back on (chromedriver's
    /// network conditions).
    pub async fn set_offline(&self, offline: bool) {
        self.client
            .issue_cmd(SessionPost::network(offline))
            .await
            .expect("set the network conditions");
    }

    /// Ends the page's session on the server, as an expiry or a sign-out
    /// elsewhere would, without the page knowing.
    pub async fn end_session_on_server(&self) {
        let ended = self
            .script_async(
                "fetch('/api/v1/session').then(r => r.json()).then(s =>
                     fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': s.csrf_token } }))
                 .then(r => done(r.status))",
            )
            .await;
        assert_eq!(ended, 204, "the session ended on the server");
    }

    /// Lets the page read and write the clipboard (W3C Set Permission).
    pub async fn grant_clipboard(&self) {
        for name in ["clipboard-read", "clipboard-write"] {
            self.client
                .issue_cmd(SessionPost::grant(name))
                .await
                .expect("grant clipboard permission");
        }
    }

    /// Signs in as `user` on the sign-in screen that is showing.
    pub async fn sign_in(&self, user: &TestUser) {
        self.type_into("#login", user.login).await;
        self.type_into("#password", user.password).await;
        self.click("button[type=submit]").await;
        if user.totp_secret.is_some() {
            self.find("#code").await;
            self.type_into("#code", &user.current_code()).await;
            self.click("button[type=submit]").await;
        }
    }

    /// Picks the theme `label` (System, Light, Dark) in the settings menu,
    /// opening it first if it is closed.
    pub async fn choose_theme(&self, label: &str) {
        if self
            .script("return document.querySelector('[role=menu]') === null")
            .await
            == true
        {
            self.click("button[aria-haspopup=menu]").await;
        }
        self.find("[role=menu]").await;
        // The themes are the menu's choices without a language of their own.
        let chosen = self
            .client
            .execute(
                "const item = [...document.querySelectorAll('[role=menuitemradio]:not([lang])')]
                     .find(i => i.textContent.trim() === arguments[0]);
                 if (item) { item.click(); return true; }
                 return false;",
                vec![label.into()],
            )
            .await
            .expect("choose a theme");
        assert_eq!(chosen, true, "no theme {label:?} in the menu");
    }

    /// Signs out through the settings menu.
    pub async fn sign_out(&self) {
        self.click("button[aria-haspopup=menu]").await;
        self.click("[role=menu] button[role=menuitem]").await;
    }

    /// Creates an app password named `name` through the Create dialog and
    /// closes it with Done (and "Close anyway", as nothing was copied);
    /// returns the password it showed.
    pub async fn create_app_password(&self, name: &str) -> String {
        let password = self.create_app_password_and_stay(name).await;
        self.close_created().await;
        password
    }

    /// Closes the password step with Done, and with "Close anyway" when it
    /// asks (nothing of the password was copied, read out or selected).
    pub async fn close_created(&self) {
        self.click("#done").await;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let state = self
                .script(
                    "return document.getElementById('close-anyway') ? 'asked'
                         : document.getElementById('done') ? 'open' : 'closed'",
                )
                .await;
            match state.as_str() {
                Some("asked") => return self.click("#close-anyway").await,
                Some("closed") => return,
                _ if Instant::now() > deadline => panic!("Done neither closed nor asked"),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Chooses the option with `value` in the `<select>` matching `css`, as
    /// a person would (the page hears `change`).
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value:?} in {css:?}: {e}"));
    }

    /// Saves the page's downloads in `folder` (DevTools, through
    /// chromedriver).
    pub async fn download_into(&self, folder: &std::path::Path) {
        self.cdp(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": folder.to_string_lossy() }),
        )
        .await;
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
        let deadline = Instant::now() + PATIENCE;
        let mut last = 0;
        while Instant::now() < deadline {
            last = self.leave_questions();
            if last == count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the browser asked before leaving {last} times, not {count}");
    }

    /// Saves `url` (such as a `blob:` address) as `name` through a link the
    /// person clicks, in the open dialog or else the page. A download is the
    /// one way to read a `blob:` address that the strict CSP allows.
    pub async fn download_link(&self, url: &str, name: &str) {
        self.client
            .execute(
                "const [url, name] = arguments;
                 const a = document.createElement('a');
                 Object.assign(a, { id: 'download-probe', href: url, download: name, textContent: name });
                 (document.querySelector('dialog[open]') || document.body).append(a);",
                vec![url.into(), name.into()],
            )
            .await
            .expect("add a link");
        self.click("#download-probe").await;
        self.script("document.getElementById('download-probe').remove()")
            .await;
    }

    /// Creates an app password named `name` through the Create dialog and
    /// leaves its password on screen; returns it.
    pub async fn create_app_password_and_stay(&self, name: &str) -> String {
        self.start_create(name).await;
        self.click(".ap-root dialog button[type=submit]").await;
        self.shown_password().await
    }

    /// Opens the Create dialog and types `name`, without sending it.
    pub async fn start_create(&self, name: &str) {
        self.click("#create").await;
        self.type_into("#app-password-name", name).await;
    }

    /// The password the Create dialog shows, once it does.
    pub async fn shown_password(&self) -> String {
        self.find("#new-password")
            .await
            .text()
            .await
            .expect("password text")
    }

    /// Selects Copy on the password step of Create, waits until it says
    /// Copied, and returns what the clipboard then holds, as a user's
    /// paste would get it (after [`Browser::grant_clipboard`]).
    pub async fn copy_password(&self) -> String {
        self.click("#copy-password").await;
        self.wait_for_text("#copy-password", "Copied").await;
        let clipboard = self
            .script_async("navigator.clipboard.readText().then(done, e => done('refused: ' + e))")
            .await;
        clipboard.as_str().unwrap_or_default().to_owned()
    }

    /// Clicks the button labelled `label` in the row named `name`.
    pub async fn click_in_row(&self, name: &str, label: &str) {
        let clicked = self
            .client
            .execute(
                "const [name, label] = arguments;
                 const row = [...document.querySelectorAll('.app-password-row')]
                     .find(r => r.querySelector('.name').textContent === name);
                 const button = row && [...row.querySelectorAll('button')].find(b => b.textContent.trim() === label);
                 if (button) { button.click(); return true; }
                 return false;",
                vec![name.into(), label.into()],
            )
            .await
            .expect("run script");
        assert_eq!(clicked, true, "no {label:?} button in the row {name:?}");
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

    /// Sets the value of the `<select>` or `<input>` matching `css` as a
    /// user's pick would (date inputs take keys in the browser's own
    /// order), and tells the page.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "const field = document.querySelector(arguments[0]); field.value = arguments[1];\
                 field.dispatchEvent(new Event('input', {bubbles: true}));\
                 field.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![css.into(), value.into()],
            )
            .await
            .expect("set a field's value");
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

    /// Everything the page wrote to the console (and every CSP report)
    /// since the browser started.
    pub async fn console(&self) -> Vec<Value> {
        let fresh = match self
            .client
            .issue_cmd(SessionPost::browser_log())
            .await
            .expect("read the browser log")
        {
            Value::Array(entries) => entries,
            other => panic!("unexpected browser log: {other}"),
        };
        let mut console = self.console.lock().unwrap_or_else(|p| p.into_inner());
        console.extend(fresh);
        console.clone()
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

    /// Asserts that the console holds no error and no Content-Security-Policy
    /// violation, then ends the WebDriver session.
    pub async fn finish(self) {
        let problems: Vec<Value> = self
            .console()
            .await
            .into_iter()
            .filter(|entry| {
                let message = entry["message"].as_str().unwrap_or_default();
                // Chromium logs every failed API call (a 401 while signed
                // out, a 500, a response cut short, no network) and a missing
                // app-config.json (the defaults apply) as network errors;
                // the app handles those, and the tests check how.
                let api_status = entry["source"] == "network"
                    && (message.contains("/api/v1/") || message.contains("/app-config.json"));
                (entry["level"] == "SEVERE" && !api_status)
                    || message.contains("Content Security Policy")
            })
            .collect();
        let client = self.client.clone();
        let _ = client.close().await;
        assert!(
            problems.is_empty(),
            "the console reported problems: {problems:#?}"
        );
    }
}

/// `text` without the invisible Unicode marks that isolate a name's writing
/// direction (FSI and PDI).
pub fn without_isolates(text: &str) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}
