//! Where the database is: `--database` read as a SQLite file's path or a
//! `postgres://` URL, with the password from a file or `PGPASSWORD` and TLS
//! from libpq's `sslmode` and `sslrootcert` query parameters.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::tls::{tls_unverified, tls_verified, PgTls};

/// Where the database is: what `--database` says.
#[derive(Clone)]
pub enum Location {
    /// A SQLite file, created with its folder on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by a `postgres://` URL without a password;
    /// the password comes from a file or the environment. TLS as the
    /// URL's `sslmode` says ([`PgTls`]). The async client's settings,
    /// which the synchronous client's are made from (its own have no way
    /// back), so that both pools connect alike.
    Postgres(Box<tokio_postgres::Config>, PgTls),
}

impl Location {
    /// `database` as `--database` gives it: a `postgres://` or
    /// `postgresql://` URL, or else a SQLite file's path. A URL must not
    /// carry a password, which would then be in argv or the environment
    /// of every process list: it comes from `password_file`, else from
    /// `PGPASSWORD`.
    pub fn parse(database: &Path, password_file: Option<&Path>) -> anyhow::Result<Self> {
        let text = database.to_string_lossy();
        let lower = text.to_ascii_lowercase();
        // Anything that looks like a URL is read as one, so that a mistyped
        // scheme is refused rather than made a folder named after the URL,
        // password and all.
        let url_like = lower.contains("://")
            || lower.starts_with("postgres:")
            || lower.starts_with("postgresql:");
        if !url_like {
            // A libpq connection string (`host=… password=…`) is no path:
            // taken for one, it became a folder named after it, password
            // and all, and was logged. Its text is not repeated here.
            anyhow::ensure!(
                !text.contains('='),
                "--database holds \"=\" but is not a postgres:// URL: a libpq \"key=value\" \
                 string is not taken; write postgres://USER@HOST:PORT/NAME and give the \
                 password with --database-password-file or PGPASSWORD"
            );
            return Ok(Self::Sqlite(database.to_owned()));
        }
        anyhow::ensure!(
            // rust-postgres reads the scheme in lower case only.
            text.starts_with("postgres://") || text.starts_with("postgresql://"),
            "--database takes a SQLite file's path or a postgres:// URL"
        );
        let (mut config, tls) = postgres_url(&text)?;
        anyhow::ensure!(
            config.get_password().is_none(),
            "--database must not carry a password: give it with --database-password-file or PGPASSWORD"
        );
        let password = match password_file {
            Some(file) => Some(
                std::fs::read_to_string(file)
                    .with_context(|| format!("reading {}", file.display()))?
                    .trim_end_matches(['\r', '\n'])
                    .to_owned(),
            ),
            None => std::env::var("PGPASSWORD").ok(),
        };
        if let Some(password) = password {
            config.password(password);
        }
        if config.get_application_name().is_none() {
            config.application_name("app-passwords-server");
        }
        Ok(Self::Postgres(Box::new(config), tls))
    }

    /// Where the database is, fit for logs and messages: a SQLite file's
    /// path, or PostgreSQL's user, host, port and database name, never the
    /// password (which [`Location::parse`] keeps out of the URL anyway).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(config, _) => {
                let host = match config.get_hosts().first() {
                    Some(postgres::config::Host::Tcp(name)) => name.clone(),
                    Some(postgres::config::Host::Unix(folder)) => folder.display().to_string(),
                    None => String::new(),
                };
                let port = config
                    .get_ports()
                    .first()
                    .map(|port| format!(":{port}"))
                    .unwrap_or_default();
                format!(
                    "postgres://{}@{host}{port}/{}",
                    config.get_user().unwrap_or_default(),
                    config.get_dbname().unwrap_or_default()
                )
            }
        }
    }

    /// The SQLite file, if the database is one: files kept beside it
    /// (keys) default to its path.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(path) => Some(path),
            Self::Postgres(..) => None,
        }
    }
}

