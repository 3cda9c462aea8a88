//! The root component: app-wide context and the routes.

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api::{ApiClient, Session};
use crate::config::Config;
use crate::pages::{NotFoundPage, SecurityPage, SecurityTab, SignInPage};
use crate::session::{RequireSession, SessionContext};
use crate::shell::TopBar;

/// The whole app: provides the configuration, API client and session to
/// every screen, and maps each screen to its own URL.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::default();
    provide_context(ApiClient::new(&config));
    provide_context(SessionContext {
        session: RwSignal::new(None::<Session>),
    });
    provide_context(config);

    view! {
        <Router>
            <TopBar />
            <main class="content">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=|| view! { <Redirect path="/app-passwords" /> } />
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
