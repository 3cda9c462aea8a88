//! The built app hosted as static files: under a sub-path with only
//! `<base href>` changed, configured by `app-config.json`, against a second
//! backend that differs from the reference server in every way the contract
//! allows, against the reference server on another origin, and behind the
//! hosting guide's nginx and Caddy configurations. Needs `scripts/test.sh` to have
//! built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::compatible_backend::{CompatibleBackend, KIM, KIM_CODE, REFUSED_WORD};
use support::site::{copy_folder, deploy_app, Site};
use support::{free_port, http, make_app_passwords, Browser, ProcessGroup, TestServer, ADA, GRACE};
use testkit::{adapted, open_to_services, Nginx};

#[tokio::test(flavor = "multi_thread")]
async fn works_under_a_sub_path_against_any_compatible_backend() {
    let backend = CompatibleBackend::default();
    // Unknown fields are ignored: a newer file works with this app.
    let config = r#"{ "api_base": "/idp/api/v1", "title": "Example IdP",
                      "imap_host": "mail.idp.example.net", "smtp_host": "mail.idp.example.net",
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

    // Its responses are slow: Next says so and cannot send twice.
    browser.start_create("Mail on the phone").await;
    // A backend that states no expiry policy gets the dialog without a choice.
    assert_eq!(
        browser
            .script("return document.querySelectorAll('#expiry, #expiry-date').length")
            .await,
        0
    );
    // Asked for mail only, this backend, which knows no services, makes
    // a password for everything: the password step says so.
    browser.click("#scope-mail").await;
    browser.click("dialog button[type=submit]").await;
    let sending = browser
        .script("const b = document.querySelector('dialog button[type=submit]'); return b ? [b.disabled, b.textContent] : null")
        .await;
    assert_eq!(sending, serde_json::json!([true, "Creating…"]));
    let password = browser.shown_password().await;
    assert!(password.len() >= 32, "{password}");
    browser
        .wait_for_text("#scope-ignored", "works for everything")
        .await;
    // This backend names no login for the password: none is shown.
    assert_eq!(
        browser
            .script("return document.querySelector('.created-login') === null")
            .await,
        true
    );
    browser.close_created().await;
    browser.wait_for_text("#app-password-count", "1 of 3").await;
    assert_eq!(backend.ids().len(), 1, "one create, one app password");
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.app-password-row .scope').length")
            .await,
        0,
        "an item without services opens every one"
    );

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
    let refused = format!("A {REFUSED_WORD} printer");
    browser.start_create(&refused).await;
    browser.click("dialog button[type=submit]").await;
    browser
        .wait_for_text("#app-password-name-error", "does not allow")
        .await;
    assert_eq!(browser.value_of("#app-password-name").await, refused);
    browser.click("dialog button[type=button]").await;

    // Up to its limit of 3, then Create is off and the limit explained.
    browser.create_app_password("Calendar").await;
    browser.wait_for_text("#app-password-count", "2 of 3").await;
    browser.create_app_password("Scanner").await;
    browser.wait_for_text("#app-password-count", "3 of 3").await;
    browser.expect_at_the_limit().await;

    // Rename and delete address items by their UUIDs.
    browser.click("#rename-1").await;
    browser.type_into("#rename-name", "Calendar (work)").await;
    browser.click("dialog button[type=submit]").await;
    browser.wait_for_text(".status-line", "Renamed to").await;
    browser
        .wait_for_rows(&["Scanner", "Calendar (work)", "Mail on the phone"])
        .await;
    browser
        .click(".app-password-row:last-child .button-danger-quiet")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser.wait_for_text("#app-password-count", "2 of 3").await;
    browser.wait_for_rows(&["Scanner", "Calendar (work)"]).await;

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
        browser.screenshot("config-error").await;
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
    let password = browser.create_app_password("Cross-origin mail").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    let (status, verified) = server.verify(ADA.login, &password).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["app_password"]["name"], "Cross-origin mail");

    browser.click("#rename-0").await;
    browser
        .type_into("#rename-name", "Renamed across origins")
        .await;
    browser.click("dialog button[type=submit]").await;
    browser.wait_for_rows(&["Renamed across origins"]).await;
    browser
        .click(".app-password-row .button-danger-quiet")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    assert_eq!(server.verify(ADA.login, &password).await.0, 401);

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

