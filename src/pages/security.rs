//! The "Additional security verification" page: two tabs, each with its own
//! URL, around the verification settings and the app passwords.

use leptos::prelude::*;

use crate::components::{Tab, Tabs};
use crate::i18n::{keys, use_i18n};
use crate::pages::{AppPasswordsPanel, SecurityInfoPanel};
use crate::routes::{use_base_path, Screen};

/// Which tab the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityTab {
    /// The verification option and phones.
    Verification,
    /// The app passwords.
    AppPasswords,
}

/// The page, showing `tab`.
#[component]
pub fn SecurityPage(tab: SecurityTab) -> impl IntoView {
    let selected = match tab {
        SecurityTab::Verification => "tab-verification",
        SecurityTab::AppPasswords => "tab-app-passwords",
    };
    let base = use_base_path();
    let i18n = use_i18n();
    let tabs = vec![
        Tab {
            id: "tab-verification",
            label: i18n.t(keys::SECURITY_TAB_VERIFICATION),
            href: base.href(Screen::SecurityInfo),
        },
        Tab {
            id: "tab-app-passwords",
            label: i18n.t(keys::SECURITY_TAB_APP_PASSWORDS),
            href: base.href(Screen::AppPasswords),
        },
    ];
    view! {
        <section class="card security-page">
            <h1>{i18n.t(keys::SECURITY_TITLE)}</h1>
            <Tabs tabs=tabs selected=selected panel="security-panel" label=i18n.t(keys::SECURITY_TABS) />
            <div class="tab-panel" id="security-panel" role="tabpanel" aria-labelledby=selected>
                {match tab {
                    SecurityTab::Verification => view! { <SecurityInfoPanel /> }.into_any(),
                    SecurityTab::AppPasswords => view! { <AppPasswordsPanel /> }.into_any(),
                }}
            </div>
        </section>
    }
}
