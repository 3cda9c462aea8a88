//! Opening the SQLite file: WAL mode, and files private to the server's
//! user.

use std::path::Path;

use anyhow::Context;
use rusqlite::Connection;

/// Opens the SQLite file at `path` in WAL mode. The database, its WAL and
/// its shared memory file are for the server's user alone (0600), and so is
/// a folder this makes for them (0700).
pub(super) fn open(path: &Path) -> anyhow::Result<Connection> {
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
    // The query planner stability guarantee: without it, a statement whose
    // `LIKE` takes a bound pattern (the verifier's service scope,
    // `OPENS_SERVICE`) is parsed and planned again at every step after a
    // new pattern is bound, as the plan might depend on the pattern; the
    // cached statement is then no cache (measured: a fifth of `/verify`'s
    // time in `sqlite3Reprepare`). No statement here gains from a plan by
    // value: there are no `ANALYZE` statistics to choose by.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
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
