//! The middlewares of [`crate::router`]: what every request passes through
//! before a handler (cross-site refusal, a body read against a deadline)
//! and what every response gets (`Server-Timing`, CORS).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue};

use crate::problem::Problem;
use crate::{auth, error, Settings, BODY_LIMIT};

/// Refuses (403 `csrf-failed`) an unsafe method that a browser says comes
/// from a page of another site, unless that page's origin is one of the
/// `--cors-origin`s: the session cookie is `SameSite=Strict`, but a
/// sibling host of the same site, or a form signing the browser in to the
/// attacker's account (login CSRF), would otherwise get through. Browsers
/// say it with `Sec-Fetch-Site`; older ones only with `Origin`, which is
/// then compared with the `Host` it was sent to. Requests with neither
/// (curl, services) are not from a page, and pass.
pub(crate) async fn refuse_other_sites(
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
pub(crate) async fn read_body_in_time(
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
pub(crate) async fn server_timing(
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

/// Lets pages of `origins` call the API with credentials (the session
/// cookie, or a bearer token) and load the app's files, as a portal on
/// another origin does. Every header the app sends is allowed, and
/// `Retry-After` is readable so that rate limits can say how long to wait.
/// `None` without origins: then no response carries CORS headers.
pub(crate) fn cors_layer(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
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
