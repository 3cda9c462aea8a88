//! The benchmark's native half: servers, browser, figures and table.

#[path = "imap.rs"]
mod imap;
#[path = "lighthouse.rs"]
mod lighthouse;
#[path = "services.rs"]
mod services;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::{json, Value};
use support::{make_app_passwords, Browser, TestServer, TestUser};

/// Runs per time figure (the median is reported).
const RUNS: usize = 21;
/// Create → copy → done → delete cycles before memory is weighed again.
const CYCLES: usize = 200;
/// The list of the load-time runs, as a typical user has it.
const SMALL_LIST: usize = 5;
/// Create cycles under the profiler (`BENCH_PROFILE=1`).
const PROFILED_CYCLES: usize = 30;
/// The list of the render runs.
const BIG_LIST: usize = 1000;

/// Signs in for the load, Next and memory runs.
const TYPICAL: TestUser = TestUser {
    login: "typical",
    password: "benchmark-typical-2026",
    totp_secret: None,
};
/// Holds [`BIG_LIST`] app passwords (the server runs with no limit).
const HOARDER: TestUser = TestUser {
    login: "hoarder",
    password: "benchmark-hoarder-2026",
    totp_secret: None,
};

/// The budgets the app is held to, in the units of the figures they bound.
const BUDGET_TRANSFER_BYTES: u64 = 256 * 1024;
const BUDGET_TTI_RATIO: f64 = 1.3;
const BUDGET_NEXT_MS: f64 = 16.0;
const BUDGET_RENDER_MS: f64 = 20.0;

/// The slow network of the cold loads with no budget yet: 1.6 Mbit/s
/// down, 750 kbit/s up, 150 ms a round trip (DevTools' figures, in its
/// units: bytes a second and milliseconds).
const SLOW_DOWN_BYTES_PER_S: f64 = 1_600_000.0 / 8.0;
const SLOW_UP_BYTES_PER_S: f64 = 750_000.0 / 8.0;
const SLOW_ROUND_TRIP_MS: f64 = 150.0;
/// Slow loads take seconds each: fewer runs.
const SLOW_RUNS: usize = 5;
const BUDGET_MEMORY_BYTES: f64 = 1024.0 * 1024.0;

/// One of the two pages measured.
#[derive(Clone, Copy)]
struct Page {
    name: &'static str,
    path: &'static str,
}

const APP: Page = Page {
    name: "app",
    path: "/app-passwords",
};
const FLOOR: Page = Page {
    name: "floor",
    path: "/floor/",
};

