//! The first screen of index.html, in headless Chromium against the real
//! server: it paints the product's heading and a quiet loading line before
//! the app's code has come (under the page's strict CSP), says the page
//! needs JavaScript when scripts are off, and the app takes its place
//! without moving anything (layout shift measured by the browser).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::json;
use support::{Browser, TestServer, GRACE};

/// Where the top bar on show ends, in CSS pixels from the top of the page:
/// the app's, once it follows the (then hidden) first screen's.
const BAR_BOTTOM: &str =
    "return [...document.querySelectorAll('.top-bar')].pop().getBoundingClientRect().bottom";

/// The page's cumulative layout shift so far, as Chromium counts it
/// (shifts right after the user's own input excluded).
const LAYOUT_SHIFT: &str = "let sum = 0;
    new PerformanceObserver(list => {
        for (const shift of list.getEntries()) if (!shift.hadRecentInput) sum += shift.value;
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => done(sum), 300);";

/// Keeps the app's code from `browser`, as a slow network would for a while.
async fn block_the_code(browser: &Browser) {
    browser.cdp("Network.enable", json!({})).await;
    let wasm = json!({ "urls": ["*.wasm"] });
    browser.cdp("Network.setBlockedURLs", wasm).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_screen_paints_before_the_code_and_says_when_scripts_are_off() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::start().await;
    block_the_code(&browser).await;
    browser.goto(&server.url("/app-passwords")).await;
    browser
        .wait_for_text(".first-screen .top-bar .product", "App passwords")
        .await;
    browser
        .wait_for_text(".first-screen [role=status]", "Loading…")
        .await;
    browser.screenshot("first-screen").await;
    let csp: Vec<_> = browser
        .console()
        .await
        .into_iter()
        .filter(|entry| {
            entry["message"]
                .to_string()
                .contains("Content Security Policy")
        })
        .collect();
    assert!(csp.is_empty(), "the first screen broke the CSP: {csp:?}");

    // Scripts off: no loading line, the reason instead.
    browser
        .cdp(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": true }),
        )
        .await;
    browser.goto(&server.url("/app-passwords")).await;
    let shown = browser.shown_text_by_devtools().await;
    assert!(
        shown.contains("App passwords needs JavaScript and WebAssembly."),
        "{shown}"
    );
    assert!(!shown.contains("Loading…"), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_takes_the_first_screens_place_without_a_jump() {
    let server = TestServer::start(&[&GRACE]);
    // Where the first screen's bar ends, in a browser the code never
    // reaches (its console holds that failure, so it is a browser of its own).
    let first = {
        let blocked = Browser::start().await;
        block_the_code(&blocked).await;
        blocked.goto(&server.url("/app-passwords")).await;
        blocked.find(".first-screen").await;
        blocked.script(BAR_BOTTOM).await
    };
    let browser = Browser::start().await;

    // Signed out: the sign-in card comes under the same bar.
    browser.goto(&server.url("/app-passwords")).await;
    browser.find("#login").await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.first-screen').length")
            .await,
        0,
        "the first screen was taken down"
    );
    assert_eq!(browser.script(BAR_BOTTOM).await, first, "signed out");
    browser.sign_in(&GRACE).await;
    browser.find("#create").await;
    assert_eq!(
        browser.script(BAR_BOTTOM).await,
        first,
        "signed in, with the menu"
    );

    // A visit signed in: first screen, app, session, list; nothing moves.
    browser.goto(&server.url("/app-passwords")).await;
    browser.find("#create").await;
    let shift = browser.script_async(LAYOUT_SHIFT).await;
    assert!(
        shift.as_f64().unwrap_or(1.0) <= 0.02,
        "layout shift {shift} over 0.02"
    );
    browser.finish().await;
}
