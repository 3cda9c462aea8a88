//! The layer both engines share: parameters, columns, rows, and a
//! connection that runs one query text on either.

use rusqlite::Connection;

use super::{pool::PgConn, Engine};
use crate::error::Error;

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
    /// the same key (a login's failure count) are serialised: a PostgreSQL
    /// advisory transaction lock (`pg_advisory_xact_lock`). SQLite needs
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
