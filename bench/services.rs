//! What the reference server costs the services that ask it (Dovecot's
//! checkpassword, nginx's `auth_request`), on one server in one run, with
//! wrk's keep-alive clients on loopback: `/api/v1/verify` beside
//! `GET /healthz` and a hashed static file, the server's memory across
//! [`VERIFICATIONS_WEIGHED`] verifications, and, for the record, app
//! passwords of the old form (Argon2id under the user's salt). Beside it,
//! in the same runs, `/api/v1/verify` of a second server of the same build
//! on PostgreSQL (a throwaway cluster on loopback, `testkit::Postgres`),
//! and `/api/v1/verify` of both with [`FEW_CONNECTIONS`] connections too,
//! PostgreSQL held to a share of SQLite's rate and to a p99.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use super::support::{http, TestServer, TestUser};
use super::{median, progress, TYPICAL};

/// Seconds of each wrk run.
const RUN_SECONDS: u64 = 5;
/// Runs of each request, the three taking turns so that the machine's slow
/// moments fall on all of them; the median is reported.
const ROUNDS: usize = 3;
/// wrk's threads and keep-alive connections: services asking at once as
/// they do in the field, nginx's `auth_request` verifying every request of
/// a calendar client syncing in parallel, or an office behind one address;
/// more than the server lets fail at once from one address (10 a login),
/// so that a right password refused under load shows (issue 27 item 2).
const THREADS: u64 = 2;
const CONNECTIONS: usize = 64;
/// The fewer keep-alive connections `/api/v1/verify` is also measured with
/// on both engines: a mail server's few auth workers, where the engines'
/// own costs show rather than a queue of 64 on two cores.
const FEW_CONNECTIONS: usize = 8;
/// Clients verifying the old form's rows: each verification is one
/// Argon2id hash, so more clients than that would only queue for the
/// server's CPU budget.
const OLD_FORM_CLIENTS: usize = 8;
/// The server's memory is weighed before and after at least this many
/// verifications.
const VERIFICATIONS_WEIGHED: u64 = 100_000;
/// App passwords of the old form, each verified once: the first use moves
/// one to a digest, so a row is worth one slow verification only.
const OLD_FORM_ROWS: usize = 200;

/// The budgets this section is held to, in the units of its figures.
const BUDGET_VERIFY_SHARE_OF_HEALTHZ: f64 = 0.5;
const BUDGET_VERIFY_PER_SECOND: f64 = 2_000.0;
/// Held with [`FEW_CONNECTIONS`]: with [`CONNECTIONS`], each sending its
/// next request as soon as its last is answered (wrk's closed loop), the
/// mean answer takes the connections ÷ the rate (Little's law), 7.5 ms at
/// 8,500 a second on two cores shared with wrk, so a p99 there measures
/// the queue wrk builds, not the server. The runs with [`CONNECTIONS`]
/// hold every answer right and the rates; their p99 is shown.
const BUDGET_VERIFY_P99_MS: f64 = 10.0;
const BUDGET_MEMORY_GROWTH_BYTES: f64 = 10.0 * 1024.0 * 1024.0;
const BUDGET_STATIC_SHARE_OF_HEALTHZ: f64 = 0.5;
/// PostgreSQL's verifications per second, as a share of SQLite's in the
/// same run, at each number of connections (issue 32).
const BUDGET_POSTGRES_SHARE_OF_SQLITE: f64 = 0.4;

/// Holds [`OLD_FORM_ROWS`] app passwords made before digests.
const LEGACY: TestUser = TestUser {
    login: "legacy",
    password: "benchmark-legacy-2026",
    totp_secret: None,
};

