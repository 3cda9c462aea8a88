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

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
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
/// runs ([`refuse_other_sites`]).
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
            refuse_other_sites,
        ))
        .layer(axum::middleware::from_fn(log_internal_errors))
        // Nothing an API response says may be kept by a cache or the browser.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(server_timing))
}

/// Refuses (403 `csrf-failed`) an unsafe method that a browser says comes
/// from a page of another site, unless that page's origin is one of the
/// `--cors-origin`s: the session cookie is `SameSite=Strict`, but a
/// sibling host of the same site, or a form signing the browser in to the
/// attacker's account (login CSRF), would otherwise get through. Browsers
/// say it with `Sec-Fetch-Site`; older ones only with `Origin`, which is
/// then compared with the `Host` it was sent to. Requests with neither
/// (curl, services) are not from a page, and pass.
async fn refuse_other_sites(
    State(settings): State<Arc<Settings>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if auth::is_unsafe(request.method())
        && !from_this_site(request.headers(), &settings.cors_origins)
    {
        return error::Error::CrossSite.into_response();
    }
    next.run(request).await
}

/// Whether a request's `Sec-Fetch-Site` and `Origin` allow an unsafe method.
fn from_this_site(headers: &axum::http::HeaderMap, cors_origins: &[String]) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    let origin = text(header::ORIGIN);
    let allowed = |origin: &str| cors_origins.iter().any(|o| o.eq_ignore_ascii_case(origin));
    match text(HeaderName::from_static("sec-fetch-site")) {
        Some("same-origin" | "none") => true,
        Some(_) => origin.is_some_and(allowed),
        None => origin.is_none_or(|origin| {
            allowed(origin)
                || origin.split_once("://").is_some_and(|(_, host)| {
                    text(header::HOST).is_some_and(|h| h.eq_ignore_ascii_case(host))
                })
        }),
    }
}

/// Reads a request's body within `--body-timeout-seconds` and at most
/// [`BODY_LIMIT`] of it, before anything else sees it: a client sending a
/// byte now and then cannot hold a connection (or a handler) for long.
/// Late: 408 and the connection closed; too large: 413.
async fn read_body_in_time(
    State(settings): State<Arc<Settings>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http_body_util::BodyExt;
    let (parts, body) = request.into_parts();
    if axum::body::HttpBody::is_end_stream(&body) {
        return next
            .run(axum::extract::Request::from_parts(parts, body))
            .await;
    }
    let limited = http_body_util::Limited::new(body, BODY_LIMIT);
    let refusal = match tokio::time::timeout(settings.body_timeout, limited.collect()).await {
        Ok(Ok(collected)) => {
            let body = axum::body::Body::from(collected.to_bytes());
            return next
                .run(axum::extract::Request::from_parts(parts, body))
                .await;
        }
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            Problem::payload_too_large()
        }
        // The client went away mid-body: nobody reads this.
        Ok(Err(_)) => Problem::malformed_json(),
        Err(_) => Problem::request_timeout(),
    };
    // The rest of the body is not read: the connection cannot carry
    // another request.
    let mut response = refusal.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Says in each API response how long the server worked on it
/// (`Server-Timing: app;dur=` milliseconds), so that the browser's resource
/// timing, and the benchmark, can tell the server's time from the rest.
async fn server_timing(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={millis:.3}")) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), value);
    }
    response
}

/// The whole server: the API under `/api/v1`, the app from `dist` for every
/// other path, security headers on every response, CORS for the origins
/// named by `--cors-origin`, and a tracing span per request (method and
/// path only: no header, body or query is recorded, so no secret is).
pub fn router(state: AppState, dist: &std::path::Path) -> Router {
    let cors = cors_layer(&state.settings.cors_origins);
    let settings = state.settings.clone();
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/api/v1", api_router(&state))
        .fallback_service(static_files::service(dist))
        // Inside the security headers, so that its 408 and 413 carry them
        // as every other answer does.
        .layer(axum::middleware::from_fn_with_state(
            settings.clone(),
            read_body_in_time,
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

/// Lets pages of `origins` call the API with credentials (the session
/// cookie, or a bearer token) and load the app's files, as a portal on
/// another origin does. Every header the app sends is allowed, and
/// `Retry-After` is readable so that rate limits can say how long to wait.
/// `None` without origins: then no response carries CORS headers.
fn cors_layer(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::Method;
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static(contract::headers::CSRF_TOKEN),
                HeaderName::from_static(contract::headers::IDEMPOTENCY_KEY),
            ])
            .expose_headers([header::RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Serves [`router`] on `listener` until `shutdown` completes, then lets
/// the requests under way finish. Each connection gets `TCP_NODELAY`, its
/// peer's address (for [`client_address`]),
/// `--header-timeout-seconds` to send each request's headers (which also
/// closes idle kept-alive connections), and `--write-timeout-seconds` to
/// take any of a response that is waiting ([`serve`]); at most
/// `--max-connections` are served at once, and the next waits in the
/// listen queue for a place; one past its address's share
/// (`--max-connections-per-address`) is closed at once.
/// What has expired is swept every `--purge-interval-seconds` meanwhile.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    dist: &std::path::Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let settings = state.settings.clone();
    let sweeper = tokio::spawn(purge_regularly(state.clone()));
    let app = router(state, dist);
    let places = Arc::new(tokio::sync::Semaphore::new(settings.max_connections));
    let shares = serve::ConnectionShares::new(
        settings.max_connections_per_address,
        settings.ipv6_prefix_length,
        settings.trusted_proxies.clone(),
    );
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    wait_after_accept_error(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(share) = shares.admit(peer.ip()) else {
            tracing::debug!(%peer, "closed: its address has its share of connections open");
            continue;
        };
        // Without TCP_NODELAY, a response written in two parts (headers,
        // then a file read meanwhile) can wait for the client's delayed ACK
        // of the first: about 40 ms for a static file on a kept-alive
        // connection.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!("setting TCP_NODELAY: {err}");
        }
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), request)
            },
        );
        let tcp = serve::WriteDeadline::new(tcp, settings.write_timeout);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            // A connection's end (a client gone, a timeout) is routine.
            let _ = connection.await;
            drop((place, share));
        });
    }
    sweeper.abort();
    graceful.shutdown().await;
    Ok(())
}

/// After a failed accept: at once when only that connection failed, a
/// second when the process is out of descriptors or memory, so that the
/// loop neither spins nor floods the log.
async fn wait_after_accept_error(err: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::warn!("accepting a connection: {err}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Every `--purge-interval-seconds`, deletes what has expired: kept create
/// responses (they may hold a password), sessions and failed attempts.
async fn purge_regularly(state: AppState) {
    let mut ticks = tokio::time::interval(state.settings.purge_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let settings = state.settings.clone();
        let swept = state
            .db
            .call(move |conn| {
                idempotency::purge_expired(conn, settings.idempotency_seconds)?;
                auth::purge_expired_sessions(conn, &settings)?;
                code_step::purge_expired(conn)?;
                Ok(())
            })
            .await;
        let swept = match swept {
            Ok(()) => state.limits.purge_expired().await,
            failed => failed,
        };
        if let Err(err) = swept {
            tracing::warn!("sweeping what has expired: {err}");
        }
    }
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
