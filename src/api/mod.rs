//! Everything the app knows about its backend: the contract's bodies (the
//! `contract` crate, shared with the server), its errors ([`error`]), the
//! client whose methods are the contract's calls ([`client`]), how one call
//! is sent (`transport.rs`) and the host page's bearer tokens
//! (`bearer.rs`). Pages call [`ApiClient`] methods and get typed responses or an [`ApiError`]; they never see URLs or
//! HTTP. Reading the app's own configuration file ([`fetch_config_file`])
//! is HTTP too, so it lives here.

mod app_files;
mod bearer;
pub mod client;
pub mod error;
mod transport;

pub use app_files::fetch_config_file;
pub use client::{new_idempotency_key, provider_sign_in_url, ApiClient};
pub use contract::{
    AppPassword, AppPasswordList, AuthenticatorApp, CreatedAppPassword, Credentials, ExpiryPolicy,
    FieldError, NewAppPassword, Phone, Phones, ProblemKind, Revoked, SecondFactor, SecurityInfo,
    SecurityInfoUpdate, Session, SignInProvider, SignInWays, User,
};
pub use error::{ApiError, Problem};
pub use transport::error_from_response;

use leptos::prelude::expect_context;

/// The API client provided at the root.
pub fn use_api() -> ApiClient {
    expect_context::<ApiClient>()
}

/// An app password as a unit test needs one: never used, never expiring,
/// for every service.
#[cfg(test)]
pub fn test_item(id: &str, name: &str, created_at: &str) -> AppPassword {
    AppPassword {
        id: id.into(),
        name: name.into(),
        created_at: created_at.into(),
        last_used_at: None,
        last_used_ip: None,
        last_used_service: None,
        expires_at: None,
        services: None,
    }
}
