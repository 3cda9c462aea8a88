//! End to end: the built app, served by the reference server, used through
//! headless Chromium as a person would. Needs `scripts/test.sh` to have built
//! the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, TestServer, ADA, GRACE};

#[tokio::test(flavor = "multi_thread")]
async fn signs_in_through_the_second_factor_and_sees_the_app_passwords_list() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::start().await;

    // A deep link while signed out leads to sign-in, remembering where to
    // return, and the page hears once that there is no session (the screen's
    // own requests, sent beside the session check, fail too).
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": "window.expiredEvents = 0;
                document.addEventListener('app-passwords:session-expired', () => window.expiredEvents++);" }),
        )
        .await;
    browser.goto(&server.url("/app-passwords")).await;
    browser
        .wait_for_path("/sign-in?return=/app-passwords")
        .await;
    assert_eq!(browser.script("return window.expiredEvents").await, 1);
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
    browser.type_into("#code", ADA.wrong_code()).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("[role=alert]", "not valid").await;
    browser.type_into("#code", &ADA.current_code()).await;
    browser.click("button[type=submit]").await;

    browser.wait_for_path("/app-passwords").await;
    browser
        .wait_for_text("#tab-app-passwords[aria-selected=true]", "App passwords")
        .await;
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

/// The release build stops at a panic without a word (it is built with
/// -Cpanic=immediate-abort); the browser reports a `WebAssembly.RuntimeError`,
/// raised here as the browser raises it, and the page must say so.
#[tokio::test(flavor = "multi_thread")]
async fn a_fault_in_the_app_says_so_and_offers_to_reload() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/sign-in")).await;
    browser.wait_for_text("h1", "Sign in").await;

    // Other scripts' errors are not the app's: it carries on.
    browser
        .script("window.dispatchEvent(new ErrorEvent('error', { error: new TypeError('a host page bug') }))")
        .await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.app-stopped').length")
            .await,
        0
    );
    browser
        .script(
            "window.dispatchEvent(new ErrorEvent('error', { error: new WebAssembly.RuntimeError('unreachable') }))",
        )
        .await;
    browser
        .wait_for_text(
            ".app-stopped[role=alert]",
            "Something went wrong and App passwords stopped. Reload the page to go on.",
        )
        .await;
    assert_eq!(
        browser
            .script("return document.activeElement.textContent")
            .await,
        "Reload",
        "the way out has the focus"
    );
    browser
        .expect_accessible("the app stopped at a fault")
        .await;
    // What was on screen stays under the notice (a password shown once
    // could still be copied).
    assert_eq!(
        browser
            .script("return String(!!document.querySelector('#login'))")
            .await,
        "true"
    );
    // Reload starts the app again, without the notice.
    browser.click(".app-stopped button").await;
    browser
        .wait_for_script(
            "return String(!document.querySelector('.app-stopped') && !!document.querySelector('#login'))",
            "true",
        )
        .await;
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

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_flow_from_the_settings_menu_to_a_working_password() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser
        .wait_for_path("/sign-in?return=/app-passwords")
        .await;
    browser.sign_in(&ADA).await;
    browser.wait_for_path("/app-passwords").await;

    // Settings (the gear) → Additional security verification.
    browser.click("button[aria-label=Settings]").await;
    browser.find("[role=menu]").await;
    let expanded = browser.script("return document.querySelector('button[aria-label=Settings]').getAttribute('aria-expanded')").await;
    assert_eq!(expanded, "true");
    browser
        .click("[role=menuitem][href='/security-info']")
        .await;
    browser.wait_for_path("/security-info").await;
    browser
        .wait_for_text(".security-page h1", "Additional security verification")
        .await;
    browser
        .wait_for_text("#tab-verification", "Ways to verify")
        .await;
    browser.find("#default-method").await;
    let selected = browser
        .script("return document.getElementById('tab-verification').getAttribute('aria-selected')")
        .await;
    assert_eq!(selected, "true");
    browser.screenshot("security-info").await;

    // The App passwords tab, then Create.
    browser.click("#tab-app-passwords").await;
    browser.wait_for_path("/app-passwords").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    browser.grant_clipboard().await;
    browser.click("#create").await;
    browser.find("dialog[open] #app-password-name").await;
    assert_eq!(
        browser.script("return document.activeElement.id").await,
        "app-password-name"
    );
    let next_disabled = browser
        .script("return document.querySelector('dialog button[type=submit]').disabled")
        .await;
    assert_eq!(
        next_disabled, true,
        "Next is disabled while the name is empty"
    );
    let hostile = "<img src=x onerror=window.__pwned=1>";
    browser.type_into("#app-password-name", hostile).await;
    browser.screenshot("create-name").await;
    browser.click("dialog button[type=submit]").await;

    // Step two: the password, once, big; Copy says Copied only when it is.
    let password = browser.shown_password().await;
    assert_eq!(password.split('-').count(), 5, "{password}");
    browser.wait_for_text(".created-name", hostile).await;
    browser.wait_for_text(".created-login", ADA.login).await;
    browser
        .wait_for_text(".notice-warning", "will not be shown again")
        .await;
    browser.screenshot("create-password").await;
    let clipboard = browser.copy_password().await;
    browser
        .wait_for_text(".copy-status", "Copied to the clipboard")
        .await;
    assert_eq!(
        clipboard, password,
        "the clipboard holds exactly the password shown"
    );

    // The password really works where an app would use it.
    let (status, verified) = server.verify(ADA.login, &password).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["app_password"]["name"], hostile);

    // Done: the password is gone from the page and was never stored.
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.assert_forgotten(&password).await;
    assert_eq!(
        browser
            .script("return document.querySelector('dialog[open]') === null")
            .await,
        true
    );
    // Focus is back on Create, where the user started.
    browser
        .wait_for_script(
            "return document.activeElement && document.activeElement.id",
            "create",
        )
        .await;
    // The hostile name is text, never markup.
    assert_eq!(browser.row_names().await, vec![hostile.to_owned()]);
    assert_eq!(
        browser.script("return window.__pwned === undefined").await,
        true
    );
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.app-password-row img').length")
            .await,
        0
    );
    browser.screenshot("app-passwords-list").await;

    // Rename.
    browser.click_in_row(hostile, "Rename").await;
    browser.find("dialog[open] #rename-name").await;
    browser
        .type_into("#rename-name", "Thunderbird on the laptop")
        .await;
    browser.click("dialog button[type=submit]").await;
    browser.wait_for_text(".status-line", "Renamed to").await;
    browser
        .wait_for_script(
            "return document.activeElement && document.activeElement.id",
            "rename-0",
        )
        .await;
    assert_eq!(
        browser.row_names().await,
        vec!["Thunderbird on the laptop".to_owned()]
    );

    // Delete, after a confirmation that names it; the password stops working.
    browser
        .click_in_row("Thunderbird on the laptop", "Delete")
        .await;
    browser
        .wait_for_text("dialog[open] h2", "Delete “Thunderbird on the laptop”?")
        .await;
    browser.screenshot("delete-confirm").await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    assert!(browser.row_names().await.is_empty());
    assert_eq!(server.verify(ADA.login, &password).await.0, 401);

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_limit_is_explained_and_delete_all_says_how_many() {
    let server = TestServer::start_with(&[&GRACE], &["--max-app-passwords", "2"]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser.wait_for_text("#app-password-count", "0 of 2").await;

    for name in ["Printer", "Calendar"] {
        browser.create_app_password(name).await;
    }
    browser.wait_for_text("#app-password-count", "2 of 2").await;
    browser.expect_at_the_limit().await;
    assert_eq!(
        browser.row_names().await,
        vec!["Calendar".to_owned(), "Printer".to_owned()],
        "newest first"
    );

    // On a 360 px phone nothing scrolls sideways.
    browser
        .client
        .set_window_size(360, 760)
        .await
        .expect("resize");
    browser
        .wait_for_script(
            "return String(document.documentElement.scrollWidth <= window.innerWidth)",
            "true",
        )
        .await;
    browser.screenshot("narrow").await;
    browser
        .client
        .set_window_size(1100, 800)
        .await
        .expect("resize");

    browser.click("#delete-all").await;
    browser
        .wait_for_text("dialog[open] h2", "Delete all 2 app passwords?")
        .await;
    // Escape cancels and changes nothing.
    browser
        .script("document.querySelector('dialog[open]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        .await;
    browser.wait_for_text("#app-password-count", "2 of 2").await;
    assert_eq!(
        browser
            .script("return document.querySelector('dialog[open]') === null")
            .await,
        true
    );
    browser.click("#delete-all").await;
    browser.click("dialog[open] .button-danger").await;
    browser.wait_for_text("#app-password-count", "0 of 2").await;
    browser
        .wait_for_text(".status-line", "Deleted all 2 app passwords")
        .await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_ended_on_the_server_leads_to_sign_in_and_back() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;

    // The server forgets the session (as when it expires or is revoked);
    // the next screen that calls the server finds out, and sign-in
    // returns there.
    browser
        .click_after_the_session_ends("#tab-verification", "/security-info")
        .await;
    browser.sign_in(&GRACE).await;
    browser.wait_for_path("/security-info").await;
    browser.find("#default-method").await;

    browser.finish().await;
}
