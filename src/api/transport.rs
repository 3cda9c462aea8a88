//! Sending one call of the contract: the request with what every request
//! carries (credentials, the CSRF token, the deadline), the response read
//! whole, every error status turned into an [`ApiError`], and the two
//! refusals that are mended and sent once more.

use std::sync::Mutex;

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use contract::headers::CSRF_TOKEN;
use contract::{ProblemKind, Session};

use super::client::ApiClient;
use super::error::{ApiError, Problem};

/// Locks a slot. Nothing can panic while one is held, but a poisoned lock
/// must never take the whole app down.
pub(super) fn lock<T>(slot: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    slot.lock().unwrap_or_else(|p| p.into_inner())
}

impl ApiClient {
    /// Keeps the CSRF token of a session response for the unsafe methods
    /// that follow.
    pub(super) fn remember(&self, session: Session) -> Session {
        *lock(&self.csrf_token) = session.csrf_token.clone();
        session
    }

    /// One call with a JSON body (when there is one) and a JSON response.
    pub(super) async fn call<B, T>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.call_with(method, path, body, &[]).await
    }

    /// [`Self::call`] with headers of this request alone.
    pub(super) async fn call_with<B, T>(
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

    /// One call whose response has no body to read.
    pub(super) async fn call_no_content(&self, method: Method, path: &str) -> Result<(), ApiError> {
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
pub(super) struct Deadline {
    /// Aborts the request when the time is up.
    pub(super) signal: web_sys::AbortSignal,
    seconds: u32,
}

impl Deadline {
    /// A deadline `seconds` from now.
    pub(super) fn start(seconds: u32) -> Self {
        Self {
            signal: web_sys::AbortSignal::timeout_with_u32(seconds.saturating_mul(1000)),
            seconds,
        }
    }

    fn expired(&self) -> bool {
        self.signal.aborted()
    }

    /// What a failed request means: the deadline passed, or no response came.
    pub(super) fn failure(&self) -> ApiError {
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
