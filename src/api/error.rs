//! The one error type of every API call, decoded from RFC 9457 problem
//! details or, when the backend (or a proxy in front of it) sends something
//! else, chosen by status.

use contract::{FieldError, ProblemKind, SignInWays};
use serde::Deserialize;

use crate::i18n::{keys, I18n, Lang};

/// An error response from the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status.
    pub status: u16,
    /// The well-known type, if it is one.
    pub kind: ProblemKind,
    /// The backend's short summary, when it sent problem details.
    pub title: Option<String>,
    /// The backend's explanation of this occurrence.
    pub detail: Option<String>,
    /// Field-level messages.
    pub errors: Vec<FieldError>,
    /// Seconds to wait before trying again (`Retry-After`).
    pub retry_after: Option<u32>,
    /// How to sign in here, when a signed-out `GET /session` says.
    pub sign_in: Option<SignInWays>,
}

/// The wire shape of problem details; unknown members are ignored.
#[derive(Deserialize)]
struct ProblemBody {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    errors: Option<Vec<FieldError>>,
    #[serde(default)]
    sign_in: Option<SignInWays>,
}

impl Problem {
    /// Decodes an error response. `content_type` and `body` may be anything: an
    /// HTML page from a proxy or an empty body still gives a usable problem.
    pub fn from_response(
        status: u16,
        content_type: Option<&str>,
        body: &str,
        retry_after: Option<&str>,
    ) -> Self {
        let is_json = content_type
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .is_some_and(|ct| ct == "application/problem+json" || ct == "application/json");
        let parsed = is_json
            .then(|| crate::json::parse::<ProblemBody>(body).ok())
            .flatten();
        let (kind, title, detail, errors, sign_in) = match parsed {
            Some(p) => (
                p.kind
                    .as_deref()
                    .map_or(ProblemKind::Other, ProblemKind::from_type_uri),
                p.title.filter(|t| !t.trim().is_empty()),
                p.detail.filter(|d| !d.trim().is_empty()),
                p.errors.unwrap_or_default(),
                p.sign_in,
            ),
            None => (ProblemKind::Other, None, None, Vec::new(), None),
        };
        Self {
            status,
            kind,
            title,
            detail,
            errors,
            retry_after: retry_after.and_then(|value| value.trim().parse().ok()),
            sign_in,
        }
    }
}

/// Why an API call failed. `Clone`, so resources and actions can hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No response came: offline, connection refused, DNS, CORS, or the
    /// connection broke before the response was whole.
    Network,
    /// No whole response within the configured time.
    Timeout {
        /// The time allowed.
        seconds: u32,
    },
    /// The backend responded with an error status.
    Problem(Problem),
    /// A success status whose body is not what the contract promises.
    UnexpectedResponse,
    /// In bearer mode, the host page gave no token: its `getToken` failed,
    /// was refused, or returned something that is not a token.
    NoToken,
}

