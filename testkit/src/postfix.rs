//! The real Postfix (Debian's postfix 3.7) with `examples/postfix/main.cf`
//! and the submission service of `examples/postfix/master.cf`: SMTP AUTH
//! asks Dovecot over the SASL socket in Postfix's queue folder, as
//! `docs/services.md` sets it up. Everything Postfix keeps (configuration,
//! queue, data, certificate) is in a throwaway folder, and its submission
//! port is a free loopback port.

use std::path::PathBuf;
use std::process::Command;

use crate::curl::{curl, Curl};
use crate::{adapted, free_port, open_to_services, ProcessGroup};

/// `examples/postfix/main.cf`, as shipped.
pub const MAIN_CF: &str = include_str!("../../examples/postfix/main.cf");
/// `examples/postfix/master.cf`, as shipped.
pub const MASTER_CF: &str = include_str!("../../examples/postfix/master.cf");

/// The services every Postfix needs, as Debian's `master.cf` lists them,
/// without its port 25 listener and without chroot (the test's folder
/// holds none of what a chroot needs).
const BASE_MASTER_CF: &str = "\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
";

/// Postfix's folders, made and checked (`postfix check` creates the queue
/// folder), and once [`Postfix::start`]ed its master process. Dropping it
/// stops Postfix and removes the folder; a failing test shows Postfix's
/// log first.
pub struct Postfix {
    /// Before the folder: Postfix stops before its files go.
    process: Option<ProcessGroup>,
    port: u16,
    folder: tempfile::TempDir,
}

impl Postfix {
    /// Writes the configuration (the examples, adapted to the folder, a
    /// self-signed certificate and a free loopback port) and makes the
    /// queue folder, which Dovecot's SASL socket goes into.
    pub fn prepare() -> Self {
        let folder = tempfile::tempdir().expect("a folder for Postfix");
        let base = folder.path();
        open_to_services(base);
        let config = base.join("config");
        let data = base.join("data");
        // The queue folder itself, as Debian's package makes
        // /var/spool/postfix; `postfix check` makes what is inside.
        for made in [&config, &data, &base.join("queue")] {
            std::fs::create_dir(made).expect("Postfix's folders");
        }
        let postfix = crate::system_user("postfix", "Debian's postfix");
        std::os::unix::fs::chown(&data, Some(postfix.0), Some(postfix.1))
            .expect("Postfix's data folder is its own");
        // Self-signed: the clients are told not to check it (curl's -k).
        let certificate = crate::certificates::authority(base, "mail");
        let key = base.join("mail.key");

        let port = free_port();
        let main_cf = format!(
            "# What a distribution's main.cf would hold, in a folder of the test's.
compatibility_level = 3.6
queue_directory = {base}/queue
data_directory = {data}
mail_owner = postfix
myhostname = mail.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# Postfix's log is its standard output, which the test keeps.
maillog_file = /dev/stdout
# Mail never leaves: accepted is all a test needs to see.
default_transport = discard
{example}",
            base = base.display(),
            data = data.display(),
            example = adapted(
                MAIN_CF,
                &[
                    (
                        "/etc/ssl/certs/mail.example.com.pem",
                        certificate.display().to_string(),
                    ),
                    (
                        "/etc/ssl/private/mail.example.com.key",
                        key.display().to_string(),
                    ),
                ],
            ),
        );
        std::fs::write(config.join("main.cf"), main_cf).expect("write main.cf");
        let master_cf = format!(
            "{BASE_MASTER_CF}{}",
            adapted(
                MASTER_CF,
                &[("submission inet", format!("127.0.0.1:{port} inet"))]
            )
        );
        std::fs::write(config.join("master.cf"), master_cf).expect("write master.cf");
        run(
            Command::new("postfix").arg("-c").arg(&config).arg("check"),
            "postfix check (scripts/setup.sh installs Postfix)",
        );
        Self {
            process: None,
            port,
            folder,
        }
    }

    /// The queue folder, whose `private/` Dovecot's SASL socket goes into.
    pub fn queue_directory(&self) -> PathBuf {
        self.folder.path().join("queue")
    }

    /// The loopback port of the submission service.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts Postfix's master process, in the foreground (`-d`, so that it
    /// stays in the test's process group), and waits until submission
    /// listens.
    pub fn start(&mut self) {
        let config = self.folder.path().join("config");
        let mut command = Command::new("/usr/lib/postfix/sbin/master");
        command.arg("-c").arg(&config).arg("-d");
        let mut process = ProcessGroup::spawn_with_output(
            command,
            "postfix's master (scripts/setup.sh installs it)",
            &self.folder.path().join("postfix.log"),
        );
        process.wait_for_port(self.port);
        self.process = Some(process);
    }

    /// curl as a mail client: STARTTLS (the test's certificate is its own,
    /// hence `-k`), SMTP AUTH, and a message to someone elsewhere.
    pub fn send_with_curl(&self, client: &str, login: &str, password: &str) -> Curl {
        let message = tempfile::NamedTempFile::new().expect("a message file");
        let sender = format!("{login}@example.org");
        std::fs::write(
            message.path(),
            format!("From: {sender}\r\nTo: friend@example.net\r\nSubject: Hello\r\n\r\nSent with an app password.\r\n"),
        )
        .expect("write the message");
        let url = format!("smtp://127.0.0.1:{}", self.port);
        let file = message.path().display().to_string();
        curl(
            client,
            login,
            password,
            &[
                &url,
                "--ssl-reqd",
                "-k",
                "--mail-from",
                &sender,
                "--mail-rcpt",
                "friend@example.net",
                "--upload-file",
                &file,
            ],
        )
    }

    /// What Postfix logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("postfix.log")).unwrap_or_default()
    }
}

/// Runs a set-up command to its end; panics with what it said unless it
/// succeeded.
fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("run {what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
