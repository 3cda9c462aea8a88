//! Judging a second-factor code, so that guessing codes cannot pay:
//!
//! - a half-signed-in session is judged at most [`MAX_CODES_PER_SESSION`]
//!   times: the wrong code is counted by the same statement that refuses a
//!   session which already has its five, so parallel codes cannot slip
//!   past the count;
//! - a login gets at most `--max-wrong-codes-per-day` wrong codes in 24
//!   hours from every address and session together (a cap that no number
//!   of addresses gets around); past it the code step answers 429 until
//!   the oldest is a day old, or an administrator runs `unlock`.
//!
//! Both run in one transaction that holds the user's advisory lock
//! (PostgreSQL) or SQLite's write lock, so that instances on one database
//! count as one.

use crate::auth::end_session;
use crate::crypto::SecretBox;
use crate::db::Conn;
use crate::error::Error;
use crate::users::existing_id;
use crate::{params, totp, unix_now};

/// Wrong codes one half-signed-in session may send; then it ends.
pub const MAX_CODES_PER_SESSION: i64 = 5;

/// The day over which wrong codes of a login are capped.
const DAY_SECONDS: i64 = 86_400;

/// What became of a code.
#[derive(Debug, PartialEq, Eq)]
pub enum Judged {
    /// Right, and now used.
    Accepted,
    /// Wrong, expired or used before; counted.
    Wrong,
    /// The half session has ended (or spent its codes): sign in again.
    SessionOver,
    /// The login's wrong codes of the day are spent; the oldest is a day
    /// old in this many seconds.
    Capped(u64),
}

/// Judges `code` for the user `user_id` in the half session `id_hash`.
pub fn judge(
    conn: &mut Conn<'_>,
    secrets: &SecretBox,
    user_id: i64,
    id_hash: &str,
    code: &str,
    max_wrong_per_day: i64,
) -> Result<Judged, Error> {
    conn.transaction(|tx| {
        tx.lock_key(&format!("code:{user_id}"))?;
        let now = unix_now();
        let (wrong_today, oldest): (i64, Option<i64>) = tx.query_one(
            "SELECT COUNT(*), MIN(at) FROM code_failures WHERE user_id = ?1 AND at > ?2",
            params![user_id, now - DAY_SECONDS],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if wrong_today >= max_wrong_per_day {
            let left = oldest.map_or(DAY_SECONDS, |at| at + DAY_SECONDS - now);
            return Ok(Judged::Capped(u64::try_from(left).unwrap_or(0).max(1)));
        }
        // Counted before it is judged, and only while the session has
        // codes left: one statement, so that no parallel code gets a
        // sixth look.
        let counted = tx.execute(
            "UPDATE sessions SET mfa_failures = mfa_failures + 1
             WHERE id_hash = ?1 AND user_id = ?2 AND stage = 'mfa' AND mfa_failures < ?3",
            params![id_hash, user_id, MAX_CODES_PER_SESSION],
        )?;
        if counted == 0 {
            end_session(tx, id_hash)?;
            return Ok(Judged::SessionOver);
        }
        if code_is_right(tx, secrets, user_id, code)? {
            // The half session is replaced by a full one: its count goes
            // with it.
            return Ok(Judged::Accepted);
        }
        tx.execute(
            "INSERT INTO code_failures (user_id, at) VALUES (?1, ?2)",
            params![user_id, now],
        )?;
        tx.execute(
            "DELETE FROM sessions WHERE id_hash = ?1 AND mfa_failures >= ?2",
            params![id_hash, MAX_CODES_PER_SESSION],
        )?;
        Ok(Judged::Wrong)
    })
}

/// Whether `code` is the user's current code, not used before; marks it
/// used. The conditional update makes two racing requests with the same
/// code succeed at most once.
fn code_is_right(
    tx: &mut Conn<'_>,
    secrets: &SecretBox,
    user_id: i64,
    code: &str,
) -> Result<bool, Error> {
    let row: Option<(Option<Vec<u8>>, i64)> = tx.query_opt(
        "SELECT totp_secret_sealed, totp_last_step FROM users WHERE id = ?1",
        params![user_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let Some((Some(sealed), last_step)) = row else {
        return Ok(false);
    };
    let secret = secrets.open(&sealed)?;
    let Some(step) = totp::verify(&secret, code, unix_now() as u64, last_step as u64) else {
        return Ok(false);
    };
    Ok(tx.execute(
        "UPDATE users SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1",
        params![step as i64, user_id],
    )? == 1)
}

/// `unlock`: forgets the wrong codes of `login`; returns how many.
pub fn unlock(conn: &mut Conn<'_>, login: &str) -> Result<u64, Error> {
    let user_id = existing_id(conn, login)?;
    conn.execute(
        "DELETE FROM code_failures WHERE user_id = ?1",
        params![user_id],
    )
}

/// Forgets the wrong codes more than a day old.
pub fn purge_expired(conn: &mut Conn<'_>) -> Result<u64, Error> {
    conn.execute(
        "DELETE FROM code_failures WHERE at <= ?1",
        params![unix_now() - DAY_SECONDS],
    )
}