impl ApiError {
    /// The HTTP status, when the backend responded with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Problem(problem) => Some(problem.status),
            _ => None,
        }
    }

    /// The problem's kind, or [`ProblemKind::Other`] when there is none.
    pub fn kind(&self) -> ProblemKind {
        match self {
            Self::Problem(problem) => problem.kind,
            _ => ProblemKind::Other,
        }
    }

    /// True when the session is gone and the user must sign in again: a 401
    /// that is not part of the sign-in conversation itself.
    pub fn is_session_expired(&self) -> bool {
        match self {
            Self::Problem(p) => {
                p.status == 401
                    && !matches!(
                        p.kind,
                        ProblemKind::MfaRequired
                            | ProblemKind::InvalidCredentials
                            | ProblemKind::InvalidCode
                    )
            }
            Self::NoToken => true,
            Self::Network | Self::Timeout { .. } | Self::UnexpectedResponse => false,
        }
    }

    /// How the backend lets people sign in: what a signed-out `GET
    /// /session` said, or, from a backend that says nothing, the password
    /// form alone.
    pub fn sign_in_ways(&self) -> SignInWays {
        match self {
            Self::Problem(Problem {
                sign_in: Some(ways),
                ..
            }) => ways.clone(),
            _ => SignInWays {
                password: true,
                providers: Vec::new(),
            },
        }
    }

    /// Whether the same request may well work if simply sent again: no
    /// response, no response in time, a garbled response, or a server failure.
    pub fn is_worth_retrying(&self) -> bool {
        match self {
            Self::Network | Self::Timeout { .. } | Self::UnexpectedResponse => true,
            Self::Problem(problem) => problem.status >= 500,
            Self::NoToken => false,
        }
    }

    /// Whether its [`message`](Self::message) sends the user to their
    /// administrator, so that the way to reach IT belongs beside it.
    pub fn names_administrator(&self) -> bool {
        match self {
            Self::UnexpectedResponse => true,
            Self::Problem(problem) => match problem.kind {
                ProblemKind::TooManyWrongCodes => problem.status == 429,
                ProblemKind::AppPasswordsDisabled => problem.status < 429,
                _ => false,
            },
            _ => false,
        }
    }

    /// The message for `pointer` (e.g. `/name`), if the backend sent one.
    pub fn field_error(&self, pointer: &str) -> Option<String> {
        match self {
            Self::Problem(problem) => problem
                .errors
                .iter()
                .find(|e| e.pointer == pointer)
                .map(|e| e.detail.clone()),
            _ => None,
        }
    }

    /// A sentence for the user, in their language, that says what
    /// happened and what to do.
    pub fn message(&self, i18n: &I18n) -> String {
        match self {
            Self::Network => i18n.t(keys::ERROR_NETWORK),
            Self::Timeout { seconds } => i18n.t_count(keys::ERROR_TIMEOUT, *seconds as usize, &[]),
            Self::UnexpectedResponse => i18n.t(keys::ERROR_UNEXPECTED),
            Self::NoToken => i18n.t(keys::ERROR_NO_TOKEN),
            Self::Problem(problem) => problem_message(problem, i18n),
        }
    }
}

fn problem_message(problem: &Problem, i18n: &I18n) -> String {
    // The status decides first: a 429 is a rate limit, a 5xx a failure of
    // the server, whatever type a confused backend names.
    if problem.status == 429 {
        if problem.kind == ProblemKind::TooManyWrongCodes {
            let hours = problem.retry_after.unwrap_or(86_400).div_ceil(3600);
            return i18n.t_count(keys::ERROR_TOO_MANY_WRONG_CODES, hours as usize, &[]);
        }
        // A minute or more in minutes, rounded up: no one counts down
        // "888 seconds".
        return match problem.retry_after {
            Some(seconds) if seconds >= 60 => i18n.t_count(
                keys::ERROR_RATE_LIMITED_MINUTES,
                seconds.div_ceil(60) as usize,
                &[],
            ),
            Some(seconds) => i18n.t_count(keys::ERROR_RATE_LIMITED_FOR, seconds as usize, &[]),
            None => i18n.t(keys::ERROR_RATE_LIMITED),
        };
    }
    // Server failures and the well-known problems in the app's own words,
    // each with the way forward; any other problem in the backend's too.
    if problem.status >= 500 {
        return i18n.t(status_message(problem.status));
    }
    match problem.kind {
        ProblemKind::LimitReached => return i18n.t(keys::ERROR_LIMIT_REACHED),
        ProblemKind::AppPasswordsDisabled => return i18n.t(keys::ERROR_DISABLED),
        ProblemKind::CsrfFailed => return i18n.t(keys::ERROR_CSRF),
        _ => {}
    }
    // The app's words lead, with the way forward; the backend's explanation
    // of this occurrence (or, without one, its summary) follows.
    let status = i18n.t(status_message(problem.status));
    match problem.detail.as_deref().or(problem.title.as_deref()) {
        Some(said) => i18n.t_with(
            keys::ERROR_SERVER_SAID,
            &[("message", &status), ("said", &with_stop(said.trim()))],
        ),
        None => status,
    }
}

/// `text` ending with a full stop (or its own `.`, `!` or `?`).
fn with_stop(text: &str) -> String {
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// The message for an error status that came without problem details.
fn status_message(status: u16) -> &'static str {
    match status {
        401 => keys::ERROR_STATUS_401,
        403 => keys::ERROR_STATUS_403,
        404 => keys::ERROR_STATUS_404,
        409 => keys::ERROR_STATUS_409,
        413 => keys::ERROR_STATUS_413,
        422 => keys::ERROR_STATUS_422,
        502..=504 => keys::ERROR_STATUS_UNAVAILABLE,
        500..=599 => keys::ERROR_STATUS_SERVER,
        _ => keys::ERROR_STATUS_OTHER,
    }
}

