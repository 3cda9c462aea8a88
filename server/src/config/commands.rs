//! The subcommands: helpers run instead of the server.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::db::Location;
use crate::service_credentials::CredentialFormat;

/// Helpers run instead of the server: for administrators, for services
/// that ask the verifier, and for people signing in to a demo account
/// without a phone at hand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the current 6-digit code for the TOTP secret in
    /// $APP_PASSWORDS_TOTP_SECRET (read from the environment so it stays out
    /// of the process list).
    TotpCode,
    /// Print the otpauth:// URI and a QR code of the TOTP secret in
    /// $APP_PASSWORDS_TOTP_SECRET, for an authenticator app to scan.
    TotpQr {
        /// The login the authenticator app should show.
        #[arg(long)]
        login: String,
    },
    /// Issue a bearer token for a user (for embedding the app in a portal
    /// that signed the user in) and print it. Only its digest is stored.
    IssueToken {
        /// The user's login.
        #[arg(long)]
        login: String,
        /// Days the token works; then it is refused and the portal must
        /// issue a new one.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=366))]
        days: u32,
        /// The database the command changes.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Revoke every bearer token of a user (when a portal's session for them
    /// ends, or a token may have leaked) and print how many there were.
    RevokeTokens {
        /// The user's login.
        #[arg(long)]
        login: String,
        /// The database the command changes.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Turn the creation of app passwords on or off for a user, as an
    /// administrator would. Existing app passwords keep working.
    AppPasswords {
        /// The user's login.
        #[arg(long)]
        login: String,
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        switch: String,
        /// The database the command changes.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Lift the daily cap on wrong second-factor codes for a user (after
    /// someone else's guesses reached it), and print how many were
    /// forgotten. Failures counted per address are left alone.
    Unlock {
        /// The user's login.
        #[arg(long)]
        login: String,
        /// The database the command changes.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Make, list or revoke the credentials of services (Dovecot, nginx)
    /// that ask the verifier on behalf of their clients.
    #[command(subcommand)]
    ServiceCredential(ServiceCredentialCommand),
    /// Make or manage the server's key files.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Dovecot's checkpassword passdb (run by Dovecot, not by people): the
    /// login and password come on file descriptor 3, never as arguments.
    /// Exits 1 when the verifier refuses them and 111 when it cannot say.
    Checkpassword(CheckpasswordArgs),
}

/// Credentials of the services that ask `/verify` on behalf of their
/// clients (Dovecot, nginx).
#[derive(Debug, Subcommand)]
pub enum ServiceCredentialCommand {
    /// Make a credential for a service and write it to a new file (mode
    /// 0600); nothing secret is printed. Only its digest is stored.
    Add {
        /// The service's name: a lowercase letter, then up to 31 lowercase
        /// letters, digits or dashes (`dovecot`, `nginx`).
        #[arg(long)]
        name: String,
        /// The file to write; it must not exist yet. Make it readable by
        /// the service alone (`chown dovecot:`); nginx reads it as root.
        #[arg(long)]
        out: PathBuf,
        /// `plain`: the credential alone, for `checkpassword`; `nginx`: a
        /// `proxy_set_header` line to `include`.
        #[arg(long, value_enum, default_value = "plain")]
        format: CredentialFormat,
        /// The database the command changes.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// List the services that have a credential, and when it was made.
    List {
        /// The database the command reads.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Revoke a service's credential: its next request to `/verify` is
    /// refused.
    Revoke {
        /// The service's name.
        #[arg(long)]
        name: String,
        /// The database the command changes.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// The server's key files.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write a new random 32-byte key to a new file (mode 0600), for
    /// `--digest-key-file` (a rotation) or `--key-file`; an existing file
    /// is never overwritten. Copy it to every instance before restarting
    /// any: an instance never makes a digest key for a database that holds
    /// digests.
    Generate {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Dovecot's `checkpassword` passdb: asks the verifier about the login and
/// password Dovecot hands over on file descriptor 3.
#[derive(Debug, Clone, Args)]
pub struct CheckpasswordArgs {
    /// The verifier: `http://HOST:PORT/api/v1/verify`. Plain HTTP only, so
    /// keep it on this host or a private network.
    #[arg(long)]
    pub verifier_url: String,
    /// The file `service-credential add` wrote for Dovecot (readable by
    /// Dovecot's auth process).
    #[arg(long)]
    pub credential_file: PathBuf,
    /// Seconds to wait for the verifier before the login fails as a
    /// temporary failure.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout_seconds: u64,
    /// What Dovecot passes after the arguments above: its `checkpassword-reply`
    /// program, run once the password is accepted.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    pub reply: Vec<OsString>,
}

/// The database an administrator's command works on.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArg {
    /// The database to write to: a SQLite file, or a `postgres://` URL
    /// without a password.
    #[arg(
        long = "database",
        env = "APP_PASSWORDS_DATABASE",
        default_value = "data/app-passwords.db"
    )]
    pub path: PathBuf,
    /// File holding the PostgreSQL password (else `PGPASSWORD`).
    #[arg(long, env = "APP_PASSWORDS_DATABASE_PASSWORD_FILE")]
    pub database_password_file: Option<PathBuf>,
}

impl DatabaseArg {
    /// Where the database is.
    pub fn location(&self) -> anyhow::Result<Location> {
        Location::parse(&self.path, self.database_password_file.as_deref())
    }

    /// The database, which the server must have made already.
    pub async fn open(&self) -> anyhow::Result<crate::db::Db> {
        crate::db::Db::open_existing(&self.location()?).await
    }
}
