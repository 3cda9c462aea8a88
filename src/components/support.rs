//! How to reach IT, wherever the page tells the user to ask their
//! administrator: the operator's `support_url` and `support_email`, when
//! set. Without them the sentence that names the administrator stands
//! alone, as before.

use leptos::prelude::*;

use crate::config::Config;
use crate::i18n::{keys, use_i18n};

/// "Questions? Ask your IT team: help page or it-help@example.com", with
/// whichever of the two the operator configured; nothing without either.
#[component]
pub fn SupportContact() -> impl IntoView {
    let i18n = use_i18n();
    // Read if provided: a component mounted on its own has no configuration.
    let config = use_context::<Config>().unwrap_or_default();
    let page = config.support_url.clone().map(|url| {
        view! { <a href=url class="support-url">{i18n.t(keys::SUPPORT_PAGE)}</a> }
    });
    let email = config
        .support_mailto()
        .zip(config.support_email)
        .map(|(href, email)| {
            view! { <a href=href class="support-email" dir="ltr" translate="no">{email}</a> }
        });
    let or = (page.is_some() && email.is_some()).then(|| format!(" {} ", i18n.t(keys::SUPPORT_OR)));
    (page.is_some() || email.is_some()).then(|| {
        view! { <p class="support-contact">{i18n.t(keys::SUPPORT_ASK)}" "{page}{or}{email}</p> }
    })
}
