//! App passwords over real HTTP: created once, shown once, stored hashed,
//! working with /verify, idempotent, bounded, renamed, revoked, and private
//! to their owner. Every response is checked against the contract.

mod common;

use common::{age, assert_nowhere_on_disk, Server};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_created_password_is_shown_once_stored_hashed_and_works() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;

    let created = ada
        .create("  Outlook on the laptop  ", "6f1c0b1e-key")
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let password = created.body["password"].as_str().unwrap().to_owned();
    assert_eq!(created.body["name"], "Outlook on the laptop", "trimmed");
    assert_eq!(created.body["login"], "ada");
    let groups: Vec<&str> = password.split('-').collect();
    assert_eq!(groups.len(), 5, "{password}");
    assert!(groups.iter().all(|g| g.len() == 5), "{password}");

    // The list never carries the secret (the contract check would also
    // refuse an undeclared `password` member).
    let list = ada.get("/app-passwords").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(!list.body.to_string().contains(&password));
    assert!(list.body["items"][0].get("last_used_at").is_none());

    // It works where an app would use it, typed any way, and is recorded.
    let used = ada.verify("ada", &password).await;
    assert_eq!(used.status, StatusCode::OK);
    assert_eq!(used.body["app_password"]["id"], created.body["id"]);
    assert_eq!(used.body["app_password"]["name"], "Outlook on the laptop");
    let typed = password.to_uppercase().replace('-', " ");
    assert_eq!(ada.verify("ada", &typed).await.status, StatusCode::OK);
    let item = &ada.get("/app-passwords").await.body["items"][0];
    assert!(item["last_used_at"].is_string(), "{item}");
    assert_eq!(item["last_used_ip"], "127.0.0.1");

    // Wrong password, wrong login: 401 with a Basic challenge.
    let wrong = ada.verify("ada", "aaaaa-bbbbb-ccccc-ddddd-eeeee").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(
        ada.verify("bob", &password).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The clear text is nowhere in the database files.
    drop(server);
    let compact = password.replace('-', "");
    assert_nowhere_on_disk(data.path(), &[password.as_bytes(), compact.as_bytes()]);
}

#[tokio::test]
async fn a_repeated_idempotency_key_gets_the_first_response() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;

    let first = ada.create("Thunderbird", "key-a").await;
    let again = ada.create("Thunderbird", "key-a").await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(
        again.body, first.body,
        "the same password, not a second one"
    );
    assert_eq!(
        ada.get("/app-passwords").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let reused = ada.create("Something else", "key-a").await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.problem_kind(), "idempotency-key-reused");

    // The key is per user: bob's key-a is his own.
    let bob = server.bob().await;
    let bobs = bob.create("Thunderbird", "key-a").await;
    assert_eq!(bobs.status, StatusCode::CREATED);
    assert_ne!(bobs.body["password"], first.body["password"]);

    // After 15 minutes the key is forgotten and makes a new one.
    age(
        &server,
        "UPDATE create_replays SET created_at = created_at - 15 * 60 - 1",
    )
    .await;
    let next_day = ada.create("Thunderbird", "key-a").await;
    assert_eq!(next_day.status, StatusCode::CREATED);
    assert_ne!(next_day.body["id"], first.body["id"]);

    let other = ada.create("Thunderbird", "key-b").await;
    assert_ne!(other.body["id"], first.body["id"]);
    assert_eq!(
        ada.get("/app-passwords").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn names_follow_the_rules_and_bad_names_create_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let too_long = "x".repeat(121);
    for (index, name) in [
        "",
        "   ",
        too_long.as_str(),
        "tab\there",
        "evil\u{202E}gpj.exe",
        "a\u{0000}b",
    ]
    .into_iter()
    .enumerate()
    {
        let response = ada.create(name, &format!("bad-{index}")).await;
        response.assert_refused_at("/name", &format!("{name:?}"));
    }
    let markup = ada.create("<img src=x onerror=alert(1)>", "ok-1").await;
    assert_eq!(
        markup.status,
        StatusCode::CREATED,
        "names are text; markup is allowed text"
    );
    let longest = ada.create(&"é".repeat(120), "ok-2").await;
    assert_eq!(longest.status, StatusCode::CREATED);
    assert_eq!(
        ada.get("/app-passwords").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let bad_key = ada
        .send(
            reqwest::Method::POST,
            "/app-passwords",
            Some(&json!({"name": "x"})),
            &[("Idempotency-Key", "has spaces in it")],
        )
        .await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_limit_holds_under_concurrent_creates() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--max-app-passwords", "3"]).await;
    let ada = std::sync::Arc::new(server.ada().await);
    let creates = (0..10).map(|i| {
        let ada = ada.clone();
        tokio::spawn(async move {
            ada.create(&format!("Device {i}"), &format!("key-{i}"))
                .await
        })
    });
    let mut created = 0;
    let mut refused = 0;
    for create in creates {
        let response = create.await.unwrap();
        match response.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(response.problem_kind(), "limit-reached");
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", response.body),
        }
    }
    assert_eq!((created, refused), (3, 7));
    let list = ada.get("/app-passwords").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(list.body["max_count"], 3);
}

