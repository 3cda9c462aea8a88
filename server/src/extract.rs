//! Request-body extraction that refuses bad input with problem details.

use axum::extract::FromRequest;

use crate::error::Error;

/// Like `axum::Json`, but a refused body becomes [`Error::Body`], whose
/// problem details are chosen by why it was refused and never quote the
/// body, which may hold a password.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);
