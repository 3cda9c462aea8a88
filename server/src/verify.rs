//! `GET /verify`: the verifier that real services ask (Dovecot's passdb,
//! nginx's `auth_request`) when a client signs in with an app password. Not
//! part of the page's contract.
//!
//! An app password is found by its keyed digest ([`DigestKey`]): one HMAC
//! and one indexed lookup, then a check that it belongs to the login and has
//! not expired. Passwords made before digests were kept have only an
//! Argon2id hash under their user's salt; they are checked that way and
//! moved to a digest the first time they verify.
//!
//! An app password limited to some services (its `services`) is found only
//! when the caller names one of them ([`Caller::service`]); an anonymous
//! caller finds only passwords for every service. The service is matched in
//! the same query that looks the digest up ([`lookup::OPENS_SERVICE`]), so a
//! password used through a service it does not open takes the path of a
//! wrong password to the letter: the same queries, the same 401, a failure
//! counted by the same limits, no last use recorded. A refusal by scope is
//! no oracle that a guess was right.
//!
//! On PostgreSQL, counting the attempt, the lookup and the record of its
//! use are one round trip ([`postgres`]): one SQL function judges and
//! counts in one transaction. On SQLite, whose counts are in memory, the
//! lookup is one call and the verdict is counted after it ([`sqlite`]). A
//! login with passwords of the old form takes the path below, which
//! reserves the attempt first.
//!
//! What timing tells: a refusal costs the same queries whether or not the
//! login exists, except for a user who still has passwords of the old form,
//! for whom a refusal also costs the Argon2id hash the old form needs. So
//! timing can tell that such a login exists, until each of its old
//! passwords has been used once (or deleted). Hashing for every refusal
//! would hide that, but would hand the CPU to anyone who sprays guesses at
//! a mail server, which is most refusals it sees; logins are mostly mail
//! addresses, known anyway; and sign-in, where people type logins, keeps
//! taking alike for every login.
//!
//! [`DigestKey`]: crate::crypto::DigestKey

mod lookup;
mod postgres;
mod sqlite;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::Json;
use contract::headers::VERIFIED_LOGIN;
use data_encoding::BASE64;
use serde::Serialize;

use crate::client_address::ClientAddress;
use crate::crypto::{hash_with_salt, normalize_app_password, run_hash};
use crate::db::Conn;
use crate::error::Error;
use crate::rate_limit::Judged;
use crate::service_credentials::Caller;
use crate::{params, AppState};
use lookup::{look_up, record_use, service_pattern, Looked, Row, OPENS_SERVICE, ROW_COLUMNS};

/// How stale a recorded last use may be before a verification from the
/// same address through the same service writes it again. A mail client
/// signs in every few minutes, often on several connections at once: one
/// write a minute keeps "Last used" true to the minute the list shows, and
/// leaves the rest of the verifications read-only, so that they neither
/// queue behind each other's writes nor grow the write-ahead log.
const LAST_USE_PRECISION_SECONDS: i64 = 60;

/// Response of a successful `/verify`.
#[derive(Debug, Serialize)]
pub struct Verified {
    login: String,
    app_password: UsedAppPassword,
}

/// Which app password was used.
#[derive(Debug, Serialize)]
pub struct UsedAppPassword {
    id: String,
    name: String,
}

/// What the digest lookup found.
enum Found {
    /// The login's app password, not expired; its use is recorded.
    Valid(UsedAppPassword),
    /// No app password of the login has this digest, or it expired.
    Refused,
    /// No digest matched, and the login still has passwords of the old
    /// form: check those with its salt.
    OldForm {
        /// The user's id.
        user_id: i64,
        /// The user's salt for old-form hashes.
        salt: String,
    },
}

