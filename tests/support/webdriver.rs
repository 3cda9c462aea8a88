//! chromedriver, and the raw WebDriver commands fantoccini has no method
//! for: chromedriver's browser log, network conditions and DevTools, and the
//! W3C Set Permission.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use super::{free_port, ProcessGroup, PATIENCE};

/// Starts chromedriver on a free port and opens a session of headless
/// Chromium with its profile in `profile`, preferring `languages` (such as
/// `de-DE,de`). With `driver_log`, chromedriver writes there every DevTools
/// message it exchanges (the only place a question before leaving a page
/// shows: chromedriver answers it itself). Dropping the returned group ends
/// chromedriver and Chromium.
pub async fn start_chromium(
    languages: &str,
    profile: &Path,
    driver_log: Option<&Path>,
) -> (Client, ProcessGroup) {
    let port = free_port();
    let mut command = Command::new(
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
    );
    command
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(log) = driver_log {
        command
            .arg(format!("--log-path={}", log.display()))
            .arg("--log-level=DEBUG");
    }
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
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": { "intl": { "accept_languages": languages } }
        }
    });
    let capabilities = capabilities.as_object().cloned().unwrap_or_default();
    let deadline = Instant::now() + PATIENCE;
    let client = loop {
        // fantoccini reaches chromedriver through a hyper connector of the
        // caller's choice: plain HTTP on loopback, no TLS stack to build.
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
    (client, driver)
}

/// A WebDriver command fantoccini has no method for: `POST
/// /session/{id}/{path}` with a JSON body.
#[derive(Debug)]
pub struct SessionPost {
    path: &'static str,
    body: Value,
}

impl SessionPost {
    /// chromedriver's `se/log`: the browser console since the last read.
    pub fn browser_log() -> Self {
        Self {
            path: "se/log",
            body: json!({ "type": "browser" }),
        }
    }

    /// chromedriver's `chromium/network_conditions`: on or off the network.
    pub fn network(offline: bool) -> Self {
        Self {
            path: "chromium/network_conditions",
            body: json!({ "network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": 1_000_000_000, "upload_throughput": 1_000_000_000
            } }),
        }
    }

    /// chromedriver's `goog/cdp/execute`: one DevTools command.
    pub fn cdp(cmd: &str, params: Value) -> Self {
        Self {
            path: "goog/cdp/execute",
            body: json!({ "cmd": cmd, "params": params }),
        }
    }

    /// W3C Set Permission: `name` (e.g. `clipboard-read`) set to `state`
    /// (`granted`, `denied` or `prompt`).
    pub fn permission(name: &str, state: &str) -> Self {
        Self {
            path: "permissions",
            body: json!({ "descriptor": { "name": name }, "state": state }),
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
