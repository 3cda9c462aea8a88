//! Lighthouse (npm, from the tools folder) on a throttled phone, as it
//! judges pages by default (mobile, simulated throttling), on two pages:
//! the sign-in page signed out, and the App passwords page signed in.
//! Debian's Chromium, headless, a fresh profile each run; nothing
//! downloads a browser. The session cookie goes in a file Lighthouse reads
//! (`--extra-headers`), in a folder of the benchmark's own, never in a URL
//! or an argument, which `ps` shows.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde_json::{json, Value};

use super::support::{http, TestServer, TestUser};
use super::{median, progress};

/// Runs of each page, taking turns; the median is reported (one run on a
/// busy machine moves by several tenths of a second).
const RUNS: usize = 3;
/// Largest Contentful Paint at most this, in seconds (median), each page.
const BUDGET_LCP_SECONDS: f64 = 2.0;
/// Cumulative Layout Shift at most this, each page.
const BUDGET_CLS: f64 = 0.02;

/// The two pages, by their key in the figures, their path, whether they
/// are opened signed in, and their row's label.
const PAGES: [(&str, &str, bool, &str); 2] = [
    ("sign_in", "/sign-in", false, "Sign-in page, signed out"),
    (
        "app_passwords",
        "/app-passwords",
        true,
        "App passwords page, signed in",
    ),
];

/// Chromium's flags: headless as root in a container, nothing fetched
/// from elsewhere; `--user-data-dir` is added per run.
const CHROMIUM_FLAGS: &str = "--headless=new --no-sandbox --disable-gpu --disable-quic \
--no-first-run --disable-background-networking --disable-component-update --disable-sync";

/// Measures both pages on `server`, signing in as `user` for the second;
/// the figures are what [`table`] shows.
pub async fn measure(server: &TestServer, user: &TestUser) -> Value {
    let private = tempfile::tempdir().expect("a private folder for Lighthouse");
    let headers = private.path().join("headers.json");
    let cookie = session_cookie(server, user).await;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&headers)
        .and_then(|mut file| {
            std::io::Write::write_all(
                &mut file,
                json!({ "Cookie": cookie }).to_string().as_bytes(),
            )
        })
        .expect("write Lighthouse's headers file");

    let mut runs = [Vec::new(), Vec::new()];
    for run in 0..RUNS {
        for ((_, path, signed_in, _), runs) in PAGES.into_iter().zip(&mut runs) {
            progress(&format!(
                "Lighthouse, run {} of {RUNS}: {path} (mobile, simulated throttling)",
                run + 1
            ));
            let report = lighthouse(
                &server.url(path),
                signed_in.then_some(headers.as_path()),
                private.path(),
            )
            .await;
            let landed = report["finalDisplayedUrl"].as_str().unwrap_or_default();
            assert!(
                landed.ends_with(path),
                "Lighthouse landed on {landed}, not {path}"
            );
            let audit = |id: &str| report["audits"][id]["numericValue"].clone();
            let observed = &report["audits"]["metrics"]["details"]["items"][0];
            runs.push(json!({
                "lcp_ms": audit("largest-contentful-paint"),
                "fcp_ms": audit("first-contentful-paint"),
                "cls": audit("cumulative-layout-shift"),
                "observed_fcp_ms": observed["observedFirstContentfulPaint"],
                "observed_lcp_ms": observed["observedLargestContentfulPaint"],
                "before_lcp": finished_before_lcp(&report),
            }));
        }
    }
    let mut figures = json!({ "runs": RUNS, "lighthouse": version() });
    for ((name, ..), runs) in PAGES.into_iter().zip(runs) {
        figures[name] = json!(runs);
    }
    figures
}

