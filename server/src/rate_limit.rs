//! Counting failed attempts per key (a login, a client address) in a
//! sliding window, to slow down password and code guessing.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;

/// Allows at most `max` failures per key within `window`.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter of `max` failures per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max: max as usize,
            window,
            failures: Mutex::default(),
        }
    }

    /// `Err(seconds)` when `key` has used up its failures: the seconds until
    /// the oldest one leaves the window (for `Retry-After`).
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = self.lock();
        let Some(times) = failures.get_mut(key) else {
            return Ok(());
        };
        Self::forget_old(times, now, self.window);
        if times.len() < self.max {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let wait = self.window.saturating_sub(now.duration_since(oldest));
        Err(wait.as_secs().max(1))
    }

    /// Counts one failure against `key`.
    pub fn record_failure(&self, key: &str) {
        let now = Instant::now();
        let mut failures = self.lock();
        // Keep memory bounded whatever the traffic: drop keys whose
        // failures have all expired.
        if failures.len() > 10_000 {
            let window = self.window;
            failures.retain(|_, times| {
                Self::forget_old(times, now, window);
                !times.is_empty()
            });
        }
        failures.entry(key.to_owned()).or_default().push_back(now);
    }

    /// Forgets `key`'s failures (after a success).
    pub fn reset(&self, key: &str) {
        self.lock().remove(key);
    }

    fn forget_old(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The limits on guessing passwords and codes: failures are counted per
/// login and per client address, and either running out is refused with 429.
pub struct FailureLimits {
    per_login: RateLimiter,
    per_address: RateLimiter,
}

impl FailureLimits {
    /// Limits of `per_login` and `per_address` failures per `window`.
    pub fn new(per_login: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_login: RateLimiter::new(per_login, window),
            per_address: RateLimiter::new(per_address, window),
        }
    }

    /// Refuses with 429 `rate-limited` when the login or address has no
    /// attempts left.
    pub fn check(&self, login: &str, address: IpAddr) -> Result<(), Error> {
        self.per_login
            .check(&login_key(login))
            .and_then(|()| self.per_address.check(&address.to_string()))
            .map_err(|retry_after_seconds| Error::RateLimited {
                retry_after_seconds,
            })
    }

    /// Counts a failed attempt against both.
    pub fn failed(&self, login: &str, address: IpAddr) {
        self.per_login.record_failure(&login_key(login));
        self.per_address.record_failure(&address.to_string());
    }

    /// Clears the login's failures after a success.
    pub fn succeeded(&self, login: &str) {
        self.per_login.reset(&login_key(login));
    }
}

/// Logins compare without case or surrounding space here, so that `Ada`
/// and `ada ` share one budget.
fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_max_failures_and_says_how_long_to_wait() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert_eq!(limiter.check("login:ada"), Ok(()));
        limiter.record_failure("login:ada");
        limiter.record_failure("login:ada");
        let wait = limiter.check("login:ada").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(limiter.check("login:bob"), Ok(()), "keys are separate");
        limiter.reset("login:ada");
        assert_eq!(limiter.check("login:ada"), Ok(()));
    }

    #[test]
    fn failures_expire_with_the_window() {
        let limiter = RateLimiter::new(1, Duration::from_millis(30));
        limiter.record_failure("k");
        assert!(limiter.check("k").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(limiter.check("k"), Ok(()));
    }
}
