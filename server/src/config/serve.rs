//! The server's own flags, and the values they take.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::IpNetwork;
use crate::client_address::ClientAddressHeader;
use crate::db::Location;

/// Flags of the server itself.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "APP_PASSWORDS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// SQLite database file, created with its folder on first start; or a
    /// PostgreSQL database, by a `postgres://user@host:port/name` URL
    /// without a password, for several instances that behave as one.
    #[arg(
        long,
        env = "APP_PASSWORDS_DATABASE",
        default_value = "data/app-passwords.db"
    )]
    pub database: PathBuf,
    /// File holding the PostgreSQL password; without it, `PGPASSWORD`.
    /// Never part of `--database`, which process lists show.
    #[arg(long, env = "APP_PASSWORDS_DATABASE_PASSWORD_FILE")]
    pub database_password_file: Option<PathBuf>,
    /// File holding the key that seals TOTP secrets in the database; created
    /// on first start. Defaults to the SQLite database's path plus `.key`;
    /// with PostgreSQL it must be given, and every instance needs a copy
    /// of the same file.
    #[arg(long, env = "APP_PASSWORDS_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// File holding the key app passwords are digested under; created on
    /// first start. Defaults to the key file's path plus `.digest`.
    #[arg(long, env = "APP_PASSWORDS_DIGEST_KEY_FILE")]
    pub digest_key_file: Option<PathBuf>,
    /// The digest key a rotation replaced: app passwords still under it keep
    /// working and move to the new key the first time they verify.
    #[arg(long, env = "APP_PASSWORDS_PREVIOUS_DIGEST_KEY_FILE")]
    pub previous_digest_key_file: Option<PathBuf>,
    /// The built app (`trunk build --release` output) to serve at `/`.
    #[arg(long, env = "APP_PASSWORDS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Create or update a user at start: LOGIN:PASSWORD[:TOTP_BASE32_SECRET].
    /// Repeatable; in the environment, separate users with newlines.
    #[arg(
        long = "seed-user",
        env = "APP_PASSWORDS_SEED_USER",
        value_delimiter = '\n',
        hide_env_values = true
    )]
    pub seed_users: Vec<SeedUserText>,
    /// The most app passwords one user may hold; 0 for no limit (then the
    /// list's `max_count` is null).
    #[arg(long, env = "APP_PASSWORDS_MAX_APP_PASSWORDS", default_value_t = 40,
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub max_app_passwords: u32,
    /// Days a new app password lasts when its user does not choose; `0`:
    /// it never expires unless chosen. With `--max-expiry-days` and no
    /// default, the default is the maximum.
    #[arg(long, env = "APP_PASSWORDS_DEFAULT_EXPIRY_DAYS", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub default_expiry_days: u32,
    /// The most days an app password may last; `0`: no limit, and "never"
    /// is allowed.
    #[arg(long, env = "APP_PASSWORDS_MAX_EXPIRY_DAYS", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub max_expiry_days: u32,
    /// Mark the session cookie `Secure`: set this when clients reach the
    /// server over HTTPS (directly or through a TLS-terminating proxy).
    #[arg(long, env = "APP_PASSWORDS_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A session ends after this many minutes without a request.
    #[arg(long, env = "APP_PASSWORDS_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_minutes: u64,
    /// A session ends this many hours after sign-in, however active.
    #[arg(long, env = "APP_PASSWORDS_SESSION_LIFETIME_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub session_lifetime_hours: u64,
    /// A web origin (`https://portal.example.com`) whose pages may call the
    /// API and load the app's files from this server, with credentials.
    /// Repeatable; in the environment, separate origins with commas.
    #[arg(
        long = "cors-origin",
        env = "APP_PASSWORDS_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<CorsOrigin>,
    /// Failed sign-in, code and /verify attempts allowed per login from one
    /// client address within the failure window; then that address gets 429
    /// with Retry-After for that login. Other addresses are not refused for
    /// them: past this many failures from all addresses together, attempts
    /// on the login are only slowed.
    #[arg(long, env = "APP_PASSWORDS_MAX_FAILURES_PER_LOGIN", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_failures_per_login: u32,
    /// Failed attempts allowed per client address within the failure window,
    /// whatever the logins.
    #[arg(long, env = "APP_PASSWORDS_MAX_FAILURES_PER_ADDRESS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_failures_per_address: u32,
    /// Length of the failure window, in seconds.
    #[arg(long, env = "APP_PASSWORDS_FAILURE_WINDOW_SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub failure_window_seconds: u64,
    /// How many leading bits of an IPv6 client address name one client for
    /// the failure limits: a host commonly holds a whole /64, so each of
    /// its addresses must not get a budget of its own.
    #[arg(long, env = "APP_PASSWORDS_IPV6_PREFIX_LENGTH", default_value_t = 64,
          value_parser = clap::value_parser!(u8).range(16..=128))]
    pub ipv6_prefix_length: u8,
    /// Wrong second-factor codes allowed per login within 24 hours, from
    /// all addresses and sign-ins together; then the code step answers 429
    /// until the oldest is a day old, or an administrator runs `unlock`.
    #[arg(long, env = "APP_PASSWORDS_MAX_WRONG_CODES_PER_DAY", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_wrong_codes_per_day: u32,
    /// A proxy (`127.0.0.1/32`, `10.0.0.0/8`, `::1/128`) whose
    /// `--client-address-header` names the client: requests from it are
    /// counted and recorded by that address instead of the proxy's, and
    /// its connections are not held to `--max-connections-per-address`.
    /// Repeatable; in the environment, separate them with commas.
    #[arg(
        long = "trusted-proxy",
        env = "APP_PASSWORDS_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpNetwork>,
    /// The one header a `--trusted-proxy` names the client in; whatever
    /// other forwarding headers a request carries are the client's own
    /// words and are ignored.
    #[arg(
        long,
        env = "APP_PASSWORDS_CLIENT_ADDRESS_HEADER",
        value_enum,
        default_value = "x-forwarded-for"
    )]
    pub client_address_header: ClientAddressHeader,
    /// Minutes the code step may take after the password step; then sign
    /// in again.
    #[arg(long, env = "APP_PASSWORDS_SIGN_IN_CODE_MINUTES", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub sign_in_code_minutes: u64,
    /// Minutes a create's response is kept for a retry with the same
    /// Idempotency-Key.
    #[arg(long, env = "APP_PASSWORDS_IDEMPOTENCY_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub idempotency_minutes: u64,
    /// Seconds between two sweeps of what has expired (kept create
    /// responses, sessions).
    #[arg(long, env = "APP_PASSWORDS_PURGE_INTERVAL_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub purge_interval_seconds: u64,
    /// Seconds a client may take to send a request's headers, counted from
    /// when its connection opened or its previous response ended: so an
    /// idle kept-alive connection is closed after this long too.
    #[arg(long, env = "APP_PASSWORDS_HEADER_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_seconds: u64,
    /// Seconds a client may take to send a request's body, once its headers
    /// are in; then 408 and the connection is closed.
    #[arg(long, env = "APP_PASSWORDS_BODY_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub body_timeout_seconds: u64,
    /// Most connections open at once; more wait in the listen queue until
    /// one closes.
    #[arg(long, env = "APP_PASSWORDS_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,
    /// Most connections open at once from one client address (an IPv6
    /// client by its /64), so that one client cannot take every place;
    /// past it, a new connection from there is closed at once. Trusted
    /// proxies are not held to it. Default: a quarter of
    /// `--max-connections`, at least 1.
    #[arg(long, env = "APP_PASSWORDS_MAX_CONNECTIONS_PER_ADDRESS",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections_per_address: Option<u32>,
    /// Seconds a response may wait for the client to take any of it; then
    /// the connection is closed, so a client that never reads cannot hold
    /// a place.
    #[arg(long, env = "APP_PASSWORDS_WRITE_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub write_timeout_seconds: u64,
    /// How people sign in.
    #[command(flatten)]
    pub sign_in: super::SignInArgs,
}

