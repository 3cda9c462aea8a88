//! Sign-in through a real OpenID provider (panva's `oidc-provider`, OpenID
//! Certified, as a child process), over real HTTP: the browser's redirects
//! followed by hand, the provider's own development login and consent
//! pages filled in as a person would. Also its access tokens as bearer
//! tokens, and the fresh sign-in a create may need.

mod common;

use common::Server;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{redirect, StatusCode};
use serde_json::{json, Value};
use sha2::Digest;
use testkit::oidc::{email_of, OidcProvider, Signer};

/// A server on a port chosen first, so that the provider knows its
/// callback, and the provider; `flags` added to the server's.
async fn server_and_provider(flags: &[&str]) -> (Server, OidcProvider, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let port = testkit::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let provider = OidcProvider::start(
        &format!("{base}/api/v1/session/oidc/callback"),
        &format!("{base}/portal-callback"),
    );
    let provider_flags = provider.server_flags(&base);
    let mut all: Vec<&str> = provider_flags.iter().map(String::as_str).collect();
    all.extend_from_slice(&["--oidc-audience", OidcProvider::AUDIENCE]);
    all.extend_from_slice(flags);
    let server = Server::start_on(&format!("127.0.0.1:{port}"), data.path(), &all).await;
    (server, provider, data)
}

