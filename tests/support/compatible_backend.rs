//! A second backend of the contract, built unlike the reference server in
//! every way the contract allows, to prove the app relies on the contract
//! alone: UUID ids, no last-used fields, `expires_at` on every item, extra
//! fields everywhere, problem types under another prefix, a `max_count` of
//! 3, a stricter rule for names, its own cookie and CSRF token, no `login`
//! in the create response, optional fields `null`, two verification
//! methods, and every response slow.
//! State lives in memory; one user, [`KIM`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_passwords_server::auth::cookie;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use rand::Rng;
use serde_json::{json, Value};

use super::TestUser;

/// The backend's one user: no TOTP secret, its code is [`KIM_CODE`].
pub const KIM: TestUser = TestUser {
    login: "kim",
    password: "compatible-backend-2026",
    totp_secret: None,
};

/// The second-factor code the backend accepts for [`KIM`].
pub const KIM_CODE: &str = "424242";

/// The most app passwords [`KIM`] may hold here.
pub const MAX_COUNT: usize = 3;

/// How long every response takes.
pub const DELAY: Duration = Duration::from_millis(300);

/// The prefix of this backend's problem types.
const PROBLEM_PREFIX: &str = "https://idp.example.net/errors/";

/// A word this backend refuses in names, as a backend may be stricter than
/// the app's own check.
pub const REFUSED_WORD: &str = "forbidden";

#[derive(Default)]
struct Store {
    half_sessions: Vec<String>,
    /// Session id → CSRF token.
    sessions: HashMap<String, String>,
    items: Vec<Value>,
    /// Idempotency-Key → the create response.
    created: HashMap<String, Value>,
}

/// The backend's state, shared with the test so it can look inside.
#[derive(Clone, Default)]
pub struct CompatibleBackend(Arc<Mutex<Store>>);

impl CompatibleBackend {
    /// The API, to mount under any prefix.
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/session",
                get(current_session).post(sign_in).delete(sign_out),
            )
            .route("/session/mfa", post(second_factor))
            .route("/app-passwords", get(list).post(create).delete(delete_all))
            .route("/app-passwords/{id}", patch(rename).delete(delete_one))
            .route(
                "/security-info",
                get(security_info).put(update_security_info),
            )
            .layer(axum::middleware::from_fn(slowly))
            .with_state(self.clone())
    }

    /// The ids of the app passwords it holds.
    pub fn ids(&self) -> Vec<String> {
        self.store()
            .items
            .iter()
            .map(|item| item["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn slowly(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    tokio::time::sleep(DELAY).await;
    next.run(request).await
}

/// An error response, as problem details under this backend's prefix.
struct Refusal {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    /// Extra members, such as `errors` or `methods`.
    extra: Value,
}

fn refuse(status: StatusCode, kind: &'static str, title: &'static str) -> Refusal {
    Refusal {
        status,
        kind,
        title,
        extra: json!({}),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": format!("{PROBLEM_PREFIX}{}", self.kind),
            "title": self.title,
            "status": self.status.as_u16(),
            "instance": format!("urn:uuid:{}", uuid()),
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), self.extra.as_object()) {
            body.extend(extra.clone());
        }
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// What every handler returns: a response, or a refusal as problem details.
type HandlerResult = Result<Response, Refusal>;

fn uuid() -> String {
    let bytes: [u8; 16] = rand::thread_rng().gen();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..]
    )
}

/// `days` from now, as RFC 3339 in UTC without fractions of a second.
fn days_from_now(days: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn session_body(csrf: &str) -> Value {
    json!({
        "user": { "id": "3f9e2c1a-7b4d-4e2f-9a1b-5c6d7e8f9a0b", "login": KIM.login,
                  "display_name": "Kim Compatible", "email": "kim@idp.example.net" },
        "csrf_token": csrf,
        // Optional and null: the app must read it as absent (creation on).
        "app_passwords_enabled": null,
        "tenant": { "id": "t-1", "name": "Example IdP" },
        "expires_at": null
    })
}

/// A signed-in caller. As an extractor it refuses with 401 without a session,
/// and 403 when an unsafe method lacks the session's CSRF token.
struct Caller {
    csrf: String,
}

impl FromRequestParts<CompatibleBackend> for Caller {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        backend: &CompatibleBackend,
    ) -> Result<Self, Refusal> {
        let store = backend.store();
        let csrf = cookie(&parts.headers, "compat_sid")
            .and_then(|id| store.sessions.get(&id).cloned())
            .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "not-signed-in", "Not signed in"))?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD);
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if unsafe_method && sent != Some(csrf.as_str()) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "csrf-failed",
                "CSRF token missing",
            ));
        }
        Ok(Self { csrf })
    }
}

async fn current_session(caller: Caller) -> HandlerResult {
    Ok(Json(session_body(&caller.csrf)).into_response())
}

