//! The reference server under a hostile network: what an attacker on the
//! network tried against it, each over real HTTP (or raw TCP, for slow
//! clients) against the real server, and what a client observes. Every
//! slow-client test is bounded in time and stops by itself.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::{age, closes_within, code_now, connect, Api, Server, BOB_PASSWORD, SERVER_BINARY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `count` copies of one request at once and counts the statuses.
async fn at_once<F, Fut>(count: usize, send: F) -> (usize, usize, Vec<u16>)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let tasks: Vec<_> = (0..count).map(|_| tokio::spawn(send())).collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().as_u16());
    }
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    (refused, limited, statuses)
}

fn wrong_code() -> &'static str {
    if code_now() == "000000" {
        "111111"
    } else {
        "000000"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_attempts_get_exactly_the_limit_of_refusals() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "5", "1000", &[]).await;

    // Sign-in: 30 wrong passwords for one login, all at once.
    let api = std::sync::Arc::new(server.client());
    let (refused, limited, statuses) = at_once(30, || {
        let api = api.clone();
        async move {
            api.post(
                "/session",
                &json!({"login": "bob", "password": "guess-guess"}),
            )
            .await
            .status
        }
    })
    .await;
    assert_eq!((refused, limited), (5, 25), "sign-in: {statuses:?}");

    // /verify: the same for a login's app passwords.
    let (refused, limited, statuses) = at_once(30, || {
        let api = api.clone();
        async move {
            api.verify("carol", "aaaaa-bbbbb-ccccc-ddddd-eeeee")
                .await
                .status
        }
    })
    .await;
    assert_eq!((refused, limited), (5, 25), "verify: {statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_codes_get_exactly_the_limit_of_refusals() {
    // Under the five wrong codes that end a half-signed-in session, so
    // that only the limit refuses.
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "3", "1000", &[]).await;
    let half = std::sync::Arc::new(server.client());
    half.post("/session", &common::ada_password()).await;
    let (refused, limited, statuses) = at_once(20, || {
        let half = half.clone();
        async move {
            half.post("/session/mfa", &json!({ "code": wrong_code() }))
                .await
                .status
        }
    })
    .await;
    assert_eq!((refused, limited), (3, 17), "code step: {statuses:?}");
}

/// Every BLOB in every table of the database at `path`.
fn every_blob(path: &std::path::Path) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut blobs = Vec::new();
    for table in tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for column in 0..columns {
                if let Ok(rusqlite::types::ValueRef::Blob(blob)) = row.get_ref(column) {
                    blobs.push(blob.to_vec());
                }
            }
        }
    }
    blobs
}

