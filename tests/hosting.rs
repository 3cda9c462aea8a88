//! The built app hosted as static files: under a sub-path with only
//! `<base href>` changed, configured by `app-config.json`, against a second
//! backend that differs from the reference server in every way the contract
//! allows, against the reference server on another origin, and behind the
//! README's nginx and Caddy configurations. Needs `scripts/test.sh` to have
//! built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::compatible_backend::{CompatibleBackend, KIM, KIM_CODE, REFUSED_WORD};
use support::site::Site;
use support::{Browser, TestServer, ADA};

/// Waits until the list shows exactly `names`, in order.
async fn wait_for_rows(browser: &Browser, names: &[&str]) {
    browser
        .wait_for_script(
            "return JSON.stringify([...document.querySelectorAll('.app-password-row .name')].map(e => e.textContent))",
            &serde_json::to_string(names).expect("JSON"),
        )
        .await;
}

/// Creates an app password named `name` through the dialog and closes it;
/// returns the password shown.
async fn create(browser: &Browser, name: &str) -> String {
    browser.click("#create").await;
    browser.type_into("#app-password-name", name).await;
    browser.click("dialog button[type=submit]").await;
    let password = browser
        .find("#new-password")
        .await
        .text()
        .await
        .expect("password text");
    browser.click("#done").await;
    password
}

