//! `/session`: signing in with a password and a second factor, and out.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::{Credentials, SecondFactor, Session, SignInProvider, SignInWays};

use crate::auth::{
    csrf_header_matches, end_session, load_session, session_cookie, set_session_cookie, SignedIn,
    Stage,
};
use crate::client_address::ClientAddress;
use crate::code_step::{self, Judged};
use crate::crypto::{csrf_token_for, dummy_hash, random_token, token_digest, verify_password};
use crate::error::Error;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::users::{credentials_by_login, User, NO_PASSWORD};
use crate::{params, unix_now, AppState};

/// The contract's `Session` of `user`; `session_id` is absent for bearer
/// tokens, which need no CSRF token.
fn session_view(state: &AppState, user: &User, session_id: Option<&str>) -> Session {
    let provider = state.oidc.as_ref().filter(|_| !user.has_password);
    Session {
        user: user.into(),
        csrf_token: session_id.map(csrf_token_for),
        app_passwords_enabled: Some(user.app_passwords_enabled),
        signs_in_with: provider.map(|oidc| oidc.name.clone()),
    }
}

/// `GET /session`: who is signed in; when nobody is, the 401 says how to
/// sign in (`sign_in`): with a password, and through which providers.
pub async fn current(
    State(state): State<AppState>,
    caller: Result<SignedIn, Error>,
) -> Result<Json<Session>, Response> {
    match caller {
        Ok(caller) => Ok(Json(session_view(
            &state,
            &caller.user,
            caller.session_id.as_deref(),
        ))),
        Err(Error::Unauthorized) => Err(Problem::unauthorized()
            .extension("sign_in", serde_json::json!(sign_in_ways(&state)))
            .into_response()),
        Err(error) => Err(error.into_response()),
    }
}

/// How this server lets people sign in, as `GET /session`'s 401 says it.
fn sign_in_ways(state: &AppState) -> SignInWays {
    SignInWays {
        password: state.settings.password_sign_in,
        providers: state
            .oidc
            .iter()
            .map(|oidc| SignInProvider {
                name: oidc.name.clone(),
                start_url: oidc.start_url.clone(),
            })
            .collect(),
    }
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
    let attempt = state.limits.attempt(&login, client).await?;
    let found = state
        .db
        .call(move |conn| credentials_by_login(conn, &login))
        .await?;
    // Verify even for an unknown login so that both take the same time.
    // A provider's user has no password (NO_PASSWORD), and is judged as an
    // unknown login is, in the same time.
    let hash = found
        .as_ref()
        .map(|c| c.password_hash.clone())
        .filter(|hash| hash != NO_PASSWORD)
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password_sign_in = state.settings.password_sign_in;
    let password = body.password;
    let matches = crate::crypto::run_hash(move || verify_password(&hash, &password)).await?;
    let credentials = match found {
        Some(credentials) if matches && password_sign_in => credentials,
        _ => return Err(attempt.failed(Error::InvalidCredentials).await),
    };
    attempt.succeeded().await;
    let stage = if credentials.has_totp {
        Stage::Mfa
    } else {
        Stage::Full
    };
    let session_id =
        start_session(&state, &headers, credentials.user.id, stage, unix_now()).await?;
    let cookie = set_session_cookie(Some(&session_id), state.settings.secure_cookies);
    // A second factor due is not an error: the cookie of the half session
    // goes with the mfa-required problem.
    let response = match stage {
        Stage::Mfa => Problem::mfa_required(&["totp"]).into_response(),
        Stage::Full => {
            Json(session_view(&state, &credentials.user, Some(&session_id))).into_response()
        }
    };
    Ok(([(header::SET_COOKIE, cookie)], response).into_response())
}

/// `POST /session/mfa`: completes a half-signed-in session with a TOTP
/// code. The attempt is counted before the code is judged, against the
/// client's budgets and the session's and login's code caps
/// ([`code_step`]).
pub async fn submit_code(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SecondFactor>,
) -> Result<Response, Error> {
    let session_id =
        session_cookie(&headers, state.settings.secure_cookies).ok_or(Error::SignInExpired)?;
    let user = match load_session(&state, &session_id).await? {
        Some((user, Stage::Mfa, _)) => user,
        Some((user, Stage::Full, _)) => {
            return Ok(Json(session_view(&state, &user, Some(&session_id))).into_response())
        }
        None => return Err(Error::SignInExpired),
    };

    let attempt = state.limits.attempt(&user.login, client).await?;
    let (secrets, user_id, code) = (state.secrets.clone(), user.id, body.code);
    let id_hash = token_digest(&session_id);
    let max_wrong = state.settings.max_wrong_codes_per_day;
    let judged = state
        .db
        .call(move |conn| code_step::judge(conn, &secrets, user_id, &id_hash, &code, max_wrong))
        .await?;
    match judged {
        Judged::Accepted => {}
        Judged::Wrong => return Err(attempt.failed(Error::InvalidCode).await),
        Judged::SessionOver => return Err(attempt.failed(Error::SignInExpired).await),
        // Not this client's failure: the cap is the login's.
        Judged::Capped(seconds) => {
            attempt.succeeded().await;
            return Err(Error::CodesCapped {
                retry_after_seconds: seconds,
            });
        }
    }
    attempt.succeeded().await;
    // A fresh id once fully signed in: whoever saw the half session's id
    // cannot ride on it.
    let new_id = start_session(&state, &headers, user.id, Stage::Full, unix_now()).await?;
    let cookie = set_session_cookie(Some(&new_id), state.settings.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(session_view(&state, &user, Some(&new_id))),
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
        if matches!(live, Some((_, Stage::Full, _))) && !csrf_header_matches(&headers, &session_id)
        {
            return Err(Error::CsrfFailed);
        }
        let id_hash = token_digest(&session_id);
        state
            .db
            .call(move |conn| end_session(conn, &id_hash))
            .await?;
    }
    let cookie = set_session_cookie(None, state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Stores a new session for `user_id` (ending the caller's previous one, if
/// any) and returns its id, which exists in the clear only in the cookie.
/// `signed_in_at` is when the user proved who they are: now for a
/// password, the provider's `auth_time` for its sign-in. Its lifetime and
/// `--reauth-minutes` count from then.
pub(crate) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    stage: Stage,
    signed_in_at: i64,
) -> Result<String, Error> {
    let previous =
        session_cookie(headers, state.settings.secure_cookies).map(|id| token_digest(&id));
    let session_id = random_token(32);
    let id_hash = token_digest(&session_id);
    state
        .db
        .call(move |conn| {
            conn.transaction(|tx| {
                if let Some(previous) = previous {
                    end_session(tx, &previous)?;
                }
                tx.execute(
                    "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id_hash, user_id, stage.as_str(), signed_in_at, unix_now()],
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(session_id)
}
