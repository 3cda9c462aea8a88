//! The reference server's binary, driven as an operator drives it, for the
//! harnesses of both test suites (`server/tests/common`, `tests/support`)
//! and the benchmark: each passes the binary's path, which only its own
//! build knows. Started as a [`ProcessGroup`] on a port it picks itself
//! (`--listen 127.0.0.1:0`, then read back from its log: no race for a
//! free port), and its administrator's commands run on its database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{Postgres, ProcessGroup};

/// Starts `command`, the server's binary with its flags (`--listen
/// 127.0.0.1:0` among them), as a process group with its output in `log`;
/// returns it with the address the server says it listens on
/// (`http://127.0.0.1:PORT`, without a trailing slash).
pub fn spawn(mut command: Command, log: &Path) -> (ProcessGroup, String) {
    command.env("RUST_LOG", "info").env("NO_COLOR", "1");
    let mut process = ProcessGroup::spawn_with_output(command, "the reference server", log);
    let said = process.wait_to_say("listening on ");
    let address = said
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    (process, address)
}

/// The flags that name the database of the data folder `data`, for the
/// server and its administrator's commands: its SQLite file `app.db`, or,
/// with `postgres`, its database in the shared cluster ([`Postgres::shared`],
/// made the first time and the same again for the same folder, as a
/// restarted server finds it) with the password in a file.
pub fn database_flags(data: &Path, postgres: bool) -> Vec<String> {
    if !postgres {
        return vec![
            "--database".to_owned(),
            data.join("app.db").display().to_string(),
        ];
    }
    let cluster = Postgres::shared();
    let named = data.join("postgres-database");
    let name = std::fs::read_to_string(&named).unwrap_or_else(|_| {
        let name = cluster.create_database();
        std::fs::write(&named, &name).expect("write the database's name");
        name
    });
    vec![
        "--database".to_owned(),
        cluster.url(&name),
        "--database-password-file".to_owned(),
        cluster.password_file().display().to_string(),
    ]
}

/// Runs the administrator's command `args` of `binary` (`issue-token
/// --login ada`, say) on the database that `database` names (flags as
/// [`database_flags`] gives them), as an operator would.
pub fn admin(binary: &Path, database: &[String], args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .args(database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run the server's binary")
}

/// Makes a credential for the service `name` with `service-credential
/// add`, in `format` (`plain`, `nginx`), in the new file `out` (mode 0600);
/// panics with what the command said if it fails.
pub fn service_credential(
    binary: &Path,
    database: &[String],
    name: &str,
    format: &str,
    out: PathBuf,
) -> PathBuf {
    let path = out.to_str().expect("a UTF-8 path");
    let output = admin(
        binary,
        database,
        &[
            "service-credential",
            "add",
            "--name",
            name,
            "--format",
            format,
            "--out",
            path,
        ],
    );
    assert!(
        output.status.success(),
        "service-credential add failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}
