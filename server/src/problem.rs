//! RFC 9457 problem details: the one error type every handler returns.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use contract::FieldError;
use contract::ProblemKind;
use serde::Serialize;

/// Prefix of every problem `type` URI this server sends. Clients match on
/// the last path segment only, so the prefix is this server's own choice.
pub const TYPE_PREFIX: &str = "/problems/";

/// An error answer in `application/problem+json`. Boxed so that the
/// `Result`s that carry it stay small.
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemBody>);

/// The serialised members of a [`Problem`].
#[derive(Debug, Clone, Serialize)]
struct ProblemBody {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    /// Extra members of specific problem types, e.g. `methods` of `mfa-required`.
    #[serde(flatten)]
    extensions: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl Problem {
    /// A problem of the well-known type `kind`.
    pub fn new(status: StatusCode, kind: ProblemKind, title: &str) -> Self {
        Self(Box::new(ProblemBody {
            kind: format!("{TYPE_PREFIX}{}", kind.slug()),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            retry_after: None,
        }))
    }

    /// Adds a human-readable explanation of this occurrence.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    /// Adds an extension member to the body.
    pub fn extension(mut self, key: &str, value: serde_json::Value) -> Self {
        self.0.extensions.insert(key.to_owned(), value);
        self
    }

    /// The HTTP status this problem is sent with.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 401: no valid session or token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemKind::Unauthorized,
            "Sign in to continue",
        )
    }

    /// 401: login and password do not match (never says which one is wrong).
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemKind::InvalidCredentials,
            "The login or password is incorrect",
        )
    }

    /// 401: the second factor is needed; `methods` lists what the user can use.
    pub fn mfa_required(methods: &[&str]) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemKind::MfaRequired,
            "Enter the code from your authenticator app",
        )
        .extension("methods", serde_json::json!(methods))
    }

    /// 401: the second-factor code is wrong, expired or already used.
    pub fn invalid_code() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemKind::InvalidCode,
            "That code is not valid",
        )
        .detail("Enter the current 6-digit code from your authenticator app.")
    }

    /// 403: the `X-CSRF-Token` header is missing or wrong.
    pub fn csrf_failed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ProblemKind::CsrfFailed,
            "The request could not be verified",
        )
        .detail("Reload the session and try again.")
    }

    /// 422: some fields are invalid; `errors` says which and why.
    pub fn validation_failed(errors: Vec<FieldError>) -> Self {
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::ValidationFailed,
            "Some fields are not valid",
        );
        problem.0.errors = errors;
        problem
    }

    /// 429: too many failed attempts; try again after `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::RateLimited,
            "Too many attempts",
        )
        .detail(format!("Wait {seconds} seconds and try again."));
        problem.0.retry_after = Some(seconds);
        problem
    }

    /// 409: the user holds the most app passwords allowed.
    pub fn limit_reached(max: u32) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ProblemKind::LimitReached,
            "You have the most app passwords allowed",
        )
        .detail(format!(
            "You can have at most {max}. Delete one you no longer use to create another."
        ))
    }

    /// 403: an administrator has turned app passwords off for this user.
    pub fn app_passwords_disabled() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ProblemKind::AppPasswordsDisabled,
            "App passwords are turned off",
        )
        .detail("Your administrator has turned off app passwords for your account.")
    }

    /// 400: the body is not what the call takes.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ProblemKind::BadRequest,
            "The request is malformed",
        )
        .detail(detail)
    }

    /// 404: nothing at this address (or nothing that belongs to the caller).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ProblemKind::NotFound, "Not found")
    }

    /// 500: something failed inside the server; the cause is logged, not sent.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemKind::InternalError,
            "Something went wrong on the server",
        )
        .detail("Try again in a moment.")
    }
}

/// Lets handlers use `?` on database and other internal errors: the cause is
/// logged here, and the client gets a plain 500 with no internals.
impl From<anyhow::Error> for Problem {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!("internal error: {error:#}");
        Self::internal()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.0.retry_after;
        let mut response = (status, axum::Json(self.0)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_rfc9457_with_extensions() {
        let body = serde_json::to_value(Problem::mfa_required(&["totp"]).0).unwrap();
        assert_eq!(body["type"], "/problems/mfa-required");
        assert_eq!(body["status"], 401);
        assert_eq!(body["methods"], serde_json::json!(["totp"]));
        assert!(body.get("errors").is_none());
    }
}
