//! The one error type of the server. Handlers, extractors and queries
//! return it with `?`; [`Error::into_response`] turns it into the problem
//! details the client gets, and [`log_internal_errors`] logs the causes of
//! the server's own failures, which the client never sees.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use contract::FieldError;

use crate::crypto::SealBroken;
use crate::problem::Problem;

/// Why a request failed: something the caller can change (4xx), or
/// something that failed inside the server (500, the variants from
/// [`Error::Database`] on).
///
/// Variants carry no secrets: they may be logged.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid session cookie or bearer token.
    #[error("not signed in")]
    Unauthorized,
    /// The code step was reached without a live half session (it expired,
    /// too many wrong codes, or never signed in): sign in again.
    #[error("no half-signed-in session to complete")]
    SignInExpired,
    /// Login and password do not match.
    #[error("wrong login or password")]
    InvalidCredentials,
    /// A create came longer after sign-in than `--reauth-minutes` allows.
    #[error("the sign-in is too old to create an app password")]
    ReauthenticationRequired,
    /// `/verify`: login and app password do not match.
    #[error("wrong login or app password")]
    AppPasswordRefused,
    /// `/verify`: a service's credential is missing, wrong or revoked, or
    /// service headers came without one.
    #[error("the service credential is missing, wrong or revoked")]
    ServiceRefused,
    /// `/verify`: a service with a valid credential named itself with
    /// something other than a short lowercase token.
    #[error("malformed X-Service-Name header")]
    MalformedServiceName,
    /// `/verify`: a service with a valid credential sent a client address
    /// that is not an IP address.
    #[error("malformed X-Client-Address header")]
    MalformedClientAddress,
    /// The second-factor code is wrong, expired or already used.
    #[error("wrong second-factor code")]
    InvalidCode,
    /// An unsafe method in a cookie session without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    CsrfFailed,
    /// The body decoded, but some fields break the contract's rules.
    #[error("{} invalid field(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// The body is not JSON of the expected shape, or too large.
    #[error("the body was refused: {0:?}")]
    Body(BodyRefusal),
    /// The `Idempotency-Key` header is not 1 to 255 visible ASCII characters.
    #[error("malformed Idempotency-Key")]
    InvalidIdempotencyKey,
    /// A create without an `Idempotency-Key`.
    #[error("missing Idempotency-Key")]
    IdempotencyKeyRequired,
    /// The `Idempotency-Key` made an app password that has since been
    /// revoked.
    #[error("the app password made with this Idempotency-Key was revoked")]
    AppPasswordRevoked,
    /// An unsafe method sent by a page of another site that is not one of
    /// the `--cors-origin`s.
    #[error("a cross-site request")]
    CrossSite,
    /// The `Idempotency-Key` came before with another name.
    #[error("Idempotency-Key reused for another request")]
    IdempotencyKeyReused,
    /// The user holds the most app passwords allowed.
    #[error("the user holds the most app passwords allowed ({max})")]
    LimitReached {
        /// The most one user may hold.
        max: u32,
    },
    /// An administrator has turned app passwords off for the user.
    #[error("app passwords are turned off for this user")]
    AppPasswordsDisabled,
    /// Too many failed attempts for the login or the client address.
    #[error("too many failed attempts")]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after_seconds: u64,
    },
    /// The login's wrong second-factor codes of the day are spent.
    #[error("too many wrong codes for this login today")]
    CodesCapped {
        /// Seconds until the oldest wrong code is a day old.
        retry_after_seconds: u64,
    },
    /// Nothing at this address, or nothing that belongs to the caller.
    #[error("not found")]
    NotFound,
    /// An administrator's command named a login that does not exist.
    #[error("there is no user with the login {login:?}")]
    NoSuchUser {
        /// The login asked for.
        login: String,
    },
    /// SQLite failed.
    #[error("database error")]
    Database(#[from] rusqlite::Error),
    /// PostgreSQL failed: its SQLSTATE and message only, never the detail,
    /// which can quote the values of a row.
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// A query that must find a row found none.
    #[error("the query found no row")]
    NoRow,
    /// A blocking task (a query, a hash) panicked or was cancelled.
    #[error("a blocking task failed")]
    Task(#[from] tokio::task::JoinError),
    /// JSON the server stores or reads back (phones) did not encode or decode.
    #[error("stored JSON does not encode or decode")]
    StoredJson(#[from] serde_json::Error),
    /// A stored create response does not decode. It holds an app password,
    /// so the decoder's message, which may quote it, is not kept.
    #[error("a stored create response does not decode")]
    StoredResponseUnreadable,
    /// A sealed secret does not open with this server's key.
    #[error("opening a sealed secret")]
    Sealed(#[from] SealBroken),
    /// A user's stored app-password salt is not a valid salt.
    #[error("the stored app-password salt is malformed")]
    MalformedSalt,
}

impl Error {
    /// The problem details the client gets for this error.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Unauthorized => Problem::unauthorized(),
            Self::SignInExpired => Problem::sign_in_expired(),
            Self::InvalidCredentials => Problem::invalid_credentials(),
            Self::ReauthenticationRequired => Problem::reauthentication_required(),
            Self::AppPasswordRefused => Problem::app_password_refused(),
            Self::ServiceRefused => Problem::service_refused(),
            Self::MalformedServiceName => Problem::malformed_service_name(),
            Self::MalformedClientAddress => Problem::malformed_client_address(),
            Self::InvalidCode => Problem::invalid_code(),
            Self::CsrfFailed => Problem::csrf_failed(),
            Self::Validation(errors) => Problem::validation_failed(errors.clone()),
            Self::Body(refusal) => match refusal {
                BodyRefusal::WrongContentType => Problem::unsupported_media_type(),
                BodyRefusal::UnexpectedFields => Problem::unexpected_fields(),
                BodyRefusal::MissingField(pointer) => Problem::missing_field(pointer),
                BodyRefusal::TooLarge => Problem::payload_too_large(),
                BodyRefusal::NotJson => Problem::malformed_json(),
            },
            Self::InvalidIdempotencyKey => Problem::invalid_idempotency_key(),
            Self::IdempotencyKeyReused => Problem::idempotency_key_reused(),
            Self::IdempotencyKeyRequired => Problem::idempotency_key_required(),
            Self::AppPasswordRevoked => Problem::app_password_revoked(),
            Self::CrossSite => Problem::cross_site(),
            Self::LimitReached { max } => Problem::limit_reached(*max),
            Self::AppPasswordsDisabled => Problem::app_passwords_disabled(),
            Self::RateLimited {
                retry_after_seconds,
            } => Problem::rate_limited(*retry_after_seconds),
            Self::CodesCapped {
                retry_after_seconds,
            } => Problem::too_many_wrong_codes(*retry_after_seconds),
            Self::NotFound | Self::NoSuchUser { .. } => Problem::not_found(),
            Self::Database(_)
            | Self::Postgres(_)
            | Self::NoRow
            | Self::Task(_)
            | Self::StoredJson(_)
            | Self::StoredResponseUnreadable
            | Self::Sealed(_)
            | Self::MalformedSalt => Problem::internal(),
        }
    }
}

/// What PostgreSQL said went wrong, without the values it may quote.
impl From<postgres::Error> for Error {
    fn from(error: postgres::Error) -> Self {
        Self::Postgres(match error.as_db_error() {
            Some(db) => format!("{} {}", db.code().code(), db.message()),
            // The driver's own words ("error connecting to server") leave
            // the cause (refused, TLS, timed out) to its sources.
            None => chain(&error),
        })
    }
}

/// The verifier's pool could not give a connection: PostgreSQL's words
/// when it refused one, as for the synchronous client.
impl From<deadpool_postgres::PoolError> for Error {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        match error {
            deadpool_postgres::PoolError::Backend(error) => error.into(),
            other => Self::Postgres(chain(&other)),
        }
    }
}