/// A web root laid out as the hosting guide (docs/hosting.md) says: the app (a
/// copy of dist/ with `<base href>` changed) in `portal/security/`, with a
/// configuration file; open to the web server's workers.
fn web_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temporary web root");
    open_to_services(root.path());
    let app = deploy_app(
        "/portal/security/",
        Some(r#"{ "title": "Contoso security" }"#),
    );
    copy_folder(app.path(), &root.path().join("portal/security"));
    root
}

/// A hosting configuration from `examples/hosting/`, with `edits` made as
/// an operator would make them.
fn hosting_config(file: &str, edits: &[(&str, &str)]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/hosting")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("read the hosting example");
    adapted(&text, edits)
}

/// The file of `index` (the app's index.html under /portal/security/ at
/// `origin`) whose name `is_it` picks, as the host serves it: there, and
/// cached for good.
async fn hashed_file(
    origin: &str,
    index: &str,
    what: &str,
    is_it: impl Fn(&str) -> bool,
) -> http::Response {
    let name = index
        .split('"')
        .find(|part| is_it(part))
        .unwrap_or_else(|| panic!("index.html names {what}"));
    let response = http::get(&format!(
        "{origin}/portal/security/{}",
        name.trim_start_matches("./")
    ))
    .await;
    assert_eq!(response.status, 200, "{what}");
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=31536000, immutable"),
        "{what}"
    );
    response
}

/// Checks a web server set up by one of the hosting guide's configurations at
/// `origin`: the app under /portal/security/ with the right headers, deep
/// links, 404s for missing files, and the whole app working through its
/// /api/v1/ proxy to `server`.
async fn check_static_host(origin: &str, server: &TestServer) {
    let csp = |response: &http::Response| {
        let policy = response
            .header("content-security-policy")
            .unwrap_or_default()
            .to_owned();
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'")
                && !policy.contains("unsafe-inline"),
            "{policy}"
        );
    };
    // Screens are the app's index.html, never cached.
    for screen in [
        "/portal/security/",
        "/portal/security/app-passwords",
        "/portal/security/sign-in",
    ] {
        let page = http::get(&format!("{origin}{screen}")).await;
        assert_eq!(page.status, 200, "{screen}");
        assert!(
            page.body.contains(r#"<base href="/portal/security/" />"#),
            "{screen}"
        );
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{screen}");
        csp(&page);
    }
    // Hashed files are cached for good, the rest revalidated.
    let index = http::get(&format!("{origin}/portal/security/index.html"))
        .await
        .body;
    let wasm = hashed_file(origin, &index, "the wasm", |name| {
        name.ends_with("_bg.wasm")
    })
    .await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    csp(&wasm);
    // The page's own boot script too: a warm load requests only index.html.
    hashed_file(origin, &index, "a hashed embed.js", |name| {
        name.starts_with("./embed-") && name.ends_with(".js")
    })
    .await;
    for file in ["app-config.json", "embed.js"] {
        let response = http::get(&format!("{origin}/portal/security/{file}")).await;
        assert_eq!(response.status, 200, "{file}");
        assert_eq!(response.header("cache-control"), Some("no-cache"), "{file}");
    }
    // A missing file is a 404, never the app's page in its place.
    assert_eq!(
        http::get(&format!("{origin}/portal/security/missing-0123abcd.js"))
            .await
            .status,
        404
    );

    // The app itself, through the proxy, from a deep link.
    let browser = Browser::start().await;
    browser
        .goto(&format!("{origin}/portal/security/security-info"))
        .await;
    browser
        .wait_for_path("/portal/security/sign-in?return=/security-info")
        .await;
    browser.wait_for_text(".product", "Contoso security").await;
    browser.sign_in(&GRACE).await;
    browser
        .wait_for_path("/portal/security/security-info")
        .await;
    browser.find("#default-method").await;
    browser.click("#tab-app-passwords").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    let password = browser.create_app_password("Behind the proxy").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    assert_eq!(server.verify(GRACE.login, &password).await.0, 200);
    // A reload of the deep link keeps the user where they were.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.finish().await;
}

/// What a test of one of the hosting guide's web server configurations stands on:
/// the reference server, a web root laid out as the hosting guide says, a folder
/// for the web server's own files, and a free loopback address.
struct WebServerTest {
    server: TestServer,
    root: tempfile::TempDir,
    work: tempfile::TempDir,
    address: String,
}

impl WebServerTest {
    fn new() -> Self {
        Self {
            // The hosting guide's proxy configurations forward the client's
            // address, and the server believes only them.
            server: TestServer::start_with(&[&GRACE], &["--trusted-proxy", "127.0.0.1/32"]),
            root: web_root(),
            work: tempfile::tempdir().expect("the web server's folder"),
            address: format!("127.0.0.1:{}", free_port()),
        }
    }

