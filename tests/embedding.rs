//! The app embedded in a host page: `examples/portal/` on one origin, with
//! a bearer token from the portal, against the reference server on another.
//! Needs `scripts/test.sh` to have built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::{json, Value};
use support::site::{copy_folder, dist, Site};
use support::{Browser, TestServer, ADA};

/// The portal example as deployed beside `api_base`: a copy with the one
/// line an operator changes.
fn deploy_portal(api_base: &str) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temporary folder");
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portal");
    copy_folder(&example, folder.path());
    let page = folder.path().join("security.html");
    let html = std::fs::read_to_string(&page).expect("read security.html");
    let original = r#"data-api-base="http://127.0.0.1:8080/api/v1""#;
    assert!(html.contains(original), "security.html names its backend");
    std::fs::write(
        &page,
        html.replace(original, &format!(r#"data-api-base="{api_base}""#)),
    )
    .expect("write security.html");
    folder
}

/// Pastes `token` into the portal's stand-in sign-in, once it asks.
async fn portal_sign_in(browser: &Browser, token: &str) {
    browser.find("#portal-sign-in[open]").await;
    browser.type_into("#portal-token", token).await;
    browser.click("#portal-sign-in button[type=submit]").await;
}

/// The events the portal received, as `[type, detail]` pairs.
async fn portal_events(browser: &Browser) -> Vec<(String, Value)> {
    let events = browser
        .script("return window.portalEvents.map(e => [e.type, e.detail])")
        .await;
    serde_json::from_value(events).expect("a list of events")
}

/// Waits until the portal has received `count` events.
async fn wait_for_events(browser: &Browser, count: usize) -> Vec<(String, Value)> {
    browser
        .wait_for_script(
            "return String(window.portalEvents.length)",
            &count.to_string(),
        )
        .await;
    portal_events(browser).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_embeds_the_app_with_a_bearer_token_and_hears_what_happens() {
    let site = Site::build().await;
    let server = TestServer::start_with(&[&ADA], &["--cors-origin", site.origin()]);
    let portal = deploy_portal(&format!("{}/api/v1", server.base_url));
    let site = site
        .folder("/portal/app", &dist())
        .page("/portal/security", &portal.path().join("security.html"))
        .folder("/portal", portal.path())
        .allow_connect(&server.base_url)
        .start()
        .await;
    let browser = Browser::start().await;

    // A deep link into the app's screens inside the portal's page. The app
    // asks the portal for a token; the portal asks its user.
    browser
        .goto(&site.url("/portal/security/app-passwords"))
        .await;
    browser
        .wait_for_text("#portal-sign-in-message", "paste a token")
        .await;

    // A token the backend refuses: the app asks the portal again.
    portal_sign_in(&browser, "not-a-real-token").await;
    browser
        .wait_for_text("#portal-sign-in-message", "the token was refused")
        .await;
    let token = server.admin(&["issue-token", "--login", ADA.login]);
    portal_sign_in(&browser, token.trim()).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    browser.wait_for_text("#portal-token-requests", "2").await;

    // The portal keeps its page: its title, its look, no top bar of the
    // app's (data-header="false"), and its theme on the app's buttons.
    assert_eq!(
        browser.script("return document.title").await,
        "Security · Example Portal"
    );
    assert_eq!(
        browser
            .script("return getComputedStyle(document.body).backgroundColor")
            .await,
        "rgb(250, 247, 240)"
    );
    assert_eq!(
        browser
            .script("return getComputedStyle(document.querySelector('.portal-main h1')).fontFamily")
            .await,
        r#"Georgia, "Times New Roman", serif"#
    );
    assert_eq!(
        browser
            .script("return document.querySelector('#app-passwords .top-bar') === null")
            .await,
        true
    );
    assert_eq!(
        browser
            .script("return getComputedStyle(document.getElementById('create')).backgroundColor")
            .await,
        "rgb(107, 33, 168)"
    );

    // Create → copy, inside the portal.
    browser.grant_clipboard().await;
    let password = browser.create_app_password_and_stay("Portal mail").await;
    assert_eq!(browser.copy_password().await, password);
    assert_eq!(server.verify(ADA.login, &password).await.0, 200);
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;

    // The portal heard of it: id and name, never the password.
    let events = wait_for_events(&browser, 1).await;
    let (kind, detail) = &events[0];
    assert_eq!(kind, "app-passwords:created");
    assert_eq!(detail["name"], "Portal mail");
    let id = detail["id"].as_str().expect("an id").to_owned();
    assert!(!id.is_empty());
    let everything_heard = browser
        .script("return JSON.stringify(window.portalEvents) + document.getElementById('portal-events').textContent")
        .await;
    assert!(
        !everything_heard
            .as_str()
            .unwrap_or_default()
            .contains(&password),
        "no event carries the password"
    );

    // Rename and delete are heard too.
    browser.click("#rename-0").await;
    browser
        .type_into("#rename-name", "Portal mail (work)")
        .await;
    browser.click(".ap-root dialog button[type=submit]").await;
    browser.wait_for_text(".status-line", "Renamed to").await;
    browser
        .click(".app-password-row .button-danger-quiet")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    let events = wait_for_events(&browser, 3).await;
    browser
        .script("document.getElementById('portal-events').scrollIntoView({ block: 'end' })")
        .await;
    browser.screenshot("portal").await;
    assert_eq!(
        events[1..],
        [
            (
                "app-passwords:renamed".to_owned(),
                json!({ "id": id, "name": "Portal mail (work)" })
            ),
            (
                "app-passwords:deleted".to_owned(),
                json!({ "id": id, "name": "Portal mail (work)" })
            ),
        ]
    );

    // The portal's session ends (an administrator revokes its tokens) in
    // the middle of a create: the app asks the portal for a new token; the
    // user declines; the app says so, keeps the name, and tells the portal.
    server.admin(&["revoke-tokens", "--login", ADA.login]);
    browser.start_create("After the break").await;
    browser.click(".ap-root dialog button[type=submit]").await;
    browser
        .wait_for_text("#portal-sign-in-message", "the token was refused")
        .await;
    browser.screenshot("portal-sign-in").await;
    browser.click("#portal-cancel").await;
    browser
        .wait_for_text(
            ".ap-root dialog[open] [role=alert]",
            "Sign in again, then try again",
        )
        .await;
    let events = wait_for_events(&browser, 4).await;
    assert_eq!(
        events[3],
        ("app-passwords:session-expired".to_owned(), json!({}))
    );
    assert_eq!(
        browser.value_of("#app-password-name").await,
        "After the break"
    );

    // Signed in to the portal again, Next goes on where it stopped.
    let token = server.admin(&["issue-token", "--login", ADA.login]);
    browser.click(".ap-root dialog button[type=submit]").await;
    portal_sign_in(&browser, token.trim()).await;
    browser.find("#new-password").await;
    browser
        .wait_for_text(".created-name", "After the break")
        .await;
    browser.close_created().await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;

    // The app's own links route inside the page, without a reload...
    browser
        .script("window.portalMarker = 'still the same page'")
        .await;
    browser.click("#tab-verification").await;
    browser
        .wait_for_path("/portal/security/security-info")
        .await;
    browser.find("#default-method").await;
    assert_eq!(
        browser.script("return window.portalMarker").await,
        "still the same page"
    );
    // ...and the portal's own link outside them navigates as it always did.
    browser.click("#portal-home").await;
    browser.wait_for_path("/portal/").await;
    browser.wait_for_text("h1", "Example Portal home").await;
    assert_eq!(
        browser
            .script("return window.portalMarker === undefined")
            .await,
        true,
        "a real page load, not the app's router"
    );

    browser.finish().await;
}

#[test]
fn every_style_rule_applies_only_under_the_app_root() {
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("style/main.css"),
    )
    .expect("read style/main.css");
    // Comments out, then every selector list before a `{` that is not an
    // at-rule's.
    let mut text = String::new();
    let mut rest = css.as_str();
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    let mut checked = 0;
    for block in text.split('{') {
        let prelude = block.rsplit(['}', ';']).next().unwrap_or_default().trim();
        if prelude.is_empty() || prelude.starts_with('@') {
            continue;
        }
        for selector in prelude.split(',') {
            let selector = selector.trim();
            assert!(
                selector.starts_with(".ap-root") || selector.starts_with(":where(.ap-root"),
                "{selector:?} would style the host page too: scope it under .ap-root"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 50,
        "only {checked} selectors found: is the parser right?"
    );
}
