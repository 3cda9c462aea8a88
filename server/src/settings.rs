//! The settings handlers and connections read, fixed at start from the
//! command line.

use std::time::Duration;

use contract::ExpiryPolicy;

use crate::client_address;
use crate::config::{self, ServeArgs};

/// Settings that handlers and the connections read, fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most app passwords one user may hold; `None` for no limit.
    pub max_app_passwords: Option<u32>,
    /// Whether the session cookie is marked `Secure`.
    pub secure_cookies: bool,
    /// Seconds without a request after which a session ends.
    pub session_idle_seconds: i64,
    /// Seconds after sign-in after which a session ends.
    pub session_lifetime_seconds: i64,
    /// Seconds after the password step after which the code step is refused.
    pub sign_in_code_seconds: i64,
    /// Wrong second-factor codes allowed per login within 24 hours.
    pub max_wrong_codes_per_day: i64,
    /// The leading bits of an IPv6 address that name one client.
    pub ipv6_prefix_length: u8,
    /// Origins whose pages may call this server (CORS, with credentials).
    pub cors_origins: Vec<String>,
    /// When new app passwords expire, as the list states it.
    pub expiry: ExpiryPolicy,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: Vec<config::IpNetwork>,
    /// The one header those proxies name the client in.
    pub client_address_header: client_address::ClientAddressHeader,
    /// Seconds a create's response is kept for a retry with its key.
    pub idempotency_seconds: i64,
    /// Time between two sweeps of what has expired.
    pub purge_interval: Duration,
    /// Time a client may take to send a request's headers (or, kept
    /// alive, to begin its next request).
    pub header_timeout: Duration,
    /// Time a client may take to send a request's body.
    pub body_timeout: Duration,
    /// Most connections served at once.
    pub max_connections: usize,
    /// Most connections served at once from one client address.
    pub max_connections_per_address: usize,
    /// Time a response may wait for the client to take any of it.
    pub write_timeout: Duration,
    /// Seconds since sign-in within which a session may create an app
    /// password without confirming again.
    pub reauth_seconds: i64,
    /// Whether local users may sign in with a password and code.
    pub password_sign_in: bool,
}

impl Settings {
    /// Settings from the command line.
    pub fn from_args(args: &ServeArgs) -> Self {
        Self {
            max_app_passwords: Some(args.max_app_passwords).filter(|&max| max > 0),
            secure_cookies: args.secure_cookies,
            session_idle_seconds: seconds(args.session_idle_minutes.saturating_mul(60)),
            session_lifetime_seconds: seconds(args.session_lifetime_hours.saturating_mul(3600)),
            sign_in_code_seconds: seconds(args.sign_in_code_minutes.saturating_mul(60)),
            max_wrong_codes_per_day: i64::from(args.max_wrong_codes_per_day),
            ipv6_prefix_length: args.ipv6_prefix_length,
            cors_origins: args.cors_origins.iter().map(|o| o.0.clone()).collect(),
            expiry: expiry_policy(args.default_expiry_days, args.max_expiry_days),
            trusted_proxies: args.trusted_proxies.clone(),
            client_address_header: args.client_address_header,
            idempotency_seconds: seconds(args.idempotency_minutes.saturating_mul(60)),
            purge_interval: Duration::from_secs(args.purge_interval_seconds),
            header_timeout: Duration::from_secs(args.header_timeout_seconds),
            body_timeout: Duration::from_secs(args.body_timeout_seconds),
            max_connections: args.max_connections as usize,
            max_connections_per_address: args
                .max_connections_per_address
                .map_or(args.max_connections / 4, |most| {
                    most.min(args.max_connections)
                })
                .max(1) as usize,
            write_timeout: Duration::from_secs(args.write_timeout_seconds),
            reauth_seconds: seconds(args.sign_in.reauth_minutes.saturating_mul(60)),
            password_sign_in: !args.sign_in.no_password_sign_in,
        }
    }
}

/// The policy of `--default-expiry-days` and `--max-expiry-days` (`0`:
/// none). A maximum without a default makes the maximum the default, and a
/// default beyond the maximum is cut to it: "never" is not allowed then.
fn expiry_policy(default_days: u32, max_days: u32) -> ExpiryPolicy {
    let max_days = Some(max_days).filter(|&max| max > 0);
    let default_days = match (Some(default_days).filter(|&days| days > 0), max_days) {
        (Some(days), Some(max)) => Some(days.min(max)),
        (None, max) => max,
        (days, None) => days,
    };
    ExpiryPolicy {
        default_days,
        max_days,
    }
}

fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
