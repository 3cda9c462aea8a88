//! Accessibility: axe-core (WCAG 2.2 A and AA) on every screen and dialog
//! state, light and dark; the whole flow with the keyboard alone, where
//! focus goes at each step and that it is always visible; reflow at 320 px
//! and at 200 % zoom; less motion when asked. Needs `scripts/test.sh` to
//! have built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use axum::http::Method;
use fantoccini::key::Key;
use support::faults::{Fault, FaultyFront};
use support::{Browser, TestServer, ADA, GRACE};

const NEXT: &str = ".ap-root dialog button[type=submit]";

/// An operator's services, so that step two offers "Set up a device" and
/// "Learn more".
const SERVICES: &str = r#"{
    "imap_host": "imap.example.test", "smtp_host": "smtp.example.test", "smtp_security": "starttls",
    "dav_url": "https://dav.example.test/dav/", "help_url": "https://help.example.test/"
}"#;

/// Every screen and dialog state, checked by axe in the current colour
/// scheme; ends where it started, on an empty list.
async fn walk_every_state(browser: &Browser, front: &FaultyFront, scheme: &str) {
    let check = |state: &str| format!("{state} ({scheme})");

    // Settings menu open.
    browser.click("button[aria-haspopup=menu]").await;
    browser.find("[role=menu]").await;
    browser
        .expect_accessible(&check("settings menu open"))
        .await;
    browser.press(Key::Escape.into()).await;

    // The verification tab, then with field errors from the server.
    browser.click("#tab-verification").await;
    browser.find("#default-method").await;
    browser.expect_accessible(&check("verification tab")).await;
    browser.type_into("#auth-country-code", "+1").await;
    browser.type_into("#auth-number", "42a").await;
    browser.click(".security-form button[type=submit]").await;
    browser.find("#auth-number-error:not([hidden])").await;
    browser
        .expect_accessible(&check("verification tab, field errors"))
        .await;

    // The list, failing to load.
    front.fail_next(
        Method::GET,
        "/app-passwords",
        Fault::respond(500, Some("text/html"), "<h1>Oops</h1>"),
    );
    browser.click("#tab-app-passwords").await;
    browser.find(".ap-root [role=alert] button").await;
    browser
        .expect_accessible(&check("list failed to load"))
        .await;
    browser.click(".ap-root [role=alert] button").await;
    browser.find("#create").await;
    browser.expect_accessible(&check("empty list")).await;

    // Create: step one, with the name's error, with the server's error.
    browser.click("#create").await;
    browser.find("#app-password-name").await;
    browser.expect_accessible(&check("create, step one")).await;
    browser
        .type_into("#app-password-name", &"x".repeat(121))
        .await;
    browser.click(NEXT).await;
    browser.find("#app-password-name-error:not([hidden])").await;
    browser
        .expect_accessible(&check("create, the name refused"))
        .await;
    front.fail_next(
        Method::POST,
        "/app-passwords",
        Fault::respond(503, None, ""),
    );
    browser.type_into("#app-password-name", "Mail").await;
    browser.click(NEXT).await;
    browser
        .wait_for_text(".ap-root dialog [role=alert]", "Try again")
        .await;
    browser
        .expect_accessible(&check("create, server error"))
        .await;
    // Step two; Done asking before it closes; each client's set-up; and
    // read out.
    browser.click(NEXT).await;
    browser.find("#new-password").await;
    browser.expect_accessible(&check("create, step two")).await;
    browser.click("#done").await;
    browser.find("#close-question").await;
    browser
        .expect_accessible(&check("create, step two, Done asks"))
        .await;
    browser.click("#keep-open").await;
    browser.click("#setup-device").await;
    for client in ["other", "apple", "outlook", "thunderbird", "android"] {
        browser.choose("#setup-client", client).await;
        browser.find("#setup-steps li").await;
        browser
            .expect_accessible(&check(&format!("create, set up a device: {client}")))
            .await;
    }
    browser.click("#spell-password").await;
    browser.find(".spelled li").await;
    browser
        .expect_accessible(&check("create, step two, read out"))
        .await;
    browser.click("#done").await;

    // A list with items; rename; delete; delete all.
    browser.create_app_password("Calendar").await;
    browser.wait_for_rows(&["Calendar", "Mail"]).await;
    browser.expect_accessible(&check("list with items")).await;
    if scheme == "dark" {
        browser.screenshot("dark").await;
    }
    browser.click("#rename-0").await;
    browser.find("#rename-name").await;
    browser.expect_accessible(&check("rename")).await;
    browser.press(Key::Escape.into()).await;
    browser
        .click(".app-password-row:first-child .button-danger-quiet")
        .await;
    browser.find("dialog[open] .button-danger").await;
    browser.expect_accessible(&check("delete, confirm")).await;
    browser.press(Key::Escape.into()).await;

    // Full: at the limit (2 here).
    browser.find("#create[aria-disabled=true]").await;
    browser.expect_accessible(&check("list at the limit")).await;
    browser.click("#delete-all").await;
    browser.find("dialog[open] .button-danger").await;
    browser
        .expect_accessible(&check("delete all, confirm"))
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser.wait_for_text("#app-password-count", "0 of 2").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_and_dialog_state_passes_axe_in_light_and_dark() {
    let server = TestServer::start_with(&[&ADA], &["--max-app-passwords", "2"]);
    let front = FaultyFront::start(&server, Some(SERVICES)).await;
    let browser = Browser::start().await;

    // Sign-in, its error, the second factor, its error.
    browser.goto(&front.url("/app-passwords")).await;
    browser.find("#login").await;
    browser.expect_accessible("sign-in").await;
    browser.type_into("#login", ADA.login).await;
    browser.type_into("#password", "not-the-password").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("[role=alert]", "incorrect").await;
    browser.expect_accessible("sign-in, wrong password").await;
    browser.type_into("#password", ADA.password).await;
    browser.click("button[type=submit]").await;
    browser.find("#code").await;
    browser.expect_accessible("second factor").await;
    browser.type_into("#code", ADA.wrong_code()).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("[role=alert]", "not valid").await;
    browser.expect_accessible("second factor, wrong code").await;
    browser.type_into("#code", &ADA.current_code()).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("#app-password-count", "0 of 2").await;

    walk_every_state(&browser, &front, "light").await;
    browser.emulate_media("prefers-color-scheme", "dark").await;
    walk_every_state(&browser, &front, "dark").await;

    // An address the app does not have.
    browser.goto(&front.url("/no/such/screen")).await;
    browser.find("#not-found-title").await;
    browser.expect_accessible("not found (dark)").await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_mistakes_sign_out_the_theme_and_a_phone_pass_axe_in_light_and_dark() {
    let server = TestServer::start(&[&ADA, &GRACE]);
    let browser = Browser::start().await;
    for (scheme, other) in [("light", "Dark"), ("dark", "Light")] {
        browser.emulate_media("prefers-color-scheme", scheme).await;
        let check = |state: &str| format!("{state} ({scheme})");

        // Sign-in: a field missing; the code step, a code of the wrong form.
        browser.goto(&server.url("/app-passwords")).await;
        browser.find("#language-en").await;
        browser.click("button[type=submit]").await;
        browser.find("#sign-in-notice").await;
        browser
            .expect_accessible(&check("sign-in, a field missing"))
            .await;
        browser.type_into("#login", ADA.login).await;
        browser.type_into("#password", ADA.password).await;
        browser.click("button[type=submit]").await;
        browser.type_into("#code", "12").await;
        browser.click("button[type=submit]").await;
        browser.find("#sign-in-notice").await;
        browser
            .expect_accessible(&check("second factor, not 6 digits"))
            .await;
        browser.click("#other-account").await;

        // A phone: the list and the verification tab.
        browser.sign_in(&GRACE).await;
        browser.find("#create").await;
        browser.set_size(390, 844).await;
        browser
            .expect_accessible(&check("the list on a phone"))
            .await;
        browser.click("#tab-verification").await;
        browser.find("#default-method").await;
        browser
            .expect_accessible(&check("the verification tab on a phone"))
            .await;
        browser.set_size(1280, 800).await;

        // The other theme, chosen in the menu over the system's; then
        // signed out.
        browser.choose_theme(other).await;
        browser
            .expect_accessible(&check(&format!("{other} chosen in the menu")))
            .await;
        browser.sign_out().await;
        browser.find("#sign-in-notice").await;
        browser
            .expect_accessible(&check(&format!("signed out, {other} chosen")))
            .await;
    }

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_flow_works_with_the_keyboard_alone() {
    let server = TestServer::start(&[&GRACE]);
    let front = FaultyFront::start(&server, Some(SERVICES)).await;
    let browser = Browser::start().await;
    browser.grant_clipboard().await;
    let (tab, enter, space, escape) = (
        char::from(Key::Tab),
        char::from(Key::Enter),
        char::from(Key::Space),
        char::from(Key::Escape),
    );
    let (down, up, right) = (
        char::from(Key::Down),
        char::from(Key::Up),
        char::from(Key::Right),
    );

    // Sign in: Tab to each field, type, Enter.
    browser.goto(&front.url("/app-passwords")).await;
    browser.find("#login").await;
    browser.press(tab).await;
    browser.expect_focus("login").await;
    browser.type_here(GRACE.login).await;
    browser.press(tab).await;
    browser.expect_focus("password").await;
    browser.type_here(GRACE.password).await;
    browser.press(enter).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    // Signed in, the focus is on the page's heading, not the body.
    browser
        .wait_for_script("return document.activeElement.id", "page-title")
        .await;

    // The settings menu, just before it: open, arrows, Escape gives focus
    // back.
    browser.press_shifted(tab).await;
    browser.expect_focus("Settings").await;
    browser.press(enter).await;
    browser
        .expect_focus("Additional security verification")
        .await;
    browser.press(down).await;
    browser.expect_focus("App passwords").await;
    browser.press(down).await;
    browser.expect_focus("English").await;
    browser.press(up).await;
    browser.expect_focus("App passwords").await;
    browser.press(escape).await;
    browser.expect_focus("Settings").await;
    // Into the verification tab from the menu.
    browser.press(enter).await;
    browser
        .expect_focus("Additional security verification")
        .await;
    browser.press(enter).await;
    browser.wait_for_path("/security-info").await;
    browser.find("#default-method").await;

    // The tabs: Tab goes on from where the menu was to the selected tab;
    // the arrow key moves on and opens the next, which keeps the focus.
    browser.press(tab).await;
    browser.expect_focus("tab-verification").await;
    browser.press(right).await;
    browser.wait_for_path("/app-passwords").await;
    browser.expect_focus("tab-app-passwords").await;

    // Create: into the dialog on open, Copy on step two, "Set up a device"
    // (a client chosen with the arrows, a value copied), back to Create.
    browser.press(tab).await;
    browser.expect_focus("create").await;
    browser.press(enter).await;
    browser.expect_focus("app-password-name").await;
    browser.type_here("Mail").await;
    browser.press(enter).await;
    browser.expect_focus("copy-password").await;
    browser.press(space).await;
    browser.wait_for_text("#copy-password", "Copied").await;
    browser.press(tab).await;
    browser.expect_focus("setup-device").await;
    browser.press(enter).await;
    browser.find("#setup-client").await;
    browser.press(tab).await;
    browser.expect_focus("spell-password").await;
    browser.press(enter).await;
    browser.find(".spelled li").await;
    browser.press(tab).await;
    browser.expect_focus("setup-client").await;
    browser.press(up).await;
    browser.wait_for_text("#setup-steps", "Manual setup").await;
    browser.press(tab).await;
    browser.expect_focus("copy-setup-login").await;
    browser.press(enter).await;
    browser.wait_for_text("#copy-setup-login", "Copied").await;
    for _ in 0..7 {
        browser.press(tab).await;
    }
    browser.expect_focus("done").await;
    browser.press(enter).await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.expect_focus("create").await;

    // A second one, with Space to open; Done without a copy asks, with
    // "Keep it open" focused, which goes back to Copy; then Close anyway.
    browser.press(space).await;
    browser.expect_focus("app-password-name").await;
    browser.type_here("Calendar").await;
    browser.press(enter).await;
    browser.expect_focus("copy-password").await;
    for _ in 0..3 {
        browser.press(tab).await;
    }
    browser.expect_focus("done").await;
    browser.press(enter).await;
    browser.expect_focus("keep-open").await;
    browser.press(enter).await;
    browser.expect_focus("copy-password").await;
    for _ in 0..3 {
        browser.press(tab).await;
    }
    browser.press(enter).await;
    browser.expect_focus("keep-open").await;
    browser.press(tab).await;
    browser.expect_focus("close-anyway").await;
    browser.press(enter).await;
    browser.wait_for_rows(&["Calendar", "Mail"]).await;
    browser.expect_focus("create").await;

    // Shift+Tab goes back to the tab, Tab forward again.
    browser.press_shifted(tab).await;
    browser.expect_focus("tab-app-passwords").await;
    browser.press(tab).await;
    browser.expect_focus("create").await;

    // Rename the first row, the newest, past the column headings (which
    // sort the list).
    browser.press(tab).await;
    browser.expect_focus("sort-name").await;
    browser.press(tab).await;
    browser.expect_focus("sort-created").await;
    browser.press(tab).await;
    browser.expect_focus("rename-0").await;
    browser.press(enter).await;
    browser.expect_focus("rename-name").await;
    browser.type_here("Calendar (home)").await;
    browser.press(enter).await;
    browser.wait_for_rows(&["Calendar (home)", "Mail"]).await;
    browser.expect_focus("rename-0").await;

    // Delete it: the safe choice has focus; Shift+Tab to Delete; after it,
    // focus is on the row that took its place.
    browser.press(tab).await;
    expect_delete_focused(&browser, "Delete Calendar (home)").await;
    browser.press(enter).await;
    browser.expect_focus("Cancel").await;
    browser.press_shifted(tab).await;
    browser.expect_focus("Delete").await;
    browser.press(enter).await;
    browser.wait_for_rows(&["Mail"]).await;
    browser.expect_focus("rename-0").await;

    // Escape closes a dialog and gives focus back to what opened it.
    browser.press(tab).await;
    expect_delete_focused(&browser, "Delete Mail").await;
    browser.press(enter).await;
    browser.expect_focus("Cancel").await;
    browser.press(escape).await;
    expect_delete_focused(&browser, "Delete Mail").await;
    browser.wait_for_rows(&["Mail"]).await;

    // Delete all sits under the list, after its rows, away from Create.
    browser.press(tab).await;
    browser.expect_focus("delete-all").await;

    browser.finish().await;
}

/// Asserts that the first row's Delete has focus and that a screen reader
/// names it `name` (which row it deletes), not just "Delete".
async fn expect_delete_focused(browser: &Browser, name: &str) {
    browser.expect_focus("delete-0").await;
    let label = browser
        .script("return document.activeElement.getAttribute('aria-label')")
        .await;
    assert_eq!(
        support::without_isolates(label.as_str().unwrap_or_default()),
        name
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_layout_reflows_at_320_px_and_200_percent_zoom_and_moves_less_when_asked() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::start().await;
    // 320 CSS px is WCAG's reflow width; 550 is what a 1100 px window
    // shows at 200 % zoom.
    let widths = [320, 550];

    browser.goto(&server.url("/app-passwords")).await;
    browser.find("#login").await;
    for width in widths {
        browser.set_width(width).await;
        browser
            .expect_no_sideways_scroll(&format!("sign-in at {width} px"))
            .await;
    }
    browser.set_width(1100).await;
    browser.sign_in(&GRACE).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    // A long name without spaces is the hardest to fit.
    browser
        .create_app_password(&"Thunderbird-on-the-family-laptop-in-the-study".repeat(2))
        .await;
    browser.create_app_password("Phone").await;

    for width in widths {
        browser.set_width(width).await;
        let at = |state: &str| format!("{state} at {width} px");
        browser.wait_for_text("#app-password-count", " of 40").await;
        browser.expect_no_sideways_scroll(&at("the list")).await;
        browser.click("button[aria-haspopup=menu]").await;
        browser.find("[role=menu]").await;
        browser
            .expect_no_sideways_scroll(&at("the settings menu"))
            .await;
        browser.press(Key::Escape.into()).await;
        browser.create_app_password_and_stay("Tablet").await;
        browser.click("#spell-password").await;
        browser.find(".spelled li").await;
        browser
            .expect_no_sideways_scroll(&at("the new password"))
            .await;
        browser.click("#done").await;
        browser.click("#tab-verification").await;
        browser.find("#default-method").await;
        browser
            .expect_no_sideways_scroll(&at("the verification tab"))
            .await;
        browser.click("#tab-app-passwords").await;
    }
    browser.set_width(1100).await;

    // Less motion when the system asks for it.
    let duration = "return getComputedStyle(document.getElementById('create')).transitionDuration";
    browser.wait_for_text("#app-password-count", "of 40").await;
    assert_eq!(browser.script(duration).await, "0.15s, 0.15s");
    browser
        .emulate_media("prefers-reduced-motion", "reduce")
        .await;
    assert_eq!(browser.script(duration).await, "0s");

    browser.finish().await;
}
