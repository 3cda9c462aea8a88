//! The database: one SQLite file (the default, for one instance) or
//! PostgreSQL (for several instances that behave as one), opened and
//! migrated at start, with queries run off the async executor.
//!
//! Every query is written once, in the SQL both engines understand, with
//! SQLite's `?1` placeholders; [`Conn`] runs it on either, turning the
//! placeholders into PostgreSQL's `$1` there. The drivers are rusqlite and
//! the synchronous client of rust-postgres, both well kept: one closure on
//! Tokio's blocking pool then serves both engines, and the SQLite path, on
//! which the verifier's throughput was measured, stays what it was.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::Connection;

use crate::error::Error;

/// Schema migrations, applied in order, the same list on both engines;
/// SQLite's `PRAGMA user_version` or PostgreSQL's `schema_version` table
/// records how many have run. Append only: never change what one does to
/// a database it has run on. Lines between `-- sqlite only {` and
/// `-- } sqlite only` are left out on PostgreSQL, and lines that begin
/// `-- postgres: ` are run there alone (SQLite reads them as comments);
/// see [`for_postgres`].
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_contract.sql"),
    include_str!("../migrations/0003_verifier.sql"),
    include_str!("../migrations/0004_hardening.sql"),
    include_str!("../migrations/0005_shared_state.sql"),
    include_str!("../migrations/0006_turns_and_codes.sql"),
];

/// Most connections one instance holds to PostgreSQL.
const POSTGRES_CONNECTIONS: usize = 16;

/// Where the database is: what `--database` says.
#[derive(Clone)]
pub enum Location {
    /// A SQLite file, created with its folder on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by a `postgres://` URL without a password;
    /// the password comes from a file or the environment. TLS as the
    /// URL's `sslmode` says ([`PgTls`]).
    Postgres(Box<postgres::Config>, PgTls),
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
            lower.starts_with("postgres://") || lower.starts_with("postgresql://"),
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

/// Which engine a [`Conn`] talks to, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A shared handle to the database.
#[derive(Clone)]
pub struct Db {
    handle: Arc<Handle>,
}

enum Handle {
    /// SQLite serialises writers anyway, so one connection behind a mutex
    /// is both simple and correct.
    Sqlite {
        conn: Mutex<Connection>,
        path: PathBuf,
    },
    Postgres(PgPool),
}

impl Db {
    /// Opens the database at `location` and brings its schema up to date.
    pub async fn open(location: &Location) -> anyhow::Result<Self> {
        let location = location.clone();
        tokio::task::spawn_blocking(move || Self::open_blocking(&location)).await?
    }

    /// [`Db::open`] for a caller outside the async runtime.
    pub fn open_blocking(location: &Location) -> anyhow::Result<Self> {
        let handle = match location {
            Location::Sqlite(path) => {
                let mut conn = open_sqlite(path)?;
                migrate(&mut Conn::Sqlite(&mut conn))?;
                Handle::Sqlite {
                    conn: Mutex::new(conn),
                    path: path.clone(),
                }
            }
            Location::Postgres(config, tls) => {
                let pool = PgPool::new((**config).clone(), tls.clone());
                pool.run(migrate)?;
                Handle::Postgres(pool)
            }
        };
        Ok(Self {
            handle: Arc::new(handle),
        })
    }

    /// [`Db::open`] for an administrator's command, which finds a
    /// database and never makes one: run from another folder, or without
    /// `--database`, it would make an empty one, report success, and leave
    /// the running server without what it did. A SQLite file must exist; a
    /// PostgreSQL database must hold the schema a server made.
    pub async fn open_existing(location: &Location) -> anyhow::Result<Self> {
        let location = location.clone();
        tokio::task::spawn_blocking(move || {
            let made = match &location {
                Location::Sqlite(path) => path.is_file(),
                Location::Postgres(config, tls) => PgPool::new((**config).clone(), tls.clone())
                    .run(|conn| {
                        conn.query_one(
                            "SELECT to_regclass('schema_version') IS NOT NULL",
                            &[],
                            |row| row.get::<bool>(0),
                        )
                    })?,
            };
            anyhow::ensure!(
                made,
                "no database at {}; give --database (only the server itself makes one)",
                location.describe()
            );
            Self::open_blocking(&location)
        })
        .await?
    }

