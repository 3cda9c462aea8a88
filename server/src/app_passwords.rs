//! `/app-passwords`: listing, creating (idempotently), renaming and
//! revoking the caller's app passwords.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use contract::{
    AppPassword, AppPasswordList, AppPasswordName, CreatedAppPassword, NewAppPassword, Revoked,
};

use crate::auth::{require_recent_sign_in, SignedIn};
use crate::crypto::{generate_app_password, random_token};
use crate::db::{Conn, Row};
use crate::error::Error;
use crate::extract::ApiJson;
use crate::idempotency::{forget_revoked, IdempotencyKey};
use crate::{now_rfc3339, params, unix_now, validate, AppState};

/// Columns read by [`app_password_from_row`].
const VIEW_COLUMNS: &str =
    "id, name, created_at, last_used_at, last_used_ip, last_used_service, expires_at, services";

/// The `services` column of a list of services: the names joined by
/// commas, `NULL` for every service (migration 0007 says why commas).
fn services_column(services: Option<&[String]>) -> Option<String> {
    services.map(|names| names.join(","))
}

/// The contract's `AppPassword` of a row selected with [`VIEW_COLUMNS`]:
/// everything about one app password except the secret, which only its
/// create response ever carries.
fn app_password_from_row(row: &Row<'_>) -> Result<AppPassword, Error> {
    Ok(AppPassword {
        id: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
        last_used_at: row.get(3)?,
        last_used_ip: row.get(4)?,
        last_used_service: row.get(5)?,
        expires_at: row.get(6)?,
        services: row
            .get::<Option<String>>(7)?
            .map(|names| names.split(',').map(str::to_owned).collect()),
    })
}

/// `GET /app-passwords`: the caller's app passwords, oldest first.
pub async fn list(
    State(state): State<AppState>,
    caller: SignedIn,
) -> Result<Json<AppPasswordList>, Error> {
    let user_id = caller.user.id;
    let items = state.db.call(move |conn| items_of(conn, user_id)).await?;
    Ok(Json(AppPasswordList {
        items,
        max_count: state.settings.max_app_passwords,
        expiry: Some(state.settings.expiry),
    }))
}

/// The user's app passwords, oldest first.
fn items_of(conn: &mut Conn<'_>, user_id: i64) -> Result<Vec<AppPassword>, Error> {
    conn.query_all(
        &format!(
            "SELECT {VIEW_COLUMNS} FROM app_passwords WHERE user_id = ?1 ORDER BY created_at, rowid"
        ),
        params![user_id],
        app_password_from_row,
    )
}

/// `POST /app-passwords`: makes a new app password and responds with it,
/// the only time its secret is ever sent. The `Idempotency-Key` is
/// required; sent again (same user, same name, within
/// `--idempotency-minutes`) it gets the first response again and creates
/// nothing, or 410 once that app password is revoked.
pub async fn create(
    State(state): State<AppState>,
    caller: SignedIn,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewAppPassword>,
) -> Result<(StatusCode, Json<CreatedAppPassword>), Error> {
    if !caller.user.app_passwords_enabled {
        return Err(Error::AppPasswordsDisabled);
    }
    require_recent_sign_in(&state, &caller).await?;
    let name = validate::app_password_name(&body.name)?;
    let expires_at = validate::expires_at(
        body.expires_at.as_deref(),
        &state.settings.expiry,
        unix_now(),
    )?;
    let services = validate::services(body.services.as_deref())?;
    let user_id = caller.user.id;
    let key = IdempotencyKey::from_headers(&headers, user_id, &name)?;
    let max = state.settings.max_app_passwords;
    let keep_seconds = state.settings.idempotency_seconds;

    let stored_services = services_column(services.as_deref());
    let password = generate_app_password();
    let digest = state.digest_keys.current.digest(&password);
    let response = CreatedAppPassword {
        item: AppPassword {
            id: random_token(16),
            name,
            created_at: now_rfc3339(),
            last_used_at: None,
            last_used_ip: None,
            last_used_service: None,
            expires_at,
            services,
        },
        password,
        login: Some(caller.user.login.clone()),
    };
    let response = state
        .db
        .call(move |conn| {
            conn.transaction(|tx| {
                // Creates of one user are serialised, also across instances
                // on one PostgreSQL: the write takes the user's row lock until the
                // transaction ends (on SQLite, the one write lock). Then
                // what is checked next, an earlier create with the same
                // key or the last place under the limit, cannot change
                // before this one inserts.
                tx.execute(
                    "UPDATE users SET app_passwords_enabled = app_passwords_enabled WHERE id = ?1",
                    params![user_id],
                )?;
                if let Some(first) = earlier_response_or_room(tx, user_id, &key, keep_seconds, max)? {
                    return Ok(first);
                }
                tx.execute(
                    "INSERT INTO app_passwords (id, user_id, name, digest, created_at, expires_at, services) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![response.item.id, user_id, response.item.name, digest, response.item.created_at, response.item.expires_at, stored_services],
                )?;
                key.store(tx, user_id, &response)?;
                Ok(response)
            })
        })
        .await?;
    Ok(created(response))
}

