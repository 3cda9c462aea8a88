//! Request-body extraction that answers bad input with problem details.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use contract::ProblemKind;

use crate::problem::Problem;

/// Like `axum::Json`, but a rejected body becomes a problem-details answer.
///
/// The detail is chosen by status and never quotes the body, which may hold
/// a password.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(problem_for(&rejection)),
        }
    }
}

fn problem_for(rejection: &JsonRejection) -> Problem {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::UnsupportedMediaType,
            "The body must be JSON",
        )
        .detail("Send the body with Content-Type: application/json."),
        JsonRejection::JsonDataError(_) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::ValidationFailed,
            "The body does not have the expected fields",
        ),
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemKind::PayloadTooLarge,
                "The body is too large",
            )
            .detail("Request bodies are limited to 16 KiB.")
        }
        _ => Problem::bad_request("The body is not valid JSON."),
    }
}
