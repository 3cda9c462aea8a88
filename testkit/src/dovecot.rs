//! The real Dovecot (Debian's dovecot-imapd 2.3) with the passdb and SASL
//! socket of `examples/dovecot/app-passwords.conf`, asking a verifier, and
//! the ways clients sign in through it: IMAP (Python's imaplib, curl) and
//! Postfix's SMTP AUTH (Dovecot's auth protocol on the SASL socket).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use data_encoding::BASE64;

use crate::curl::curl;
use crate::process::run_with_secret;
use crate::{adapted, free_port, open_to_services, system_user, ProcessGroup};

/// The example, as shipped.
pub const EXAMPLE: &str = include_str!("../../examples/dovecot/app-passwords.conf");

/// What a login got from Dovecot.
#[derive(Debug, PartialEq, Eq)]
pub enum Login {
    /// Signed in (over IMAP, the mailbox opened too).
    Accepted,
    /// `NO [AUTHENTICATIONFAILED]`: the verifier refused the password.
    Refused,
    /// `NO [UNAVAILABLE]`: the verifier could not say (checkpassword's 111).
    Unavailable,
}

/// What Dovecot's checkpassword asks, and with what.
pub struct Verifier<'a> {
    /// The verifier's URL, `http://127.0.0.1:PORT/api/v1/verify`.
    pub url: &'a str,
    /// The server's binary, which is the checkpassword program.
    pub server_binary: &'a Path,
    /// The credential file `service-credential add` wrote (plain format);
    /// it becomes the dovecot user's, whose auth process reads it.
    pub credential_file: &'a Path,
}

/// Where Dovecot looks a password up.
enum Passdb<'a> {
    /// The example's checkpassword, asking the reference server.
    Verifier(&'a Verifier<'a>),
    /// A `passwd-file` of these `(login, password)`.
    PasswdFile(&'a [(&'a str, &'a str)]),
}

/// A `passwd-file`'s lines for `users`, each password hashed by
/// `openssl passwd -6` (SHA512-CRYPT), given it on its standard input.
fn passwd_file(users: &[(&str, &str)]) -> String {
    users
        .iter()
        .map(|(login, password)| {
            let output = run_with_secret(
                Command::new("openssl").args(["passwd", "-6", "-stdin"]),
                password,
                "openssl passwd (scripts/setup.sh installs openssl)",
            );
            assert!(output.status.success(), "openssl passwd failed");
            let hash = String::from_utf8(output.stdout).expect("an ASCII hash");
            format!("{login}:{{SHA512-CRYPT}}{}\n", hash.trim())
        })
        .collect()
}

/// Dovecot with the example's passdb, in a throwaway folder of its own,
/// and where to reach it. Dropping it stops Dovecot and removes the folder;
/// a failing test shows Dovecot's log first.
pub struct Dovecot {
    port: u16,
    /// The SASL socket Postfix would use.
    sasl_socket: PathBuf,
    /// Dovecot's log.
    log: PathBuf,
    /// Before the folder: Dovecot stops before its files go.
    _process: ProcessGroup,
    _folder: tempfile::TempDir,
}

impl Dovecot {
    /// Starts Dovecot with the example's passdb asking `verifier`, on a
    /// free loopback port, and waits until it listens. Its SASL socket is
    /// in its own folder, for [`Dovecot::sasl_login`].
    pub fn start(verifier: &Verifier) -> Self {
        Self::start_with(Passdb::Verifier(verifier), None)
    }

    /// As [`Dovecot::start`], but with the users of a Dovecot without app
    /// passwords: the example's passdb swapped for a `passwd-file` holding
    /// each `(login, password)` as SHA512-CRYPT (what `openssl passwd -6`
    /// makes), everything else as shipped, for comparing the two.
    pub fn start_with_passwd_file(users: &[(&str, &str)]) -> Self {
        Self::start_with(Passdb::PasswdFile(users), None)
    }

    /// As [`Dovecot::start`], with the SASL socket where the example puts
    /// it for Postfix: `private/auth` in Postfix's `queue_directory`, which
    /// must exist first, for the example's user `postfix`.
    pub fn start_for_postfix(verifier: &Verifier, queue_directory: &Path) -> Self {
        Self::start_with(Passdb::Verifier(verifier), Some(queue_directory))
    }

