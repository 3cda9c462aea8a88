//! The screen for a configuration the app cannot use: instead of a blank
//! page, it says which setting is wrong and who can fix it.

use leptos::prelude::*;

use crate::config::ConfigError;

/// Says the app cannot start and why.
#[component]
pub fn ConfigErrorPage(
    /// What is wrong with the configuration.
    error: ConfigError,
) -> impl IntoView {
    view! {
        <main class="content">
            <section class="card" role="alert" aria-labelledby="config-error-title">
                <h1 id="config-error-title">"App passwords cannot start"</h1>
                <p>"Its configuration has a mistake, so it cannot tell how to reach its server:"</p>
                <p class="config-error"><code>{error.to_string()}</code></p>
                <p>"Ask the administrator of this site to correct it, then reload the page. Nothing about your account was changed."</p>
            </section>
        </main>
    }
}
