//! The reference server over real HTTP on a loopback port, with a real
//! SQLite file: what a client of the contract observes.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use app_passwords_server::config::Cli;
use app_passwords_server::{prepare, run, totp};
use clap::Parser;
use reqwest::{header, Client, StatusCode};
use serde_json::{json, Value};

/// Ada's sign-in, as the password step sends it.
fn ada_password() -> Value {
    json!({"login": "ada", "password": "analytical-engine"})
}

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A server running in this process on 127.0.0.1 with its own database.
struct Server {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(data: &Path) -> Self {
        let dist = data.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!DOCTYPE html><title>app</title>").unwrap();
        std::fs::write(dist.join("app-1234.js"), "export default 1;").unwrap();
        let cli = Cli::try_parse_from([
            "server".to_owned(),
            "--database".to_owned(),
            data.join("app.db").display().to_string(),
            "--dist".to_owned(),
            dist.display().to_string(),
            "--seed-user".to_owned(),
            format!("ada:analytical-engine:{SECRET}"),
            "--seed-user".to_owned(),
            "bob:no-second-factor".to_owned(),
        ])
        .unwrap();
        let state = prepare(&cli.serve).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            run(listener, state, &dist, std::future::pending()).await.unwrap();
        });
        Self { base, task }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, client: &Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    async fn post(&self, client: &Client, path: &str, body: &Value) -> reqwest::Response {
        client.post(self.url(path)).json(body).send().await.unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn browser_like_client() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

fn code_now() -> String {
    let secret = totp::decode_secret(SECRET).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp::code_at_step(&secret, totp::step_of(now))
}

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json",
        "error answers are problem details"
    );
    (status, response.json().await.unwrap())
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("ap_session="))
        .expect("a session cookie")
}

/// Signs `client` in as ada through both factors and returns the session.
async fn sign_in_ada(server: &Server, client: &Client) -> Value {
    let answer = server
        .post(client, "/api/v1/session", &ada_password())
        .await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let answer = server
        .post(client, "/api/v1/session/mfa", &json!({"code": code_now()}))
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.unwrap()
}

