//! Sign-in, second factor, sign-out, bearer tokens and failure limits, over
//! real HTTP with every response checked against the contract.

mod common;

use common::{
    ada_password, age, assert_nowhere_on_disk, code_now, Server, ADA_PASSWORD, BOB_PASSWORD, SECRET,
};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn signs_in_with_password_and_totp_then_out() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let api = server.client();

    // Wrong password and unknown login get the same response.
    let wrong = api.sign_in_with("ada", "wrong-password").await;
    let unknown = api.sign_in_with("nobody", "analytical-engine").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.problem_kind(), "invalid-credentials");
    assert_eq!(wrong.body, unknown.body);

    // The right password asks for the second factor and sets a strict cookie.
    let half = api.post("/session", &ada_password()).await;
    assert_eq!(half.status, StatusCode::UNAUTHORIZED);
    assert_eq!(half.problem_kind(), "mfa-required");
    assert_eq!(half.body["methods"], json!(["totp"]));
    let half_cookie = half.headers["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(half_cookie.contains(attribute), "{half_cookie}");
    }
    assert!(
        !half_cookie.contains("Secure"),
        "not without --secure-cookies"
    );

    // Half signed in is not signed in.
    assert_eq!(api.get("/session").await.status, StatusCode::UNAUTHORIZED);

    // A wrong code is refused; the right one signs in with a new session id.
    let right = code_now();
    let wrong_code = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = api
        .post("/session/mfa", &json!({ "code": wrong_code }))
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.problem_kind(), "invalid-code");
    let signed_in = api.post("/session/mfa", &json!({ "code": right })).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_ne!(
        signed_in.headers["set-cookie"].to_str().unwrap(),
        half_cookie
    );
    let session = signed_in.body;
    assert_eq!(session["user"]["login"], "ada");
    assert_eq!(session["app_passwords_enabled"], true);
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(api.get("/session").await.body, session);
    assert_eq!(
        api.get("/app-passwords").await.body,
        json!({
            "items": [],
            "max_count": 40,
            "expiry": { "default_days": null, "max_days": null }
        })
    );

    // The same code cannot sign in a second time.
    let other = server.client();
    other.post("/session", &ada_password()).await;
    let replay = other.post("/session/mfa", &json!({ "code": right })).await;
    assert_eq!(
        replay.status,
        StatusCode::UNAUTHORIZED,
        "a used code is refused"
    );

    // Signing out needs the CSRF token, then ends the session.
    let forged = api.delete("/session").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(forged.problem_kind(), "csrf-failed");
    let mut with_token = api;
    with_token.csrf = Some(csrf);
    assert_eq!(
        with_token.delete("/session").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        with_token.get("/session").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn secure_cookies_are_marked_secure() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--secure-cookies"]).await;
    let response = server.client().sign_in_with("bob", BOB_PASSWORD).await;
    assert!(response.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
}

#[tokio::test]
async fn a_user_without_a_second_factor_signs_in_with_the_password_alone() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let bob = server.bob().await;
    assert_eq!(bob.get("/session").await.body["user"]["login"], "bob");
}

#[tokio::test]
async fn sessions_and_users_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let first = Server::start(data.path()).await;
    let mut ada = first.ada().await;
    let created = ada.create("Survives", "key-1").await;
    assert_eq!(created.status, StatusCode::CREATED);
    let password = created.body["password"].as_str().unwrap().to_owned();
    drop(first);

    // Same database, new server: the cookie jar still holds the session.
    let second = Server::start(data.path()).await;
    ada.point_to(&second);
    let session = ada.get("/session").await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body["user"]["login"], "ada");
    let list = ada.get("/app-passwords").await;
    assert_eq!(list.body["items"][0]["name"], "Survives");
    assert_eq!(ada.verify("ada", &password).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bearer_tokens_sign_in_without_cookies_or_csrf() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let token = server
        .admin_db()
        .await
        .call(|conn| app_passwords_server::auth::issue_token(conn, "bob", 1))
        .await
        .unwrap();
    let mut portal = server.client();
    portal.bearer = Some(token);
    let session = portal.get("/session").await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body["user"]["login"], "bob");
    assert!(session.body.get("csrf_token").is_none());
    // No CSRF header needed with a bearer token.
    assert_eq!(
        portal.create("Printer", "k").await.status,
        StatusCode::CREATED
    );

    // Revoked by an administrator (`revoke-tokens`), it stops working at once.
    let revoked = server
        .admin_db()
        .await
        .call(|conn| app_passwords_server::auth::revoke_tokens(conn, "bob"))
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    assert_eq!(
        portal.get("/session").await.status,
        StatusCode::UNAUTHORIZED
    );

    portal.bearer = Some("not-a-real-token".into());
    assert_eq!(
        portal.get("/session").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_login_and_per_address() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_limits(data.path(), "3", "5", &[]).await;
    let api = server.client();
    for _ in 0..3 {
        let response = api.sign_in_with("bob", "guess-guess").await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits, and the response says how long.
    let limited = api.sign_in_with("bob", BOB_PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.problem_kind(), "rate-limited");
    let wait: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");

    // Ada still signs in: the login budget is per login...
    let ada = server.ada().await;
    assert_eq!(ada.get("/session").await.status, StatusCode::OK);
    // ...but the address budget (5) is nearly spent: 3 failures so far.
    for _ in 0..2 {
        api.sign_in_with("carol", "guess-guess").await;
    }
    let by_address = api.sign_in_with("dave", "guess-guess").await;
    assert_eq!(by_address.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn too_many_wrong_codes_end_the_half_signed_in_session() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let api = server.client();
    api.post("/session", &ada_password()).await;
    let right = code_now();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        let response = api.post("/session/mfa", &json!({ "code": wrong })).await;
        assert_eq!(response.problem_kind(), "invalid-code");
    }
    let response = api.post("/session/mfa", &json!({ "code": right })).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_ne!(
        response.problem_kind(),
        "invalid-code",
        "sign in again, from the start"
    );
}

#[tokio::test]
async fn sessions_end_when_idle_or_too_old() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let bob = server.bob().await;
    assert_eq!(ada.get("/session").await.status, StatusCode::OK);

    // 31 minutes without a request (the default idle limit is 30).
    age(&server, "UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60 WHERE user_id = (SELECT id FROM users WHERE login = 'ada')").await;
    assert_eq!(ada.get("/session").await.status, StatusCode::UNAUTHORIZED);

    // Active, but signed in 13 hours ago (the default lifetime is 12).
    age(&server, "UPDATE sessions SET created_at = created_at - 13 * 3600 WHERE user_id = (SELECT id FROM users WHERE login = 'bob')").await;
    assert_eq!(bob.get("/session").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn no_secret_is_stored_in_the_clear() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let response = server.client().sign_in_with("bob", BOB_PASSWORD).await;
    let cookie = response.headers["set-cookie"].to_str().unwrap().to_owned();
    let session_id = cookie
        .trim_start_matches("ap_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    server.ada().await;
    drop(server);
    let totp_secret = app_passwords_server::totp::decode_secret(SECRET).unwrap();
    assert_nowhere_on_disk(
        data.path(),
        &[
            session_id.as_bytes(),
            ADA_PASSWORD.as_bytes(),
            BOB_PASSWORD.as_bytes(),
            SECRET.as_bytes(),
            &totp_secret,
        ],
    );
}
