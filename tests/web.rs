//! Component tests: real components mounted into a real DOM in headless
//! Chromium (`cargo test --target wasm32-unknown-unknown --test web`).
#![cfg(target_arch = "wasm32")]

use app_passwords::api::{ApiError, Problem};
use app_passwords::components::{ErrorNotice, TextField};
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
    let error = ApiError::Problem(Problem::from_answer(
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