#[tokio::test(flavor = "multi_thread")]
async fn works_under_a_sub_path_against_any_compatible_backend() {
    let backend = CompatibleBackend::default();
    // Unknown fields are ignored: a newer file works with this app.
    let config = r#"{ "api_base": "/idp/api/v1", "title": "Example IdP",
                      "support_email": "help@idp.example.net", "features": { "beta": true } }"#;
    let site = Site::build()
        .await
        .app("/portal/security/", Some(config))
        .nest("/idp/api/v1", backend.router())
        .start()
        .await;
    let browser = Browser::start().await;

    // A deep link under the sub-path, signed out: sign-in, under it too.
    browser
        .goto(&site.url("/portal/security/app-passwords"))
        .await;
    browser
        .wait_for_path("/portal/security/sign-in?return=/app-passwords")
        .await;
    browser.wait_for_text(".product", "Example IdP").await;
    assert_eq!(browser.script("return document.title").await, "Example IdP");

    // Its problem types have another prefix; the app still knows them.
    browser.type_into("#login", KIM.login).await;
    browser.type_into("#password", "not-the-password").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("[role=alert]", "incorrect").await;
    browser.type_into("#password", KIM.password).await;
    browser.click("button[type=submit]").await;
    browser.find("#code").await;
    browser.type_into("#code", KIM_CODE).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_for_path("/portal/security/app-passwords")
        .await;
    browser.wait_for_text("#app-password-count", "0 of 3").await;

    // Its answers are slow: Next says so and cannot send twice.
    browser.click("#create").await;
    browser
        .type_into("#app-password-name", "Mail on the phone")
        .await;
    browser.click("dialog button[type=submit]").await;
    let sending = browser
        .script("const b = document.querySelector('dialog button[type=submit]'); return b ? [b.disabled, b.textContent] : null")
        .await;
    assert_eq!(sending, serde_json::json!([true, "Creating…"]));
    let password = browser
        .find("#new-password")
        .await
        .text()
        .await
        .expect("password text");
    assert!(password.len() >= 32, "{password}");
    // This backend names no login for the password: none is shown.
    assert_eq!(
        browser
            .script("return document.querySelector('.created-login') === null")
            .await,
        true
    );
    browser.click("#done").await;
    browser.wait_for_text("#app-password-count", "1 of 3").await;
    assert_eq!(backend.ids().len(), 1, "one create, one app password");

    // Columns follow what the backend gives: expiry, but no last use.
    let headings = browser
        .script("return [...document.querySelectorAll('.app-password-table th')].map(e => e.textContent)")
        .await;
    assert_eq!(
        headings,
        serde_json::json!(["Name", "Created", "Expires", "Actions"])
    );
    // Ids are opaque and never shown.
    let id = &backend.ids()[0];
    assert_eq!(
        browser
            .client
            .execute(
                "return document.body.innerText.includes(arguments[0])",
                vec![id.clone().into()]
            )
            .await
            .unwrap(),
        false
    );

    // A name this backend refuses: its words, next to the field; the name stays.
    browser.click("#create").await;
    let refused = format!("A {REFUSED_WORD} printer");
    browser.type_into("#app-password-name", &refused).await;
    browser.click("dialog button[type=submit]").await;
    browser
        .wait_for_text("#app-password-name-error", "does not allow")
        .await;
    assert_eq!(
        browser
            .script("return document.getElementById('app-password-name').value")
            .await,
        refused.as_str()
    );
    browser.click("dialog button[type=button]").await;

    // Up to its limit of 3, then Create is off and the limit explained.
    create(&browser, "Calendar").await;
    browser.wait_for_text("#app-password-count", "2 of 3").await;
    create(&browser, "Scanner").await;
    browser.wait_for_text("#app-password-count", "3 of 3").await;
    assert_eq!(
        browser
            .script("return document.getElementById('create').disabled")
            .await,
        true
    );
    browser
        .wait_for_text("#limit-note", "the most allowed")
        .await;

    // Rename and delete address items by their UUIDs.
    browser.click("#rename-1").await;
    browser.type_into("#rename-name", "Calendar (work)").await;
    browser.click("dialog button[type=submit]").await;
    browser.wait_for_text(".status-line", "Renamed to").await;
    wait_for_rows(
        &browser,
        &["Mail on the phone", "Calendar (work)", "Scanner"],
    )
    .await;
    browser
        .click(".app-password-row:first-child .button-danger-quiet")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser.wait_for_text("#app-password-count", "2 of 3").await;
    wait_for_rows(&browser, &["Calendar (work)", "Scanner"]).await;

    // A reload of another screen's deep link: the page, its assets and the
    // configuration all resolve under the sub-path.
    browser
        .goto(&site.url("/portal/security/security-info"))
        .await;
    browser.find("#default-method").await;
    let methods = browser
        .script("return [...document.querySelectorAll('#default-method option')].map(o => o.value)")
        .await;
    assert_eq!(methods, serde_json::json!(["app_code", "sms"]));
    browser.wait_for_text(".product", "Example IdP").await;

    browser.click("#tab-app-passwords").await;
    browser
        .wait_for_path("/portal/security/app-passwords")
        .await;
    browser.click("#delete-all").await;
    browser
        .wait_for_text("dialog[open] h2", "Delete all 2 app passwords?")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser.wait_for_text("#app-password-count", "0 of 3").await;
    assert!(backend.ids().is_empty());

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_sign_in_page_takes_over_with_the_way_back() {
    let backend = CompatibleBackend::default();
    let config = r#"{ "api_base": "/idp/api/v1", "sign_in_url": "/login?client=app-passwords" }"#;
    let site = Site::build()
        .await
        .app("/portal/security/", Some(config))
        .nest("/idp/api/v1", backend.router())
        .route(
            "/login",
            axum::routing::get(|| async {
                axum::response::Html(
                    "<!DOCTYPE html><title>Site sign-in</title><link rel=\"icon\" href=\"data:,\"><h1>Site sign-in</h1>",
                )
            }),
        )
        .start()
        .await;
    let browser = Browser::start().await;

    let deep_link = site.url("/portal/security/security-info?from=mail");
    browser.goto(&deep_link).await;
    browser.wait_for_text("h1", "Site sign-in").await;
    let url = browser.client.current_url().await.expect("current URL");
    assert_eq!(url.path(), "/login");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("client".to_owned(), "app-passwords".to_owned()),
            ("return_to".to_owned(), deep_link)
        ]
    );

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_configuration_says_what_is_wrong_instead_of_a_blank_page() {
    let browser = Browser::start().await;
    for (config, expected) in [
        (
            r#"{ "api_base": "/api/v1", "#,
            "app-config.json: it is not valid JSON",
        ),
        (
            r#"{ "auth": "berer" }"#,
            r#"app-config.json: "auth" is "berer"; use "cookie" or "bearer"."#,
        ),
    ] {
        let site = Site::build().await.app("/", Some(config)).start().await;
        browser.goto(&site.url("/app-passwords")).await;
        browser
            .wait_for_text("[role=alert] h1", "App passwords cannot start")
            .await;
        browser.wait_for_text(".config-error", expected).await;
    }
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_flow_works_with_the_backend_on_another_origin() {
    // The app's host and the API are two origins (two loopback ports): the
    // server allows the app's origin, the app's CSP allows the server's.
    let site = Site::build().await;
    let server = TestServer::start_with(&[&ADA], &["--cors-origin", site.origin()]);
    let config = format!(r#"{{ "api_base": "{}/api/v1/" }}"#, server.base_url);
    let site = site
        .app("/", Some(&config))
        .allow_connect(&server.base_url)
        .start()
        .await;
    let browser = Browser::start().await;

    // The session cookie and the CSRF token work across the two origins.
    browser.goto(&site.url("/app-passwords")).await;
    browser
        .wait_for_path("/sign-in?return=/app-passwords")
        .await;
    browser.sign_in(&ADA).await;
    browser.wait_for_path("/app-passwords").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;

    browser.grant_clipboard().await;
    let password = create(&browser, "Cross-origin mail").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    let (status, verified) = server.verify(ADA.login, &password);
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["app_password"]["name"], "Cross-origin mail");

    browser.click("#rename-0").await;
    browser
        .type_into("#rename-name", "Renamed across origins")
        .await;
    browser.click("dialog button[type=submit]").await;
    wait_for_rows(&browser, &["Renamed across origins"]).await;
    browser
        .click(".app-password-row .button-danger-quiet")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    assert_eq!(server.verify(ADA.login, &password).0, 401);

    // Every API call went to the server's origin, none to the app's.
    let api_origins = browser
        .script(
            "return [...new Set(performance.getEntriesByType('resource')
                 .filter(e => e.name.includes('/api/v1/')).map(e => new URL(e.name).origin))]",
        )
        .await;
    assert_eq!(api_origins, serde_json::json!([server.base_url]));

    browser.finish().await;
}
