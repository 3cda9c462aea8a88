//! curl as a real mail client (IMAP, SMTP with STARTTLS), as an operator
//! tries a service by hand: the clients `docs/services.md` shows.

use std::process::Command;

use crate::process::run_with_secret;

/// What a curl run said: whether it succeeded, and its transcript (`-v`:
/// what the server answered, on lines starting with `< `).
pub struct Curl {
    /// curl exited 0.
    pub success: bool,
    /// Its standard output and then its verbose standard error.
    pub transcript: String,
}

/// Runs curl from the loopback address `client` (127.0.0.x) with
/// `arguments`, signing in as `login`; the password goes in a config on
/// curl's standard input, never in its arguments, which `ps` shows.
pub fn curl(client: &str, login: &str, password: &str, arguments: &[&str]) -> Curl {
    let output = run_with_secret(
        Command::new("curl")
            .args(["-sS", "-v", "--max-time", "30", "--interface", client])
            .args(["--config", "-"])
            .args(arguments),
        &format!("user = \"{login}:{password}\""),
        "curl",
    );
    Curl {
        success: output.status.success(),
        transcript: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
