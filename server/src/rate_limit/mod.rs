//! Counting failed attempts (a password, a code, an app password) in a
//! sliding window, to slow down guessing without letting one person's
//! failures lock out another, and without refusing a right password.
//!
//! An attempt is reserved before it is judged ([`FailureLimits::attempt`]),
//! atomically with the check, so that attempts sent at once cannot all
//! pass the check before any is recorded. An attempt that could spend the
//! budget only together with the attempts still in flight waits its turn
//! (at most [`WAIT_MOST`], 10 s): sixteen right passwords at once from one
//! address are all judged, one after another where they must be, and none
//! is refused; thirty wrong ones at once still give exactly the budget's
//! failures and refuse the rest. A success gives its reservation back; a
//! failure is counted ([`Attempt::failed`]), and so is an attempt dropped
//! half-way.
//!
//! Refusals (429) go by what one client can spend only for itself: the
//! failures of one login from one address, and of one address whatever the
//! logins. An IPv6 client is one address per prefix
//! (`--ipv6-prefix-length`, a /64 by default), since one host commonly
//! holds a whole /64. The failures of a login from all addresses together
//! only slow down its failures (never a right password), so that a
//! stranger spraying a login cannot keep its owner out.
//!
//! Where the counts live depends on the engine: in the database for
//! PostgreSQL, which several instances may share ([`shared`]); in memory
//! for SQLite, which one instance alone opens ([`memory`]).

mod at_once;
mod memory;
mod shared;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::crypto::random_token;
use crate::db::{Db, Engine};
use crate::error::Error;
use crate::params;

pub use at_once::{Judged, Terms};
use memory::Tallies;
pub use memory::Turn;

/// The slowing of one failure per failure of its login beyond the limit.
const BACKOFF_STEP: Duration = Duration::from_millis(250);
/// The most one failure is slowed.
const BACKOFF_MOST: Duration = Duration::from_secs(2);
/// The longest an attempt waits for its turn; then it is refused for a
/// second, as if the budget were spent. Turns are not queued in order, so
/// this is generous: a right password is better late than refused.
const WAIT_MOST: Duration = Duration::from_secs(10);
/// How often an attempt waiting on another instance's attempts (which
/// cannot wake it) looks again.
const LOOK_AGAIN: Duration = Duration::from_millis(20);

/// Where the failures are counted.
enum Counts {
    /// In this process.
    Memory(Mutex<Tallies>),
    /// In the database, for every instance on it.
    Shared(Db),
}

/// The limits on guessing passwords and codes.
pub struct FailureLimits {
    counts: Counts,
    per_login_address: usize,
    per_address: usize,
    window: Duration,
    ipv6_prefix: u8,
    /// Wakes the attempts waiting for their turn when one in flight ends.
    turns: Arc<Notify>,
    /// The key of the 64-bit tags of logins and addresses in memory,
    /// random per process so that nobody can choose two that share a tag.
    tags: RandomState,
}

impl FailureLimits {
    /// `per_login_address` failures of one login from one address, and
    /// `per_address` failures of one address, per `window`, an IPv6
    /// address counting by its first `ipv6_prefix` bits; past
    /// `per_login_address` failures of a login from all addresses, its
    /// failures are slowed. Counted in `db` when it is PostgreSQL, which
    /// several instances may share; in memory for SQLite.
    pub fn new(
        db: Db,
        per_login_address: u32,
        per_address: u32,
        window: Duration,
        ipv6_prefix: u8,
    ) -> Self {
        let shared = db.engine() == Engine::Postgres;
        let mut limits = Self::in_memory(per_login_address, per_address, window, ipv6_prefix);
        if shared {
            limits.counts = Counts::Shared(db);
        }
        limits
    }

