//! "Sign in with {name}": one button per identity provider the backend
//! names (`sign_in.providers` of `GET /session`'s 401). Each is a link, not
//! a form: the page's `form-action 'self'` would stop a form's redirect to
//! the provider, and a plain navigation is all the flow needs.

use leptos::prelude::*;

use crate::api::{provider_sign_in_url, SignInWays};
use crate::i18n::{keys, use_i18n};
use crate::routes::use_base_path;

/// The providers' buttons, above the password form when there is one;
/// `confirm` when creating an app password needs a fresh sign-in.
#[component]
pub fn ProviderButtons(
    ways: RwSignal<Option<SignInWays>>,
    /// The screen to land on afterwards, inside the app.
    return_to: Memo<String>,
    confirm: bool,
) -> impl IntoView {
    let (i18n, base) = (use_i18n(), use_base_path());
    move || {
        let ways = ways.get().filter(|ways| !ways.providers.is_empty())?;
        let landing = format!("{}{}", base.as_str(), return_to.get());
        let links = ways
            .providers
            .iter()
            .map(|provider| {
                let label = i18n.t_with(keys::SIGN_IN_WITH, &[("name", &provider.name)]);
                let href = provider_sign_in_url(provider, &landing, confirm);
                view! { <a class="button button-primary provider-sign-in" href=href>{label}</a> }
            })
            .collect_view();
        Some(view! {
            <div class="provider-sign-in-list">{links}</div>
            {ways.password.then(|| view! { <p class="sign-in-or">{i18n.t(keys::SIGN_IN_OR)}</p> })}
        })
    }
}