/// Measures everything, prints the table, writes `bench/results.json`;
/// fails when a budget does. Returns (rather than exits) so that the
/// servers and browsers are stopped on the way out, pass or fail.
#[tokio::main]
pub async fn main() -> ExitCode {
    let started = Instant::now();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dist = support::site::dist();

    progress("transfer sizes of the built app (dist/)");
    let sizes = transfer_sizes(&dist);

    let (services, imap) = if ["BENCH_PROFILE", "BENCH_COMPARE", "BENCH_LIGHTHOUSE_ONLY"]
        .iter()
        .any(|mode| std::env::var_os(mode).is_some())
    {
        (Value::Null, Value::Null)
    } else {
        progress("what services pay: /api/v1/verify beside /healthz and a static file");
        (services::measure(&dist).await, imap::measure().await)
    };
    if std::env::var_os("BENCH_SERVICES_ONLY").is_some() {
        let (mut lines, mut budgets) = services::table(&services);
        let (imap_lines, imap_budgets) = imap::table(&imap);
        lines.push(String::new());
        lines.extend(imap_lines);
        budgets.extend(imap_budgets);
        return report_part(&lines, budgets);
    }

    let (_site, server) = serve_seeded(&dist, &root.join("bench/floor")).await;
    let driver = std::fs::read_to_string(root.join("bench/driver.js")).expect("bench/driver.js");
    if std::env::var_os("BENCH_LIGHTHOUSE_ONLY").is_some() {
        let (lines, budgets) = lighthouse::table(&lighthouse::measure(&server, &TYPICAL).await);
        return report_part(&lines, budgets);
    }
    if std::env::var_os("BENCH_PROFILE").is_some() {
        profile_app(&server, &driver).await;
        return ExitCode::SUCCESS;
    }
    if let Some(other) = std::env::var_os("BENCH_COMPARE") {
        let (_other_site, other_server) =
            serve_seeded(Path::new(&other), &root.join("bench/floor")).await;
        compare([&server, &other_server], &driver).await;
        return ExitCode::SUCCESS;
    }

    let browser = signed_in(&server, &TYPICAL).await;
    progress(&format!(
        "app and floor in turn: {RUNS} cold and {RUNS} warm loads of each"
    ));
    let loads = load_times(&browser, &server, &driver).await;

    let mut cycles = json!({});
    for page in [APP, FLOOR] {
        progress(&format!(
            "{}: {CYCLES} create → copy → done → delete cycles",
            page.name
        ));
        cycles[page.name] = cycle_figures(&browser, &server, &driver, page).await;
    }
    browser.finish().await;

    let browser = signed_in(&server, &HOARDER).await;
    let mut render = json!({});
    for page in [APP, FLOOR] {
        progress(&format!("{}: {RUNS} renders of {BIG_LIST} rows", page.name));
        render[page.name] = json!(render_times(&browser, &server, &driver, page).await);
    }
    browser.finish().await;

    progress("Lighthouse: the sign-in page and the App passwords page");
    let lighthouse = lighthouse::measure(&server, &TYPICAL).await;

    let results = json!({
        "machine": machine(),
        "runs": RUNS,
        "cycles": CYCLES,
        "sizes": sizes,
        "load_ms": loads,
        "cycles_result": cycles,
        "render_1000_ms": render,
        "services": services,
        "imap": imap,
        "lighthouse": lighthouse,
        "seconds": started.elapsed().as_secs(),
    });
    let (table, all_pass) = report(&results);
    println!("\n{table}");
    let out = root.join("bench/results.json");
    let mut saved = results.clone();
    saved["table"] = json!(table);
    std::fs::write(&out, serde_json::to_string_pretty(&saved).expect("JSON"))
        .unwrap_or_else(|error| panic!("write {}: {error}", out.display()));
    println!(
        "Written to {} in {} s.",
        out.display(),
        started.elapsed().as_secs()
    );
    if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn progress(what: &str) {
    eprintln!("==> bench: {what}");
}

/// Raw, gzip and brotli bytes of the app's wasm, JS and CSS: the `.gz` and
/// `.br` twins `trunk build --release` wrote are what servers send.
fn transfer_sizes(dist: &Path) -> Value {
    let assets = support::site::asset_sizes(dist);
    let mut sizes = json!({});
    for kind in ["wasm", "js", "css"] {
        let of_kind = assets
            .iter()
            .filter(|asset| asset.name.ends_with(&format!(".{kind}")));
        let total = of_kind.fold([0u64; 3], |[raw, gzip, brotli], asset| {
            [raw + asset.raw, gzip + asset.gzip, brotli + asset.brotli]
        });
        sizes[kind] = json!({ "raw": total[0], "gzip": total[1], "brotli": total[2] });
    }
    sizes
}

/// A copy of `dist/` with the floor page under `floor/`, served as one site.
fn site_with_floor(dist: &Path, floor: &Path) -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("temporary folder");
    support::site::copy_folder(dist, site.path());
    support::site::copy_folder(floor, &site.path().join("floor"));
    site
}

/// A reference server (no limit on app passwords) serving `dist` with the
/// floor beside it, its two users given their lists through the API, two
/// at a time. The folder it serves must outlive it.
async fn serve_seeded(dist: &Path, floor: &Path) -> (tempfile::TempDir, TestServer) {
    progress("serving the app and the floor from the reference server");
    let site = site_with_floor(dist, floor);
    std::env::set_var("APP_PASSWORDS_DIST", site.path());
    let server = TestServer::start_with(&[&TYPICAL, &HOARDER], &["--max-app-passwords", "0"]);
    make_app_passwords(&server, TYPICAL.login, SMALL_LIST, 2).await;
    progress(&format!(
        "creating {BIG_LIST} app passwords through the API"
    ));
    make_app_passwords(&server, HOARDER.login, BIG_LIST, 2).await;
    (site, server)
}