    fn in_memory(
        per_login_address: u32,
        per_address: u32,
        window: Duration,
        ipv6_prefix: u8,
    ) -> Self {
        Self {
            counts: Counts::Memory(Mutex::new(Tallies::new(window))),
            per_login_address: per_login_address as usize,
            per_address: per_address as usize,
            window,
            ipv6_prefix,
            turns: Arc::new(Notify::new()),
            tags: RandomState::new(),
        }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// Reserves one attempt for `login` from `address`, waiting its turn
    /// while the attempts in flight could spend the budget, or refuses
    /// with 429 `rate-limited` when failures have spent it. The attempt
    /// counts as failed unless [`Attempt::succeeded`] is called, even when
    /// the request is dropped half-way.
    pub async fn attempt(&self, login: &str, address: IpAddr) -> Result<Attempt<'_>, Error> {
        let keys = Keys::new(login, address, self.ipv6_prefix);
        let tag = self.tags.hash_one(&keys.login);
        let address_tag = self.tags.hash_one(keys.address_key);
        let id = random_token(16);
        self.in_turn(|| {
            let (keys, id) = (keys.clone(), id.clone());
            async move {
                Ok(match &self.counts {
                    Counts::Memory(tallies) => lock(tallies).reserve(
                        tag,
                        address_tag,
                        self.per_login_address,
                        self.per_address,
                    ),
                    Counts::Shared(db) => {
                        let (per_login_address, per_address) =
                            (self.per_login_address as i64, self.per_address as i64);
                        let window_ms = self.window_ms();
                        db.call(move |conn| {
                            shared::reserve(
                                conn,
                                &keys,
                                per_login_address,
                                per_address,
                                window_ms,
                                &id,
                            )
                        })
                        .await?
                    }
                })
            }
        })
        .await?;
        Ok(Attempt {
            limits: self,
            keys,
            tag,
            address_tag,
            id,
            settled: false,
        })
    }

    /// Looks with `look` until it says go, and returns what it found then;
    /// while it says wait, waits for an attempt in flight to end (or, for
    /// counts in the database, which another instance's attempts change
    /// without waking this one, [`LOOK_AGAIN`]), at most [`WAIT_MOST`];
    /// refuses with 429 `rate-limited` when it says the budget is spent.
    async fn in_turn<T, F, Fut>(&self, mut look: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Turn<T>, Error>>,
    {
        let deadline = tokio::time::Instant::now() + WAIT_MOST;
        loop {
            // Registered before looking, so that an attempt ending
            // between the look and the wait still wakes this one.
            let woken = self.turns.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let retry_after_seconds = match look().await? {
                Turn::Go(found) => return Ok(found),
                Turn::Refused(seconds) => seconds,
                Turn::Wait => {
                    let look_again = match self.counts {
                        Counts::Memory(_) => deadline,
                        Counts::Shared(_) => deadline.min(tokio::time::Instant::now() + LOOK_AGAIN),
                    };
                    let _ = tokio::time::timeout_at(look_again, woken).await;
                    if tokio::time::Instant::now() < deadline {
                        continue;
                    }
                    1
                }
            };
            return Err(Error::RateLimited {
                retry_after_seconds,
            });
        }
    }

    /// Forgets the failures that have left the window.
    pub async fn purge_expired(&self) -> Result<(), Error> {
        let db = match &self.counts {
            Counts::Memory(tallies) => {
                lock(tallies).sweep();
                return Ok(());
            }
            Counts::Shared(db) => db,
        };
        let since = shared::now_ms() - self.window_ms();
        db.call(move |conn| {
            conn.execute(
                "DELETE FROM attempt_failures WHERE at_ms <= ?1",
                params![since],
            )?;
            Ok(())
        })
        .await
    }

    /// Slows a failure when its login has `of_login` failures from all
    /// addresses, more than the limit.
    async fn slow_failure(&self, of_login: usize) {
        let beyond = of_login.saturating_sub(self.per_login_address);
        let backoff = BACKOFF_STEP
            .saturating_mul(u32::try_from(beyond).unwrap_or(u32::MAX))
            .min(BACKOFF_MOST);
        if !backoff.is_zero() {
            tokio::time::sleep(backoff).await;
        }
    }
}

fn lock(tallies: &Mutex<Tallies>) -> std::sync::MutexGuard<'_, Tallies> {
    // A panic while holding the lock leaves the counts sound.
    tallies
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `address` as limits count it: an IPv4 address (also in its IPv6 form)
/// alone, an IPv6 address by its first `ipv6_prefix` bits.
pub fn limited_address(address: IpAddr, ipv6_prefix: u8) -> IpAddr {
    match crate::config::canonical(address) {
        IpAddr::V6(v6) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(ipv6_prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6((u128::from(v6) & mask).into())
        }
        v4 => v4,
    }
}

/// What an attempt is counted under, each with its own prefix (the
/// database keeps them in one table).
#[derive(Clone)]
struct Keys {
    login_and_address: String,
    address: String,
    login: String,
    /// The address as counted, for the counts in memory.
    address_key: IpAddr,
}

impl Keys {
    fn new(login: &str, address: IpAddr, ipv6_prefix: u8) -> Self {
        // Logins compare without case or surrounding space here, so that
        // `Ada` and `ada ` share one budget.
        let login = login.trim().to_lowercase();
        let address_key = limited_address(address, ipv6_prefix);
        Self {
            login_and_address: format!("la:{login}\n{address_key}"),
            address: format!("a:{address_key}"),
            login: format!("l:{login}"),
            address_key,
        }
    }
}

/// One attempt, counted as a failure unless it [succeeds](Attempt::succeeded).
#[must_use = "an attempt counts as failed unless it succeeds"]
pub struct Attempt<'a> {
    limits: &'a FailureLimits,
    keys: Keys,
    /// The tags of the login and the address, for the counts in memory.
    tag: u64,
    address_tag: u64,
    /// The attempt's id, for the counts in the database.
    id: String,
    settled: bool,
}

