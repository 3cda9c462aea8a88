//! What the end-to-end tests stand on: the reference server on a free
//! loopback port with a fresh database, and headless Chromium driven through
//! chromedriver. Both are real processes, started per test and killed when
//! the test ends, pass or fail. [`site`] hosts the app elsewhere (under a
//! sub-path, beside a portal), and [`compatible_backend`] is a second
//! backend of the contract.
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod compatible_backend;
pub mod faults;
pub mod site;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long to wait for anything the user would wait for.
pub const PATIENCE: Duration = Duration::from_secs(15);

fn workspace_path(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(default))
}

/// A seed user of the test server: login, password and base32 TOTP secret.
pub struct TestUser {
    /// The sign-in name.
    pub login: &'static str,
    /// The account password.
    pub password: &'static str,
    /// The second factor's secret, base32; `None` for a password-only user.
    pub totp_secret: Option<&'static str>,
}

impl TestUser {
    /// The second-factor code an authenticator app shows right now.
    pub fn current_code(&self) -> String {
        let secret =
            app_passwords_server::totp::decode_secret(self.totp_secret.expect("a user with TOTP"))
                .expect("valid test secret");
        app_passwords_server::totp::current_code(&secret).0
    }
}

/// The demo-like user every end-to-end test signs in as.
pub const ADA: TestUser = TestUser {
    login: "ada",
    password: "analytical-engine-1843",
    totp_secret: Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
};

/// A user without a second factor, for tests that sign in more than once
/// within one 30-second code step.
pub const GRACE: TestUser = TestUser {
    login: "grace",
    password: "compiler-pioneer-1952",
    totp_secret: None,
};

/// The reference server, built beforehand (`scripts/test.sh` builds it; this
/// builds nothing), listening on a free loopback port.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    binary: PathBuf,
    database: PathBuf,
    child: Child,
    _data: tempfile::TempDir,
}

impl TestServer {
    /// Starts the server with `users` seeded and a database of its own.
    pub fn start(users: &[&TestUser]) -> Self {
        Self::start_with(users, &[])
    }

    /// Like [`TestServer::start`], with extra command-line flags.
    pub fn start_with(users: &[&TestUser], flags: &[&str]) -> Self {
        let binary = workspace_path(
            "APP_PASSWORDS_SERVER_BIN",
            "target/debug/app-passwords-server",
        );
        let dist = site::dist();
        assert!(
            binary.is_file(),
            "no server at {}: run scripts/test.sh, which builds it first",
            binary.display()
        );
        let data = tempfile::tempdir().expect("temporary folder");
        let database = data.path().join("app.db");
        let seeds: Vec<String> = users
            .iter()
            .map(|u| match u.totp_secret {
                Some(secret) => format!("{}:{}:{secret}", u.login, u.password),
                None => format!("{}:{}", u.login, u.password),
            })
            .collect();
        let mut child = Command::new(&binary)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--database")
            .arg(&database)
            .arg("--dist")
            .arg(&dist)
            .args(flags)
            .env("APP_PASSWORDS_SEED_USER", seeds.join("\n"))
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the reference server");

        // The server picks the port (127.0.0.1:0) and logs it: no race for a
        // port between choosing and binding.
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.split("listening on ").nth(1) {
                    if let Some(sender) = found.take() {
                        let _ = sender.send(
                            address
                                .split_whitespace()
                                .next()
                                .unwrap_or_default()
                                .to_owned(),
                        );
                    }
                }
            }
        });
        let address = match receive.recv_timeout(PATIENCE) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not say where it listens within {PATIENCE:?}");
            }
        };
        Self {
            base_url: address.trim_end_matches('/').to_owned(),
            binary,
            database,
            child,
            _data: data,
        }
    }

    /// Runs one of the server's administrator commands (`issue-token
    /// --login ada`, say) on this server's database, as an operator would,
    /// and returns what it printed.
    pub fn admin(&self, args: &[&str]) -> String {
        let output = Command::new(&self.binary)
            .args(args)
            .arg("--database")
            .arg(&self.database)
            .env("NO_COLOR", "1")
            .output()
            .expect("run an administrator command");
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// `GET /api/v1/verify` with HTTP Basic, sent from the test as a mail
    /// client would send it: the status and the JSON body.
    pub fn verify(&self, login: &str, password: &str) -> (u16, Value) {
        let credentials = base64(format!("{login}:{password}").as_bytes());
        let answer = http_get(
            &self.url("/api/v1/verify"),
            &[("Authorization", &format!("Basic {credentials}"))],
        );
        (
            answer.status,
            serde_json::from_str(&answer.body).unwrap_or(Value::Null),
        )
    }

    /// Absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The server's resident memory, in bytes (`VmRSS` in Linux's
    /// `/proc/<pid>/status`): what the host pays for it.
    pub fn resident_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next())
            .and_then(|value| value.parse().ok())
            .expect("VmRSS in /proc status");
        kib * 1024
    }

    /// A client other than the browser, signed in as `login` with a bearer
    /// token an administrator issued: another device of the same user.
    pub fn other_client(&self, login: &str) -> OtherClient {
        OtherClient {
            base_url: self.base_url.clone(),
            token: self
                .admin(&["issue-token", "--login", login])
                .trim()
                .to_owned(),
        }
    }
}

