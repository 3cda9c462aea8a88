//! A bounded load on loopback: several users, each with two workers racing
//! each other for a small limit, creating, listing, verifying and deleting
//! at once over real HTTP. Afterwards every user's data must be exactly what
//! their workers did: no lost or phantom rows, the limit never exceeded, no
//! response a 5xx (every response is also checked against the contract).
//! And the same users signing in and creating while an attacker sprays
//! wrong passwords and holds slow connections: the limits and timeouts
//! refuse none of them.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{closes_within, connect, Api, Server};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::AsyncWriteExt;

const USERS: usize = 6;
const WORKERS_PER_USER: usize = 2;
const ROUNDS: usize = 10;
const LIMIT: usize = 5;

/// What one worker made and still holds, and what it revoked.
#[derive(Default)]
struct Outcome {
    held: BTreeMap<String, (String, String)>,
    revoked: Vec<String>,
    refused_at_limit: usize,
    statuses: Vec<u16>,
}

async fn worker(api: Api, login: String, worker: usize) -> Outcome {
    let mut outcome = Outcome::default();
    for round in 0..ROUNDS {
        let name = format!("{login} w{worker} r{round}");
        let created = api
            .create(&name, &format!("{login}-{worker}-{round}"))
            .await;
        outcome.statuses.push(created.status.as_u16());
        match created.status {
            StatusCode::CREATED => {
                let id = created.body["id"].as_str().expect("an id").to_owned();
                let password = created.body["password"]
                    .as_str()
                    .expect("a password")
                    .to_owned();
                outcome.held.insert(id, (name, password));
            }
            StatusCode::CONFLICT => {
                assert_eq!(created.problem_kind(), "limit-reached");
                outcome.refused_at_limit += 1;
            }
            other => panic!("create got {other}: {}", created.body),
        }

        let list = api.get("/app-passwords").await;
        outcome.statuses.push(list.status.as_u16());
        let listed = list.body["items"].as_array().expect("items").len();
        assert!(listed <= LIMIT, "{login} holds {listed}, more than {LIMIT}");
        for id in outcome.held.keys() {
            assert!(
                list.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|item| item["id"] == id.as_str()),
                "{login}'s {id} is missing from the list"
            );
        }

        if let Some((_, password)) = outcome.held.values().next() {
            let verified = api.verify(&login, password).await;
            outcome.statuses.push(verified.status.as_u16());
            assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        }

        // Every other round, revoke the oldest held.
        if round % 2 == 1 {
            if let Some(id) = outcome.held.keys().next().cloned() {
                let deleted = api.delete(&format!("/app-passwords/{id}")).await;
                outcome.statuses.push(deleted.status.as_u16());
                assert_eq!(deleted.status, StatusCode::NO_CONTENT);
                let (_, password) = outcome.held.remove(&id).expect("held");
                outcome.revoked.push(password);
            }
        }
    }
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_users_get_exactly_what_they_did() {
    let data = tempfile::tempdir().unwrap();
    let logins: Vec<String> = (0..USERS).map(|u| format!("user{u}")).collect();
    let mut flags: Vec<String> = vec![
        "--max-app-passwords".into(),
        LIMIT.to_string(),
        // Verifying revoked passwords counts as failures; the limits of
        // failures are tested elsewhere.
        "--max-failures-per-login".into(),
        "100000".into(),
        "--max-failures-per-address".into(),
        "100000".into(),
    ];
    for login in &logins {
        flags.push("--seed-user".into());
        flags.push(format!("{login}:password-of-{login}"));
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = Arc::new(Server::start_with(data.path(), &flags).await);
    let tokens = {
        let mut tokens = Vec::new();
        for login in &logins {
            let login = login.clone();
            tokens.push(
                server
                    .admin_db()
                    .await
                    .call(move |conn| app_passwords_server::auth::issue_token(conn, &login, 1))
                    .await
                    .unwrap(),
            );
        }
        tokens
    };

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (login, token) in logins.iter().zip(&tokens) {
        for worker_number in 0..WORKERS_PER_USER {
            let mut api = server.client();
            api.bearer = Some(token.clone());
            let login = login.clone();
            tasks.push((
                login.clone(),
                tokio::spawn(worker(api, login, worker_number)),
            ));
        }
    }
    let mut outcomes: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
    for (login, task) in tasks {
        outcomes
            .entry(login)
            .or_default()
            .push(task.await.expect("a worker finished without panicking"));
    }
    let elapsed = started.elapsed();

    let mut responses = 0;
    let mut refused = 0;
    for (login, token) in logins.iter().zip(&tokens) {
        let workers = &outcomes[login];
        let mut api = server.client();
        api.bearer = Some(token.clone());
        let list = api.get("/app-passwords").await;
        let mut on_server: Vec<(String, String)> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["id"].as_str().unwrap().to_owned(),
                    item["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        on_server.sort();
        let mut expected: Vec<(String, String)> = workers
            .iter()
            .flat_map(|w| {
                w.held
                    .iter()
                    .map(|(id, (name, _))| (id.clone(), name.clone()))
            })
            .collect();
        expected.sort();
        assert_eq!(on_server, expected, "{login}: no lost and no phantom rows");
        assert!(on_server.len() <= LIMIT, "{login}: limit held");
        for worker in workers {
            for (_, password) in worker.held.values() {
                assert_eq!(api.verify(login, password).await.status, StatusCode::OK);
            }
            for password in &worker.revoked {
                assert_eq!(
                    api.verify(login, password).await.status,
                    StatusCode::UNAUTHORIZED,
                    "a revoked password stays revoked"
                );
            }
            assert!(
                worker.statuses.iter().all(|status| *status < 500),
                "{login}: a 5xx response: {:?}",
                worker.statuses
            );
            responses += worker.statuses.len();
            refused += worker.refused_at_limit;
        }
    }
    // Other users' data is untouched by each user's work (checked above per
    // user); the limit was really reached under the race.
    assert!(refused > 0, "the workers never reached the limit");
    println!(
        "load: {USERS} users x {WORKERS_PER_USER} workers x {ROUNDS} rounds: {responses} responses, \
         {refused} refused at the limit, 0 with 5xx, in {elapsed:?}"
    );
}

/// Rounds of sign-in, create, verify and sign-out per user under attack.
const ROUNDS_UNDER_ATTACK: usize = 3;
/// Wrong passwords the attacker sends for each user's login from each of
/// its addresses: past the limit of 10.
const GUESSES_PER_LOGIN: usize = 15;
/// Connections the attacker opens and never finishes.
const SLOW_CONNECTIONS: usize = 40;

/// One user's rounds, as a client at `address` behind the trusted proxy;
/// the statuses it got.
async fn legitimate_user(api: Api, login: String, address: String) -> Vec<u16> {
    let mut api = api;
    let mut statuses = Vec::new();
    let from = [("X-Forwarded-For", address.as_str())];
    for round in 0..ROUNDS_UNDER_ATTACK {
        let credentials = json!({"login": login, "password": format!("password-of-{login}")});
        let signed_in = api
            .send(Method::POST, "/session", Some(&credentials), &from)
            .await;
        statuses.push(signed_in.status.as_u16());
        api.csrf = signed_in.body["csrf_token"].as_str().map(str::to_owned);
        let key = format!("{login}-{round}");
        let created = api
            .send(
                Method::POST,
                "/app-passwords",
                Some(&json!({"name": format!("Device {round}")})),
                &[from[0], ("Idempotency-Key", key.as_str())],
            )
            .await;
        statuses.push(created.status.as_u16());
        if let Some(password) = created.body["password"].as_str() {
            statuses.push(
                api.verify_with(&login, password, &from)
                    .await
                    .status
                    .as_u16(),
            );
        }
        statuses.push(
            api.send(Method::DELETE, "/session", None, &from)
                .await
                .status
                .as_u16(),
        );
    }
    statuses
}

/// Wrong passwords for `login` from `address`, then one for a made-up
/// login each time; the statuses it got.
async fn password_sprayer(api: Api, login: String, address: String) -> Vec<u16> {
    let mut statuses = Vec::new();
    for guess in 0..GUESSES_PER_LOGIN {
        for login in [login.clone(), format!("nobody-{login}-{guess}")] {
            let response = api
                .send(
                    Method::POST,
                    "/session",
                    Some(&json!({"login": login, "password": format!("guess-{guess}")})),
                    &[("X-Forwarded-For", address.as_str())],
                )
                .await;
            statuses.push(response.status.as_u16());
        }
    }
    statuses
}

/// A connection that sends half a request head, or a body a byte at a
/// time; true when the server closed it within `within`.
async fn slow_client(server: Arc<Server>, body: bool, within: Duration) -> bool {
    let mut stream = connect(&server).await;
    if body {
        let head = "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return true;
        }
        let started = Instant::now();
        while started.elapsed() < within {
            tokio::time::sleep(Duration::from_millis(400)).await;
            if stream.write_all(b" ").await.is_err() {
                return true;
            }
            if closes_within(&mut stream, Duration::from_millis(1)).await.0 {
                return true;
            }
        }
        false
    } else {
        if stream.write_all(b"GET / HTTP/1.1\r\nHost:").await.is_err() {
            return true;
        }
        closes_within(&mut stream, within).await.0
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_attacker_costs_legitimate_users_nothing() {
    let data = tempfile::tempdir().unwrap();
    let logins: Vec<String> = (0..USERS).map(|u| format!("user{u}")).collect();
    let mut flags: Vec<String> = [
        "--trusted-proxy",
        "127.0.0.1/32",
        "--header-timeout-seconds",
        "2",
        "--body-timeout-seconds",
        "2",
    ]
    .map(String::from)
    .to_vec();
    for login in &logins {
        flags.push("--seed-user".into());
        flags.push(format!("{login}:password-of-{login}"));
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = Arc::new(Server::start_with(data.path(), &flags).await);

    let started = Instant::now();
    let slow: Vec<_> = (0..SLOW_CONNECTIONS)
        .map(|n| {
            tokio::spawn(slow_client(
                server.clone(),
                n % 4 == 0,
                Duration::from_secs(6),
            ))
        })
        .collect();
    let sprayers: Vec<_> = ["192.0.2.66", "192.0.2.67"]
        .into_iter()
        .flat_map(|address| logins.iter().map(move |login| (address, login.clone())))
        .map(|(address, login)| {
            tokio::spawn(password_sprayer(server.client(), login, address.to_owned()))
        })
        .collect();
    let users: Vec<_> = logins
        .iter()
        .enumerate()
        .map(|(n, login)| {
            tokio::spawn(legitimate_user(
                server.client(),
                login.clone(),
                format!("198.51.100.{}", n + 1),
            ))
        })
        .collect();

    let mut legitimate = Vec::new();
    for user in users {
        legitimate.extend(user.await.expect("a user finished"));
    }
    let users_done = started.elapsed();
    let mut attacker = Vec::new();
    for sprayer in sprayers {
        attacker.extend(sprayer.await.expect("the sprayer finished"));
    }
    let mut cut = 0;
    for client in slow {
        cut += usize::from(client.await.expect("a slow client finished"));
    }

    assert!(
        legitimate
            .iter()
            .all(|status| matches!(status, 200 | 201 | 204)),
        "a legitimate request was refused: {legitimate:?}"
    );
    assert_eq!(legitimate.len(), USERS * ROUNDS_UNDER_ATTACK * 4);
    assert!(
        attacker.iter().all(|status| matches!(status, 401 | 429)),
        "{attacker:?}"
    );
    let limited = attacker.iter().filter(|status| **status == 429).count();
    assert!(limited > 0, "the attacker was never limited");
    assert_eq!(cut, SLOW_CONNECTIONS, "every slow connection was cut");
    println!(
        "under attack: {} legitimate requests, all served, in {users_done:?}; \
         {} wrong passwords ({limited} refused with 429); {SLOW_CONNECTIONS} slow connections cut",
        legitimate.len(),
        attacker.len()
    );
}