async fn sign_in(
    State(backend): State<CompatibleBackend>,
    Json(body): Json<Value>,
) -> HandlerResult {
    if body["login"] != KIM.login || body["password"] != KIM.password {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            "Wrong credentials",
        ));
    }
    let half = uuid();
    backend.store().half_sessions.push(half.clone());
    let mfa_required = Refusal {
        extra: json!({ "methods": ["totp", "webauthn"] }),
        ..refuse(
            StatusCode::UNAUTHORIZED,
            "mfa-required",
            "Second factor required",
        )
    };
    Ok((
        [(
            header::SET_COOKIE,
            format!("compat_half={half}; Path=/; HttpOnly; SameSite=Lax"),
        )],
        mfa_required,
    )
        .into_response())
}

async fn second_factor(
    State(backend): State<CompatibleBackend>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> HandlerResult {
    let half = cookie(&headers, "compat_half");
    let mut store = backend.store();
    if !half.is_some_and(|half| store.half_sessions.contains(&half)) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "not-signed-in",
            "Start again",
        ));
    }
    if body["code"] != KIM_CODE {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "invalid-code",
            "Wrong code",
        ));
    }
    let (id, csrf) = (uuid(), uuid());
    store.sessions.insert(id.clone(), csrf.clone());
    Ok((
        [(
            header::SET_COOKIE,
            format!("compat_sid={id}; Path=/; HttpOnly; SameSite=Lax"),
        )],
        Json(session_body(&csrf)),
    )
        .into_response())
}

async fn sign_out(State(backend): State<CompatibleBackend>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, "compat_sid") {
        backend.store().sessions.remove(&id);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn list(State(backend): State<CompatibleBackend>, _caller: Caller) -> HandlerResult {
    let items = backend.store().items.clone();
    Ok(Json(json!({
        "items": items,
        "max_count": MAX_COUNT,
        "next_cursor": null,
        "links": { "self": "/idp/api/v1/app-passwords" }
    }))
    .into_response())
}

/// The name in `body`, or the refusal of it.
fn checked_name(body: &Value) -> Result<String, Refusal> {
    let name = body["name"].as_str().unwrap_or_default().trim().to_owned();
    let invalid = |detail: &str| Refusal {
        extra: json!({ "errors": [{ "pointer": "/name", "detail": detail }] }),
        ..refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            "Invalid request",
        )
    };
    if name.is_empty() || name.chars().count() > 120 {
        return Err(invalid("Use 1 to 120 characters."));
    }
    if name.to_lowercase().contains(REFUSED_WORD) {
        return Err(invalid(&format!(
            "This directory does not allow the word “{REFUSED_WORD}” in names."
        )));
    }
    Ok(name)
}

async fn create(
    State(backend): State<CompatibleBackend>,
    _caller: Caller,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> HandlerResult {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            refuse(
                StatusCode::BAD_REQUEST,
                "idempotency-key-missing",
                "Idempotency-Key is required",
            )
        })?;
    let name = checked_name(&body)?;
    let mut store = backend.store();
    if let Some(first) = store.created.get(&key) {
        return Ok((StatusCode::CREATED, Json(first.clone())).into_response());
    }
    if store.items.len() >= MAX_COUNT {
        return Err(refuse(
            StatusCode::CONFLICT,
            "limit-reached",
            "Limit reached",
        ));
    }
    let item = json!({
        "id": uuid(), "name": name, "created_at": days_from_now(0), "expires_at": days_from_now(90),
        "scopes": ["imap", "smtp"], "created_by": { "kind": "self-service" }
    });
    let secret: String = (0..32)
        .map(|_| {
            char::from(b"abcdefghjkmnpqrstuvwxyz23456789"[rand::thread_rng().gen_range(0..31)])
        })
        .collect();
    let mut created = item.clone();
    created["password"] = json!(secret);
    created["hint"] = json!("Shown once.");
    store.items.push(item);
    store.created.insert(key, created.clone());
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

fn not_found() -> Refusal {
    refuse(StatusCode::NOT_FOUND, "not-found", "No such app password")
}

async fn rename(
    State(backend): State<CompatibleBackend>,
    _caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> HandlerResult {
    let name = checked_name(&body)?;
    let mut store = backend.store();
    let item = store
        .items
        .iter_mut()
        .find(|item| item["id"] == id.as_str())
        .ok_or_else(not_found)?;
    item["name"] = json!(name);
    Ok(Json(item.clone()).into_response())
}

async fn delete_one(
    State(backend): State<CompatibleBackend>,
    _caller: Caller,
    Path(id): Path<String>,
) -> HandlerResult {
    let mut store = backend.store();
    let before = store.items.len();
    store.items.retain(|item| item["id"] != id.as_str());
    if store.items.len() == before {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_all(State(backend): State<CompatibleBackend>, _caller: Caller) -> HandlerResult {
    let revoked = std::mem::take(&mut backend.store().items).len();
    Ok(Json(json!({ "revoked": revoked, "audit_id": uuid() })).into_response())
}

async fn security_info(_caller: Caller) -> HandlerResult {
    Ok(Json(json!({
        "default_method": "app_code",
        "available_methods": ["app_code", "sms"],
        "phones": { "authentication": null, "office": null, "alternate": null },
        "authenticator_app": null,
        "policy": { "enforced": true }
    }))
    .into_response())
}

async fn update_security_info(_caller: Caller, Json(body): Json<Value>) -> HandlerResult {
    Ok(Json(body).into_response())
}
