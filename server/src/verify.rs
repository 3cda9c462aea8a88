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
//! the same query that looks the digest up ([`OPENS_SERVICE`]), so a
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
use crate::{params, rfc3339, unix_now, AppState};

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

/// What the lookup by digest found, before anything is written.
enum Looked {
    /// The login's app password with the digest, when it opens the caller's
    /// service; `by_previous` when found by its digest under the previous
    /// key (to be moved to the current one).
    Row { row: Row, by_previous: bool },
    /// None, and the login still has passwords of the old form.
    OldForm { user_id: i64, salt: String },
    /// None.
    Nothing,
}

/// The login's app password with the `digest` of the typed password under
/// the current key or, during a rotation, its digest under the `previous`
/// key. Without one, whether the login has old-form passwords to check. An
/// unknown login runs the same queries as a known one, and a password that
/// does not open the caller's service the same as a wrong one. Reads only.
fn look_up(
    conn: &mut Conn<'_>,
    login: &str,
    digest: &str,
    previous: Option<&str>,
    caller: &Caller,
) -> Result<Looked, Error> {
    if let Some(row) = app_password_of(conn, login, digest, caller)? {
        return Ok(Looked::Row {
            row,
            by_previous: false,
        });
    }
    if let Some(previous) = previous {
        if let Some(row) = app_password_of(conn, login, previous, caller)? {
            return Ok(Looked::Row {
                row,
                by_previous: true,
            });
        }
    }
    let old_form: Option<(i64, Option<String>)> = conn.query_opt(
        "SELECT users.id, users.app_password_salt FROM users
         WHERE users.login = ?1
           AND EXISTS (SELECT 1 FROM app_passwords
                       WHERE app_passwords.user_id = users.id AND app_passwords.hash IS NOT NULL)",
        params![login],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(match old_form {
        Some((user_id, Some(salt))) => Looked::OldForm { user_id, salt },
        _ => Looked::Nothing,
    })
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

/// An app password as `/verify` needs it.
struct Row {
    id: String,
    name: String,
    expires_at: Option<String>,
    /// When, from where and through which service it was last used.
    last_use: (Option<String>, Option<String>, Option<String>),
}

/// The columns [`Row::read`] reads, in its order.
const ROW_COLUMNS: &str = "app_passwords.id, app_passwords.name, app_passwords.expires_at,
     app_passwords.last_used_at, app_passwords.last_used_ip, app_passwords.last_used_service";

impl Row {
    /// Whether it has expired.
    fn expired(&self) -> bool {
        self.expires_at
            .as_ref()
            .is_some_and(|at| *at <= rfc3339(unix_now()))
    }

    /// Whether its recorded last use is a use like this one, within
    /// [`LAST_USE_PRECISION_SECONDS`]: already recorded well enough.
    fn recorded(&self, caller: &Caller) -> bool {
        let (last_at, last_address, last_service) = &self.last_use;
        last_at
            .as_ref()
            .is_some_and(|at| *at > rfc3339(unix_now() - LAST_USE_PRECISION_SECONDS))
            && last_address.as_deref() == Some(caller.client_address.to_string().as_str())
            && last_service.as_deref() == caller.service.as_deref()
    }

    /// What `/verify` answers of it.
    fn used(self) -> UsedAppPassword {
        UsedAppPassword {
            id: self.id,
            name: self.name,
        }
    }

    /// The row of a query that selects [`ROW_COLUMNS`].
    fn read(row: &crate::db::Row<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            expires_at: row.get(2)?,
            last_use: (row.get(3)?, row.get(4)?, row.get(5)?),
        })
    }
}

/// The condition, with [`service_pattern`] as `?3`, that an app password
/// opens the caller's service: `services` is `NULL` (every service), or its
/// comma-joined names hold the caller's (migration 0007 says why commas).
const OPENS_SERVICE: &str =
    "(app_passwords.services IS NULL OR ',' || app_passwords.services || ',' LIKE ?3)";

/// The `LIKE` pattern of [`OPENS_SERVICE`] for `caller`: its service between
/// commas; for an anonymous caller the empty pattern, which no joined list
/// matches, so that it finds only passwords for every service. A service
/// name holds no `%` or `_` ([`is_service_name`]) to escape.
///
/// [`is_service_name`]: crate::service_credentials::is_service_name
fn service_pattern(caller: &Caller) -> String {
    caller
        .service
        .as_deref()
        .map(|service| format!("%,{service},%"))
        .unwrap_or_default()
}

/// The app password of `login` whose digest is `digest`, when it opens the
/// caller's service.
fn app_password_of(
    conn: &mut Conn<'_>,
    login: &str,
    digest: &str,
    caller: &Caller,
) -> Result<Option<Row>, Error> {
    conn.query_opt(
        &format!(
            "SELECT {ROW_COLUMNS}
             FROM app_passwords JOIN users ON users.id = app_passwords.user_id
             WHERE app_passwords.digest = ?1 AND users.login = ?2 AND {OPENS_SERVICE}"
        ),
        params![digest, login, service_pattern(caller)],
        Row::read,
    )
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

/// Writes what the use of a valid password leaves: its digest under the
/// current key, `moved_to`, when it was found under the previous one; its
/// last use (when, the client's address, and the service: none for an
/// anonymous caller, so that the last use reads as one use), unless that
/// is [`Row::recorded`] already.
fn record_use(
    conn: &mut Conn<'_>,
    row: &Row,
    moved_to: Option<&str>,
    caller: &Caller,
) -> Result<(), Error> {
    if let Some(digest) = moved_to {
        conn.execute(
            "UPDATE app_passwords SET digest = ?1 WHERE id = ?2",
            params![digest, row.id],
        )?;
    }
    if !row.recorded(caller) {
        conn.execute(
            "UPDATE app_passwords SET last_used_at = ?1, last_used_ip = ?2, last_used_service = ?3 WHERE id = ?4",
            params![rfc3339(unix_now()), caller.client_address.to_string(), caller.service, row.id],
        )?;
    }
    Ok(())
}

/// The login and password of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let decoded = String::from_utf8(BASE64.decode(encoded.as_bytes()).ok()?).ok()?;
    let (login, password) = decoded.split_once(':')?;
    Some((login.to_owned(), password.to_owned()))
}
