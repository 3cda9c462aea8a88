//! Sign-in as a demanding user meets it: where the focus goes after each
//! mistake, each message said once, another account from the code step,
//! the languages before signing in, and the notice that signing out leaves.
//! Needs `scripts/test.sh` to have built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use axum::http::Method;
use fantoccini::key::Key;
use support::faults::{Fault, FaultyFront};
use support::{Browser, TestServer, ADA, GRACE};

const SUBMIT: &str = ".sign-in button[type=submit]";
/// The code step's hint, which nothing else on the screen may repeat.
const CODE_HINT: &str = "Enter the 6-digit code from your authenticator app.";

/// Whether the focused field's whole text is selected, so that typing
/// replaces it.
const FOCUSED_TEXT_SELECTED: &str = "const e = document.activeElement;
     return e.value.length > 0 && e.selectionStart === 0 && e.selectionEnd === e.value.length;";

#[tokio::test(flavor = "multi_thread")]
async fn each_mistake_puts_the_focus_where_the_fix_is_and_is_said_once() {
    let server = TestServer::start(&[&ADA, &GRACE]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/app-passwords")).await;
    browser.find("#login").await;

    // Nothing typed: the first empty field.
    browser.click(SUBMIT).await;
    browser
        .wait_for_text(
            "#sign-in-notice[role=alert]",
            "Enter your login and password.",
        )
        .await;
    browser.wait_for_focus("login").await;
    // A login alone: the password.
    browser.type_here(ADA.login).await;
    browser.click(SUBMIT).await;
    browser.wait_for_focus("password").await;

    // A wrong password, sent with Enter: the error is read out, the
    // password keeps the (visible) focus with its text selected, and the
    // login stays as typed.
    browser.type_here("not-the-password").await;
    browser.press(Key::Enter.into()).await;
    browser
        .wait_for_text("#sign-in-notice[role=alert]", "incorrect")
        .await;
    browser.expect_focus("password").await;
    assert_eq!(browser.script(FOCUSED_TEXT_SELECTED).await, true);
    assert_eq!(browser.value_of("#login").await, ADA.login);
    browser.type_here(ADA.password).await;
    browser.press(Key::Enter.into()).await;

    // The code step names the account; its hint is said once, as the
    // field's description, and no error repeats it.
    browser.find("#code").await;
    browser.expect_focus("code").await;
    browser
        .wait_for_text(".signing-in-as", "Signing in as ada")
        .await;
    assert_eq!(
        browser
            .script("return document.getElementById('code').getAttribute('aria-describedby')")
            .await,
        "code-hint"
    );
    expect_said_once(&browser, CODE_HINT).await;
    browser.type_here("12").await;
    browser.press(Key::Enter.into()).await;
    let format = browser
        .wait_for_text("#sign-in-notice[role=alert]", "must be 6 digits")
        .await;
    browser.expect_focus("code").await;
    assert_eq!(browser.script(FOCUSED_TEXT_SELECTED).await, true);
    expect_said_once(&browser, CODE_HINT).await;
    expect_said_once(&browser, &format).await;
    browser.type_here(ADA.wrong_code()).await;
    browser.press(Key::Enter.into()).await;
    let wrong = browser
        .wait_for_text("#sign-in-notice[role=alert]", "not valid")
        .await;
    browser.expect_focus("code").await;
    assert_eq!(browser.script(FOCUSED_TEXT_SELECTED).await, true);
    expect_said_once(&browser, CODE_HINT).await;
    expect_said_once(&browser, &wrong).await;
    browser.screenshot("second-factor-wrong").await;

    // Another account: back to the password step, the login cleared and
    // focused, nothing said; then that account signs in.
    browser.press(Key::Tab.into()).await;
    browser.expect_focus("Verify").await;
    browser.press(Key::Tab.into()).await;
    browser.expect_focus("other-account").await;
    browser.press(Key::Enter.into()).await;
    browser.expect_focus("login").await;
    assert_eq!(browser.value_of("#login").await, "");
    assert_eq!(browser.value_of("#password").await, "");
    assert_eq!(
        browser
            .script("return document.getElementById('sign-in-notice') === null")
            .await,
        true,
        "no notice is left over"
    );
    browser.sign_in(&GRACE).await;
    browser.wait_for_path("/app-passwords").await;
    browser.wait_for_text(".user-name", GRACE.login).await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn waits_are_said_plainly_and_sign_in_ends_on_the_page_heading() {
    let server = TestServer::start(&[&ADA]);
    let front = FaultyFront::start(
        &server,
        Some(r#"{ "help_url": "https://help.example.test/" }"#),
    )
    .await;
    let browser = Browser::start().await;
    browser.goto(&front.url("/app-passwords")).await;
    browser.type_into("#login", ADA.login).await;
    browser.type_into("#password", ADA.password).await;

    // A long wait in minutes, with the operator's help beside it.
    front.fail_next(Method::POST, "/session", Fault::rate_limited("888"));
    browser.click(SUBMIT).await;
    browser
        .wait_for_text(
            "#sign-in-notice[role=alert]",
            "Too many attempts. Wait 15 minutes and try again.",
        )
        .await;
    assert_eq!(
        browser
            .script("return document.getElementById('sign-in-help').href")
            .await,
        "https://help.example.test/"
    );
    browser
        .expect_accessible("a wait of minutes, with help")
        .await;

    // Signed in, the focus is on the page's heading, not the body.
    browser.click(SUBMIT).await;
    browser.find("#code").await;
    let code = ADA.current_code();
    browser.type_into("#code", &code).await;
    browser.click(SUBMIT).await;
    browser.wait_for_path("/app-passwords").await;
    browser
        .wait_for_script("return document.activeElement.id", "page-title")
        .await;

    // The same code again within its 30 s: wait for the next one.
    browser.sign_out().await;
    browser.find("#login").await;
    browser.type_into("#login", ADA.login).await;
    browser.type_into("#password", ADA.password).await;
    browser.click(SUBMIT).await;
    browser.find("#code").await;
    browser.type_into("#code", &code).await;
    browser.click(SUBMIT).await;
    browser
        .wait_for_text("#sign-in-notice[role=alert]", "Wait for the next code")
        .await;
    browser.expect_focus("code").await;
    browser.expect_accessible("a code used twice").await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_is_typed_before_the_server_answers_is_kept() {
    let server = TestServer::start(&[&GRACE]);
    let front = FaultyFront::start(&server, None).await;
    // The signed-out answer, which says how to sign in here, is slow: the
    // form is there before it, and a quick user types into it.
    front.fail_next(Method::GET, "/session", Fault::Hang(Duration::from_secs(2)));
    let browser = Browser::start().await;
    // Straight to sign-in: its own request is the only `GET /session`.
    browser
        .goto(&front.url("/sign-in?return=/app-passwords"))
        .await;
    browser.type_into("#login", GRACE.login).await;
    browser.type_into("#password", GRACE.password).await;
    assert!(
        front.seen_at(Method::GET, "/session").is_empty(),
        "typed before the answer came"
    );
    while front.seen_at(Method::GET, "/session").is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Time for the browser to take the answer in and draw what it says.
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(browser.value_of("#login").await, GRACE.login);
    assert_eq!(browser.value_of("#password").await, GRACE.password);
    browser.click(SUBMIT).await;
    browser.wait_for_path("/app-passwords").await;
    browser.finish().await;
}

/// Asserts that `sentence` shows on the page exactly once.
async fn expect_said_once(browser: &Browser, sentence: &str) {
    let times = browser
        .client
        .execute(
            "return document.body.innerText.split(arguments[0]).length - 1",
            vec![sentence.into()],
        )
        .await
        .expect("count a sentence");
    assert_eq!(times, 1, "{sentence:?} shows {times} times");
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_ends_on_sign_in_saying_so_until_the_next_sign_in() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;

    // Sign out with the keyboard: the gear, End (the last item), Enter.
    browser.focus_first("button[aria-haspopup=menu]").await;
    browser.press(Key::Enter.into()).await;
    browser.press(Key::End.into()).await;
    browser.expect_focus("Sign out").await;
    browser.press(Key::Enter.into()).await;

    // One line says so; it has the focus, so a screen reader reads it, and
    // Tab goes on to the login.
    browser.wait_for_path("/sign-in").await;
    browser
        .wait_for_text("#sign-in-notice[role=status]", "You're signed out.")
        .await;
    browser.expect_focus("sign-in-notice").await;
    browser.screenshot("signed-out").await;
    browser.press(Key::Tab.into()).await;
    browser.expect_focus("login").await;

    // Still so after a reload, and in another language.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("#sign-in-notice", "You're signed out.")
        .await;
    browser.click("#language-de").await;
    browser
        .wait_for_text("#sign-in-notice", "Sie sind abgemeldet.")
        .await;
    browser.click("#language-en").await;
    browser.find("#sign-in-notice").await;

    // The next sign-in clears it: when that session ends, sign-in says
    // so, not that the user signed out.
    browser.sign_in(&GRACE).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    browser
        .click_after_the_session_ends("#tab-verification", "/security-info")
        .await;
    let said = browser
        .wait_for_text("#sign-in-notice", "Your session ended.")
        .await;
    assert!(
        !said.contains("signed out"),
        "the sign-out notice outlived the next sign-in: {said}"
    );

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_languages_are_offered_before_sign_in_and_remembered() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/app-passwords")).await;

    // Each language named in itself, the one spoken marked, after the form
    // (Tab reaches them after Sign in).
    browser
        .wait_for_text("#language-en[aria-pressed=true]", "English")
        .await;
    browser
        .wait_for_text("#language-de[aria-pressed=false]", "Deutsch")
        .await;
    assert_eq!(
        browser
            .script("return document.getElementById('language-ar').lang")
            .await,
        "ar"
    );
    browser.screenshot("sign-in-languages").await;

    // German, by keyboard: the page speaks it at once, and the focus stays
    // on the choice.
    browser.focus_first("#language-en").await;
    browser.press(Key::Tab.into()).await;
    browser.expect_focus("language-de").await;
    browser.press(Key::Enter.into()).await;
    browser.wait_for_text("h1", "Anmelden").await;
    browser.expect_focus("language-de").await;
    assert_eq!(
        browser.script("return document.documentElement.lang").await,
        "de"
    );
    browser
        .wait_for_text("#language-de[aria-pressed=true]", "Deutsch")
        .await;

    // Arabic turns the page right to left.
    browser.click("#language-ar").await;
    browser.wait_for_text("h1", "تسجيل الدخول").await;
    assert_eq!(
        browser.script("return document.documentElement.dir").await,
        "rtl"
    );

    // Remembered: over a reload, and after signing in, where the settings
    // menu marks the same language.
    browser.click("#language-de").await;
    browser.wait_for_text("h1", "Anmelden").await;
    browser.client.refresh().await.expect("reload");
    browser.wait_for_text("h1", "Anmelden").await;
    browser.sign_in(&GRACE).await;
    browser
        .wait_for_text("#app-password-count", "0 von 40")
        .await;
    browser.click("button[aria-haspopup=menu]").await;
    browser
        .wait_for_text("[role=menuitemradio][aria-checked=true]", "Deutsch")
        .await;

    browser.finish().await;
}
