//! The reference backend of app-passwords: the whole API contract
//! (`api/openapi.yaml`) over an embedded SQLite database or, for several
//! instances that behave as one, PostgreSQL ([`db`]), and the built app
//! served beside it under a strict Content-Security-Policy.

pub mod app_passwords;
pub mod auth;
pub mod checkpassword;
pub mod client_address;
pub mod code_step;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod extract;
pub mod health;
pub mod idempotency;
mod middleware;
pub mod problem;
pub mod rate_limit;
pub mod security_info;
pub mod serve;
pub mod service_credentials;
pub mod session;
pub mod static_files;
pub mod totp;
pub mod users;
pub mod validate;
pub mod verify;

pub use serve::run;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue};
use axum::routing::{get, patch, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use contract::ExpiryPolicy;

use crate::config::ServeArgs;
use crate::crypto::{DigestKey, DigestKeys, SecretBox};
use crate::db::Db;
use crate::error::log_internal_errors;
use crate::problem::Problem;
use crate::rate_limit::FailureLimits;

/// The policy the app is built to run under: no inline script or style, no
/// eval but WebAssembly compilation.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// Largest request body accepted anywhere.
pub const BODY_LIMIT: usize = 16 * 1024;

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

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Seals and opens TOTP secrets and stored create responses.
    pub secrets: SecretBox,
    /// The keys app passwords are digested under.
    pub digest_keys: Arc<DigestKeys>,
    /// Settings fixed at start.
    pub settings: Arc<Settings>,
    /// Failed-attempt limits for sign-in, codes and /verify.
    pub limits: Arc<FailureLimits>,
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Now, as RFC 3339 in UTC to the second: the contract's timestamps.
pub fn now_rfc3339() -> String {
    rfc3339(unix_now())
}

/// `unix_seconds` as RFC 3339 in UTC, the contract's timestamps.
pub fn rfc3339(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The API of the contract, mounted at `/api/v1` by [`router`]. Unsafe
/// methods sent by pages of other sites are refused before any handler
/// runs (`middleware::refuse_other_sites`).
pub fn api_router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/session",
            get(session::current)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route("/session/mfa", post(session::submit_code))
        .route(
            "/security-info",
            get(security_info::get).put(security_info::put),
        )
        .route(
            "/app-passwords",
            get(app_passwords::list)
                .post(app_passwords::create)
                .delete(app_passwords::delete_all),
        )
        .route(
            "/app-passwords/{id}",
            patch(app_passwords::rename).delete(app_passwords::delete),
        )
        .route("/verify", get(verify::verify))
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(
            state.settings.clone(),
            middleware::refuse_other_sites,
        ))
        .layer(axum::middleware::from_fn(log_internal_errors))
        // Nothing an API response says may be kept by a cache or the browser.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(middleware::server_timing))
}

/// The whole server: the API under `/api/v1`, the app from `dist` for every
/// other path, security headers on every response, CORS for the origins
/// named by `--cors-origin`, and a tracing span per request (method and
/// path only: no header, body or query is recorded, so no secret is).
pub fn router(state: AppState, dist: &std::path::Path) -> Router {
    let cors = middleware::cors_layer(&state.settings.cors_origins);
    let settings = state.settings.clone();
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/api/v1", api_router(&state))
        .fallback_service(static_files::service(dist))
        // Inside the security headers, so that its 408 and 413 carry them
        // as every other answer does.
        .layer(axum::middleware::from_fn_with_state(
            settings.clone(),
            middleware::read_body_in_time,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state);
    // Served over HTTPS (the cookies say so): browsers are to come back
    // over HTTPS only, for a year.
    let router = if settings.secure_cookies {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // Outermost, so that the errors logged inside carry the request's span
    // (at the default level, info, so that they carry it by default).
    // Failures are not logged again here: log_internal_errors says why.
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &axum::extract::Request| {
                tracing::info_span!("request", method = %request.method(), path = request.uri().path())
            })
            .on_failure(()),
    )
}