impl Attempt<'_> {
    /// The attempt succeeded: its reservation is given back, and no wait.
    /// Earlier failures stay counted: a success proves only this attempt
    /// right. Should the database fail here, the attempt stays counted
    /// until it is stale, which costs the caller one of its attempts and
    /// nothing else; the request itself has succeeded.
    pub async fn succeeded(mut self) {
        self.settled = true;
        if let Err(err) = self.settle(false).await {
            tracing::warn!("giving back a successful attempt: {err}");
        }
    }

    /// The attempt failed with `error`: it is counted, and once its login
    /// has failed more than the limit from all addresses together, the
    /// answer is slowed (a failure only, so a right password is never
    /// slowed by what others tried). Returns `error` to answer with.
    pub async fn failed(mut self, error: Error) -> Error {
        self.settled = true;
        match self.settle(true).await {
            Ok(of_login) => self.limits.slow_failure(of_login).await,
            Err(err) => tracing::warn!("counting a failed attempt: {err}"),
        }
        error
    }

    /// Ends the reservation; returns the login's failures from all
    /// addresses.
    async fn settle(&self, failed: bool) -> Result<usize, Error> {
        let limits = self.limits;
        let of_login = match &limits.counts {
            Counts::Memory(tallies) => lock(tallies).settle(self.tag, self.address_tag, failed),
            Counts::Shared(db) => {
                let count = settle_shared(db.clone(), self.shared_rows(), failed).await?;
                usize::try_from(count).unwrap_or(usize::MAX)
            }
        };
        limits.turns.notify_waiters();
        Ok(of_login)
    }
}

impl Attempt<'_> {
    /// What the database needs to end this attempt.
    fn shared_rows(&self) -> (Keys, String, i64) {
        (self.keys.clone(), self.id.clone(), self.limits.window_ms())
    }
}

/// Ends an attempt counted in the database (its keys, id and the window),
/// for [`Attempt::settle`] and, in the background, for a dropped attempt.
async fn settle_shared(
    db: Db,
    (keys, id, window_ms): (Keys, String, i64),
    failed: bool,
) -> Result<i64, Error> {
    db.call(move |conn| shared::settle(conn, &keys, &id, failed, window_ms))
        .await
}

