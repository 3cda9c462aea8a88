//! Serving the built app: files from `dist/`, `index.html` for deep links.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get_service, MethodRouter};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// A service for everything outside `/api`: a file of `dist` when one
/// matches (ServeDir refuses paths that try to leave `dist`), otherwise the
/// app's `index.html` so that deep links and reloads work, except for paths
/// that look like files (`/missing.js`), which get an honest 404.
pub fn service(dist: &Path) -> MethodRouter {
    let index = dist.join("index.html");
    let fallback = move |request: Request<Body>| {
        let index = index.clone();
        async move { spa_fallback(index, request).await }
    };
    get_service(ServeDir::new(dist).fallback(tower::service_fn(fallback)))
}

async fn spa_fallback(
    index: PathBuf,
    request: Request<Body>,
) -> Result<Response, std::convert::Infallible> {
    let last_segment = request.uri().path().rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        return Ok((StatusCode::NOT_FOUND, "Not found").into_response());
    }
    let mut response = match ServeFile::new(&index).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return Ok((
            StatusCode::NOT_FOUND,
            "The app is not built: run `trunk build --release` (see README).",
        )
            .into_response());
    }
    // The shell must never be cached: it names the current hashed assets.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