/// A fresh browser, signed in as `user` through the app's sign-in page.
async fn signed_in(server: &TestServer, user: &TestUser) -> Browser {
    let browser = Browser::start().await;
    // 200 cycles are one script: give it minutes, not WebDriver's 30 s.
    browser
        .client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(std::time::Duration::from_secs(900)),
            Some(std::time::Duration::from_secs(60)),
            None,
        ))
        .await
        .expect("WebDriver timeouts");
    browser.goto(&server.url("/")).await;
    // For this origin: Copy writes to the clipboard in both pages.
    browser.grant_clipboard().await;
    browser.sign_in(user).await;
    browser.wait_for_path("/app-passwords").await;
    browser
}

/// Opens `page` with the driver installed before the page's scripts,
/// watching for `rows` rows; returns what `loaded()` measured.
async fn open(
    browser: &Browser,
    server: &TestServer,
    driver: &str,
    page: Page,
    rows: usize,
) -> Value {
    let script = browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": format!("{driver}\nwatchLoad({rows});") }),
        )
        .await;
    browser.goto(&server.url(page.path)).await;
    let figures = in_page(browser, "loaded()").await;
    browser
        .cdp(
            "Page.removeScriptToEvaluateOnNewDocument",
            json!({ "identifier": script["identifier"] }),
        )
        .await;
    figures
}

/// `BENCH_PROFILE=1`: instead of the figures, where the app's time goes in
/// a warm load, in a 1,000-row render and in create cycles, as the
/// sampling profiler's self time per function (wasm functions are numbered
/// unless the build keeps names).
async fn profile_app(server: &TestServer, driver: &str) {
    for (user, rows) in [(&TYPICAL, SMALL_LIST), (&HOARDER, BIG_LIST)] {
        let browser = signed_in(server, user).await;
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let figures = open(&browser, server, driver, APP, rows).await;
            times.push([number(&figures["interactive"]), number(&figures["render"])]);
        }
        let column = |i: usize| median(&times.iter().map(|t| t[i]).collect::<Vec<_>>());
        println!(
            "\n{rows} rows, medians of {RUNS} warm loads: interactive {:.1} ms, render {:.1} ms",
            column(0),
            column(1)
        );
        start_profiler(&browser).await;
        let figures = open(&browser, server, driver, APP, rows).await;
        let profile = browser.cdp("Profiler.stop", json!({})).await;
        println!("\n{rows} rows, profiled: {}", figures["interactive"]);
        print_self_times(&profile["profile"]);
        for page in [APP, FLOOR] {
            let figures = open(&browser, server, driver, page, rows).await;
            println!(
                "\n{} warm load, {rows} rows: {}",
                page.name, figures["interactive"]
            );
            for entry in figures["timeline"].as_array().into_iter().flatten() {
                println!(
                    "{:>7} → {:>7}  {:>6}  {}",
                    entry["start"], entry["end"], entry["bytes"], entry["path"]
                );
            }
        }
        if rows == SMALL_LIST {
            profile_cycles(&browser, server, driver).await;
        }
        browser.finish().await;
    }
}

/// Starts DevTools' sampling CPU profiler (a sample every 50 µs); the
/// caller stops it and reads the profile.
async fn start_profiler(browser: &Browser) {
    browser.cdp("Profiler.enable", json!({})).await;
    browser
        .cdp("Profiler.setSamplingInterval", json!({ "interval": 50 }))
        .await;
    browser.cdp("Profiler.start", json!({})).await;
}