impl ServeArgs {
    /// Where the database is.
    pub fn location(&self) -> anyhow::Result<Location> {
        Location::parse(&self.database, self.database_password_file.as_deref())
    }

    /// The key file actually used: the flag, or the SQLite database's path
    /// plus `.key`. A PostgreSQL database has no path to put it beside.
    pub fn key_file(&self) -> anyhow::Result<PathBuf> {
        if let Some(file) = &self.key_file {
            return Ok(file.clone());
        }
        let location = self.location()?;
        let database = location.sqlite_path().ok_or_else(|| {
            anyhow::anyhow!(
                "with a PostgreSQL database, give --key-file: the same file on every instance"
            )
        })?;
        let mut path = database.as_os_str().to_owned();
        path.push(".key");
        Ok(path.into())
    }

    /// The digest key file actually used: the flag, or the key file's path
    /// plus `.digest`, so that the two keys stay together wherever the
    /// operator keeps them.
    pub fn digest_key_file(&self) -> anyhow::Result<PathBuf> {
        if let Some(file) = &self.digest_key_file {
            return Ok(file.clone());
        }
        let mut path = self.key_file()?.into_os_string();
        path.push(".digest");
        Ok(path.into())
    }
}

/// An origin allowed to call this server from its pages: a scheme, a host
/// and an optional port, nothing more (no path, no `*`: responses carry
/// credentials, which a wildcard may not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsOrigin(pub String);

impl std::str::FromStr for CorsOrigin {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let origin = text.trim().to_ascii_lowercase();
        let Some((scheme, rest)) = origin.split_once("://") else {
            return Err(format!(
                "{origin:?} is not an origin: write it as https://host or http://host:port"
            ));
        };
        // `[v6]:port` keeps its colons inside the brackets.
        let (host, port) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((v6, after)) => (
                v6,
                (!after.is_empty()).then(|| after.strip_prefix(':').unwrap_or("")),
            ),
            None => match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            },
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
        if !matches!(scheme, "http" | "https") || !host_ok || !port_ok {
            return Err(format!(
                "{origin:?} is not an origin: write it as https://host or http://host:port, without a path or a trailing slash"
            ));
        }
        Ok(Self(origin))
    }
}

