//! Counting and judging an attempt at once, in the database (PostgreSQL's
//! `verify_app_password`, migration 0008): the verifier's hot path, one
//! round trip where reserving, judging and settling took about fourteen.
//!
//! The database judges the attempt in the transaction that checks the
//! budget and writes a failure, so the attempt is never in flight and needs
//! no reservation: the rules of [`super::shared`] hold (the same rows, the
//! same keys and locks, the same stale rows counted as failures), and a
//! success gives back only its own count by counting nothing.
//!
//! Counts in memory (SQLite) take the same rules the other way round: the
//! verifier judges first, with no reservation, and
//! [`FailureLimits::count_judged`] then counts the verdict under the
//! counts' lock, where nothing else can move them. A verification
//! reserves nothing, so right passwords sent at once from one address
//! (nginx's `auth_request` verifying each request of a page) do not queue
//! behind each other; any verdict, right or wrong alike, waits only while
//! attempts that did reserve (sign-in, codes, the old form) could spend
//! the budget.

use std::hash::BuildHasher;
use std::net::IpAddr;

use super::{lock, shared, Counts, FailureLimits, Keys, Turn};
use crate::crypto::random_token;
use crate::error::Error;

/// What the database needs to count and judge one attempt.
#[derive(Clone)]
pub struct Terms {
    /// The key of the login from the address.
    pub login_and_address: String,
    /// The key of the address.
    pub address: String,
    /// The key of the login from every address.
    pub login: String,
    /// Failures the login may have from the address in the window.
    pub per_login_address: i64,
    /// Failures the address may have in the window.
    pub per_address: i64,
    /// The window, in milliseconds.
    pub window_ms: i64,
    /// After how long an attempt not judged counts as failed.
    pub stale_ms: i64,
    /// Now, in milliseconds since the Unix epoch, as the other paths count.
    pub now_ms: i64,
    /// The attempt's id, under which its failure is written.
    pub attempt: String,
}

/// What judging at once came to.
pub enum Judged<T> {
    /// Right: `T`, and nothing counted.
    Right(T),
    /// Wrong: counted, and slowed as [`super::Attempt::failed`] slows, by
    /// the login's failures from every address (which it holds).
    Wrong(i64),
    /// Not judged, nothing counted: the caller takes the path that
    /// reserves first ([`FailureLimits::attempt`]).
    Undecided,
}

impl FailureLimits {
    /// Counts and judges an attempt of `login` from `address` at once with
    /// `judge`, which gets the [`Terms`] and answers with the turn it found:
    /// go with its verdict, wait (looked at again, as
    /// [`FailureLimits::attempt`] waits), or refused (429). A wrong
    /// verdict is slowed here. Counts kept in memory have no database to
    /// judge in: [`Judged::Undecided`].
    pub async fn judge_at_once<T, F, Fut>(
        &self,
        login: &str,
        address: IpAddr,
        mut judge: F,
    ) -> Result<Judged<T>, Error>
    where
        F: FnMut(Terms) -> Fut,
        Fut: std::future::Future<Output = Result<Turn<Judged<T>>, Error>>,
    {
        if matches!(self.counts, Counts::Memory(_)) {
            return Ok(Judged::Undecided);
        }
        let keys = Keys::new(login, address, self.ipv6_prefix);
        let terms = Terms {
            login_and_address: keys.login_and_address,
            address: keys.address,
            login: keys.login,
            per_login_address: self.per_login_address as i64,
            per_address: self.per_address as i64,
            window_ms: self.window_ms(),
            stale_ms: shared::STALE_MS,
            now_ms: 0,
            attempt: random_token(16),
        };
        let judged = self
            .in_turn(|| {
                judge(Terms {
                    now_ms: shared::now_ms(),
                    ..terms.clone()
                })
            })
            .await?;
        if let Judged::Wrong(of_login) = judged {
            self.slow_failure(usize::try_from(of_login).unwrap_or(usize::MAX))
                .await;
        }
        Ok(judged)
    }

    /// Counts the verdict on an attempt of `login` from `address` that was
    /// judged `right` or not before it was counted, for counts in memory:
    /// refused (429) while failures have spent a budget, whatever the
    /// verdict; waiting while attempts in flight could spend a budget,
    /// whatever the verdict; then a wrong verdict is counted and slowed.
    /// Counts in the database are counted where they are judged
    /// ([`FailureLimits::judge_at_once`]): [`Judged::Undecided`].
    pub async fn count_judged(
        &self,
        login: &str,
        address: IpAddr,
        right: bool,
    ) -> Result<Judged<()>, Error> {
        self.count_verdict(login, address, Some(right)).await
    }

