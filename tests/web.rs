//! Component tests: real components mounted into a real DOM in headless
//! Chromium (`cargo test --target wasm32-unknown-unknown --test web`).
#![cfg(target_arch = "wasm32")]

use app_passwords::api::{ApiError, Problem};
use app_passwords::components::copy_button::ClipboardWriter;
use app_passwords::components::{CopyButton, ErrorNotice, TextField};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the body to mount one test's view into.
fn container() -> web_sys::HtmlElement {
    let document = document();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element.unchecked_into()
}

/// A cancelable, bubbling Escape keydown, as a keyboard would send it.
fn escape_keydown() -> web_sys::KeyboardEvent {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    init.set_cancelable(true);
    web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()
}

/// Lets the reactive system run its pending effects and DOM updates.
async fn settle() {
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn text_field_binds_its_value_and_announces_its_error() {
    let root = container();
    let value = RwSignal::new(String::from("Outlook"));
    let error = RwSignal::new(None::<String>);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <TextField id="name" label="Name" value=value error=error hint="1 to 120 characters." /> }
    });
    settle().await;

    let input: web_sys::HtmlInputElement = root
        .query_selector("input#name")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let label = root.query_selector("label[for=name]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Name");
    assert_eq!(input.value(), "Outlook");
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("name-hint")
    );

    // Typing updates the signal.
    input.set_value("Thunderbird");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(value.get_untracked(), "Thunderbird");

    // An error shows next to the field and is tied to it for screen readers.
    error.set(Some("Use at most 120 characters.".into()));
    settle().await;
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("name-hint name-error")
    );
    let message = root.query_selector("#name-error").unwrap().unwrap();
    assert_eq!(
        message.text_content().unwrap(),
        "Use at most 120 characters."
    );
    assert!(!message.has_attribute("hidden"));
    // What the user typed is still there.
    assert_eq!(input.value(), "Thunderbird");
}

#[wasm_bindgen_test]
async fn error_notice_explains_and_offers_a_retry() {
    let root = container();
    let retries = RwSignal::new(0);
    let error = ApiError::Problem(Problem::from_response(
        503,
        Some("text/html"),
        "<h1>down</h1>",
        None,
    ));
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <ErrorNotice error=error.clone() on_retry=Callback::new(move |()| retries.update(|n| *n += 1)) /> }
    });
    settle().await;

    let alert = root
        .query_selector("[role=alert]")
        .unwrap()
        .expect("an alert");
    let text = alert.text_content().unwrap();
    assert!(text.contains("unavailable right now"), "{text}");
    assert!(!text.contains("<h1>"), "{text}");
    let button: web_sys::HtmlElement = alert
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(button.text_content().unwrap(), "Try again");
    button.click();
    assert_eq!(retries.get_untracked(), 1);
}

/// A clipboard that takes every write.
fn succeeding_clipboard(
    _text: String,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ()>>>> {
    Box::pin(async { Ok(()) })
}

/// A clipboard that refuses every write, as a browser without permission.
fn refusing_clipboard(
    _text: String,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ()>>>> {
    Box::pin(async { Err(()) })
}

/// Waits (a bounded number of ticks) until `check` holds.
async fn eventually(what: &str, check: impl Fn() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        gloo_timer_tick().await;
    }
    panic!("never happened: {what}");
}

async fn gloo_timer_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Mounts a CopyButton for `secret`, shown in a paragraph with the id
/// `shown_in` (what a refused copy selects), writing through `writer`.
/// Returns the container, the button, and the mount, which unmounts when
/// dropped.
async fn mount_copy_button(
    shown_in: &'static str,
    secret: &'static str,
    writer: ClipboardWriter,
) -> (web_sys::HtmlElement, web_sys::HtmlElement, impl Sized) {
    let root = container();
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <p id=shown_in>{secret}</p>
            <CopyButton text=Signal::stored(secret.to_owned()) select_on_refusal=shown_in writer=writer />
        }
    });
    settle().await;
    let button = root
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    (root, button, mounted)
}

#[wasm_bindgen_test]
async fn copy_button_says_copied_only_after_the_write_succeeded() {
    let (root, button, _mounted) =
        mount_copy_button("secret-a", "abcde-fghjk", succeeding_clipboard).await;
    assert_eq!(button.text_content().unwrap(), "Copy password to clipboard");
    button.click();
    eventually("Copied", || button.text_content().unwrap() == "Copied").await;
    let status = root.query_selector("[role=status]").unwrap().unwrap();
    assert_eq!(status.text_content().unwrap(), "Copied to the clipboard.");
}