#[tokio::test]
async fn signs_in_with_password_and_totp_then_out() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let client = browser_like_client();

    // Wrong password and unknown login get the same answer.
    let mut refusals = Vec::new();
    for (login, password) in [("ada", "wrong-password"), ("nobody", "analytical-engine")] {
        let answer = server
            .post(
                &client,
                "/api/v1/session",
                &json!({ "login": login, "password": password }),
            )
            .await;
        let (status, body) = problem(answer).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["type"]
            .as_str()
            .unwrap()
            .ends_with("/invalid-credentials"));
        refusals.push(body);
    }
    assert_eq!(refusals[0], refusals[1]);

    // The right password asks for the second factor and sets a strict cookie.
    let answer = server
        .post(&client, "/api/v1/session", &ada_password())
        .await;
    let half_cookie = session_cookie(&answer);
    assert!(
        half_cookie.contains("HttpOnly")
            && half_cookie.contains("SameSite=Strict")
            && half_cookie.contains("Path=/")
    );
    let (status, body) = problem(answer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["type"].as_str().unwrap().ends_with("/mfa-required"));
    assert_eq!(body["methods"], json!(["totp"]));

    // Half signed in is not signed in.
    let answer = server.get(&client, "/api/v1/session").await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);

    // A wrong code is refused; the right one completes sign-in with a new id.
    let right = code_now();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let answer = server
        .post(&client, "/api/v1/session/mfa", &json!({ "code": wrong }))
        .await;
    let (status, body) = problem(answer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["type"].as_str().unwrap().ends_with("/invalid-code"));

    let answer = server
        .post(&client, "/api/v1/session/mfa", &json!({ "code": right }))
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_ne!(
        session_cookie(&answer),
        half_cookie,
        "the session id changes on sign-in"
    );
    let session: Value = answer.json().await.unwrap();
    assert_eq!(session["user"]["login"], "ada");
    assert!(session["user"]["id"].is_string());
    assert_eq!(session["app_passwords_enabled"], true);
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();

    let current: Value = server
        .get(&client, "/api/v1/session")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current, session);

    let list: Value = server
        .get(&client, "/api/v1/app-passwords")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!({ "items": [], "max_count": 40 }));

    // The same code cannot sign in a second time.
    let other = browser_like_client();
    server
        .post(&other, "/api/v1/session", &ada_password())
        .await;
    let answer = server
        .post(&other, "/api/v1/session/mfa", &json!({ "code": right }))
        .await;
    assert_eq!(
        answer.status(),
        StatusCode::UNAUTHORIZED,
        "a used code is refused"
    );

    // Signing out needs the CSRF token, then ends the session.
    let answer = client
        .delete(server.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    let (status, body) = problem(answer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["type"].as_str().unwrap().ends_with("/csrf-failed"));
    let answer = client
        .delete(server.url("/api/v1/session"))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let answer = server.get(&client, "/api/v1/session").await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_user_without_a_second_factor_signs_in_with_the_password_alone() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let client = browser_like_client();
    let answer = server
        .post(
            &client,
            "/api/v1/session",
            &json!({"login": "bob", "password": "no-second-factor"}),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let session: Value = answer.json().await.unwrap();
    assert_eq!(session["user"]["login"], "bob");
}

#[tokio::test]
async fn sessions_and_users_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let client = browser_like_client();
    let first = Server::start(data.path()).await;
    let session = sign_in_ada(&first, &client).await;
    drop(first);

    // Same database, new process state; the cookie jar carries the session.
    let second = Server::start(data.path()).await;
    let client_again = client
        .get(second.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(client_again.status(), StatusCode::OK);
    let again: Value = client_again.json().await.unwrap();
    assert_eq!(again["user"], session["user"]);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let client = browser_like_client();

    for path in [
        "/",
        "/app-passwords",
        "/sign-in",
        "/app-1234.js",
        "/api/v1/session",
    ] {
        let answer = server.get(&client, path).await;
        let headers = answer.headers();
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("style-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
    let api = server.get(&client, "/api/v1/session").await;
    assert_eq!(api.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn deep_links_get_the_app_and_missing_files_get_404() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let client = browser_like_client();

    for path in ["/app-passwords", "/security-info", "/sign-in"] {
        let answer = server.get(&client, path).await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(
            answer.headers()[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
        assert!(
            answer.text().await.unwrap().contains("<title>app</title>"),
            "{path}"
        );
    }
    let missing = server.get(&client, "/missing-5678.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // A path that tries to leave dist/ (sent raw: HTTP clients normalise `..`).
    let address = server.base.trim_start_matches("http://").to_owned();
    let raw = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /../app.db HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    let status_line = raw.lines().next().unwrap_or_default();
    assert!(
        status_line.contains(" 404 ") || status_line.contains(" 400 "),
        "{status_line}"
    );
    assert!(
        !raw.contains("SQLite format"),
        "the database must never be served"
    );
}

#[tokio::test]
async fn bad_requests_get_problem_details_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let client = browser_like_client();
    let url = server.url("/api/v1/session");

    let answer = client
        .post(&url)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"login\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(answer).await.0, StatusCode::BAD_REQUEST);

    let answer = client.post(&url).body("login=ada").send().await.unwrap();
    assert_eq!(problem(answer).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let answer = client
        .post(&url)
        .json(&json!({ "login": "ada" }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(answer).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    let huge = json!({ "login": "ada", "password": "x".repeat(20 * 1024) });
    let answer = client.post(&url).json(&huge).send().await.unwrap();
    assert_eq!(problem(answer).await.0, StatusCode::PAYLOAD_TOO_LARGE);

    let answer = server.get(&client, "/api/v1/no-such-call").await;
    assert_eq!(problem(answer).await.0, StatusCode::NOT_FOUND);

    let answer = client.put(&url).send().await.unwrap();
    assert_eq!(problem(answer).await.0, StatusCode::METHOD_NOT_ALLOWED);

    // None of that signed anyone in.
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
}
