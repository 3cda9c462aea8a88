//! The frame around every screen: the product name and, once signed in,
//! the Settings menu at the top right.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::MenuButton;
use crate::config::Config;
use crate::session::{use_api, use_session};

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let config = expect_context::<Config>();
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

/// The gear: the settings menu, with sign-out.
#[component]
fn SettingsMenu() -> impl IntoView {
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
            navigate("/sign-in", NavigateOptions::default());
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
                <a role="menuitem" class="menu-item" href="/security-info">"Additional security verification"</a>
                <a role="menuitem" class="menu-item" href="/app-passwords">"App passwords"</a>
                <button role="menuitem" type="button" class="menu-item" on:click=move |_| { sign_out.dispatch(()); }>
                    "Sign out"
                </button>
            </MenuButton>
        </div>
    }
}