#[wasm_bindgen_test]
async fn copy_button_selects_the_text_and_says_ctrl_c_when_refused() {
    let (root, button, _mounted) =
        mount_copy_button("secret-b", "mnpqr-stuvw", refusing_clipboard).await;
    button.click();
    let status = root.query_selector("[role=status]").unwrap().unwrap();
    eventually("the Ctrl+C hint", || {
        status.text_content().unwrap().contains("Ctrl+C")
    })
    .await;
    assert_ne!(
        button.text_content().unwrap(),
        "Copied",
        "never claims a copy that failed"
    );
    let selected = window().get_selection().unwrap().unwrap().to_string();
    assert_eq!(String::from(selected), "mnpqr-stuvw");
}

#[wasm_bindgen_test]
async fn dialog_is_modal_labelled_and_gives_focus_back() {
    use app_passwords::components::Dialog;
    let root = container();
    let opener = document().create_element("button").unwrap();
    opener.set_id("opener");
    root.append_child(&opener).unwrap();
    opener
        .unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    let open = RwSignal::new(true);
    let escapes = RwSignal::new(0);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Show when=move || open.get()>
                <Dialog labelled_by="dialog-title" on_escape=Signal::stored(Some(Callback::new(move |()| escapes.update(|n| *n += 1))))>
                    <h2 id="dialog-title">"Title"</h2>
                    <input id="inside" />
                </Dialog>
            </Show>
        }
    });
    settle().await;
    let dialog: web_sys::HtmlDialogElement = root
        .query_selector("dialog")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(dialog.open(), "shown as a modal");
    assert_eq!(
        dialog.get_attribute("aria-labelledby").as_deref(),
        Some("dialog-title")
    );
    assert_eq!(
        document().active_element().unwrap().id(),
        "inside",
        "focus moves inside"
    );

    let escape = escape_keydown();
    dialog.dispatch_event(&escape).unwrap();
    assert_eq!(escapes.get_untracked(), 1);

    open.set(false);
    settle().await;
    assert!(root.query_selector("dialog").unwrap().is_none());
    assert_eq!(
        document().active_element().unwrap().id(),
        "opener",
        "focus goes back"
    );
}

#[wasm_bindgen_test]
async fn error_answers_decode_into_one_error_type() {
    use app_passwords::api::{error_from_response, ApiError, ProblemKind};
    let problem = gloo_net::http::Response::builder()
        .status(422)
        .header("content-type", "application/problem+json")
        .body(Some(r#"{"type":"https://id.example/p/validation-failed","title":"Invalid","status":422,"errors":[{"pointer":"/name","detail":"Too long"}]}"#))
        .unwrap();
    let error = error_from_response(problem).await;
    assert_eq!(error.kind(), ProblemKind::ValidationFailed);
    assert_eq!(error.field_error("/name").as_deref(), Some("Too long"));

    let proxy = gloo_net::http::Response::builder()
        .status(502)
        .header("content-type", "text/html")
        .body(Some("<html><body>Bad gateway</body></html>"))
        .unwrap();
    let error = error_from_response(proxy).await;
    assert!(matches!(&error, ApiError::Problem(p) if p.status == 502));
    assert!(
        error.to_string().contains("unavailable"),
        "{}",
        error.to_string()
    );

    let limited = gloo_net::http::Response::builder()
        .status(429)
        .header("retry-after", "30")
        .body(Some(""))
        .unwrap();
    let error = error_from_response(limited).await;
    assert_eq!(
        error.to_string(),
        "Too many attempts. Wait 30 seconds and try again."
    );
}

#[wasm_bindgen_test]
async fn create_dialog_step_one_keeps_the_name_when_the_server_is_unreachable() {
    use app_passwords::api::ApiClient;
    use app_passwords::app::provide_app_context;
    use app_passwords::config::Config;
    use app_passwords::host::HostPage;
    use app_passwords::i18n::{I18n, Lang, LangChoice};
    use app_passwords::pages::create_dialog::{CreateDialog, Start};
    use leptos_router::components::Router;

    let root = container();
    let closed = RwSignal::new(None::<Option<String>>);
    let host = HostPage::new(root.clone(), false);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        // Port 9 on loopback: nothing listens, the request fails at once.
        let config = Config {
            api_base: "http://127.0.0.1:9/api/v1".into(),
            ..Config::default()
        };
        let api = ApiClient::new(&config, None);
        provide_app_context(
            config,
            api,
            host,
            I18n::new(Lang::En),
            LangChoice::new(Lang::En, String::new()),
        );
        view! {
            <Router>
                <CreateDialog
                    on_close=Callback::new(move |made| closed.set(Some(made)))
                    on_list_stale=Callback::new(|()| {})
                    start=Start::Empty
                />
            </Router>
        }
    });
    settle().await;

    let input: web_sys::HtmlInputElement = root
        .query_selector("#app-password-name")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let next: web_sys::HtmlButtonElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        document().active_element().unwrap().id(),
        "app-password-name",
        "the name has focus"
    );
    assert!(next.disabled(), "Next is disabled while the name is empty");
    assert!(
        root.text_content().unwrap().contains("1 to 120 characters"),
        "the rules are stated"
    );

    input.set_value("Outlook on my laptop");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    assert!(!next.disabled());
    next.click();

    let alert = root.query_selector("dialog [role=alert]").unwrap().unwrap();
    eventually("the network error", || {
        alert
            .text_content()
            .unwrap()
            .contains("could not be reached")
    })
    .await;
    assert!(alert.text_content().unwrap().contains("Next to try again"));
    assert_eq!(
        input.value(),
        "Outlook on my laptop",
        "what was typed is kept"
    );
    assert!(
        root.query_selector("#new-password").unwrap().is_none(),
        "still step one"
    );

    // Escape on step one closes without creating.
    let escape = escape_keydown();
    input.dispatch_event(&escape).unwrap();
    assert_eq!(
        closed.get_untracked(),
        Some(None),
        "closed, nothing created"
    );
}