/// One request wrk sends over and over.
struct Request {
    /// Its key in the figures.
    name: &'static str,
    /// Where: a path of the server on SQLite, or a URL of the one on
    /// PostgreSQL.
    url: String,
    /// Headers set by wrk's script, never in its arguments (`ps` shows
    /// those): the Authorization header carries a password.
    headers: Vec<(&'static str, String)>,
    /// wrk's keep-alive connections.
    connections: usize,
}

/// Measures the section; the figures are what [`table`] shows.
pub async fn measure(dist: &Path) -> Value {
    let load_before = load_average();
    progress(&format!(
        "{OLD_FORM_ROWS} app passwords of the old form (Argon2id) in a database of schema 2"
    ));
    let data = tempfile::tempdir().expect("temporary folder");
    let old_form = old_form_database(&data.path().join("app.db"));
    // wrk ends each run by dropping the requests in flight, which the
    // server counts as failed attempts (a dropped request must not escape
    // the count); a window of a second keeps them out of the next run.
    let server = TestServer::start_in(
        data,
        &[&TYPICAL, &LEGACY],
        &["--failure-window-seconds", "1"],
    );
    let password = new_app_password(&server).await;

    progress("the same server on PostgreSQL (a throwaway cluster)");
    let cluster = testkit::Postgres::start();
    let postgres_data = tempfile::tempdir().expect("temporary folder");
    let postgres_flags = [
        "--failure-window-seconds".to_owned(),
        "1".to_owned(),
        "--database".to_owned(),
        cluster.url(&cluster.create_database()),
        "--database-password-file".to_owned(),
        cluster.password_file().display().to_string(),
        "--key-file".to_owned(),
        postgres_data
            .path()
            .join("server.key")
            .display()
            .to_string(),
    ];
    let postgres_flags: Vec<&str> = postgres_flags.iter().map(String::as_str).collect();
    let on_postgres = TestServer::start_in(postgres_data, &[&TYPICAL], &postgres_flags);
    let postgres_password = new_app_password(&on_postgres).await;

    let boot_script = hashed_boot_script(dist);
    let requests = [
        Request {
            name: "healthz",
            url: server.url("/healthz"),
            headers: Vec::new(),
            connections: CONNECTIONS,
        },
        Request {
            name: "verify",
            url: server.url("/api/v1/verify"),
            headers: vec![(
                "Authorization",
                basic_authorization(TYPICAL.login, &password),
            )],
            connections: CONNECTIONS,
        },
        Request {
            name: "static",
            url: server.url(&format!("/{boot_script}")),
            headers: vec![("Accept-Encoding", "gzip, deflate, br".to_owned())],
            connections: CONNECTIONS,
        },
        Request {
            name: "verify_postgres",
            url: on_postgres.url("/api/v1/verify"),
            headers: vec![(
                "Authorization",
                basic_authorization(TYPICAL.login, &postgres_password),
            )],
            connections: CONNECTIONS,
        },
        Request {
            name: "verify_8",
            url: server.url("/api/v1/verify"),
            headers: vec![(
                "Authorization",
                basic_authorization(TYPICAL.login, &password),
            )],
            connections: FEW_CONNECTIONS,
        },
        Request {
            name: "verify_postgres_8",
            url: on_postgres.url("/api/v1/verify"),
            headers: vec![(
                "Authorization",
                basic_authorization(TYPICAL.login, &postgres_password),
            )],
            connections: FEW_CONNECTIONS,
        },
    ];
    let scripts = tempfile::tempdir().expect("a folder for wrk's scripts");
    for request in &requests {
        std::fs::write(scripts.path().join(request.name), wrk_script(request))
            .expect("write wrk's script");
    }
    let run = |request: &Request, seconds: u64| {
        wrk(
            scripts.path().join(request.name),
            request.url.clone(),
            request.connections,
            seconds,
        )
    };

    // Connections, workers and caches as under load, before the start is
    // weighed: the first requests a process serves grow it for good.
    run(&requests[0], 1).await;
    let memory_before = server.resident_bytes();
    let mut runs: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut verifications = 0;
    let paths: Vec<&str> = requests
        .iter()
        .map(|request| request.url.as_str())
        .collect();
    progress(&format!(
        "{} in turn, {ROUNDS} runs of {RUN_SECONDS} s each (wrk -t{THREADS} -c{CONNECTIONS}, /verify also -c{FEW_CONNECTIONS})",
        paths.join(", ")
    ));
    for _ in 0..ROUNDS {
        for request in &requests {
            let figures = run(request, RUN_SECONDS).await;
            if request.name.starts_with("verify") && !request.name.contains("postgres") {
                verifications += answered(&figures);
            }
            runs.entry(request.name).or_default().push(figures);
        }
    }
    let runs = json!(runs);
    let verify_rate = median(&column(&runs["verify"], "per_second"));
    assert!(verify_rate > 0.0, "no verification was served");
    while verifications < VERIFICATIONS_WEIGHED {
        let left = (VERIFICATIONS_WEIGHED - verifications) as f64;
        let seconds = (left / verify_rate).ceil() as u64 + 1;
        progress(&format!(
            "{seconds} s more of verifications, for the memory"
        ));
        // The requests the last run dropped count as failures for a
        // failure window (a second): let them pass first.
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        verifications += answered(&run(&requests[1], seconds).await);
    }
    let memory_after = server.resident_bytes();

    progress(&format!(
        "old form: {OLD_FORM_ROWS} app passwords, each verified once"
    ));
    let old_form_per_second = verify_each_once(&server, &old_form).await;

    json!({
        "tool": format!("wrk -t{THREADS} -c{CONNECTIONS} -d{RUN_SECONDS}s --latency, keep-alive, loopback"),
        "rounds": ROUNDS,
        "runs": runs,
        "memory": {
            "before": memory_before,
            "after": memory_after,
            "verifications": verifications,
        },
        "old_form": {
            "rows": OLD_FORM_ROWS,
            "per_second": old_form_per_second,
            "clients": OLD_FORM_CLIENTS,
        },
        "load_average": { "before": load_before, "after": load_average() },
    })
}

/// The section's table, and its budgets as (budget, measured, passed).
pub fn table(figures: &Value) -> (Vec<String>, Vec<(String, String, bool)>) {
    let rate = |name: &str| median(&column(&figures["runs"][name], "per_second"));
    let p99_ms = |name: &str| median(&column(&figures["runs"][name], "p99_us")) / 1000.0;
    let p50_ms = |name: &str| median(&column(&figures["runs"][name], "p50_us")) / 1000.0;
    let (healthz, verify, file) = (rate("healthz"), rate("verify"), rate("static"));
    // Answers other than 2xx, and broken connections, over every run: a
    // fast refusal is no measure of a success.
    let refused = |name: &str| -> u64 {
        figures["runs"][name]
            .as_array()
            .into_iter()
            .flatten()
            .map(not_answered)
            .sum()
    };
    let statuses = |name: &str| -> String {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for run in figures["runs"][name].as_array().into_iter().flatten() {
            for (status, count) in run["statuses"].as_object().into_iter().flatten() {
                *counts.entry(status.clone()).or_default() += count.as_u64().unwrap_or(0);
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(status, count)| format!("{count} × {status}"))
            .collect();
        counts.join(", ")
    };
    let old_form = figures["old_form"]["per_second"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let memory = &figures["memory"];
    let weigh = |when: &str| memory[when].as_f64().unwrap_or(f64::NAN);
    let growth = weigh("after") - weigh("before");
    let load = |when: &str| {
        figures["load_average"][when]
            .as_str()
            .unwrap_or("?")
            .to_owned()
    };

    let mut lines = vec![
        format!(
            "Services ({}; medians of {ROUNDS} runs taking turns; load average {} before, {} after):",
            figures["tool"].as_str().unwrap_or("?"),
            load("before"),
            load("after"),
        ),
        String::new(),
        "| Request | per second | p50 | p99 | ÷ /healthz | not 2xx |".to_owned(),
        "|---|---:|---:|---:|---:|---:|".to_owned(),
    ];
    for (name, label) in [
        ("healthz", "`GET /healthz`".to_owned()),
        (
            "verify",
            "`GET /api/v1/verify`, an app password made through the API".to_owned(),
        ),
        (
            "static",
            "a hashed static file (`embed-<hash>.js`, brotli)".to_owned(),
        ),
        (
            "verify_postgres",
            "`GET /api/v1/verify` on PostgreSQL (a second server, same build, local cluster)"
                .to_owned(),
        ),
        (
            "verify_8",
            format!("`GET /api/v1/verify` on SQLite, {FEW_CONNECTIONS} connections"),
        ),
        (
            "verify_postgres_8",
            format!("`GET /api/v1/verify` on PostgreSQL, {FEW_CONNECTIONS} connections"),
        ),
    ] {
        // Figures of an earlier run may lack a row measured since.
        if figures["runs"][name].is_null() {
            continue;
        }
        lines.push(format!(
            "| {label} | {} | {:.2} ms | {:.2} ms | {:.2}× | {} |",
            grouped(rate(name)),
            p50_ms(name),
            p99_ms(name),
            rate(name) / healthz,
            refused(name)
        ));
    }
    lines.push(format!(
        "| `GET /api/v1/verify`, old form (Argon2id), {} rows once each, {} clients | {} | | | {:.3}× | 0 |",
        figures["old_form"]["rows"],
        figures["old_form"]["clients"],
        grouped(old_form),
        old_form / healthz
    ));
    lines.push(String::new());
    lines.push(format!(
        "Server memory (RSS): {} before, {} after {} verifications ({}).",
        megabytes(weigh("before")),
        megabytes(weigh("after")),
        grouped(memory["verifications"].as_f64().unwrap_or(f64::NAN)),
        signed_megabytes(growth)
    ));
    let postgres_share = |connections: usize| {
        let suffix = if connections == CONNECTIONS { "" } else { "_8" };
        rate(&format!("verify_postgres{suffix}")) / rate(&format!("verify{suffix}"))
    };
    lines.push(format!(
        "PostgreSQL beside SQLite, `/api/v1/verify`: {} vs {} per second, {:.2}× (p99 {:.2} ms vs {:.2} ms) with {FEW_CONNECTIONS} connections; {} vs {} per second, {:.2}× (p99 {:.2} ms vs {:.2} ms) with {CONNECTIONS}.",
        grouped(rate("verify_postgres_8")),
        grouped(rate("verify_8")),
        postgres_share(FEW_CONNECTIONS),
        p99_ms("verify_postgres_8"),
        p99_ms("verify_8"),
        grouped(rate("verify_postgres")),
        grouped(verify),
        postgres_share(CONNECTIONS),
        p99_ms("verify_postgres"),
        p99_ms("verify"),
    ));

    let budgets = vec![
        (
            "`/api/v1/verify`: every answer 2xx, no broken connection".to_owned(),
            format!("{} not 2xx ({})", refused("verify"), statuses("verify")),
            refused("verify") == 0,
        ),
        (
            "`/api/v1/verify` on PostgreSQL: every answer 2xx, no broken connection".to_owned(),
            format!(
                "{} not 2xx ({})",
                refused("verify_postgres"),
                statuses("verify_postgres")
            ),
            refused("verify_postgres") == 0,
        ),
        (
            format!(
                "`/api/v1/verify` with {FEW_CONNECTIONS} connections, on either engine: every answer 2xx, no broken connection"
            ),
            format!(
                "{} not 2xx ({}; {})",
                refused("verify_8") + refused("verify_postgres_8"),
                statuses("verify_8"),
                statuses("verify_postgres_8")
            ),
            refused("verify_8") + refused("verify_postgres_8") == 0,
        ),
        (
            "`/healthz` and the static file: every answer 2xx, no broken connection".to_owned(),
            format!("{} not 2xx", refused("healthz") + refused("static")),
            refused("healthz") + refused("static") == 0,
        ),
        (
            format!(
                "verifications/s ≥ {:.0} % of /healthz's",
                BUDGET_VERIFY_SHARE_OF_HEALTHZ * 100.0
            ),
            format!("{:.0} %", verify / healthz * 100.0),
            verify >= BUDGET_VERIFY_SHARE_OF_HEALTHZ * healthz,
        ),
        (
            format!("verifications/s ≥ {}", grouped(BUDGET_VERIFY_PER_SECOND)),
            grouped(verify),
            verify >= BUDGET_VERIFY_PER_SECOND,
        ),
        (
            format!("verification p99 ≤ {BUDGET_VERIFY_P99_MS} ms ({FEW_CONNECTIONS} clients)"),
            format!(
                "{:.2} ms ({CONNECTIONS} clients: {:.2} ms)",
                p99_ms("verify_8"),
                p99_ms("verify")
            ),
            p99_ms("verify_8") <= BUDGET_VERIFY_P99_MS,
        ),
        (
            format!(
                "server RSS after {} verifications within {} of the start",
                grouped(VERIFICATIONS_WEIGHED as f64),
                megabytes(BUDGET_MEMORY_GROWTH_BYTES)
            ),
            signed_megabytes(growth),
            growth <= BUDGET_MEMORY_GROWTH_BYTES,
        ),
        (
            format!(
                "PostgreSQL /verify ≥ {BUDGET_POSTGRES_SHARE_OF_SQLITE}× SQLite's ({FEW_CONNECTIONS} clients)"
            ),
            format!("{:.2}×", postgres_share(FEW_CONNECTIONS)),
            postgres_share(FEW_CONNECTIONS) >= BUDGET_POSTGRES_SHARE_OF_SQLITE,
        ),
        (
            format!(
                "PostgreSQL /verify ≥ {BUDGET_POSTGRES_SHARE_OF_SQLITE}× SQLite's ({CONNECTIONS} clients)"
            ),
            format!("{:.2}×", postgres_share(CONNECTIONS)),
            postgres_share(CONNECTIONS) >= BUDGET_POSTGRES_SHARE_OF_SQLITE,
        ),
        (
            format!("PostgreSQL /verify p99 ≤ {BUDGET_VERIFY_P99_MS} ms ({FEW_CONNECTIONS} clients)"),
            format!(
                "{:.2} ms ({CONNECTIONS} clients: {:.2} ms)",
                p99_ms("verify_postgres_8"),
                p99_ms("verify_postgres")
            ),
            p99_ms("verify_postgres_8") <= BUDGET_VERIFY_P99_MS,
        ),
        (
            format!(
                "hashed static file/s ≥ {:.0} % of /healthz's",
                BUDGET_STATIC_SHARE_OF_HEALTHZ * 100.0
            ),
            format!("{:.0} %", file / healthz * 100.0),
            file >= BUDGET_STATIC_SHARE_OF_HEALTHZ * healthz,
        ),
    ];
    (lines, budgets)
}

/// A database as the server before digests left it (schema version 2),
/// [`LEGACY`] holding [`OLD_FORM_ROWS`] app passwords stored as Argon2id
/// under the user's salt; returns the passwords.
fn old_form_database(database: &Path) -> Vec<String> {
    use app_passwords_server::crypto::{
        generate_app_password, hash_password, hash_with_salt, new_salt, normalize_app_password,
    };
    let salt = new_salt();
    let passwords: Vec<String> = (0..OLD_FORM_ROWS)
        .map(|_| generate_app_password())
        .collect();
    // A hash takes a core for tens of milliseconds: all cores at once.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let hashes: Vec<String> = std::thread::scope(|scope| {
        let lanes: Vec<_> = passwords
            .chunks(OLD_FORM_ROWS.div_ceil(cores))
            .map(|lane| {
                scope.spawn(|| {
                    lane.iter()
                        .map(|password| {
                            hash_with_salt(&normalize_app_password(password), &salt)
                                .expect("a well-formed salt")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        lanes
            .into_iter()
            .flat_map(|lane| lane.join().expect("a hashing thread"))
            .collect()
    });

    let mut old = rusqlite::Connection::open(database).expect("a database of schema 2");
    old.execute_batch(include_str!("../server/migrations/sqlite/0001_initial.sql"))
        .expect("schema 1");
    old.execute_batch(include_str!(
        "../server/migrations/sqlite/0002_contract.sql"
    ))
    .expect("schema 2");
    old.pragma_update(None, "user_version", 2)
        .expect("schema version 2");
    let rows = old.transaction().expect("a transaction");
    // The account password is replaced at start (--seed-user).
    rows.execute(
        "INSERT INTO users (login, display_name, password_hash, app_password_salt)
         VALUES (?1, ?1, ?2, ?3)",
        rusqlite::params![LEGACY.login, hash_password(LEGACY.password), salt],
    )
    .expect("the legacy user");
    for (index, hash) in hashes.iter().enumerate() {
        rows.execute(
            "INSERT INTO app_passwords (id, user_id, name, hash, created_at)
             VALUES (?1, 1, ?2, ?3, '2025-01-01T00:00:00Z')",
            rusqlite::params![format!("old-{index}"), format!("Old device {index}"), hash],
        )
        .expect("an old-form app password");
    }
    rows.commit().expect("commit the old-form rows");
    passwords
}

/// A new app password of [`TYPICAL`]'s, made through the API.
pub(crate) async fn new_app_password(server: &TestServer) -> String {
    let (status, created) = server
        .other_client(TYPICAL.login)
        .call(
            reqwest::Method::POST,
            "/app-passwords",
            Some(&json!({ "name": "Mail on the laptop" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["password"]
        .as_str()
        .expect("the new password")
        .to_owned()
}

/// The `Authorization` header a client sends for `login:password`, as
/// reqwest writes it.
fn basic_authorization(login: &str, password: &str) -> String {
    let request = reqwest::Client::new()
        .get("http://127.0.0.1/")
        .basic_auth(login, Some(password))
        .build()
        .expect("a request");
    request.headers()[reqwest::header::AUTHORIZATION]
        .to_str()
        .expect("an ASCII header")
        .to_owned()
}

/// The page's hashed boot script (`embed-<hash>.js`), as `index.html`
/// names it: a file served with `immutable`, precompressed.
fn hashed_boot_script(dist: &Path) -> String {
    let index = std::fs::read_to_string(dist.join("index.html")).expect("dist/index.html");
    index
        .split('"')
        .find(|part| part.starts_with("./embed-") && part.ends_with(".js"))
        .expect("index.html names a hashed embed.js")
        .trim_start_matches("./")
        .to_owned()
}

/// wrk's Lua script for `request`: its headers, a count of each status
/// answered (each thread of wrk has its own Lua state, so each counts its
/// own, and `done` adds them up), and at the end one line of figures in
/// JSON after `BENCH `.
fn wrk_script(request: &Request) -> String {
    let headers: String = request
        .headers
        .iter()
        .map(|(name, value)| {
            assert!(!value.contains(['"', '\\', '\n']), "a plain header value");
            format!("wrk.headers[\"{name}\"] = \"{value}\"\n")
        })
        .collect();
    format!(
        r#"-- Written by the benchmark into a folder of its own: wrk's arguments,
-- which `ps` shows, never carry a header.
{headers}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {{}}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {{}}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local listed = {{}}
  for status, count in pairs(counts) do
    table.insert(listed, string.format('"%d": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    '\nBENCH {{"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, "statuses": {{%s}}, "socket_errors": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    table.concat(listed, ", "),
    errors.connect + errors.read + errors.write + errors.timeout))
end
"#
    )
}

/// One wrk run of `seconds` with `connections` against `url` with `script`: its figures, with
/// the count of each status answered, and 2xx answers per second. Answers
/// other than 2xx and broken connections are recorded, not fatal: the
/// table shows them, and a budget fails on any ([`table`]).
async fn wrk(script: PathBuf, url: String, connections: usize, seconds: u64) -> Value {
    let output = tokio::process::Command::new("wrk")
        .arg(format!("-t{THREADS}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(&url)
        .output()
        .await
        .expect("run wrk (scripts/setup.sh installs it)");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrk failed on {url}: {printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut figures: Value = printed
        .lines()
        .find_map(|line| line.strip_prefix("BENCH "))
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("wrk printed no figures for {url}:\n{printed}"));
    if not_answered(&figures) > 0 {
        progress(&format!(
            "{url}: {} answers not 2xx or broken connections ({}, {} broken)",
            not_answered(&figures),
            figures["statuses"],
            figures["socket_errors"]
        ));
    }
    // Successes only: a fast 429 would raise the rate of a server that
    // refuses.
    let requests = answered(&figures) as f64;
    let seconds = figures["duration_us"].as_f64().unwrap_or(f64::NAN) / 1e6;
    figures["per_second"] = json!(requests / seconds);
    figures
}

/// Verifications per second of `passwords` ([`LEGACY`]'s, of the old
/// form), each verified once by one of [`OLD_FORM_CLIENTS`] keep-alive
/// clients working at once.
async fn verify_each_once(server: &TestServer, passwords: &[String]) -> f64 {
    let url = server.url("/api/v1/verify");
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..OLD_FORM_CLIENTS {
        let mine: Vec<String> = passwords
            .iter()
            .skip(client)
            .step_by(OLD_FORM_CLIENTS)
            .cloned()
            .collect();
        let url = url.clone();
        clients.spawn(async move {
            let connection = http::client();
            for password in mine {
                let request = connection
                    .get(&url)
                    .basic_auth(LEGACY.login, Some(&password));
                let response = http::send(request).await;
                assert_eq!(response.status, 200, "old form: {}", response.body);
            }
        });
    }
    clients.join_all().await;
    passwords.len() as f64 / started.elapsed().as_secs_f64()
}

/// Requests of a wrk run answered with a 2xx status.
fn answered(figures: &Value) -> u64 {
    figures["statuses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .filter_map(|(_, count)| count.as_u64())
        .sum()
}

/// Requests of a wrk run answered otherwise than with a 2xx status, or not
/// at all (a broken connection).
fn not_answered(figures: &Value) -> u64 {
    let all: u64 = figures["statuses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, count)| count.as_u64())
        .sum();
    all - answered(figures) + figures["socket_errors"].as_u64().unwrap_or(0)
}

/// The 1-, 5- and 15-minute load averages (`uptime`'s), as the kernel
/// says them: how quiet the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|loads| {
            loads
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// `field` of every run in `runs`.
fn column(runs: &Value, field: &str) -> Vec<f64> {
    runs.as_array()
        .into_iter()
        .flatten()
        .filter_map(|run| run[field].as_f64())
        .collect()
}

/// A whole number with thousands separated: 12,345.
fn grouped(value: f64) -> String {
    if !value.is_finite() {
        return "?".to_owned();
    }
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value < -0.5 {
        out.insert(0, '-');
    }
    out
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / (1024.0 * 1024.0))
}

fn signed_megabytes(bytes: f64) -> String {
    format!("{:+.1} MB", bytes / (1024.0 * 1024.0))
}
