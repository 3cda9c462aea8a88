//! The HTTP client: the only code in the app that builds URLs or speaks HTTP.

use std::sync::{Arc, Mutex};

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use super::error::{ApiError, Problem};
use super::models::{
    AppPassword, AppPasswordList, AppPasswordName, CreatedAppPassword, Credentials, Revoked,
    SecondFactor, SecurityInfo, SecurityInfoUpdate, Session,
};
use crate::config::Config;

/// Talks to one backend of the contract. Cheap to clone; clones share the
/// CSRF token, which lives only in memory.
#[derive(Clone)]
pub struct ApiClient {
    base: String,
    csrf_token: Arc<Mutex<Option<String>>>,
}

impl ApiClient {
    /// A client for the backend and authentication mode of `config`.
    pub fn new(config: &Config) -> Self {
        Self {
            base: config.api_base.trim_end_matches('/').to_owned(),
            csrf_token: Arc::default(),
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
        *self.lock_csrf() = None;
        result
    }

    /// `GET /app-passwords`: the signed-in user's app passwords.
    pub async fn app_passwords(&self) -> Result<AppPasswordList, ApiError> {
        self.call(Method::GET, "/app-passwords", None::<&()>).await
    }

    /// `POST /app-passwords`: creates one. Send the same `idempotency_key`
    /// when retrying the same create, so that a lost answer cannot create two.
    pub async fn create_app_password(
        &self,
        name: &str,
        idempotency_key: &str,
    ) -> Result<CreatedAppPassword, ApiError> {
        let body = AppPasswordName {
            name: name.to_owned(),
        };
        self.call_with(
            Method::POST,
            "/app-passwords",
            Some(&body),
            &[("Idempotency-Key", idempotency_key)],
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
        *self.lock_csrf() = session.csrf_token.clone();
        session
    }

    fn lock_csrf(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // Nothing can panic while the lock is held, but never let a poisoned
        // lock take the whole app down.
        self.csrf_token.lock().unwrap_or_else(|p| p.into_inner())
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
        let response = self.send(method, path, body, headers).await?;
        let text = response.text().await.map_err(|_| ApiError::Network)?;
        serde_json::from_str(&text).map_err(|_| ApiError::UnexpectedAnswer)
    }

    async fn call_no_content(&self, method: Method, path: &str) -> Result<(), ApiError> {
        self.send(method, path, None::<&()>, &[]).await.map(drop)
    }

    /// Sends one request with the auth, CSRF and JSON headers the contract
    /// asks for, and turns every error status into an [`ApiError`].
    async fn send<B>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        headers: &[(&str, &str)],
    ) -> Result<Response, ApiError>
    where
        B: Serialize + ?Sized,
    {
        let unsafe_method = !matches!(method, Method::GET | Method::HEAD);
        let mut builder = RequestBuilder::new(&format!("{}{path}", self.base))
            .method(method)
            .header("Accept", "application/json, application/problem+json");
        // The session cookie goes along even when the backend is on another
        // origin; unsafe methods prove they come from this page with the
        // CSRF token of the last session answer.
        builder = builder.credentials(RequestCredentials::Include);
        if let Some(token) = self.lock_csrf().clone().filter(|_| unsafe_method) {
            builder = builder.header("X-CSRF-Token", &token);
        }
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let request = match body {
            Some(body) => builder.json(body),
            None => builder.build(),
        }
        .map_err(|_| ApiError::Network)?;
        let response = request.send().await.map_err(|_| ApiError::Network)?;
        if response.ok() {
            return Ok(response);
        }
        Err(error_from_response(response).await)
    }
}

/// Path of one app password: ids are opaque, so they are percent-encoded
/// rather than trusted to be URL-safe.
fn app_password_path(id: &str) -> String {
    let encoded: String = id
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/app-passwords/{encoded}")
}

/// Turns an error answer, whatever its body, into an [`ApiError`].
pub async fn error_from_response(response: Response) -> ApiError {
    let headers = response.headers();
    let content_type = headers.get("content-type");
    let retry_after = headers.get("retry-after");
    let body = response.text().await.unwrap_or_default();
    ApiError::Problem(Problem::from_answer(
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
