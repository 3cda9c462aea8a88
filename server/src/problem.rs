//! RFC 9457 problem details: the error responses of the API. Every problem
//! is made by one of the constructors here, so that each type has one title
//! and one status; [`crate::error::Error::problem`] says which error gets which.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use contract::FieldError;
use contract::ProblemKind;
use serde::Serialize;

use crate::BODY_LIMIT;

/// Prefix of every problem `type` URI this server sends. Clients match on
/// the last path segment only, so the prefix is this server's own choice.
pub const TYPE_PREFIX: &str = "/problems/";

/// An error response in `application/problem+json`. Boxed so that the
/// `Result`s that carry it stay small.
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemParts>);

/// The body of a [`Problem`] and the headers sent with it.
#[derive(Debug, Clone)]
struct ProblemParts {
    body: ProblemBody,
    headers: HeaderMap,
}

/// The serialised members of a [`Problem`].
#[derive(Debug, Clone, Serialize)]
struct ProblemBody {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    /// Extra members of specific problem types, e.g. `methods` of `mfa-required`.
    #[serde(flatten)]
    extensions: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// A problem of the well-known type `kind`.
    fn new(status: StatusCode, kind: ProblemKind, title: &'static str) -> Self {
        Self(Box::new(ProblemParts {
            body: ProblemBody {
                kind: format!("{TYPE_PREFIX}{}", kind.slug()),
                title,
                status: status.as_u16(),
                detail: None,
                errors: Vec::new(),
                extensions: serde_json::Map::new(),
            },
            headers: HeaderMap::new(),
        }))
    }

