//! "Sign in with {name}": one button per identity provider the backend
//! names (`sign_in.providers` of `GET /session`'s 401). Each is a link, not
//! a form: the page's `form-action 'self'` would stop a form's redirect to
//! the provider, and a plain navigation is all the flow needs.

use leptos::prelude::*;

use crate::api::{provider_sign_in_url, use_api, Session, SignInWays};
use crate::i18n::{keys, use_i18n};
use crate::routes::use_base_path;

/// How to sign in here, once the backend says: someone signed in already
/// goes on (`on_signed_in`); to anyone else the signed-out `GET /session`
/// says (a password, providers).
pub fn use_sign_in_ways(on_signed_in: Callback<Session>) -> RwSignal<Option<SignInWays>> {
    let (api, ways) = (use_api(), RwSignal::new(None));
    // One request as the screen opens, its answer handled here: a plain
    // task, as nothing asks it again (`crate::fetch::Fetch` is for that)
    // and nothing waits on it.
    leptos::task::spawn_local(async move {
        match api.session().await {
            Ok(session) => {
                on_signed_in.try_run(session);
            }
            Err(error) => {
                let _ = ways.try_set(Some(error.sign_in_ways()));
            }
        }
    });
    ways
}

/// The providers' buttons, above the password form when there is one;
/// `confirm` when creating an app password needs a fresh sign-in; `focus`
/// gives the first the focus (the only way for a provider's user).
#[component]
pub fn ProviderButtons(
    ways: RwSignal<Option<SignInWays>>,
    /// The screen to land on afterwards, inside the app.
    return_to: Memo<String>,
    confirm: bool,
    focus: bool,
) -> impl IntoView {
    let (i18n, base) = (use_i18n(), use_base_path());
    let first = NodeRef::<leptos::html::A>::new();
    if focus {
        first.on_load(|link| {
            let _ = link.focus();
        });
    }
    move || {
        let ways = ways.get().filter(|ways| !ways.providers.is_empty())?;
        let landing = format!("{}{}", base.as_str(), return_to.get());
        let links = ways
            .providers
            .iter()
            .enumerate()
            .map(|(index, provider)| {
                let label = i18n.t_with(keys::SIGN_IN_WITH, &[("name", &provider.name)]);
                let href = provider_sign_in_url(provider, &landing, confirm);
                // rel=external: the router would take a link of this
                // origin as one of its own screens.
                let node = if index == 0 { first } else { NodeRef::new() };
                view! { <a class="button button-primary provider-sign-in" href=href rel="external" node_ref=node>{label}</a> }
            })
            .collect_view();
        Some(view! {
            <div class="provider-sign-in-list">{links}</div>
            {(ways.password && !focus).then(|| view! { <p class="sign-in-or">{i18n.t(keys::SIGN_IN_OR)}</p> })}
        })
    }
}
