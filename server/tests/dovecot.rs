//! The real Dovecot (Debian's dovecot-imapd 2.3) with the passdb of
//! `examples/dovecot/app-passwords.conf`, asking this server: a real IMAP
//! client (Python's imaplib) logs in with an app password made through the
//! API, and Postfix's way in (Dovecot SASL over the auth socket) does too.
//! Dovecot runs as a process of its own in a throwaway folder, on a free
//! loopback port, and stops with the test.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::services::{adapted, assert_readme_quotes, free_port, open_to_services, Service};
use common::{age, Server, SERVER_BINARY};
use data_encoding::BASE64;
use reqwest::StatusCode;

/// The example, as shipped.
const EXAMPLE: &str = include_str!("../../examples/dovecot/app-passwords.conf");

/// What a login got from Dovecot.
#[derive(Debug, PartialEq, Eq)]
enum Login {
    /// Signed in, and the mailbox opened.
    Accepted,
    /// `NO [AUTHENTICATIONFAILED]`: the verifier refused the password.
    Refused,
    /// `NO [UNAVAILABLE]`: the verifier could not say (checkpassword's 111).
    Unavailable,
}

/// Dovecot with the example's passdb, and where to reach it.
struct Dovecot {
    port: u16,
    /// The SASL socket Postfix would use.
    sasl_socket: PathBuf,
    /// Dovecot's log, for failure messages.
    log: PathBuf,
    _service: Service,
}

impl Dovecot {
    /// Starts Dovecot in `folder`, asking `server` with the credential in
    /// `credential_file`.
    fn start(folder: &Path, server: &Server, credential_file: &Path) -> Self {
        open_to_services(folder);
        let (uid, gid) = dovecot_ids();
        // The auth process, which runs checkpassword, is the dovecot user.
        std::os::unix::fs::chown(credential_file, Some(uid), Some(gid)).unwrap();
        let mail = folder.join("mail");
        std::fs::create_dir(&mail).unwrap();
        std::os::unix::fs::chown(&mail, Some(uid), Some(gid)).unwrap();

        let sasl_socket = folder.join("run/postfix-auth");
        let example = [
            (
                "/usr/local/bin/app-passwords-server",
                SERVER_BINARY.to_owned(),
            ),
            (
                "http://127.0.0.1:8080/api/v1/verify",
                server.url("/api/v1/verify"),
            ),
            (
                "/etc/dovecot/app-passwords.credential",
                credential_file.display().to_string(),
            ),
            (
                "uid=vmail gid=vmail home=/var/vmail/%u",
                format!("uid={uid} gid={gid} home={}/%u", mail.display()),
            ),
            (
                "/var/spool/postfix/private/auth",
                sasl_socket.display().to_string(),
            ),
            // There is no postfix user here; the test connects as root.
            ("user = postfix", "user = dovecot".to_owned()),
            ("group = postfix", "group = dovecot".to_owned()),
        ];
        let example = adapted(EXAMPLE, &example);
        std::fs::write(folder.join("app-passwords.conf"), example).unwrap();

        let port = free_port();
        let log = folder.join("dovecot.log");
        let config = folder.join("dovecot.conf");
        std::fs::write(
            &config,
            format!(
                "# What a distribution's dovecot.conf would hold, in a folder of the test's.
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
# Refusals answer at once: the test makes several.
auth_failure_delay = 0
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
!include {folder}/app-passwords.conf
",
                folder = folder.display(),
                log = log.display(),
            ),
        )
        .unwrap();
        let mut command = Command::new("dovecot");
        command.arg("-F").arg("-c").arg(&config);
        let mut service = Service::start(command, "dovecot", folder.join("dovecot.out"));
        service.wait_for_port(port, &log);
        Self {
            port,
            sasl_socket,
            log,
            _service: service,
        }
    }

    /// Logs in over IMAP with Python's imaplib from the loopback address
    /// `client` (127.0.0.x), the password on the client's standard input.
    fn imap_login(&self, client: &str, login: &str, password: &str) -> Login {
        const CLIENT: &str = r#"
import imaplib, socket, sys
host, port, login, source = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
password = sys.stdin.readline().rstrip("\n")
class FromSource(imaplib.IMAP4):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
imap = FromSource(host, port, timeout=30)
try:
    imap.login(login, password)
except imaplib.IMAP4.error as refusal:
    print(refusal)
    sys.exit(0)
status, _ = imap.select("INBOX")
print("ACCEPTED" if status == "OK" else "NO MAILBOX")
imap.logout()
"#;
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(CLIENT)
            .args(["127.0.0.1", &self.port.to_string(), login, client])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run python3");
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let output = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&output.stdout);
        self.outcome(&said, &String::from_utf8_lossy(&output.stderr))
    }

    /// Authenticates as Postfix does for SMTP AUTH: Dovecot's auth protocol
    /// on the SASL socket, PLAIN, for the service `smtp` and the SMTP
    /// client's address `client`.
    fn sasl_login(&self, client: &str, login: &str, password: &str) -> Login {
        let stream = UnixStream::connect(&self.sasl_socket).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        write!(writer, "VERSION\t1\t2\nCPID\t{}\n", std::process::id()).unwrap();
        let mut line = String::new();
        while line.trim_end() != "DONE" {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "no handshake");
        }
        let response = BASE64.encode(format!("\0{login}\0{password}").as_bytes());
        writeln!(
            writer,
            "AUTH\t1\tPLAIN\tservice=smtp\tnologin\trip={client}\tresp={response}"
        )
        .unwrap();
        line.clear();
        reader.read_line(&mut line).unwrap();
        let fields: Vec<&str> = line.trim_end().split('\t').collect();
        match fields.first() {
            Some(&"OK") => Login::Accepted,
            Some(&"FAIL") if fields.contains(&"temp") => Login::Unavailable,
            Some(&"FAIL") => Login::Refused,
            _ => self.panic_with_log(&line),
        }
    }

    /// What an IMAP client was told, as a [`Login`].
    fn outcome(&self, said: &str, errors: &str) -> Login {
        if said.contains("ACCEPTED") {
            Login::Accepted
        } else if said.contains("[AUTHENTICATIONFAILED]") {
            Login::Refused
        } else if said.contains("[UNAVAILABLE]") {
            Login::Unavailable
        } else {
            self.panic_with_log(&format!("{said} {errors}"))
        }
    }

    /// Dovecot's log, for what it said to a client or to the test.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn panic_with_log(&self, said: &str) -> ! {
        panic!("Dovecot said {said:?}\n{}", self.log())
    }
}

/// The uid and gid of the `dovecot` user, which owns the test's mail: never
/// root.
fn dovecot_ids() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let fields: Vec<&str> = passwd
        .lines()
        .find(|line| line.starts_with("dovecot:"))
        .expect("the dovecot user (Debian's dovecot-core; scripts/setup.sh installs it)")
        .split(':')
        .collect();
    let (uid, gid) = (fields[2].parse().unwrap(), fields[3].parse().unwrap());
    assert_ne!(uid, 0);
    (uid, gid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_signs_in_imap_and_smtp_clients_with_app_passwords() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (id, password) = ada.new_app_password("Thunderbird").await;
    let credential = server.service_credential("dovecot", "plain");
    let folder = tempfile::tempdir().unwrap();
    let dovecot = Dovecot::start(folder.path(), &server, &credential);
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

#[test]
fn the_readme_quotes_the_example() {
    assert_readme_quotes("### Dovecot: IMAP", EXAMPLE);
}
