//! Header names of the contract beyond HTTP's own, in lower case (as HTTP/2
//! sends them, and as `http::HeaderName::from_static` takes them).

/// Sent with every create: the same key for a retry of the same create, so
/// that a lost response cannot create twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Sent with unsafe methods in cookie mode: the `csrf_token` of the last
/// `Session` response.
pub const CSRF_TOKEN: &str = "x-csrf-token";
