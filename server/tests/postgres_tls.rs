//! PostgreSQL over TLS (`sslmode` and `sslrootcert` in the `postgres://`
//! URL), against a real cluster that speaks TLS with a certificate of the
//! test's own authority. Always on PostgreSQL, whatever
//! `APP_PASSWORDS_TEST_ENGINE` says: TLS is PostgreSQL's alone.

mod common;

use std::path::Path;

use common::{Api, Server, SERVER_BINARY};
use reqwest::StatusCode;

/// `--database` with `url` and the cluster's password file.
fn database(cluster: &testkit::Postgres, url: String) -> Vec<String> {
    vec![
        "--database".to_owned(),
        url,
        "--database-password-file".to_owned(),
        cluster.password_file().display().to_string(),
    ]
}

/// The administrator's `issue-token` for ada on `database`: the binary's
/// output.
fn issue_token(database: &[String]) -> std::process::Output {
    std::process::Command::new(SERVER_BINARY)
        .args(["issue-token", "--login", "ada"])
        .args(database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run the server's binary")
}

/// What a refused command printed, after checking that it was refused.
fn refusal(output: &std::process::Output) -> String {
    let printed = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "not refused: {printed}");
    printed
}

#[tokio::test]
async fn verify_full_with_the_right_authority_serves_over_tls() {
    let cluster = testkit::Postgres::start_with_tls();
    let name = cluster.create_database();
    let url = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        cluster.url(&name),
        cluster.authority().display()
    );
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_on_database(data.path(), database(&cluster, url.clone()), &[]).await;

    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let issued = issue_token(&database(&cluster, url));
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let mut api = Api::at(&server.base);
    api.bearer = Some(String::from_utf8(issued.stdout).unwrap().trim().to_owned());
    let session = api.get("/session").await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(session.body["user"]["login"], "ada");

    // The server's connections are encrypted, every one of them.
    let connections = cluster.psql(&format!(
        "SELECT count(*) FILTER (WHERE ssl), count(*) FILTER (WHERE NOT ssl)
         FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
         WHERE datname = '{name}' AND application_name = 'app-passwords-server'"
    ));
    let (encrypted, plain) = connections.split_once('|').unwrap();
    assert!(encrypted.parse::<u32>().unwrap() >= 1, "{connections}");
    assert_eq!(plain, "0", "{connections}");

    // `require` encrypts without asking whose the certificate is, as
    // libpq's does.
    let required = issue_token(&database(
        &cluster,
        format!("{}?sslmode=require", cluster.url(&name)),
    ));
    assert!(
        required.status.success(),
        "{}",
        String::from_utf8_lossy(&required.stderr)
    );
}

#[test]
fn verify_full_refuses_another_authority_and_another_name() {
    let cluster = testkit::Postgres::start_with_tls();
    let name = cluster.create_database();
    let other = tempfile::tempdir().unwrap();
    let stranger = testkit::certificates::authority(other.path(), "stranger");
    let url = |host: &str, authority: &Path| {
        format!(
            "postgres://{}@{host}:{}/{name}?sslmode=verify-full&sslrootcert={}",
            testkit::postgres::USER,
            cluster.port(),
            authority.display()
        )
    };

    let printed = refusal(&issue_token(&database(
        &cluster,
        url("127.0.0.1", &stranger),
    )));
    assert!(
        printed.contains("TLS handshake") && printed.contains("UnknownIssuer"),
        "{printed}"
    );
    // The right authority, but the certificate is for 127.0.0.1, not for
    // the name the URL gives.
    let printed = refusal(&issue_token(&database(
        &cluster,
        url("localhost", &cluster.authority()),
    )));
    assert!(
        printed.contains("certificate not valid for name \"localhost\""),
        "{printed}"
    );
}

#[test]
fn require_refuses_a_server_without_tls() {
    let cluster = testkit::Postgres::start();
    let name = cluster.create_database();
    let printed = refusal(&issue_token(&database(
        &cluster,
        format!("{}?sslmode=require", cluster.url(&name)),
    )));
    assert!(printed.contains("server does not support TLS"), "{printed}");
}

#[test]
fn tls_settings_are_checked_before_connecting() {
    let url = |query: &str| format!("postgres://app@127.0.0.1:1/app?{query}");
    for (query, expected) in [
        ("sslmode=verify-full", "needs sslrootcert"),
        ("sslmode=verify-ca&sslrootcert=/x", "use verify-full"),
        ("sslmode=require&sslrootcert=/x", "verify-full only"),
        ("sslmode=allow", "not one of"),
        (
            "sslmode=verify-full&sslrootcert=/nonexistent/ca.crt",
            "reading sslrootcert",
        ),
    ] {
        let output = std::process::Command::new(SERVER_BINARY)
            .args(["issue-token", "--login", "ada", "--database", &url(query)])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let printed = refusal(&output);
        assert!(printed.contains(expected), "{query}: {printed}");
    }
}
