//! Files the app is deployed with, read over HTTP: its configuration and
//! the catalogues of languages other than English.

use gloo_net::http::Request;

use super::error::ApiError;
use super::transport::{error_from_response, Deadline};
use crate::config::Config;

/// Reads a file the app is deployed with at `url` (absolute), such as its
/// configuration or a catalogue: its text, or `None` when there is none. A
/// 404, or an HTML page instead of JSON (what a host that serves every
/// unknown path with `index.html` sends), means there is none. Within the
/// default request timeout, so that a server that never answers cannot
/// hold the app at its start.
pub async fn fetch_config_file(url: &str) -> Result<Option<String>, ApiError> {
    let deadline = Deadline::start(Config::default().request_timeout_seconds);
    // No headers of its own: index.html preloads the file, and the browser
    // hands over a preloaded response only to a request just like the preload.
    let response = Request::get(url)
        .abort_signal(Some(&deadline.signal))
        .send()
        .await
        .map_err(|_| deadline.failure())?;
    let is_html = response.headers().get("content-type").is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/html")
    });
    if response.status() == 404 || (response.ok() && is_html) {
        return Ok(None);
    }
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    response
        .text()
        .await
        .map(Some)
        .map_err(|_| deadline.failure())
}
