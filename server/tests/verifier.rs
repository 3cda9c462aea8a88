//! `/verify` as real services ask it: app passwords found by a keyed digest
//! (fast, and the same however typed), old-form passwords moved on first
//! use, expiry, digest-key rotation, and services that name themselves and
//! their client with a credential, which nobody else may do.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use app_passwords_server::crypto::{
    generate_app_password, hash_password, hash_with_salt, new_salt, normalize_app_password,
};
use common::{age, Api, Server, SERVER_BINARY};
use reqwest::StatusCode;
use serde_json::Value;

/// The headers a service sends: its credential, then the others given.
fn service<'a>(credential: &'a str, more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![("X-Service-Credential", credential)];
    headers.extend_from_slice(more);
    headers
}

/// The first app password in the list.
async fn first_item(api: &Api) -> Value {
    api.get("/app-passwords").await.body["items"][0].clone()
}

#[tokio::test]
async fn services_name_the_service_and_the_client_whose_address_is_what_is_limited() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "100", "3", &[]).await;
    let ada = server.ada().await;
    let (_, password) = ada.new_app_password("Phone").await;
    let file = server.service_credential("dovecot", "plain");
    let credential = std::fs::read_to_string(&file).unwrap().trim().to_owned();

    // Anonymous: as before, the caller's own address and no service.
    assert_eq!(ada.verify("ada", &password).await.status, StatusCode::OK);
    let item = first_item(&ada).await;
    assert_eq!(item["last_used_ip"], "127.0.0.1");
    assert!(item.get("last_used_service").is_none(), "{item}");

    // A service: its client's address and the service it named.
    let imap = service(
        &credential,
        &[
            ("X-Service-Name", "imap"),
            ("X-Client-Address", "192.0.2.7"),
        ],
    );
    assert_eq!(
        ada.verify_with("ada", &password, &imap).await.status,
        StatusCode::OK
    );
    let item = first_item(&ada).await;
    assert_eq!(item["last_used_service"], "imap");
    assert_eq!(item["last_used_ip"], "192.0.2.7");
    let mapped = service(
        &credential,
        &[
            ("X-Service-Name", "smtp"),
            ("X-Client-Address", "::ffff:192.0.2.8"),
        ],
    );
    ada.verify_with("ada", &password, &mapped).await;
    let item = first_item(&ada).await;
    assert_eq!(
        (&item["last_used_service"], &item["last_used_ip"]),
        (&"smtp".into(), &"192.0.2.8".into())
    );
    // The same client through the same service again: its last use stands,
    // true to the minute (a second later, an uncoalesced write would show a
    // later time).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    ada.verify_with("ada", &password, &mapped).await;
    assert_eq!(first_item(&ada).await, item, "a minute's uses are one use");

    // Guesses from one client use up that client's budget (3), not the
    // service's: another client of the same service, and the service's
    // own address, still get in.
    let guesser = service(&credential, &[("X-Client-Address", "198.51.100.1")]);
    for _ in 0..3 {
        let wrong = ada
            .verify_with("ada", "aaaaa-bbbbb-ccccc-ddddd-eeeee", &guesser)
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let limited = ada.verify_with("ada", &password, &guesser).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key("retry-after"));
    let neighbour = service(&credential, &[("X-Client-Address", "198.51.100.2")]);
    assert_eq!(
        ada.verify_with("ada", &password, &neighbour).await.status,
        StatusCode::OK
    );
    assert_eq!(ada.verify("ada", &password).await.status, StatusCode::OK);
}

