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

mod engine;
mod location;
mod migrate;
mod pool;
mod sqlite;
mod tls;
mod verifier_pool;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use engine::{Column, Conn, Param, Row};
pub use location::Location;
pub use pool::PgConn;
pub use tls::PgTls;

use crate::error::Error;
use pool::PgPool;

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
    Postgres {
        pool: PgPool,
        /// The verifier's own pool ([`verifier_pool`]).
        verifier: deadpool_postgres::Pool,
    },
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
                let mut conn = sqlite::open(path)?;
                migrate::migrate(&mut Conn::Sqlite(&mut conn))?;
                Handle::Sqlite {
                    conn: Mutex::new(conn),
                    path: path.clone(),
                }
            }
            Location::Postgres(config, tls) => {
                let pool = PgPool::new((**config).clone(), tls.clone());
                pool.run(migrate::migrate)?;
                Handle::Postgres {
                    pool,
                    verifier: verifier_pool::new((**config).clone(), tls)?,
                }
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
            Handle::Postgres { .. } => Engine::Postgres,
        }
    }

    /// PostgreSQL's async pool for the verifier's hot path
    /// ([`verifier_pool`]); `None` on SQLite.
    pub fn verifier_pool(&self) -> Option<&deadpool_postgres::Pool> {
        match &*self.handle {
            Handle::Postgres { verifier, .. } => Some(verifier),
            Handle::Sqlite { .. } => None,
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
            Handle::Postgres { pool, .. } => Some(pool.places.clone().acquire_owned().await),
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
                Handle::Postgres { pool, .. } => pool.run(f),
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
            Handle::Postgres { .. } => None,
        };
        self.call(move |conn| {
            conn.query_one("SELECT 1", &[], |_| Ok(()))?;
            Ok(file.is_none_or(|path| path.is_file()))
        })
        .await
    }
}
