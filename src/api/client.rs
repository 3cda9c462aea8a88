//! The HTTP client: the only code in the app that builds URLs or speaks HTTP.

use std::sync::{Arc, Mutex};

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use web_sys::RequestCredentials;

use contract::headers::{CSRF_TOKEN, IDEMPOTENCY_KEY};
use contract::{
    AppPassword, AppPasswordList, AppPasswordName, CreatedAppPassword, Credentials, NewAppPassword,
    ProblemKind, Revoked, SecondFactor, SecurityInfo, SecurityInfoUpdate, Session,
};

use super::error::{ApiError, Problem};
use crate::config::{AuthMode, Config};
use crate::url_encoding::percent_encode;

/// Talks to one backend of the contract. Cheap to clone; clones share the
/// CSRF token and the bearer token, which live only in memory.
#[derive(Clone)]
pub struct ApiClient {
    base: String,
    csrf_token: Arc<Mutex<Option<String>>>,
    bearer: Option<BearerTokens>,
    timeout_seconds: u32,
}

/// Bearer tokens handed over by the host page's `getToken` function.
#[derive(Clone)]
struct BearerTokens {
    get_token: SendWrapper<js_sys::Function>,
    current: Arc<Mutex<Option<String>>>,
    /// The host's reply while it is awaited. Requests that need a token
    /// meanwhile wait for the same reply: the page asks its user once,
    /// however many requests are under way.
    asking: Arc<Mutex<Option<SendWrapper<js_sys::Promise>>>>,
}

impl BearerTokens {
    /// The token to send: the one in hand unless it is `refused` (the
    /// backend turned it down), else the host page's reply
    /// (`getToken({ renew })` may return a string or a promise of one).
    async fn get(&self, refused: Option<&str>) -> Result<String, ApiError> {
        {
            let mut current = lock(&self.current);
            match current.as_deref() {
                Some(token) if Some(token) != refused => return Ok(token.to_owned()),
                Some(_) => *current = None,
                None => {}
            }
        }
        let reply = {
            let mut asking = lock(&self.asking);
            match asking.as_ref() {
                Some(reply) => js_sys::Promise::clone(reply),
                None => {
                    let reply = self.ask(refused.is_some())?;
                    *asking = Some(SendWrapper::new(reply.clone()));
                    reply
                }
            }
        };
        let token = wasm_bindgen_futures::JsFuture::from(reply.clone()).await;
        {
            let mut asking = lock(&self.asking);
            if asking
                .as_ref()
                .is_some_and(|pending| js_sys::Object::is(pending, &reply))
            {
                *asking = None;
            }
        }
        let token = token
            .ok()
            .and_then(|token| token.as_string())
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::NoToken)?;
        *lock(&self.current) = Some(token.clone());
        Ok(token)
    }

    /// Asks the host page for a token; `renew` says the last was refused.
    fn ask(&self, renew: bool) -> Result<js_sys::Promise, ApiError> {
        let request = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&request, &"renew".into(), &renew.into());
        let reply = self
            .get_token
            .call1(&JsValue::NULL, &request)
            .map_err(|_| ApiError::NoToken)?;
        // A string becomes a settled promise: one way to wait for both.
        Ok(js_sys::Promise::resolve(&reply))
    }
}

/// Locks a slot. Nothing can panic while one is held, but a poisoned lock
/// must never take the whole app down.
fn lock<T>(slot: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    slot.lock().unwrap_or_else(|p| p.into_inner())
}

impl ApiClient {
    /// A client for the backend of `config` (its `api_base` already
    /// absolute). In bearer mode `get_token` is the host page's provider of
    /// tokens; in cookie mode it is not used.
    pub fn new(config: &Config, get_token: Option<js_sys::Function>) -> Self {
        let bearer = match config.auth {
            AuthMode::Bearer => get_token.map(|get_token| BearerTokens {
                get_token: SendWrapper::new(get_token),
                current: Arc::default(),
                asking: Arc::default(),
            }),
            AuthMode::Cookie => None,
        };
        Self {
            base: config.api_base.trim_end_matches('/').to_owned(),
            csrf_token: Arc::default(),
            bearer,
            timeout_seconds: config.request_timeout_seconds,
        }
    }

    /// `GET /session`: the current session; a 401 when signed out.
    pub async fn session(&self) -> Result<Session, ApiError> {
        let session = self.call(Method::GET, "/session", None::<&()>).await?;
        Ok(self.remember(session))
    }

    /// `POST /session`: signs in, or fails with `mfa-required`.
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<Session, ApiError> {
        let session = self
            .call(Method::POST, "/session", Some(credentials))
            .await?;
        Ok(self.remember(session))
    }

    /// `POST /session/mfa`: completes sign-in with a second-factor code.
    pub async fn submit_code(&self, code: &SecondFactor) -> Result<Session, ApiError> {
        let session = self.call(Method::POST, "/session/mfa", Some(code)).await?;
        Ok(self.remember(session))
    }

