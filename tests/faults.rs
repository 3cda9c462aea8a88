//! Every failure a user will meet, injected on purpose: responses lost
//! after the server did the work, responses too late, server failures,
//! garbled responses, no network, refusals (429, 422, 409, 404, a stale CSRF token),
//! a session that ends in the middle of the flow, double clicks. Each test
//! checks what the user sees, the way forward, that nothing typed is lost,
//! that nothing is created twice, and that the password is left nowhere.
//! The browser talks to the real reference server through a front that
//! breaks the calls the test names (tests/support/faults.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use axum::http::Method;
use serde_json::json;
use support::faults::{Fault, FaultyFront};
use support::{Browser, TestServer, GRACE};

/// The app's name field, submit button and alert inside its dialog.
const NAME: &str = "#app-password-name";
const NEXT: &str = ".ap-root dialog button[type=submit]";
const DIALOG_ALERT: &str = ".ap-root dialog[open] [role=alert]";

/// The reference server with `flags`, a front with a 2-second request
/// timeout, and a browser signed in as Grace on the App passwords tab.
async fn signed_in(flags: &[&str]) -> (TestServer, FaultyFront, Browser) {
    let server = TestServer::start_with(&[&GRACE], flags);
    let front = FaultyFront::start(&server, Some(r#"{ "request_timeout_seconds": 2 }"#)).await;
    let browser = Browser::signed_in(&front.url("/app-passwords"), &GRACE).await;
    browser.wait_for_text("#app-password-count", "0 of").await;
    (server, front, browser)
}

/// Opens Create, types `name`, and sends it after the session has ended
/// on the server: the app keeps the name and goes to sign-in.
async fn session_ends_mid_create(browser: &Browser, name: &str) {
    browser.start_create(name).await;
    browser
        .click_after_the_session_ends(NEXT, "/app-passwords")
        .await;
}

/// Done on the password step, and the list behind counts `made`.
async fn close_and_count(browser: &Browser, made: usize) {
    browser.close_created().await;
    browser
        .wait_for_text("#app-password-count", &format!("{made} of 40"))
        .await;
}

/// Fails if the page still keeps a draft of an ended session.
async fn expect_no_draft_kept(browser: &Browser) {
    assert_eq!(
        browser
            .script("return sessionStorage.getItem('app-passwords:draft')")
            .await,
        serde_json::Value::Null,
        "the draft is gone once it is back"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_whose_response_is_lost_or_late_is_sent_again_and_makes_one_password() {
    let (server, front, browser) = signed_in(&[]).await;
    let other_device = server.other_client(GRACE.login);

    // The server makes it; the response never arrives.
    front.fail_next(Method::POST, "/app-passwords", Fault::LoseResponse);
    browser.start_create("Mail").await;
    browser.click(NEXT).await;
    browser
        .wait_for_text(DIALOG_ALERT, "could not be reached")
        .await;
    browser
        .wait_for_text(DIALOG_ALERT, "select Next to try again")
        .await;
    assert_eq!(browser.value_of(NAME).await, "Mail", "the name is kept");
    assert_eq!(
        other_device.app_passwords().await.len(),
        1,
        "the server made it"
    );

    // Next again: the same Idempotency-Key, the same password, nothing new.
    browser.click(NEXT).await;
    let password = browser.shown_password().await;
    let posts = front.seen_at(Method::POST, "/app-passwords");
    assert_eq!(posts.len(), 2);
    assert!(posts[0].idempotency_key.is_some());
    assert_eq!(posts[0].idempotency_key, posts[1].idempotency_key);
    assert_eq!(
        posts[1].cache_control.as_deref(),
        Some("no-store"),
        "the response that carries the password is never cached"
    );
    assert_eq!(server.verify(GRACE.login, &password).await.0, 200);
    close_and_count(&browser, 1).await;
    assert_eq!(other_device.app_passwords().await.len(), 1);
    browser.assert_forgotten(&password).await;

    // Made, but responded to after the 2-second timeout: the same again.
    front.fail_next(
        Method::POST,
        "/app-passwords",
        Fault::Hang(Duration::from_secs(4)),
    );
    browser.start_create("Calendar").await;
    browser.click(NEXT).await;
    browser
        .wait_for_text(DIALOG_ALERT, "did not answer within 2 seconds")
        .await;
    assert_eq!(browser.value_of(NAME).await, "Calendar");
    browser.click(NEXT).await;
    let second = browser.shown_password().await;
    assert_ne!(second, password);
    close_and_count(&browser, 2).await;
    let names: Vec<_> = other_device
        .app_passwords()
        .await
        .iter()
        .map(|item| item["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["Mail", "Calendar"], "one password per create");
    browser.assert_forgotten(&second).await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_garbled_and_missing_responses_say_so_and_offer_to_try_again() {
    let (_server, front, browser) = signed_in(&[]).await;
    let cases = [
        (
            Fault::respond(
                500,
                Some("text/html"),
                "<html><body><h1>Internal Server Error</h1></body></html>",
            ),
            "The server had a problem. Try again in a moment.",
        ),
        (
            Fault::respond(502, None, ""),
            "The server is unavailable right now. Try again in a moment.",
        ),
        (
            Fault::respond(
                503,
                Some("application/problem+json"),
                r#"{"type":"about:blank","title":"java.lang.OutOfMemoryError","status":503}"#,
            ),
            "The server is unavailable right now. Try again in a moment.",
        ),
        (
            Fault::respond(200, Some("application/json"), r#"{"items": [tru"#),
            "The server sent an answer this page does not understand.",
        ),
        (
            Fault::respond(200, Some("application/json"), r#"{"items": "none"}"#),
            "The server sent an answer this page does not understand.",
        ),
        (
            Fault::Hang(Duration::from_secs(4)),
            "The server did not answer within 2 seconds.",
        ),
    ];
    for (fault, expected) in cases {
        front.fail_next(Method::GET, "/app-passwords", fault);
        browser.click("#tab-verification").await;
        browser.find("#default-method").await;
        browser.click("#tab-app-passwords").await;
        let said = browser.wait_for_text("[role=alert]", expected).await;
        assert!(
            !said.contains('<') && !said.contains("OutOfMemory"),
            "the user's words, not the server's: {said}"
        );
        browser.click("[role=alert] button").await;
        browser
            .wait_for_text("#app-password-count", "0 of 40")
            .await;
    }

    // No network at all, then back.
    browser.set_offline(true).await;
    browser.click("#tab-verification").await;
    browser
        .wait_for_text(
            "[role=alert]",
            "The server could not be reached. Check your connection and try again.",
        )
        .await;
    browser.set_offline(false).await;
    browser.click("[role=alert] button").await;
    browser.find("#default-method").await;

    // A fresh load while the server fails: the session check and the
    // screen's own read (sent beside it) fail together; one Try again
    // brings the list, not the screen's old error.
    front.fail_next(Method::GET, "/session", Fault::respond(502, None, ""));
    front.fail_next(Method::GET, "/app-passwords", Fault::respond(502, None, ""));
    browser.goto(&front.url("/app-passwords")).await;
    browser
        .wait_for_text(
            "[role=alert]",
            "The server is unavailable right now. Try again in a moment.",
        )
        .await;
    browser.click("[role=alert] button").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_say_what_to_do_and_keep_what_was_typed() {
    let (server, front, browser) = signed_in(&["--max-app-passwords", "2"]).await;
    let other_device = server.other_client(GRACE.login);

    // Too many requests: how long to wait.
    front.fail_next(Method::POST, "/app-passwords", Fault::rate_limited("7"));
    browser.start_create("Printer").await;
    browser.click(NEXT).await;
    browser
        .wait_for_text(
            DIALOG_ALERT,
            "Too many attempts. Wait 7 seconds and try again.",
        )
        .await;
    assert_eq!(browser.value_of(NAME).await, "Printer");

    // A backend's own rule about names: said next to the name.
    front.fail_next(
        Method::POST,
        "/app-passwords",
        Fault::respond(
            422,
            Some("application/problem+json"),
            r#"{"type":"/problems/validation-failed","title":"Invalid","status":422,
                "errors":[{"pointer":"/name","detail":"That name is taken in this directory."}]}"#,
        ),
    );
    browser.click(NEXT).await;
    browser
        .wait_for_text("#app-password-name-error", "That name is taken")
        .await;
    assert_eq!(browser.value_of(NAME).await, "Printer");

    // The limit, reached from another device meanwhile: said, and the list
    // behind shows it.
    for name in ["Phone", "Tablet"] {
        let (status, made) = other_device
            .call(
                Method::POST,
                "/app-passwords",
                Some(&json!({ "name": name })),
            )
            .await;
        assert_eq!(status, 201, "{made}");
    }
    browser.click(NEXT).await;
    browser
        .wait_for_text(DIALOG_ALERT, "You have the most app passwords allowed")
        .await;
    browser.wait_for_text("#app-password-count", "2 of 2").await;
    browser
        .click(".ap-root dialog[open] button[type=button]")
        .await;
    browser.expect_at_the_limit().await;

    // Deleted on the other device first: said, and the list is current.
    let phone = other_device.app_passwords().await[0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let (status, _) = other_device
        .call(Method::DELETE, &format!("/app-passwords/{phone}"), None)
        .await;
    assert_eq!(status, 204);
    browser.wait_for_rows(&["Tablet", "Phone"]).await;
    browser
        .click(".app-password-row:last-child .button-danger-quiet")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text(".status-line", "“Phone” was already deleted")
        .await;
    browser.wait_for_rows(&["Tablet"]).await;
    browser.wait_for_text("#app-password-count", "1 of 2").await;

    // The server's own field errors, next to each field; values kept.
    browser.click("#tab-verification").await;
    browser.type_into("#auth-country-code", "+1").await;
    browser.type_into("#auth-number", "42a5550100").await;
    browser.click(".security-form button[type=submit]").await;
    browser
        .wait_for_text(
            ".security-form [role=alert]",
            "Check the highlighted fields",
        )
        .await;
    let error = browser
        .find("#auth-number-error")
        .await
        .text()
        .await
        .unwrap();
    assert!(!error.is_empty(), "a message next to the number");
    assert_eq!(browser.value_of("#auth-number").await, "42a5550100");

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_csrf_token_is_renewed_once_without_bothering_the_user() {
    let (server, front, browser) = signed_in(&[]).await;

    front.fail_next(Method::POST, "/app-passwords", Fault::SpoilCsrf);
    browser.start_create("Mail").await;
    browser.click(NEXT).await;
    let password = browser.shown_password().await;
    assert_eq!(server.verify(GRACE.login, &password).await.0, 200);
    let calls: Vec<_> = front
        .seen()
        .into_iter()
        .skip_while(|seen| seen.method != Method::POST || seen.path != "/app-passwords")
        .map(|seen| (seen.method.to_string(), seen.path, seen.status))
        .collect();
    assert_eq!(
        calls,
        [
            ("POST".into(), "/app-passwords".into(), 403),
            ("GET".into(), "/session".into(), 200),
            ("POST".into(), "/app-passwords".into(), 201),
        ]
    );
    browser.close_created().await;

    // Refused again after the renewal: said, once, not retried forever.
    front.fail_next(Method::POST, "/app-passwords", Fault::SpoilCsrf);
    front.fail_next(Method::POST, "/app-passwords", Fault::SpoilCsrf);
    browser.start_create("Calendar").await;
    browser.click(NEXT).await;
    browser
        .wait_for_text(
            DIALOG_ALERT,
            "could not confirm your session. Reload the page",
        )
        .await;
    assert_eq!(front.seen_at(Method::POST, "/app-passwords").len(), 4);
    assert_eq!(browser.value_of(NAME).await, "Calendar");

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_was_typed_returns_when_the_app_loads_anew_after_sign_in_elsewhere() {
    let (_server, front, browser) = signed_in(&[]).await;
    session_ends_mid_create(&browser, "Laptop mail").await;

    // Signed in outside the app (a site's own sign-in page), then back with
    // a fresh load: the screen starts before the session check responds, and
    // takes the draft once it does.
    let signed_in = browser
        .script_async(&format!(
            "fetch('/api/v1/session', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json' }},
                 body: JSON.stringify({{ login: '{}', password: '{}' }}) }})
             .then(r => done(r.status))",
            GRACE.login, GRACE.password
        ))
        .await;
    assert_eq!(signed_in, 200, "signed in through the API");
    // The session's answer comes after the list's: the dialog is built
    // before the screen is shown, and must still be a true modal.
    front.fail_next(
        Method::GET,
        "/session",
        Fault::Hang(Duration::from_millis(1500)),
    );
    browser.goto(&front.url("/app-passwords")).await;
    browser.find("#create-restored").await;
    browser
        .wait_for_script(
            "return String(document.querySelector('.ap-root dialog').matches(':modal'))",
            "true",
        )
        .await;
    assert_eq!(browser.value_of(NAME).await, "Laptop mail");
    expect_no_draft_kept(&browser).await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ended_session_returns_after_sign_in_with_what_was_typed() {
    let (server, _front, browser) = signed_in(&[]).await;
    let other_device = server.other_client(GRACE.login);

    // Mid-create: sign-in, then the dialog again, with the name.
    session_ends_mid_create(&browser, "Laptop mail").await;
    browser.sign_in(&GRACE).await;
    browser.wait_for_path("/app-passwords").await;
    browser.find("#create-restored").await;
    assert_eq!(browser.value_of(NAME).await, "Laptop mail");
    browser.click(NEXT).await;
    let password = browser.shown_password().await;
    close_and_count(&browser, 1).await;
    assert_eq!(other_device.app_passwords().await.len(), 1);
    browser.assert_forgotten(&password).await;
    expect_no_draft_kept(&browser).await;

    // Mid-rename: the same.
    browser.click("#rename-0").await;
    browser
        .type_into("#rename-name", "Laptop mail (work)")
        .await;
    browser
        .click_after_the_session_ends(".ap-root dialog button[type=submit]", "/app-passwords")
        .await;
    browser.sign_in(&GRACE).await;
    browser.find("#rename-restored").await;
    assert_eq!(browser.value_of("#rename-name").await, "Laptop mail (work)");
    browser.click(".ap-root dialog button[type=submit]").await;
    browser.wait_for_rows(&["Laptop mail (work)"]).await;

    // Mid-save of the verification settings: the same.
    browser.click("#tab-verification").await;
    browser.set_value("#default-method", "call_office").await;
    browser.type_into("#office-country-code", "+1").await;
    browser.type_into("#office-number", "4255550199").await;
    browser
        .click_after_the_session_ends(".security-form button[type=submit]", "/security-info")
        .await;
    browser.sign_in(&GRACE).await;
    browser
        .wait_for_text(".status-line", "Your unsaved changes are back")
        .await;
    assert_eq!(browser.value_of("#office-number").await, "4255550199");
    browser.click(".security-form button[type=submit]").await;
    browser
        .wait_for_text(".status-line", "Your changes are saved")
        .await;

    // The password on screen when the session ends: back at the tab, the
    // app finds out, and the password leaves the page.
    browser.click("#tab-app-passwords").await;
    let password = browser.create_app_password_and_stay("Tablet").await;
    browser.end_session_while_password_shows().await;
    browser.assert_forgotten(&password).await;

    // And when the Back button closes it (it stays on the tab, and asks
    // first while nothing was copied).
    browser.sign_in(&GRACE).await;
    browser.wait_for_path("/app-passwords").await;
    browser.click("#tab-verification").await;
    browser.click("#tab-app-passwords").await;
    let password = browser.create_app_password_and_stay("Watch").await;
    browser.client.back().await.expect("go back");
    browser.click("#close-anyway").await;
    browser.wait_for_path("/app-passwords").await;
    browser.assert_forgotten(&password).await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn double_clicks_and_a_held_down_enter_send_once() {
    let (_server, front, browser) = signed_in(&[]).await;
    // Long enough for the clicks and keys that follow to land before the
    // response does.
    let hang_next_create = || {
        front.fail_next(
            Method::POST,
            "/app-passwords",
            Fault::Hang(Duration::from_millis(800)),
        )
    };

    // Three clicks on Next before the response: one create.
    hang_next_create();
    browser.start_create("Mail").await;
    browser
        .client
        .execute(
            "const next = document.querySelector(arguments[0]); next.click(); next.click(); next.click();",
            vec![NEXT.into()],
        )
        .await
        .expect("click thrice");
    browser.shown_password().await;
    assert_eq!(front.seen_at(Method::POST, "/app-passwords").len(), 1);
    close_and_count(&browser, 1).await;

    // Enter held down in the name field: one create, and the password
    // stays on screen (Copy has the focus, not Done).
    hang_next_create();
    browser.start_create("Calendar").await;
    browser
        .find(NAME)
        .await
        .send_keys("\u{E007}\u{E007}\u{E007}")
        .await
        .expect("press Enter");
    browser.shown_password().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(front.seen_at(Method::POST, "/app-passwords").len(), 2);
    assert_eq!(
        browser.script("return document.activeElement.id").await,
        "copy-password"
    );
    browser.find("#new-password").await;
    close_and_count(&browser, 2).await;

    // A double click on Delete: one delete.
    browser
        .click(".app-password-row:first-child .button-danger-quiet")
        .await;
    browser
        .script("const yes = document.querySelector('dialog[open] .button-danger'); yes.click(); yes.click();")
        .await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    let deletes = front
        .seen()
        .into_iter()
        .filter(|seen| seen.method == Method::DELETE)
        .count();
    assert_eq!(deletes, 1, "one delete");

    browser.finish().await;
}
