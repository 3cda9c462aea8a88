//! Counting failed attempts (a password, a code, an app password) in a
//! sliding window, to slow down guessing without letting one person's
//! failures lock out another.
//!
//! An attempt is counted before it is judged: [`FailureLimits::attempt`]
//! reserves a failure, atomically with the check, before the slow hash, so
//! that attempts sent at once cannot all pass the check before any is
//! recorded; a success gives its reservation back. Refusals (429) go by
//! what one client can spend only for itself: the failures of one login
//! from one address, and of one address whatever the logins. The failures
//! of a login from all addresses together only slow its attempts down, so
//! that a stranger spraying a login cannot keep its owner out.
//!
//! Where the counts live depends on the engine. With PostgreSQL, where
//! several instances share one database, in the database
//! (`attempt_failures`), so that every instance counts against the same
//! budget: wrong passwords sent in parallel through two instances are
//! limited as one; counting takes turns per key
//! ([`crate::db::Conn::lock_key`]), so that parallel attempts cannot all
//! pass the check before any is recorded. With SQLite, which one instance
//! alone opens, in memory: the verifier's hot path then writes nothing for
//! a success (two write transactions per verification cost four fifths of
//! its throughput on SQLite).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::crypto::random_token;
use crate::db::{Conn, Db, Engine};
use crate::error::Error;
use crate::params;

/// The slowing of one attempt per failure of its login beyond the limit.
const BACKOFF_STEP: Duration = Duration::from_millis(250);
/// The most one attempt is slowed.
const BACKOFF_MOST: Duration = Duration::from_secs(2);
/// Keys kept in memory before the expired ones are swept, to bound memory.
const SWEEP_ABOVE: usize = 10_000;

