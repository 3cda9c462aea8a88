//! The real Dovecot (Debian's dovecot-imapd 2.3) with the passdb of
//! `examples/dovecot/app-passwords.conf`, asking this server: a real IMAP
//! client (Python's imaplib) logs in with an app password made through the
//! API, and Postfix's way in (Dovecot SASL over the auth socket) does too;
//! a password limited to other services is refused either way.
//! Dovecot runs as a process of its own in a throwaway folder, on a free
//! loopback port, and stops with the test.

mod common;

use std::path::Path;

use common::{age, Server, SERVER_BINARY};
use reqwest::StatusCode;
use testkit::{Dovecot, Login, Verifier};

/// Dovecot with the example's passdb, asking `server` with a credential
/// of its own.
fn dovecot_asking(server: &Server) -> Dovecot {
    let credential = server.service_credential("dovecot", "plain");
    Dovecot::start(&Verifier {
        url: &server.url("/api/v1/verify"),
        server_binary: Path::new(SERVER_BINARY),
        credential_file: &credential,
    })
}

/// A way to sign in through Dovecot: `Dovecot::imap_login`, or
/// `Dovecot::sasl_login` as Postfix asks.
type Way = fn(&Dovecot, &str, &str, &str) -> Login;

/// A client's login through Dovecot (`Dovecot::imap_login`, or
/// `Dovecot::sasl_login` as Postfix asks), off the async workers the server
/// uses, since the clients block.
fn login(dovecot: &Dovecot, how: Way, client: &str, password: &str) -> Login {
    tokio::task::block_in_place(|| how(dovecot, client, "ada", password))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_signs_in_imap_and_smtp_clients_with_app_passwords() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (id, password) = ada.new_app_password("Thunderbird").await;
    let dovecot = dovecot_asking(&server);
    let login = |how, client: &str, password: &str| login(&dovecot, how, client, password);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_refuses_a_calendar_password_over_imap() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (_, calendars) = ada
        .new_app_password_for("Calendar", Some(&["caldav", "carddav"]))
        .await;
    let (_, mail) = ada.new_app_password_for("Mail", Some(&["imap"])).await;
    let (_, everything) = ada.new_app_password("Laptop").await;
    let dovecot = dovecot_asking(&server);
    let login = |how, client: &str, password: &str| login(&dovecot, how, client, password);

    // IMAP clients from a loopback address of their own; through Postfix
    // (Dovecot SASL), Dovecot names the service smtp.
    let imap: (Way, _) = (Dovecot::imap_login, "127.0.0.2");
    let smtp: (Way, _) = (Dovecot::sasl_login, "192.0.2.25");
    for ((how, client), password, expected, what) in [
        (
            imap,
            &calendars,
            Login::Refused,
            "a calendar password reads no mail",
        ),
        (imap, &mail, Login::Accepted, "an IMAP password over IMAP"),
        (
            imap,
            &everything,
            Login::Accepted,
            "a password for everything",
        ),
        (
            smtp,
            &mail,
            Login::Refused,
            "an IMAP password sends no mail",
        ),
        (
            smtp,
            &everything,
            Login::Accepted,
            "a password for everything",
        ),
    ] {
        assert_eq!(login(how, client, password), expected, "{what}");
    }

    let items = ada.get("/app-passwords").await.body["items"].clone();
    assert!(items[0].get("last_used_at").is_none(), "{}", items[0]);
    assert_eq!(items[1]["last_used_service"], "imap", "{}", items[1]);
    assert_eq!(items[2]["last_used_service"], "smtp", "{}", items[2]);
}