impl Drop for Attempt<'_> {
    /// An attempt dropped before it was judged (an error half-way, a
    /// request cancelled) counts as failed, unslowed.
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let limits = self.limits;
        match &limits.counts {
            Counts::Memory(tallies) => {
                lock(tallies).settle(self.tag, self.address_tag, true);
                limits.turns.notify_waiters();
            }
            Counts::Shared(db) => {
                // Settled in the background; should that fail, the rows
                // count as failures once stale anyway.
                let (db, rows) = (db.clone(), self.shared_rows());
                let turns = limits.turns.clone();
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move {
                        if let Err(err) = settle_shared(db, rows, true).await {
                            tracing::warn!("counting a dropped attempt: {err}");
                        }
                        turns.notify_waiters();
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Location;
    use std::time::Instant;

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
    ) -> (Vec<Arc<FailureLimits>>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&Location::Sqlite(dir.path().join("app.db")))
            .await
            .unwrap();
        let memory = FailureLimits::in_memory(per_login_address, per_address, window, 64);
        let mut shared = FailureLimits::in_memory(per_login_address, per_address, window, 64);
        shared.counts = Counts::Shared(db);
        (vec![Arc::new(memory), Arc::new(shared)], dir)
    }

    async fn fail(limits: &FailureLimits, login: &str, client: IpAddr) {
        let attempt = limits.attempt(login, client).await.unwrap();
        let _ = attempt.failed(Error::InvalidCredentials).await;
    }

    fn refused_for(result: Result<Attempt<'_>, Error>) -> u64 {
        match result {
            Err(Error::RateLimited {
                retry_after_seconds,
            }) => retry_after_seconds,
            Err(other) => panic!("refused otherwise: {other}"),
            Ok(_) => panic!("not refused"),
        }
    }

    #[tokio::test]
    async fn refuses_a_login_from_an_address_after_its_failures_only() {
        let (all, _dir) = both(2, 100, Duration::from_secs(60)).await;
        for limits in &all {
            let attacker = address("192.0.2.1");
            fail(limits, "Ada", attacker).await;
            fail(limits, "ada ", attacker).await;
            let retry = refused_for(limits.attempt("ada", attacker).await);
            assert!((59..=60).contains(&retry), "{retry}");
            let owner = limits.attempt("ada", address("198.51.100.7")).await;
            owner.unwrap().succeeded().await;
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
                fail(limits, login, attacker).await;
            }
            refused_for(limits.attempt("d", attacker).await);
            assert!(limits.attempt("d", address("192.0.2.2")).await.is_ok());
        }
    }

    #[tokio::test]
    async fn an_ipv6_client_counts_by_its_prefix() {
        let (all, _dir) = both(10, 3, Duration::from_secs(60)).await;
        for limits in &all {
            for host in ["2001:db8:77::1", "2001:db8:77::2", "2001:db8:77:0:ffff::9"] {
                fail(limits, host, address(host)).await;
            }
            refused_for(limits.attempt("x", address("2001:db8:77::abcd")).await);
            assert!(
                limits.attempt("x", address("2001:db8:78::1")).await.is_ok(),
                "another /64 is another client"
            );
        }
        assert_eq!(
            limited_address(address("2001:db8:1:2:3:4:5:6"), 48),
            address("2001:db8:1::")
        );
        assert_eq!(
            limited_address(address("::ffff:192.0.2.1"), 64),
            address("192.0.2.1")
        );
    }

    #[tokio::test]
    async fn a_dropped_attempt_counts_as_failed() {
        let (all, _dir) = both(1, 100, Duration::from_secs(60)).await;
        for limits in &all {
            drop(limits.attempt("ada", address("192.0.2.1")).await.unwrap());
            // Settled in the background in the database: wait for it.
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match limits.attempt("ada", address("192.0.2.1")).await {
                    Err(Error::RateLimited { .. }) => break,
                    Ok(attempt) => {
                        attempt.succeeded().await;
                        assert!(Instant::now() < deadline, "never counted");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(other) => panic!("{other}"),
                }
            }
        }
    }

    #[tokio::test]
    async fn a_success_gives_back_only_its_own_reservation() {
        let (all, _dir) = both(2, 100, Duration::from_secs(60)).await;
        for limits in &all {
            let client = address("::ffff:192.0.2.1");
            fail(limits, "ada", client).await;
            limits
                .attempt("ada", client)
                .await
                .unwrap()
                .succeeded()
                .await;
            fail(limits, "ada", address("192.0.2.1")).await;
            refused_for(limits.attempt("ada", client).await);
        }
    }

    #[tokio::test]
    async fn failures_expire_with_the_window() {
        let (all, _dir) = both(1, 100, Duration::from_millis(30)).await;
        for limits in &all {
            let client = address("192.0.2.1");
            fail(limits, "ada", client).await;
            refused_for(limits.attempt("ada", client).await);
            tokio::time::sleep(Duration::from_millis(40)).await;
            assert!(limits.attempt("ada", client).await.is_ok());
            limits.purge_expired().await.unwrap();
        }
    }

    /// Sixteen right passwords at once, over a budget of two, are each
    /// judged in turn; none is refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn right_attempts_in_parallel_wait_their_turn() {
        let (all, _dir) = both(2, 3, Duration::from_secs(60)).await;
        for limits in all {
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let limits = limits.clone();
                    tokio::spawn(async move {
                        let attempt = limits.attempt("ada", address("192.0.2.1")).await?;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        attempt.succeeded().await;
                        Ok::<_, Error>(())
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
        }
    }

    /// Thirty wrong passwords at once give exactly the budget's failures,
    /// and the rest are refused with a true Retry-After.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn wrong_attempts_in_parallel_spend_exactly_the_budget() {
        let (all, _dir) = both(10, 100, Duration::from_secs(60)).await;
        for limits in all {
            let tasks: Vec<_> = (0..30)
                .map(|_| {
                    let limits = limits.clone();
                    tokio::spawn(async move {
                        match limits.attempt("ada", address("192.0.2.1")).await {
                            Ok(attempt) => {
                                tokio::time::sleep(Duration::from_millis(5)).await;
                                let _ = attempt.failed(Error::InvalidCredentials).await;
                                None
                            }
                            Err(Error::RateLimited {
                                retry_after_seconds,
                            }) => Some(retry_after_seconds),
                            Err(other) => panic!("{other}"),
                        }
                    })
                })
                .collect();
            let mut judged = 0;
            for task in tasks {
                match task.await.unwrap() {
                    None => judged += 1,
                    Some(retry) => assert!((59..=60).contains(&retry), "{retry}"),
                }
            }
            assert_eq!(judged, 10);
        }
    }

    /// Once a login has failed beyond the limit from everywhere, its
    /// failures are slowed, and a right password is not.
    #[tokio::test]
    async fn only_failures_are_slowed() {
        let (all, _dir) = both(2, 100, Duration::from_secs(60)).await;
        for limits in &all {
            for n in 0..4 {
                fail(limits, "ada", address(&format!("192.0.2.{n}"))).await;
            }
            let started = Instant::now();
            let owner = limits.attempt("ada", address("198.51.100.7")).await;
            owner.unwrap().succeeded().await;
            assert!(started.elapsed() < Duration::from_millis(100));
            let started = Instant::now();
            fail(limits, "ada", address("198.51.100.8")).await;
            assert!(
                started.elapsed() >= BACKOFF_STEP * 3,
                "{:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn expired_failures_are_swept_away() {
        let mut tallies = Tallies::new(Duration::from_millis(10));
        for address in 0..1000 {
            assert!(matches!(tallies.reserve(1, address, 5, 5), Turn::Go(())));
            tallies.settle(1, address, true);
        }
        assert_eq!(tallies.addresses(), 1000);
        std::thread::sleep(Duration::from_millis(20));
        tallies.sweep();
        assert_eq!(tallies.addresses(), 0);
    }
}