/// Opens the database, seeds the users named on the command line, and builds
/// the state for [`router`].
pub async fn prepare(args: &ServeArgs) -> anyhow::Result<AppState> {
    let db = Db::open(&args.location()?).await?;
    let secrets = SecretBox::load_or_create(&args.key_file()?)?;
    let digest_keys = DigestKeys {
        current: digest_key(&db, &args.digest_key_file()?).await?,
        previous: args
            .previous_digest_key_file
            .as_deref()
            .map(DigestKey::load)
            .transpose()?,
    };
    report_digest_keys(&db, &digest_keys).await?;
    for seed in args.seed_users()? {
        let secrets = secrets.clone();
        db.call(move |conn| users::upsert_seed_user(conn, &seed, &secrets))
            .await?;
    }
    Ok(AppState {
        db: db.clone(),
        secrets,
        digest_keys: Arc::new(digest_keys),
        settings: Arc::new(Settings::from_args(args)),
        limits: Arc::new(FailureLimits::new(
            db,
            args.max_failures_per_login,
            args.max_failures_per_address,
            std::time::Duration::from_secs(args.failure_window_seconds),
            args.ipv6_prefix_length,
        )),
    })
}

/// The digest key in `file`, made there on a database's first start only.
/// Once the database holds digests, a key made anew would refuse every app
/// password, and each instance of several would make its own: then a
/// password verifies on one and not on the other.
async fn digest_key(db: &Db, file: &std::path::Path) -> anyhow::Result<DigestKey> {
    if let Some(key) = DigestKey::load_if_present(file)? {
        return Ok(key);
    }
    let digested: i64 = db
        .call(|conn| {
            conn.query_one(
                "SELECT COUNT(*) FROM app_passwords WHERE digest IS NOT NULL",
                &[],
                |row| row.get(0),
            )
        })
        .await?;
    anyhow::ensure!(
        digested == 0,
        "the digest key file {file} is missing, and the database holds {digested} app \
         password(s) found by their digest under that key: copy the file from another \
         instance or a backup (every instance needs the same file). Only if the key is lost \
         for good, make a new one with `app-passwords-server keys generate --out {file}`: \
         every app password made before then stops working.",
        file = file.display()
    );
    DigestKey::create(file)
}

/// Logs, at start, how many app passwords are not yet under the current
/// digest key: still under the previous one (they move when next used),
/// under a key this server no longer has (they cannot verify: a rotation
/// ended without them), or of the old Argon2id form (they move when next
/// used).
async fn report_digest_keys(db: &Db, keys: &DigestKeys) -> anyhow::Result<()> {
    let current = keys.current.id().to_owned();
    let previous = keys.previous.as_ref().map(|key| key.id().to_owned());
    let (under_previous, under_lost_key, old_form) = db
        .call(move |conn| {
            // A digest begins with its key's id and a colon.
            conn.query_one(
                "SELECT
                     COUNT(*) FILTER (WHERE digest LIKE CAST(?2 AS TEXT) || ':%'),
                     COUNT(*) FILTER (WHERE digest NOT LIKE CAST(?1 AS TEXT) || ':%'
                                        AND digest NOT LIKE coalesce(CAST(?2 AS TEXT), '') || ':%'),
                     COUNT(*) FILTER (WHERE hash IS NOT NULL)
                 FROM app_passwords",
                params![current, previous],
                |row| Ok((row.get::<i64>(0)?, row.get::<i64>(1)?, row.get::<i64>(2)?)),
            )
        })
        .await?;
    if under_previous > 0 {
        tracing::info!(
            under_previous,
            "app passwords still under the previous digest key; each moves to the current key when next used"
        );
    }
    if under_lost_key > 0 {
        tracing::warn!(
            under_lost_key,
            "app passwords are under a digest key this server does not have and cannot verify; give the key with --previous-digest-key-file, or let their owners delete them"
        );
    }
    if old_form > 0 {
        tracing::info!(
            old_form,
            "app passwords still have the old Argon2id form; each moves to a digest when next used"
        );
    }
    Ok(())
}