/// Parses `url`, a `postgres://` URL, with its TLS parameters ([`PgTls`]).
fn postgres_url(url: &str) -> anyhow::Result<(tokio_postgres::Config, PgTls)> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root) = (None, None);
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = || {
            percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map(|value| value.into_owned())
                .with_context(|| format!("--database: {key} is not UTF-8"))
        };
        match key {
            "sslmode" => mode = Some(value()?),
            "sslrootcert" => root = Some(PathBuf::from(value()?)),
            _ => rest.push(pair),
        }
    }
    let base = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let mut config: tokio_postgres::Config = base
        .parse()
        .context("--database is not a valid postgres://USER@HOST:PORT/NAME URL")?;
    let (ssl_mode, tls) = match (mode.as_deref(), &root) {
        (None | Some("disable"), None) => (postgres::config::SslMode::Disable, None),
        (Some("prefer"), None) => (postgres::config::SslMode::Prefer, Some(tls_unverified()?)),
        (Some("require"), None) => (postgres::config::SslMode::Require, Some(tls_unverified()?)),
        (Some("verify-full"), Some(root)) => {
            (postgres::config::SslMode::Require, Some(tls_verified(root)?))
        }
        (Some("verify-full"), None) => anyhow::bail!(
            "--database: sslmode=verify-full needs sslrootcert=PATH, a PEM file of the authorities to trust"
        ),
        (Some("verify-ca"), _) => anyhow::bail!(
            "--database: sslmode=verify-ca is not offered: use verify-full, which also checks the server's name"
        ),
        (_, Some(_)) => anyhow::bail!(
            "--database: sslrootcert is used with sslmode=verify-full only"
        ),
        (Some(other), None) => anyhow::bail!(
            "--database: sslmode={other} is not one of disable, prefer, require, verify-full"
        ),
    };
    config.ssl_mode(ssl_mode);
    Ok((
        config,
        PgTls(tls.map(tokio_postgres_rustls::MakeRustlsConnect::new)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_carry_no_password() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("password");
        std::fs::write(&file, "hunter2\n").unwrap();
        let location =
            Location::parse(Path::new("postgres://app@127.0.0.1:5433/ap"), Some(&file)).unwrap();
        assert_eq!(location.describe(), "postgres://app@127.0.0.1:5433/ap");
        let sqlite = Location::parse(Path::new("data/app.db"), None).unwrap();
        assert_eq!(sqlite.describe(), "data/app.db");
    }

    #[test]
    fn tls_parameters_are_taken_out_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let authority = dir.path().join("my ca.crt");
        std::fs::write(&authority, "no certificate here").unwrap();
        let escaped = authority.display().to_string().replace(' ', "%20");
        let url = format!(
            "postgres://app@127.0.0.1/app?connect_timeout=7&sslmode=verify-full&sslrootcert={escaped}"
        );
        // The escaped path is read, and found empty.
        let Err(error) = postgres_url(&url) else {
            panic!("an empty sslrootcert was taken");
        };
        assert!(
            format!("{error:#}").contains("holds no certificate"),
            "{error:#}"
        );

        let (config, tls) =
            postgres_url("postgres://app@127.0.0.1/app?connect_timeout=7&sslmode=require").unwrap();
        assert_eq!(
            config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(7))
        );
        assert_eq!(config.get_ssl_mode(), postgres::config::SslMode::Require);
        assert!(tls.0.is_some());
        let (config, tls) = postgres_url("postgres://app@127.0.0.1/app").unwrap();
        assert_eq!(config.get_ssl_mode(), postgres::config::SslMode::Disable);
        assert!(tls.0.is_none());
    }

    #[test]
    fn passwords_never_come_in_the_url() {
        let url = Path::new("postgres://app:secret@127.0.0.1/app");
        assert!(Location::parse(url, None).is_err());
        // A scheme in capitals or mistyped, or a libpq key=value string,
        // is refused, never taken for a SQLite path (a folder named after
        // the password, in the log), and not repeated.
        for mistyped in [
            "POSTGRESQL://app:secret@127.0.0.1/app",
            "postgres:/app:secret@127.0.0.1/app",
            "pg://app:secret@127.0.0.1/app",
            "host=127.0.0.1 user=app password=secret dbname=app",
            "password=secret",
            "dbname = app password = secret",
        ] {
            let Err(error) = Location::parse(Path::new(mistyped), None) else {
                panic!("{mistyped} was taken");
            };
            let said = format!("{error:#}");
            assert!(!said.contains("secret"), "{said}");
            assert!(said.contains("postgres://"), "says what to write: {said}");
        }
        assert!(matches!(
            Location::parse(Path::new("postgres-data/app.db"), None).unwrap(),
            Location::Sqlite(_)
        ));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("password");
        std::fs::write(&file, "from-a-file\n").unwrap();
        let Location::Postgres(config, _) =
            Location::parse(Path::new("postgres://app@127.0.0.1/app"), Some(&file)).unwrap()
        else {
            panic!("not PostgreSQL");
        };
        assert_eq!(config.get_password(), Some(&b"from-a-file"[..]));
        assert!(matches!(
            Location::parse(Path::new("data/app.db"), None).unwrap(),
            Location::Sqlite(_)
        ));
    }
}