/// Where Next → password goes: the profiler over [`PROFILED_CYCLES`]
/// create → copy → done → delete cycles through the app's own controls.
async fn profile_cycles(browser: &Browser, server: &TestServer, driver: &str) {
    open(browser, server, driver, APP, SMALL_LIST).await;
    start_profiler(browser).await;
    let runs = in_page(browser, &format!("cycles({PROFILED_CYCLES})")).await;
    let profile = browser.cdp("Profiler.stop", json!({})).await;
    let next: Vec<f64> = runs
        .as_array()
        .into_iter()
        .flatten()
        .map(|run| number(&run["next"]) - number(&run["server"]))
        .collect();
    println!(
        "\n{PROFILED_CYCLES} create cycles, profiled: Next → password beyond the server, median {:.1} ms",
        median(&next)
    );
    print_self_times(&profile["profile"]);
}

/// `BENCH_COMPARE=<other dist>`: this build's warm load and 1,000-row
/// render against another build's, one load of each in turn (each in its
/// own browser) and each going first in every other pair, so that a
/// machine's slow moments fall on both.
async fn compare(servers: [&TestServer; 2], driver: &str) {
    for (user, rows) in [(&TYPICAL, SMALL_LIST), (&HOARDER, BIG_LIST)] {
        let browsers = [
            signed_in(servers[0], user).await,
            signed_in(servers[1], user).await,
        ];
        let mut times = [Vec::new(), Vec::new()];
        for run in 0..RUNS {
            // Each build goes first in every other pair: whichever goes first
            // was measured slower, whichever build it was.
            let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
            for side in order {
                let figures = open(&browsers[side], servers[side], driver, APP, rows).await;
                let figure = if rows == BIG_LIST {
                    "render"
                } else {
                    "interactive"
                };
                times[side].push(number(&figures[figure]));
            }
        }
        // Each pair was measured back to back: the median of their ratios
        // is steadier than the ratio of the medians when the machine's load
        // drifts during the run.
        let ratios: Vec<f64> = times[0].iter().zip(&times[1]).map(|(a, b)| a / b).collect();
        println!(
            "{rows} rows, medians of {RUNS}: dist {:.1} ms, other {:.1} ms; dist/other, median of the pairs: {:.3}",
            median(&times[0]),
            median(&times[1]),
            median(&ratios)
        );
        for browser in browsers {
            browser.finish().await;
        }
    }
}

