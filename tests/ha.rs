//! The app in Chromium in front of two instances of the reference server on
//! one PostgreSQL, as `examples/ha/` runs them (`testkit::Pair`: nginx with
//! `examples/ha/nginx.conf`, round robin, so the app's requests alternate
//! between the instances). Signing in, creating, copying, renaming and
//! deleting work as on one server, and a password made through either
//! verifies on both. Needs `scripts/test.sh` to have built the app and the
//! server first, and PostgreSQL (`scripts/setup.sh` installs it).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::http;
use support::server::server_binary;
use support::site::dist;
use support::{Browser, ADA};
use testkit::Pair;

/// Asks each instance's verifier, bypassing nginx, about `password`: each
/// must answer `status`.
async fn expect_verified_on_both(pair: &Pair, password: &str, status: u16) {
    for index in 0..2 {
        let (answered, body) = http::verify(pair.base(index), ADA.login, password).await;
        assert_eq!(answered, status, "instance {index}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_works_while_its_requests_alternate_between_two_instances() {
    let seed = ADA.seed();
    let pair = Pair::start(&server_binary(), Some(&dist()), &["--seed-user", &seed]);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/app-passwords", pair.front)).await;
    // Granted to the page's origin: after it is open.
    browser.grant_clipboard().await;
    // The password step and the code step land on different instances.
    browser.sign_in(&ADA).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;

    let password = browser.create_app_password_and_stay("Mail").await;
    assert_eq!(browser.copy_password().await, password);
    browser.close_created().await;
    browser.wait_for_rows(&["Mail"]).await;
    expect_verified_on_both(&pair, &password, 200).await;

    // A reload checks the session again, on whichever instance: it holds.
    browser.goto(&format!("{}/app-passwords", pair.front)).await;
    browser.wait_for_rows(&["Mail"]).await;

    browser.click_in_row("Mail", "Rename").await;
    browser.find("dialog[open] #rename-name").await;
    browser
        .type_into("#rename-name", "Mail on the laptop")
        .await;
    browser.click("dialog button[type=submit]").await;
    browser.wait_for_text(".status-line", "Renamed to").await;
    browser.wait_for_rows(&["Mail on the laptop"]).await;

    browser.click_in_row("Mail on the laptop", "Delete").await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    expect_verified_on_both(&pair, &password, 401).await;
    browser.finish().await;
}
