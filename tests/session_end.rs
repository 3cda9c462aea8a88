//! A session that ends while the user works on the App passwords tab, in
//! headless Chromium against the real reference server: sign-in says why
//! and has the login filled in; the Create dialog comes back a true modal
//! with the name and the expiry as they were; a password that left the
//! page before any of it was copied is owned up to after sign-in, with a
//! way to replace it.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::json;
use support::faults::FaultyFront;
use support::{Browser, TestServer, GRACE};

const NEXT: &str = ".ap-root dialog button[type=submit]";

/// Whether the app's open dialog is modal (the page behind inert).
const DIALOG_IS_MODAL: &str =
    "const d = document.querySelector('.ap-root dialog'); return String(!!d && d.matches(':modal'))";

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_says_why_and_create_comes_back_modal_with_its_name_and_expiry() {
    let server = TestServer::start_with(&[&GRACE], &["--max-expiry-days", "365"]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser.start_create("Laptop mail").await;
    browser.set_value("#expiry", "30").await;
    browser
        .click_after_the_session_ends(NEXT, "/app-passwords")
        .await;

    // Why, with the login filled in and the cursor in the password.
    browser
        .wait_for_text(
            "#sign-in-notice",
            "Your session ended. Sign in to continue; what you typed is kept.",
        )
        .await;
    assert_eq!(browser.focused().await, "password");
    browser
        .expect_accessible("sign-in after the session ended")
        .await;
    browser.screenshot("sign-in-session-ended").await;
    browser.sign_in_again(&GRACE).await;

    // The dialog again, on top of the page, as it was left.
    browser.find("#create-restored").await;
    browser.wait_for_script(DIALOG_IS_MODAL, "true").await;
    assert_eq!(browser.value_of("#app-password-name").await, "Laptop mail");
    assert_eq!(browser.value_of("#expiry").await, "30", "the expiry shown");
    browser
        .expect_accessible("create restored, with its expiry")
        .await;
    browser.click(NEXT).await;
    browser.shown_password().await;
    browser.wait_for_script(DIALOG_IS_MODAL, "true").await;
    let items = server.other_client(GRACE.login).app_passwords().await;
    assert_eq!(items.len(), 1);
    let expires = items[0]["expires_at"].as_str().expect("an expiry");
    let days = browser
        .script(&format!(
            "return Math.round((Date.parse('{expires}') - Date.now()) / 86400000)"
        ))
        .await;
    let days = days.as_i64().expect("a number of days");
    assert!((29..=30).contains(&days), "30 days, as shown: {expires}");
    browser.close_created().await;

    // Signed out on purpose, the screen says that instead, and fills nothing.
    browser.sign_out().await;
    browser.wait_for_text("#sign-in-notice", "signed out").await;
    assert_eq!(browser.value_of("#login").await, "");
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_never_copied_when_the_session_ended_is_owned_up_to_and_replaced_alike() {
    let server = TestServer::start_with(&[&GRACE], &["--max-expiry-days", "365"]);
    let front = FaultyFront::start(&server, Some(r#"{ "dav_url": "https://dav.example.test/" , "imap_host": "imap.example.test", "imap_port": 993, "imap_security": "tls" }"#)).await;
    let browser = Browser::signed_in(&front.url("/app-passwords"), &GRACE).await;
    browser.start_create("Case A").await;
    browser.set_value("#expiry", "30").await;
    browser.click("#scope-dav").await;
    browser.click(NEXT).await;
    let lost = browser.shown_password().await;
    browser.end_session_while_password_shows().await;
    browser.assert_forgotten(&lost).await;
    // Nothing typed waits; the sentence does not promise it.
    browser
        .wait_for_text(
            "#sign-in-notice",
            "Your session ended. Sign in to continue.",
        )
        .await;
    browser.sign_in_again(&GRACE).await;

    browser
        .wait_for_text(
            "#never-copied",
            "“Case A” was created, but its password was never copied",
        )
        .await;
    browser.expect_accessible("the never-copied warning").await;
    browser.screenshot("never-copied").await;

    // Replace: the usual question, then Create like the one it replaces,
    // whose name is no longer taken.
    browser.click("#replace-never-copied").await;
    browser
        .wait_for_text(".delete-detail", "Created this minute, never used.")
        .await;
    browser.click(".ap-root dialog .button-danger").await;
    browser.find("#app-password-name").await;
    assert_eq!(browser.value_of("#app-password-name").await, "Case A");
    assert_eq!(browser.value_of("#expiry").await, "30", "the same lifetime");
    let scope = browser
        .script("return document.querySelector('#scope input:checked').value")
        .await;
    assert_eq!(scope, "dav", "the same services");
    assert_eq!(
        browser
            .script("return document.getElementById('create-same-name').hidden")
            .await,
        true,
        "no warning about the one just deleted"
    );
    browser.click(NEXT).await;
    let fresh = browser.shown_password().await;
    assert_ne!(fresh, lost);
    browser.close_created().await;
    browser
        .wait_for_text(".app-password-row .scope", "Calendars and contacts only")
        .await;
    let items = server.other_client(GRACE.login).app_passwords().await;
    assert_eq!(items.len(), 1, "one Case A, the new one: {items:?}");
    assert_eq!(items[0]["services"], json!(["caldav", "carddav"]));
    assert!(items[0]["expires_at"].is_string(), "it expires: {items:?}");
    browser
        .wait_for_script(
            "return String(document.getElementById('never-copied') === null)",
            "true",
        )
        .await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_copied_before_the_session_ended_is_not_warned_about_and_can_be_kept_or_dropped()
{
    let server = TestServer::start_with(&[&GRACE], &[]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;

    // Copied: nothing to own up to.
    browser.create_app_password_and_stay("Copied").await;
    browser.click("#copy-password").await;
    browser.find("#copy-password.button-done").await;
    browser.end_session_while_password_shows().await;
    browser.sign_in_again(&GRACE).await;
    browser.wait_for_rows(&["Copied"]).await;
    assert_eq!(
        browser
            .script("return document.getElementById('never-copied') === null")
            .await,
        true
    );

    // Not copied, and kept on purpose: the warning goes, the row stays.
    browser.create_app_password_and_stay("Kept").await;
    browser.end_session_while_password_shows().await;
    browser.sign_in_again(&GRACE).await;
    browser.wait_for_text("#never-copied", "“Kept”").await;
    browser.click("#keep-never-copied").await;
    browser
        .wait_for_script(
            "return String(document.getElementById('never-copied') === null)",
            "true",
        )
        .await;
    browser.wait_for_rows(&["Kept", "Copied"]).await;

    // Replaced, then the new one not wanted after all: Cancel leaves the
    // focus on the page's heading, as the button that began it is gone.
    browser.create_app_password_and_stay("Dropped").await;
    browser.end_session_while_password_shows().await;
    browser.sign_in_again(&GRACE).await;
    browser.click("#replace-never-copied").await;
    browser.click(".ap-root dialog .button-danger").await;
    browser.find("#app-password-name").await;
    browser.press('\u{E00C}').await;
    browser.wait_for_rows(&["Kept", "Copied"]).await;
    browser.expect_focus("page-title").await;
    browser.finish().await;
}
