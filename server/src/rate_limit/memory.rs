//! Failures counted in this process (SQLite, which one instance alone
//! opens): the verifier's hot path then writes nothing to the database for
//! a success.
//!
//! Memory is bounded by what an attacker can make the server keep: each
//! client address holds at most its own per-address budget of failures (16
//! bytes each), and addresses and logins are keyed by 64-bit keyed hashes
//! ([`super::Keys`]) rather than their text. A login's failures from every
//! address, which only slow its failures down, are a count in a fixed
//! window that starts at its first failure: no list per login. Expired
//! failures go when their address is next counted and in the regular purge
//! ([`Tallies::sweep`]), never in a sweep on the hot path, so the cost of
//! one failure does not grow with the table.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One failure from an address.
#[derive(Clone, Copy)]
struct Failure {
    /// The login's tag ([`super::Keys::login_tag`]).
    login: u64,
    /// Milliseconds since [`Tallies::epoch`].
    at_ms: u64,
}

/// What is in flight, by login and address or by address alone.
type PendingKey = (Option<u64>, u64);

/// A login's failures from every address since `since_ms`.
#[derive(Clone, Copy)]
struct LoginFailures {
    since_ms: u64,
    count: u32,
}

/// The failures of the window, and the attempts being judged.
pub(super) struct Tallies {
    window_ms: u64,
    epoch: Instant,
    /// Per address: its failures in the window, oldest first.
    addresses: HashMap<u64, Vec<Failure>>,
    /// Per login: its failures from every address.
    logins: HashMap<u64, LoginFailures>,
    /// Attempts reserved and not yet judged.
    pending: HashMap<PendingKey, u32>,
}

/// Whether the attempts in flight, with the failures counted, could spend
/// a budget.
struct Crowded(bool);

/// Whether an attempt may be judged now; with `T`, what a look that also
/// judged found ([`super::FailureLimits::judge_at_once`]).
pub enum Turn<T = ()> {
    /// Reserved: judge it (or judged: `T`).
    Go(T),
    /// Others in flight may use up the budget: wait for them.
    Wait,
    /// The budget is spent by failures; the oldest leaves in this many
    /// seconds.
    Refused(u64),
}

