//! Connections to PostgreSQL: a pool of the synchronous client, each
//! connection with the statements it has prepared.

use std::sync::{Arc, Mutex};

use super::{tls::PgTls, Conn};
use crate::error::Error;

/// Most connections one instance holds to PostgreSQL.
const POSTGRES_CONNECTIONS: usize = 16;

/// A connection to PostgreSQL with the statements it has prepared, by
/// their text: each query is parsed once per connection, and then costs
/// one round trip instead of two.
pub struct PgConn {
    pub(super) client: postgres::Client,
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl PgConn {
    /// The prepared statement of `sql` (SQLite's placeholders).
    pub(super) fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&postgres_placeholders(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// Connections to PostgreSQL, made when needed and kept for reuse: a
/// connection pool, with the waiting done on the async executor (a
/// semaphore, in [`super::Db::call`]) so that a request waiting for a
/// connection holds no blocking thread.
///
/// Written here rather than taken from `r2d2_postgres` (r2d2), for two
/// behaviours its `Pool::get` does not have:
/// - an unreachable or misconfigured PostgreSQL is reported at once, with
///   its cause: r2d2 retries a failing connect in the background until its
///   `connection_timeout` (30 s by default) and then reports "timed out
///   waiting for connection". The admin test
///   `an_unreachable_postgresql_says_why` allows 20 s; this pool answers
///   in well under a second (time `app-passwords-server service-credential
///   list --database postgres://app@127.0.0.1:PORT/app` on a free port);
/// - when one connection is found closed (PostgreSQL restarted, or ended
///   this instance's sessions), every idle one is dropped with it, where
///   r2d2 would fail one request per stale idle connection, or (with
///   `test_on_check_out`) spend a round trip on every checkout.
pub(super) struct PgPool {
    config: postgres::Config,
    tls: PgTls,
    idle: Mutex<Vec<PgConn>>,
    /// One place per connection that may be open at once.
    pub(super) places: Arc<tokio::sync::Semaphore>,
}

impl PgPool {
    pub(super) fn new(config: tokio_postgres::Config, tls: PgTls) -> Self {
        Self {
            config: config.into(),
            tls,
            idle: Mutex::default(),
            places: Arc::new(tokio::sync::Semaphore::new(POSTGRES_CONNECTIONS)),
        }
    }

    /// Runs `f` on an idle connection, or a new one; keeps the connection
    /// afterwards unless it broke. Blocks: call it off the executor.
    pub(super) fn run<T, E: From<Error>>(
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

/// `sql` with SQLite's numbered placeholders (`?1`) turned into
/// PostgreSQL's (`$1`), once per connection and statement, as it is
/// prepared. Every query is written once for both engines, and both take
/// numbered parameters, so that a character is the whole difference; a
/// query builder or a second text of each query would be more to keep for
/// no gain. The queries have no `?` anywhere else (no JSON operators, no
/// `?` in string literals), which this relies on.
fn postgres_placeholders(sql: &str) -> String {
    sql.replace('?', "$")
}