/// Why a simulated LCP is what it is: Lighthouse's simulation (Lantern)
/// counts every request that finished before the LCP it observed
/// unthrottled as needed for it, whatever the element. With Chromium 156
/// its LCP-element audit fails ("frame_sequence"), so the element is told
/// by the observed times instead (LCP at FCP: the first paint's). The
/// requests, as (file, bytes transferred).
fn finished_before_lcp(report: &Value) -> Value {
    let lcp = report["audits"]["metrics"]["details"]["items"][0]["observedLargestContentfulPaint"]
        .as_f64()
        .unwrap_or(f64::INFINITY);
    let requests = report["audits"]["network-requests"]["details"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    json!(requests
        .iter()
        .filter(|request| request["networkEndTime"].as_f64().unwrap_or(f64::INFINITY) <= lcp)
        .map(|request| {
            let url = request["url"].as_str().unwrap_or_default();
            json!([
                url.rsplit('/').next().unwrap_or(url),
                request["transferSize"]
            ])
        })
        .collect::<Vec<_>>())
}

/// Signs `user` in through the API, as the sign-in page does: the
/// `Cookie` header value the session's `Set-Cookie` gives.
async fn session_cookie(server: &TestServer, user: &TestUser) -> String {
    let response = http::send(
        http::client()
            .post(server.url("/api/v1/session"))
            .json(&json!({ "login": user.login, "password": user.password })),
    )
    .await;
    assert_eq!(response.status, 200, "sign in: {}", response.body);
    response
        .header("set-cookie")
        .and_then(|cookie| cookie.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// One Lighthouse run on `url`, in a fresh Chromium profile under
/// `private`, with the headers in the file `headers` if given: its report.
async fn lighthouse(url: &str, headers: Option<&Path>, private: &Path) -> Value {
    let run = tempfile::tempdir_in(private).expect("a folder for one run");
    let report = run.path().join("report.json");
    let profile = run.path().join("profile");
    let mut command = tokio::process::Command::new("node");
    command
        .env("CHROME_PATH", "/usr/bin/chromium")
        .arg(cli())
        .arg(url)
        .arg("--output=json")
        .arg(format!("--output-path={}", report.display()))
        .arg("--only-categories=performance")
        .arg("--quiet")
        .arg(format!(
            "--chrome-flags={CHROMIUM_FLAGS} --user-data-dir={}",
            profile.display()
        ));
    if let Some(headers) = headers {
        command.arg(format!("--extra-headers={}", headers.display()));
    }
    let output = command
        .output()
        .await
        .expect("run Lighthouse (scripts/setup.sh installs it)");
    assert!(
        output.status.success(),
        "Lighthouse failed on {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("Lighthouse's report"))
            .expect("Lighthouse's JSON");
    if let Some(error) = report["runtimeError"]["message"].as_str() {
        panic!("Lighthouse on {url}: {error}");
    }
    report
}

/// Lighthouse's command line, in the tools folder.
fn cli() -> std::path::PathBuf {
    testkit::tools_folder().join("node_modules/lighthouse/cli/index.js")
}

/// Lighthouse's version, from its manifest.
fn version() -> String {
    std::fs::read_to_string(testkit::tools_folder().join("node_modules/lighthouse/package.json"))
        .ok()
        .and_then(|manifest| serde_json::from_str::<Value>(&manifest).ok())
        .and_then(|manifest| manifest["version"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The section's table, and its budgets as (budget, measured, passed).
pub fn table(figures: &Value) -> (Vec<String>, Vec<(String, String, bool)>) {
    let column = |page: &str, field: &str| -> Vec<f64> {
        figures[page]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|run| run[field].as_f64())
            .collect()
    };
    let seconds = |values: &[f64]| {
        values
            .iter()
            .map(|ms| format!("{:.2}", ms / 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = vec![
        format!(
            "Lighthouse {} (mobile, simulated throttling; medians of {} runs, each run's in brackets):",
            figures["lighthouse"].as_str().unwrap_or("?"),
            figures["runs"]
        ),
        String::new(),
        "| Page | LCP | FCP | CLS | observed unthrottled: FCP → LCP, KB done by LCP |".to_owned(),
        "|---|---:|---:|---:|---|".to_owned(),
    ];
    let mut budgets = Vec::new();
    for (page, _, _, label) in PAGES {
        let (lcp, fcp, cls) = (
            column(page, "lcp_ms"),
            column(page, "fcp_ms"),
            column(page, "cls"),
        );
        let observed: Vec<String> = figures[page]
            .as_array()
            .into_iter()
            .flatten()
            .map(|run| {
                let bytes: f64 = run["before_lcp"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|request| request[1].as_f64())
                    .sum();
                format!(
                    "{:.0} → {:.0} ms, {:.0} KB",
                    run["observed_fcp_ms"].as_f64().unwrap_or(f64::NAN),
                    run["observed_lcp_ms"].as_f64().unwrap_or(f64::NAN),
                    bytes / 1024.0
                )
            })
            .collect();
        lines.push(format!(
            "| {label} | {:.2} s ({}) | {:.2} s | {:.3} ({}) | {} |",
            median(&lcp) / 1000.0,
            seconds(&lcp),
            median(&fcp) / 1000.0,
            median(&cls),
            cls.iter()
                .map(|c| format!("{c:.3}"))
                .collect::<Vec<_>>()
                .join(", "),
            observed.join("; "),
        ));
        budgets.push((
            format!("{label}: Lighthouse LCP ≤ {BUDGET_LCP_SECONDS:.1} s (mobile, median)"),
            format!("{:.2} s", median(&lcp) / 1000.0),
            median(&lcp) <= BUDGET_LCP_SECONDS * 1000.0,
        ));
        budgets.push((
            format!("{label}: Lighthouse CLS ≤ {BUDGET_CLS}"),
            format!("{:.3}", median(&cls)),
            median(&cls) <= BUDGET_CLS,
        ));
    }
    (lines, budgets)
}
