//! The app in German (chosen by the browser's languages) and in Arabic
//! (chosen by the configuration; written right to left), then the switcher
//! in the settings menu, which the app remembers. Needs `scripts/test.sh`
//! to have built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use fantoccini::key::Key;
use support::faults::FaultyFront;
use support::{Browser, TestServer, GRACE};

const NEXT: &str = ".ap-root dialog button[type=submit]";

#[tokio::test(flavor = "multi_thread")]
async fn the_flow_in_german_from_the_browsers_languages() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::start_speaking("de-DE,de,en").await;

    browser.goto(&server.url("/app-passwords")).await;
    browser.wait_for_text("h1", "Anmelden").await;
    assert_eq!(
        browser.script("return document.documentElement.lang").await,
        "de"
    );
    assert_eq!(
        browser.script("return document.title").await,
        "App-Kennwörter"
    );
    browser
        .wait_for_text("label[for=login]", "Anmeldename")
        .await;
    browser.type_into("#login", GRACE.login).await;
    browser.type_into("#password", "falsch-falsch").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_for_text("[role=alert]", "Anmeldename oder Kennwort ist falsch")
        .await;
    browser.sign_in(&GRACE).await;
    browser
        .wait_for_text("#app-password-count", "0 von 40")
        .await;
    browser
        .wait_for_text(".empty", "Sie haben noch keine App-Kennwörter.")
        .await;
    browser.expect_accessible("the list, in German").await;
    browser.screenshot("german").await;

    browser.click("#create").await;
    browser
        .wait_for_text("#create-title", "App-Kennwort erstellen")
        .await;
    browser.type_into("#app-password-name", "Drucker").await;
    browser.wait_for_text(NEXT, "Weiter").await;
    browser.click(NEXT).await;
    browser
        .wait_for_text("#create-title", "Ihr neues App-Kennwort")
        .await;
    browser.wait_for_text(".created-name", "Drucker").await;
    browser
        .wait_for_text("#copy-password", "Kennwort in die Zwischenablage kopieren")
        .await;
    browser
        .expect_accessible("the new password, in German")
        .await;
    browser.close_created().await;
    browser
        .wait_for_text("#app-password-count", "1 von 40")
        .await;

    // Moments as German says them ("vor 1 Minute"), and the exact date and
    // time as German writes them.
    let created = browser.find(".app-password-row time").await;
    let said = created.text().await.unwrap();
    assert!(said.contains("Minute"), "a German moment: {said}");
    let exact = created.attr("title").await.unwrap().unwrap_or_default();
    assert!(
        exact.chars().filter(|c| *c == '.').count() == 2 && exact.contains(':'),
        "a German date and time: {exact}"
    );

    browser
        .click(".app-password-row .button-danger-quiet")
        .await;
    browser
        .wait_for_text("dialog[open] h2", "„Drucker“ löschen?")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text(".status-line", "„Drucker“ gelöscht.")
        .await;
    browser
        .wait_for_text("#app-password-count", "0 von 40")
        .await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_flow_in_arabic_right_to_left_then_the_switcher() {
    let server = TestServer::start(&[&GRACE]);
    let front = FaultyFront::start(&server, Some(r#"{ "lang": "ar" }"#)).await;
    let browser = Browser::start().await;

    browser.goto(&front.url("/app-passwords")).await;
    browser.wait_for_text("h1", "تسجيل الدخول").await;
    assert_eq!(
        browser.script("return document.documentElement.lang").await,
        "ar"
    );
    assert_eq!(
        browser.script("return document.documentElement.dir").await,
        "rtl"
    );
    browser.expect_accessible("sign-in, in Arabic").await;
    browser.sign_in(&GRACE).await;
    // "0 of 40", with the digits Arabic uses in this browser.
    let count_of = |count: u32| {
        format!(
            "const n = new Intl.NumberFormat('ar'); return n.format({count}) + ' من ' + n.format(40);"
        )
    };
    let zero_of_forty = browser.script(&count_of(0)).await;
    browser
        .wait_for_text("#app-password-count", zero_of_forty.as_str().unwrap())
        .await;

    // Mirrored: the settings gear sits at the left, the text starts at the right.
    let gear_at_left = browser
        .script(
            "const r = document.querySelector('button[aria-haspopup=menu]').getBoundingClientRect();
             return r.right < window.innerWidth / 2;",
        )
        .await;
    assert_eq!(gear_at_left, true, "the top bar is mirrored");
    let starts_right = browser
        .script(
            "const h = document.querySelector('.security-page h1');
             const text = document.createRange();
             text.selectNodeContents(h);
             return text.getBoundingClientRect().right > h.getBoundingClientRect().right - 60;",
        )
        .await;
    assert_eq!(starts_right, true, "headings start at the right");

    // Two app passwords: the dual form of the plural.
    browser.create_app_password("Mail").await;
    let password = browser.create_app_password_and_stay("Kalender").await;
    assert_eq!(
        browser
            .script("return getComputedStyle(document.getElementById('new-password')).direction")
            .await,
        "ltr",
        "the password reads left to right"
    );
    browser
        .expect_accessible("the new password, in Arabic")
        .await;
    browser.click("#spell-password").await;
    browser.find(".spelled li").await;
    browser.screenshot("arabic").await;
    assert!(password.contains('-'));
    browser.click("#done").await;
    let two_of_forty = browser.script(&count_of(2)).await;
    browser
        .wait_for_text("#app-password-count", two_of_forty.as_str().unwrap())
        .await;
    browser.click("#delete-all").await;
    browser
        .wait_for_text("dialog[open] h2", "حذف كلمتي مرور تطبيقاتك؟")
        .await;
    browser.press(Key::Escape.into()).await;

    // The arrow keys follow the writing direction: left is the next tab.
    browser.click("#tab-verification").await;
    browser.find("#default-method").await;
    browser.click("#tab-verification").await;
    browser.press(Key::Left.into()).await;
    browser.wait_for_path("/app-passwords").await;
    browser.set_width(320).await;
    browser
        .expect_no_sideways_scroll("the list at 320 px, in Arabic")
        .await;
    browser.set_width(1100).await;

    // The switcher: English, remembered over the configuration's Arabic.
    browser.click("button[aria-haspopup=menu]").await;
    browser
        .wait_for_text("[role=menuitemradio][aria-checked=true]", "العربية")
        .await;
    browser.click("[role=menuitemradio][lang=en]").await;
    browser
        .wait_for_text("#app-password-count", "2 of 40")
        .await;
    assert_eq!(
        browser.script("return document.documentElement.dir").await,
        "ltr"
    );
    browser.wait_for_path("/app-passwords").await;
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("#app-password-count", "2 of 40")
        .await;
    assert_eq!(
        browser.script("return document.documentElement.lang").await,
        "en"
    );

    browser.finish().await;
}

/// German and Arabic are fetched when chosen: offline, the page stays as it
/// was and says so; on a slow network it says the language is on its way;
/// and the same choice works once the network is back.
#[tokio::test]
async fn a_language_that_cannot_be_fetched_says_so_and_the_page_stays() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/sign-in")).await;
    browser.wait_for_text("h1", "Sign in").await;
    browser.type_into("#login", "grace").await;
    browser.cdp("Network.enable", serde_json::json!({})).await;
    browser
        .cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": ["*/locales/de.json"] }),
        )
        .await;

    browser.click("#language-de").await;
    browser
        .wait_for_text(
            ".language-unavailable[role=alert]",
            "Deutsch could not be loaded. Check your connection and try again.",
        )
        .await;
    assert_eq!(
        browser.script("return document.documentElement.lang").await,
        "en"
    );
    browser.wait_for_text("h1", "Sign in").await;
    assert_eq!(
        browser
            .script("return document.querySelector('#login').value")
            .await,
        "grace",
        "what was typed stays"
    );
    browser
        .expect_accessible("a language that could not be fetched")
        .await;

    // Back, but slow: two seconds a round trip. The click is answered at
    // once, and the old failure gives way.
    browser
        .cdp("Network.setBlockedURLs", serde_json::json!({ "urls": [] }))
        .await;
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            serde_json::json!({ "offline": false, "latency": 2000, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
    browser.click("#language-de").await;
    browser
        .wait_for_text(".language-loading[role=status]", "Loading Deutsch…")
        .await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.language-unavailable').length")
            .await,
        0,
        "the earlier failure gives way to the new try"
    );
    browser.expect_accessible("a language on its way").await;
    browser.wait_for_text("h1", "Anmelden").await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.language-unavailable').length")
            .await,
        0
    );
    assert_eq!(
        browser
            .script("const regions = [...document.querySelectorAll('.language-loading[role=status]')]; return regions.length > 0 && regions.every(p => p.textContent === '' && p.offsetHeight === 0)")
            .await,
        true,
        "the status region stays, empty and taking no room"
    );
    browser.finish().await;
}