    /// Writes `text` as `name` in the web server's folder; returns its path.
    fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.work.path().join(name);
        std::fs::write(&path, text).expect("write the web server's configuration");
        path
    }

    /// The port of `address`.
    fn port(&self) -> u16 {
        self.address
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .expect("an address with a port")
    }

    /// Checks the site the web server at `address` serves.
    async fn check(&self) {
        check_static_host(&format!("http://{}", self.address), &self.server).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_nginx_configuration_hosts_the_app_under_a_sub_path() {
    let test = WebServerTest::new();
    let site = hosting_config(
        "nginx.conf",
        &[
            ("listen 80;", &format!("listen {};", test.address)),
            (
                "root /srv/www;",
                &format!("root {};", test.root.path().display()),
            ),
            (
                "proxy_pass http://127.0.0.1:8080;",
                &format!("proxy_pass {};", test.server.base_url),
            ),
        ],
    );
    let _nginx = Nginx::start(test.work.path(), &site, test.port());
    test.check().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_caddy_configuration_hosts_the_app_under_a_sub_path() {
    let test = WebServerTest::new();
    let site = hosting_config(
        "Caddyfile",
        &[
            (
                ":80 {",
                &format!("http://{} {{\n\tbind 127.0.0.1", test.address),
            ),
            (
                "root * /srv/www",
                &format!("root * {}", test.root.path().display()),
            ),
            (
                "reverse_proxy 127.0.0.1:8080",
                &format!(
                    "reverse_proxy {}",
                    test.server.base_url.trim_start_matches("http://")
                ),
            ),
        ],
    );
    // No admin endpoint (tests run side by side), errors only in the log;
    // HOME and XDG_* keep what Caddy writes in the test's folder.
    let config = test.write(
        "Caddyfile",
        &format!("{{\n\tadmin off\n\tlog {{\n\t\tlevel ERROR\n\t}}\n}}\n\n{site}"),
    );
    let mut caddy = Command::new("caddy");
    caddy
        .arg("run")
        .arg("--config")
        .arg(config)
        .arg("--adapter")
        .arg("caddyfile")
        .env("HOME", test.work.path())
        .env("XDG_DATA_HOME", test.work.path())
        .env("XDG_CONFIG_HOME", test.work.path())
        .stdout(Stdio::null());
    let mut caddy = ProcessGroup::spawn(caddy, "caddy (scripts/setup.sh installs it)");
    caddy.wait_for_port(test.port());
    test.check().await;
}

#[test]
fn the_hosting_guide_shows_the_configurations_that_the_tests_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide =
        std::fs::read_to_string(root.join("docs/hosting.md")).expect("read docs/hosting.md");
    for (file, fence) in [
        ("nginx.conf", "```nginx\n"),
        ("Caddyfile", "```caddyfile\n"),
    ] {
        let text = std::fs::read_to_string(root.join("examples/hosting").join(file))
            .expect("read the hosting example");
        assert!(
            guide.contains(&format!("{fence}{text}```")),
            "docs/hosting.md must show examples/hosting/{file} as it is"
        );
    }
}

#[test]
fn the_example_configuration_lists_every_field_with_its_default() {
    use app_passwords::config::{Config, Field};
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hosting/app-config.json"),
    )
    .expect("read the example configuration");
    assert_eq!(
        Config::from_sources(Some(("app-config.json", &text)), |_| None),
        Ok(Config::default())
    );
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("a JSON object");
    let mut listed: Vec<&str> = fields.keys().map(String::as_str).collect();
    let mut known = Field::ALL.map(Field::name).to_vec();
    listed.sort_unstable();
    known.sort_unstable();
    assert_eq!(listed, known);
}

/// Every app password made or checked costs an Argon2id hash of 19 MiB. The
/// server gives that memory back after each one: a host does not keep
/// paying for its busiest minute (glibc's allocator, left alone, keeps it).
#[tokio::test(flavor = "multi_thread")]
async fn the_reference_server_gives_back_the_memory_of_its_hashes() {
    let server = TestServer::start_with(&[&GRACE], &["--max-app-passwords", "0"]);
    let before = server.resident_bytes();
    make_app_passwords(&server, GRACE.login, 100, 4).await;
    let grown = server.resident_bytes().saturating_sub(before);
    assert!(
        grown < 32 << 20,
        "the server kept {} MB after 100 hashes",
        grown >> 20
    );
}
