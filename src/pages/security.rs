//! The "Additional security verification" page: two tabs, each with its own
//! URL, around the verification settings and the app passwords. The page
//! and its tabs stay while the panel under them changes, so a tab chosen
//! with the keyboard keeps the focus. The page's title is its one visible
//! heading: the selected tab names the panel, whose own heading is for
//! screen readers' lists of headings (hidden by the style, not removed).

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

use crate::components::{Tab, Tabs, PAGE_HEADING_ID};
use crate::i18n::{keys, use_i18n};
use crate::routes::{use_base_path, Screen};

/// The tab of the verification settings.
const VERIFICATION_TAB: &str = "tab-verification";
/// The tab of the app passwords.
const APP_PASSWORDS_TAB: &str = "tab-app-passwords";

/// The page; the panel of the current tab is its route's child.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let base = use_base_path();
    let location = use_location();
    let selected = Signal::derive({
        let base = base.clone();
        move || {
            let pathname = location.pathname.get();
            if base.route_of(&pathname) == Screen::SecurityInfo.path() {
                VERIFICATION_TAB
            } else {
                APP_PASSWORDS_TAB
            }
        }
    });
    let i18n = use_i18n();
    let tabs = vec![
        Tab {
            id: VERIFICATION_TAB,
            label: i18n.t(keys::SECURITY_TAB_VERIFICATION),
            href: base.href(Screen::SecurityInfo),
        },
        Tab {
            id: APP_PASSWORDS_TAB,
            label: i18n.t(keys::SECURITY_TAB_APP_PASSWORDS),
            href: base.href(Screen::AppPasswords),
        },
    ];
    view! {
        <section class="card security-page">
            <h1 id=PAGE_HEADING_ID tabindex="-1">{i18n.t(keys::SECURITY_TITLE)}</h1>
            <Tabs tabs=tabs selected=selected panel="security-panel" label=i18n.t(keys::SECURITY_TABS) />
            <div class="tab-panel" id="security-panel" role="tabpanel" aria-labelledby=move || selected.get()>
                <Outlet />
            </div>
        </section>
    }
}