/// How many rows `table` has, on either engine.
async fn rows_in(server: &Server, table: &'static str) -> i64 {
    server
        .admin_db()
        .await
        .call(move |conn| {
            conn.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[], |row| {
                row.get(0)
            })
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn kept_create_responses_do_not_open_with_the_data_folder() {
    if !common::sqlite_file_applies() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let created = ada
        .create("Thunderbird", "0c6f1d1e-aa4e-4c1b-9d8e-2f4a6b8c0d1e")
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let password = created.body["password"].as_str().unwrap().to_owned();

    // The database and the key files beside it, as a copy of the data
    // folder would have them: nothing sealed in it opens to the password.
    let key_file = data.path().join("app.db.key");
    let secrets = app_passwords_server::crypto::SecretBox::load_or_create(&key_file).unwrap();
    for blob in every_blob(&server.database) {
        if let Ok(plain) = secrets.open(&blob) {
            assert!(
                !String::from_utf8_lossy(&plain).contains(&password),
                "a kept response opens with the key file beside the database"
            );
        }
    }
}

#[tokio::test]
async fn kept_create_responses_go_after_minutes_on_a_timer() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--purge-interval-seconds", "1"]).await;
    let ada = server.ada().await;
    ada.create("Thunderbird", "0c6f1d1e-aa4e-4c1b-9d8e-2f4a6b8c0d1e")
        .await;
    // Kept minutes, not a day: aged past that, the purge takes it without
    // waiting for another create.
    assert_eq!(rows_in(&server, "create_replays").await, 1);
    age(
        &server,
        "UPDATE create_replays SET created_at = created_at - 16 * 60",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        rows_in(&server, "create_replays").await,
        0,
        "purged on a timer"
    );
}

#[tokio::test]
async fn a_key_replayed_after_a_revoke_gets_no_dead_password_and_makes_no_new_one() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;

    let first = ada.create("Thunderbird", "key-one").await;
    let id = first.body["id"].as_str().unwrap().to_owned();
    let password = first.body["password"].as_str().unwrap().to_owned();
    assert_eq!(
        ada.delete(&format!("/app-passwords/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    let replay = ada.create("Thunderbird", "key-one").await;
    assert_eq!(replay.status, StatusCode::GONE, "{}", replay.body);
    assert!(!replay.body.to_string().contains(&password));

    // Revoking them all does the same.
    ada.create("K-9 Mail", "key-two").await;
    assert_eq!(ada.delete("/app-passwords").await.status, StatusCode::OK);
    assert_eq!(
        ada.create("K-9 Mail", "key-two").await.status,
        StatusCode::GONE
    );

    let list = ada.get("/app-passwords").await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        0,
        "nothing made"
    );
}

#[tokio::test]
async fn a_verified_app_password_does_not_clear_sign_in_failures() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "3", "1000", &[]).await;
    let bob = server.bob().await;
    let (_, app_password) = bob.new_app_password("Mail").await;
    let guess = json!({"login": "bob", "password": "guess-guess"});
    let stranger = server.client();
    for _ in 0..2 {
        assert_eq!(
            stranger.post("/session", &guess).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        stranger.verify("bob", &app_password).await.status,
        StatusCode::OK
    );
    assert_eq!(
        stranger.post("/session", &guess).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        stranger.post("/session", &guess).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the third failure spent the budget, whatever verified in between"
    );
}

/// POST /session as a client at `address` behind the trusted proxy.
async fn sign_in_from(api: &Api, address: &str, login: &str, password: &str) -> StatusCode {
    api.send(
        Method::POST,
        "/session",
        Some(&json!({"login": login, "password": password})),
        &[("X-Forwarded-For", address)],
    )
    .await
    .status
}

#[tokio::test]
async fn a_strangers_failures_do_not_lock_out_the_right_password() {
    let data = tempfile::tempdir().unwrap();
    let server =
        Server::start_with_limits(data.path(), "5", "20", &["--trusted-proxy", "127.0.0.1/32"])
            .await;
    let attacker = server.client();
    // Spraying bob's login from one address: refused after five...
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            sign_in_from(&attacker, "192.0.2.66", "bob", "guess-guess")
                .await
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    // ...even with the right password from there...
    assert_eq!(
        sign_in_from(&attacker, "192.0.2.66", "bob", BOB_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...while bob, elsewhere, signs in.
    let bob = server.client();
    assert_eq!(
        sign_in_from(&bob, "198.51.100.7", "bob", BOB_PASSWORD).await,
        StatusCode::OK
    );

    // Random logins from one address spend that address's budget only.
    for n in 0..20 {
        sign_in_from(
            &attacker,
            "192.0.2.99",
            &format!("nobody{n}"),
            "guess-guess",
        )
        .await;
    }
    assert_eq!(
        sign_in_from(&attacker, "192.0.2.99", "nobody-else", "guess-guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_in_from(&bob, "198.51.100.8", "bob", BOB_PASSWORD).await,
        StatusCode::OK
    );

    // The forwarded address is the one the proxy saw, and the one recorded.
    let (_, password) = server.bob().await.new_app_password("Phone").await;
    let verified = bob
        .verify_with("bob", &password, &[("X-Forwarded-For", "203.0.113.5")])
        .await;
    assert_eq!(verified.status, StatusCode::OK);
    let signed_in = server.bob().await;
    let item = &signed_in.get("/app-passwords").await.body["items"][0];
    assert_eq!(item["last_used_ip"], "203.0.113.5");
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_address_is_ignored() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "3", "1000", &[]).await;
    let attacker = server.client();
    let mut statuses = Vec::new();
    for n in 0..5 {
        let address = format!("192.0.2.{n}");
        statuses.push(
            sign_in_from(&attacker, &address, "bob", "guess-guess")
                .await
                .as_u16(),
        );
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429, 429],
        "one client, whatever it claims"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_closed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &[
            "--header-timeout-seconds",
            "1",
            "--body-timeout-seconds",
            "2",
            "--max-connections",
            "300",
            // All from 127.0.0.1: the timeouts are what is tested here.
            "--max-connections-per-address",
            "300",
        ],
    )
    .await;

    // A request head that never ends.
    let mut partial = connect(&server).await;
    partial
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (closed, _) = closes_within(&mut partial, Duration::from_secs(4)).await;
    assert!(closed, "a partial head was still open after 4 s");
    assert!(started.elapsed() >= Duration::from_millis(800));

    // A kept-alive connection that says nothing after its first request.
    let mut idle = connect(&server).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (closed, said) = closes_within(&mut idle, Duration::from_secs(4)).await;
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(closed, "an idle connection was still open after 4 s");

    // A body at one byte every half second, never finished.
    let mut trickle = connect(&server).await;
    trickle
        .write_all(
            b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..12 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if trickle.write_all(b" ").await.is_err() {
                return (true, String::new());
            }
            let mut buffer = [0u8; 4096];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(1), trickle.read(&mut buffer)).await
            {
                return (true, String::from_utf8_lossy(&buffer[..n]).into_owned());
            }
        }
        closes_within(&mut trickle, Duration::from_millis(100)).await
    });
    let (cut, said) = writer.await.unwrap();
    assert!(cut, "a body trickling for 6 s was still being read");
    assert!(
        said.is_empty() || said.starts_with("HTTP/1.1 408"),
        "{said}"
    );

    // 200 connections with partial heads are all closed, and the server
    // answers others meanwhile.
    let mut crowd = Vec::new();
    for _ in 0..200 {
        let mut stream = connect(&server).await;
        stream.write_all(b"GET / HTTP/1.1\r\nHost:").await.unwrap();
        crowd.push(stream);
    }
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let closing: Vec<_> = crowd
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move { closes_within(&mut stream, Duration::from_secs(4)).await.0 })
        })
        .collect();
    for stream in closing {
        assert!(
            stream.await.unwrap(),
            "a partial head of the crowd was still open"
        );
    }
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_place() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &[
            "--max-connections",
            "4",
            "--max-connections-per-address",
            "4",
            "--header-timeout-seconds",
            "2",
        ],
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(&server).await);
    }
    // The fifth is accepted by the kernel but not served until a place frees.
    let mut fifth = connect(&server).await;
    fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(700), fifth.read(&mut buffer))
            .await
            .is_err(),
        "served past the cap"
    );
    drop(held);
    let (_, said) = closes_within(&mut fifth, Duration::from_secs(4)).await;
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
}

