//! Counting and judging an attempt at once, in the database (PostgreSQL's
//! `verify_app_password`, migration 0008): the verifier's hot path, one
//! round trip where reserving, judging and settling took about fourteen.
//!
//! The database judges the attempt in the transaction that checks the
//! budget and writes a failure, so the attempt is never in flight and needs
//! no reservation: the rules of [`super::shared`] hold (the same rows, the
//! same keys and locks, the same stale rows counted as failures), and a
//! success gives back only its own count by counting nothing.

use std::net::IpAddr;

use super::{shared, Counts, FailureLimits, Keys, Turn};
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
}
