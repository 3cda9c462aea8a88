//! The screen for an address the app does not have.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{keys, use_i18n};
use crate::routes::Screen;

/// Says the page does not exist and offers the way home.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="not-found-title">
            <h1 id="not-found-title">{i18n.t(keys::NOT_FOUND_TITLE)}</h1>
            <p>{i18n.t(keys::NOT_FOUND_BODY)}</p>
            <A href=Screen::AppPasswords.path()>{i18n.t(keys::NOT_FOUND_HOME)}</A>
        </section>
    }
}