#[wasm_bindgen_test]
async fn mount_reads_its_element_and_says_what_is_wrong_instead_of_going_blank() {
    use app_passwords::MountOptions;

    // Options from JavaScript: getToken must be a function.
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"getToken".into(), &5.into()).unwrap();
    assert_eq!(
        MountOptions::from_js(&options).err().as_deref(),
        Some("getToken must be a function")
    );
    assert!(MountOptions::from_js(&wasm_bindgen::JsValue::UNDEFINED)
        .unwrap()
        .get_token
        .is_none());

    // Bearer mode without a token provider cannot work: the element says so.
    let root = container();
    root.set_attribute("data-auth", "bearer").unwrap();
    let mounted = app_passwords::mount(root.clone(), MountOptions::default()).await;
    settle().await;
    assert!(
        root.class_list().contains("ap-root"),
        "styles are scoped to it"
    );
    let text = root.text_content().unwrap();
    assert!(text.contains("App passwords cannot start"), "{text}");
    assert!(text.contains("getToken"), "{text}");
    // The host page's title is never the app's to change.
    assert_ne!(document().title(), "App passwords");

    mounted.unmount();
    settle().await;
    assert_eq!(root.text_content().unwrap(), "", "unmount takes it out");

    // A value the app cannot use names its attribute.
    let root = container();
    root.set_attribute("data-theme", "blue").unwrap();
    let _mounted = app_passwords::mount(root.clone(), MountOptions::default()).await;
    settle().await;
    let text = root.text_content().unwrap();
    assert!(
        text.contains(r#"data-theme: is "blue"; use "auto", "light" or "dark"."#),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn the_apple_profile_is_a_blob_that_goes_with_the_set_up() {
    use app_passwords::config::{MailSecurity, MailServer, Services};
    use app_passwords::pages::device_setup::DeviceSetup;

    let created: app_passwords::api::CreatedAppPassword =
        serde_json::from_value(serde_json::json!({
            "id": "1", "name": "Phone", "created_at": "2026-01-01T00:00:00Z",
            "password": "abcde-fghjk", "login": "ada@example.com"
        }))
        .unwrap();
    let server = |host: &str| MailServer {
        host: host.into(),
        port: 993,
        security: MailSecurity::Tls,
    };
    let services = Services {
        imap: Some(server("imap.example.com")),
        smtp: Some(server("smtp.example.com")),
        dav_url: None,
    };
    let saved = RwSignal::new(0);
    let root = container();
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <DeviceSetup created=created.clone() services=services.clone() on_saved=Callback::new(move |()| saved.update(|n| *n += 1)) /> }
    });
    settle().await;
    // Other, the plain table, until the person picks a client.
    assert!(root.query_selector("#download-profile").unwrap().is_none());
    let host = root.query_selector("#setup-imap-host").unwrap().unwrap();
    assert_eq!(host.text_content().unwrap(), "imap.example.com");

    let select = root.query_selector("#setup-client").unwrap().unwrap();
    js_sys::Reflect::set(&select, &"value".into(), &"apple".into()).unwrap();
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    let link: web_sys::HtmlElement = root
        .query_selector("#download-profile")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let url = link.get_attribute("href").unwrap();
    assert!(url.starts_with("blob:"), "{url}");
    assert_eq!(
        link.get_attribute("download").as_deref(),
        Some("Phone.mobileconfig")
    );
    let fetched = |url: String| async move {
        wasm_bindgen_futures::JsFuture::from(window().fetch_with_str(&url))
            .await
            .is_ok()
    };
    assert!(fetched(url.clone()).await, "the profile is there to save");
    link.click();
    assert_eq!(saved.get_untracked(), 1, "saving it counts");

    // Gone with the set-up: the address no longer gives the file.
    drop(mounted);
    settle().await;
    assert!(!fetched(url).await, "the profile's address was revoked");
}

