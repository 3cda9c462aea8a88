//! End to end: the built app, served by the reference server, used through
//! headless Chromium as a person would. Needs `scripts/test.sh` to have built
//! the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, TestServer, ADA};

#[tokio::test(flavor = "multi_thread")]
async fn signs_in_through_the_second_factor_and_sees_the_app_passwords_list() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::start().await;

    // A deep link while signed out leads to sign-in, remembering where to return.
    browser.goto(&server.url("/app-passwords")).await;
    browser
        .wait_for_path("/sign-in?return=/app-passwords")
        .await;
    assert_eq!(
        browser.script("return document.title").await,
        "App passwords"
    );

    // A wrong password is refused without saying which part was wrong, and
    // what was typed stays.
    browser.type_into("#login", ADA.login).await;
    browser.screenshot("sign-in").await;
    browser.type_into("#password", "not-the-password").await;
    browser.click("button[type=submit]").await;
    let alert = browser.wait_for_text("[role=alert]", "incorrect").await;
    assert!(!alert.to_lowercase().contains("exist"), "{alert}");
    let typed = browser
        .script("return document.getElementById('login').value")
        .await;
    assert_eq!(typed, ADA.login);

    // The right password asks for the code, with the cursor already there.
    browser.type_into("#password", ADA.password).await;
    browser.click("button[type=submit]").await;
    browser.find("#code").await;
    let focused = browser
        .script("return document.activeElement && document.activeElement.id")
        .await;
    assert_eq!(focused, "code");
    browser.screenshot("second-factor").await;

    // A wrong code is refused; the right one signs in and returns to the list.
    let right = ADA.current_code();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    browser.type_into("#code", wrong).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("[role=alert]", "not valid").await;
    browser.type_into("#code", &ADA.current_code()).await;
    browser.click("button[type=submit]").await;

    browser.wait_for_path("/app-passwords").await;
    browser.wait_for_text("h2", "App passwords").await;
    browser.wait_for_text(".user-name", ADA.login).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    browser
        .wait_for_text(".empty", "no app passwords yet")
        .await;
    browser.screenshot("app-passwords").await;

    // The session survives a reload of the deep link.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    browser.wait_for_path("/app-passwords").await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_addresses_show_a_page_not_found_with_a_way_home() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::start().await;

    browser.goto(&server.url("/no/such/screen")).await;
    browser.wait_for_text("h1", "Page not found").await;
    browser.click("a[href='/app-passwords']").await;
    // Signed out, the way home passes through sign-in.
    browser
        .wait_for_path("/sign-in?return=/app-passwords")
        .await;

    browser.finish().await;
}