/// Gives `login` `count` app passwords through the API, from `devices`
/// clients at once, as a busy server sees them.
pub fn make_app_passwords(server: &TestServer, login: &str, count: usize, devices: usize) {
    let clients: Vec<_> = (0..devices).map(|_| server.other_client(login)).collect();
    std::thread::scope(|scope| {
        for (lane, client) in clients.iter().enumerate() {
            scope.spawn(move || {
                for index in (lane..count).step_by(devices) {
                    let body = json!({ "name": format!("Device {index:04}") });
                    let (status, answer) = client.call("POST", "/app-passwords", Some(&body));
                    assert_eq!(status, 201, "making app passwords: {answer}");
                }
            });
        }
    });
}

/// Calls the API as another device of the same user would.
pub struct OtherClient {
    base_url: String,
    token: String,
}

impl OtherClient {
    /// Sends `method` to `/api/v1{path}` (a create with a fresh
    /// `Idempotency-Key`): the status and the JSON body.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        // Unique even for calls in the same nanosecond from two threads.
        static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let key = format!(
            "other-{}-{}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
            CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let answer = http_request(
            method,
            &format!("{}/api/v1{path}", self.base_url),
            &[
                ("Authorization", &format!("Bearer {}", self.token)),
                ("Idempotency-Key", &key),
            ],
            body,
        );
        (
            answer.status,
            serde_json::from_str(&answer.body).unwrap_or(Value::Null),
        )
    }

