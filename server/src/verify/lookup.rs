//! Finding an app password by its digest, and what a right one's use
//! leaves: the reads and writes that both ways of verifying share (the
//! one that counts the verdict after the lookup, and the one that
//! reserves the attempt first).

use super::{UsedAppPassword, LAST_USE_PRECISION_SECONDS};
use crate::db::Conn;
use crate::error::Error;
use crate::service_credentials::Caller;
use crate::{params, rfc3339, unix_now};

/// What the lookup by digest found, before anything is written.
pub(super) enum Looked {
    /// The login's app password with the digest, when it opens the caller's
    /// service; `by_previous` when found by its digest under the previous
    /// key (to be moved to the current one).
    Row { row: Row, by_previous: bool },
    /// None, and the login still has passwords of the old form.
    OldForm { user_id: i64, salt: String },
    /// None.
    Nothing,
}

/// The login's app password with the `digest` of the typed password under
/// the current key or, during a rotation, its digest under the `previous`
/// key. Without one, whether the login has old-form passwords to check. An
/// unknown login runs the same queries as a known one, and a password that
/// does not open the caller's service the same as a wrong one. Reads only.
pub(super) fn look_up(
    conn: &mut Conn<'_>,
    login: &str,
    digest: &str,
    previous: Option<&str>,
    caller: &Caller,
) -> Result<Looked, Error> {
    if let Some(row) = app_password_of(conn, login, digest, caller)? {
        return Ok(Looked::Row {
            row,
            by_previous: false,
        });
    }
    if let Some(previous) = previous {
        if let Some(row) = app_password_of(conn, login, previous, caller)? {
            return Ok(Looked::Row {
                row,
                by_previous: true,
            });
        }
    }
    let old_form: Option<(i64, Option<String>)> = conn.query_opt(
        "SELECT users.id, users.app_password_salt FROM users
         WHERE users.login = ?1
           AND EXISTS (SELECT 1 FROM app_passwords
                       WHERE app_passwords.user_id = users.id AND app_passwords.hash IS NOT NULL)",
        params![login],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(match old_form {
        Some((user_id, Some(salt))) => Looked::OldForm { user_id, salt },
        _ => Looked::Nothing,
    })
}

/// An app password as `/verify` needs it.
pub(super) struct Row {
    pub(super) id: String,
    name: String,
    expires_at: Option<String>,
    /// When, from where and through which service it was last used.
    last_use: (Option<String>, Option<String>, Option<String>),
}

/// The columns [`Row::read`] reads, in its order.
pub(super) const ROW_COLUMNS: &str =
    "app_passwords.id, app_passwords.name, app_passwords.expires_at,
     app_passwords.last_used_at, app_passwords.last_used_ip, app_passwords.last_used_service";

impl Row {
    /// Whether it has expired.
    pub(super) fn expired(&self) -> bool {
        self.expires_at
            .as_ref()
            .is_some_and(|at| *at <= rfc3339(unix_now()))
    }

    /// Whether its recorded last use is a use like this one, within
    /// [`LAST_USE_PRECISION_SECONDS`]: already recorded well enough.
    pub(super) fn recorded(&self, caller: &Caller) -> bool {
        let (last_at, last_address, last_service) = &self.last_use;
        last_at
            .as_ref()
            .is_some_and(|at| *at > rfc3339(unix_now() - LAST_USE_PRECISION_SECONDS))
            && last_address.as_deref() == Some(caller.client_address.to_string().as_str())
            && last_service.as_deref() == caller.service.as_deref()
    }

    /// What `/verify` answers of it.
    pub(super) fn used(self) -> UsedAppPassword {
        UsedAppPassword {
            id: self.id,
            name: self.name,
        }
    }

    /// The row of a query that selects [`ROW_COLUMNS`].
    pub(super) fn read(row: &crate::db::Row<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            expires_at: row.get(2)?,
            last_use: (row.get(3)?, row.get(4)?, row.get(5)?),
        })
    }
}

/// The condition, with [`service_pattern`] as `?3`, that an app password
/// opens the caller's service: `services` is `NULL` (every service), or its
/// comma-joined names hold the caller's (migration 0007 says why commas).
pub(super) const OPENS_SERVICE: &str =
    "(app_passwords.services IS NULL OR ',' || app_passwords.services || ',' LIKE ?3)";

/// The `LIKE` pattern of [`OPENS_SERVICE`] for `caller`: its service between
/// commas; for an anonymous caller the empty pattern, which no joined list
/// matches, so that it finds only passwords for every service. A service
/// name holds no `%` or `_` ([`is_service_name`]) to escape.
///
/// [`is_service_name`]: crate::service_credentials::is_service_name
pub(super) fn service_pattern(caller: &Caller) -> String {
    caller
        .service
        .as_deref()
        .map(|service| format!("%,{service},%"))
        .unwrap_or_default()
}

/// The app password of `login` whose digest is `digest`, when it opens the
/// caller's service.
fn app_password_of(
    conn: &mut Conn<'_>,
    login: &str,
    digest: &str,
    caller: &Caller,
) -> Result<Option<Row>, Error> {
    conn.query_opt(
        &format!(
            "SELECT {ROW_COLUMNS}
             FROM app_passwords JOIN users ON users.id = app_passwords.user_id
             WHERE app_passwords.digest = ?1 AND users.login = ?2 AND {OPENS_SERVICE}"
        ),
        params![digest, login, service_pattern(caller)],
        Row::read,
    )
}

/// Writes what the use of a valid password leaves: its digest under the
/// current key, `moved_to`, when it was found under the previous one; its
/// last use (when, the client's address, and the service: none for an
/// anonymous caller, so that the last use reads as one use), unless that
/// is [`Row::recorded`] already.
pub(super) fn record_use(
    conn: &mut Conn<'_>,
    row: &Row,
    moved_to: Option<&str>,
    caller: &Caller,
) -> Result<(), Error> {
    if let Some(digest) = moved_to {
        conn.execute(
            "UPDATE app_passwords SET digest = ?1 WHERE id = ?2",
            params![digest, row.id],
        )?;
    }
    if !row.recorded(caller) {
        conn.execute(
            "UPDATE app_passwords SET last_used_at = ?1, last_used_ip = ?2, last_used_service = ?3 WHERE id = ?4",
            params![rfc3339(unix_now()), caller.client_address.to_string(), caller.service, row.id],
        )?;
    }
    Ok(())
}