/// In English, for logs and tests.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(&I18n::new(Lang::En)))
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_problem_details_with_field_errors() {
        let body = r#"{"type":"/p/validation-failed","title":"Invalid","status":422,
            "errors":[{"pointer":"/name","detail":"Too long"}],"extra":1}"#;
        let error = ApiError::Problem(Problem::from_response(
            422,
            Some("application/problem+json"),
            body,
            None,
        ));
        assert_eq!(error.kind(), ProblemKind::ValidationFailed);
        assert_eq!(error.field_error("/name").as_deref(), Some("Too long"));
        assert_eq!(error.field_error("/other"), None);
    }

    #[test]
    fn html_or_empty_error_bodies_get_a_message_by_status() {
        let proxy =
            Problem::from_response(502, Some("text/html"), "<html>Bad gateway</html>", None);
        assert_eq!(proxy.kind, ProblemKind::Other);
        let message = ApiError::Problem(proxy).to_string();
        assert!(message.contains("unavailable"), "{message}");
        assert!(!message.contains("<html>"));
        let empty = Problem::from_response(500, None, "", None);
        assert!(ApiError::Problem(empty).to_string().contains("Try again"));
        let broken_json = Problem::from_response(500, Some("application/json"), "{", None);
        assert_eq!(broken_json.title, None);
    }

    #[test]
    fn well_known_problems_and_server_failures_speak_the_apps_words() {
        let problem = |status: u16, kind: &str, title: &str| {
            ApiError::Problem(Problem::from_response(
                status,
                Some("application/problem+json"),
                &format!(
                    r#"{{"type":"https://x.example/p/{kind}","title":"{title}","status":{status}}}"#
                ),
                None,
            ))
        };
        let limit = problem(409, "limit-reached", "Conflict");
        assert!(
            limit.to_string().contains("Delete one you no longer use"),
            "{limit}"
        );
        let off = problem(403, "app-passwords-disabled", "Forbidden");
        assert!(off.to_string().contains("administrator"), "{off}");
        let csrf = problem(403, "csrf-failed", "CSRF");
        assert!(csrf.to_string().contains("Reload the page"), "{csrf}");
        let crash = problem(500, "internal", "NullPointerException in Foo.bar");
        assert!(!crash.to_string().contains("NullPointer"), "{crash}");
        assert!(crash.to_string().contains("Try again"), "{crash}");
        assert!(crash.is_worth_retrying());
        assert!(!limit.is_worth_retrying());
        let other = problem(400, "bad-thing", "Bad thing");
        assert_eq!(
            other.to_string(),
            "The request failed. Try again. The server said: Bad thing."
        );
        assert!(ApiError::Timeout { seconds: 15 }
            .to_string()
            .contains("15 seconds"));
        assert!(ApiError::Timeout { seconds: 15 }.is_worth_retrying());
    }

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        let limited = Problem::from_response(429, None, "", Some("17"));
        assert_eq!(limited.retry_after, Some(17));
        assert_eq!(
            ApiError::Problem(limited).to_string(),
            "Too many attempts. Wait 17 seconds and try again."
        );
        let long = Problem::from_response(429, None, "", Some("888"));
        assert_eq!(
            ApiError::Problem(long).to_string(),
            "Too many attempts. Wait 15 minutes and try again."
        );
    }

    #[test]
    fn the_daily_code_cap_says_for_how_long_and_who_lifts_it() {
        let capped = Problem::from_response(
            429,
            Some("application/problem+json"),
            r#"{"type":"/p/too-many-wrong-codes","status":429}"#,
            Some("7200"),
        );
        assert_eq!(
            ApiError::Problem(capped).to_string(),
            "This account had too many wrong codes today, so signing in with a code is paused for 2 hours. Your administrator can lift the pause now."
        );
    }

    #[test]
    fn only_a_401_outside_sign_in_means_the_session_expired() {
        let expired = Problem::from_response(401, None, "", None);
        assert!(ApiError::Problem(expired).is_session_expired());
        let wrong_password = Problem::from_response(
            401,
            Some("application/problem+json"),
            r#"{"type":"x/invalid-credentials"}"#,
            None,
        );
        assert!(!ApiError::Problem(wrong_password).is_session_expired());
        assert!(!ApiError::Network.is_session_expired());
        assert!(ApiError::NoToken.is_session_expired());
    }
}