    /// `DELETE /session`: signs out.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let result = self.call_no_content(Method::DELETE, "/session").await;
        *lock(&self.csrf_token) = None;
        result
    }

    /// `GET /app-passwords`: the signed-in user's app passwords.
    pub async fn app_passwords(&self) -> Result<AppPasswordList, ApiError> {
        self.call(Method::GET, "/app-passwords", None::<&()>).await
    }

    /// `POST /app-passwords`: creates one. Send the same `idempotency_key`
    /// when retrying the same create, so that a lost response cannot create two.
    pub async fn create_app_password(
        &self,
        request: &NewAppPassword,
        idempotency_key: &str,
    ) -> Result<CreatedAppPassword, ApiError> {
        let body = request;
        self.call_with(
            Method::POST,
            "/app-passwords",
            Some(&body),
            &[(IDEMPOTENCY_KEY, idempotency_key)],
        )
        .await
    }

    /// `PATCH /app-passwords/{id}`: renames one.
    pub async fn rename_app_password(&self, id: &str, name: &str) -> Result<AppPassword, ApiError> {
        let body = AppPasswordName {
            name: name.to_owned(),
        };
        self.call(Method::PATCH, &app_password_path(id), Some(&body))
            .await
    }

    /// `DELETE /app-passwords/{id}`: revokes one.
    pub async fn delete_app_password(&self, id: &str) -> Result<(), ApiError> {
        self.call_no_content(Method::DELETE, &app_password_path(id))
            .await
    }

    /// `DELETE /app-passwords`: revokes them all.
    pub async fn delete_all_app_passwords(&self) -> Result<Revoked, ApiError> {
        self.call(Method::DELETE, "/app-passwords", None::<&()>)
            .await
    }

    /// `GET /security-info`.
    pub async fn security_info(&self) -> Result<SecurityInfo, ApiError> {
        self.call(Method::GET, "/security-info", None::<&()>).await
    }

    /// `PUT /security-info`.
    pub async fn update_security_info(
        &self,
        update: &SecurityInfoUpdate,
    ) -> Result<SecurityInfo, ApiError> {
        self.call(Method::PUT, "/security-info", Some(update)).await
    }

    fn remember(&self, session: Session) -> Session {
        *lock(&self.csrf_token) = session.csrf_token.clone();
        session
    }

    async fn call<B, T>(&self, method: Method, path: &str, body: Option<&B>) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.call_with(method, path, body, &[]).await
    }

    async fn call_with<B, T>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        headers: &[(&str, &str)],
    ) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        // Serialised here so that everything below is compiled once, not
        // once per body type (the app's size budget).
        let body = body.map(serde_json::to_string).transpose();
        let body = body.map_err(|_| ApiError::UnexpectedResponse)?;
        let call = Call {
            method,
            path,
            body: body.as_deref(),
            headers,
        };
        decode(&self.exchange(&call).await?)
    }

    async fn call_no_content(&self, method: Method, path: &str) -> Result<(), ApiError> {
        let call = Call {
            method,
            path,
            body: None,
            headers: &[],
        };
        self.exchange(&call).await.map(drop)
    }

    /// One call of the contract: the response's body, or an [`ApiError`] for
    /// every error status. Two refusals are mended and the call sent once
    /// more: a bearer token the backend refuses (the host page is asked for
    /// a new one), and a stale CSRF token (the session is read again for a
    /// fresh one).
    async fn exchange(&self, call: &Call<'_>) -> Result<Vec<u8>, ApiError> {
        // The bearer token the backend refused, once: the next try asks for another.
        let (mut refused, mut renewed_csrf) = (None::<String>, false);
        loop {
            let token = match &self.bearer {
                Some(bearer) => Some(bearer.get(refused.as_deref()).await?),
                None => None,
            };
            let error = match self.exchange_once(call, token.as_deref()).await {
                Ok(body) => return Ok(body),
                Err(error) => error,
            };
            if error.status() == Some(401) && self.bearer.is_some() && refused.is_none() {
                refused = token;
            } else if error.kind() == ProblemKind::CsrfFailed && token.is_none() && !renewed_csrf {
                renewed_csrf = true;
                let session = Call {
                    method: Method::GET,
                    path: "/session",
                    body: None,
                    headers: &[],
                };
                let body = self.exchange_once(&session, None).await?;
                self.remember(decode::<Session>(&body)?);
            } else {
                return Err(error);
            }
        }
    }

    /// Sends one request and reads its whole response, within the timeout.
    async fn exchange_once(
        &self,
        call: &Call<'_>,
        bearer_token: Option<&str>,
    ) -> Result<Vec<u8>, ApiError> {
        let deadline = Deadline::start(self.timeout_seconds);
        let request = self.request(call, bearer_token, &deadline.signal)?;
        let response = request.send().await.map_err(|_| deadline.failure())?;
        if response.ok() {
            // Bytes, not text: JSON is parsed straight from them, without a
            // JS string in between (a long list is tens of kilobytes).
            return response.binary().await.map_err(|_| deadline.failure());
        }
        match error_from_response(response).await {
            // The body of an error was cut off by the deadline.
            ApiError::Problem(_) if deadline.expired() => Err(deadline.failure()),
            error => Err(error),
        }
    }

    /// Builds one request. A bearer token replaces the cookie and the CSRF
    /// token; otherwise the session cookie goes along even when the backend
    /// is on another origin, and unsafe methods prove they come from this
    /// page with the CSRF token of the last session response.
    fn request(
        &self,
        call: &Call<'_>,
        bearer_token: Option<&str>,
        signal: &web_sys::AbortSignal,
    ) -> Result<Request, ApiError> {
        let unsafe_method = !matches!(call.method, Method::GET | Method::HEAD);
        let mut builder = RequestBuilder::new(&format!("{}{}", self.base, call.path))
            .method(call.method.clone())
            .abort_signal(Some(signal))
            .header("Accept", "application/json, application/problem+json");
        builder = match bearer_token {
            Some(token) => builder
                .credentials(RequestCredentials::Omit)
                .header("Authorization", &format!("Bearer {token}")),
            None => {
                let builder = builder.credentials(RequestCredentials::Include);
                match lock(&self.csrf_token).clone().filter(|_| unsafe_method) {
                    Some(csrf) => builder.header(CSRF_TOKEN, &csrf),
                    None => builder,
                }
            }
        };
        for (name, value) in call.headers {
            builder = builder.header(name, value);
        }
        match call.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.to_owned()),
            None => builder.build(),
        }
        .map_err(|_| ApiError::Network)
    }
}

