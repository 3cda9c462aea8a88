//! `GET /verify`: the stand-in for the mail client an app password is
//! pasted into. Not part of the contract; it lets tests (and people) prove a
//! created password really works.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use data_encoding::BASE64;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::crypto::{hash_with_salt, new_salt, normalize_app_password, run_hash};
use crate::error::Error;
use crate::users::{app_password_salt, id_by_login};
use crate::{now_rfc3339, AppState};

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

/// `GET /verify` with HTTP Basic `login:app-password`: 200 with the app
/// password's id and name (recording when and from where it was used), or
/// 401.
pub async fn verify(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<Verified>, Error> {
    let (login, typed) = basic_credentials(&headers).ok_or(Error::AppPasswordRefused)?;
    state.limits.check(&login, peer.ip())?;

    let lookup_login = login.clone();
    let user = state
        .db
        .call(move |conn| match id_by_login(conn, &lookup_login)? {
            Some(id) => Ok(Some((id, app_password_salt(conn, id)?))),
            None => Ok(None),
        })
        .await?;
    // Hash even for an unknown login, so timing does not tell.
    let salt = user
        .as_ref()
        .map_or_else(new_salt, |(_, salt)| salt.clone());
    let normalized = normalize_app_password(&typed);
    let hash = run_hash(move || hash_with_salt(&normalized, &salt)).await?;

    let found = match (user, hash) {
        (Some((user_id, _)), Some(hash)) => {
            let address = peer.ip().to_string();
            state
                .db
                .call(move |conn| {
                    let found: Option<(String, String, Option<String>)> = conn
                        .query_row(
                            "SELECT id, name, expires_at FROM app_passwords WHERE user_id = ?1 AND hash = ?2",
                            params![user_id, hash],
                            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                        )
                        .optional()?;
                    let now = now_rfc3339();
                    let Some((id, name, expires_at)) = found else { return Ok(None) };
                    if expires_at.is_some_and(|at| at <= now) {
                        return Ok(None);
                    }
                    conn.execute(
                        "UPDATE app_passwords SET last_used_at = ?1, last_used_ip = ?2 WHERE id = ?3",
                        params![now, address, id],
                    )?;
                    Ok(Some(UsedAppPassword { id, name }))
                })
                .await?
        }
        _ => None,
    };
    let Some(app_password) = found else {
        state.limits.failed(&login, peer.ip());
        return Err(Error::AppPasswordRefused);
    };
    state.limits.succeeded(&login);
    Ok(Json(Verified {
        login,
        app_password,
    }))
}

/// The login and password of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let decoded = String::from_utf8(BASE64.decode(encoded.as_bytes()).ok()?).ok()?;
    let (login, password) = decoded.split_once(':')?;
    Some((login.to_owned(), password.to_owned()))
}
