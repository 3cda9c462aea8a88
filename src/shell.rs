//! The frame around every screen: the product name and, once signed in,
//! the Settings menu at the top right (top left in right-to-left
//! languages).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::use_api;
use crate::components::MenuButton;
use crate::config::use_config;
use crate::config::AuthMode;
use crate::i18n::{keys, use_i18n, use_lang_choice, Lang};
use crate::routes::{use_base_path, Screen};
use crate::session::use_session;

/// The top bar, with the product's `title`.
#[component]
pub fn TopBar(title: String) -> impl IntoView {
    let context = use_session();
    let signed_in = move || context.session.read().is_some();
    view! {
        <header class="top-bar">
            <span class="product">{title}</span>
            <Show when=signed_in>
                <SettingsMenu />
            </Show>
        </header>
    }
}

/// The gear: the settings menu, with the language and sign-out (unless a
/// host page signed the user in, with bearer tokens: then signing out is
/// the host's to offer).
#[component]
fn SettingsMenu() -> impl IntoView {
    let i18n = use_i18n();
    let lang_choice = use_lang_choice();
    let base = use_base_path();
    let config = use_config();
    let can_sign_out = config.auth == AuthMode::Cookie;
    let api = use_api();
    let context = use_session();
    let navigate = use_navigate();
    let sign_out = Action::new_local(move |(): &()| {
        let (api, config, navigate) = (api.clone(), config.clone(), navigate.clone());
        async move {
            // Signed out on the server or not (offline), the page forgets
            // the session: the user asked to leave.
            let _ = api.sign_out().await;
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
    let current = i18n.lang();
    let labels = (
        i18n.t(keys::SHELL_SETTINGS),
        i18n.t(keys::SHELL_MENU_SECURITY_INFO),
        i18n.t(keys::SHELL_MENU_APP_PASSWORDS),
        i18n.t(keys::SHELL_MENU_LANGUAGE),
        i18n.t(keys::SHELL_MENU_SIGN_OUT),
    );
    let (settings, security_info, app_passwords, language, sign_out_label) = labels;
    view! {
        <div class="top-bar-end">
            <span class="user-name">{name}</span>
            <MenuButton label=settings id="settings-menu" icon="⚙">
                <a role="menuitem" class="menu-item" href=base.href(Screen::SecurityInfo)>{security_info.clone()}</a>
                <a role="menuitem" class="menu-item" href=base.href(Screen::AppPasswords)>{app_passwords.clone()}</a>
                <div role="group" class="menu-group" aria-label=language.clone()>
                    <p class="menu-group-label" aria-hidden="true">{language.clone()}</p>
                    {Lang::ALL
                        .into_iter()
                        .map(|lang| view! {
                            <button
                                type="button"
                                role="menuitemradio"
                                class="menu-item"
                                lang=lang.code()
                                aria-checked=if lang == current { "true" } else { "false" }
                                on:click=move |_| lang_choice.choose(lang)
                            >
                                {lang.native_name()}
                            </button>
                        })
                        .collect_view()}
                </div>
                {can_sign_out.then(|| view! {
                    <button role="menuitem" type="button" class="menu-item" on:click=move |_| { sign_out.dispatch(()); }>
                        {sign_out_label.clone()}
                    </button>
                })}
            </MenuButton>
        </div>
    }
}
