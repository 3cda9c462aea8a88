//! Two instances of the server on one PostgreSQL, as `examples/ha/` runs
//! them: each a child process of its own on 127.0.0.1, the shared key
//! files, and nginx with `examples/ha/nginx.conf` in front. Whatever one
//! instance does, the other sees: sessions, app passwords, the limit,
//! failure counts. Killed mid-load, one instance loses nothing the clients
//! were told was done, and the other carries on. Runs on PostgreSQL
//! whatever `APP_PASSWORDS_TEST_ENGINE` says: several instances need it.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{Api, BOB_PASSWORD, SERVER_BINARY};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::Pair;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Two instances on one database behind nginx, each with Bob and `flags`.
fn start_pair(flags: &[&str]) -> Pair {
    let bob = format!("bob:{BOB_PASSWORD}");
    let flags: Vec<&str> = ["--seed-user", bob.as_str()]
        .into_iter()
        .chain(flags.iter().copied())
        .collect();
    Pair::start(Path::new(SERVER_BINARY), None, &flags)
}

/// Bob, signed in through instance `index` of `pair`.
async fn bob_on(pair: &Pair, index: usize) -> Api {
    Api::bob_at(pair.base(index)).await
}

#[tokio::test]
async fn what_one_instance_makes_the_other_sees() {
    let pair = start_pair(&[]);
    // A session made on one is valid on the other (the cookie jar is per
    // host, not per port).
    let mut bob = bob_on(&pair, 0).await;
    bob.point_at(pair.base(1));
    let session = bob.get("/session").await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(session.body["user"]["login"], "bob");

    // A password made through one verifies through the other.
    let (id, password) = bob.new_app_password("Laptop").await;
    bob.point_at(pair.base(0));
    let verified = bob.verify("bob", &password).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["app_password"]["id"], id.as_str());

    // Revoked through the first, refused by the second.
    assert_eq!(
        bob.delete(&format!("/app-passwords/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    bob.point_at(pair.base(1));
    assert_eq!(
        bob.verify("bob", &password).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_apps_requests_work_while_they_alternate() {
    let pair = start_pair(&[]);
    // Through nginx, whose round robin sends each request to the other
    // instance, and once more with the alternation made explicit.
    for (round, bases) in [
        [pair.front.clone(), pair.front.clone()],
        [pair.base(0).to_owned(), pair.base(1).to_owned()],
    ]
    .into_iter()
    .enumerate()
    {
        let mut step = 0;
        let mut bob = Api::bob_at(&bases[0]).await;
        let mut next = |bob: &mut Api| {
            step += 1;
            bob.point_at(&bases[step % 2]);
        };
        next(&mut bob);
        assert_eq!(bob.get("/session").await.status, StatusCode::OK);
        next(&mut bob);
        let key = format!("flow-{round}");
        let created = bob.create("Phone", &key).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        next(&mut bob);
        let again = bob.create("Phone", &key).await;
        assert_eq!(
            again.status,
            StatusCode::CREATED,
            "a retry through the other"
        );
        assert_eq!(again.body["password"], created.body["password"]);
        next(&mut bob);
        let list = bob.get("/app-passwords").await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
        next(&mut bob);
        let renamed = bob
            .patch(
                &format!("/app-passwords/{id}"),
                &json!({ "name": "Old phone" }),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        next(&mut bob);
        assert_eq!(
            bob.delete(&format!("/app-passwords/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        next(&mut bob);
        assert_eq!(bob.delete("/session").await.status, StatusCode::NO_CONTENT);
        next(&mut bob);
        assert_eq!(bob.get("/session").await.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn concurrent_creates_through_both_stop_exactly_at_the_limit() {
    let pair = start_pair(&["--max-app-passwords", "5"]);
    let bob = bob_on(&pair, 0).await;
    // The same session, half the requests through each instance.
    let creates = (0..20).map(|index| {
        let client = bob.clone_to(pair.base(index));
        async move {
            client
                .create(&format!("Device {index}"), &format!("key-{index}"))
                .await
                .status
        }
    });
    let statuses = futures_join_all(creates).await;
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(
        (count(StatusCode::CREATED), count(StatusCode::CONFLICT)),
        (5, 15),
        "{statuses:?}"
    );
    let list = bob.get("/app-passwords").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn parallel_wrong_passwords_through_both_are_limited_as_one() {
    let pair = start_pair(&["--max-failures-per-login", "5"]);
    let guesses = (0..20).map(|index| {
        let api = Api::at(pair.base(index));
        async move { api.verify("bob", "wrong-guess").await.status }
    });
    let statuses = futures_join_all(guesses).await;
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(
        (
            count(StatusCode::UNAUTHORIZED),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (5, 15),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_under_way_finish() {
    let mut pair = start_pair(&[]);
    // A sign-in on a connection the server has already served once (so it
    // has surely been accepted), sent up to half its body: the request is
    // under way when the signal comes, and its body ends after.
    let mut stream = TcpStream::connect(pair.base(0).trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
    let body = json!({"login": "bob", "password": BOB_PASSWORD}).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    );
    // What is left of the health check's response first.
    let (_, _) = common::closes_within(&mut stream, Duration::from_millis(200)).await;
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    pair.instances[0].process.terminate();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let (closed, said) = common::closes_within(&mut stream, Duration::from_secs(10)).await;
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(closed, "the connection closes after the last response");
    let status = tokio::task::block_in_place(|| {
        pair.instances[0]
            .process
            .wait_for_exit(Duration::from_secs(10))
    });
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    // The other carries on.
    bob_on(&pair, 1).await;
}

/// What a client of the fault test was told.
#[derive(Default)]
struct Told {
    /// Creates answered 201: name → id.
    created: HashMap<String, String>,
    /// App passwords whose delete was answered 204 (or 404 on a retry
    /// after the first try got no answer).
    deleted: HashSet<String>,
    /// Every status the surviving instance answered.
    from_survivor: Vec<StatusCode>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_killed_under_load_loses_nothing_acknowledged() {
    let pair = Arc::new(start_pair(&[
        "--max-app-passwords",
        "0",
        "--max-failures-per-login",
        "1000",
    ]));
    // Signed in on the survivor; the cookie serves both.
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let signed_in = json_of(
        http.post(format!("{}/api/v1/session", pair.base(1)))
            .json(&json!({"login": "bob", "password": BOB_PASSWORD})),
    )
    .await;
    let csrf = signed_in["csrf_token"].as_str().unwrap().to_owned();
    let told = Arc::new(std::sync::Mutex::new(Told::default()));

    // Four clients, each 15 rounds of a create, a verification of what it
    // made and, every third round, a delete; each request alternates
    // between the instances. A request to the victim that gets no answer
    // is sent again to the survivor, a create with its Idempotency-Key.
    let clients = (0..4).map(|client| {
        let (pair, http, csrf, told) = (pair.clone(), http.clone(), csrf.clone(), told.clone());
        tokio::spawn(async move {
            let mut mine: Vec<(String, String)> = Vec::new();
            for round in 0..15 {
                let name = format!("c{client}-r{round}");
                let target = (client + round) % 2;
                let created = send(&http, &pair, target, &csrf, &told, |base| {
                    http.post(format!("{base}/api/v1/app-passwords"))
                        .header("Idempotency-Key", format!("key-{name}"))
                        .json(&json!({ "name": name }))
                })
                .await;
                assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
                let id = created.1["id"].as_str().unwrap().to_owned();
                let password = created.1["password"].as_str().unwrap().to_owned();
                told.lock()
                    .unwrap()
                    .created
                    .insert(name.clone(), id.clone());
                let verified = send(&http, &pair, target + 1, &csrf, &told, |base| {
                    http.get(format!("{base}/api/v1/verify"))
                        .basic_auth("bob", Some(&password))
                })
                .await;
                assert_eq!(verified.0, StatusCode::OK, "{}", verified.1);
                mine.push((id, password));
                if round % 3 == 2 {
                    let (id, _) = mine.remove(0);
                    let deleted = send(&http, &pair, target, &csrf, &told, |base| {
                        http.delete(format!("{base}/api/v1/app-passwords/{id}"))
                    })
                    .await;
                    assert!(
                        [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND].contains(&deleted.0),
                        "{deleted:?}"
                    );
                    told.lock().unwrap().deleted.insert(id);
                }
            }
        })
    });
    let clients: Vec<_> = clients.collect();
    // The victim dies (SIGKILL) while the load runs.
    tokio::time::sleep(Duration::from_millis(700)).await;
    pair.instances[0].process.kill_now();
    for client in clients {
        client.await.unwrap();
    }

    let listed = json_of(http.get(format!("{}/api/v1/app-passwords", pair.base(1)))).await;
    let told = told.lock().unwrap();
    assert!(
        told.from_survivor.iter().all(|s| !s.is_server_error()),
        "the survivor answered 5xx: {:?}",
        told.from_survivor
    );
    let rows: Vec<(String, String)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_owned(),
                row["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: HashSet<(String, String)> = told
        .created
        .iter()
        .filter(|(_, id)| !told.deleted.contains(*id))
        .map(|(name, id)| (name.clone(), id.clone()))
        .collect();
    assert_eq!(
        rows.len(),
        expected.len(),
        "each acknowledged create once, no phantom rows: {rows:?}"
    );
    assert_eq!(rows.into_iter().collect::<HashSet<_>>(), expected);
    assert_eq!(told.created.len(), 60, "every create was acknowledged");
}

/// Sends the request `build` makes for an instance's base URL to instance
/// `target` (with the CSRF token); when the victim (instance 0) gives no
/// answer, to the survivor instead. Records what the survivor answered.
async fn send(
    http: &reqwest::Client,
    pair: &Pair,
    target: usize,
    csrf: &str,
    told: &std::sync::Mutex<Told>,
    build: impl Fn(&str) -> reqwest::RequestBuilder,
) -> (StatusCode, Value) {
    let _ = http;
    let mut target = target % 2;
    loop {
        let sent = build(pair.base(target))
            .header("X-CSRF-Token", csrf)
            .send()
            .await;
        let answered = match sent {
            Ok(response) => {
                let status = response.status();
                let body = response.json::<Value>().await.unwrap_or(Value::Null);
                Some((status, body))
            }
            Err(_) => None,
        };
        match answered {
            Some((status, body)) => {
                if target == 1 {
                    told.lock().unwrap().from_survivor.push(status);
                }
                // An answer the victim gave as it died is no answer.
                if target == 0 && status.is_server_error() {
                    target = 1;
                    continue;
                }
                return (status, body);
            }
            None => {
                assert_eq!(target, 0, "the survivor gave no answer");
                target = 1;
            }
        }
    }
}

/// The JSON body of the response to `request`.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Runs `futures` at once; their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for task in tasks {
        outputs.push(task.await.unwrap());
    }
    outputs
}
