//! Real programs as a test's child processes, written once for the server's
//! tests (`server/tests/`) and for the tests and benchmark of the whole
//! (`tests/`, `bench/`), so that both start them the same way. Each runs on
//! 127.0.0.1 on a free port, in a throwaway folder, as the leader of a
//! process group of its own that is stopped, with everything it started,
//! when the test ends, pass or fail.
//!
//! - [`process`]: the process group, free ports, waiting for a port, a
//!   client's secret on its standard input;
//! - [`curl`]: curl as an IMAP and SMTP client;
//! - [`dovecot`]: Dovecot with `examples/dovecot/app-passwords.conf`, and
//!   the clients that sign in through it (IMAP, Postfix's SASL);
//! - [`postfix`]: Postfix with `examples/postfix/`, its SMTP AUTH asking
//!   Dovecot;
//! - [`nginx`]: nginx around the `http` block a test writes;
//! - [`oidc`]: an OpenID provider (npm `oidc-provider`, from the tools
//!   folder) for the sign-in through an organization, and the tokens it
//!   would never issue;
//! - [`radicale`]: Radicale with `examples/radicale/config`, from the tools
//!   folder;
//! - [`postgres`]: a throwaway PostgreSQL cluster, with TLS if asked;
//! - [`certificates`]: an authority of a test's own, and server
//!   certificates it signs;
//! - [`server`]: the reference server's binary, started on a port it
//!   picks, and its administrator's commands on its database;
//! - [`ha`]: two instances of the reference server on one PostgreSQL
//!   database, behind nginx, as `examples/ha/` runs them.

pub mod certificates;
pub mod curl;
pub mod dovecot;
pub mod ha;
pub mod nginx;
pub mod oidc;
pub mod postfix;
pub mod postgres;
pub mod process;
pub mod radicale;
pub mod server;

use std::path::{Path, PathBuf};

pub use dovecot::{Dovecot, Login, Verifier};
pub use ha::Pair;
pub use nginx::Nginx;
pub use oidc::OidcProvider;
pub use postfix::Postfix;
pub use postgres::Postgres;
pub use process::{free_port, ProcessGroup};
pub use radicale::Radicale;

/// A shipped example configuration with the changes a test needs (its
/// ports, folders, the server's URL), each `(as shipped, as here)`. Panics
/// when the example no longer says what a change replaces, so that the
/// test never runs something other than the example.
pub fn adapted<S: AsRef<str>>(example: &str, changes: &[(&str, S)]) -> String {
    changes
        .iter()
        .fold(example.to_owned(), |text, (shipped, here)| {
            assert!(
                text.contains(shipped),
                "the example no longer has {shipped:?}"
            );
            text.replace(shipped, here.as_ref())
        })
}

/// Lets the services' own users (dovecot, www-data) into a folder that
/// `tempfile` made for its owner alone.
pub fn open_to_services(folder: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|error| panic!("open {} to services: {error}", folder.display()));
}

/// The folder `scripts/setup.sh` installs tools into (npm packages, Python
/// virtual environments): `$APP_PASSWORDS_TOOLS`, as `scripts/env.sh` sets
/// it, or its default.
pub fn tools_folder() -> PathBuf {
    std::env::var_os("APP_PASSWORDS_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/app-passwords-tools")
        })
}

/// The uid and gid of the system user `name`, which `package` makes;
/// panics when it is missing or is root (services drop root for it).
pub fn system_user(name: &str, package: &str) -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("/etc/passwd");
    let fields: Vec<&str> = passwd
        .lines()
        .find(|line| line.split(':').next() == Some(name))
        .unwrap_or_else(|| panic!("no user {name} ({package})"))
        .split(':')
        .collect();
    let id = |field: usize| -> u32 { fields[field].parse().expect("a numeric id") };
    let (uid, gid) = (id(2), id(3));
    assert_ne!(uid, 0, "the {name} user is not root");
    (uid, gid)
}

#[cfg(test)]
mod tests {
    use super::adapted;

    #[test]
    fn adapted_makes_every_change() {
        let shipped = "listen 80;\nroot /srv/www;\n";
        let here = adapted(
            shipped,
            &[
                ("listen 80;", "listen 127.0.0.1:8081;"),
                ("/srv/www", "/tmp/www"),
            ],
        );
        assert_eq!(here, "listen 127.0.0.1:8081;\nroot /tmp/www;\n");
    }

    #[test]
    #[should_panic(expected = "no longer has \"listen 443;\"")]
    fn adapted_refuses_a_change_the_example_no_longer_allows() {
        adapted("listen 80;\n", &[("listen 443;", "listen 8443;")]);
    }
}
