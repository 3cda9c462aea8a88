//! What the server keeps to when it faces the internet, each over real
//! HTTP (or raw TCP) against the real server: a client is the address the
//! trusted proxy names in the one header the operator chose; clients that
//! never read cannot take every connection; every answer carries the
//! security headers; only a file itself is cached for ever.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{closes_within, connect, Server};
use reqwest::{header, Method, StatusCode};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

#[tokio::test]
async fn a_clients_own_forwarding_header_is_not_believed_over_the_proxys() {
    let data = tempfile::tempdir().unwrap();
    // HAProxy's `option forwarded` writes Forwarded and leaves
    // X-Forwarded-For as the client sent it.
    let server = Server::start_with_limits(
        data.path(),
        "3",
        "1000",
        &[
            "--trusted-proxy",
            "127.0.0.1/32",
            "--client-address-header",
            "forwarded",
        ],
    )
    .await;
    let through_proxy = server.client();
    let sign_in = |password: &'static str, own: String, forwarded: &'static str| {
        let through_proxy = &through_proxy;
        async move {
            through_proxy
                .send(
                    Method::POST,
                    "/session",
                    Some(&json!({"login": "bob", "password": password})),
                    &[("X-Forwarded-For", &own), ("Forwarded", forwarded)],
                )
                .await
                .status
                .as_u16()
        }
    };
    let mut statuses = Vec::new();
    for n in 0..6 {
        let own = format!("198.51.100.{n}");
        statuses.push(sign_in("guess-guess", own, "for=192.0.2.66").await);
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429, 429, 429],
        "one client, whatever its own header says"
    );
    // Another client, as the proxy names it, is not refused.
    let own = "192.0.2.66".to_owned();
    let other = sign_in(common::BOB_PASSWORD, own, "for=\"[2001:db8::7]:4711\"").await;
    assert_eq!(other, 200);
}

/// A connection to `server` from `local` (another loopback address), with
/// a receive buffer small enough that an unread response soon fills it.
async fn connect_from(server: &Server, local: &str) -> TcpStream {
    let address: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind(local.parse().unwrap()).unwrap();
    socket.connect(address).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_read_neither_hold_every_place_nor_keep_theirs() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &["--max-connections", "64", "--write-timeout-seconds", "3"],
    )
    .await;
    // Far more than the kernel's buffers on both ends hold; unhashed, so
    // that it is read from disk rather than kept in memory.
    let size = 8 << 20;
    std::fs::write(data.path().join("dist/big.bin"), vec![b'x'; size]).unwrap();

    let asked = Instant::now();
    let mut hogs = Vec::new();
    for _ in 0..64 {
        let mut hog = connect_from(&server, "127.0.0.1:0").await;
        hog.write_all(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        hogs.push(hog);
    }
    // Time for the server to take them all and fill their sockets.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut other = connect_from(&server, "127.0.0.2:0").await;
    let started = Instant::now();
    other
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (_, said) = closes_within(&mut other, Duration::from_secs(1)).await;
    assert!(
        said.starts_with("HTTP/1.1 200"),
        "no answer in 1 s: {said:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));

    // Read only once the write timeout has passed, so that reading is no
    // progress in time: what the server sent before it closed, then the
    // end, and never the whole file.
    tokio::time::sleep(
        (asked + Duration::from_secs(3 + 2)).saturating_duration_since(Instant::now()),
    )
    .await;
    let ends: Vec<_> = hogs
        .into_iter()
        .map(|mut hog| {
            tokio::spawn(async move {
                let (closed, said) = closes_within(&mut hog, Duration::from_secs(3)).await;
                (closed, said.len())
            })
        })
        .collect();
    for end in ends {
        let (closed, received) = end.await.unwrap();
        assert!(closed, "a connection that never read was still open");
        assert!(received < size, "the whole file was sent: {received} B");
    }
}

/// The headers every answer carries, as `headers` has them.
fn security_headers(headers: &header::HeaderMap) -> Vec<(&'static str, Option<String>)> {
    [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "strict-transport-security",
    ]
    .into_iter()
    .map(|name| {
        let value = headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        (name, value)
    })
    .collect()
}

#[tokio::test]
async fn refusals_of_a_body_carry_the_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &["--secure-cookies", "--body-timeout-seconds", "1"],
    )
    .await;
    let http = reqwest::Client::new();
    let healthy = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(healthy.status(), StatusCode::OK);
    let expected = security_headers(healthy.headers());
    assert!(
        expected.iter().all(|(_, value)| value.is_some()),
        "{expected:?}"
    );

    let too_large = http
        .post(server.url("/api/v1/session"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(vec![b' '; 20 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(security_headers(too_large.headers()), expected, "413");

    // A body that never finishes.
    let mut late = connect(&server).await;
    late.write_all(
        b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let (_, said) = closes_within(&mut late, Duration::from_secs(4)).await;
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    let mut headers = header::HeaderMap::new();
    let head = said.split("\r\n\r\n").next().unwrap_or_default();
    for line in head.lines().skip(1) {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            header::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            value.trim().parse().unwrap(),
        );
    }
    assert_eq!(security_headers(&headers), expected, "408");
}

#[tokio::test]
async fn only_the_file_itself_is_cached_for_ever() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let css = "/main-0123456789abcdef.css";
    std::fs::write(data.path().join("dist").join(&css[1..]), "body {}").unwrap();
    let http = reqwest::Client::new();
    let get = |path: &str, headers: &[(header::HeaderName, &str)]| {
        let mut request = http.get(server.url(path));
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        async move {
            let response = request.send().await.unwrap();
            let cache_control = response.headers()[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .to_owned();
            (response.status().as_u16(), cache_control)
        }
    };
    let immutable = "public, max-age=31536000, immutable".to_owned();
    assert_eq!(get(css, &[]).await, (200, immutable.clone()));
    assert_eq!(
        get(css, &[(header::RANGE, "bytes=0-3")]).await,
        (206, immutable.clone())
    );
    let whole = http.get(server.url(css)).send().await.unwrap();
    let last_modified = whole.headers()[header::LAST_MODIFIED].to_str().unwrap();
    assert_eq!(
        get(css, &[(header::IF_MODIFIED_SINCE, last_modified)]).await,
        (304, immutable)
    );
    // Names that look hashed, with no such file (a build not yet deployed
    // here, or a guess): asked again next time.
    for missing in [
        "/main-fedcba9876543210.css",
        "/app-passwords-0123456789abcdef_bg.wasm",
    ] {
        assert_eq!(
            get(missing, &[]).await,
            (404, "no-cache".to_owned()),
            "{missing}"
        );
    }
    assert_eq!(
        get(css, &[(header::RANGE, "bytes=100-200")]).await,
        (416, "no-cache".to_owned())
    );
}