/// A `--seed-user` as given, parsed only by [`ServeArgs::seed_users`], so
/// that a mistake in it is reported without the text, which holds a
/// password (clap's own messages quote the value).
#[derive(Clone, PartialEq, Eq)]
pub struct SeedUserText(String);

/// Never prints the text: it holds a password.
impl std::fmt::Debug for SeedUserText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeedUserText(..)")
    }
}

impl std::str::FromStr for SeedUserText {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_owned()))
    }
}

impl ServeArgs {
    /// The users to seed, parsed; a mistake names the seed user by its
    /// place and, when it has one, its login, never by its text.
    pub fn seed_users(&self) -> anyhow::Result<Vec<SeedUser>> {
        // An empty line (an empty variable) names nobody.
        self.seed_users
            .iter()
            .filter(|text| !text.0.trim().is_empty())
            .enumerate()
            .map(|(index, text)| {
                text.0.parse::<SeedUser>().map_err(|problem| {
                    anyhow::anyhow!(
                        "--seed-user number {} is not LOGIN:PASSWORD[:TOTP_BASE32_SECRET]: {problem}",
                        index + 1
                    )
                })
            })
            .collect()
    }
}

/// A user to create or update at start.
#[derive(Clone, PartialEq, Eq)]
pub struct SeedUser {
    /// The sign-in name.
    pub login: String,
    /// The password, in the clear only until it is hashed at start.
    pub password: String,
    /// The decoded TOTP secret; `None` for a user without a second factor.
    pub totp_secret: Option<Vec<u8>>,
}

/// Never prints the password or secret.
impl std::fmt::Debug for SeedUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedUser")
            .field("login", &self.login)
            .field("totp", &self.totp_secret.is_some())
            .finish_non_exhaustive()
    }
}

impl std::str::FromStr for SeedUser {
    type Err = String;

    /// `LOGIN:PASSWORD[:SECRET]`. The password may itself contain `:`; a last
    /// part that is a valid base32 secret is taken as the TOTP secret. A
    /// refusal never quotes the text.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (login, rest) = text
            .split_once(':')
            .ok_or("it has no colon between the login and the password")?;
        let (password, totp_secret) = match rest.rsplit_once(':') {
            Some((password, secret)) => match crate::totp::decode_secret(secret) {
                Some(secret) => (password, Some(secret)),
                None => (rest, None),
            },
            None => (rest, None),
        };
        if login.trim().is_empty() || login.len() > 254 {
            return Err("the login must be 1 to 254 characters".into());
        }
        if password.len() < 8 {
            return Err("the password must be at least 8 characters".into());
        }
        Ok(Self {
            login: login.trim().to_owned(),
            password: password.to_owned(),
            totp_secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::Cli;

    #[test]
    fn parses_seed_users_with_and_without_a_secret() {
        let plain: SeedUser = "ada:lovelace-1815".parse().unwrap();
        assert_eq!(plain.login, "ada");
        assert_eq!(plain.password, "lovelace-1815");
        assert!(plain.totp_secret.is_none());

        let with_mfa: SeedUser = "ada:pass:word:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            .parse()
            .unwrap();
        assert_eq!(with_mfa.password, "pass:word");
        assert_eq!(
            with_mfa.totp_secret.as_deref(),
            Some(&b"12345678901234567890"[..])
        );

        assert!("nocolon".parse::<SeedUser>().is_err());
        assert!("ada:short".parse::<SeedUser>().is_err());
        assert!(!format!("{with_mfa:?}").contains("pass:word"));
    }

    #[test]
    fn cors_origins_are_bare_origins() {
        for good in [
            "https://portal.example.com",
            "http://127.0.0.1:8081",
            "http://[::1]:3000",
            "http://[::1]",
            "HTTPS://Portal.Example.com",
        ] {
            assert!(good.parse::<CorsOrigin>().is_ok(), "{good}");
        }
        assert_eq!(
            "HTTPS://Portal.Example.com"
                .parse::<CorsOrigin>()
                .unwrap()
                .0,
            "https://portal.example.com"
        );
        for bad in [
            "*",
            "portal.example.com",
            "https://portal.example.com/",
            "https://portal.example.com/app",
            "ftp://portal.example.com",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "https://",
            "http://[::1]x",
        ] {
            assert!(bad.parse::<CorsOrigin>().is_err(), "{bad}");
        }
        let cli = Cli::try_parse_from([
            "server",
            "--cors-origin",
            "http://127.0.0.1:1",
            "--cors-origin",
            "https://portal.example.com",
        ])
        .unwrap();
        assert_eq!(cli.serve.cors_origins.len(), 2);
    }
}
