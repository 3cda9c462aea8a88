//! Who is calling: the session cookie, and the CSRF check on unsafe methods.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, Method};

use crate::db::Conn;
use crate::params;

use crate::crypto::{constant_time_eq, csrf_token_for, random_token, token_digest};
use crate::error::Error;
use crate::users::{existing_id, user_from_row, User, USER_COLUMNS};
use crate::{unix_now, AppState};

/// Name of the session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "ap_session";
/// Name of the session cookie with `--secure-cookies`: browsers take a
/// `__Host-` cookie only when it is `Secure`, for `Path=/` and without a
/// `Domain`, so no other host of the site (nor a page over plain HTTP) can
/// set one in its place.
pub const SECURE_SESSION_COOKIE: &str = "__Host-ap_session";

/// The session cookie's name: [`SECURE_SESSION_COOKIE`] when `secure`.
pub const fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Reads the session id from the request's cookies, if any; `secure` as
/// `--secure-cookies` says, which names the cookie.
pub fn session_cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    cookie(headers, session_cookie_name(secure)).filter(|value| !value.is_empty())
}

/// The value of the first cookie named `name` in the request's `Cookie`
/// headers (RFC 6265 `cookie-string`s, parsed by the `cookie` crate);
/// pieces that do not parse are skipped, as browsers send nothing else.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|found| found.name() == name)
        .map(|found| found.value().to_owned())
}

/// `Set-Cookie` value that stores `session_id` (or, with `None`, clears it).
pub fn set_session_cookie(session_id: Option<&str>, secure: bool) -> HeaderValue {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let value = match session_id {
        Some(id) => format!("{name}={id}; HttpOnly; SameSite=Strict; Path=/{secure}"),
        None => format!("{name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).expect("session ids are URL-safe base64")
}

/// Which stage of sign-in a session has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password checked; the second factor is still due.
    Mfa,
    /// Fully signed in.
    Full,
}

impl Stage {
    /// The stage as the `sessions.stage` column stores it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mfa => "mfa",
            Self::Full => "full",
        }
    }

    /// The stage a `sessions.stage` column holds; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "mfa" => Some(Self::Mfa),
            "full" => Some(Self::Full),
            _ => None,
        }
    }
}

/// Finds the live session with this id, with its stage and when its user
/// signed in, touching its idle timer; expired sessions are deleted on
/// sight. A half-signed-in session (code pending)
/// lives only the minutes of `--sign-in-code-minutes`.
pub fn find_session(
    conn: &mut Conn<'_>,
    state: &AppState,
    session_id: &str,
) -> Result<Option<(User, Stage, i64)>, Error> {
    let now = unix_now();
    let id_hash = token_digest(session_id);
    let found = conn.query_opt(
        &format!(
            "SELECT {USER_COLUMNS}, sessions.stage, sessions.created_at, sessions.last_seen_at
                 FROM sessions JOIN users ON users.id = sessions.user_id
                 WHERE sessions.id_hash = ?1"
        ),
        params![id_hash],
        |row| {
            Ok((
                user_from_row(row)?,
                row.get::<String>(5)?,
                row.get::<i64>(6)?,
                row.get::<i64>(7)?,
            ))
        },
    )?;
    let Some((user, stage, created_at, last_seen_at)) = found else {
        return Ok(None);
    };
    let stage = Stage::parse(&stage).ok_or(Error::NoRow)?;
    let settings = &state.settings;
    let lifetime = match stage {
        Stage::Mfa => settings.sign_in_code_seconds,
        Stage::Full => settings.session_lifetime_seconds,
    };
    if now - last_seen_at > settings.session_idle_seconds || now - created_at > lifetime {
        end_session(conn, &id_hash)?;
        return Ok(None);
    }
    conn.execute(
        "UPDATE sessions SET last_seen_at = ?1 WHERE id_hash = ?2",
        params![now, id_hash],
    )?;
    Ok(Some((user, stage, created_at)))
}

/// Ends the session whose id hashes to `id_hash`, if there is one: what
/// signing out, an expired or spent session and a due re-authentication
/// share.
pub(crate) fn end_session(conn: &mut Conn<'_>, id_hash: &str) -> Result<(), Error> {
    conn.execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
    Ok(())
}

/// Deletes every session past its idle time or lifetime (a half-signed-in
/// one past `--sign-in-code-minutes`), which [`find_session`] would refuse.
pub fn purge_expired_sessions(
    conn: &mut Conn<'_>,
    settings: &crate::Settings,
) -> Result<u64, Error> {
    let now = unix_now();
    conn.execute(
        "DELETE FROM sessions
         WHERE last_seen_at < ?1
            OR created_at < ?2
            OR (stage = ?3 AND created_at < ?4)",
        params![
            now - settings.session_idle_seconds,
            now - settings.session_lifetime_seconds,
            Stage::Mfa.as_str(),
            now - settings.sign_in_code_seconds
        ],
    )
}

/// [`find_session`] on the blocking pool.
pub async fn load_session(
    state: &AppState,
    session_id: &str,
) -> Result<Option<(User, Stage, i64)>, Error> {
    let lookup_state = state.clone();
    let session_id = session_id.to_owned();
    state
        .db
        .call(move |conn| find_session(conn, &lookup_state, &session_id))
        .await
}