    /// Which engine this is.
    pub fn engine(&self) -> Engine {
        match *self.handle {
            Handle::Sqlite { .. } => Engine::Sqlite,
            Handle::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs `f` with a connection on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn<'_>) -> Result<T, Error> + Send + 'static,
    {
        let handle = self.handle.clone();
        // Waiting for a PostgreSQL connection happens here, on the
        // executor, so that waiting holds no blocking thread.
        let place = match &*handle {
            Handle::Postgres(pool) => Some(pool.places.clone().acquire_owned().await),
            Handle::Sqlite { .. } => None,
        };
        tokio::task::spawn_blocking(move || {
            let _place = place;
            match &*handle {
                Handle::Sqlite { conn, .. } => {
                    // A panic while holding the lock poisons it; the
                    // connection itself is still sound (SQLite rolled
                    // back), so carry on.
                    let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    f(&mut Conn::Sqlite(&mut guard))
                }
                Handle::Postgres(pool) => pool.run(f),
            }
        })
        .await?
    }

    /// Whether the database answers a trivial query and, for SQLite, its
    /// file is still where it was opened: an open connection reads and
    /// writes on when its file has been deleted or moved, and everything
    /// written since is lost at the next start.
    pub async fn healthy(&self) -> Result<bool, Error> {
        let file = match &*self.handle {
            Handle::Sqlite { path, .. } => Some(path.clone()),
            Handle::Postgres(_) => None,
        };
        self.call(move |conn| {
            conn.query_one("SELECT 1", &[], |_| Ok(()))?;
            Ok(file.is_none_or(|path| path.is_file()))
        })
        .await
    }
}

/// Opens the SQLite file at `path` in WAL mode. The database, its WAL and
/// its shared memory file are for the server's user alone (0600), and so is
/// a folder this makes for them (0700).
fn open_sqlite(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder
            .create(dir)
            .with_context(|| format!("creating the folder {}", dir.display()))?;
    }
    // SQLite makes the WAL and shared memory files with the database
    // file's mode, so that one decides for all three.
    keep_private(path, true)?;
    let conn = Connection::open(path)
        .with_context(|| format!("opening the database {}", path.display()))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Files a server made before they were kept private.
    for suffix in ["-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        keep_private(Path::new(&companion), false)?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// Makes the file at `path` readable and writable by its owner alone,
/// creating it empty when `create` says so and it is missing.
fn keep_private(path: &Path, create: bool) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if create {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("creating the database {}", path.display()))?;
        }
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            other => other.with_context(|| format!("making {} private", path.display()))?,
        }
    }
    #[cfg(not(unix))]
    let _ = (path, create);
    Ok(())
}