/// In the browser, JSON is read by `JSON.parse` and serde-wasm-bindgen
/// (`src/json.rs`); natively, and before, by serde_json. On the contract's
/// bodies, the configuration and the catalogues the two must agree: the
/// same values for what decodes, a refusal for what does not.
#[wasm_bindgen_test]
fn json_read_by_the_browser_agrees_with_serde_json() {
    use app_passwords::json::parse;
    use contract::{AppPasswordList, CreatedAppPassword, Session};
    use serde_json::{Map, Value};
    fn agree<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> bool {
        let read = |value: Option<T>| value.map(|value| serde_json::to_value(value).unwrap());
        let browser = read(parse::<T>(text).ok());
        let native = read(serde_json::from_str::<T>(text).ok());
        assert_eq!(browser, native, "{text}");
        browser.is_some()
    }
    let list = r#"{"items":[{"id":"a/1","name":"Thunderbird ✉ \"home\"","created_at":"2026-12-01T10:00:00Z","last_used_at":null,"last_used_service":"imap","expires_at":"2027-01-01T00:00:00Z","unknown":[1]}],"max_count":40,"expiry":{"default_days":90,"max_days":null}}"#;
    assert!(agree::<AppPasswordList>(list));
    assert!(agree::<AppPasswordList>(r#"{"items":[],"max_count":null}"#));
    for refused in [
        r#"{"items":{}}"#,
        r#"{"items":[],"max_count":-1}"#,
        r#"{"items":[{"id":1,"name":"x","created_at":"t"}]}"#,
        r#"{"max_count":3}"#,
        r#"{"items": ["#,
        "",
    ] {
        assert!(!agree::<AppPasswordList>(refused), "{refused}");
    }
    assert!(agree::<Session>(
        r#"{"user":{"id":"u1","login":"ada","display_name":"Ada"},"csrf_token":"c","app_passwords_enabled":false}"#
    ));
    assert!(agree::<CreatedAppPassword>(
        r#"{"id":"x","name":"Phone","created_at":"2026-12-01T10:00:00Z","password":"abcd-efgh","login":"ada"}"#
    ));
    // The configuration and the catalogues: untyped, read field by field.
    assert!(agree::<Map<String, Value>>(
        r#"{"api_base":"/api/v1","request_timeout_seconds":15,"header":true,"lang":null,"n":[1,2.5,"x",{"one":"{n} left"}]}"#
    ));
    assert!(agree::<Value>("[]"));
}

#[wasm_bindgen_test]
async fn scope_field_asks_in_a_fieldset_and_binds_the_choice() {
    use app_passwords::components::ScopeField;
    use app_passwords::config::Scope;
    use app_passwords::i18n::{I18n, Lang};

    let root = container();
    let value = RwSignal::new(Scope::Everything);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        provide_context(I18n::new(Lang::En));
        view! { <ScopeField offered=vec![Scope::Everything, Scope::Mail, Scope::Dav] value=value /> }
    });
    settle().await;

    let fieldset = root.query_selector("fieldset#scope").unwrap().unwrap();
    assert_eq!(
        fieldset.get_attribute("aria-describedby").as_deref(),
        Some("scope-hint")
    );
    let legend = root.query_selector("#scope legend").unwrap().unwrap();
    assert_eq!(legend.text_content().unwrap(), "Works for");
    let radio = |id: &str| -> web_sys::HtmlInputElement {
        root.query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    assert!(radio("scope-all").checked());
    radio("scope-mail").click();
    settle().await;
    assert_eq!(value.get_untracked(), Scope::Mail);
    // Set from outside (a draft coming back), the buttons follow.
    value.set(Scope::Dav);
    settle().await;
    assert!(radio("scope-dav").checked() && !radio("scope-mail").checked());
}