#[tokio::test]
async fn any_path_gets_not_found_or_the_app_never_a_server_error() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let long = "a".repeat(300);
    let http = reqwest::Client::new();
    for path in [
        format!("/{long}"),
        format!("/{long}.js"),
        format!("/assets/{long}/x"),
        format!("/api/v1/{long}"),
        format!("/api/v1/app-passwords/{long}"),
        format!("/{}", "%2e%2e/".repeat(40)),
        format!("/{}", "deep-folder/".repeat(500)),
    ] {
        let status = http.get(server.url(&path)).send().await.unwrap().status();
        assert!(!status.is_server_error(), "{path}: {status}");
    }
}

#[tokio::test]
async fn bearer_tokens_expire() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let issue = |days: Option<&str>| {
        let mut args = vec!["issue-token", "--login", "bob"];
        if let Some(days) = days {
            args.extend(["--days", days]);
        }
        let output = server.admin(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    let mut short = server.client();
    short.bearer = Some(issue(Some("1")));
    let mut default = server.client();
    default.bearer = Some(issue(None));
    assert_eq!(short.get("/session").await.status, StatusCode::OK);
    assert_eq!(default.get("/session").await.status, StatusCode::OK);

    // A day and a second later the one-day token is refused.
    age(
        &server,
        "UPDATE api_tokens SET expires_at = expires_at - 86401",
    )
    .await;
    assert_eq!(short.get("/session").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(default.get("/session").await.status, StatusCode::OK);
    // The default lasts days, not for ever.
    age(
        &server,
        "UPDATE api_tokens SET expires_at = expires_at - 30 * 86400",
    )
    .await;
    assert_eq!(
        default.get("/session").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn a_bad_seed_user_is_refused_without_echoing_its_password() {
    let data = tempfile::tempdir().unwrap();
    let database = data.path().join("app.db");
    for (flag, env) in [
        (Some("ada:Sh0rt!"), None),
        (None, Some("bob:long-enough-password\nada:Sh0rt!")),
    ] {
        let mut command = std::process::Command::new(SERVER_BINARY);
        command
            .arg("--database")
            .arg(&database)
            .arg("--listen")
            .arg("127.0.0.1:0");
        if let Some(flag) = flag {
            command.arg("--seed-user").arg(flag);
        }
        if let Some(env) = env {
            command.env("APP_PASSWORDS_SEED_USER", env);
        }
        let output = command.env("NO_COLOR", "1").output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.status.success(), "{said}");
        assert!(said.contains("seed"), "says what is wrong: {said}");
        assert!(!said.contains("Sh0rt!"), "echoed the password: {said}");
        assert!(
            !said.contains("long-enough-password"),
            "echoed a password: {said}"
        );
    }
}

#[tokio::test]
async fn data_files_are_for_their_owner_alone() {
    if !common::sqlite_file_applies() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let folder = data.path().join("made-by-the-server");
    let dist = data.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let cli = <app_passwords_server::config::Cli as clap::Parser>::try_parse_from([
        "server",
        "--database",
        folder.join("app.db").to_str().unwrap(),
        "--seed-user",
        &format!("bob:{BOB_PASSWORD}"),
    ])
    .unwrap();
    let state = app_passwords_server::prepare(&cli.serve).await.unwrap();
    // A write, so that the WAL and its index exist.
    state
        .db
        .call(|conn| conn.batch("CREATE TABLE IF NOT EXISTS touched (x)"))
        .await
        .unwrap();
    for name in ["app.db", "app.db-wal", "app.db-shm"] {
        let mode = std::fs::metadata(folder.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name}: {mode:o}");
    }
    let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o007, 0, "the folder: {mode:o}");
}

#[tokio::test]
async fn names_need_something_visible_and_nothing_invisible() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let bob = server.bob().await;
    for (n, name) in [
        "\u{200B}",
        "\u{FEFF}",
        "\u{200B}\u{FEFF}\u{200B}",
        "Mail\u{2028}Phone",
        "Mail\u{2029}x",
        "Mail\u{200F}",
        "Mail\u{061C}",
        "Mail\u{E0041}\u{E007F}",
        "\u{3164}",
        "\u{115F}\u{1160}",
        "\u{FFA0}",
        "Ma\u{00AD}il",
    ]
    .into_iter()
    .enumerate()
    {
        let response = bob.create(name, &format!("bad-{n}")).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        assert_eq!(response.body["errors"][0]["pointer"], "/name", "{name:?}");
    }
    assert_eq!(bob.get("/app-passwords").await.body["items"], json!([]));
    for (n, name) in ["Mail 📧", "Почта", "البريد", "メール", "Café ☕"]
        .into_iter()
        .enumerate()
    {
        let response = bob.create(name, &format!("good-{n}")).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{name:?}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn secure_cookies_come_with_hsts_and_a_host_only_cookie() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--secure-cookies"]).await;
    let http = reqwest::Client::new();
    let signed_in = http
        .post(server.url("/api/v1/session"))
        .json(&json!({"login": "bob", "password": BOB_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let hsts = signed_in.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-"), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("; Path=/"),
        "{cookie}"
    );
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let session = http
        .get(server.url("/api/v1/session"))
        .header("Cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), StatusCode::OK);
    let page = http.get(server.url("/")).send().await.unwrap();
    assert!(page.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn unsafe_requests_from_other_sites_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let portal = "http://portal.test:8081";
    let server = Server::start_with(data.path(), &["--cors-origin", portal]).await;
    let bob = server.bob().await;
    let evil = [
        ("Origin", "http://evil.test"),
        ("Sec-Fetch-Site", "cross-site"),
    ];

    let body = json!({"name": "From evil"});
    let refused = bob
        .send(
            Method::POST,
            "/app-passwords",
            Some(&body),
            &[evil[0], evil[1], ("Idempotency-Key", "evil-1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    // An old browser sends Origin alone.
    let refused = bob
        .send(
            Method::POST,
            "/app-passwords",
            Some(&body),
            &[evil[0], ("Idempotency-Key", "evil-2")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Login CSRF: a form on another site signing the browser in.
    let login = server
        .client()
        .send(
            Method::POST,
            "/session",
            Some(&json!({"login": "bob", "password": BOB_PASSWORD})),
            &evil,
        )
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert!(login.headers.get("set-cookie").is_none());

    // The configured portal, the same origin, and callers without either
    // header (curl, services) go through.
    let from_portal = bob
        .send(
            Method::POST,
            "/app-passwords",
            Some(&json!({"name": "From the portal"})),
            &[
                ("Origin", portal),
                ("Sec-Fetch-Site", "same-site"),
                ("Idempotency-Key", "portal-1"),
            ],
        )
        .await;
    assert_eq!(
        from_portal.status,
        StatusCode::CREATED,
        "{}",
        from_portal.body
    );
    let own_origin = server.base.clone();
    let same = bob
        .send(
            Method::POST,
            "/app-passwords",
            Some(&json!({"name": "Same origin"})),
            &[
                ("Origin", own_origin.as_str()),
                ("Sec-Fetch-Site", "same-origin"),
                ("Idempotency-Key", "same-1"),
            ],
        )
        .await;
    assert_eq!(same.status, StatusCode::CREATED, "{}", same.body);
    let old_browser = bob
        .send(
            Method::POST,
            "/app-passwords",
            Some(&json!({"name": "Old browser"})),
            &[
                ("Origin", own_origin.as_str()),
                ("Idempotency-Key", "old-1"),
            ],
        )
        .await;
    assert_eq!(
        old_browser.status,
        StatusCode::CREATED,
        "{}",
        old_browser.body
    );
    assert_eq!(bob.new_app_password("Plain").await.1.len(), 29);
    let items = bob.get("/app-passwords").await.body["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 4, "{items}");
}

#[tokio::test]
async fn creating_needs_an_idempotency_key() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let bob = server.bob().await;
    let response = bob.post("/app-passwords", &json!({"name": "No key"})).await;
    assert_eq!(
        response.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{}",
        response.body
    );
    assert_eq!(response.problem_kind(), "idempotency-key-required");
    assert!(response.body["detail"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));
    assert_eq!(bob.get("/app-passwords").await.body["items"], json!([]));
}

#[tokio::test]
async fn the_code_step_expires_after_minutes() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let late = server.client();
    late.post("/session", &common::ada_password()).await;
    // One half session began six minutes ago; it has been kept alive since.
    age(
        &server,
        "UPDATE sessions SET created_at = created_at - 6 * 60",
    )
    .await;
    let in_time = server.client();
    in_time.post("/session", &common::ada_password()).await;
    let response = late
        .post("/session/mfa", &json!({ "code": code_now() }))
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.problem_kind(),
        "unauthorized",
        "sign in again: {}",
        response.body
    );
    let response: Value = in_time
        .post("/session/mfa", &json!({ "code": code_now() }))
        .await
        .body;
    assert!(response["csrf_token"].is_string(), "{response}");
}
