//! `docs/services.md`, followed with real programs and real clients, each
//! from the shipped example it names (through `testkit::adapted`, which
//! fails when an example no longer says what a test replaces): the server
//! makes the service credentials; Postfix's queue folder comes before
//! Dovecot's SASL socket in it; curl and Python's imaplib sign in to
//! Dovecot over IMAP; curl sends through Postfix's submission port with SMTP
//! AUTH; the `caldav` library makes a calendar and an event in Radicale
//! behind nginx's `auth_request`, and bob, with his own app password and a
//! forged `X-Remote-User: ada`, is refused her calendar. After each use the
//! list shows the service and the client's address. With the verifier down,
//! each service answers what the guide says.
//!
//! The app passwords are made through the API; `tests/mail.rs` copies one
//! in Chromium and signs in to the same Dovecot with it (imaplib and curl).

mod common;

use std::path::Path;
use std::process::Command;

use common::services::start_nginx;
use common::{Api, Server, SERVER_BINARY};
use reqwest::{Method, StatusCode};
use testkit::process::run_with_secret;
use testkit::{Dovecot, Login, Postfix, Radicale, Verifier};
// The clients block: each runs off the async workers the server uses.
use tokio::task::block_in_place;

/// A password no one was given, in the shape of an app password.
const WRONG: &str = "aaaaa-bbbbb-ccccc-ddddd-eeeee";