/// `GET /verify` with HTTP Basic `login:app-password`: 200 with the login
/// and the app password's id and name, the login also in
/// `X-Verified-Login` for proxies (recording when, from where and through
/// which service it was used), or 401. Services that ask on behalf of their
/// clients send their credential, the service's name and the client's
/// address ([`Caller`]); a password limited to other services than the
/// one named, or to any for a caller that names none, is refused as a
/// wrong one is. The verdict is counted before it is answered, and a
/// success counts nothing: it says nothing of the failures before it.
pub async fn verify(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
) -> Result<(HeaderMap, Json<Verified>), Error> {
    let caller = Caller::identify(&state, &headers, client).await?;
    let (login, typed) = basic_credentials(&headers).ok_or(Error::AppPasswordRefused)?;
    let keys = &state.digest_keys;
    let digest = keys.current.digest(&typed);
    let previous = keys.previous.as_ref().map(|key| key.digest(&typed));
    let judged = match state.db.verifier_pool() {
        Some(pool) => {
            postgres::judge(&state, pool, &login, &digest, previous.as_deref(), &caller).await?
        }
        None => sqlite::judge(&state, &login, &digest, previous.as_deref(), &caller).await?,
    };
    match judged {
        Judged::Right(app_password) => return Ok(verified(login, app_password)),
        Judged::Wrong(_) => return Err(Error::AppPasswordRefused),
        Judged::Undecided => {}
    }
    let attempt = state.limits.attempt(&login, caller.client_address).await?;
    let (lookup_login, lookup_digest, lookup_caller) =
        (login.clone(), digest.clone(), caller.clone());
    let found = state
        .db
        .call(move |conn| {
            find_by_digest(
                conn,
                &lookup_login,
                &lookup_digest,
                previous.as_deref(),
                &lookup_caller,
            )
        })
        .await?;
    let found = match found {
        Found::OldForm { user_id, salt } => {
            let normalized = normalize_app_password(&typed);
            let hash = run_hash(move || hash_with_salt(&normalized, &salt))
                .await?
                .ok_or(Error::MalformedSalt)?;
            let caller = caller.clone();
            state
                .db
                .call(move |conn| move_old_form(conn, user_id, &hash, &digest, &caller))
                .await?
        }
        found => found,
    };
    let Found::Valid(app_password) = found else {
        return Err(attempt.failed(Error::AppPasswordRefused).await);
    };
    attempt.succeeded().await;
    Ok(verified(login, app_password))
}

/// The answer of a right password: the login in the body and, for
/// proxies, in `X-Verified-Login`.
fn verified(login: String, app_password: UsedAppPassword) -> (HeaderMap, Json<Verified>) {
    let mut said = HeaderMap::new();
    // A login a header cannot carry (control characters) goes without:
    // a proxy then passes no user on, and its service lets nobody in.
    if let Ok(value) = HeaderValue::from_bytes(login.as_bytes()) {
        said.insert(HeaderName::from_static(VERIFIED_LOGIN), value);
    }
    (
        said,
        Json(Verified {
            login,
            app_password,
        }),
    )
}

/// [`look_up`], then, for a valid password, what its use leaves
/// ([`record_use`]): the path that reserved the attempt first.
fn find_by_digest(
    conn: &mut Conn<'_>,
    login: &str,
    digest: &str,
    previous: Option<&str>,
    caller: &Caller,
) -> Result<Found, Error> {
    Ok(match look_up(conn, login, digest, previous, caller)? {
        Looked::Row { row, .. } if row.expired() => Found::Refused,
        Looked::Row { row, by_previous } => {
            record_use(conn, &row, by_previous.then_some(digest), caller)?;
            Found::Valid(row.used())
        }
        Looked::OldForm { user_id, salt } => Found::OldForm { user_id, salt },
        Looked::Nothing => Found::Refused,
    })
}

/// Checks the old-form `hash` among the user's passwords; when it is one,
/// stores its digest instead, so that it never needs Argon2id again.
fn move_old_form(
    conn: &mut Conn<'_>,
    user_id: i64,
    hash: &str,
    digest: &str,
    caller: &Caller,
) -> Result<Found, Error> {
    let row: Option<Row> = conn.query_opt(
        &format!(
            "SELECT {ROW_COLUMNS} FROM app_passwords
             WHERE app_passwords.user_id = ?1 AND app_passwords.hash = ?2 AND {OPENS_SERVICE}"
        ),
        params![user_id, hash, service_pattern(caller)],
        Row::read,
    )?;
    let Some(row) = row else {
        return Ok(Found::Refused);
    };
    conn.execute(
        "UPDATE app_passwords SET digest = ?1, hash = NULL WHERE id = ?2",
        params![digest, row.id],
    )?;
    if row.expired() {
        return Ok(Found::Refused);
    }
    record_use(conn, &row, None, caller)?;
    Ok(Found::Valid(row.used()))
}

/// The login and password of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let decoded = String::from_utf8(BASE64.decode(encoded.as_bytes()).ok()?).ok()?;
    let (login, password) = decoded.split_once(':')?;
    Some((login.to_owned(), password.to_owned()))
}