/// One request of the contract, before the client adds what every request
/// carries (credentials, CSRF token, deadline).
struct Call<'a> {
    method: Method,
    /// The path under the API's base URL.
    path: &'a str,
    /// JSON.
    body: Option<&'a str>,
    /// Headers of this request alone, such as `Idempotency-Key`.
    headers: &'a [(&'a str, &'a str)],
}

/// Aborts a request, response included, that takes longer than the
/// timeout, and tells a timeout from any other failure.
struct Deadline {
    signal: web_sys::AbortSignal,
    seconds: u32,
}

impl Deadline {
    fn start(seconds: u32) -> Self {
        Self {
            signal: web_sys::AbortSignal::timeout_with_u32(seconds.saturating_mul(1000)),
            seconds,
        }
    }

    fn expired(&self) -> bool {
        self.signal.aborted()
    }

    /// What a failed request means: the deadline passed, or no response came.
    fn failure(&self) -> ApiError {
        if self.expired() {
            ApiError::Timeout {
                seconds: self.seconds,
            }
        } else {
            ApiError::Network
        }
    }
}

/// A response's JSON as `T`, or the error for a backend that sent
/// something else.
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    crate::json::parse(body).map_err(|_| ApiError::UnexpectedResponse)
}

/// Path of one app password: ids are opaque, so they are percent-encoded
/// rather than trusted to be URL-safe.
fn app_password_path(id: &str) -> String {
    format!("/app-passwords/{}", percent_encode(id, false))
}

/// Reads a file the app is deployed with at `url` (absolute), such as its
/// configuration or a catalogue: its text, or `None` when there is none. A
/// 404, or an HTML page instead of JSON (what a host that serves every
/// unknown path with `index.html` sends), means there is none. Within the
/// default request timeout, so that a server that never answers cannot
/// hold the app at its start.
pub async fn fetch_config_file(url: &str) -> Result<Option<String>, ApiError> {
    let deadline = Deadline::start(Config::default().request_timeout_seconds);
    // No headers of its own: index.html preloads the file, and the browser
    // hands over a preloaded response only to a request just like the preload.
    let response = Request::get(url)
        .abort_signal(Some(&deadline.signal))
        .send()
        .await
        .map_err(|_| deadline.failure())?;
    let is_html = response.headers().get("content-type").is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/html")
    });
    if response.status() == 404 || (response.ok() && is_html) {
        return Ok(None);
    }
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    response
        .text()
        .await
        .map(Some)
        .map_err(|_| deadline.failure())
}

/// Turns an error response, whatever its body, into an [`ApiError`].
pub async fn error_from_response(response: Response) -> ApiError {
    let headers = response.headers();
    let content_type = headers.get("content-type");
    let retry_after = headers.get("retry-after");
    let body = response.text().await.unwrap_or_default();
    ApiError::Problem(Problem::from_response(
        response.status(),
        content_type.as_deref(),
        &body,
        retry_after.as_deref(),
    ))
}

/// A fresh `Idempotency-Key`: a random UUID from the browser's CSPRNG, or,
/// in a browser without `crypto.randomUUID`, time and randomness enough to
/// be unique per user.
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|| {
            format!(
                "{}-{}",
                js_sys::Date::now(),
                (js_sys::Math::random() * 1e16) as u64
            )
        })
}