/// One field's error is a validation failure with that one error, so that
/// a single check can be `?`-ed.
impl From<FieldError> for Error {
    fn from(error: FieldError) -> Self {
        Self::Validation(vec![error])
    }
}

/// Why a request body was refused. The decoder's own message is not kept:
/// it may quote the body, and so a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyRefusal {
    /// Not sent as `application/json`.
    WrongContentType,
    /// JSON, but a field is of the wrong type.
    UnexpectedFields,
    /// JSON without a required field: its JSON Pointer.
    MissingField(String),
    /// Over [`crate::BODY_LIMIT`].
    TooLarge,
    /// Not JSON at all.
    NotJson,
}

/// A body `axum::Json` refused, by why it was refused.
impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        Self::Body(match rejection {
            JsonRejection::MissingJsonContentType(_) => BodyRefusal::WrongContentType,
            JsonRejection::JsonDataError(error) => match missing_field(&error) {
                Some(pointer) => BodyRefusal::MissingField(pointer),
                None => BodyRefusal::UnexpectedFields,
            },
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                BodyRefusal::TooLarge
            }
            _ => BodyRefusal::NotJson,
        })
    }
}

/// The JSON Pointer of the field a body lacks, when that is why the
/// decoder refused it. Its message then reads ``phones: missing field
/// `office` at line 1 column 60``: the path to the object, and the field's
/// name from the contract's types. Anything else in it may quote the body,
/// so only a path of field names is taken, never other text.
fn missing_field(error: &axum::extract::rejection::JsonDataError) -> Option<String> {
    let message = std::error::Error::source(error)?.to_string();
    let (path, rest) = message.split_once("missing field `")?;
    let (field, _) = rest.split_once('`')?;
    let path = path.strip_suffix(": ").unwrap_or(path);
    let names: Vec<&str> = path
        .split('.')
        .filter(|name| !name.is_empty())
        .chain([field])
        .collect();
    let is_name = |name: &&str| {
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    names
        .iter()
        .all(is_name)
        .then(|| names.iter().map(|name| format!("/{name}")).collect())
}

/// The problem details of the error; an internal error also travels in the
/// response's extensions, for [`log_internal_errors`] to log. Logging here
/// would make every conversion a side effect.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = self.problem().into_response();
        if response.status().is_server_error() {
            response.extensions_mut().insert(Arc::new(self));
        }
        response
    }
}

/// Middleware: logs the cause of every internal error a handler or
/// extractor returned, with its chain of sources, inside the request's span.
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(error) = response.extensions().get::<Arc<Error>>() {
        tracing::error!(cause = %chain(error.as_ref()), "internal error");
    }
    response
}

/// `error: source: source of source…`, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_internal_errors_travel_to_the_log_and_none_says_why() {
        let response = Error::MalformedSalt.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.extensions().get::<Arc<Error>>().is_some());

        let response = Error::LimitReached { max: 3 }.into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.extensions().get::<Arc<Error>>().is_none());
    }

    #[test]
    fn the_log_line_carries_the_sources() {
        let error = Error::from(rusqlite::Error::InvalidQuery);
        assert_eq!(
            chain(&error),
            format!("database error: {}", rusqlite::Error::InvalidQuery)
        );
    }
}
