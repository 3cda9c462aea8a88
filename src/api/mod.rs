//! Everything the app knows about its backend: the contract's bodies
//! ([`models`]), its errors ([`error`]) and the client that sends requests
//! ([`client`]). Pages call [`ApiClient`] methods and get typed answers or
//! an [`ApiError`]; they never see URLs or HTTP. Reading the app's own
//! configuration file ([`fetch_config_file`]) is HTTP too, so it lives here.

pub mod client;
pub mod error;
pub mod models;

pub use client::{error_from_response, fetch_config_file, new_idempotency_key, ApiClient};
pub use error::{ApiError, FieldError, Problem, ProblemKind};
pub use models::{
    AppPassword, AppPasswordList, AuthenticatorApp, CreatedAppPassword, Credentials, Phone, Phones,
    Revoked, SecondFactor, SecurityInfo, SecurityInfoUpdate, Session, User,
};