#[tokio::test]
async fn with_no_limit_max_count_is_null_and_creates_go_past_the_default() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--max-app-passwords", "0"]).await;
    let ada = server.ada().await;
    // One more than the default limit of 40.
    for i in 0..41 {
        let response = ada
            .create(&format!("Device {i}"), &format!("key-{i}"))
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{i}: {}",
            response.body
        );
    }
    let list = ada.get("/app-passwords").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 41);
    assert!(list.body["max_count"].is_null(), "{}", list.body);
}

#[tokio::test]
async fn rename_delete_and_delete_all() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let first = ada.create("Old name", "k1").await.body;
    let password = first["password"].as_str().unwrap().to_owned();
    ada.create("Second", "k2").await;
    ada.create("Third", "k3").await;
    let id = first["id"].as_str().unwrap();

    let renamed = ada
        .patch(
            &format!("/app-passwords/{id}"),
            &json!({"name": " New name "}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(renamed.body["name"], "New name");
    let invalid = ada
        .patch(&format!("/app-passwords/{id}"), &json!({"name": ""}))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = ada
        .patch("/app-passwords/no-such-id", &json!({"name": "x"}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ada.get("/app-passwords").await.body["items"][0]["name"],
        "New name"
    );

    // Deleting revokes: the password stops working at once.
    assert_eq!(ada.verify("ada", &password).await.status, StatusCode::OK);
    assert_eq!(
        ada.delete(&format!("/app-passwords/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ada.delete(&format!("/app-passwords/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ada.verify("ada", &password).await.status,
        StatusCode::UNAUTHORIZED
    );

    let all = ada.delete("/app-passwords").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body, json!({ "revoked": 2 }));
    assert_eq!(ada.get("/app-passwords").await.body["items"], json!([]));

    // Odd ids are simply not found.
    assert_eq!(
        ada.delete("/app-passwords/%FF%FE").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn unsafe_calls_need_the_csrf_token() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ada = server.ada().await;
    ada.csrf = Some("forged".into());
    let response = ada.create("Mail", "k").await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.problem_kind(), "csrf-failed");
    ada.csrf = None;
    assert_eq!(
        ada.delete("/app-passwords").await.status,
        StatusCode::FORBIDDEN
    );
    ada.csrf = None;
    assert_eq!(
        ada.get("/app-passwords").await.body["items"],
        json!([]),
        "nothing was created"
    );
}

#[tokio::test]
async fn users_cannot_see_or_touch_each_others_passwords() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let bob = server.bob().await;
    let adas = ada.create("Ada's phone", "k").await.body;
    let id = adas["id"].as_str().unwrap();

    assert_eq!(bob.get("/app-passwords").await.body["items"], json!([]));
    assert_eq!(
        bob.patch(
            &format!("/app-passwords/{id}"),
            &json!({"name": "mine now"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bob.delete(&format!("/app-passwords/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bob.delete("/app-passwords").await.body,
        json!({ "revoked": 0 })
    );
    let password = adas["password"].as_str().unwrap();
    assert_eq!(
        bob.verify("bob", password).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ada.get("/app-passwords").await.body["items"][0]["name"],
        "Ada's phone"
    );
}

#[tokio::test]
async fn an_administrator_can_turn_creation_off() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let before = ada.create("Before", "k1").await.body;
    server
        .admin_db()
        .await
        .call(|conn| app_passwords_server::users::set_app_passwords_enabled(conn, "ada", false))
        .await
        .unwrap();

    assert_eq!(
        ada.get("/session").await.body["app_passwords_enabled"],
        false
    );
    let refused = ada.create("After", "k2").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.problem_kind(), "app-passwords-disabled");
    // What exists can still be listed and revoked.
    assert_eq!(
        ada.get("/app-passwords").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let id = before["id"].as_str().unwrap();
    assert_eq!(
        ada.delete(&format!("/app-passwords/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn an_expiry_is_chosen_within_the_policy_and_stops_the_password() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &["--default-expiry-days", "30", "--max-expiry-days", "90"],
    )
    .await;
    let ada = server.ada().await;
    let list = ada.get("/app-passwords").await;
    assert_eq!(
        list.body["expiry"],
        json!({ "default_days": 30, "max_days": 90 })
    );

    let create = |name: &str, expires_at: serde_json::Value| {
        let body = json!({ "name": name, "expires_at": expires_at });
        let key = format!("key-{name}");
        let ada = &ada;
        async move {
            ada.send(
                reqwest::Method::POST,
                "/app-passwords",
                Some(&body),
                &[("Idempotency-Key", &key)],
            )
            .await
        }
    };
    let now = time::OffsetDateTime::now_utc();
    let in_days = |days: i64| {
        (now + time::Duration::days(days))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };

    // Without a choice, the default; with one, as chosen, in UTC.
    let default = create("Default", serde_json::Value::Null).await;
    assert_eq!(default.status, StatusCode::CREATED, "{}", default.body);
    let default_at = time::OffsetDateTime::parse(
        default.body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!((default_at - now - time::Duration::days(30)).abs() < time::Duration::minutes(1));
    let chosen = create("Chosen", json!(in_days(10))).await;
    assert_eq!(chosen.status, StatusCode::CREATED, "{}", chosen.body);
    assert!(chosen.body["expires_at"].as_str().unwrap().ends_with('Z'));

    // Beyond the maximum, in the past, or not a date: 422 at the field.
    for refused in [json!(in_days(95)), json!(in_days(-1)), json!("next week")] {
        let response = create("Refused", refused.clone()).await;
        response.assert_refused_at("/expires_at", &refused.to_string());
    }
    assert_eq!(ada.item_count().await, 2, "a refused create makes nothing");

    // Once the day has come, the password stops working.
    let password = chosen.body["password"].as_str().unwrap().to_owned();
    assert_eq!(ada.verify("ada", &password).await.status, StatusCode::OK);
    age(
        &server,
        "UPDATE app_passwords SET expires_at = '2020-01-01T00:00:00Z' WHERE name = 'Chosen'",
    )
    .await;
    assert_eq!(
        ada.verify("ada", &password).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_password_is_limited_to_the_services_chosen_and_rename_keeps_them() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;

    let (calendars, _) = ada
        .new_app_password_for("Calendar", Some(&["caldav", "carddav"]))
        .await;
    let everything = ada
        .create_with(&json!({ "name": "Laptop", "services": null }), "laptop")
        .await;
    assert_eq!(
        everything.status,
        StatusCode::CREATED,
        "{}",
        everything.body
    );
    assert!(
        everything.body.get("services").is_none(),
        "null: every service"
    );

    let items = ada.get("/app-passwords").await.body["items"].clone();
    assert_eq!(items[0]["services"], json!(["caldav", "carddav"]));
    assert!(items[1].get("services").is_none(), "{}", items[1]);

    let renamed = ada
        .patch(
            &format!("/app-passwords/{calendars}"),
            &json!({ "name": "Calendar on the phone", "services": ["imap"] }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.body["services"], json!(["caldav", "carddav"]));
    let items = ada.get("/app-passwords").await.body["items"].clone();
    assert_eq!(items[0]["name"], "Calendar on the phone");
    assert_eq!(items[0]["services"], json!(["caldav", "carddav"]));

    let too_many: Vec<String> = (0..=contract::MAX_SERVICES)
        .map(|i| format!("s{i}"))
        .collect();
    for (index, services) in [
        json!([]),
        json!(too_many),
        json!(["imap", "imap"]),
        json!(["IMAP"]),
        json!(["imap", ""]),
        json!(["imap,smtp"]),
        json!([7]),
        json!("imap"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({ "name": "Refused", "services": services });
        let response = ada.create_with(&body, &format!("bad-{index}")).await;
        if services.is_array() && services.as_array().unwrap().iter().all(|s| s.is_string()) {
            response.assert_refused_at("/services", &services.to_string());
        } else {
            assert!(response.status.is_client_error(), "{services}");
        }
    }
    assert_eq!(ada.item_count().await, 2, "a refused create makes nothing");
}
