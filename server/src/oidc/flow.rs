//! The browser's way through the provider: `start` sends it there with a
//! PKCE challenge, `state` and `nonce`; `callback` takes it back, exchanges
//! the code, checks the ID token, creates the user just in time, and signs
//! them in with this server's own session.
//!
//! What a sign-in must remember between the two (state, nonce, the PKCE
//! verifier, where to return) travels sealed in a cookie, so that any
//! instance of several can finish what another started. It is
//! `SameSite=Lax`: a `Strict` cookie is not sent on the provider's
//! redirect back.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use data_encoding::BASE64URL_NOPAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{display_name, page, tokens, Oidc, OidcError};
use crate::auth::{cookie, set_session_cookie, Stage};
use crate::crypto::{constant_time_eq, random_token};
use crate::error::Error;
use crate::problem::Problem;
use crate::session::start_session;
use crate::users::provider_user;
use crate::{unix_now, AppState};

/// Seconds a sign-in may spend at the provider.
const FLOW_SECONDS: i64 = 600;
/// Seconds of clock difference allowed for the provider's `auth_time`.
const CLOCK_SKEW: i64 = 60;

/// What a sign-in keeps between start and callback.
#[derive(Serialize, Deserialize)]
struct Flow {
    /// Tells this cookie's sealed text from any other the key seals.
    purpose: String,
    state: String,
    nonce: String,
    verifier: String,
    return_to: String,
    /// Whether the user was asked to sign in again (`prompt=login`).
    fresh: bool,
    started_at: i64,
}

const PURPOSE: &str = "oidc-flow";

/// `start`'s query: where to land afterwards, and whether to confirm.
#[derive(Deserialize)]
pub struct StartQuery {
    return_to: Option<String>,
    reauth: Option<String>,
}

/// `callback`'s query, as the provider sends it.
#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /session/oidc/start`: sends the browser to the provider.
pub async fn start(State(state): State<AppState>, Query(query): Query<StartQuery>) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return Problem::not_found().into_response();
    };
    let return_to = safe_return_to(query.return_to.as_deref());
    let discovery = match oidc.provider.discovery().await {
        Ok(discovery) => discovery,
        Err(error) => return page::failed(&oidc.name, &error, &return_to),
    };
    let flow = Flow {
        purpose: PURPOSE.to_owned(),
        state: random_token(24),
        nonce: random_token(24),
        verifier: random_token(48),
        return_to,
        fresh: query.reauth.is_some(),
        started_at: unix_now(),
    };
    let Ok(mut url) = reqwest::Url::parse(&discovery.authorization_endpoint) else {
        return page::failed(
            &oidc.name,
            &OidcError::Misconfigured("bad authorization endpoint"),
            &flow.return_to,
        );
    };
    let challenge = BASE64URL_NOPAD.encode(&Sha256::digest(flow.verifier.as_bytes()));
    // max_age makes the provider say when the user last signed in there
    // (`auth_time`), which is the session's sign-in time for
    // --reauth-minutes; a confirmation asks for a sign-in now.
    let max_age = if flow.fresh {
        0
    } else {
        state.settings.reauth_seconds
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &oidc.client.id)
        .append_pair("redirect_uri", &oidc.client.redirect_uri)
        .append_pair("scope", "openid email profile")
        .append_pair("state", &flow.state)
        .append_pair("nonce", &flow.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("max_age", &max_age.to_string());
    if flow.fresh {
        url.query_pairs_mut().append_pair("prompt", "login");
    }
    let sealed = state
        .secrets
        .seal(&serde_json::to_vec(&flow).unwrap_or_default());
    let cookie = flow_cookie(
        Some(&BASE64URL_NOPAD.encode(&sealed)),
        state.settings.secure_cookies,
    );
    let mut response =
        (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// `GET /session/oidc/callback`: finishes the sign-in and lands on the
/// screen it started from; any failure shows a page that says what
/// happened, and nothing is made.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, Error> {
    let Some(oidc) = state.oidc.clone() else {
        return Ok(Problem::not_found().into_response());
    };
    let secure = state.settings.secure_cookies;
    let flow = read_flow(&state, &headers);
    let return_to = flow
        .as_ref()
        .map_or("/".to_owned(), |flow| flow.return_to.clone());
    let clear = [(header::SET_COOKIE, flow_cookie(None, secure))];
    let (login, name, signed_in_at) =
        match finish(&oidc, flow, query, state.settings.reauth_seconds).await {
            Ok(done) => done,
            Err(error) => {
                tracing::info!(%error, "a sign-in through the provider did not finish");
                return Ok((clear, page::failed(&oidc.name, &error, &return_to)).into_response());
            }
        };
    let user = state
        .db
        .call(move |conn| provider_user(conn, &login, &name))
        .await?;
    let Some(user) = user else {
        let taken = OidcError::LocalAccount;
        tracing::info!(error = %taken, "a sign-in through the provider did not finish");
        return Ok((clear, page::failed(&oidc.name, &taken, &return_to)).into_response());
    };
    let session_id = start_session(&state, &headers, user.id, Stage::Full, signed_in_at).await?;
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, return_to)]).into_response();
    let cookies = response.headers_mut();
    cookies.append(header::SET_COOKIE, flow_cookie(None, secure));
    cookies.append(
        header::SET_COOKIE,
        set_session_cookie(Some(&session_id), secure),
    );
    Ok(response)
}

