//! The root component: app-wide context and the routes.

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api::{ApiClient, Session};
use crate::config::Config;
use crate::host::HostPage;
use crate::pages::{NotFoundPage, SecurityPage, SecurityTab, SignInPage};
use crate::routes::{BasePath, Screen};
use crate::session::{RequireSession, SessionContext};
use crate::shell::TopBar;

/// Provides what every screen reads from context: the configuration, its
/// base path, the API client, the session and the host page. [`App`] calls
/// it; so do component tests that mount one screen.
pub fn provide_app_context(config: Config, api: ApiClient, host: HostPage) {
    provide_context(BasePath::new(config.base_path.clone().unwrap_or_default()));
    provide_context(api);
    provide_context(SessionContext {
        session: RwSignal::new(None::<Session>),
    });
    provide_context(host);
    provide_context(config);
}

/// The whole app, configured by `config`, talking through `api`, telling
/// `host` what happens. Each screen has its own URL under the base path.
#[component]
pub fn App(config: Config, api: ApiClient, host: HostPage) -> impl IntoView {
    let base = config.base_path.clone().unwrap_or_default();
    let header = config.header;
    provide_app_context(config, api, host);

    view! {
        <Router base=base>
            {header.then(|| view! { <TopBar /> })}
            <main class="content">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=|| view! { <Redirect path=Screen::AppPasswords.path() /> } />
                    <Route path=path!("/sign-in") view=SignInPage />
                    <Route
                        path=path!("/security-info")
                        view=|| view! { <RequireSession><SecurityPage tab=SecurityTab::Verification /></RequireSession> }
                    />
                    <Route
                        path=path!("/app-passwords")
                        view=|| view! { <RequireSession><SecurityPage tab=SecurityTab::AppPasswords /></RequireSession> }
                    />
                </Routes>
            </main>
        </Router>
    }
}
