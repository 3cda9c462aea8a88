//! The frame around every screen: the product name and, once signed in,
//! the Settings menu at the top right (top left in right-to-left
//! languages), with the language and the theme; the language switcher is
//! also the sign-in screen's.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::api::use_api;
use crate::components::{Choice, ChoiceGroup, MenuButton};
use crate::config::{use_config, AuthMode, Theme};
use crate::i18n::{keys, use_i18n, use_lang_choice, Lang, ThemeChoice, THEMES};
use crate::routes::{use_base_path, Screen};
use crate::session::{use_session, Arrival};
use crate::write::Write;

/// The id of the settings menu.
const SETTINGS_MENU: &str = "settings-menu";

/// The top bar, with the product's `title`; it shows the user's theme.
#[component]
pub fn TopBar(title: String) -> impl IntoView {
    let context = use_session();
    let signed_in = move || context.session.read().is_some();
    let theme = ThemeChoice::new(use_config().theme);
    let bar = NodeRef::<html::Header>::new();
    // The theme is data-theme on the app's root element, which Leptos does
    // not render.
    Effect::new(move || {
        let theme = theme.get();
        if let Some(root) = bar
            .get()
            .and_then(|bar| bar.closest(".ap-root").ok().flatten())
        {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
    });
    view! {
        <header class="top-bar" node_ref=bar>
            <span class="product">{title}</span>
            <Show when=signed_in>
                <SettingsMenu theme=theme />
            </Show>
        </header>
    }
}

/// The gear: the settings menu, with the language, the theme and sign-out
/// (unless a host page signed the user in, with bearer tokens: then
/// signing out is the host's to offer).
#[component]
fn SettingsMenu(theme: ThemeChoice) -> impl IntoView {
    let i18n = use_i18n();
    let base = use_base_path();
    let config = use_config();
    let can_sign_out = config.auth == AuthMode::Cookie;
    let api = use_api();
    let context = use_session();
    let navigate = use_navigate();
    let sign_out = Write::new(move |(): &()| {
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
                None => navigate(Screen::SignIn.path(), Arrival::SignedOut.navigate(false)),
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
    let (security_info, app_passwords, sign_out_label) = (
        i18n.t(keys::SHELL_MENU_SECURITY_INFO),
        i18n.t(keys::SHELL_MENU_APP_PASSWORDS),
        i18n.t(keys::SHELL_MENU_SIGN_OUT),
    );
    view! {
        <div class="top-bar-end">
            <span class="user-name">{name}</span>
            <LanguageStatus />
            <MenuButton label=i18n.t(keys::SHELL_SETTINGS) id=SETTINGS_MENU icon="⚙">
                <a role="menuitem" class="menu-item" href=base.href(Screen::SecurityInfo)>{security_info.clone()}</a>
                <a role="menuitem" class="menu-item" href=base.href(Screen::AppPasswords)>{app_passwords.clone()}</a>
                <LanguageChoices in_menu=true />
                <ThemeChoices theme=theme />
                {can_sign_out.then(|| view! {
                    <button role="menuitem" type="button" class="menu-item" on:click=move |_| { sign_out.start(()); }>
                        {sign_out_label.clone()}
                    </button>
                })}
            </MenuButton>
        </div>
    }
}

/// The languages the app speaks, each in its own name, the one spoken
/// checked: a group of the settings menu (`in_menu`), or a row of its own
/// (ids `language-en`, …) on the sign-in screen, which has no menu.
#[component]
pub fn LanguageChoices(
    /// Whether the group is part of the settings menu.
    #[prop(optional)]
    in_menu: bool,
) -> impl IntoView {
    let (i18n, lang_choice) = (use_i18n(), use_lang_choice());
    let current = i18n.lang();
    let choices = Lang::ALL
        .into_iter()
        .map(|lang| {
            let id = format!("language-{}", lang.code());
            // A new language renders the whole app again: once it has, the
            // focus goes back where it was, to the menu's trigger or to this
            // language's button, instead of to the page.
            let focus_then = if in_menu {
                format!("[aria-controls={SETTINGS_MENU}]")
            } else {
                format!("#{id}")
            };
            Choice {
                label: lang.native_name().to_owned(),
                lang: Some(lang.code()),
                id: (!in_menu).then_some(id),
                checked: Signal::stored(lang == current),
                choose: Callback::new(move |()| {
                    let focus_then = focus_then.clone();
                    leptos::task::spawn_local(async move {
                        if !lang_choice.choose(lang).await {
                            return;
                        }
                        request_animation_frame(move || {
                            let found = document().query_selector(&focus_then).ok().flatten();
                            if let Some(element) =
                                found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                            {
                                let _ = element.focus();
                            }
                        });
                    });
                }),
            }
        })
        .collect();
    view! {
        <ChoiceGroup label=i18n.t(keys::SHELL_MENU_LANGUAGE) choices=choices in_menu=in_menu />
        // In the menu, which closes on a choice, the top bar says it instead.
        {(!in_menu).then(|| view! { <LanguageStatus /> })}
    }
}

/// Says which language just chosen is on its way, or could not be fetched
/// (offline, say): the page stays in the language it was in meanwhile.
#[component]
pub fn LanguageStatus() -> impl IntoView {
    let (i18n, lang_choice) = (use_i18n(), use_lang_choice());
    let said = move |key, lang: Lang| i18n.t_with(key, &[("language", lang.native_name())]);
    view! {
        // Always in the page, so that screen readers announce the words
        // when they appear in it; empty, it takes no room (style/main.css).
        <p class="loading language-loading" role="status">
            {move || lang_choice.loading.get().map(|lang| said(keys::SHELL_LANGUAGE_LOADING, lang))}
        </p>
        {move || {
            lang_choice.unavailable.get().map(|lang| {
                let text = said(keys::SHELL_LANGUAGE_UNAVAILABLE, lang);
                view! { <p class="field-error language-unavailable" role="alert">{text}</p> }
            })
        }}
    }
}

/// System, light or dark, the one shown checked.
#[component]
fn ThemeChoices(theme: ThemeChoice) -> impl IntoView {
    let i18n = use_i18n();
    let choices = THEMES
        .into_iter()
        .map(|option| Choice {
            label: i18n.t(match option {
                Theme::Auto => keys::SHELL_MENU_THEME_AUTO,
                Theme::Light => keys::SHELL_MENU_THEME_LIGHT,
                Theme::Dark => keys::SHELL_MENU_THEME_DARK,
            }),
            lang: None,
            id: None,
            checked: Signal::derive(move || theme.get() == option),
            choose: Callback::new(move |()| theme.choose(option)),
        })
        .collect();
    view! { <ChoiceGroup label=i18n.t(keys::SHELL_MENU_THEME) choices=choices in_menu=true /> }
}
