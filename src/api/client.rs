//! The contract's endpoints as [`ApiClient`] methods: the one place that
//! knows each call's method, path and body. Sending them is
//! `transport.rs`'s work.

use std::sync::{Arc, Mutex};

use gloo_net::http::Method;

use contract::headers::IDEMPOTENCY_KEY;
use contract::{
    AppPassword, AppPasswordList, AppPasswordName, CreatedAppPassword, Credentials, NewAppPassword,
    Revoked, SecondFactor, SecurityInfo, SecurityInfoUpdate, Session, SignInProvider,
};

use super::bearer::BearerTokens;
use super::error::ApiError;
use super::transport::lock;
use crate::config::{AuthMode, Config};
use crate::url_encoding::percent_encode;

/// Talks to one backend of the contract. Cheap to clone; clones share the
/// CSRF token and the bearer token, which live only in memory.
#[derive(Clone)]
pub struct ApiClient {
    /// The API's base URL, without a trailing slash.
    pub(super) base: String,
    /// The CSRF token of the last session response (cookie mode).
    pub(super) csrf_token: Arc<Mutex<Option<String>>>,
    /// The host page's tokens, in bearer mode.
    pub(super) bearer: Option<BearerTokens>,
    /// How long a request may take, response included.
    pub(super) timeout_seconds: u32,
}

impl ApiClient {
    /// A client for the backend of `config` (its `api_base` already
    /// absolute). In bearer mode `get_token` is the host page's provider of
    /// tokens; in cookie mode it is not used.
    pub fn new(config: &Config, get_token: Option<js_sys::Function>) -> Self {
        let bearer = match config.auth {
            AuthMode::Bearer => get_token.map(BearerTokens::new),
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
}

/// Path of one app password: ids are opaque, so they are percent-encoded
/// rather than trusted to be URL-safe.
fn app_password_path(id: &str) -> String {
    format!("/app-passwords/{}", percent_encode(id, false))
}

/// Where the browser goes to sign in through `provider` and land on
/// `return_to` (a path of this site); `confirm` asks the provider for a
/// fresh sign-in (`reauth=1`), which creating an app password may need.
pub fn provider_sign_in_url(provider: &SignInProvider, return_to: &str, confirm: bool) -> String {
    let joiner = if provider.start_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let confirm = if confirm { "&reauth=1" } else { "" };
    format!(
        "{}{joiner}return_to={}{confirm}",
        provider.start_url,
        percent_encode(return_to, true)
    )
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
