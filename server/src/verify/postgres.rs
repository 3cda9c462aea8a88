//! `/verify` on PostgreSQL in one round trip: one call of the function
//! `verify_app_password` (migration 0008) counts the attempt against the
//! shared failure budget, finds the app password by its digest under the
//! caller's service scope, and records its last use when stale, in one
//! transaction ([`FailureLimits::judge_at_once`] says what it keeps of the
//! rules). A login with passwords of the old form comes back undecided,
//! for the multi-trip path in `verify.rs`.
//!
//! [`FailureLimits::judge_at_once`]: crate::rate_limit::FailureLimits::judge_at_once

use deadpool_postgres::Pool;

use super::{service_pattern, UsedAppPassword, LAST_USE_PRECISION_SECONDS};
use crate::error::Error;
use crate::rate_limit::{Judged, Terms, Turn};
use crate::service_credentials::Caller;
use crate::{rfc3339, unix_now, AppState};

/// The one statement; its parameters in the function's order.
const VERIFY: &str = "SELECT outcome, retry_after, id, name, login_failures
     FROM verify_app_password($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

/// What a typed password whose digests are `digest` (and `previous`, during
/// a key rotation) is, for `login` asking through `caller`: right (its use
/// recorded), wrong (counted and slowed), or undecided (the old form).
/// Refused with 429 when the budget is spent, as [`FailureLimits::attempt`]
/// refuses.
///
/// [`FailureLimits::attempt`]: crate::rate_limit::FailureLimits::attempt
pub(super) async fn judge(
    state: &AppState,
    pool: &Pool,
    login: &str,
    digest: &str,
    previous: Option<&str>,
    caller: &Caller,
) -> Result<Judged<UsedAppPassword>, Error> {
    let asked = Asked {
        login,
        digest,
        previous,
        pattern: service_pattern(caller),
        client: caller.client_address.to_string(),
        service: caller.service.as_deref(),
    };
    let asked = &asked;
    state
        .limits
        .judge_at_once(login, caller.client_address, |terms| async move {
            look(pool, terms, asked).await
        })
        .await
}

/// What the caller asks, as the statement takes it.
struct Asked<'a> {
    login: &'a str,
    digest: &'a str,
    previous: Option<&'a str>,
    pattern: String,
    client: String,
    service: Option<&'a str>,
}

/// One call of the function: its answer as a turn.
async fn look(
    pool: &Pool,
    terms: Terms,
    asked: &Asked<'_>,
) -> Result<Turn<Judged<UsedAppPassword>>, Error> {
    let client = pool.get().await?;
    let now = unix_now();
    let answer = async {
        let statement = client.prepare_cached(VERIFY).await?;
        client
            .query_one(
                &statement,
                &[
                    &asked.login,
                    &asked.digest,
                    &asked.previous,
                    &asked.pattern,
                    &terms.login_and_address,
                    &terms.address,
                    &terms.login,
                    &terms.per_login_address,
                    &terms.per_address,
                    &terms.window_ms,
                    &terms.stale_ms,
                    &terms.now_ms,
                    &terms.attempt,
                    &rfc3339(now),
                    &rfc3339(now - LAST_USE_PRECISION_SECONDS),
                    &asked.client,
                    &asked.service,
                ],
            )
            .await
    }
    .await;
    let row = match answer {
        Ok(row) => row,
        Err(err) => {
            if client.is_closed() {
                // What closed this one (PostgreSQL restarted, or ended this
                // instance's sessions) most likely closed the idle ones
                // too, which would each fail a verification before it is
                // noticed: the synchronous pool drops them alike.
                pool.retain(|_, _| false);
            }
            return Err(err.into());
        }
    };
    let outcome: &str = row.try_get(0)?;
    Ok(match outcome {
        "right" => Turn::Go(Judged::Right(UsedAppPassword {
            id: row.try_get(2)?,
            name: row.try_get(3)?,
        })),
        "wrong" => Turn::Go(Judged::Wrong(row.try_get(4)?)),
        "old_form" => Turn::Go(Judged::Undecided),
        "wait" => Turn::Wait,
        "limited" => Turn::Refused(u64::try_from(row.try_get::<_, i64>(1)?).unwrap_or(1)),
        other => {
            return Err(Error::Postgres(format!(
                "verify_app_password answered {other:?}"
            )))
        }
    })
}
