//! Everything the app knows about its backend: the contract's bodies (the
//! `contract` crate, shared with the server), its errors ([`error`]) and the
//! client that sends requests ([`client`]). Pages call [`ApiClient`]
//! methods and get typed responses or an [`ApiError`]; they never see URLs or
//! HTTP. Reading the app's own configuration file ([`fetch_config_file`])
//! is HTTP too, so it lives here.

pub mod client;
pub mod error;

pub use client::{error_from_response, fetch_config_file, new_idempotency_key, ApiClient};
pub use contract::{
    AppPassword, AppPasswordList, AuthenticatorApp, CreatedAppPassword, Credentials, ExpiryPolicy,
    FieldError, NewAppPassword, Phone, Phones, ProblemKind, Revoked, SecondFactor, SecurityInfo,
    SecurityInfoUpdate, Session, User,
};
pub use error::{ApiError, Problem};

use leptos::prelude::expect_context;

/// The API client provided at the root.
pub fn use_api() -> ApiClient {
    expect_context::<ApiClient>()
}
