//! `/verify` with the failures counted in memory (SQLite) in one database
//! call: the lookup by digest reads, the verdict is counted under the
//! counts' lock ([`FailureLimits::count_judged`]), and only a right
//! password whose last use is stale (or whose digest is under the previous
//! key) takes a second call, to write. Before, every verification first
//! reserved its turn, and right passwords sent at once from one address
//! queued behind the budget of wrong ones: ten in flight, the rest woken
//! together each time one ended.
//!
//! The rules are those of PostgreSQL's one round trip ([`super::postgres`]):
//! a spent budget is refused before anything is looked up, so that a
//! refusal takes the same time whatever was typed; no verdict is answered
//! while failures have spent a budget, and none, right or wrong, while
//! attempts in flight on the reserving path could spend one; wrong
//! passwords sent at once are counted one by one under the lock, so
//! exactly the budget's worth are answered and the rest refused; a right
//! password counts nothing. A verdict is counted before it is answered: a
//! request dropped before that has told its sender nothing. A login with
//! passwords of the old form comes back undecided, for the path in
//! `verify.rs` that reserves first.
//!
//! [`FailureLimits::count_judged`]: crate::rate_limit::FailureLimits::count_judged

use super::{look_up, record_use, Looked, UsedAppPassword};
use crate::error::Error;
use crate::rate_limit::Judged;
use crate::service_credentials::Caller;
use crate::AppState;

/// What a typed password whose digests are `digest` (and `previous`, during
/// a key rotation) is, for `login` asking through `caller`: right (its use
/// recorded), wrong (counted and slowed), or undecided (the old form, or
/// counts kept in the database). Refused with 429 when the budget is spent.
pub(super) async fn judge(
    state: &AppState,
    login: &str,
    digest: &str,
    previous: Option<&str>,
    caller: &Caller,
) -> Result<Judged<UsedAppPassword>, Error> {
    state
        .limits
        .room_to_judge(login, caller.client_address)
        .await?;
    let asked = (
        login.to_owned(),
        digest.to_owned(),
        previous.map(str::to_owned),
        caller.clone(),
    );
    let looked = state
        .db
        .call(move |conn| {
            let (login, digest, previous, caller) = asked;
            look_up(conn, &login, &digest, previous.as_deref(), &caller)
        })
        .await?;
    let valid = match looked {
        Looked::OldForm { .. } => return Ok(Judged::Undecided),
        Looked::Row { row, by_previous } if !row.expired() => Some((row, by_previous)),
        Looked::Row { .. } | Looked::Nothing => None,
    };
    let counted = state
        .limits
        .count_judged(login, caller.client_address, valid.is_some())
        .await?;
    Ok(match (counted, valid) {
        (Judged::Right(()), Some((row, by_previous))) => {
            if by_previous || !row.recorded(caller) {
                let (row, moved_to, caller) =
                    (row, by_previous.then(|| digest.to_owned()), caller.clone());
                return state
                    .db
                    .call(move |conn| {
                        record_use(conn, &row, moved_to.as_deref(), &caller)?;
                        Ok(Judged::Right(row.used()))
                    })
                    .await;
            }
            Judged::Right(row.used())
        }
        (Judged::Wrong(of_login), _) => Judged::Wrong(of_login),
        // Counted elsewhere (never with a verdict of its own here).
        _ => Judged::Undecided,
    })
}
