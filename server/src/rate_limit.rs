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
//! The counters live in memory, behind [`FailureLimits`] alone, so that a
//! shared store can replace them without touching the handlers.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;

/// The slowing of one attempt per failure of its login beyond the limit.
const BACKOFF_STEP: Duration = Duration::from_millis(250);
/// The most one attempt is slowed.
const BACKOFF_MOST: Duration = Duration::from_secs(2);
/// Keys kept before the expired ones are swept, to bound memory.
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

/// The limits on guessing passwords and codes.
pub struct FailureLimits {
    per_login_address: usize,
    per_address: usize,
    login_and_address: Window,
    address: Window,
    login: Window,
}

impl FailureLimits {
    /// `per_login_address` failures of one login from one address, and
    /// `per_address` failures of one address, per `window`; past
    /// `per_login_address` failures of a login from all addresses, its
    /// attempts are slowed.
    pub fn new(per_login_address: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_login_address: per_login_address as usize,
            per_address: per_address as usize,
            login_and_address: Window::new(window),
            address: Window::new(window),
            login: Window::new(window),
        }
    }

    /// Reserves one failed attempt for `login` from `address`, or refuses
    /// with 429 `rate-limited` when either has none left. The attempt
    /// counts as failed unless [`Attempt::succeeded`] is called, even when
    /// the request is dropped half-way.
    pub fn attempt(&self, login: &str, address: IpAddr) -> Result<Attempt<'_>, Error> {
        let at = Instant::now();
        let keys = Keys::new(login, address);
        let refused = |retry_after_seconds| Error::RateLimited {
            retry_after_seconds,
        };
        self.login_and_address
            .reserve(&keys.login_and_address, at, Some(self.per_login_address))
            .map_err(refused)?;
        if let Err(wait) = self
            .address
            .reserve(&keys.address, at, Some(self.per_address))
        {
            self.login_and_address
                .give_back(&keys.login_and_address, at);
            return Err(refused(wait));
        }
        let of_login = self.login.reserve(&keys.login, at, None).unwrap_or(0);
        let beyond = of_login.saturating_sub(self.per_login_address) as u32;
        let backoff = BACKOFF_STEP.saturating_mul(beyond).min(BACKOFF_MOST);
        Ok(Attempt {
            limits: self,
            keys,
            at,
            backoff,
        })
    }
}

/// What an attempt is counted under.
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
            login_and_address: format!("{login}\n{address}"),
            address,
            login,
        }
    }
}

/// One attempt, counted as a failure until it [succeeds](Attempt::succeeded).
#[must_use = "an attempt counts as failed unless it succeeds"]
pub struct Attempt<'a> {
    limits: &'a FailureLimits,
    keys: Keys,
    at: Instant,
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
    pub fn succeeded(self) {
        let limits = self.limits;
        limits
            .login_and_address
            .give_back(&self.keys.login_and_address, self.at);
        limits.address.give_back(&self.keys.address, self.at);
        limits.login.give_back(&self.keys.login, self.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn refuses_a_login_from_an_address_after_its_failures_only() {
        let limits = FailureLimits::new(2, 100, Duration::from_secs(60));
        let attacker = address("192.0.2.1");
        let _ = limits.attempt("Ada", attacker).unwrap();
        let _ = limits.attempt("ada ", attacker).unwrap();
        let Err(Error::RateLimited {
            retry_after_seconds,
        }) = limits.attempt("ada", attacker)
        else {
            panic!("not refused");
        };
        assert!((1..=60).contains(&retry_after_seconds));
        let owner = limits.attempt("ada", address("198.51.100.7")).unwrap();
        assert_eq!(owner.backoff, BACKOFF_STEP, "slowed, not refused");
        owner.succeeded();
        assert!(
            limits.attempt("bob", attacker).is_ok(),
            "logins are separate"
        );
    }

    #[test]
    fn refuses_an_address_after_its_failures_whatever_the_logins() {
        let limits = FailureLimits::new(10, 3, Duration::from_secs(60));
        let attacker = address("192.0.2.1");
        for login in ["a", "b", "c"] {
            let _ = limits.attempt(login, attacker).unwrap();
        }
        assert!(limits.attempt("d", attacker).is_err());
        assert!(limits.attempt("d", address("192.0.2.2")).is_ok());
    }

    #[test]
    fn a_success_gives_back_only_its_own_reservation() {
        let limits = FailureLimits::new(2, 100, Duration::from_secs(60));
        let client = address("::ffff:192.0.2.1");
        let _ = limits.attempt("ada", client).unwrap();
        limits.attempt("ada", client).unwrap().succeeded();
        let _ = limits.attempt("ada", address("192.0.2.1")).unwrap();
        assert!(
            limits.attempt("ada", client).is_err(),
            "two failures, whatever succeeded between them"
        );
    }

    #[test]
    fn failures_expire_with_the_window() {
        let limits = FailureLimits::new(1, 100, Duration::from_millis(30));
        let client = address("192.0.2.1");
        let _ = limits.attempt("ada", client).unwrap();
        assert!(limits.attempt("ada", client).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limits.attempt("ada", client).is_ok());
    }
}
