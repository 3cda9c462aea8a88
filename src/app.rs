//! The root component: app-wide context and the routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api::{ApiClient, Session};
use crate::config::Config;
use crate::host::HostPage;
use crate::i18n::{keys, I18n, LangChoice};
use crate::pages::{AppPasswordsPanel, NotFoundPage, SecurityInfoPanel, SecurityPage, SignInPage};
use crate::routes::{BasePath, Screen};
use crate::session::{RequireSession, SessionContext};
use crate::shell::TopBar;

/// Provides what every screen reads from context: the configuration, its
/// base path, the API client, the session, the host page, the language and
/// the switcher's handle on it. [`App`] calls it; so do component tests
/// that mount one screen.
pub fn provide_app_context(
    config: Config,
    api: ApiClient,
    host: HostPage,
    i18n: I18n,
    lang: LangChoice,
) {
    provide_context(BasePath::new(config.base_path.clone().unwrap_or_default()));
    provide_context(api);
    provide_context(SessionContext {
        session: RwSignal::new(None::<Session>),
    });
    provide_context(host);
    provide_context(i18n);
    provide_context(lang);
    provide_context(config);
}

/// The whole app, configured by `config`, talking through `api`, telling
/// `host` what happens, in `lang`. Each screen has its own URL under the
/// base path. A new language renders it all again, where the user was.
#[component]
pub fn App(config: Config, api: ApiClient, host: HostPage, lang: LangChoice) -> impl IntoView {
    move || {
        let i18n = I18n::new(lang.lang.get());
        let title = config
            .title
            .clone()
            .unwrap_or_else(|| i18n.t(keys::APP_TITLE));
        host.show_language(i18n.lang(), &title);
        let base = config.base_path.clone().unwrap_or_default();
        let header = config.header;
        provide_app_context(config.clone(), api.clone(), host.clone(), i18n, lang);
        view! {
            <Router base=base>
                {header.then(|| view! { <TopBar title=title.clone() /> })}
                <main class="content">
                    <Routes fallback=|| view! { <NotFoundPage /> }>
                        <Route path=path!("/") view=|| view! { <Redirect path=Screen::AppPasswords.path() /> } />
                        <Route path=path!("/sign-in") view=SignInPage />
                        // One page with two tabs: the page stays, the panel changes.
                        <ParentRoute
                            path=path!("")
                            view=|| view! { <RequireSession><SecurityPage /></RequireSession> }
                        >
                            <Route path=path!("/security-info") view=SecurityInfoPanel />
                            <Route path=path!("/app-passwords") view=AppPasswordsPanel />
                        </ParentRoute>
                    </Routes>
                </main>
            </Router>
        }
    }
}