/// The checks between the provider's answer and a signed-in user: the
/// login, the display name, and when the user signed in.
async fn finish(
    oidc: &Oidc,
    flow: Option<Flow>,
    query: CallbackQuery,
    reauth_seconds: i64,
) -> Result<(String, String, i64), OidcError> {
    if let Some(error) = query.error {
        // Only a code's letters are kept: the text is the address bar's.
        return Err(OidcError::Refused(super::error_code(&error)));
    }
    let flow = flow.ok_or(OidcError::FlowLost)?;
    let sent_state = query.state.unwrap_or_default();
    if !constant_time_eq(&sent_state, &flow.state) || unix_now() - flow.started_at > FLOW_SECONDS {
        return Err(OidcError::FlowLost);
    }
    let code = query.code.ok_or(OidcError::Refused("no_code".into()))?;
    let tokens_got = oidc
        .provider
        .exchange(&oidc.client, &code, &flow.verifier)
        .await?;
    let id_token = tokens_got
        .id_token
        .ok_or(OidcError::BadToken("no ID token"))?;
    let mut claims =
        tokens::check_id_token(&oidc.provider, &oidc.client.id, &id_token, &flow.nonce).await?;
    let now = unix_now();
    let auth_time = claims.get("auth_time").and_then(Value::as_i64);
    if flow.fresh && auth_time.is_none_or(|at| at < flow.started_at - CLOCK_SKEW) {
        return Err(OidcError::NotFresh);
    }
    // The ID token may carry only `sub`: the rest comes from userinfo,
    // which must be about the same subject.
    if oidc.login_of(&claims).is_none() {
        let access_token = tokens_got.access_token.ok_or(OidcError::NoLogin)?;
        let info = oidc.provider.userinfo(&access_token).await?;
        if info.get("sub") != claims.get("sub") {
            return Err(OidcError::BadToken("userinfo is about another subject"));
        }
        for (name, value) in info {
            claims.entry(name).or_insert(value);
        }
    }
    let login = oidc.login_of(&claims).ok_or(OidcError::NoLogin)?;
    let name = display_name(&claims, &login);
    Ok((
        login,
        name,
        // Without `auth_time` (which max_age obliges the provider to send)
        // nothing says the person signed in lately: the session counts as
        // older than --reauth-minutes, so a create asks to confirm.
        auth_time.map_or(now - reauth_seconds - 1, |at| at.clamp(now - 86_400, now)),
    ))
}

/// The sign-in's sealed cookie, opened, if it is there and ours.
fn read_flow(state: &AppState, headers: &HeaderMap) -> Option<Flow> {
    let sealed = cookie(headers, flow_cookie_name(state.settings.secure_cookies))?;
    let plain = state
        .secrets
        .open(&BASE64URL_NOPAD.decode(sealed.as_bytes()).ok()?)
        .ok()?;
    serde_json::from_slice::<Flow>(&plain)
        .ok()
        .filter(|flow| flow.purpose == PURPOSE)
}

/// `__Host-` over HTTPS: no other host of the site can plant one (a login
/// CSRF with the planter's own sign-in).
fn flow_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-ap_oidc"
    } else {
        "ap_oidc"
    }
}

/// The `Set-Cookie` of a sign-in's sealed state (or, with `None`, its
/// removal), for ten minutes. `Path=/`: a proxy may serve this server
/// under a prefix of its own, which the cookie's path would have to name.
fn flow_cookie(value: Option<&str>, secure: bool) -> HeaderValue {
    let name = flow_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let (value, age) = value.map_or(("", 0), |value| (value, FLOW_SECONDS));
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={age}{secure}"
    ))
    .expect("base64url is a valid cookie value")
}

/// Where to land after sign-in: a path of this site, never another site
/// (`//host`, `https://…`, `/\host`), so the flow is no open redirect.
fn safe_return_to(requested: Option<&str>) -> String {
    match requested {
        Some(path)
            if path.len() <= 1024
                && path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_only_to_paths_of_this_site() {
        assert_eq!(
            safe_return_to(Some("/app-passwords?x=1")),
            "/app-passwords?x=1"
        );
        for away in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(safe_return_to(Some(away)), "/", "{away}");
        }
        assert_eq!(safe_return_to(None), "/");
    }

    #[test]
    fn the_flow_cookie_is_lax_http_only_and_short_lived() {
        let set = flow_cookie(Some("abc"), true);
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-ap_oidc=abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=600"));
        assert!(set.ends_with("; Secure"));
        assert!(flow_cookie(None, false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }
}
