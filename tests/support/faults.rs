//! A fault-injecting front for the reference server, in this process on a
//! free loopback port. The browser talks to the front; the front forwards
//! every request (the app's files and the API) to the real server, except
//! the next request that matches a fault the test planned, which fails the
//! way the test said. Every API request is logged for the test to check.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{http, TestServer};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// How one request fails.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Forward it, then break the connection before the response is whole:
    /// the server did the work, the browser never hears how it went.
    LoseResponse,
    /// Forward it, then hold the response back this long.
    Hang(Duration),
    /// Do not forward it; respond with this instead.
    Respond {
        /// The status.
        status: u16,
        /// `Content-Type`, if any.
        content_type: Option<&'static str>,
        /// The body.
        body: String,
        /// More headers, such as `Retry-After`.
        headers: Vec<(&'static str, &'static str)>,
    },
    /// Forward it with a wrong `X-CSRF-Token`: the real server refuses it
    /// (403 `csrf-failed`), as after a token went stale.
    SpoilCsrf,
}

impl Fault {
    /// A response of `status` with a body of `content_type`.
    pub fn respond(status: u16, content_type: Option<&'static str>, body: &str) -> Self {
        Self::Respond {
            status,
            content_type,
            body: body.to_owned(),
            headers: Vec::new(),
        }
    }

    /// The contract's 429 `rate-limited`, saying to wait `retry_after`
    /// seconds.
    pub fn rate_limited(retry_after: &'static str) -> Self {
        Self::Respond {
            status: 429,
            content_type: Some("application/problem+json"),
            body: r#"{"type":"/problems/rate-limited","title":"Slow down","status":429}"#.into(),
            headers: vec![("retry-after", retry_after)],
        }
    }
}

/// One API request as the front saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The method.
    pub method: Method,
    /// The path under `/api/v1`.
    pub path: String,
    /// What the browser got (or would have got, for a lost response).
    pub status: u16,
    /// The `Idempotency-Key` it carried.
    pub idempotency_key: Option<String>,
    /// The `Cache-Control` of the real server's response.
    pub cache_control: Option<String>,
}

#[derive(Default)]
struct Plan {
    faults: Vec<(Method, String, Fault)>,
    seen: Vec<Seen>,
}

#[derive(Clone)]
struct Shared {
    backend: String,
    config: Option<String>,
    plan: Arc<Mutex<Plan>>,
    client: reqwest::Client,
}

/// The running front; stopped when dropped.
pub struct FaultyFront {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    plan: Arc<Mutex<Plan>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultyFront {
    /// Starts a front for `backend`; with `config`, it responds to
    /// `/app-config.json` with that text.
    pub async fn start(backend: &TestServer, config: Option<&str>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("bound address"));
        let plan = Arc::new(Mutex::new(Plan::default()));
        let shared = Shared {
            backend: backend.base_url.clone(),
            config: config.map(str::to_owned),
            plan: plan.clone(),
            client: http::client(),
        };
        let router = Router::new().fallback(forward).with_state(shared);
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the front serves");
        });
        Self { origin, plan, task }
    }

    /// Absolute URL of `path` on the front.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Makes the next `method` request to `/api/v1{path}` fail as `fault`.
    pub fn fail_next(&self, method: Method, path: &str, fault: Fault) {
        self.lock().faults.push((method, path.to_owned(), fault));
    }

    /// The API requests seen so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The API requests seen with `method` to `/api/v1{path}`.
    pub fn seen_at(&self, method: Method, path: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|seen| seen.method == method && seen.path == path)
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FaultyFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if let (Some(config), "/app-config.json") = (&shared.config, path.as_str()) {
        return ([(header::CONTENT_TYPE, "application/json")], config.clone()).into_response();
    }
    let api_path = path.strip_prefix("/api/v1").map(str::to_owned);
    let fault = api_path.as_ref().and_then(|api_path| {
        let mut plan = shared.plan.lock().unwrap_or_else(|p| p.into_inner());
        let index = plan
            .faults
            .iter()
            .position(|(m, p, _)| *m == method && p == api_path)?;
        Some(plan.faults.remove(index).2)
    });
    let idempotency_key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let response = match fault {
        Some(Fault::Respond {
            status,
            content_type,
            body,
            headers,
        }) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).expect("a status");
            if let Some(content_type) = content_type {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            }
            for (name, value) in headers {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            response
        }
        Some(Fault::SpoilCsrf) => {
            let mut request = request;
            request
                .headers_mut()
                .insert("x-csrf-token", HeaderValue::from_static("spoiled"));
            send(&shared, request).await
        }
        Some(Fault::Hang(time)) => {
            let response = send(&shared, request).await;
            tokio::time::sleep(time).await;
            response
        }
        Some(Fault::LoseResponse) => {
            let response = send(&shared, request).await;
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            // Headers and a first byte go out; then the connection breaks.
            // (Broken before any byte, Chromium would quietly send the
            // request again itself.)
            use futures_util::StreamExt;
            let first = futures_util::stream::iter([Ok(axum::body::Bytes::from_static(b"{"))]);
            let broken = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Err(std::io::Error::other("the response is lost on the way"))
            });
            Response::from_parts(parts, Body::from_stream(first.chain(broken)))
        }
        None => send(&shared, request).await,
    };
    if let Some(api_path) = api_path {
        let seen = Seen {
            method,
            path: api_path,
            status: response.status().as_u16(),
            idempotency_key,
            cache_control: response
                .headers()
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        };
        shared
            .plan
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .seen
            .push(seen);
    }
    response
}

/// Sends `request` to the real server and returns its response, read whole.
async fn send(shared: &Shared, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let url = format!(
        "{}{}",
        shared.backend,
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    );
    parts.headers.remove(header::HOST);
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the browser's request body");
    let forwarded = shared
        .client
        .request(parts.method, url)
        .headers(parts.headers)
        .body(body)
        .send()
        .await;
    let backend_response = match forwarded {
        Ok(backend_response) => backend_response,
        Err(error) => return bad_gateway(error),
    };
    let status = backend_response.status();
    let headers = backend_response.headers().clone();
    match backend_response.bytes().await {
        Ok(body) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Err(error) => bad_gateway(error),
    }
}

/// What the front sends when the real server cannot be reached.
fn bad_gateway(error: reqwest::Error) -> Response {
    (StatusCode::BAD_GATEWAY, format!("the front: {error}")).into_response()
}