/// A browser's cookie jar that follows no redirect by itself.
fn new_browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows redirects from `url` through the provider's login (as `login`)
/// and consent pages until the answer leaves the provider; returns that
/// answer's `Location` and the response itself.
async fn through_provider(
    browser: &reqwest::Client,
    issuer: &str,
    url: &str,
    login: &str,
) -> (String, reqwest::Response) {
    let mut response = browser.get(url).send().await.unwrap();
    for _ in 0..12 {
        let Some(next) = location(&response) else {
            return (String::new(), response);
        };
        let next = if next.starts_with('/') {
            format!("{issuer}{next}")
        } else {
            next
        };
        if !next.starts_with(issuer) {
            return (next, response);
        }
        response = if next.contains("/interaction/") {
            let page = browser
                .get(&next)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
                vec![("prompt", "login"), ("login", login), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            browser.post(&next).form(&form).send().await.unwrap()
        } else {
            browser.get(&next).send().await.unwrap()
        };
    }
    panic!("the provider's redirects never ended");
}

/// What `browser` gets for the API's `path`.
async fn get(browser: &reqwest::Client, server: &Server, path: &str) -> reqwest::Response {
    let url = server.url(&format!("/api/v1{path}"));
    browser.get(url).send().await.unwrap()
}

fn location(response: &reqwest::Response) -> Option<String> {
    Some(response.headers().get(LOCATION)?.to_str().ok()?.to_owned())
}

/// Signs `login` in through the provider from the server's start URL with
/// `query`; returns the callback's answer.
async fn sign_in(
    server: &Server,
    provider: &OidcProvider,
    browser: &reqwest::Client,
    query: &str,
    login: &str,
) -> reqwest::Response {
    let start = server.url(&format!("/api/v1/session/oidc/start?{query}"));
    let (callback, _) = through_provider(browser, &provider.issuer(), &start, login).await;
    assert!(
        callback.starts_with(&server.url("/api/v1/session/oidc/callback?")),
        "{callback}"
    );
    browser.get(&callback).send().await.unwrap()
}

#[tokio::test]
async fn signs_in_through_the_provider_and_lands_where_asked() {
    let (server, provider, _data) = server_and_provider(&[]).await;
    let browser = new_browser();

    // Signed out, the session says how to sign in.
    let signed_out = get(&browser, &server, "/session").await;
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = signed_out.json().await.unwrap();
    assert_eq!(
        problem["sign_in"],
        json!({"password": true, "providers": [{
            "name": "Example SSO",
            "start_url": server.url("/api/v1/session/oidc/start"),
        }]})
    );

    let landed = sign_in(
        &server,
        &provider,
        &browser,
        "return_to=%2Fsecurity-info%3Ftab%3D2",
        "grace",
    )
    .await;
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&landed).as_deref(), Some("/security-info?tab=2"));
    let cookies: Vec<_> = landed
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("ap_session=") && c.contains("SameSite=Strict")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("ap_oidc=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );

    // Created just in time, with the provider's email as login, and able
    // to create an app password that then verifies.
    let session: Value = get(&browser, &server, "/session")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(session["user"]["login"], email_of("grace"));
    let created = browser
        .post(server.url("/api/v1/app-passwords"))
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
        .header("idempotency-key", "oidc-1")
        .json(&json!({"name": "Phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let password = created.json::<Value>().await.unwrap()["password"]
        .as_str()
        .unwrap()
        .to_owned();
    let verified = reqwest::Client::new()
        .get(server.url("/api/v1/verify"))
        .basic_auth(email_of("grace"), Some(&password))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);

    // A provider's user has no password here.
    let by_password = reqwest::Client::new()
        .post(server.url("/api/v1/session"))
        .json(&json!({"login": email_of("grace"), "password": "!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_password.status(), StatusCode::UNAUTHORIZED);

    // Away from the site, it lands on the site's root instead.
    let elsewhere = sign_in(
        &server,
        &provider,
        &new_browser(),
        "return_to=%2F%2Fevil.example%2F",
        "grace",
    )
    .await;
    assert_eq!(location(&elsewhere).as_deref(), Some("/"));
}

#[tokio::test]
async fn a_callback_that_is_not_this_sign_ins_own_is_refused_and_makes_nothing() {
    let (server, provider, _data) = server_and_provider(&[]).await;
    let start = server.url("/api/v1/session/oidc/start?return_to=/app-passwords");
    let (callback, _) =
        through_provider(&new_browser(), &provider.issuer(), &start, "mallory").await;

    // Another browser, without the sign-in's sealed cookie: a login CSRF.
    let stranger = new_browser();
    let refused = stranger.get(&callback).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.unwrap();
    assert!(page.contains("started in another tab or browser"), "{page}");
    assert!(page.contains("nothing was changed"), "{page}");
    let session = get(&stranger, &server, "/session").await;
    assert_eq!(session.status(), StatusCode::UNAUTHORIZED);
    let users = server.admin(&["app-passwords", "--login", &email_of("mallory"), "on"]);
    assert!(!users.status.success(), "no user was made");
}

#[tokio::test]
async fn the_provider_stopping_mid_flow_gives_a_clear_page_and_makes_nothing() {
    let (server, mut provider, _data) = server_and_provider(&[]).await;
    let browser = new_browser();
    provider.stop_on_next_token_request();
    let landed = sign_in(
        &server,
        &provider,
        &browser,
        "return_to=/app-passwords",
        "linus",
    )
    .await;
    assert_eq!(landed.status(), StatusCode::BAD_GATEWAY);
    let page = landed.text().await.unwrap();
    assert!(page.contains("Example SSO did not answer"), "{page}");
    assert!(
        page.contains("href=\"/sign-in?return=%2Fapp%2Dpasswords\""),
        "{page}"
    );
    assert!(provider
        .wait_for_exit(std::time::Duration::from_secs(5))
        .is_some());
    let session = get(&browser, &server, "/session").await;
    assert_eq!(session.status(), StatusCode::UNAUTHORIZED);
    let users = server.admin(&["app-passwords", "--login", &email_of("linus"), "on"]);
    assert!(!users.status.success(), "no user was made");

    // Stopped before the start, it says so too.
    provider.stop();
    let start = get(&browser, &server, "/session/oidc/start").await;
    // The discovery document is cached; the provider is gone at the token
    // endpoint or before, and the page says it did not answer either way.
    assert!(matches!(
        start.status(),
        StatusCode::SEE_OTHER | StatusCode::BAD_GATEWAY
    ));
}

/// An access token the provider issues to the portal client for `login`
/// and `resource`, through the same pages a person's browser would show.
async fn portal_token(
    server: &Server,
    provider: &OidcProvider,
    login: &str,
    resource: &str,
) -> String {
    let browser = new_browser();
    let verifier = "a-portal-verifier-of-enough-length-0123456789-abcdefghijkl";
    let challenge =
        data_encoding::BASE64URL_NOPAD.encode(&sha2::Sha256::digest(verifier.as_bytes()));
    let portal = server.url("/portal-callback");
    let mut auth = reqwest::Url::parse(&format!("{}/auth", provider.issuer())).unwrap();
    auth.query_pairs_mut()
        .append_pair("client_id", OidcProvider::PORTAL_CLIENT_ID)
        .append_pair("redirect_uri", &portal)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email")
        .append_pair("resource", resource)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "portal");
    let (back, _) = through_provider(&browser, &provider.issuer(), auth.as_str(), login).await;
    let back = reqwest::Url::parse(&back).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens: Value = browser
        .post(format!("{}/token", provider.issuer()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", OidcProvider::PORTAL_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", &portal),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

async fn list_with(server: &Server, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(server.url("/api/v1/app-passwords"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_providers_access_tokens_are_bearer_tokens_and_no_other_token_is() {
    let (server, mut provider, _data) = server_and_provider(&[]).await;
    let token = portal_token(&server, &provider, "ada.portal", OidcProvider::AUDIENCE).await;
    assert_eq!(list_with(&server, &token).await, StatusCode::OK);
    let session: Value = reqwest::Client::new()
        .get(server.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["user"]["login"], email_of("ada.portal"));

    let other = portal_token(
        &server,
        &provider,
        "ada.portal",
        OidcProvider::OTHER_AUDIENCE,
    )
    .await;
    assert_eq!(
        list_with(&server, &other).await,
        StatusCode::UNAUTHORIZED,
        "another audience"
    );

    let claims = provider.access_claims("ada.portal");
    let mut expired = claims.clone();
    expired["exp"] = json!(claims["iat"].as_u64().unwrap() - 3600);
    let mut foreign_issuer = claims.clone();
    foreign_issuer["iss"] = json!("http://127.0.0.1:1");
    for (what, token) in [
        ("expired", provider.mint(&expired, Signer::Published)),
        (
            "another issuer",
            provider.mint(&foreign_issuer, Signer::Published),
        ),
        (
            "a foreign key under the real kid",
            provider.mint(&claims, Signer::Foreign { kid: None }),
        ),
        (
            "a foreign key",
            provider.mint(
                &claims,
                Signer::Foreign {
                    kid: Some("nobody".into()),
                },
            ),
        ),
    ] {
        assert_eq!(
            list_with(&server, &token).await,
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    assert_eq!(
        list_with(&server, &provider.mint(&claims, Signer::Published)).await,
        StatusCode::OK
    );

    // The provider rotates its key: a token under the new key id makes the
    // server fetch the JWKS again (at most every few seconds).
    provider.rotate_key();
    let rotated = provider.mint(&provider.access_claims("ada.portal"), Signer::Published);
    let mut status = StatusCode::UNAUTHORIZED;
    for _ in 0..40 {
        status = list_with(&server, &rotated).await;
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(status, StatusCode::OK, "a token under the rotated key");
}

#[tokio::test]
async fn a_create_long_after_sign_in_asks_to_confirm_and_goes_on_after() {
    let (server, provider, _data) = server_and_provider(&["--reauth-minutes", "5"]).await;
    let browser = new_browser();
    sign_in(
        &server,
        &provider,
        &browser,
        "return_to=/app-passwords",
        "hopper",
    )
    .await;
    let csrf = |session: &Value| session["csrf_token"].as_str().unwrap().to_owned();
    let session: Value = get(&browser, &server, "/session")
        .await
        .json()
        .await
        .unwrap();
    common::age(&server, "UPDATE sessions SET created_at = created_at - 600").await;
    let create = |csrf: String| {
        browser
            .post(server.url("/api/v1/app-passwords"))
            .header("x-csrf-token", csrf)
            .header("idempotency-key", "reauth-1")
            .json(&json!({"name": "Laptop"}))
            .send()
    };
    let refused = create(csrf(&session)).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("/reauthentication-required"),
        "{problem}"
    );
    let list = get(&browser, &server, "/app-passwords").await;
    assert_eq!(list.status(), StatusCode::UNAUTHORIZED, "the session ended");

    // Confirming asks the provider for a sign-in now (prompt=login).
    let start = get(
        &browser,
        &server,
        "/session/oidc/start?return_to=/app-passwords&reauth=1",
    )
    .await;
    let to_provider = location(&start).unwrap();
    assert!(
        to_provider.contains("prompt=login") && to_provider.contains("max_age=0"),
        "{to_provider}"
    );
    let landed = sign_in(
        &server,
        &provider,
        &browser,
        "return_to=/app-passwords&reauth=1",
        "hopper",
    )
    .await;
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    let session: Value = get(&browser, &server, "/session")
        .await
        .json()
        .await
        .unwrap();
    let made = create(csrf(&session)).await.unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);

    // A local user confirms by signing in again (bob has no second factor;
    // ada's code of this half-minute would already be used).
    let bob = server.bob().await;
    common::age(&server, "UPDATE sessions SET created_at = created_at - 600").await;
    let refused = bob.create("Tablet", "bob-1").await;
    assert_eq!(refused.problem_kind(), "reauthentication-required");
    let bob = server.bob().await;
    let made = bob.create("Tablet", "bob-1").await;
    assert_eq!(made.status, StatusCode::CREATED);
}

#[tokio::test]
async fn password_sign_in_can_be_turned_off() {
    let (server, _provider, _data) = server_and_provider(&["--no-password-sign-in"]).await;
    let signed_out: Value = reqwest::Client::new()
        .get(server.url("/api/v1/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(signed_out["sign_in"]["password"], false);
    let api = server.client();
    let refused = api.sign_in_with("bob", common::BOB_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_provider_login_that_is_a_local_users_does_not_take_the_account_over() {
    let seed = format!("{}:a-local-password-1", email_of("taken"));
    let (server, provider, _data) = server_and_provider(&["--seed-user", &seed]).await;
    let browser = new_browser();
    let refused = sign_in(&server, &provider, &browser, "return_to=/", "taken").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("signs in here with its own password"),
        "{page}"
    );
    let session = get(&browser, &server, "/session").await;
    assert_eq!(session.status(), StatusCode::UNAUTHORIZED);
    let token = provider.mint(&provider.access_claims("taken"), Signer::Published);
    assert_eq!(list_with(&server, &token).await, StatusCode::UNAUTHORIZED);
}