/// What a create must find before it inserts: the response to give again
/// for a repeated key (`Some`), else room under the limit (`None`), else
/// [`Error::LimitReached`].
fn earlier_response_or_room(
    conn: &mut Conn<'_>,
    user_id: i64,
    key: &IdempotencyKey,
    keep_seconds: i64,
    max: Option<u32>,
) -> Result<Option<CreatedAppPassword>, Error> {
    if let Some(first) = key.earlier_response(conn, keep_seconds)? {
        return Ok(Some(first));
    }
    if let Some(max) = max {
        let count: i64 = conn.query_one(
            "SELECT COUNT(*) FROM app_passwords WHERE user_id = ?1",
            params![user_id],
            |row| row.get(0),
        )?;
        if count >= i64::from(max) {
            return Err(Error::LimitReached { max });
        }
    }
    Ok(None)
}

fn created(response: CreatedAppPassword) -> (StatusCode, Json<CreatedAppPassword>) {
    (StatusCode::CREATED, Json(response))
}

/// `PATCH /app-passwords/{id}`: renames one of the caller's app passwords.
pub async fn rename(
    State(state): State<AppState>,
    caller: SignedIn,
    id: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<AppPasswordName>,
) -> Result<Json<AppPassword>, Error> {
    let Path(id) = id.map_err(|_| Error::NotFound)?;
    let name = validate::app_password_name(&body.name)?;
    let user_id = caller.user.id;
    let renamed = state
        .db
        .call(move |conn| {
            conn.query_opt(
                &format!(
                    "UPDATE app_passwords SET name = ?1 WHERE id = ?2 AND user_id = ?3 RETURNING {VIEW_COLUMNS}"
                ),
                params![name, id, user_id],
                app_password_from_row,
            )?
            .ok_or(Error::NotFound)
        })
        .await?;
    Ok(Json(renamed))
}

/// `DELETE /app-passwords/{id}`: revokes one; 404 when it is not the
/// caller's. Its kept create response goes with it.
pub async fn delete(
    State(state): State<AppState>,
    caller: SignedIn,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, Error> {
    let Path(id) = id.map_err(|_| Error::NotFound)?;
    let user_id = caller.user.id;
    state
        .db
        .call(move |conn| {
            conn.transaction(|tx| {
                let deleted = tx.execute(
                    "DELETE FROM app_passwords WHERE id = ?1 AND user_id = ?2",
                    params![id, user_id],
                )?;
                if deleted == 0 {
                    return Err(Error::NotFound);
                }
                forget_revoked(tx, user_id, Some(&id))?;
                Ok(StatusCode::NO_CONTENT)
            })
        })
        .await
}

/// `DELETE /app-passwords`: revokes all of the caller's app passwords, and
/// empties their kept create responses.
pub async fn delete_all(
    State(state): State<AppState>,
    caller: SignedIn,
) -> Result<Json<Revoked>, Error> {
    let user_id = caller.user.id;
    let revoked = state
        .db
        .call(move |conn| {
            conn.transaction(|tx| {
                let revoked = tx.execute(
                    "DELETE FROM app_passwords WHERE user_id = ?1",
                    params![user_id],
                )?;
                forget_revoked(tx, user_id, None)?;
                Ok(revoked)
            })
        })
        .await?;
    Ok(Json(Revoked {
        revoked: u32::try_from(revoked).unwrap_or(u32::MAX),
    }))
}
