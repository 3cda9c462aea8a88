//! The frame around every screen: the product name and, once signed in,
//! the Settings menu at the top right.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::MenuButton;
use crate::config::AuthMode;
use crate::routes::{use_base_path, Screen};
use crate::session::{use_api, use_config, use_session};

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let config = use_config();
    let context = use_session();
    let signed_in = move || context.session.read().is_some();
    view! {
        <header class="top-bar">
            <span class="product">{config.title}</span>
            <Show when=signed_in>
                <SettingsMenu />
            </Show>
        </header>
    }
}

/// The gear: the settings menu, with sign-out unless a host page signed the
/// user in (bearer tokens), in which case signing out is the host's to offer.
#[component]
fn SettingsMenu() -> impl IntoView {
    let base = use_base_path();
    let config = use_config();
    let can_sign_out = config.auth == AuthMode::Cookie;
    let api = use_api();
    let context = use_session();
    let navigate = use_navigate();
    let sign_out = Action::new_local(move |(): &()| {
        let api = api.clone();
        async move { api.sign_out().await }
    });
    Effect::new(move || {
        // Signed out on the server or not (offline), the page forgets the
        // session: the user asked to leave.
        if sign_out.value().get().is_some() {
            context.session.set(None);
            let here = window().location().href().unwrap_or_default();
            match config.sign_in_redirect(&here) {
                Some(url) => {
                    let _ = window().location().assign(&url);
                }
                None => navigate(Screen::SignIn.path(), NavigateOptions::default()),
            }
        }
    });
    let name = move || {
        context
            .session
            .read()
            .as_ref()
            .map(|s| s.user.display_name.clone())
            .unwrap_or_default()
    };
    view! {
        <div class="top-bar-end">
            <span class="user-name">{name}</span>
            <MenuButton label="Settings" id="settings-menu" icon="⚙">
                <a role="menuitem" class="menu-item" href=base.href(Screen::SecurityInfo)>"Additional security verification"</a>
                <a role="menuitem" class="menu-item" href=base.href(Screen::AppPasswords)>"App passwords"</a>
                {can_sign_out.then(|| view! {
                    <button role="menuitem" type="button" class="menu-item" on:click=move |_| { sign_out.dispatch(()); }>
                        "Sign out"
                    </button>
                })}
            </MenuButton>
        </div>
    }
}