impl Tallies {
    pub(super) fn new(window: Duration) -> Self {
        Self {
            window_ms: u64::try_from(window.as_millis()).unwrap_or(u64::MAX),
            epoch: Instant::now(),
            addresses: HashMap::new(),
            logins: HashMap::new(),
            pending: HashMap::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Reserves an attempt of `login` from `address` when neither budget
    /// (`per_login_address`, `per_address`) can be spent by the failures
    /// counted plus the attempts in flight.
    pub(super) fn reserve(
        &mut self,
        login: u64,
        address: u64,
        per_login_address: usize,
        per_address: usize,
    ) -> Turn {
        match self.room(login, address, per_login_address, per_address) {
            Err(seconds) => Turn::Refused(seconds),
            Ok(Crowded(true)) => Turn::Wait,
            Ok(Crowded(false)) => {
                *self.pending.entry((Some(login), address)).or_default() += 1;
                *self.pending.entry((None, address)).or_default() += 1;
                Turn::Go(())
            }
        }
    }

    /// Counts the `verdict` on an attempt judged without a reservation (the
    /// verifier's [`super::FailureLimits::count_judged`]), as the
    /// database's `verify_app_password` counts one: refused while failures
    /// have spent a budget; waiting while the attempts in flight could
    /// spend one, whatever the verdict (a right one going on while a wrong
    /// one waits would tell them apart before the wrong one is counted);
    /// then a right one counts nothing, and a wrong one is counted, with
    /// the login's failures from every address. Without a verdict (not
    /// judged yet), whether it may be: [`super::Judged::Undecided`].
    pub(super) fn judged(
        &mut self,
        login: u64,
        address: u64,
        verdict: Option<bool>,
        per_login_address: usize,
        per_address: usize,
    ) -> Turn<super::Judged<()>> {
        match (
            self.room(login, address, per_login_address, per_address),
            verdict,
        ) {
            (Err(seconds), _) => Turn::Refused(seconds),
            (Ok(Crowded(true)), _) => Turn::Wait,
            (Ok(_), None) => Turn::Go(super::Judged::Undecided),
            (Ok(_), Some(true)) => Turn::Go(super::Judged::Right(())),
            (Ok(_), Some(false)) => {
                let of_every_address = self.count_failure(login, address);
                Turn::Go(super::Judged::Wrong(of_every_address as i64))
            }
        }
    }

    /// Whether `login` from `address` may be judged: with the seconds until
    /// the oldest failure leaves the window when failures have spent either
    /// budget (forgetting failures older than the window); else whether the
    /// attempts in flight could spend one.
    fn room(
        &mut self,
        login: u64,
        address: u64,
        per_login_address: usize,
        per_address: usize,
    ) -> Result<Crowded, u64> {
        let now = self.now_ms();
        let window = self.window_ms;
        let failures = self.addresses.get_mut(&address);
        let (of_login, of_address, oldest_of_login, oldest) = match failures {
            Some(failures) => {
                let expired = failures
                    .iter()
                    .take_while(|f| now.saturating_sub(f.at_ms) >= window)
                    .count();
                failures.drain(..expired);
                let of_login = failures.iter().filter(|f| f.login == login);
                (
                    of_login.clone().count(),
                    failures.len(),
                    of_login.map(|f| f.at_ms).next(),
                    failures.first().map(|f| f.at_ms),
                )
            }
            None => (0, 0, None, None),
        };
        let wait = |oldest: Option<u64>| {
            let left = oldest.map_or(window, |at| (at + window).saturating_sub(now));
            left.div_ceil(1000).max(1)
        };
        if of_login >= per_login_address {
            return Err(wait(oldest_of_login));
        }
        if of_address >= per_address {
            return Err(wait(oldest));
        }
        let in_flight = |key| self.pending.get(&key).copied().unwrap_or(0) as usize;
        Ok(Crowded(
            of_login + in_flight((Some(login), address)) >= per_login_address
                || of_address + in_flight((None, address)) >= per_address,
        ))
    }

    /// Ends a reserved attempt; a failure is counted. Returns how many
    /// failures the login now has from every address (0 for a success).
    pub(super) fn settle(&mut self, login: u64, address: u64, failed: bool) -> usize {
        for key in [(Some(login), address), (None, address)] {
            if let Entry::Occupied(mut left) = self.pending.entry(key) {
                *left.get_mut() -= 1;
                if *left.get() == 0 {
                    left.remove();
                }
            }
        }
        if !failed {
            return 0;
        }
        self.count_failure(login, address)
    }

    /// Counts a failure of `login` from `address`; returns how many
    /// failures the login now has from every address.
    fn count_failure(&mut self, login: u64, address: u64) -> usize {
        let now = self.now_ms();
        let failures = self.addresses.entry(address).or_default();
        // Most addresses fail once: room for one, not the four a Vec
        // takes by default.
        failures.reserve_exact(1);
        failures.push(Failure { login, at_ms: now });
        let window = self.window_ms;
        let of_login = self.logins.entry(login).or_insert(LoginFailures {
            since_ms: now,
            count: 0,
        });
        if now.saturating_sub(of_login.since_ms) >= window {
            *of_login = LoginFailures {
                since_ms: now,
                count: 0,
            };
        }
        of_login.count = of_login.count.saturating_add(1);
        of_login.count as usize
    }

    /// Forgets the failures that have left the window, and the memory
    /// they held.
    pub(super) fn sweep(&mut self) {
        let now = self.now_ms();
        let window = self.window_ms;
        self.addresses.retain(|_, failures| {
            failures.retain(|f| now.saturating_sub(f.at_ms) < window);
            failures.shrink_to_fit();
            !failures.is_empty()
        });
        self.logins
            .retain(|_, of_login| now.saturating_sub(of_login.since_ms) < window);
        self.addresses.shrink_to_fit();
        self.logins.shrink_to_fit();
    }

    /// How many addresses have failures counted, for tests of the memory
    /// bound.
    #[cfg(test)]
    pub(super) fn addresses(&self) -> usize {
        self.addresses.len()
    }
}