/// The functions with the most time in a DevTools CPU profile: their own
/// (self) and with what they call (total).
fn print_self_times(profile: &Value) {
    use std::collections::{HashMap, HashSet};
    let nodes = profile["nodes"].as_array().cloned().unwrap_or_default();
    let id = |value: &Value| value.as_u64().unwrap_or_default();
    let mut names: HashMap<u64, String> = HashMap::new();
    let mut parents: HashMap<u64, u64> = HashMap::new();
    for node in &nodes {
        let frame = &node["callFrame"];
        let url = frame["url"].as_str().unwrap_or_default();
        let file = url.rsplit('/').next().unwrap_or_default();
        let function = frame["functionName"].as_str().unwrap_or_default();
        names.insert(id(&node["id"]), format!("{function} {file}"));
        for child in node["children"].as_array().into_iter().flatten() {
            parents.insert(id(child), id(&node["id"]));
        }
    }
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    let deltas = profile["timeDeltas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut own: HashMap<&str, f64> = HashMap::new();
    let mut total: HashMap<&str, f64> = HashMap::new();
    // A sample's delta is the time before it; the time after it is the next one's.
    for (index, sample) in samples.iter().enumerate() {
        let ms = deltas.get(index + 1).and_then(Value::as_f64).unwrap_or(0.0) / 1000.0;
        let mut node = id(sample);
        *own.entry(names.get(&node).map_or("", String::as_str))
            .or_default() += ms;
        let mut seen = HashSet::new();
        loop {
            let name = names.get(&node).map_or("", String::as_str);
            if seen.insert(name) {
                *total.entry(name).or_default() += ms;
            }
            match parents.get(&node) {
                Some(parent) => node = *parent,
                None => break,
            }
        }
    }
    for (title, times) in [("self", own), ("total", total)] {
        let mut sorted: Vec<_> = times.into_iter().collect();
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("-- {title}");
        for (function, ms) in sorted.iter().take(40) {
            println!(
                "{ms:8.2} ms  {}",
                function.chars().take(160).collect::<String>()
            );
        }
    }
}

/// Awaits `call` (a promise of the driver's) in the page; fails with the
/// page's own message when it rejects.
async fn in_page(browser: &Browser, call: &str) -> Value {
    let settled = browser
        .script_async(&format!(
            "{call}.then(value => done({{ value }}), error => done({{ error: String(error) }}))"
        ))
        .await;
    match settled.get("error") {
        Some(error) => panic!("in the page: {error}"),
        None => settled["value"].clone(),
    }
}

/// Milliseconds from navigation start to the list on screen with Create
/// usable: with an empty HTTP cache, then with the cache of earlier loads.
/// Also the requests of the last warm load, to see where its time goes.
/// The app and the floor load in turn, one of each, so that a slow moment
/// of the machine falls on both: their times are compared as a ratio, and
/// one page's runs after the other's drifted apart by a third here.
async fn load_times(browser: &Browser, server: &TestServer, driver: &str) -> Value {
    let pages = [APP, FLOOR];
    let mut cold = [Vec::new(), Vec::new()];
    for _ in 0..RUNS {
        for (times, page) in cold.iter_mut().zip(pages) {
            browser.cdp("Network.clearBrowserCache", json!({})).await;
            times.push(number(
                &open(browser, server, driver, page, SMALL_LIST).await["interactive"],
            ));
        }
    }
    let mut warm = [Vec::new(), Vec::new()];
    let mut timelines = [Value::Null, Value::Null];
    for _ in 0..RUNS {
        for ((times, timeline), page) in warm.iter_mut().zip(&mut timelines).zip(pages) {
            let figures = open(browser, server, driver, page, SMALL_LIST).await;
            times.push(number(&figures["interactive"]));
            *timeline = figures["timeline"].clone();
        }
    }
    let slow = slow_cold_loads(browser, server, driver).await;
    let mut loads = json!({});
    for ((((page, cold), warm), timeline), slow) in pages
        .into_iter()
        .zip(cold)
        .zip(warm)
        .zip(timelines)
        .zip(slow)
    {
        loads[page.name] =
            json!({ "cold": cold, "warm": warm, "warm_timeline": timeline, "slow_cold": slow });
    }
    loads
}

/// Cold loads, app and floor in turn, on a slow network as DevTools makes
/// one: [`SLOW_DOWN_BYTES_PER_S`] down, [`SLOW_ROUND_TRIP_MS`] a round trip.
async fn slow_cold_loads(browser: &Browser, server: &TestServer, driver: &str) -> [Vec<f64>; 2] {
    progress(&format!(
        "app and floor in turn: {SLOW_RUNS} cold loads of each on a slow network"
    ));
    browser.cdp("Network.enable", json!({})).await;
    let conditions = |latency: f64, down: f64, up: f64| json!({ "offline": false, "latency": latency, "downloadThroughput": down, "uploadThroughput": up });
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            conditions(
                SLOW_ROUND_TRIP_MS,
                SLOW_DOWN_BYTES_PER_S,
                SLOW_UP_BYTES_PER_S,
            ),
        )
        .await;
    let mut slow = [Vec::new(), Vec::new()];
    for _ in 0..SLOW_RUNS {
        for (times, page) in slow.iter_mut().zip([APP, FLOOR]) {
            browser.cdp("Network.clearBrowserCache", json!({})).await;
            times.push(number(
                &open(browser, server, driver, page, SMALL_LIST).await["interactive"],
            ));
        }
    }
    // -1: no limit.
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            conditions(0.0, -1.0, -1.0),
        )
        .await;
    browser.cdp("Network.disable", json!({})).await;
    slow
}

