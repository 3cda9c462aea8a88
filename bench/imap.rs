//! What app passwords cost a mail server's sign-ins: IMAP logins per
//! second through a real Dovecot whose passdb asks the reference server
//! (`examples/dovecot/app-passwords.conf`'s checkpassword, as
//! `server/tests/dovecot.rs` runs it), beside the same Dovecot with a
//! `passwd-file` user, as a Dovecot without app passwords signs people in.
//! Both are `testkit::Dovecot`s, child processes in throwaway folders; the
//! client is Python's imaplib, in many threads, the two Dovecots taking
//! turns so that the machine's slow moments fall on both.

use serde_json::{json, Value};
use testkit::{Dovecot, Verifier};

use super::services::new_app_password;
use super::support::TestServer;
use super::{median, progress, TYPICAL};

/// IMAP clients logging in at once, each from a loopback address of its
/// own (127.0.1.x), as a mail server's users do: Dovecot allows 10
/// connections per user and address (`mail_max_userip_connections`), and
/// the reference server 10 verifications in flight per login and address.
const CLIENTS: usize = 8;
/// Seconds of each run.
const RUN_SECONDS: u64 = 5;
/// Runs of each Dovecot, taking turns; the median is reported.
const ROUNDS: usize = 3;
/// App-password logins/s at least this share of the passwd-file user's.
const BUDGET_SHARE_OF_PASSWD_FILE: f64 = 0.8;

/// The two Dovecots, by their key in the figures and their row's label.
const SIDES: [(&str, &str); 2] = [
    (
        "app_password",
        "checkpassword asking the reference server, an app password",
    ),
    (
        "passwd_file",
        "passwd-file (SHA512-CRYPT), the account's password",
    ),
];

/// The client: `CLIENTS` threads of imaplib, each connecting, logging in
/// and logging out again and again for the seconds given; the password
/// comes on standard input (never in the arguments, which `ps` shows).
/// Prints the logins that succeeded, those that failed (with the first
/// few reasons), and the seconds taken, as JSON.
const CLIENT: &str = r#"
import imaplib, json, socket, sys, threading, time
host, port, login = sys.argv[1], int(sys.argv[2]), sys.argv[3]
clients, seconds = int(sys.argv[4]), float(sys.argv[5])
password = sys.stdin.readline().rstrip("\n")
ready = threading.Barrier(clients + 1)
results = []
def client(source):
    class FromSource(imaplib.IMAP4):
        def _create_socket(self, timeout):
            return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
    ok, failed, said = 0, 0, []
    ready.wait()
    while time.monotonic() < deadline:
        try:
            imap = FromSource(host, port, timeout=30)
            imap.login(login, password)
            imap.logout()
            ok += 1
        except Exception as error:
            failed += 1
            said.append(str(error))
    results.append((ok, failed, said[:3]))
threads = [threading.Thread(target=client, args=(f"127.0.1.{n + 1}",)) for n in range(clients)]
for thread in threads:
    thread.start()
start = time.monotonic()
deadline = start + seconds
ready.wait()
for thread in threads:
    thread.join()
print(json.dumps({
    "ok": sum(r[0] for r in results),
    "failed": sum(r[1] for r in results),
    "said": [s for r in results for s in r[2]][:5],
    "seconds": time.monotonic() - start,
}))
"#;