    /// Adds a human-readable explanation of this occurrence.
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.body.detail = Some(detail.into());
        self
    }

    /// Adds a header to send with the problem.
    fn header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.0.headers.insert(name, value);
        self
    }

    /// The HTTP status this problem is sent with.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 401: no valid session or token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemKind::Unauthorized,
            "Sign in to continue",
        )
    }

    /// 401: the half-signed-in session is gone; start over with the password.
    pub fn sign_in_expired() -> Self {
        Self::unauthorized().detail("Your sign-in expired. Enter your login and password again.")
    }

    /// 401: login and password do not match (never says which one is wrong).
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemKind::InvalidCredentials,
            "The login or password is incorrect",
        )
    }

    /// 401 from `/verify`, with the challenge HTTP Basic clients expect.
    pub fn app_password_refused() -> Self {
        Self::invalid_credentials()
            .detail("The login or app password is incorrect.")
            .header(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"app-passwords\", charset=\"UTF-8\""),
            )
    }

    /// 403 from `/verify`: a service's credential is missing, wrong or
    /// revoked. Not 401: the client's password may be right, and a 401
    /// would make its app ask the user for it again.
    pub fn service_refused() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ProblemKind::ServiceRefused,
            "The service is not allowed to ask",
        )
        .detail(
            "Send the credential that `service-credential add` made for this service; \
             without one, X-Service-Name and X-Client-Address are refused.",
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

    /// 401 from a create after `--reauth-minutes`: the session has ended.
    pub fn reauthentication_required() -> Self {
        let (status, title) = (StatusCode::UNAUTHORIZED, "Confirm it is you");
        Self::new(status, ProblemKind::ReauthenticationRequired, title)
            .detail("Creating an app password needs a recent sign-in. Sign in again to go on.")
    }

    /// Adds a member of a specific problem type (`sign_in` of `GET /session`).
    pub(crate) fn extension(mut self, name: &str, value: serde_json::Value) -> Self {
        self.0.body.extensions.insert(name.to_owned(), value);
        self
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
        problem.0.body.errors = errors;
        problem
    }

    /// 422: the body is JSON but lacks a field or has one of the wrong type.
    /// Which one is not said: the decoder's message may quote the body.
    pub fn unexpected_fields() -> Self {
        Self::validation_failed(Vec::new()).detail("The body does not have the expected fields.")
    }

    /// 422: the body is JSON but lacks the field at `pointer`, which must
    /// be there (if only as `null`, where the contract allows it).
    pub fn missing_field(pointer: &str) -> Self {
        Self::validation_failed(vec![FieldError {
            pointer: pointer.to_owned(),
            detail: "This field is required (null where it may be empty).".to_owned(),
        }])
        .detail("The body lacks a required field.")
    }

    /// 429: too many failed attempts; try again after `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::RateLimited,
            "Too many attempts",
        )
        .detail(format!("Wait {seconds} seconds and try again."))
        .header(header::RETRY_AFTER, HeaderValue::from(seconds))
    }

    /// 429: the login's wrong codes of the day are spent, from every
    /// address together; the oldest is a day old after `seconds`.
    pub fn too_many_wrong_codes(seconds: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::TooManyWrongCodes,
            "Too many wrong codes today",
        )
        .detail(format!(
            "This account had too many wrong codes today, so signing in with a code is paused for {} hours. An administrator can lift the pause now.",
            seconds.div_ceil(3600)
        ))
        .header(header::RETRY_AFTER, HeaderValue::from(seconds))
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

    /// 422: an `Idempotency-Key` sent again with another name.
    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::IdempotencyKeyReused,
            "This Idempotency-Key was used for another request",
        )
        .detail("Send a new key for a new app password.")
    }

    /// 428: a create without an `Idempotency-Key`.
    pub fn idempotency_key_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            ProblemKind::IdempotencyKeyRequired,
            "An Idempotency-Key is required",
        )
        .detail(
            "Send an Idempotency-Key header (a new UUID for each app password, the same one when retrying).",
        )
    }

    /// 410: the app password this `Idempotency-Key` made has been revoked;
    /// it is not given again, and nothing new is made.
    pub fn app_password_revoked() -> Self {
        Self::new(
            StatusCode::GONE,
            ProblemKind::AppPasswordRevoked,
            "The app password made with this key was revoked",
        )
        .detail("Send a new Idempotency-Key to create another app password.")
    }

    /// 403: an unsafe method from a page of another site.
    pub fn cross_site() -> Self {
        Self::csrf_failed().detail("Requests from pages of other sites are refused.")
    }

    /// 408: the request's body did not arrive in time.
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            ProblemKind::RequestTimeout,
            "The request took too long to arrive",
        )
    }

    /// 400: the request is not what the call takes; `detail` says how.
    fn bad_request(detail: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ProblemKind::BadRequest,
            "The request is malformed",
        )
        .detail(detail)
    }

    /// 400: the body is not JSON.
    pub fn malformed_json() -> Self {
        Self::bad_request("The body is not valid JSON.")
    }

    /// 400: the `Idempotency-Key` header is not a usable key.
    pub fn invalid_idempotency_key() -> Self {
        Self::bad_request(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID.",
        )
    }

    /// 400 from `/verify`: the service named itself with something other
    /// than a short lowercase token.
    pub fn malformed_service_name() -> Self {
        Self::bad_request(
            "The X-Service-Name header must be a lowercase letter, then up to 31 lowercase letters, digits or dashes.",
        )
    }

    /// 400 from `/verify`: the client address a service sent is not one.
    pub fn malformed_client_address() -> Self {
        Self::bad_request("The X-Client-Address header must be an IPv4 or IPv6 address.")
    }

    /// 415: the body is not sent as JSON.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::UnsupportedMediaType,
            "The body must be JSON",
        )
        .detail("Send the body with Content-Type: application/json.")
    }

    /// 413: the body is over [`BODY_LIMIT`].
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::PayloadTooLarge,
            "The body is too large",
        )
        .detail(format!(
            "Request bodies are limited to {} KiB.",
            BODY_LIMIT / 1024
        ))
    }

    /// 404: nothing at this address (or nothing that belongs to the caller).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ProblemKind::NotFound, "Not found")
    }

    /// 405: the address exists, but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::MethodNotAllowed,
            "This call does not take that method",
        )
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

    /// 503 from `/healthz`: the database does not answer.
    pub fn database_unreachable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::InternalError,
            "The server cannot reach its database",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let ProblemParts { body, headers } = *self.0;
        let mut response = (status, headers, axum::Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_rfc9457_with_extensions() {
        let body = serde_json::to_value(Problem::mfa_required(&["totp"]).0.body).unwrap();
        assert_eq!(body["type"], "/problems/mfa-required");
        assert_eq!(body["status"], 401);
        assert_eq!(body["methods"], serde_json::json!(["totp"]));
        assert!(body.get("errors").is_none());
    }
}
