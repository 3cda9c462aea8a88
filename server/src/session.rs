//! `/session`: signing in with a password and a second factor, and out.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::{Credentials, SecondFactor, Session};
use rusqlite::{params, OptionalExtension};

use crate::auth::{
    csrf_header_matches, load_session, session_cookie, set_session_cookie, SignedIn, Stage,
};
use crate::client_address::ClientAddress;
use crate::crypto::{csrf_token_for, dummy_hash, random_token, token_digest, verify_password};
use crate::error::Error;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::users::{credentials_by_login, User};
use crate::{totp, unix_now, AppState};

/// Wrong second-factor codes allowed before the half-signed-in session ends.
const MAX_MFA_FAILURES: i64 = 5;

/// The contract's `Session` of `user`; `session_id` is absent for bearer
/// tokens, which need no CSRF token.
fn session_view(user: &User, session_id: Option<&str>) -> Session {
    Session {
        user: user.into(),
        csrf_token: session_id.map(csrf_token_for),
        app_passwords_enabled: Some(user.app_passwords_enabled),
    }
}

/// `GET /session`: who is signed in.
pub async fn current(caller: SignedIn) -> Json<Session> {
    Json(session_view(&caller.user, caller.session_id.as_deref()))
}

/// `POST /session`: checks login and password; responds with the session,
/// or `mfa-required` with a half-signed-in session cookie. The attempt is
/// counted before the hash and given back when it succeeds.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, Error> {
    let login = body.login.trim().to_owned();
    let attempt = state.limits.attempt(&login, client)?;
    attempt.back_off().await;
    let found = state
        .db
        .call(move |conn| Ok(credentials_by_login(conn, &login)?))
        .await?;
    // Verify even for an unknown login so that both take the same time.
    let hash = found
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |c| c.password_hash.clone());
    let password = body.password;
    let matches = crate::crypto::run_hash(move || verify_password(&hash, &password)).await?;
    let credentials = match found {
        Some(credentials) if matches => credentials,
        _ => return Err(Error::InvalidCredentials),
    };
    attempt.succeeded();
    let stage = if credentials.has_totp {
        Stage::Mfa
    } else {
        Stage::Full
    };
    let session_id = start_session(&state, &headers, credentials.user.id, stage).await?;
    let cookie = set_session_cookie(Some(&session_id), state.settings.secure_cookies);
    // A second factor due is not an error: the cookie of the half session
    // goes with the mfa-required problem.
    let response = match stage {
        Stage::Mfa => Problem::mfa_required(&["totp"]).into_response(),
        Stage::Full => Json(session_view(&credentials.user, Some(&session_id))).into_response(),
    };
    Ok(([(header::SET_COOKIE, cookie)], response).into_response())
}

/// `POST /session/mfa`: completes a half-signed-in session with a TOTP
/// code. The attempt is counted before the code is checked.
pub async fn submit_code(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SecondFactor>,
) -> Result<Response, Error> {
    let session_id =
        session_cookie(&headers, state.settings.secure_cookies).ok_or(Error::SignInExpired)?;
    let user = match load_session(&state, &session_id).await? {
        Some((user, Stage::Mfa)) => user,
        Some((user, Stage::Full)) => {
            return Ok(Json(session_view(&user, Some(&session_id))).into_response())
        }
        None => return Err(Error::SignInExpired),
    };

    let attempt = state.limits.attempt(&user.login, client)?;
    attempt.back_off().await;
    let secrets = state.secrets.clone();
    let user_id = user.id;
    let code = body.code;
    let id_hash = token_digest(&session_id);
    let accepted = state
        .db
        .call(move |conn| {
            let row: Option<(Option<Vec<u8>>, i64)> = conn
                .query_row(
                    "SELECT totp_secret_sealed, totp_last_step FROM users WHERE id = ?1",
                    [user_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((Some(sealed), last_step)) = row else {
                return Ok(false);
            };
            let secret = secrets.open(&sealed)?;
            let step = totp::verify(&secret, &code, unix_now() as u64, last_step as u64);
            // The conditional update makes two racing requests with the same
            // code succeed at most once.
            let used = match step {
                Some(step) => conn.execute(
                    "UPDATE users SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1",
                    params![step as i64, user_id],
                )? == 1,
                None => false,
            };
            if !used {
                conn.execute(
                    "UPDATE sessions SET mfa_failures = mfa_failures + 1 WHERE id_hash = ?1",
                    [&id_hash],
                )?;
                conn.execute(
                    "DELETE FROM sessions WHERE id_hash = ?1 AND mfa_failures >= ?2",
                    params![id_hash, MAX_MFA_FAILURES],
                )?;
            }
            Ok(used)
        })
        .await?;
    if !accepted {
        return Err(Error::InvalidCode);
    }
    attempt.succeeded();
    // A fresh id once fully signed in: whoever saw the half session's id
    // cannot ride on it.
    let new_id = start_session(&state, &headers, user.id, Stage::Full).await?;
    let cookie = set_session_cookie(Some(&new_id), state.settings.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(session_view(&user, Some(&new_id))),
    )
        .into_response())
}

/// `DELETE /session`: signs out. Idempotent; a live session needs its CSRF token.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if let Some(session_id) = session_cookie(&headers, state.settings.secure_cookies) {
        let live = load_session(&state, &session_id).await?;
        if matches!(live, Some((_, Stage::Full))) && !csrf_header_matches(&headers, &session_id) {
            return Err(Error::CsrfFailed);
        }
        let id_hash = token_digest(&session_id);
        state
            .db
            .call(move |conn| {
                conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
                Ok(())
            })
            .await?;
    }
    let cookie = set_session_cookie(None, state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Stores a new session for `user_id` (ending the caller's previous one, if
/// any) and returns its id, which exists in the clear only in the cookie.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    stage: Stage,
) -> Result<String, Error> {
    let previous =
        session_cookie(headers, state.settings.secure_cookies).map(|id| token_digest(&id));
    let session_id = random_token(32);
    let id_hash = token_digest(&session_id);
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(previous) = previous {
                tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [previous])?;
            }
            let now = unix_now();
            tx.execute(
                "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![id_hash, user_id, stage, now],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(session_id)
}
