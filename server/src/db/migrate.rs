//! Schema migrations, written per engine in `server/migrations/` (see its
//! README), applied at start.

use anyhow::Context;

use super::{Conn, Engine};
use crate::error::Error;
use crate::params;

/// The migrations, by file name, listed once so that both engines get the
/// same numbered list: SQLite's `PRAGMA user_version` or PostgreSQL's
/// `schema_version` table records how many have run. Each is written in
/// its engine's SQL rather than translated, since the engines differ in
/// types (`BIGINT`, `BYTEA`, identity keys) and in what `ALTER TABLE` can
/// do. Append only: never change what one does to a database it has run on.
macro_rules! migrations {
    ($($name:literal),* $(,)?) => {
        /// File names, in order, for the test that checks the folders.
        #[cfg(test)]
        const NAMES: &[&str] = &[$($name),*];
        /// SQLite's migrations, in order.
        const SQLITE: &[&str] =
            &[$(include_str!(concat!("../../migrations/sqlite/", $name, ".sql"))),*];
        /// PostgreSQL's migrations, in order.
        const POSTGRES: &[&str] =
            &[$(include_str!(concat!("../../migrations/postgres/", $name, ".sql"))),*];
    };
}

migrations!(
    "0001_initial",
    "0002_contract",
    "0003_verifier",
    "0004_hardening",
    "0005_shared_state",
    "0006_turns_and_codes",
    "0007_services",
    "0008_verify_in_one_trip",
);

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
pub(super) fn migrate(conn: &mut Conn<'_>) -> anyhow::Result<()> {
    let applied = conn.transaction(|tx| {
        Ok(match tx.engine() {
            Engine::Sqlite => tx.query_one("PRAGMA user_version", &[], |row| row.get::<i64>(0))?,
            Engine::Postgres => postgres_version(tx)?,
        })
    })?;
    let applied = usize::try_from(applied).context("negative schema version")?;
    let migrations = match conn.engine() {
        Engine::Sqlite => SQLITE,
        Engine::Postgres => POSTGRES,
    };
    anyhow::ensure!(
        applied <= migrations.len(),
        "the database has schema version {applied}, newer than this server knows ({}): use a newer server",
        migrations.len()
    );
    for (index, sql) in migrations.iter().enumerate().skip(applied) {
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
                    tx.batch(sql)?;
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
    use std::collections::BTreeSet;
    use std::path::Path;

    use rusqlite::Connection;

    use super::*;
    use crate::db::{Db, Location};

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
        assert_eq!(version, SQLITE.len() as i64);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn each_engine_has_every_migration_and_no_other() {
        for engine in ["sqlite", "postgres"] {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(engine);
            let found: BTreeSet<String> = std::fs::read_dir(&folder)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().into_string().unwrap())
                .collect();
            let listed: BTreeSet<String> = NAMES.iter().map(|name| format!("{name}.sql")).collect();
            assert_eq!(found, listed, "{}", folder.display());
        }
    }

    /// Every (table, column) of a migrated database, less what one engine
    /// alone has: PostgreSQL's `schema_version` table (SQLite keeps the
    /// version in a pragma) and its `rowid` column (SQLite's is implicit).
    async fn schema(db: &Db) -> BTreeSet<(String, String)> {
        let sql = match db.engine() {
            Engine::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
                 WHERE m.type = 'table'"
            }
            Engine::Postgres => {
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema()"
            }
        };
        db.call(move |conn| conn.query_all(sql, &[], |row| Ok((row.get(0)?, row.get(1)?))))
            .await
            .unwrap()
            .into_iter()
            .filter(|(table, column)| table != "schema_version" && column != "rowid")
            .collect()
    }

    /// The schema version a migrated database records.
    async fn version(db: &Db) -> i64 {
        let sql = match db.engine() {
            Engine::Sqlite => "PRAGMA user_version",
            Engine::Postgres => "SELECT version FROM schema_version",
        };
        db.call(move |conn| conn.query_one(sql, &[], |row| row.get(0)))
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_engines_reach_the_same_version_and_tables() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Db::open(&Location::Sqlite(dir.path().join("app.db")))
            .await
            .unwrap();
        let cluster = testkit::Postgres::start();
        let url = cluster.url(&cluster.create_database());
        let location = Location::parse(Path::new(&url), Some(&cluster.password_file())).unwrap();
        let postgres = Db::open(&location).await.unwrap();
        assert_eq!(version(&sqlite).await, NAMES.len() as i64);
        assert_eq!(version(&postgres).await, NAMES.len() as i64);
        let tables = schema(&sqlite).await;
        assert!(tables.contains(&("attempt_failures".into(), "settled".into())));
        assert_eq!(tables, schema(&postgres).await);
    }
}
