//! The [`Browser`]: headless Chromium under chromedriver, one WebDriver
//! session a test. This file starts and ends it and holds what the other
//! parts stand on (opening a page, finding an element, running a script,
//! the console); what a user does is in [`steps`], what the test sets
//! around the user (screen, media, network, permissions) in [`conditions`],
//! and what a user observes, as checks and waits, in [`checks`].

mod checks;
mod conditions;
mod steps;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::Value;

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

    /// Starts an English browser, opens `url` and signs in as `user` on the
    /// sign-in screen it leads to: where most tests begin.
    pub async fn signed_in(url: &str, user: &TestUser) -> Self {
        Self::start().await.signed_in_at(url, user).await
    }

    /// Opens `url` and signs in as `user`, for a browser started another
    /// way than [`Browser::signed_in`] does (another language, prompts
    /// watched).
    pub async fn signed_in_at(self, url: &str, user: &TestUser) -> Self {
        self.goto(url).await;
        self.sign_in(user).await;
        self
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

    /// What a script returns, e.g. `return document.title`.
    pub async fn script(&self, body: &str) -> Value {
        self.client.execute(body, vec![]).await.expect("run script")
    }

    /// Runs `body` as an async script: it ends by calling `done(value)`.
    pub async fn script_async(&self, body: &str) -> Value {
        let script = format!("const done = arguments[arguments.length - 1]; {body}");
        self.client
            .execute_async(&script, vec![])
            .await
            .expect("run async script")
    }

    /// Runs one DevTools command (through chromedriver) and returns its
    /// result.
    pub async fn cdp(&self, command: &str, params: Value) -> Value {
        self.client
            .issue_cmd(SessionPost::cdp(command, params))
            .await
            .unwrap_or_else(|error| panic!("DevTools {command}: {error}"))
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
                // The OpenID provider's own development pages (tests/oidc.rs)
                // ask for a web font from the internet, out of reach here.
                let api_status = entry["source"] == "network"
                    && (message.contains("/api/v1/")
                        || message.contains("/app-config.json")
                        || message.starts_with("https://fonts.googleapis.com/"));
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

/// Asks `probe` every `every` until it answers, for at most [`PATIENCE`]:
/// the one polling loop of the waits, each of which keeps what it saw last
/// for its own message. `None` when the page never got there.
async fn poll<T>(every: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if let Some(answer) = probe().await {
            return Some(answer);
        }
        tokio::time::sleep(every).await;
    }
    None
}

/// `text` without the invisible Unicode marks that isolate a name's writing
/// direction (FSI and PDI).
pub fn without_isolates(text: &str) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}