/// Failures per key within a sliding window.
struct Window {
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Window {
    fn new(window: Duration) -> Self {
        Self {
            window,
            failures: Mutex::default(),
        }
    }

    /// Counts a failure at `at` against `key` unless it already has `max`
    /// (`None`: no maximum); `Err(seconds)` until the oldest leaves the
    /// window. Returns how many `key` has now.
    fn reserve(&self, key: &str, at: Instant, max: Option<usize>) -> Result<usize, u64> {
        let window = self.window;
        let mut failures = self.lock();
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, times| {
                forget_old(times, at, window);
                !times.is_empty()
            });
        }
        let times = failures.entry(key.to_owned()).or_default();
        forget_old(times, at, window);
        if max.is_some_and(|max| times.len() >= max) {
            let oldest = times.front().copied().unwrap_or(at);
            let wait = window.saturating_sub(at.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        times.push_back(at);
        Ok(times.len())
    }

    /// Takes back the failure counted at `at` against `key`.
    fn give_back(&self, key: &str, at: Instant) {
        let mut failures = self.lock();
        if let Some(times) = failures.get_mut(key) {
            if let Some(place) = times.iter().position(|t| *t == at) {
                times.remove(place);
            }
            if times.is_empty() {
                failures.remove(key);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// Milliseconds since the Unix epoch: instances on one database compare
/// their clocks, which NTP keeps far closer than a window's seconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Failures counted in this process, one window per kind of key.
struct Windows {
    login_and_address: Window,
    address: Window,
    login: Window,
}

impl Windows {
    /// Counts the attempt against `keys` unless its login from its
    /// address has `per_login_address` failures, or its address
    /// `per_address`: how many failures the login now has from all
    /// addresses, and what a success gives back.
    fn reserve(
        &self,
        keys: Keys,
        per_login_address: i64,
        per_address: i64,
    ) -> Result<(i64, Reservation), Error> {
        let at = Instant::now();
        let refused = |retry_after_seconds| Error::RateLimited {
            retry_after_seconds,
        };
        let limit = |max: i64| Some(usize::try_from(max).unwrap_or(usize::MAX));
        self.login_and_address
            .reserve(&keys.login_and_address, at, limit(per_login_address))
            .map_err(refused)?;
        if let Err(wait) = self.address.reserve(&keys.address, at, limit(per_address)) {
            self.login_and_address
                .give_back(&keys.login_and_address, at);
            return Err(refused(wait));
        }
        let of_login = self.login.reserve(&keys.login, at, None).unwrap_or(0);
        Ok((
            i64::try_from(of_login).unwrap_or(i64::MAX),
            Reservation::Memory { keys, at },
        ))
    }

    /// Takes back what [`Windows::reserve`] counted at `at` under `keys`.
    fn give_back(&self, keys: &Keys, at: Instant) {
        self.login_and_address
            .give_back(&keys.login_and_address, at);
        self.address.give_back(&keys.address, at);
        self.login.give_back(&keys.login, at);
    }
}

/// Where the failures are counted.
enum Counts {
    /// In this process.
    Memory(Box<Windows>),
    /// In the database, for every instance on it.
    Shared(Db),
}

impl Counts {
    /// Windows of `window` in memory.
    fn in_memory(window: Duration) -> Self {
        Self::Memory(Box::new(Windows {
            login_and_address: Window::new(window),
            address: Window::new(window),
            login: Window::new(window),
        }))
    }
}

/// The limits on guessing passwords and codes.
pub struct FailureLimits {
    counts: Counts,
    per_login_address: i64,
    per_address: i64,
    window: Duration,
}

impl FailureLimits {
    /// `per_login_address` failures of one login from one address, and
    /// `per_address` failures of one address, per `window`; past
    /// `per_login_address` failures of a login from all addresses, its
    /// attempts are slowed. Counted in `db` when it is PostgreSQL, which
    /// several instances may share; in memory for SQLite.
    pub fn new(db: Db, per_login_address: u32, per_address: u32, window: Duration) -> Self {
        let counts = match db.engine() {
            Engine::Postgres => Counts::Shared(db),
            Engine::Sqlite => Counts::in_memory(window),
        };
        Self::counted_in(counts, per_login_address, per_address, window)
    }

    fn counted_in(
        counts: Counts,
        per_login_address: u32,
        per_address: u32,
        window: Duration,
    ) -> Self {
        Self {
            counts,
            per_login_address: i64::from(per_login_address),
            per_address: i64::from(per_address),
            window,
        }
    }

    /// Reserves one failed attempt for `login` from `address`, or refuses
    /// with 429 `rate-limited` when either has none left. The attempt
    /// counts as failed unless [`Attempt::succeeded`] is called, even when
    /// the request is dropped half-way.
    pub async fn attempt(&self, login: &str, address: IpAddr) -> Result<Attempt<'_>, Error> {
        let keys = Keys::new(login, address);
        let (of_login, reservation) = match &self.counts {
            Counts::Memory(windows) => {
                windows.reserve(keys, self.per_login_address, self.per_address)?
            }
            Counts::Shared(db) => self.reserve_shared(db, keys).await?,
        };
        // Negative while the login is under its limit: no slowing then.
        let beyond = (of_login - self.per_login_address).clamp(0, i64::from(u32::MAX));
        let beyond = u32::try_from(beyond).unwrap_or(u32::MAX);
        let backoff = BACKOFF_STEP.saturating_mul(beyond).min(BACKOFF_MOST);
        Ok(Attempt {
            limits: self,
            reservation,
            backoff,
        })
    }

    /// Counts the attempt against `keys` in the database, for every
    /// instance on it: how many failures the login now has from all
    /// addresses, and the attempt's rows.
    async fn reserve_shared(&self, db: &Db, keys: Keys) -> Result<(i64, Reservation), Error> {
        let id = random_token(16);
        let attempt = id.clone();
        let (per_login_address, per_address) = (self.per_login_address, self.per_address);
        let window_ms = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        let of_login = db
            .call(move |conn| {
                conn.transaction(|tx| {
                    let now = now_ms();
                    let mut reserve =
                        |key: &str, max| reserve(tx, key, max, now, window_ms, &attempt);
                    // Always in this order, so that two attempts
                    // never wait for each other's keys.
                    reserve(&keys.login_and_address, Some(per_login_address))?;
                    reserve(&keys.address, Some(per_address))?;
                    reserve(&keys.login, None)
                })
            })
            .await?;
        Ok((of_login, Reservation::Shared { id }))
    }

    /// Forgets the failures that have left the window (those in memory go
    /// as they are counted).
    pub async fn purge_expired(&self) -> Result<(), Error> {
        let Counts::Shared(db) = &self.counts else {
            return Ok(());
        };
        let since = now_ms() - i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        db.call(move |conn| {
            conn.execute(
                "DELETE FROM attempt_failures WHERE at_ms <= ?1",
                params![since],
            )?;
            Ok(())
        })
        .await
    }
}

/// Counts a failure at `now` against `key` for `attempt` in the database
/// unless it already has `max` within the window (`None`: no maximum),
/// when it refuses until the oldest leaves the window. Returns how many
/// `key` has now.
fn reserve(
    tx: &mut Conn<'_>,
    key: &str,
    max: Option<i64>,
    now: i64,
    window_ms: i64,
    attempt: &str,
) -> Result<i64, Error> {
    tx.lock_key(key)?;
    let (count, oldest): (i64, Option<i64>) = tx.query_one(
        "SELECT COUNT(*), MIN(at_ms) FROM attempt_failures WHERE key = ?1 AND at_ms > ?2",
        params![key, now - window_ms],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if max.is_some_and(|max| count >= max) {
        let wait_ms = oldest.map_or(window_ms, |oldest| oldest + window_ms - now);
        return Err(Error::RateLimited {
            retry_after_seconds: u64::try_from(wait_ms / 1000).unwrap_or(0).max(1),
        });
    }
    tx.execute(
        "INSERT INTO attempt_failures (key, at_ms, attempt) VALUES (?1, ?2, ?3)",
        params![key, now, attempt],
    )?;
    Ok(count + 1)
}

/// What an attempt is counted under, each with its own prefix (the
/// database keeps them in one table).
struct Keys {
    login_and_address: String,
    address: String,
    login: String,
}

impl Keys {
    fn new(login: &str, address: IpAddr) -> Self {
        // Logins compare without case or surrounding space here, so that
        // `Ada` and `ada ` share one budget.
        let login = login.trim().to_lowercase();
        let address = crate::config::canonical(address).to_string();
        Self {
            login_and_address: format!("la:{login}\n{address}"),
            address: format!("a:{address}"),
            login: format!("l:{login}"),
        }
    }
}

/// What a success gives back.
enum Reservation {
    /// The failures counted in memory at `at` under `keys`.
    Memory { keys: Keys, at: Instant },
    /// The rows of the attempt `id` in the database.
    Shared { id: String },
}

/// One attempt, counted as a failure until it [succeeds](Attempt::succeeded).
#[must_use = "an attempt counts as failed unless it succeeds"]
pub struct Attempt<'a> {
    limits: &'a FailureLimits,
    reservation: Reservation,
    backoff: Duration,
}

impl Attempt<'_> {
    /// Waits before the attempt is judged: not at all (not even a timer's
    /// round trip, which the verifier's hot path would feel), unless its
    /// login has failed more than the limit from all addresses together.
    pub async fn back_off(&self) {
        if !self.backoff.is_zero() {
            tokio::time::sleep(self.backoff).await;
        }
    }

    /// The attempt succeeded: its reservation is given back. Earlier
    /// failures stay counted: a success proves only this attempt right.
    /// Should the database fail here, the attempt stays counted as a
    /// failure, which costs the caller one of its attempts and nothing
    /// else; the request itself has succeeded.
    pub async fn succeeded(self) {
        match (&self.limits.counts, self.reservation) {
            (Counts::Memory(windows), Reservation::Memory { keys, at }) => {
                windows.give_back(&keys, at);
            }
            (Counts::Shared(db), Reservation::Shared { id }) => {
                let given_back = db
                    .call(move |conn| {
                        conn.execute(
                            "DELETE FROM attempt_failures WHERE attempt = ?1",
                            params![id],
                        )
                    })
                    .await;
                if let Err(err) = given_back {
                    tracing::warn!("giving back a successful attempt: {err}");
                }
            }
            _ => unreachable!("an attempt is reserved where its limits count"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Location;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// The limits counted in memory, and in a database (SQLite here; the
    /// same queries run on PostgreSQL in tests/ha.rs), each to be held to
    /// the same expectations.
    async fn both(
        per_login_address: u32,
        per_address: u32,
        window: Duration,
    ) -> (Vec<FailureLimits>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&Location::Sqlite(dir.path().join("app.db")))
            .await
            .unwrap();
        let limits = [Counts::in_memory(window), Counts::Shared(db)]
            .into_iter()
            .map(|counts| FailureLimits::counted_in(counts, per_login_address, per_address, window))
            .collect();
        (limits, dir)
    }

    #[tokio::test]
    async fn refuses_a_login_from_an_address_after_its_failures_only() {
        let (all, _dir) = both(2, 100, Duration::from_secs(60)).await;
        for limits in &all {
            let attacker = address("192.0.2.1");
            let _ = limits.attempt("Ada", attacker).await.unwrap();
            let _ = limits.attempt("ada ", attacker).await.unwrap();
            let Err(Error::RateLimited {
                retry_after_seconds,
            }) = limits.attempt("ada", attacker).await
            else {
                panic!("not refused");
            };
            assert!((1..=60).contains(&retry_after_seconds));
            let owner = limits
                .attempt("ada", address("198.51.100.7"))
                .await
                .unwrap();
            assert_eq!(owner.backoff, BACKOFF_STEP, "slowed, not refused");
            let first = limits
                .attempt("bob", address("198.51.100.7"))
                .await
                .unwrap();
            assert_eq!(first.backoff, Duration::ZERO, "under the limit: not slowed");
            owner.succeeded().await;
            assert!(
                limits.attempt("bob", attacker).await.is_ok(),
                "logins are separate"
            );
        }
    }

    #[tokio::test]
    async fn refuses_an_address_after_its_failures_whatever_the_logins() {
        let (all, _dir) = both(10, 3, Duration::from_secs(60)).await;
        for limits in &all {
            let attacker = address("192.0.2.1");
            for login in ["a", "b", "c"] {
                let _ = limits.attempt(login, attacker).await.unwrap();
            }
            assert!(limits.attempt("d", attacker).await.is_err());
            assert!(limits.attempt("d", address("192.0.2.2")).await.is_ok());
        }
    }

    #[tokio::test]
    async fn a_success_gives_back_only_its_own_reservation() {
        let (all, _dir) = both(2, 100, Duration::from_secs(60)).await;
        for limits in &all {
            let client = address("::ffff:192.0.2.1");
            let _ = limits.attempt("ada", client).await.unwrap();
            limits
                .attempt("ada", client)
                .await
                .unwrap()
                .succeeded()
                .await;
            let _ = limits.attempt("ada", address("192.0.2.1")).await.unwrap();
            assert!(
                limits.attempt("ada", client).await.is_err(),
                "two failures, whatever succeeded between them"
            );
        }
    }

    #[tokio::test]
    async fn failures_expire_with_the_window() {
        let (all, _dir) = both(1, 100, Duration::from_millis(30)).await;
        for limits in &all {
            let client = address("192.0.2.1");
            let _ = limits.attempt("ada", client).await.unwrap();
            assert!(limits.attempt("ada", client).await.is_err());
            tokio::time::sleep(Duration::from_millis(40)).await;
            assert!(limits.attempt("ada", client).await.is_ok());
            limits.purge_expired().await.unwrap();
        }
    }
}