/// Measures both Dovecots; the figures are what [`table`] shows.
pub async fn measure() -> Value {
    progress("IMAP: a reference server, Dovecot asking it, and Dovecot with a passwd-file");
    let server = TestServer::start(&[&TYPICAL]);
    let app_password = new_app_password(&server).await;
    let app_password = app_password.as_str();
    let credential = server.service_credential("dovecot");
    let asking = Dovecot::start(&Verifier {
        url: &server.url("/api/v1/verify"),
        server_binary: server.binary(),
        credential_file: &credential,
    });
    let passwd_file = Dovecot::start_with_passwd_file(&[(TYPICAL.login, TYPICAL.password)]);
    let sides = [(&asking, app_password), (&passwd_file, TYPICAL.password)];

    // A second of each first: Dovecot's login and auth processes start.
    for (dovecot, password) in sides {
        logins(dovecot, password, 1);
    }
    progress(&format!(
        "IMAP: {ROUNDS} runs of {RUN_SECONDS} s each, the two Dovecots in turn, {CLIENTS} imaplib clients"
    ));
    let mut runs = [Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        // Each goes first in every other round.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let (dovecot, password) = sides[side];
            let figures = logins(dovecot, password, RUN_SECONDS);
            if figures["failed"].as_u64() != Some(0) {
                progress(&format!(
                    "IMAP, {}: failed logins: {}\n{}",
                    SIDES[side].0,
                    figures,
                    dovecot.log()
                ));
            }
            runs[side].push(figures);
        }
    }
    let mut figures = json!({ "clients": CLIENTS, "seconds": RUN_SECONDS, "rounds": ROUNDS });
    for ((name, _), runs) in SIDES.iter().zip(runs) {
        figures[*name] = json!(runs);
    }
    figures
}

/// One run of [`CLIENT`] against `dovecot` for `seconds`, logging in as
/// [`TYPICAL`] with `password`: its figures, with logins per second.
fn logins(dovecot: &Dovecot, password: &str, seconds: u64) -> Value {
    let output = tokio::task::block_in_place(|| {
        testkit::process::run_with_secret(
            std::process::Command::new("python3")
                .arg("-c")
                .arg(CLIENT)
                .args([
                    "127.0.0.1".to_owned(),
                    dovecot.port().to_string(),
                    TYPICAL.login.to_owned(),
                    CLIENTS.to_string(),
                    seconds.to_string(),
                ]),
            password,
            "the IMAP clients (python3)",
        )
    });
    let said = String::from_utf8_lossy(&output.stdout);
    let mut figures: Value = serde_json::from_str(said.trim()).unwrap_or_else(|_| {
        panic!(
            "the IMAP clients said {said:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    figures["per_second"] =
        json!(figures["ok"].as_f64().unwrap_or(0.0) / figures["seconds"].as_f64().unwrap_or(1.0));
    figures
}

/// The section's table, and its budgets as (budget, measured, passed).
pub fn table(figures: &Value) -> (Vec<String>, Vec<(String, String, bool)>) {
    let runs = |side: &str| figures[side].as_array().cloned().unwrap_or_default();
    let rate = |side: &str| {
        let rates: Vec<f64> = runs(side)
            .iter()
            .filter_map(|run| run["per_second"].as_f64())
            .collect();
        median(&rates)
    };
    let total = |side: &str, field: &str| -> u64 {
        runs(side)
            .iter()
            .filter_map(|run| run[field].as_u64())
            .sum()
    };
    let mut lines = vec![
        format!(
            "IMAP logins through Dovecot ({} imaplib clients, each from its own loopback address; login and logout; medians of {} runs of {} s taking turns):",
            figures["clients"], figures["rounds"], figures["seconds"]
        ),
        String::new(),
        "| Dovecot's passdb | logins/s | ÷ passwd-file | failed |".to_owned(),
        "|---|---:|---:|---:|".to_owned(),
    ];
    let baseline = rate("passwd_file");
    for (side, label) in SIDES {
        lines.push(format!(
            "| {label} | {:.0} | {:.2}× | {} |",
            rate(side),
            rate(side) / baseline,
            total(side, "failed")
        ));
    }
    let share = rate("app_password") / baseline;
    let failed = total("app_password", "failed") + total("passwd_file", "failed");
    let logged_in = total("app_password", "ok") + total("passwd_file", "ok");
    let budgets = vec![
        (
            format!("IMAP logins/s with an app password ≥ {BUDGET_SHARE_OF_PASSWD_FILE}× a passwd-file user's"),
            format!(
                "{share:.2}× ({:.0} against {baseline:.0})",
                rate("app_password")
            ),
            share >= BUDGET_SHARE_OF_PASSWD_FILE,
        ),
        (
            "IMAP: every login succeeds, on both Dovecots".to_owned(),
            format!("{failed} failed of {}", failed + logged_in),
            failed == 0 && logged_in > 0,
        ),
    ];
    (lines, budgets)
}
