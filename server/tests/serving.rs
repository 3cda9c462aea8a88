//! What every response carries, how the app itself is served, and what
//! bad requests get.

mod common;

use std::io::{Read, Write};

use common::Server;
use reqwest::{header, StatusCode};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let http = reqwest::Client::new();
    for path in [
        "/",
        "/app-passwords",
        "/sign-in",
        "/app-1234.js",
        "/api/v1/session",
        "/api/v1/nope",
    ] {
        let response = http.get(server.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("style-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        if path.starts_with("/api/") {
            assert_eq!(headers[header::CACHE_CONTROL], "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn deep_links_get_the_app_and_missing_files_get_404() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let http = reqwest::Client::new();
    for path in ["/app-passwords", "/security-info", "/sign-in"] {
        let response = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("<title>app</title>"),
            "{path}"
        );
    }
    let missing = http
        .get(server.url("/missing-5678.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Paths that try to leave dist/ (sent raw: HTTP clients normalise `..`).
    for target in ["/../app.db", "/..%2fapp.db", "/%2e%2e/app.db"] {
        let raw = raw_get(&server, target).await;
        let status_line = raw.lines().next().unwrap_or_default().to_owned();
        assert!(
            status_line.contains(" 404 ") || status_line.contains(" 400 "),
            "{target}: {status_line}"
        );
        assert!(
            !raw.contains("SQLite format"),
            "{target}: the database must never be served"
        );
    }
}

async fn raw_get(server: &Server, target: &str) -> String {
    let address = server.base.trim_start_matches("http://").to_owned();
    let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        String::from_utf8_lossy(&response).into_owned()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn bad_requests_get_problem_details_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let http = reqwest::Client::new();
    let url = server.url("/api/v1/session");
    let json = "application/json";

    let cases: Vec<(reqwest::RequestBuilder, StatusCode)> = vec![
        (
            http.post(&url)
                .header(header::CONTENT_TYPE, json)
                .body("{\"login\": "),
            StatusCode::BAD_REQUEST,
        ),
        (
            http.post(&url)
                .header(header::CONTENT_TYPE, json)
                .body(b"{\"login\":\"\xff\xfe\",\"password\":\"x\"}".to_vec()),
            StatusCode::BAD_REQUEST,
        ),
        (
            http.post(&url).body("login=ada"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            http.post(&url)
                .header(header::CONTENT_TYPE, "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            http.post(&url).json(&serde_json::json!({ "login": "ada" })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            http.post(&url)
                .json(&serde_json::json!({ "login": "ada", "password": 5 })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            http.post(&url)
                .json(&serde_json::json!({ "login": "ada", "password": "x".repeat(20 * 1024) })),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            http.get(server.url("/api/v1/no-such-call")),
            StatusCode::NOT_FOUND,
        ),
        (http.put(&url), StatusCode::METHOD_NOT_ALLOWED),
    ];
    for (request, expected) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), expected);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], expected.as_u16());
        assert!(body["title"].is_string());
    }

    // Over-long and malformed bodies for a signed-in user change nothing.
    let huge_name = serde_json::json!({ "name": "x".repeat(17 * 1024) });
    let response = ada.post("/app-passwords", &huge_name).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        ada.get("/app-passwords").await.body["items"],
        serde_json::json!([])
    );
    // None of that signed anyone in.
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_of_allowed_origins_may_call_with_credentials_and_no_others() {
    let data = tempfile::tempdir().unwrap();
    let portal = "http://portal.test:8081";
    let server = Server::start_with(
        data.path(),
        &[
            "--cors-origin",
            portal,
            "--cors-origin",
            "https://other.test",
        ],
    )
    .await;
    let http = reqwest::Client::new();

    // The preflight of a create, as Chromium sends it from the portal.
    let preflight = http
        .request(
            reqwest::Method::OPTIONS,
            server.url("/api/v1/app-passwords"),
        )
        .header(header::ORIGIN, portal)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,idempotency-key,x-csrf-token",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], portal);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap();
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "content-type",
        "idempotency-key",
        "x-csrf-token",
        "authorization",
    ] {
        assert!(allowed.contains(name), "{allowed}");
    }

    // Real responses (API and the app's files) name the origin and let the
    // page read Retry-After; caches keep responses per origin.
    for path in ["/api/v1/session", "/app-1234.js"] {
        let response = http
            .get(server.url(path))
            .header(header::ORIGIN, portal)
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(
            headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            portal,
            "{path}"
        );
        assert_eq!(
            headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS],
            "true",
            "{path}"
        );
        assert!(
            headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("retry-after"),
            "{path}"
        );
        let vary: Vec<_> = headers.get_all(header::VARY).iter().collect();
        assert!(
            vary.iter()
                .any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("origin")),
            "{path}: {vary:?}"
        );
    }

    // Any other origin gets no permission: the browser keeps the response
    // from its page.
    for origin in [
        "http://evil.test",
        "http://portal.test:8082",
        "https://portal.test:8081",
    ] {
        let response = http
            .request(
                reqwest::Method::OPTIONS,
                server.url("/api/v1/app-passwords"),
            )
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "DELETE")
            .send()
            .await
            .unwrap();
        assert!(
            response
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none(),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn without_cors_origins_no_response_allows_other_origins() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let response = reqwest::Client::new()
        .get(server.url("/api/v1/session"))
        .header(header::ORIGIN, "http://portal.test:8081")
        .send()
        .await
        .unwrap();
    assert!(response
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

#[tokio::test]
async fn assets_come_precompressed_and_hashed_ones_are_cached_for_ever() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    // What `trunk build --release` and scripts/precompress.sh leave in dist/.
    let dist = data.path().join("dist");
    let wasm = "app-passwords-0123456789abcdef_bg.wasm";
    std::fs::write(dist.join(wasm), b"identity body").unwrap();
    std::fs::write(dist.join(format!("{wasm}.br")), b"brotli body").unwrap();
    std::fs::write(dist.join(format!("{wasm}.gz")), b"gzip body").unwrap();
    // reqwest here decodes nothing: the bodies arrive as sent.
    let http = reqwest::Client::new();
    let get = |path: String, accept: &'static str| {
        let request = http.get(server.url(&path));
        async move {
            let request = match accept {
                "" => request,
                accept => request.header(header::ACCEPT_ENCODING, accept),
            };
            request.send().await.unwrap()
        }
    };
    // A HEAD first: its empty answer must not become the file's.
    let head = http
        .head(server.url(&format!("/{wasm}")))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    // Answers that are not the whole file for one stated set of encodings
    // must not be kept for others: two Accept-Encoding headers (read
    // together), a range, a condition.
    let url = server.url(&format!("/{wasm}"));
    let two = http
        .get(&url)
        .header(header::ACCEPT_ENCODING, "")
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(two.text().await.unwrap(), "brotli body");
    let part = http
        .get(&url)
        .header(header::RANGE, "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    // Twice: the second answers come from memory, and must be the same.
    let encodings = [
        ("br, gzip", Some("br"), "brotli body"),
        ("gzip, deflate", Some("gzip"), "gzip body"),
        ("", None, "identity body"),
    ];
    for (accept, encoding, body) in encodings.into_iter().chain(encodings) {
        let response = get(format!("/{wasm}"), accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        let headers = response.headers().clone();
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/wasm",
            "{accept}"
        );
        assert_eq!(headers[header::VARY], "accept-encoding", "{accept}");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{accept}"
        );
        assert_eq!(response.text().await.unwrap(), body, "{accept}");
    }
    // The shell names the current build: never kept without asking, for
    // every way of reaching it.
    for path in ["/", "/index.html", "/app-passwords"] {
        let response = get(path.to_owned(), "br").await;
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
        assert_eq!(
            response.text().await.unwrap(),
            "<!DOCTYPE html><title>app</title>"
        );
    }
    // Unhashed names stay revalidated.
    let plain = get("/app-1234.js".to_owned(), "br").await;
    assert_eq!(plain.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn api_responses_say_how_long_the_server_worked() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let response = reqwest::get(server.url("/api/v1/session")).await.unwrap();
    let timing = response.headers()["server-timing"]
        .to_str()
        .unwrap()
        .to_owned();
    let millis: f64 = timing
        .strip_prefix("app;dur=")
        .unwrap_or_else(|| panic!("{timing}"))
        .parse()
        .unwrap();
    assert!((0.0..1000.0).contains(&millis), "{timing}");
}

#[tokio::test]
async fn static_files_on_a_kept_alive_connection_do_not_stall() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let dist = data.path().join("dist");
    let files: Vec<String> = (0..4).map(|i| format!("asset-{i}.js")).collect();
    for (i, file) in files.iter().enumerate() {
        // Of several sizes, all under one loopback segment.
        std::fs::write(dist.join(file), "x".repeat(500 << (2 * i))).unwrap();
    }
    // Without TCP_NODELAY, a response whose file is read after its headers
    // were sent waits for the client's delayed ACK of the headers (Nagle's
    // algorithm): about 40 ms. Here a client of its own sees that for one
    // request in every few, not for each; so many requests, each round on
    // one new kept-alive connection (the page, then its files), and a loaded
    // machine's rare slow moment allowed.
    let mut stalled = Vec::new();
    for _ in 0..15 {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        http.get(server.url("/"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        for file in &files {
            let started = std::time::Instant::now();
            let response = http
                .get(server.url(&format!("/{file}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{file}");
            response.bytes().await.unwrap();
            let millis = started.elapsed().as_secs_f64() * 1000.0;
            if millis >= 30.0 {
                stalled.push(format!("{file}: {millis:.0} ms"));
            }
        }
    }
    assert!(
        stalled.len() <= 2,
        "{} of 60 files took 30 ms or more: {stalled:?}",
        stalled.len()
    );
}

#[tokio::test]
async fn the_health_check_says_whether_the_database_answers() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let http = reqwest::Client::new();
    let check = || async {
        let response = http.get(server.url("/healthz")).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body: serde_json::Value = response.json().await.unwrap();
        common::contract::check_response(
            &reqwest::Method::GET,
            "/healthz",
            status,
            &headers,
            &body,
        );
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        (status, body)
    };
    assert_eq!(
        check().await,
        (StatusCode::OK, serde_json::json!({ "status": "ok" }))
    );

    if common::on_postgres() {
        // The database stops taking connections, and those the server
        // holds are ended, as when PostgreSQL goes away underneath it.
        let name = std::fs::read_to_string(data.path().join("postgres-database")).unwrap();
        let cluster = testkit::Postgres::shared();
        cluster.psql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
        cluster.psql(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ));
        let (status, body) = check().await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        cluster.psql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
        assert_eq!(check().await.0, StatusCode::OK);
        return;
    }
    // The database file is moved away underneath the running server.
    let moved = server.database.with_extension("moved");
    std::fs::rename(&server.database, &moved).unwrap();
    let (status, body) = check().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], 503);

    std::fs::rename(&moved, &server.database).unwrap();
    assert_eq!(check().await.0, StatusCode::OK);
}