/// Next → password (minus the server's time), and memory before and after
/// [`CYCLES`] cycles, each weighed after a full garbage collection.
async fn cycle_figures(browser: &Browser, server: &TestServer, driver: &str, page: Page) -> Value {
    open(browser, server, driver, page, SMALL_LIST).await;
    let before = memory(browser).await;
    let runs = in_page(browser, &format!("cycles({CYCLES})")).await;
    let after = memory(browser).await;
    let runs = runs.as_array().expect("cycle figures");
    let next: Vec<f64> = runs.iter().map(|run| number(&run["next"])).collect();
    let server_ms: Vec<f64> = runs.iter().map(|run| number(&run["server"])).collect();
    let beyond: Vec<f64> = next.iter().zip(&server_ms).map(|(n, s)| n - s).collect();
    json!({
        "next_ms": median(&next),
        "server_ms": median(&server_ms),
        "next_beyond_server_ms": median(&beyond),
        "memory_before": before,
        "memory_after": after,
        "memory_growth_bytes": after["total"].as_f64().unwrap_or_default() - before["total"].as_f64().unwrap_or_default(),
    })
}

/// JS heap (after DevTools' garbage collection) plus wasm linear memory.
async fn memory(browser: &Browser) -> Value {
    browser.cdp("HeapProfiler.collectGarbage", json!({})).await;
    let heap = browser.cdp("Runtime.getHeapUsage", json!({})).await;
    let js = heap["usedSize"].as_f64().unwrap_or_default();
    let wasm = browser
        .script("return wasmMemory()")
        .await
        .as_f64()
        .unwrap_or_default();
    json!({ "js": js, "wasm": wasm, "total": js + wasm })
}

/// Milliseconds from the list's last byte to its [`BIG_LIST`] rows shown
/// (the app draws those in view and a margin, and says how many there
/// are), over warm loads.
async fn render_times(
    browser: &Browser,
    server: &TestServer,
    driver: &str,
    page: Page,
) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        times.push(number(
            &open(browser, server, driver, page, BIG_LIST).await["render"],
        ));
    }
    times
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("the page measured nothing: {value}"))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The machine the figures come from, for the README.
fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_default();
    let chromium = std::process::Command::new("/usr/bin/chromium")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "browser": chromium,
    })
}