/// A connection to PostgreSQL with the statements it has prepared, by
/// their text: each query is parsed once per connection, and then costs
/// one round trip instead of two.
pub struct PgConn {
    client: postgres::Client,
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl PgConn {
    /// The prepared statement of `sql` (SQLite's placeholders).
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&postgres_placeholders(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// How connections to PostgreSQL are protected: libpq's `sslmode` and
/// `sslrootcert`, as query parameters of the `postgres://` URL.
/// rust-postgres reads `sslmode` up to `require` and has no TLS of its
/// own; rustls, through its connector for rust-postgres, does the rest.
///
/// - none, or `disable`: no TLS, as before TLS was offered;
/// - `prefer`: TLS when the server offers it, else plain; and `require`:
///   TLS or no connection. Both without checking the certificate, as
///   libpq does: they keep out someone who only listens;
/// - `verify-full`: TLS, with a certificate from an authority in
///   `sslrootcert` (a PEM file) for the host the URL names: they also
///   keep out someone in the middle.
#[derive(Clone)]
pub struct PgTls(Option<tokio_postgres_rustls::MakeRustlsConnect>);

/// Parses `url`, a `postgres://` URL, with its TLS parameters.
fn postgres_url(url: &str) -> anyhow::Result<(postgres::Config, PgTls)> {
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
    let mut config: postgres::Config = base
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

/// ring's cryptography for rustls: no C toolchain beyond a compiler.
// rustls 0.23.48 deprecates ring's provider for its lack of post-quantum
// key exchange, which aws-lc-rs has at the price of a large C build
// (cmake on some systems). Between the server and its own database, ring's
// X25519 and P-256 are what libpq's OpenSSL offers too.
#[allow(deprecated)]
fn crypto() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS that trusts the authorities in the PEM file `root` alone, and
/// checks the server's name.
fn tls_verified(root: &Path) -> anyhow::Result<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(root)
        .with_context(|| format!("--database: reading sslrootcert {}", root.display()))?
    {
        roots
            .add(
                certificate
                    .with_context(|| format!("--database: sslrootcert {}", root.display()))?,
            )
            .with_context(|| format!("--database: sslrootcert {}", root.display()))?;
    }
    anyhow::ensure!(
        !roots.is_empty(),
        "--database: sslrootcert {} holds no certificate",
        root.display()
    );
    Ok(rustls::ClientConfig::builder_with_provider(crypto())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// TLS that takes any certificate (`prefer`, `require`), while still
/// checking that the server holds its key.
fn tls_unverified() -> anyhow::Result<rustls::ClientConfig> {
    let provider = crypto();
    Ok(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth(),
    )
}

/// A certificate check that takes any certificate, and checks the
/// handshake's signatures as usual.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl PgTls {
    /// A new connection with `config`; an error names its causes
    /// (`From<postgres::Error>`): "error performing TLS handshake" alone
    /// does not tell a wrong authority from a server without TLS.
    fn connect(&self, config: &postgres::Config) -> Result<postgres::Client, Error> {
        Ok(match &self.0 {
            None => config.connect(postgres::NoTls)?,
            Some(tls) => config.connect(tls.clone())?,
        })
    }
}

/// Connections to PostgreSQL, made when needed and kept for reuse.
struct PgPool {
    config: postgres::Config,
    tls: PgTls,
    idle: Mutex<Vec<PgConn>>,
    /// One place per connection that may be open at once.
    places: Arc<tokio::sync::Semaphore>,
}

impl PgPool {
    fn new(config: postgres::Config, tls: PgTls) -> Self {
        Self {
            config,
            tls,
            idle: Mutex::default(),
            places: Arc::new(tokio::sync::Semaphore::new(POSTGRES_CONNECTIONS)),
        }
    }

    /// Runs `f` on an idle connection, or a new one; keeps the connection
    /// afterwards unless it broke. Blocks: call it off the executor.
    fn run<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let idle = self.lock().pop().filter(|conn| !conn.client.is_closed());
        let mut conn = match idle {
            Some(conn) => conn,
            None => PgConn {
                client: self.tls.connect(&self.config).map_err(E::from)?,
                statements: std::collections::HashMap::new(),
            },
        };
        let result = f(&mut Conn::Postgres(&mut conn));
        if conn.client.is_closed() {
            // What closed this one (PostgreSQL restarted, or ended this
            // instance's sessions) most likely closed the idle ones too,
            // which would each fail a request before it is noticed.
            self.lock().clear();
        } else {
            self.lock().push(conn);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PgConn>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for PgPool {
    /// Each client owns a small runtime, which may not be dropped on the
    /// async executor (where the last handle to a [`Db`] often goes): they
    /// are closed on a thread of their own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut *self.lock());
        if !idle.is_empty() {
            std::thread::spawn(move || drop(idle));
        }
    }
}

/// A value a query binds: one both drivers can send.
pub trait Param: Sync {
    /// The value for rusqlite.
    fn sqlite(&self) -> &dyn rusqlite::ToSql;
    /// The value for rust-postgres.
    fn postgres(&self) -> &(dyn postgres::types::ToSql + Sync);
}

impl<T: rusqlite::ToSql + postgres::types::ToSql + Sync> Param for T {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn postgres(&self) -> &(dyn postgres::types::ToSql + Sync) {
        self
    }
}

/// The parameters of a query, for [`Conn`]'s methods: `params![a, b]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[&dyn $crate::db::Param] };
    ($($value:expr),+ $(,)?) => { &[$(&$value as &dyn $crate::db::Param),+] as &[&dyn $crate::db::Param] };
}

/// A value a query reads: one both drivers can decode.
pub trait Column: Sized {
    /// Reads column `index` of a SQLite row.
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self>;
    /// Reads column `index` of a PostgreSQL row.
    fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error>;
}

macro_rules! column_of_both_drivers {
    ($($ty:ty),*) => {$(
        impl Column for $ty {
            fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
                row.get(index)
            }
            fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error> {
                row.try_get(index)
            }
        }
    )*};
}
column_of_both_drivers!(
    i64,
    Option<i64>,
    String,
    Option<String>,
    Vec<u8>,
    Option<Vec<u8>>
);

/// A truth: PostgreSQL's `boolean` (what `x IS NULL` gives) or, as SQLite
/// keeps them and both schemas store flags, an integer that is not 0.
impl Column for bool {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error> {
        row.try_get::<_, bool>(index)
            .or_else(|_| row.try_get::<_, i64>(index).map(|value| value != 0))
    }
}

/// One row of a query's result.
pub enum Row<'a> {
    /// From SQLite.
    Sqlite(&'a rusqlite::Row<'a>),
    /// From PostgreSQL.
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `index`, decoded.
    pub fn get<T: Column>(&self, index: usize) -> Result<T, Error> {
        Ok(match self {
            Self::Sqlite(row) => T::from_sqlite(row, index)?,
            Self::Postgres(row) => T::from_postgres(row, index)?,
        })
    }
}

/// A connection to either engine, lent to a [`Db::call`].
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut Connection),
    /// PostgreSQL.
    Postgres(&'a mut PgConn),
}

impl Conn<'_> {
    /// Which engine this is.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64, Error> {
        Ok(match self {
            Self::Sqlite(conn) => {
                let values: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.sqlite()).collect();
                conn.prepare_cached(sql)?.execute(&*values)? as u64
            }
            Self::Postgres(conn) => {
                let values: Vec<_> = params.iter().map(|p| p.postgres()).collect();
                let statement = conn.statement(sql)?;
                conn.client.execute(&statement, &values)?
            }
        })
    }

    /// Every row of a query, each read by `read`.
    pub fn query_all<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        mut read: impl FnMut(&Row<'_>) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        match self {
            Self::Sqlite(conn) => {
                let values: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.sqlite()).collect();
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(&*values)?;
                while let Some(row) = rows.next()? {
                    items.push(read(&Row::Sqlite(row))?);
                }
            }
            Self::Postgres(conn) => {
                let values: Vec<_> = params.iter().map(|p| p.postgres()).collect();
                let statement = conn.statement(sql)?;
                for row in conn.client.query(&statement, &values)? {
                    items.push(read(&Row::Postgres(&row))?);
                }
            }
        }
        Ok(items)
    }

    /// The first row of a query, read by `read`, if there is one.
    pub fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        read: impl FnOnce(&Row<'_>) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        let mut read = Some(read);
        let found = self.query_all(sql, params, |row| {
            read.take().map(|read| read(row)).transpose()
        })?;
        Ok(found.into_iter().next().flatten())
    }

    /// The first row of a query, which must have one.
    pub fn query_one<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        read: impl FnOnce(&Row<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.query_opt(sql, params, read)?.ok_or(Error::NoRow)
    }

    /// Runs `f` in a transaction: committed when it returns `Ok`, rolled
    /// back when it returns `Err`. On SQLite the transaction takes the
    /// write lock at once (`IMMEDIATE`), so that another process (an
    /// administrator's command) cannot make it fail half-way.
    pub fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.batch(match self.engine() {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        })?;
        match f(self) {
            Ok(value) => {
                self.batch("COMMIT")?;
                Ok(value)
            }
            Err(err) => {
                // The error that made it roll back is the one to report.
                let _ = self.batch("ROLLBACK");
                Err(err)
            }
        }
    }

    /// Runs statements without parameters, as they are.
    pub fn batch(&mut self, sql: &str) -> Result<(), Error> {
        match self {
            Self::Sqlite(conn) => conn.execute_batch(sql)?,
            Self::Postgres(conn) => conn.client.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Holds `key` until the transaction ends, so that transactions about
    /// the same key (a login's failure count) take turns. SQLite needs
    /// nothing: its transactions here take the one write lock at once.
    pub fn lock_key(&mut self, key: &str) -> Result<(), Error> {
        if self.engine() == Engine::Postgres {
            self.query_one(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))) AS held",
                params![key],
                |_| Ok(()),
            )?;
        }
        Ok(())
    }
}