    /// The user's app passwords, as the server holds them.
    pub fn app_passwords(&self) -> Vec<Value> {
        let (status, list) = self.call("GET", "/app-passwords", None);
        assert_eq!(status, 200, "{list}");
        list["items"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer, read raw: what a client without a browser sees.
#[derive(Debug)]
pub struct RawAnswer {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (not de-chunked: for JSON, ask for a short answer).
    pub body: String,
}

impl RawAnswer {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// `GET url` (`http://127.0.0.1:PORT/path`) over a plain TCP connection.
pub fn http_get(url: &str, headers: &[(&str, &str)]) -> RawAnswer {
    http_request("GET", url, headers, None)
}

/// One HTTP request over a plain TCP connection, with a JSON `body` if
/// given: what a client other than the browser sends.
pub fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> RawAnswer {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (address, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("set a read timeout");
    let mut extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let body = body.map(Value::to_string).unwrap_or_default();
    if !body.is_empty() {
        extra.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{extra}Connection: close\r\n\r\n{body}"
    )
    .expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    RawAnswer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// chromedriver and the headless Chromium it starts, in a process group of
/// their own so that one kill ends both.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    /// Every console entry read so far (reading drains the browser's log).
    console: std::sync::Mutex<Vec<Value>>,
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
        let profile = tempfile::tempdir().expect("temporary profile folder");
        let port = free_port();
        let mut command = Command::new(
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
        );
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let driver = ProcessGroup::spawn(command, "chromedriver (scripts/setup.sh installs it)");

        let capabilities = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1100,800",
                    format!("--lang={}", languages.split(',').next().unwrap_or("en-US")),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": { "intl": { "accept_languages": languages } }
            }
        });
        let capabilities = capabilities.as_object().cloned().unwrap_or_default();
        let deadline = Instant::now() + PATIENCE;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(error) if Instant::now() > deadline => {
                    panic!("chromedriver did not start: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self {
            client,
            console: std::sync::Mutex::default(),
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

    /// Waits until `body` (a script with `return`) answers `expected`.
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
        panic!("{body:?} never answered {expected:?} (last: {last})");
    }

    /// The value of a script's answer, e.g. `return document.title`.
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
        let loaded = self.script("return typeof window.axe").await;
        if loaded != "object" {
            let tools = std::env::var("APP_PASSWORDS_TOOLS").unwrap_or_else(|_| {
                format!(
                    "{}/.cache/app-passwords-tools",
                    std::env::var("HOME").unwrap_or_default()
                )
            });
            let path = format!("{tools}/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {path} (scripts/setup.sh installs it): {e}"));
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

    /// Creates an app password named `name` through the Create dialog and
    /// closes it with Done; returns the password it showed.
    pub async fn create_app_password(&self, name: &str) -> String {
        let password = self.create_app_password_and_stay(name).await;
        self.click("#done").await;
        password
    }

    /// Creates an app password named `name` through the Create dialog and
    /// leaves its password on screen; returns it.
    pub async fn create_app_password_and_stay(&self, name: &str) -> String {
        self.click("#create").await;
        self.type_into("#app-password-name", name).await;
        self.click(".ap-root dialog button[type=submit]").await;
        self.find("#new-password")
            .await
            .text()
            .await
            .expect("password text")
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
            self.script("return document.getElementById('create').disabled")
                .await,
            true,
            "Create is off at the limit"
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
                // out, a 500, an answer cut short, no network) and a missing
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

/// A process started in a process group of its own (chromedriver and its
/// Chromium; nginx and its workers), all killed when this is dropped.
pub struct ProcessGroup(Option<Child>);

impl ProcessGroup {
    /// Starts `command` as the leader of a new process group; `what` names
    /// it in the message if it cannot start.
    pub fn spawn(mut command: Command, what: &str) -> Self {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Self(Some(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("start {what}: {e}")),
        ))
    }

    /// Whether the leader is still running.
    pub fn is_running(&mut self) -> bool {
        self.0
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // The group id is the leader's pid (process_group(0) above).
            // Signalled directly: a `kill` binary given a bad argument may
            // signal every process (-1), and a pid of 0 or 1 must never be
            // used as a group.
            #[cfg(unix)]
            if let Ok(group) = libc::pid_t::try_from(child.id()) {
                if group > 1 {
                    // SAFETY: kill(2) with a negative pid signals that process group only.
                    unsafe {
                        libc::kill(-group, libc::SIGKILL);
                    }
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `text` without the invisible Unicode marks that isolate a name's writing
/// direction (FSI and PDI).
pub fn without_isolates(text: &str) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}

/// A port that was free a moment ago, for programs that must be told one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A WebDriver command fantoccini has no method for: `POST
/// /session/{id}/{path}` with a JSON body.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl SessionPost {
    /// chromedriver's `se/log`: the browser console since the last read.
    fn browser_log() -> Self {
        Self {
            path: "se/log",
            body: json!({ "type": "browser" }),
        }
    }

    /// chromedriver's `chromium/network_conditions`: on or off the network.
    fn network(offline: bool) -> Self {
        Self {
            path: "chromium/network_conditions",
            body: json!({ "network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": 1_000_000_000, "upload_throughput": 1_000_000_000
            } }),
        }
    }

    /// chromedriver's `goog/cdp/execute`: one DevTools command.
    fn cdp(cmd: &str, params: Value) -> Self {
        Self {
            path: "goog/cdp/execute",
            body: json!({ "cmd": cmd, "params": params }),
        }
    }

    /// W3C Set Permission: grants `name` (e.g. `clipboard-read`).
    fn grant(name: &str) -> Self {
        Self {
            path: "permissions",
            body: json!({ "descriptor": { "name": name }, "state": "granted" }),
        }
    }
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Standard base64 with padding, for HTTP Basic.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_the_rfc_4648_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
}