/// The table the README shows, and whether every budget passed.
fn report(results: &Value) -> (String, bool) {
    let mut lines = vec![
        format!(
            "Machine: {}, {} cores; {}; medians of {RUNS} runs ({CYCLES} cycles for Next and memory).",
            results["machine"]["cpu"].as_str().unwrap_or("?"),
            results["machine"]["cores"],
            results["machine"]["browser"].as_str().unwrap_or("?"),
        ),
        String::new(),
        "| Transfer | raw | gzip | brotli |".to_owned(),
        "|---|---:|---:|---:|".to_owned(),
    ];
    let sizes = &results["sizes"];
    let mut total = [0u64; 3];
    for kind in ["wasm", "js", "css"] {
        let row: Vec<u64> = ["raw", "gzip", "brotli"]
            .iter()
            .map(|k| sizes[kind][*k].as_u64().unwrap_or_default())
            .collect();
        for (slot, value) in row.iter().enumerate() {
            total[slot] += value;
        }
        lines.push(format!(
            "| {kind} | {} | {} | {} |",
            kb(row[0]),
            kb(row[1]),
            kb(row[2])
        ));
    }
    lines.push(format!(
        "| **all** | {} | {} | **{}** |",
        kb(total[0]),
        kb(total[1]),
        kb(total[2])
    ));
    lines.push(String::new());
    lines.push("| Time (median) | app | floor | app ÷ floor |".to_owned());
    lines.push("|---|---:|---:|---:|".to_owned());
    let loads = &results["load_ms"];
    let med = |value: &Value| median(&floats(value));
    let mut time_row = |what: &str, app: f64, floor: f64| {
        lines.push(format!(
            "| {what} | {app:.1} ms | {floor:.1} ms | {:.2}× |",
            app / floor
        ));
    };
    let (cold_app, cold_floor) = (med(&loads["app"]["cold"]), med(&loads["floor"]["cold"]));
    let (warm_app, warm_floor) = (med(&loads["app"]["warm"]), med(&loads["floor"]["warm"]));
    time_row(
        "Interactive with the list, cold cache",
        cold_app,
        cold_floor,
    );
    time_row(
        "Interactive with the list, warm cache",
        warm_app,
        warm_floor,
    );
    time_row(
        "Interactive with the list, cold cache, 1.6 Mbit/s and 150 ms round trips (no budget yet)",
        med(&loads["app"]["slow_cold"]),
        med(&loads["floor"]["slow_cold"]),
    );
    let cycles = &results["cycles_result"];
    let next = |page: &str| {
        cycles[page]["next_beyond_server_ms"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    time_row(
        "Next → password, beyond the server's time",
        next("app"),
        next("floor"),
    );
    let render = &results["render_1000_ms"];
    let (render_app, render_floor) = (med(&render["app"]), med(&render["floor"]));
    time_row(
        "A list of 1,000 shown (the app draws those in view and a margin)",
        render_app,
        render_floor,
    );
    let growth = |page: &str| {
        cycles[page]["memory_growth_bytes"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    lines.push(format!(
        "| Memory growth after {CYCLES} cycles (JS heap + wasm) | {} | {} | |",
        kb_signed(growth("app")),
        kb_signed(growth("floor"))
    ));
    lines.push(String::new());
    let (service_lines, service_budgets) = services::table(&results["services"]);
    lines.extend(service_lines);
    lines.push(String::new());
    let (imap_lines, imap_budgets) = imap::table(&results["imap"]);
    lines.extend(imap_lines);
    lines.push(String::new());
    let (lighthouse_lines, lighthouse_budgets) = lighthouse::table(&results["lighthouse"]);
    lines.extend(lighthouse_lines);
    lines.push(String::new());
    let mut budgets = vec![
        (
            format!("wasm + JS + CSS ≤ {} brotli", kb(BUDGET_TRANSFER_BYTES)),
            kb(total[2]),
            total[2] <= BUDGET_TRANSFER_BYTES,
        ),
        (
            format!("time to interactive ≤ {BUDGET_TTI_RATIO}× the floor's, warm"),
            format!("{:.2}×", warm_app / warm_floor),
            warm_app <= BUDGET_TTI_RATIO * warm_floor,
        ),
        (
            format!("Next → password ≤ {BUDGET_NEXT_MS} ms beyond the server"),
            format!("{:.1} ms", next("app")),
            next("app") <= BUDGET_NEXT_MS,
        ),
        (
            format!("a list of {BIG_LIST} shown in < {BUDGET_RENDER_MS} ms (windowed)"),
            format!("{render_app:.1} ms"),
            render_app < BUDGET_RENDER_MS,
        ),
        (
            format!("memory after {CYCLES} cycles within 1 MB of the start"),
            kb_signed(growth("app")),
            growth("app") <= BUDGET_MEMORY_BYTES,
        ),
    ];
    budgets.extend(service_budgets);
    budgets.extend(imap_budgets);
    budgets.extend(lighthouse_budgets);
    let (verdicts, all_pass) = verdicts(budgets);
    lines.extend(verdicts);
    (lines.join("\n"), all_pass)
}

/// A part measured alone (`BENCH_SERVICES_ONLY`, `BENCH_LIGHTHOUSE_ONLY`):
/// prints its tables and budgets, and fails when a budget does.
fn report_part(lines: &[String], budgets: Vec<(String, String, bool)>) -> ExitCode {
    let (verdicts, all_pass) = verdicts(budgets);
    println!("\n{}\n\n{}", lines.join("\n"), verdicts.join("\n"));
    if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The budget table, a row per (budget, measured, passed), and whether
/// every budget passed.
fn verdicts(budgets: Vec<(String, String, bool)>) -> (Vec<String>, bool) {
    let mut lines = vec![
        "| Budget | measured | verdict |".to_owned(),
        "|---|---:|---|".to_owned(),
    ];
    let mut all_pass = true;
    for (budget, measured, pass) in budgets {
        all_pass &= pass;
        lines.push(format!(
            "| {budget} | {measured} | {} |",
            if pass { "PASS" } else { "**FAIL**" }
        ));
    }
    (lines, all_pass)
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|values| values.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn kb_signed(bytes: f64) -> String {
    format!("{:+.1} KB", bytes / 1024.0)
}