    fn start_with(passdb: Passdb, postfix_queue: Option<&Path>) -> Self {
        let folder = tempfile::tempdir().expect("a folder for Dovecot");
        let base = folder.path();
        open_to_services(base);
        // The dovecot user owns the test's mail: never root.
        let (uid, gid) = system_user(
            "dovecot",
            "Debian's dovecot-core; scripts/setup.sh installs it",
        );
        // What Dovecot's auth process reads (the credential, or the users'
        // file) becomes the dovecot user's.
        let (mut changes, readable) = match passdb {
            Passdb::Verifier(verifier) => (
                vec![
                    (
                        "/usr/local/bin/app-passwords-server",
                        verifier.server_binary.display().to_string(),
                    ),
                    (
                        "http://127.0.0.1:8080/api/v1/verify",
                        verifier.url.to_owned(),
                    ),
                    (
                        "/etc/dovecot/app-passwords.credential",
                        verifier.credential_file.display().to_string(),
                    ),
                ],
                verifier.credential_file.to_owned(),
            ),
            Passdb::PasswdFile(users) => {
                let file = base.join("users");
                std::fs::write(&file, passwd_file(users)).expect("write the users' file");
                let checkpassword = EXAMPLE
                    .lines()
                    .filter_map(|line| line.trim().strip_prefix("args = "))
                    .find(|args| args.contains(" checkpassword "))
                    .expect("the example's checkpassword args");
                (
                    vec![
                        ("driver = checkpassword", "driver = passwd-file".to_owned()),
                        (checkpassword, file.display().to_string()),
                    ],
                    file,
                )
            }
        };
        std::os::unix::fs::chown(&readable, Some(uid), Some(gid))
            .expect("give what the auth process reads to the dovecot user");
        let mail = base.join("mail");
        std::fs::create_dir(&mail).expect("the mail folder");
        std::os::unix::fs::chown(&mail, Some(uid), Some(gid)).expect("give the mail to dovecot");

        let sasl_socket = match postfix_queue {
            Some(queue) => queue.join("private/auth"),
            None => base.join("run/postfix-auth"),
        };
        changes.extend([
            (
                "uid=vmail gid=vmail home=/var/vmail/%u",
                format!("uid={uid} gid={gid} home={}/%u", mail.display()),
            ),
            (
                "/var/spool/postfix/private/auth",
                sasl_socket.display().to_string(),
            ),
        ]);
        if postfix_queue.is_none() {
            // No Postfix asks: the SASL client is the test, as root.
            changes.push(("user = postfix", "user = dovecot".to_owned()));
            changes.push(("group = postfix", "group = dovecot".to_owned()));
        }
        let example = adapted(EXAMPLE, &changes);
        std::fs::write(base.join("app-passwords.conf"), example).expect("write the example");

        let port = free_port();
        let log = base.join("dovecot.log");
        let config = base.join("dovecot.conf");
        std::fs::write(
            &config,
            format!(
                "# What a distribution's dovecot.conf would hold, in a folder of the test's.
base_dir = {base}/run
state_dir = {base}/state
log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
# Refusals answer at once: tests make several.
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
!include {base}/app-passwords.conf
",
                base = base.display(),
                log = log.display(),
            ),
        )
        .expect("write dovecot.conf");
        let mut command = Command::new("dovecot");
        command.arg("-F").arg("-c").arg(&config);
        let mut process = ProcessGroup::spawn_with_output(
            command,
            "dovecot (scripts/setup.sh installs it)",
            &base.join("dovecot.out"),
        )
        .with_log(&log);
        process.wait_for_port(port);
        Self {
            port,
            sasl_socket,
            log,
            _process: process,
            _folder: folder,
        }
    }

    /// Logs in over IMAP with Python's imaplib from the loopback address
    /// `client` (127.0.0.x), and opens the inbox. The password goes to the
    /// client on its standard input: never in its arguments, which `ps`
    /// shows. Blocks until the client is done.
    pub fn imap_login(&self, client: &str, login: &str, password: &str) -> Login {
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
        let output = run_with_secret(
            Command::new("python3").arg("-c").arg(CLIENT).args([
                "127.0.0.1",
                &self.port.to_string(),
                login,
                client,
            ]),
            password,
            "the IMAP client (python3)",
        );
        let said = String::from_utf8_lossy(&output.stdout);
        if said.contains("ACCEPTED") {
            Login::Accepted
        } else if said.contains("[AUTHENTICATIONFAILED]") {
            Login::Refused
        } else if said.contains("[UNAVAILABLE]") {
            Login::Unavailable
        } else {
            panic!(
                "the IMAP client was told {said:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        }
    }

    /// Logs in over IMAP with curl from the loopback address `client`
    /// (127.0.0.x), and lists the mailboxes.
    pub fn curl_imap_login(&self, client: &str, login: &str, password: &str) -> Login {
        let url = format!("imap://127.0.0.1:{}/", self.port);
        let said = curl(client, login, password, &[&url]);
        if said.success && said.transcript.contains("INBOX") {
            Login::Accepted
        } else if said.transcript.contains("[AUTHENTICATIONFAILED]") {
            Login::Refused
        } else if said.transcript.contains("[UNAVAILABLE]") {
            Login::Unavailable
        } else {
            panic!("curl over IMAP: {}", said.transcript)
        }
    }

    /// Authenticates as Postfix does for SMTP AUTH: Dovecot's auth protocol
    /// on the SASL socket, PLAIN, for the service `smtp` and the SMTP
    /// client's address `client`.
    pub fn sasl_login(&self, client: &str, login: &str, password: &str) -> Login {
        let stream = UnixStream::connect(&self.sasl_socket).expect("Dovecot's SASL socket");
        let mut reader = BufReader::new(stream.try_clone().expect("a second socket handle"));
        let mut writer = stream;
        write!(writer, "VERSION\t1\t2\nCPID\t{}\n", std::process::id()).expect("handshake");
        let mut line = String::new();
        while line.trim_end() != "DONE" {
            line.clear();
            let read = reader.read_line(&mut line).expect("read the handshake");
            assert!(read > 0, "no handshake");
        }
        let response = BASE64.encode(format!("\0{login}\0{password}").as_bytes());
        writeln!(
            writer,
            "AUTH\t1\tPLAIN\tservice=smtp\tnologin\trip={client}\tresp={response}"
        )
        .expect("send AUTH");
        line.clear();
        reader.read_line(&mut line).expect("read the answer");
        let fields: Vec<&str> = line.trim_end().split('\t').collect();
        match fields.first() {
            Some(&"OK") => Login::Accepted,
            Some(&"FAIL") if fields.contains(&"temp") => Login::Unavailable,
            Some(&"FAIL") => Login::Refused,
            _ => panic!("Dovecot's auth answered {line:?}"),
        }
    }

    /// The loopback port of its IMAP listener.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Dovecot's log: what it said to clients and about the verifier.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
