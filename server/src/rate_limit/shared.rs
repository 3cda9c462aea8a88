//! Failures counted in the database (PostgreSQL, which several instances
//! may share), so that every instance counts against the same budget:
//! wrong passwords sent in parallel through two instances are limited as
//! one.
//!
//! Each attempt adds a row under its login-and-address key and its address
//! key, `settled = 0` while it is judged. A success deletes its rows; a
//! failure settles them (`settled = 1`) and adds one under the login key.
//! A row left unsettled longer than [`STALE_MS`] (its instance died
//! half-way) counts as a failure. The check and the insert hold an
//! advisory lock per key ([`crate::db::Conn::lock_key`]) until the
//! transaction ends, so that parallel attempts cannot all pass the check
//! before any is recorded.

use crate::db::Conn;
use crate::error::Error;
use crate::params;

use super::memory::Turn;
use super::Keys;

/// Milliseconds after which an attempt still not judged counts as failed.
pub(super) const STALE_MS: i64 = 60_000;

/// Milliseconds since the Unix epoch: instances on one database compare
/// their clocks, which NTP keeps far closer than a window's seconds.
pub(super) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Reserves the attempt `attempt` under `keys` unless a budget is spent
/// (`Refused`) or could be spent by the attempts in flight (`Wait`).
pub(super) fn reserve(
    conn: &mut Conn<'_>,
    keys: &Keys,
    per_login_address: i64,
    per_address: i64,
    window_ms: i64,
    attempt: &str,
) -> Result<Turn, Error> {
    conn.transaction(|tx| {
        let now = now_ms();
        let mut turn = Turn::Go(());
        // Always in this order, so that two attempts never wait for each
        // other's locks.
        for (key, max) in [
            (&keys.login_and_address, per_login_address),
            (&keys.address, per_address),
        ] {
            tx.lock_key(key)?;
            let (failed, in_flight, oldest) = tally(tx, key, now, window_ms)?;
            if failed >= max {
                let wait_ms = oldest.map_or(window_ms, |at| at + window_ms - now);
                return Ok(Turn::Refused(
                    u64::try_from((wait_ms + 999) / 1000).unwrap_or(0).max(1),
                ));
            }
            if failed + in_flight >= max {
                turn = Turn::Wait;
            }
        }
        if matches!(turn, Turn::Go(())) {
            for key in [&keys.login_and_address, &keys.address] {
                tx.execute(
                    "INSERT INTO attempt_failures (key, at_ms, attempt, settled) VALUES (?1, ?2, ?3, 0)",
                    params![key, now, attempt],
                )?;
            }
        }
        Ok(turn)
    })
}

/// The failures of `key` in the window, the attempts in flight, and when
/// the oldest failure was.
fn tally(
    tx: &mut Conn<'_>,
    key: &str,
    now: i64,
    window_ms: i64,
) -> Result<(i64, i64, Option<i64>), Error> {
    tx.query_one(
        "SELECT
             COALESCE(SUM(CASE WHEN settled = 1 OR at_ms <= ?3 THEN 1 ELSE 0 END), 0),
             COALESCE(SUM(CASE WHEN settled = 1 OR at_ms <= ?3 THEN 0 ELSE 1 END), 0),
             MIN(CASE WHEN settled = 1 OR at_ms <= ?3 THEN at_ms END)
         FROM attempt_failures WHERE key = ?1 AND at_ms > ?2",
        params![key, now - window_ms, now - STALE_MS],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
}

/// Ends the attempt `attempt`: a success takes its rows back; a failure
/// settles them and is counted against the login. Returns how many
/// failures the login now has from every address (0 for a success).
pub(super) fn settle(
    conn: &mut Conn<'_>,
    keys: &Keys,
    attempt: &str,
    failed: bool,
    window_ms: i64,
) -> Result<i64, Error> {
    if !failed {
        conn.execute(
            "DELETE FROM attempt_failures WHERE attempt = ?1",
            params![attempt],
        )?;
        return Ok(0);
    }
    let now = now_ms();
    conn.execute(
        "UPDATE attempt_failures SET settled = 1 WHERE attempt = ?1",
        params![attempt],
    )?;
    conn.execute(
        "INSERT INTO attempt_failures (key, at_ms, attempt, settled) VALUES (?1, ?2, ?3, 1)",
        params![keys.login, now, attempt],
    )?;
    conn.query_one(
        "SELECT COUNT(*) FROM attempt_failures WHERE key = ?1 AND at_ms > ?2",
        params![keys.login, now - window_ms],
        |row| row.get(0),
    )
}
