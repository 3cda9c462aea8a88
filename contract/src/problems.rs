//! RFC 9457 problem details as the contract uses them: the well-known
//! problem types, and the field-level errors of `validation-failed`.

use serde::{Deserialize, Serialize};

/// A problem type. Clients match a problem's `type` URI on its last path
/// segment ([`ProblemKind::from_type_uri`]), so each backend chooses its
/// own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Password accepted; a second factor is due (with `methods`).
    MfaRequired,
    /// Login or password wrong (never says which).
    InvalidCredentials,
    /// Second-factor code wrong, expired or reused.
    InvalidCode,
    /// Some fields are invalid; `errors` says which.
    ValidationFailed,
    /// The user holds the most app passwords allowed.
    LimitReached,
    /// An administrator has turned app passwords off.
    AppPasswordsDisabled,
    /// Too many attempts; `Retry-After` says how long to wait.
    RateLimited,
    /// Too many wrong second-factor codes for this login today, from
    /// anywhere; `Retry-After` says how long, and an administrator can
    /// lift it sooner.
    TooManyWrongCodes,
    /// The CSRF token was missing or stale.
    CsrfFailed,
    /// No valid session or token.
    Unauthorized,
    /// The body is not what the call takes.
    BadRequest,
    /// The body is not JSON.
    UnsupportedMediaType,
    /// The body is too large.
    PayloadTooLarge,
    /// An `Idempotency-Key` sent again with a different request.
    IdempotencyKeyReused,
    /// Nothing at this address, or nothing that belongs to the caller.
    NotFound,
    /// The call does not take that method.
    MethodNotAllowed,
    /// The server failed; it logs why and says nothing more.
    InternalError,
    /// `/verify`: a service's credential is missing, wrong or revoked.
    ServiceRefused,
    /// A create came without an `Idempotency-Key`.
    IdempotencyKeyRequired,
    /// A create sent again with its `Idempotency-Key` after the app
    /// password it made was revoked: it is gone, and nothing is made.
    AppPasswordRevoked,
    /// The request's body did not arrive in time.
    RequestTimeout,
    /// Creating an app password needs a more recent sign-in: the session
    /// was ended, and signing in again goes on.
    ReauthenticationRequired,
    /// Any other type, or none (a plain error status).
    Other,
}

impl ProblemKind {
    /// Every kind with a name, for lookups.
    const NAMED: [Self; 22] = [
        Self::MfaRequired,
        Self::InvalidCredentials,
        Self::InvalidCode,
        Self::ValidationFailed,
        Self::LimitReached,
        Self::AppPasswordsDisabled,
        Self::RateLimited,
        Self::TooManyWrongCodes,
        Self::CsrfFailed,
        Self::Unauthorized,
        Self::BadRequest,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::IdempotencyKeyReused,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::InternalError,
        Self::ServiceRefused,
        Self::IdempotencyKeyRequired,
        Self::AppPasswordRevoked,
        Self::RequestTimeout,
        Self::ReauthenticationRequired,
    ];

    /// The last segment of the type URI, e.g. `mfa-required`; empty for
    /// [`ProblemKind::Other`].
    pub const fn slug(self) -> &'static str {
        match self {
            Self::MfaRequired => "mfa-required",
            Self::InvalidCredentials => "invalid-credentials",
            Self::InvalidCode => "invalid-code",
            Self::ValidationFailed => "validation-failed",
            Self::LimitReached => "limit-reached",
            Self::AppPasswordsDisabled => "app-passwords-disabled",
            Self::RateLimited => "rate-limited",
            Self::TooManyWrongCodes => "too-many-wrong-codes",
            Self::CsrfFailed => "csrf-failed",
            Self::Unauthorized => "unauthorized",
            Self::BadRequest => "bad-request",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::PayloadTooLarge => "payload-too-large",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::InternalError => "internal-error",
            Self::ServiceRefused => "service-refused",
            Self::IdempotencyKeyRequired => "idempotency-key-required",
            Self::AppPasswordRevoked => "app-password-revoked",
            Self::RequestTimeout => "request-timeout",
            Self::ReauthenticationRequired => "reauthentication-required",
            Self::Other => "",
        }
    }

    /// The kind named by a problem `type` URI, whatever its prefix.
    pub fn from_type_uri(uri: &str) -> Self {
        let segment = uri
            .trim_end_matches('/')
            .rsplit(['/', ':'])
            .next()
            .unwrap_or_default();
        Self::NAMED
            .into_iter()
            .find(|kind| kind.slug() == segment)
            .unwrap_or(Self::Other)
    }
}

/// A message about one field of the request, to show next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON Pointer into the request body, e.g. `/name`.
    pub pointer: String,
    /// What is wrong there, in words a user can act on.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_problem_types_by_last_segment_whatever_the_prefix() {
        for uri in [
            "/problems/mfa-required",
            "https://id.example.com/errors/mfa-required",
            "urn:example:mfa-required",
            "/problems/mfa-required/",
        ] {
            assert_eq!(
                ProblemKind::from_type_uri(uri),
                ProblemKind::MfaRequired,
                "{uri}"
            );
        }
        assert_eq!(
            ProblemKind::from_type_uri("about:blank"),
            ProblemKind::Other
        );
        assert_eq!(ProblemKind::from_type_uri(""), ProblemKind::Other);
    }

    #[test]
    fn every_named_kind_reads_back_from_its_slug() {
        for kind in ProblemKind::NAMED {
            assert_eq!(
                ProblemKind::from_type_uri(&format!("/p/{}", kind.slug())),
                kind
            );
        }
    }
}