/// Whether the request's `X-CSRF-Token` is the token of `session_id`.
pub fn csrf_header_matches(headers: &HeaderMap, session_id: &str) -> bool {
    let sent = headers
        .get(contract::headers::CSRF_TOKEN)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    constant_time_eq(sent, &csrf_token_for(session_id))
}

/// A fully signed-in caller, by session cookie or bearer token. As an
/// extractor it refuses with 401 when neither is valid and 403 `csrf-failed` when
/// an unsafe method in a cookie session lacks the session's CSRF token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The caller.
    pub user: User,
    /// The session id from the cookie; `None` for a bearer token, which
    /// needs no CSRF token.
    pub session_id: Option<String>,
    /// When the session's user signed in (Unix seconds); `None` for a
    /// bearer token, whose portal signed its user in.
    pub signed_in_at: Option<i64>,
}

/// The token of an `Authorization: Bearer` header, if any.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// Issues a bearer token for `login` (for embedding the app in a portal
/// that signed the user in) that works for `days`. Only its digest is
/// stored; the token itself is returned once.
pub fn issue_token(conn: &mut Conn<'_>, login: &str, days: u32) -> Result<String, Error> {
    let user_id = existing_id(conn, login)?;
    let token = random_token(32);
    let now = unix_now();
    conn.execute(
        "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_digest(&token), user_id, now, now + i64::from(days) * 86_400],
    )?;
    Ok(token)
}

/// Revokes every bearer token of `login`; returns how many there were.
pub fn revoke_tokens(conn: &mut Conn<'_>, login: &str) -> Result<u64, Error> {
    let user_id = existing_id(conn, login)?;
    conn.execute(
        "DELETE FROM api_tokens WHERE user_id = ?1",
        params![user_id],
    )
}

async fn user_by_token(state: &AppState, token: &str) -> Result<Option<User>, Error> {
    let token_hash = token_digest(token);
    state
        .db
        .call(move |conn| {
            conn.query_opt(
                    &format!(
                        "SELECT {USER_COLUMNS} FROM api_tokens JOIN users ON users.id = api_tokens.user_id
                         WHERE api_tokens.token_hash = ?1 AND api_tokens.expires_at > ?2"
                    ),
                    params![token_hash, unix_now()],
                    user_from_row,
                )
        })
        .await
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if let Some(token) = bearer_token(&parts.headers) {
            // A JWT (three dot-separated parts) can only be the provider's
            // access token; anything else is one of `issue-token`'s.
            let user = match &state.oidc {
                Some(oidc) if token.split('.').count() == 3 => {
                    oidc.bearer_user(state, token).await?
                }
                _ => user_by_token(state, token).await?,
            };
            return Ok(Self {
                user: user.ok_or(Error::Unauthorized)?,
                session_id: None,
                signed_in_at: None,
            });
        }
        let session_id = session_cookie(&parts.headers, state.settings.secure_cookies)
            .ok_or(Error::Unauthorized)?;
        let (user, signed_in_at) = match load_session(state, &session_id).await? {
            Some((user, Stage::Full, signed_in_at)) => (user, signed_in_at),
            _ => return Err(Error::Unauthorized),
        };
        if is_unsafe(&parts.method) && !csrf_header_matches(&parts.headers, &session_id) {
            return Err(Error::CsrfFailed);
        }
        Ok(Self {
            user,
            session_id: Some(session_id),
            signed_in_at: Some(signed_in_at),
        })
    }
}

/// Refuses a cookie session whose sign-in is older than
/// `--reauth-minutes` (Google's password re-prompt, GitHub's sudo mode): an
/// app password outlives the session and skips the second factor, so a
/// browser left signed in must not mint one. The session is ended, so that
/// signing in again, which the app then asks for, is the confirmation. A
/// bearer caller's portal signed its user in and is not asked.
pub async fn require_recent_sign_in(state: &AppState, caller: &SignedIn) -> Result<(), Error> {
    let (Some(signed_in_at), Some(session_id)) = (caller.signed_in_at, &caller.session_id) else {
        return Ok(());
    };
    if unix_now() - signed_in_at <= state.settings.reauth_seconds {
        return Ok(());
    }
    let id_hash = token_digest(session_id);
    state
        .db
        .call(move |conn| end_session(conn, &id_hash))
        .await?;
    Err(Error::ReauthenticationRequired)
}

/// Whether `method` may change something, and so needs the CSRF token and
/// a request from this site.
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; ap_session=abc; b=2"),
        );
        assert_eq!(session_cookie(&headers, false).as_deref(), Some("abc"));
        assert_eq!(session_cookie(&headers, true), None, "not the secure name");
        let mut empty = HeaderMap::new();
        empty.append(header::COOKIE, HeaderValue::from_static("ap_session="));
        assert_eq!(session_cookie(&empty, false), None);
    }

    #[test]
    fn stages_round_trip_through_their_column() {
        for stage in [Stage::Mfa, Stage::Full] {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(Stage::parse("half"), None);
    }

    #[test]
    fn cookie_is_http_only_and_strict() {
        let set = set_session_cookie(Some("xyz"), true);
        assert_eq!(
            set,
            "__Host-ap_session=xyz; HttpOnly; SameSite=Strict; Path=/; Secure"
        );
        let clear = set_session_cookie(None, false);
        assert!(clear.to_str().unwrap().contains("Max-Age=0"));
    }
}
