//! How the page looks to a demanding user: nothing on the sign-in screen
//! or at the security page's top wraps, at 1280 px and on a 390 px phone,
//! in English, German and Arabic; each level says its words once; the
//! tabs sit side by side on a phone, with Create high on the screen; and
//! the theme chosen in the settings menu applies and is remembered over
//! the configured one. Needs `scripts/test.sh` to have built the app and
//! the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::faults::FaultyFront;
use support::{Browser, TestServer, ADA};

/// A laptop's window and a phone's screen.
const SIZES: [(u32, u32); 2] = [(1280, 800), (390, 844)];
/// The languages, as the switchers' `lang` attributes name them.
const LANGS: [&str; 3] = ["en", "de", "ar"];
/// What must hold on one line on the sign-in screen: the product name,
/// the title, the labels, the buttons, the languages, the account.
const SIGN_IN_LINES: &str =
    ".top-bar .product, .sign-in h1, .sign-in label, .sign-in button, .signing-in-as";
/// What must hold on one line at the security page's top.
const PAGE_TOP_LINES: &str = ".top-bar .product, .security-page h1, .tab";

#[tokio::test(flavor = "multi_thread")]
async fn nothing_wraps_at_1280_and_390_px_in_three_languages() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::start().await;
    browser.goto(&server.url("/app-passwords")).await;

    // Sign-in, both steps, languages chosen on the screen itself.
    for lang in LANGS {
        browser.click(&format!("#language-{lang}")).await;
        browser
            .wait_for_script("return document.documentElement.lang", lang)
            .await;
        browser.find("#login").await;
        expect_single_lines_at_each_size(&browser, SIGN_IN_LINES, &format!("sign-in ({lang})"))
            .await;
        browser.type_into("#login", ADA.login).await;
        browser.type_into("#password", ADA.password).await;
        browser.click("button[type=submit]").await;
        browser.find("#code").await;
        expect_single_lines_at_each_size(
            &browser,
            SIGN_IN_LINES,
            &format!("the code step ({lang})"),
        )
        .await;
        browser.click("#other-account").await;
        browser.find("#login").await;
    }

    browser.type_into("#login", ADA.login).await;
    browser.type_into("#password", ADA.password).await;
    browser.click("button[type=submit]").await;
    browser.find("#code").await;
    browser.type_into("#code", &ADA.current_code()).await;
    browser.click("button[type=submit]").await;
    browser.find("#create").await;

    // The security page's top, languages chosen in the settings menu.
    for lang in LANGS {
        browser.click("button[aria-haspopup=menu]").await;
        browser
            .click(&format!("[role=menuitemradio][lang={lang}]"))
            .await;
        browser
            .wait_for_script("return document.documentElement.lang", lang)
            .await;
        browser.find("#create").await;
        expect_single_lines_at_each_size(
            &browser,
            PAGE_TOP_LINES,
            &format!("the app passwords tab ({lang})"),
        )
        .await;
        browser.set_size(390, 844).await;
        browser.screenshot(&format!("phone-{lang}")).await;
        expect_phone_top(&browser, lang).await;
        browser.set_size(1280, 800).await;
    }

    browser.finish().await;
}

/// Asserts [`support::Browser::expect_single_lines`] of `css` at each of
/// [`SIZES`], and that the page does not scroll sideways.
async fn expect_single_lines_at_each_size(browser: &Browser, css: &str, state: &str) {
    for (width, height) in SIZES {
        browser.set_size(width, height).await;
        let at = format!("{state} at {width} px");
        browser.expect_single_lines(css, &at).await;
        browser.expect_no_sideways_scroll(&at).await;
    }
    browser.set_size(1280, 800).await;
}

