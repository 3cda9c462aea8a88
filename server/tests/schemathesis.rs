//! The contract (`api/openapi.yaml`) checked by a tool nobody here wrote:
//! Schemathesis (PyPI, installed by `scripts/setup.sh`) generates requests
//! from the contract, valid and invalid, sends them to the reference
//! server, and checks every answer against the contract. Twice, once with
//! a bearer token and once with a signed-in session cookie and its CSRF
//! header, plus `/healthz`, which lives at the server's root rather than
//! under `/api/v1` (Schemathesis ignores a path's own `servers`).
//!
//! Only its stateless phases run (the contract's examples, its coverage of
//! boundaries, and random generation), with a bounded number of examples
//! per operation so that the whole test stays within a few minutes on two
//! cores. Every check below runs on every operation unless a comment says
//! why not.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::{Server, BOB_PASSWORD};
use serde_json::json;

/// Examples generated per operation and phase.
const MAX_EXAMPLES: &str = "50";

/// Schemathesis's settings: its stateless checks (no server error, only
/// documented statuses, content types and headers, bodies that match their
/// schemas, and invalid requests refused), on every operation unless a
/// comment says why not. In a file rather than on the command line, where
/// `--checks` would override an operation's own settings.
const CONFIGURATION: &str = r#"
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
response_headers_conformance.enabled = true
negative_data_rejection.enabled = true

"#;

/// The `st` of the venv that `scripts/setup.sh` makes in the tools folder
/// (`APP_PASSWORDS_TOOLS`, else its default in `scripts/env.sh`).
fn schemathesis() -> PathBuf {
    let tools = std::env::var_os("APP_PASSWORDS_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/app-passwords-tools")
        });
    let st = tools.join("schemathesis/bin/st");
    assert!(
        st.is_file(),
        "Schemathesis is not installed at {}: run scripts/setup.sh",
        st.display()
    );
    st
}

/// Runs `st run` on the contract against `url` with `args` and
/// [`CONFIGURATION`] followed by `configuration`, in a folder of
/// its own (Schemathesis reads a configuration file from where it runs);
/// fails the test with Schemathesis's report unless every check passed.
async fn run(what: &str, url: &str, args: &[&str], configuration: &str) {
    let contract = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/openapi.yaml");
    let folder = tempfile::tempdir().unwrap();
    let configuration_file = folder.path().join("schemathesis.toml");
    std::fs::write(
        &configuration_file,
        format!("{CONFIGURATION}{configuration}"),
    )
    .unwrap();
    let started = Instant::now();
    let mut command = std::process::Command::new(schemathesis());
    command
        .arg("--config-file")
        .arg(&configuration_file)
        .args(["run", contract, "--url", url])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", MAX_EXAMPLES])
        // Nothing of one run is kept for the next: each starts afresh.
        .args(["--generation-database", "none", "--workers", "2"])
        .args(args)
        .current_dir(folder.path())
        .env("NO_COLOR", "1");
    // The server runs on this test's runtime: wait off it.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run Schemathesis");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "Schemathesis, {what}: {:.0} s\n{printed}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        output.status.success(),
        "Schemathesis found failures ({what}); its report is above"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing_the_contract_does_not_allow() {
    let data = tempfile::tempdir().unwrap();
    // Generated sign-ins and codes fail by the hundred from one address:
    // with the usual limits they would meet 429 instead of the handlers.
    let server = Server::start_with_limits(data.path(), "1000000", "1000000", &[]).await;
    let api = server.url("/api/v1");

    let issued = server.admin(&["issue-token", "--login", "ada", "--days", "1"]);
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let token = String::from_utf8(issued.stdout).unwrap();
    let bearer = format!("Authorization: Bearer {}", token.trim());
    run(
        "bearer token",
        &api,
        &[
            "--exclude-path",
            "/healthz",
            // Served only with --oidc-issuer: this server has no provider
            // and answers them 404, and server/tests/oidc.rs drives them
            // through a real one. Generating their query parameters has
            // also crashed Schemathesis 4.32.5 inside Hypothesis on CPython
            // 3.11 ("AST constructor recursion depth mismatch").
            "--exclude-path-regex",
            "^/session/oidc/",
            "--header",
            &bearer,
        ],
        "",
    )
    .await;

    // Signed in as the app signs in: the cookie of the answer, and its
    // CSRF token for the unsafe methods.
    let signed_in = reqwest::Client::new()
        .post(server.url("/api/v1/session"))
        .json(&json!({"login": "bob", "password": BOB_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), reqwest::StatusCode::OK);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session: serde_json::Value = signed_in.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let (cookie_header, csrf_header) =
        (format!("Cookie: {cookie}"), format!("X-CSRF-Token: {csrf}"));
    // A real app password, so that renaming reaches a row and verifying
    // a right password, rather than only 404 and 401.
    let created = reqwest::Client::new()
        .post(server.url("/api/v1/app-passwords"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("idempotency-key", "schemathesis-setup")
        .json(&json!({"name": "Mail"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let created: serde_json::Value = created.json().await.unwrap();
    let real = format!(
        r#"
[[operations]]
include-operation-id = "renameAppPassword"
parameters = {{ "path.id" = "{}" }}

[[operations]]
include-operation-id = "verifyAppPassword"
auth.basic = {{ username = "bob", password = "{}" }}
"#,
        created["id"].as_str().unwrap(),
        created["password"].as_str().unwrap(),
    );
    run(
        "session cookie and CSRF header",
        &api,
        &[
            "--exclude-path",
            "/healthz",
            // Signing out would end the session the rest of the run works
            // in, leaving every later request to be refused with 401. The
            // same handler is checked in the bearer run above, which it
            // does not end, and server/tests/session.rs signs out of
            // cookie sessions.
            "--exclude-operation-id",
            "signOut",
            // As in the bearer run.
            "--exclude-path-regex",
            "^/session/oidc/",
            "--header",
            &cookie_header,
            "--header",
            &csrf_header,
        ],
        &real,
    )
    .await;

    run(
        "/healthz",
        &server.base,
        &["--include-path", "/healthz"],
        "",
    )
    .await;
}
