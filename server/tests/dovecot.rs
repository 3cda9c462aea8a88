//! The real Dovecot (Debian's dovecot-imapd 2.3) with the passdb of
//! `examples/dovecot/app-passwords.conf`, asking this server: a real IMAP
//! client (Python's imaplib) logs in with an app password made through the
//! API, and Postfix's way in (Dovecot SASL over the auth socket) does too.
//! Dovecot runs as a process of its own in a throwaway folder, on a free
//! loopback port, and stops with the test.

mod common;

use std::path::Path;

use common::{age, Server, SERVER_BINARY};
use reqwest::StatusCode;
use testkit::{Dovecot, Login, Verifier};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_signs_in_imap_and_smtp_clients_with_app_passwords() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (id, password) = ada.new_app_password("Thunderbird").await;
    let credential = server.service_credential("dovecot", "plain");
    let dovecot = Dovecot::start(&Verifier {
        url: &server.url("/api/v1/verify"),
        server_binary: Path::new(SERVER_BINARY),
        credential_file: &credential,
    });
    // The clients block: each runs off the async workers the server uses.
    let login = |how: fn(&Dovecot, &str, &str, &str) -> Login, client: &str, password: &str| {
        tokio::task::block_in_place(|| how(&dovecot, client, "ada", password))
    };

    assert_eq!(
        login(Dovecot::imap_login, "127.0.0.2", &password),
        Login::Accepted
    );
    let item = &ada.get("/app-passwords").await.body["items"][0];
    assert_eq!(item["last_used_service"], "imap", "{item}");
    assert_eq!(
        item["last_used_ip"], "127.0.0.2",
        "the IMAP client, not Dovecot"
    );

    let wrong = "aaaaa-bbbbb-ccccc-ddddd-eeeee";
    assert_eq!(
        login(Dovecot::imap_login, "127.0.0.3", wrong),
        Login::Refused
    );

    // SMTP AUTH, as Postfix asks through Dovecot SASL.
    assert_eq!(
        login(Dovecot::sasl_login, "192.0.2.25", &password),
        Login::Accepted
    );
    let item = &ada.get("/app-passwords").await.body["items"][0];
    assert_eq!(item["last_used_service"], "smtp", "{item}");
    assert_eq!(item["last_used_ip"], "192.0.2.25");
    assert_eq!(
        login(Dovecot::sasl_login, "192.0.2.25", wrong),
        Login::Refused
    );

    age(
        &server,
        "UPDATE app_passwords SET expires_at = '2020-01-01T00:00:00Z'",
    )
    .await;
    assert_eq!(
        login(Dovecot::imap_login, "127.0.0.4", &password),
        Login::Refused,
        "expired"
    );
    age(&server, "UPDATE app_passwords SET expires_at = NULL").await;
    assert_eq!(
        login(Dovecot::imap_login, "127.0.0.5", &password),
        Login::Accepted
    );

    let revoked = ada.delete(&format!("/app-passwords/{id}")).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        login(Dovecot::imap_login, "127.0.0.6", &password),
        Login::Refused,
        "revoked"
    );

    // The verifier is gone: a temporary failure, which clients retry with
    // the password they have, rather than a refusal that discards it.
    let (_, second) = ada.new_app_password("Second").await;
    drop(server);
    assert_eq!(
        login(Dovecot::imap_login, "127.0.0.7", &second),
        Login::Unavailable
    );
}