/// `sql` with SQLite's `?1` placeholders turned into PostgreSQL's `$1`.
/// The queries have no `?` anywhere else.
fn postgres_placeholders(sql: &str) -> String {
    sql.replace('?', "$")
}

/// A migration as PostgreSQL runs it: the lines for SQLite alone left out,
/// the lines for PostgreSQL alone taken in, and SQLite's column types
/// named as PostgreSQL names them (an integer key is an identity there,
/// and every integer is 64-bit, as SQLite's are).
fn for_postgres(sql: &str) -> String {
    let mut text = String::new();
    let mut sqlite_only = false;
    for line in sql.lines() {
        match line.trim() {
            "-- sqlite only {" => sqlite_only = true,
            "-- } sqlite only" => sqlite_only = false,
            _ if sqlite_only => {}
            trimmed => {
                text.push_str(trimmed.strip_prefix("-- postgres: ").unwrap_or(line));
                text.push('\n');
            }
        }
    }
    text.replace(
        "INTEGER PRIMARY KEY",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    )
    .replace("INTEGER", "BIGINT")
    .replace("BLOB", "BYTEA")
}

/// A constant that names the migrations' lock among PostgreSQL's advisory
/// locks, so that instances starting at once migrate one after another.
const MIGRATION_LOCK: i64 = 0x6170_702d_7077_6473;

