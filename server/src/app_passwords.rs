//! `/app-passwords`: listing, creating (idempotently), renaming and
//! revoking the caller's app passwords.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::{
    AppPassword, AppPasswordList, AppPasswordName, CreatedAppPassword, ProblemKind, Revoked,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::auth::SignedIn;
use crate::crypto::{digest_bytes, generate_app_password, hash_with_salt, new_salt, random_token};
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::{unix_now, validate, AppState};

/// How long a create answer is kept for a repeated `Idempotency-Key`.
const IDEMPOTENCY_SECONDS: i64 = 24 * 3600;

/// Columns read by [`app_password_from_row`].
const VIEW_COLUMNS: &str = "id, name, created_at, last_used_at, last_used_ip, expires_at";

/// The contract's `AppPassword` of a row selected with [`VIEW_COLUMNS`]:
/// everything about one app password except the secret, which only its
/// create answer ever carries.
fn app_password_from_row(row: &Row<'_>) -> rusqlite::Result<AppPassword> {
    Ok(AppPassword {
        id: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
        last_used_at: row.get(3)?,
        last_used_ip: row.get(4)?,
        expires_at: row.get(5)?,
    })
}

/// `GET /app-passwords`: the caller's app passwords, oldest first.
pub async fn list(
    State(state): State<AppState>,
    caller: SignedIn,
) -> Result<Json<AppPasswordList>, Problem> {
    let user_id = caller.user.id;
    let items = state
        .db
        .call(move |conn| {
            let mut statement = conn.prepare(&format!(
                "SELECT {VIEW_COLUMNS} FROM app_passwords WHERE user_id = ?1 ORDER BY created_at, rowid"
            ))?;
            let items = statement
                .query_map([user_id], app_password_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(items)
        })
        .await?;
    Ok(Json(AppPasswordList {
        items,
        max_count: state.settings.max_app_passwords,
    }))
}

/// `Some(max)` when the user already holds the most app passwords allowed.
fn limit_reached(
    conn: &rusqlite::Connection,
    user_id: i64,
    max: Option<u32>,
) -> rusqlite::Result<Option<u32>> {
    match max {
        Some(max) if count(conn, user_id)? >= i64::from(max) => Ok(Some(max)),
        _ => Ok(None),
    }
}

/// What the first database visit of a create found.
enum Prepared {
    /// The key was used before with the same name: its first answer.
    Replay(Box<CreatedAppPassword>),
    /// Go on: the user's salt for hashing the new password.
    Proceed(String),
}

/// `POST /app-passwords`: makes a new app password and answers it, the
/// only time its secret is ever sent. A repeated `Idempotency-Key` (same
/// user, same name, within 24 hours) answers the first result again and
/// creates nothing.
pub async fn create(
    State(state): State<AppState>,
    caller: SignedIn,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AppPasswordName>,
) -> Result<Response, Problem> {
    if !caller.user.app_passwords_enabled {
        return Err(Problem::app_passwords_disabled());
    }
    let name = validate::app_password_name(&body.name)
        .map_err(|error| Problem::validation_failed(vec![error]))?;
    let key = idempotency_key(&headers)?;
    let body_hash = digest_bytes(name.as_bytes());
    let user_id = caller.user.id;
    let max = state.settings.max_app_passwords;

    let secrets = state.secrets.clone();
    let (check_key, check_hash) = (key.clone(), body_hash.clone());
    let prepared = state
        .db
        .call(move |conn| {
            match stored_answer(conn, &secrets, user_id, check_key.as_deref(), &check_hash)? {
                Err(problem) => return Ok(Err(problem)),
                Ok(Some(answer)) => return Ok(Ok(Prepared::Replay(Box::new(answer)))),
                Ok(None) => {}
            }
            if let Some(max) = limit_reached(conn, user_id, max)? {
                return Ok(Err(Problem::limit_reached(max)));
            }
            Ok(Ok(Prepared::Proceed(user_salt(conn, user_id)?)))
        })
        .await??;
    let salt = match prepared {
        Prepared::Replay(answer) => return Ok(created(*answer)),
        Prepared::Proceed(salt) => salt,
    };

    // Hash off the database lock: Argon2id takes a while by design.
    let password = generate_app_password();
    let to_hash = crate::crypto::normalize_app_password(&password);
    let hash = crate::crypto::run_hash(move || hash_with_salt(&to_hash, &salt))
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("stored app-password salt is malformed"))?;

    let answer = CreatedAppPassword {
        item: AppPassword {
            id: random_token(16),
            name,
            created_at: now_rfc3339(),
            last_used_at: None,
            last_used_ip: None,
            expires_at: None,
        },
        password,
        login: Some(caller.user.login.clone()),
    };
    let secrets = state.secrets.clone();
    let outcome = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            // Checked again inside the transaction: a concurrent create with
            // the same key, or one that took the last place, may have won.
            match stored_answer(&tx, &secrets, user_id, key.as_deref(), &body_hash)? {
                Err(problem) => return Ok(Err(problem)),
                Ok(Some(first)) => return Ok(Ok(first)),
                Ok(None) => {}
            }
            if let Some(max) = limit_reached(&tx, user_id, max)? {
                return Ok(Err(Problem::limit_reached(max)));
            }
            tx.execute(
                "INSERT INTO app_passwords (id, user_id, name, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![answer.item.id, user_id, answer.item.name, hash, answer.item.created_at],
            )?;
            if let Some(key) = &key {
                let sealed = secrets.seal(&serde_json::to_vec(&answer)?);
                tx.execute(
                    "INSERT INTO idempotency_keys (user_id, key, body_hash, answer, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![user_id, key, body_hash, sealed, unix_now()],
                )?;
            }
            tx.commit()?;
            Ok(Ok(answer))
        })
        .await??;
    Ok(created(outcome))
}

