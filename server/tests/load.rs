//! A bounded load on loopback: several users, each with two workers racing
//! each other for a small limit, creating, listing, verifying and deleting
//! at once over real HTTP. Afterwards every user's data must be exactly what
//! their workers did: no lost or phantom rows, the limit never exceeded, no
//! response a 5xx (every response is also checked against the contract).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use common::{Api, Server};
use reqwest::StatusCode;

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
