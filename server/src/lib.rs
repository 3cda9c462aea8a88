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
pub mod oidc;
pub mod problem;
pub mod rate_limit;
pub mod security_info;
pub mod serve;
pub mod service_credentials;
pub mod session;
mod settings;
pub mod static_files;
pub mod totp;
pub mod users;
pub mod validate;
pub mod verify;

pub use serve::run;
pub use settings::Settings;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue};
use axum::routing::{get, patch, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

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
    /// The organization's OpenID provider, with `--oidc-issuer`.
    pub oidc: Option<Arc<oidc::Oidc>>,
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
        .route("/session/oidc/start", get(oidc::flow::start))
        .route("/session/oidc/callback", get(oidc::flow::callback))
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
    let oidc = oidc::Oidc::from_args(&args.sign_in)?;
    Ok(AppState {
        oidc,
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
