//! Everything the app knows about its backend: the contract's bodies
//! ([`models`]), its errors ([`error`]) and the client that sends requests
//! ([`client`]). Pages call [`ApiClient`] methods and get typed answers or
//! an [`ApiError`]; they never see URLs or HTTP.

pub mod client;
pub mod error;
pub mod models;

pub use client::{error_from_response, new_idempotency_key, ApiClient};
pub use error::{ApiError, FieldError, Problem, ProblemKind};
pub use models::{
    AppPassword, AppPasswordList, AuthenticatorApp, CreatedAppPassword, Credentials, Phone, Phones,
    Revoked, SecondFactor, SecurityInfo, SecurityInfoUpdate, Session, User,
};
