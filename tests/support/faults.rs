//! A fault-injecting front for the reference server, in this process on a
//! free loopback port. The browser talks to the front; the front forwards
//! every request (the app's files and the API) to the real server, except
//! the next request that matches a fault the test planned, which fails the
//! way the test said. Every API request is logged for the test to check.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::TestServer;

/// How one request fails.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Forward it, then break the connection before the answer is whole:
    /// the server did the work, the browser never hears how it went.
    LoseAnswer,
    /// Forward it, then hold the answer back this long.
    Hang(Duration),
    /// Do not forward it; answer this instead.
    Answer {
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
    /// An answer of `status` with a body of `content_type`.
    pub fn answer(status: u16, content_type: Option<&'static str>, body: &str) -> Self {
        Self::Answer {
            status,
            content_type,
            body: body.to_owned(),
            headers: Vec::new(),
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
    /// What the browser got (or would have got, for a lost answer).
    pub status: u16,
    /// The `Idempotency-Key` it carried.
    pub idempotency_key: Option<String>,
    /// The `Cache-Control` of the real server's answer.
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
    client: Client<HttpConnector, Body>,
}

/// The running front; stopped when dropped.
pub struct FaultyFront {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    plan: Arc<Mutex<Plan>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultyFront {
    /// Starts a front for `backend`; with `config`, it answers
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
            client: Client::builder(TokioExecutor::new()).build_http(),
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

    let answer = match fault {
        Some(Fault::Answer {
            status,
            content_type,
            body,
            headers,
        }) => {
            let mut answer = Response::new(Body::from(body));
            *answer.status_mut() = StatusCode::from_u16(status).expect("a status");
            if let Some(content_type) = content_type {
                answer
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            }
            for (name, value) in headers {
                answer.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            answer
        }
        Some(Fault::SpoilCsrf) => {
            let mut request = request;
            request
                .headers_mut()
                .insert("x-csrf-token", HeaderValue::from_static("spoiled"));
            send(&shared, request).await
        }
        Some(Fault::Hang(time)) => {
            let answer = send(&shared, request).await;
            tokio::time::sleep(time).await;
            answer
        }
        Some(Fault::LoseAnswer) => {
            let answer = send(&shared, request).await;
            let (mut parts, _) = answer.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            // Headers and a first byte go out; then the connection breaks.
            // (Broken before any byte, Chromium would quietly send the
            // request again itself.)
            use futures_util::StreamExt;
            let first = futures_util::stream::iter([Ok(axum::body::Bytes::from_static(b"{"))]);
            let broken = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Err(std::io::Error::other("the answer is lost on the way"))
            });
            Response::from_parts(parts, Body::from_stream(first.chain(broken)))
        }
        None => send(&shared, request).await,
    };
    if let Some(api_path) = api_path {
        let seen = Seen {
            method,
            path: api_path,
            status: answer.status().as_u16(),
            idempotency_key,
            cache_control: answer
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
    answer
}

/// Sends `request` to the real server and returns its answer.
async fn send(shared: &Shared, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let target = format!(
        "{}{}",
        shared.backend,
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    );
    parts.uri = target.parse().expect("a backend URL");
    parts.headers.remove(header::HOST);
    match shared
        .client
        .request(axum::http::Request::from_parts(parts, body))
        .await
    {
        Ok(answer) => answer.map(Body::new),
        Err(error) => (StatusCode::BAD_GATEWAY, format!("the front: {error}")).into_response(),
    }
}
