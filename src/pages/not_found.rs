//! The screen for an address the app does not have.

use leptos::prelude::*;
use leptos_router::components::A;

/// Says the page does not exist and offers the way home.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <A href="/app-passwords">"Go to your app passwords"</A>
        </section>
    }
}
