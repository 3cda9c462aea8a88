//! The screen for a configuration the app cannot use: instead of a blank
//! page, it says which setting is wrong and who can fix it.

use leptos::prelude::*;

use crate::config::ConfigError;
use crate::i18n::{keys, I18n};

/// Says the app cannot start and why, in `i18n`'s language (the browser's:
/// the configuration that would name one is what failed).
#[component]
pub fn ConfigErrorPage(
    /// What is wrong with the configuration.
    error: ConfigError,
    /// The language to say it in.
    i18n: I18n,
) -> impl IntoView {
    view! {
        <main class="content">
            <section class="card" role="alert" aria-labelledby="config-error-title">
                <h1 id="config-error-title">{i18n.t(keys::CONFIG_ERROR_TITLE)}</h1>
                <p>{i18n.t(keys::CONFIG_ERROR_INTRO)}</p>
                <p class="config-error"><code>{error.message(&i18n)}</code></p>
                <p>{i18n.t(keys::CONFIG_ERROR_OUTRO)}</p>
            </section>
        </main>
    }
}