/// Asserts that on a phone the tabs share one row, that the page's top
/// (top bar, title, tabs) takes no more than a fifth of the screen, and
/// that Create is on the first screen.
async fn expect_phone_top(browser: &Browser, lang: &str) {
    let side_by_side = browser
        .script(
            "const [a, b] = [...document.querySelectorAll('.tab')].map(t => t.getBoundingClientRect());
             return Math.abs(a.top - b.top) < 1;",
        )
        .await;
    assert_eq!(side_by_side, true, "the tabs stack on a phone ({lang})");
    let bottom = |css: &str| {
        format!("return document.querySelector('{css}').getBoundingClientRect().bottom")
    };
    let tabs_end = browser
        .script(&bottom(".tabs"))
        .await
        .as_f64()
        .unwrap_or(f64::MAX);
    assert!(
        tabs_end <= 844.0 / 5.0,
        "the page's top ends {tabs_end} px down a phone's screen ({lang})"
    );
    let create_end = browser
        .script(&bottom("#create"))
        .await
        .as_f64()
        .unwrap_or(f64::MAX);
    assert!(
        create_end <= 844.0,
        "Create ends {create_end} px down a phone's screen ({lang})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_level_says_its_words_once_and_headings_stay_for_screen_readers() {
    let server = TestServer::start(&[&ADA]);
    let browser = Browser::signed_in(&server.url("/security-info"), &ADA).await;
    browser.find("#default-method").await;

    // Seen: one title, the tabs, and no heading that repeats a tab.
    let seen = "return [...document.querySelectorAll('.security-page h1, .security-page h2, .tab')]
         .filter(e => e.getBoundingClientRect().width > 1 && e.getBoundingClientRect().height > 1)
         .map(e => e.textContent.trim())";
    assert_eq!(
        browser.script(seen).await,
        serde_json::json!([
            "Additional security verification",
            "Ways to verify",
            "App passwords"
        ])
    );
    // Heard: the panel's heading is the selected tab's name, under the
    // page's title, and names the panel.
    let outline = "return [...document.querySelectorAll('.security-page h1, .security-page h2')]
         .map(h => h.tagName + ' ' + h.textContent.trim())";
    assert_eq!(
        browser.script(outline).await,
        serde_json::json!(["H1 Additional security verification", "H2 Ways to verify"])
    );
    browser.click("#tab-app-passwords").await;
    browser.find("#create").await;
    assert_eq!(
        browser.script(outline).await,
        serde_json::json!(["H1 Additional security verification", "H2 App passwords"])
    );
    assert_eq!(
        browser
            .script(
                "return document.getElementById('security-panel').getAttribute('aria-labelledby')"
            )
            .await,
        "tab-app-passwords"
    );
    // The list's heading still takes the focus when nothing else can.
    browser
        .script("document.getElementById('app-passwords-title').focus()")
        .await;
    browser.wait_for_focus("app-passwords-title").await;

    browser.finish().await;
}

/// The root element's theme attribute, colour scheme and background.
const THEME_SHOWN: &str = "const s = getComputedStyle(document.body);
     return document.body.dataset.theme + ' ' + s.colorScheme + ' ' + s.backgroundColor;";
const LIGHT_BACKGROUND: &str = "rgb(245, 246, 248)";
const DARK_BACKGROUND: &str = "rgb(15, 17, 21)";
/// The theme the settings menu marks (languages are the items with `lang`).
const CHECKED_THEME: &str = "[role=menuitemradio][aria-checked=true]:not([lang])";

#[tokio::test(flavor = "multi_thread")]
async fn the_theme_chosen_in_the_menu_applies_and_outlasts_the_configured_one() {
    let server = TestServer::start(&[&ADA]);
    let front = FaultyFront::start(&server, Some(r#"{ "theme": "dark" }"#)).await;
    let browser = Browser::start().await;
    browser.emulate_media("prefers-color-scheme", "light").await;

    // The configured theme holds until the user chooses, and the menu says so.
    browser.goto(&front.url("/app-passwords")).await;
    browser.sign_in(&ADA).await;
    browser.find("#create").await;
    browser
        .wait_for_script(THEME_SHOWN, &format!("dark dark {DARK_BACKGROUND}"))
        .await;
    browser.click("button[aria-haspopup=menu]").await;
    browser.wait_for_text(CHECKED_THEME, "Dark").await;
    browser.screenshot("theme-menu").await;

    // Light: at once, the menu closed and the focus back on its gear.
    browser.choose_theme("Light").await;
    browser
        .wait_for_script(THEME_SHOWN, &format!("light light {LIGHT_BACKGROUND}"))
        .await;
    browser
        .wait_for_script(
            "return document.activeElement.getAttribute('aria-label')",
            "Settings",
        )
        .await;
    browser.client.refresh().await.expect("reload");
    browser.find("#create").await;
    browser
        .wait_for_script(THEME_SHOWN, &format!("light light {LIGHT_BACKGROUND}"))
        .await;

    // System: follows the system, also over a reload.
    browser.choose_theme("System").await;
    browser
        .wait_for_script(THEME_SHOWN, &format!("auto light dark {LIGHT_BACKGROUND}"))
        .await;
    browser.emulate_media("prefers-color-scheme", "dark").await;
    browser
        .wait_for_script(THEME_SHOWN, &format!("auto light dark {DARK_BACKGROUND}"))
        .await;
    browser.client.refresh().await.expect("reload");
    browser.find("#create").await;
    browser
        .wait_for_script(THEME_SHOWN, &format!("auto light dark {DARK_BACKGROUND}"))
        .await;
    browser.click("button[aria-haspopup=menu]").await;
    browser.wait_for_text(CHECKED_THEME, "System").await;

    browser.finish().await;
}