/// `PATCH /app-passwords/{id}`: renames one of the caller's app passwords.
pub async fn rename(
    State(state): State<AppState>,
    caller: SignedIn,
    id: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<AppPasswordName>,
) -> Result<Json<AppPassword>, Problem> {
    let Path(id) = id.map_err(|_| Problem::not_found())?;
    let name = validate::app_password_name(&body.name)
        .map_err(|error| Problem::validation_failed(vec![error]))?;
    let user_id = caller.user.id;
    let renamed = state
        .db
        .call(move |conn| {
            let changed = conn.execute(
                "UPDATE app_passwords SET name = ?1 WHERE id = ?2 AND user_id = ?3",
                params![name, id, user_id],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            Ok(conn
                .query_row(
                    &format!("SELECT {VIEW_COLUMNS} FROM app_passwords WHERE id = ?1"),
                    [id],
                    app_password_from_row,
                )
                .optional()?)
        })
        .await?;
    renamed.map(Json).ok_or_else(Problem::not_found)
}

/// `DELETE /app-passwords/{id}`: revokes one; 404 when it is not the caller's.
pub async fn delete(
    State(state): State<AppState>,
    caller: SignedIn,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, Problem> {
    let Path(id) = id.map_err(|_| Problem::not_found())?;
    let user_id = caller.user.id;
    let deleted = state
        .db
        .call(move |conn| {
            Ok(conn.execute(
                "DELETE FROM app_passwords WHERE id = ?1 AND user_id = ?2",
                params![id, user_id],
            )?)
        })
        .await?;
    if deleted == 0 {
        return Err(Problem::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /app-passwords`: revokes all of the caller's app passwords.
pub async fn delete_all(
    State(state): State<AppState>,
    caller: SignedIn,
) -> Result<Json<Revoked>, Problem> {
    let user_id = caller.user.id;
    let revoked = state
        .db
        .call(move |conn| {
            Ok(conn.execute("DELETE FROM app_passwords WHERE user_id = ?1", [user_id])?)
        })
        .await?;
    Ok(Json(Revoked {
        revoked: u32::try_from(revoked).unwrap_or(u32::MAX),
    }))
}

fn created(answer: CreatedAppPassword) -> Response {
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// The `Idempotency-Key` header: absent is allowed (no replay protection),
/// present must be 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get(contract::headers::IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key)
            if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(key.to_owned()))
        }
        _ => Err(Problem::bad_request(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID.",
        )),
    }
}

/// The first answer stored under `key`, if it is younger than 24 hours.
/// The same key with another name is refused: it cannot be a retry.
fn stored_answer(
    conn: &Connection,
    secrets: &crate::crypto::SecretBox,
    user_id: i64,
    key: Option<&str>,
    body_hash: &str,
) -> anyhow::Result<Result<Option<CreatedAppPassword>, Problem>> {
    let Some(key) = key else { return Ok(Ok(None)) };
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [unix_now() - IDEMPOTENCY_SECONDS],
    )?;
    let stored: Option<(String, Vec<u8>)> = conn
        .query_row(
            "SELECT body_hash, answer FROM idempotency_keys WHERE user_id = ?1 AND key = ?2",
            params![user_id, key],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    match stored {
        None => Ok(Ok(None)),
        Some((stored_hash, _)) if stored_hash != body_hash => Ok(Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::IdempotencyKeyReused,
            "This Idempotency-Key was used for another request",
        )
        .detail("Send a new key for a new app password."))),
        Some((_, sealed)) => Ok(Ok(Some(serde_json::from_slice(&secrets.open(&sealed)?)?))),
    }
}

fn count(conn: &Connection, user_id: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM app_passwords WHERE user_id = ?1",
        [user_id],
        |row| row.get(0),
    )
}

/// The user's salt for app-password hashes, made on first use.
pub fn user_salt(conn: &Connection, user_id: i64) -> rusqlite::Result<String> {
    let existing: Option<String> = conn.query_row(
        "SELECT app_password_salt FROM users WHERE id = ?1",
        [user_id],
        |row| row.get(0),
    )?;
    if let Some(salt) = existing {
        return Ok(salt);
    }
    let salt = new_salt();
    conn.execute(
        "UPDATE users SET app_password_salt = ?1 WHERE id = ?2 AND app_password_salt IS NULL",
        params![salt, user_id],
    )?;
    conn.query_row(
        "SELECT app_password_salt FROM users WHERE id = ?1",
        [user_id],
        |row| row.get(0),
    )
}

/// Now, as RFC 3339 in UTC to the second.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
