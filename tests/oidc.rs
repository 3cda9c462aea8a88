//! Sign-in through the organization's OpenID provider, in headless
//! Chromium: the real reference server, and panva's `oidc-provider` (OpenID
//! Certified) as a child process with its own login and consent pages. A
//! deep link survives the round trip; the password made afterwards
//! verifies; a create long after sign-in asks to confirm through the
//! provider and goes on with the name kept.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, TestServer};
use testkit::oidc::{email_of, OidcProvider};

const BUTTON: &str = "a.provider-sign-in";

/// The server on a port chosen first, so that the provider knows its
/// callback, and the provider; with `flags` too.
fn server_and_provider(flags: &[&str]) -> (TestServer, OidcProvider) {
    let port = testkit::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let provider = OidcProvider::start(
        &format!("{base}/api/v1/session/oidc/callback"),
        &format!("{base}/portal"),
    );
    let (listen, provider_flags) = (format!("127.0.0.1:{port}"), provider.server_flags(&base));
    let mut all = vec!["--listen", &listen];
    all.extend(provider_flags.iter().map(String::as_str));
    all.extend_from_slice(flags);
    (TestServer::start_with(&[], &all), provider)
}

impl Browser {
    /// Signs in as `login` on the provider's own pages: its login form,
    /// and its consent page the first time.
    async fn sign_in_at_provider(&self, login: &str, consent: bool) {
        self.type_into("input[name=login]", login).await;
        self.type_into("input[name=password]", "any password").await;
        self.click("button[type=submit]").await;
        if consent {
            self.wait_for_text("button[type=submit]", "Continue").await;
            self.click("button[type=submit]").await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deep_link_signs_in_through_the_provider_and_the_password_made_verifies() {
    let (server, _provider) = server_and_provider(&[]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/security-info")).await;
    browser
        .wait_for_text(BUTTON, "Sign in with Example SSO")
        .await;
    browser
        .wait_for_text(".sign-in-or", "or with your login and password")
        .await;
    browser.expect_accessible("sign-in with a provider").await;
    browser.screenshot("sign-in-with-provider").await;

    browser.click(BUTTON).await;
    browser.find("input[name=login]").await;
    browser.screenshot("provider-sign-in").await;
    browser.sign_in_at_provider("grace", true).await;

    // Back on the tab the link asked for, signed in as the provider's user.
    browser.wait_for_path("/security-info").await;
    browser.wait_for_text(".user-name", "grace").await;
    browser.click("#tab-app-passwords").await;
    browser.find("#create").await;
    browser.grant_clipboard().await;
    let password = browser.create_app_password_and_stay("Phone").await;
    assert_eq!(browser.copy_password().await, password);
    browser.close_created().await;
    let (status, _) = server.verify(&email_of("grace"), &password).await;
    assert_eq!(
        status, 200,
        "the password made after the provider's sign-in"
    );
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_long_after_sign_in_confirms_through_the_provider_and_keeps_the_name() {
    let (server, _provider) = server_and_provider(&["--reauth-minutes", "5"]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/app-passwords")).await;
    browser.click(BUTTON).await;
    browser.sign_in_at_provider("hopper", true).await;
    browser.find("#create").await;

    // The sign-in is ten minutes old when Create is sent.
    let database = rusqlite::Connection::open(&server.database).unwrap();
    database
        .execute("UPDATE sessions SET created_at = created_at - 600", [])
        .unwrap();
    browser.start_create("Work laptop").await;
    browser.click(".ap-root dialog button[type=submit]").await;

    browser
        .wait_for_text(
            "#sign-in-notice",
            "To create an app password, confirm it's you: sign in again. What you typed is kept.",
        )
        .await;
    // A provider's user has no password here: only the provider's button,
    // with the focus.
    let password_field = browser
        .script("return String(!!document.getElementById('password'))")
        .await;
    assert_eq!(password_field, "false");
    let focused = browser
        .script("return document.activeElement.textContent")
        .await;
    assert_eq!(focused, "Sign in with Example SSO");
    browser
        .expect_accessible("confirming before a create")
        .await;
    browser.screenshot("confirm-before-create").await;
    // The provider asks for the password again (prompt=login), though its
    // own session is live; no consent the second time.
    browser.click(BUTTON).await;
    browser.sign_in_at_provider("hopper", false).await;

    browser.wait_for_path("/app-passwords").await;
    browser.find("#app-password-name").await;
    assert_eq!(browser.value_of("#app-password-name").await, "Work laptop");
    browser.click(".ap-root dialog button[type=submit]").await;
    let password = browser.shown_password().await;
    let (status, _) = server.verify(&email_of("hopper"), &password).await;
    assert_eq!(status, 200);
    browser.finish().await;
}