/// Python's `caldav` library, signed in at `url` from the loopback address
/// `client`: finds the user's principal, makes a calendar with an event,
/// and prints the calendar's URL and how many events it holds.
fn caldav(url: &str, client: &str, login: &str, password: &str) -> String {
    const CLIENT: &str = r#"
import socket, sys
url, login, source = sys.argv[1], sys.argv[2], sys.argv[3]
password = sys.stdin.readline().rstrip("\n")
# The calendar app's own address, whatever HTTP library caldav uses.
connect = socket.socket.connect
def from_source(self, address):
    if self.family == socket.AF_INET:
        self.bind((source, 0))
    return connect(self, address)
socket.socket.connect = from_source
import caldav
client = caldav.DAVClient(url=url, username=login, password=password)
calendar = client.principal().make_calendar(name="Work")
calendar.save_event(
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//walkthrough//EN\r\n"
    "BEGIN:VEVENT\r\nUID:meeting-1@example.org\r\nDTSTAMP:20260101T090000Z\r\n"
    "DTSTART:20260102T090000Z\r\nDTEND:20260102T100000Z\r\nSUMMARY:Meeting\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
print(calendar.url, len(calendar.events()))
"#;
    let output = run_with_secret(
        Command::new(testkit::radicale::python())
            .arg("-c")
            .arg(CLIENT)
            .args([url, login, client]),
        password,
        "Python with caldav (scripts/setup.sh installs it)",
    );
    assert!(
        output.status.success(),
        "caldav: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Panics unless the owner's list shows `service` and `client` as the
/// only app password's last use.
async fn assert_last_use(owner: &Api, service: &str, client: &str) {
    let item = &owner.get("/app-passwords").await.body["items"][0];
    assert_eq!(item["last_used_service"], service, "{item}");
    assert_eq!(item["last_used_ip"], client, "{item}");
}

/// A WebDAV request through nginx with `login`'s app password, and
/// headers the client adds.
async fn dav(
    url: &str,
    method: &str,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> StatusCode {
    let method = Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = reqwest::Client::new()
        .request(method, url)
        .basic_auth(login, Some(password))
        .header("Depth", "0");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("nginx answers").status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_guide_works_as_written() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (_, adas) = ada.new_app_password("Mail and calendar").await;
    let (_, bobs) = server.bob().await.new_app_password("Calendar").await;

    // Step 1: the service credentials.
    let dovecot_credential = server.service_credential("dovecot", "plain");
    let nginx_credential = server.service_credential("nginx", "nginx");

    // Steps 2 and 3: Postfix's queue folder first, then Dovecot, whose SASL
    // socket goes into it, then Postfix.
    let mut postfix = Postfix::prepare();
    let dovecot = Dovecot::start_for_postfix(
        &Verifier {
            url: &server.url("/api/v1/verify"),
            server_binary: Path::new(SERVER_BINARY),
            credential_file: &dovecot_credential,
        },
        &postfix.queue_directory(),
    );
    postfix.start();

    // IMAP, with curl and with imaplib.
    let curl_imap =
        |client, password| block_in_place(|| dovecot.curl_imap_login(client, "ada", password));
    assert_eq!(curl_imap("127.0.0.2", &adas), Login::Accepted);
    assert_last_use(&ada, "imap", "127.0.0.2").await;
    assert_eq!(
        block_in_place(|| dovecot.imap_login("127.0.0.3", "ada", &adas)),
        Login::Accepted
    );
    assert_last_use(&ada, "imap", "127.0.0.3").await;
    assert_eq!(curl_imap("127.0.0.2", WRONG), Login::Refused);

    // SMTP submission.
    let sent = block_in_place(|| postfix.send_with_curl("127.0.0.4", "ada", &adas));
    assert!(
        sent.success && sent.transcript.contains("< 250 2.0.0 Ok: queued"),
        "{}\n{}",
        sent.transcript,
        postfix.log()
    );
    // AUTH is offered only once TLS is up (smtpd_tls_auth_only).
    let (before_tls, after_tls) = sent
        .transcript
        .split_once("Ready to start TLS")
        .expect("STARTTLS");
    assert!(
        !before_tls.contains("AUTH") && after_tls.contains("< 250-AUTH PLAIN LOGIN"),
        "{}",
        sent.transcript
    );
    assert_last_use(&ada, "smtp", "127.0.0.4").await;
    let refused = block_in_place(|| postfix.send_with_curl("127.0.0.4", "ada", WRONG));
    assert!(
        !refused.success && refused.transcript.contains("< 535 5.7.8"),
        "{}",
        refused.transcript
    );

    // Step 4: Radicale behind nginx.
    let radicale = Radicale::start();
    let folder = tempfile::tempdir().unwrap();
    let (_nginx, port) = start_nginx(
        folder.path(),
        &server,
        &nginx_credential,
        radicale.port(),
        "",
    );
    let base = format!("http://127.0.0.1:{port}/");
    let made = block_in_place(|| caldav(&base, "127.0.0.5", "ada", &adas));
    let (calendar, events) = made.split_once(' ').expect("the calendar's URL and count");
    assert_eq!(events, "1", "{made}");
    assert!(calendar.starts_with(&format!("{base}ada/")), "{calendar}");
    assert_last_use(&ada, "caldav", "127.0.0.5").await;
    // Her calendar is there for her, and bob with his own valid app
    // password is refused it, whoever he says he is.
    assert_eq!(
        dav(calendar, "PROPFIND", "ada", &adas, &[]).await,
        StatusCode::MULTI_STATUS
    );
    for forged in [&[][..], &[("X-Remote-User", "ada")][..]] {
        for method in ["PROPFIND", "GET"] {
            assert_eq!(
                dav(calendar, method, "bob", &bobs, forged).await,
                StatusCode::FORBIDDEN,
                "{method} with {forged:?}"
            );
        }
    }

    // The verifier is down: IMAP's failure is temporary, Postfix turns
    // Dovecot's into a permanent 535, and nginx answers 500.
    drop(server);
    assert_eq!(curl_imap("127.0.0.2", &adas), Login::Unavailable);
    let unavailable = block_in_place(|| postfix.send_with_curl("127.0.0.4", "ada", &adas));
    assert!(
        unavailable.transcript.contains("< 535 5.7.8"),
        "{}",
        unavailable.transcript
    );
    assert_eq!(
        dav(calendar, "PROPFIND", "ada", &adas, &[]).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