    /// What [`FailureLimits::count_judged`] does before the verdict is
    /// known: refuses (429) at once when failures have spent a budget, and
    /// waits while attempts in flight could spend one. Called before the
    /// lookup, so that a spent budget is answered alike and as fast
    /// whatever was typed: after it, the lookup's time would tell a right
    /// guess (one query) from a wrong one (two).
    pub async fn room_to_judge(&self, login: &str, address: IpAddr) -> Result<(), Error> {
        self.count_verdict(login, address, None).await.map(drop)
    }

    async fn count_verdict(
        &self,
        login: &str,
        address: IpAddr,
        verdict: Option<bool>,
    ) -> Result<Judged<()>, Error> {
        let Counts::Memory(tallies) = &self.counts else {
            return Ok(Judged::Undecided);
        };
        let keys = Keys::new(login, address, self.ipv6_prefix);
        let (tag, address_tag) = (
            self.tags.hash_one(&keys.login),
            self.tags.hash_one(keys.address_key),
        );
        let judged = self
            .in_turn(|| async {
                Ok(lock(tallies).judged(
                    tag,
                    address_tag,
                    verdict,
                    self.per_login_address,
                    self.per_address,
                ))
            })
            .await?;
        if let Judged::Wrong(of_login) = judged {
            self.slow_failure(usize::try_from(of_login).unwrap_or(usize::MAX))
                .await;
        }
        Ok(judged)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::task::JoinSet;

    use super::*;

    /// What `count_judged` came to for each of `times` verdicts (`right` or
    /// not) of `login` from `client` counted at once.
    async fn at_once(
        limits: &Arc<FailureLimits>,
        client: IpAddr,
        right: bool,
        times: usize,
    ) -> (usize, usize, usize) {
        let mut all = JoinSet::new();
        for _ in 0..times {
            let limits = limits.clone();
            all.spawn(async move { limits.count_judged("ada", client, right).await });
        }
        let (mut rights, mut wrongs, mut refused) = (0, 0, 0);
        while let Some(counted) = all.join_next().await {
            match counted.unwrap() {
                Ok(Judged::Right(())) => rights += 1,
                Ok(Judged::Wrong(_)) => wrongs += 1,
                Err(Error::RateLimited { .. }) => refused += 1,
                Ok(Judged::Undecided) => panic!("counts in memory decide"),
                Err(other) => panic!("{other}"),
            }
        }
        (rights, wrongs, refused)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verdicts_counted_after_judging_spend_the_budget_exactly() {
        let limits = Arc::new(FailureLimits::in_memory(
            10,
            100,
            Duration::from_secs(60),
            64,
        ));
        let client: IpAddr = "192.0.2.1".parse().unwrap();

        // Right passwords at once, many more than the budget: none waits
        // its turn or is refused, and none counts.
        assert_eq!(at_once(&limits, client, true, 64).await, (64, 0, 0));

        // Attempts in flight on the path that reserves could spend the
        // budget: every verdict waits for them, right or wrong alike (a
        // right one answered while a wrong one waits would tell them
        // apart, and the wrong one, dropped, would never be counted), and
        // so does a verification not yet judged.
        let mut reserved = Vec::new();
        for _ in 0..10 {
            reserved.push(limits.attempt("ada", client).await.unwrap());
        }
        let waiting = [Some(true), Some(false), None].map(|verdict| {
            let limits = limits.clone();
            tokio::spawn(async move { limits.count_verdict("ada", client, verdict).await })
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            waiting.iter().all(|task| !task.is_finished()),
            "every verdict waits its turn"
        );
        for attempt in reserved {
            attempt.succeeded().await;
        }
        let [right, wrong, not_yet] = waiting;
        assert!(matches!(right.await.unwrap(), Ok(Judged::Right(()))));
        assert!(matches!(wrong.await.unwrap(), Ok(Judged::Wrong(1))));
        assert!(matches!(not_yet.await.unwrap(), Ok(Judged::Undecided)));

        // Wrong passwords at once spend exactly what is left of the budget;
        // the rest are refused, and so is a right one after them.
        assert_eq!(at_once(&limits, client, false, 30).await, (0, 9, 21));
        assert_eq!(at_once(&limits, client, true, 1).await, (0, 0, 1));
        // Before any lookup, too.
        assert!(matches!(
            limits.room_to_judge("ada", client).await,
            Err(Error::RateLimited { .. })
        ));
        // Another address's owner is not refused for them.
        let owner: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(at_once(&limits, owner, true, 1).await, (1, 0, 0));
    }
}