#[tokio::test]
async fn service_headers_need_a_valid_credential() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (_, password) = ada.new_app_password("Phone").await;

    // A client cannot pass itself off as a service, or spoof its address.
    for headers in [
        vec![("X-Service-Name", "imap")],
        vec![("X-Client-Address", "192.0.2.1")],
        vec![
            ("X-Service-Credential", "not-a-credential"),
            ("X-Client-Address", "192.0.2.1"),
        ],
        vec![("X-Service-Credential", "not-a-credential")],
    ] {
        let refused = ada.verify_with("ada", &password, &headers).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(refused.problem_kind(), "service-refused", "{headers:?}");
    }
    assert!(
        first_item(&ada).await.get("last_used_at").is_none(),
        "a refused service records no use"
    );

    // What `service-credential add` prints holds no secret; the file is
    // the owner's alone, and the credential works.
    let out = data.path().join("nginx.credential");
    let added = server.admin(&[
        "service-credential",
        "add",
        "--name",
        "nginx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let credential = std::fs::read_to_string(&out).unwrap().trim().to_owned();
    assert_eq!(credential.len(), 43, "256 random bits");
    for printed in [&added.stdout, &added.stderr] {
        assert!(!String::from_utf8_lossy(printed).contains(&credential));
    }
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let caldav = service(&credential, &[("X-Service-Name", "caldav")]);
    assert_eq!(
        ada.verify_with("ada", &password, &caldav).await.status,
        StatusCode::OK
    );

    // With a valid credential, malformed values are refused, not guessed at.
    for (name, value) in [
        ("X-Service-Name", "IMAP"),
        ("X-Service-Name", "imap server"),
        ("X-Client-Address", "client.example"),
    ] {
        let malformed = ada
            .verify_with("ada", &password, &service(&credential, &[(name, value)]))
            .await;
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{name}: {value}");
    }

    // One credential per service; never over an existing file.
    let again = server.admin(&[
        "service-credential",
        "add",
        "--name",
        "nginx",
        "--out",
        data.path().join("other").to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(!data.path().join("other").exists());
    let over = server.admin(&[
        "service-credential",
        "add",
        "--name",
        "dovecot",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!over.status.success());
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().trim(),
        credential,
        "the existing file is kept"
    );

    let listed = server.admin(&["service-credential", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("nginx\t"));
    let revoked = server.admin(&["service-credential", "revoke", "--name", "nginx"]);
    assert!(revoked.status.success());
    let listed = server.admin(&["service-credential", "list"]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "");
    let after = ada.verify_with("ada", &password, &caldav).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN, "revoked at once");
}

#[tokio::test]
async fn expired_passwords_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (_, password) = ada.new_app_password("Phone").await;
    age(
        &server,
        "UPDATE app_passwords SET expires_at = '2099-01-01T00:00:00Z'",
    )
    .await;
    assert_eq!(ada.verify("ada", &password).await.status, StatusCode::OK);
    age(
        &server,
        "UPDATE app_passwords SET expires_at = '2020-01-01T00:00:00Z'",
    )
    .await;
    let expired = ada.verify("ada", &password).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn old_form_passwords_keep_working_and_move_to_a_digest_on_first_use() {
    // An old SQLite file, which PostgreSQL databases never were.
    if !common::sqlite_file_applies() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    // A database as the server before digests left it: schema version 2,
    // app passwords stored as Argon2id under the user's salt.
    let used = generate_app_password();
    let unused = generate_app_password();
    {
        let old = rusqlite::Connection::open(data.path().join("app.db")).unwrap();
        old.execute_batch(include_str!("../migrations/sqlite/0001_initial.sql"))
            .unwrap();
        old.execute_batch(include_str!("../migrations/sqlite/0002_contract.sql"))
            .unwrap();
        old.pragma_update(None, "user_version", 2).unwrap();
        let salt = new_salt();
        old.execute(
            "INSERT INTO users (login, display_name, password_hash, app_password_salt)
             VALUES ('bob', 'Bob', ?1, ?2)",
            rusqlite::params![hash_password("replaced at start"), salt],
        )
        .unwrap();
        for (id, name, password, last_used) in [
            ("old-1", "Laptop", &used, Some("2025-06-01T08:00:00Z")),
            ("old-2", "Printer", &unused, None),
        ] {
            let hash = hash_with_salt(&normalize_app_password(password), &salt).unwrap();
            old.execute(
                "INSERT INTO app_passwords (id, user_id, name, hash, created_at, last_used_at, last_used_ip)
                 VALUES (?1, 1, ?2, ?3, '2025-01-01T00:00:00Z', ?4, ?5)",
                rusqlite::params![id, name, hash, last_used, last_used.map(|_| "192.0.2.1")],
            )
            .unwrap();
        }
    }
    let server = Server::start(data.path()).await;
    let bob = server.bob().await;
    let list = bob.get("/app-passwords").await.body["items"].clone();
    assert_eq!(list[0]["id"], "old-1", "the migration keeps every row");
    assert_eq!(list[0]["last_used_ip"], "192.0.2.1");
    assert_eq!(list[1]["name"], "Printer");

    let forms = || async {
        server
            .admin_db()
            .await
            .call(|conn| {
                conn.query_all(
                    "SELECT id, hash IS NOT NULL, digest IS NOT NULL FROM app_passwords ORDER BY id",
                    &[],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
            })
            .await
            .unwrap()
    };
    assert_eq!(
        forms().await,
        [
            ("old-1".to_owned(), true, false),
            ("old-2".to_owned(), true, false)
        ]
    );
    assert_eq!(bob.verify("bob", &used).await.status, StatusCode::OK);
    assert_eq!(
        forms().await,
        [
            ("old-1".to_owned(), false, true),
            ("old-2".to_owned(), true, false)
        ],
        "the used one moved to a digest, the old hash dropped"
    );
    // Now found by its digest, typed any way, after a restart too.
    drop(server);
    let server = Server::start(data.path()).await;
    let mut bob = bob;
    bob.point_to(&server);
    let shouted = used.to_uppercase().replace('-', " ");
    assert_eq!(bob.verify("bob", &shouted).await.status, StatusCode::OK);
    assert_eq!(bob.verify("bob", &unused).await.status, StatusCode::OK);
    assert_eq!(
        bob.verify("bob", "aaaaa-bbbbb-ccccc-ddddd-eeeee")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        bob.verify("ada", &used).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_digest_key_rotation_keeps_passwords_working_until_it_ends() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ada = server.ada().await;
    let (_, used) = ada.new_app_password("Used during the rotation").await;
    let (_, unused) = ada.new_app_password("Not used during it").await;
    drop(server);

    // The operator makes a new key (README, "The keys"), moves the current
    // one aside and the new one in its place, and names the old one as the
    // previous one.
    let key = data.path().join("app.db.key.digest");
    let previous = data.path().join("previous.digest");
    let new = data.path().join("new.digest");
    let generated = std::process::Command::new(SERVER_BINARY)
        .args(["keys", "generate", "--out", new.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    std::fs::rename(&key, &previous).unwrap();
    std::fs::rename(&new, &key).unwrap();
    let rotating = Server::start_with(
        data.path(),
        &["--previous-digest-key-file", previous.to_str().unwrap()],
    )
    .await;
    ada.point_to(&rotating);
    assert_eq!(ada.verify("ada", &used).await.status, StatusCode::OK);
    drop(rotating);

    // The rotation ends: what was used moved to the new key; what was not
    // is orphaned, which is revocation.
    let after = Server::start(data.path()).await;
    ada.point_to(&after);
    assert_eq!(ada.verify("ada", &used).await.status, StatusCode::OK);
    assert_eq!(
        ada.verify("ada", &unused).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn key_files_are_made_for_their_owner_alone() {
    let data = tempfile::tempdir().unwrap();
    let _server = Server::start(data.path()).await;
    for key in ["app.db.key", "app.db.key.digest"] {
        let metadata = std::fs::metadata(data.path().join(key)).unwrap();
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600, "{key}");
        assert_eq!(metadata.len(), 32, "{key}");
    }
}

#[tokio::test]
async fn a_verification_costs_no_slow_hash_whatever_its_outcome() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "1000", "1000", &[]).await;
    let ada = server.ada().await;
    let (_, password) = ada.new_app_password("Phone").await;
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    // What one Argon2id hash takes here, as the server computes it.
    let mut hashes = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        tokio::task::spawn_blocking(|| hash_password("a guess"))
            .await
            .unwrap();
        hashes.push(started.elapsed());
    }
    let hash = median(hashes);
    for (login, typed, status) in [
        ("ada", password.as_str(), StatusCode::OK),
        (
            "ada",
            "aaaaa-bbbbb-ccccc-ddddd-eeeee",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "nobody",
            "aaaaa-bbbbb-ccccc-ddddd-eeeee",
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let started = Instant::now();
            assert_eq!(ada.verify(login, typed).await.status, status);
            times.push(started.elapsed());
        }
        let taken = median(times);
        assert!(
            taken < hash / 2,
            "{login} ({status}): {taken:?} a verification, {hash:?} a hash"
        );
    }
}

#[tokio::test]
async fn a_password_opens_only_its_services_and_a_refusal_is_a_wrong_password() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "100", "3", &[]).await;
    let ada = server.ada().await;
    let (_, calendars) = ada
        .new_app_password_for("Calendar", Some(&["caldav", "carddav"]))
        .await;
    let (_, everything) = ada.new_app_password("Laptop").await;
    let file = server.service_credential("dovecot", "plain");
    let credential = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    let through = |name: &'static str, client: &'static str| {
        service(
            &credential,
            &[("X-Service-Name", name), ("X-Client-Address", client)],
        )
    };
    let calendar_item = || async { first_item(&ada).await };

    // Through its services: in, and the use recorded.
    for name in ["caldav", "carddav"] {
        let allowed = ada
            .verify_with("ada", &calendars, &through(name, "192.0.2.1"))
            .await;
        assert_eq!(allowed.status, StatusCode::OK, "{name}");
        assert_eq!(calendar_item().await["last_used_service"], name);
    }
    let before = calendar_item().await;

    // Through another service, or for a caller that names none: refused
    // as a wrong password is, word for word, and no use recorded.
    let wrong = ada
        .verify_with(
            "ada",
            "aaaaa-bbbbb-ccccc-ddddd-eeeee",
            &through("imap", "192.0.2.2"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let nameless = service(&credential, &[("X-Client-Address", "192.0.2.3")]);
    for (headers, what) in [
        (through("imap", "192.0.2.2"), "imap"),
        (through("smtp", "192.0.2.2"), "smtp"),
        (nameless, "a service that names none"),
        (Vec::new(), "an anonymous caller"),
    ] {
        let refused = ada.verify_with("ada", &calendars, &headers).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(refused.body, wrong.body, "{what}");
        assert_eq!(
            refused.headers.get("www-authenticate"),
            wrong.headers.get("www-authenticate"),
            "{what}"
        );
        assert_eq!(calendar_item().await, before, "{what}: no use recorded");
    }

    // A password for every service opens each, anonymous callers too.
    for headers in [through("imap", "192.0.2.4"), through("caldav", "192.0.2.4")] {
        let allowed = ada.verify_with("ada", &everything, &headers).await;
        assert_eq!(allowed.status, StatusCode::OK);
    }
    assert_eq!(ada.verify("ada", &everything).await.status, StatusCode::OK);

    // Refusals by service count against the client's budget (3) as wrong
    // passwords do: no free tries to learn which guess was right.
    let client = "198.51.100.7";
    for _ in 0..3 {
        let refused = ada
            .verify_with("ada", &calendars, &through("imap", client))
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    let limited = ada
        .verify_with("ada", &calendars, &through("caldav", client))
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
}
