//! Header names of the contract beyond HTTP's own, in lower case (as HTTP/2
//! sends them, and as `http::HeaderName::from_static` takes them).

/// Sent with every create: the same key for a retry of the same create, so
/// that a lost response cannot create twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Sent with unsafe methods in cookie mode: the `csrf_token` of the last
/// `Session` response.
pub const CSRF_TOKEN: &str = "x-csrf-token";

/// Sent to `/verify` by a service that asks on behalf of its clients
/// (Dovecot, nginx): the credential the reference server's
/// `service-credential add` made for it. Without a valid one, the two
/// headers below are refused.
pub const SERVICE_CREDENTIAL: &str = "x-service-credential";

/// Sent to `/verify` with [`SERVICE_CREDENTIAL`]: what the client is using,
/// a short lowercase token (`imap`, `smtp`, `caldav`), which the list then
/// shows as the password's last use.
pub const SERVICE_NAME: &str = "x-service-name";

/// Sent to `/verify` with [`SERVICE_CREDENTIAL`]: the end client's IP
/// address, which the per-address rate limit and the last use then go by
/// instead of the service's own.
pub const CLIENT_ADDRESS: &str = "x-client-address";

/// Sent by the reference server's `/verify` with a 200: the login it
/// verified, for a proxy to hand to the service behind it (nginx's
/// `auth_request_set`), so that the service trusts the verifier's word for
/// who signed in rather than any header of the client's.
pub const VERIFIED_LOGIN: &str = "x-verified-login";