/// The schema version of a PostgreSQL database (0 for a new one), read
/// under the migrations' lock, which the transaction holds until it ends.
fn postgres_version(tx: &mut Conn<'_>) -> Result<i64, Error> {
    tx.query_one(
        "SELECT 1 FROM (SELECT pg_advisory_xact_lock(?1)) AS held",
        params![MIGRATION_LOCK],
        |_| Ok(()),
    )?;
    tx.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    Ok(tx
        .query_opt("SELECT version FROM schema_version", &[], |row| row.get(0))?
        .unwrap_or(0))
}

/// Applies the migrations this database has not had, each in a
/// transaction with its new version.
fn migrate(conn: &mut Conn<'_>) -> anyhow::Result<()> {
    let applied = conn.transaction(|tx| {
        Ok(match tx.engine() {
            Engine::Sqlite => tx.query_one("PRAGMA user_version", &[], |row| row.get::<i64>(0))?,
            Engine::Postgres => postgres_version(tx)?,
        })
    })?;
    let applied = usize::try_from(applied).context("negative schema version")?;
    anyhow::ensure!(
        applied <= MIGRATIONS.len(),
        "the database has schema version {applied}, newer than this server knows ({}): use a newer server",
        MIGRATIONS.len()
    );
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let version = (index + 1) as i64;
        conn.transaction(|tx| {
            match tx.engine() {
                Engine::Sqlite => {
                    tx.batch(sql)?;
                    tx.batch(&format!("PRAGMA user_version = {version}"))?;
                }
                Engine::Postgres => {
                    // Another instance may have applied it since the
                    // version was read: the lock and a second look decide.
                    if postgres_version(tx)? >= version {
                        return Ok(());
                    }
                    tx.batch(&for_postgres(sql))?;
                    tx.execute("DELETE FROM schema_version", &[])?;
                    tx.execute(
                        "INSERT INTO schema_version (version) VALUES (?1)",
                        params![version],
                    )?;
                }
            }
            Ok(())
        })
        .with_context(|| format!("applying migration {version}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/app.db");
        let location = Location::Sqlite(path.clone());
        Db::open_blocking(&location).unwrap();
        // A second open must not try to re-apply the first migration.
        Db::open_blocking(&location).unwrap();
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn postgres_gets_its_lines_and_types() {
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, b BLOB);\n\
                   -- sqlite only {\nSELECT rowid;\n-- } sqlite only\n\
                   -- postgres: ALTER TABLE t ADD COLUMN c TEXT;\n";
        assert_eq!(
            for_postgres(sql),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT, b BYTEA);\n\
             ALTER TABLE t ADD COLUMN c TEXT;\n"
        );
    }

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
