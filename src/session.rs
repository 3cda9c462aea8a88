//! The signed-in session, shared app-wide; what happens when it ends; and
//! the guard that sends signed-out visitors to sign-in and back.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::location::State;
use leptos_router::NavigateOptions;

use crate::api::{use_api, ApiError, ProblemKind, Session};
use crate::components::ErrorNotice;
use crate::config::use_config;
use crate::drafts::{self, Draft};
use crate::fetch::Fetch;
use crate::host::{use_host, HostEvent};
use crate::i18n::{keys, use_i18n};
use crate::routes::{use_base_path, Screen};
use crate::url_encoding::percent_encode;

/// App-wide session state: `None` until known or after sign-out.
#[derive(Clone, Copy)]
pub struct SessionContext {
    /// The current session.
    pub session: RwSignal<Option<Session>>,
}

/// The session provided at the root.
pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}

/// The work an ended session interrupted that `wanted` picks
/// ([`drafts::take`]), taken once the session says whose it is: `None`
/// until then, and for good when there is none. A screen starts before
/// the session is confirmed ([`RequireSession`]), so its login may come a
/// moment later than the screen.
pub fn use_kept_draft(
    wanted: impl Fn(&Draft) -> bool + Send + Sync + 'static,
) -> Memo<Option<Draft>> {
    let session = use_session().session;
    let login = Memo::new(move |_| session.with(|s| s.as_ref().map(|s| s.user.login.clone())));
    // Taking removes the draft from storage, so this must run once a
    // login: a memo recomputes only when the login itself changes.
    Memo::new(move |_| login.get().and_then(|login| drafts::take(&login, &wanted)))
}

/// Path of the sign-in screen that returns to `return_to` afterwards.
pub fn sign_in_path(return_to: &str) -> String {
    format!(
        "{}?return={}",
        Screen::SignIn.path(),
        percent_encode(return_to, true)
    )
}

/// Why the sign-in screen is on show, kept in its history entry: it stays
/// over a reload or a change of language, and goes with the next sign-in,
/// which replaces the entry. Never in the address: the login is not for
/// logs and referrers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// The user signed out.
    SignedOut,
    /// The session ended under `login`; `kept` when what they typed waits
    /// for their return ([`drafts`]).
    SessionEnded {
        /// Whose session it was, filled in for them.
        login: String,
        /// Whether unsent work was kept.
        kept: bool,
    },
    /// Creating an app password needs a fresh sign-in (`--reauth-minutes`):
    /// `login` is asked to confirm it is them; the create is kept.
    Confirm {
        /// Whose sign-in it was, filled in for them.
        login: String,
        /// Whether they confirm through their identity provider, having
        /// no password here.
        provider: bool,
    },
}

/// Marks this app's history states among a host page's own.
const SIGNED_OUT: &str = "app-passwords:signed-out";
const ENDED: &str = "app-passwords:session-ended:";
const CONFIRM: &str = "app-passwords:confirm:";

impl Arrival {
    /// How to go to sign-in for this reason, so that the screen says so.
    pub fn navigate(&self, replace: bool) -> NavigateOptions {
        NavigateOptions {
            replace,
            state: State::new(Some(self.encode().into())),
            ..Default::default()
        }
    }

    /// The login to fill in, when the app knows whose sign-in this is.
    pub fn login(&self) -> Option<&str> {
        match self {
            Self::SignedOut => None,
            Self::SessionEnded { login, .. } | Self::Confirm { login, .. } => Some(login),
        }
    }

    /// Why the sign-in screen on show came, if the app sent the user there.
    pub fn here() -> Option<Self> {
        let state = window().history().and_then(|h| h.state()).ok()?;
        Self::decode(&state.as_string()?)
    }

    // Two fields in a string, written by hand: serde's code for an enum
    // costs the download more than this does (tests/size_budget.rs).
    fn encode(&self) -> String {
        match self {
            Self::SignedOut => SIGNED_OUT.to_owned(),
            Self::SessionEnded { login, kept } => format!("{ENDED}{}:{login}", u8::from(*kept)),
            Self::Confirm { login, provider } => {
                format!("{CONFIRM}{}:{login}", u8::from(*provider))
            }
        }
    }

    fn decode(state: &str) -> Option<Self> {
        if state == SIGNED_OUT {
            return Some(Self::SignedOut);
        }
        if let Some((provider, login)) = state.strip_prefix(CONFIRM).and_then(|s| s.split_once(':'))
        {
            return Some(Self::Confirm {
                login: login.to_owned(),
                provider: provider == "1",
            });
        }
        let (kept, login) = state.strip_prefix(ENDED)?.split_once(':')?;
        Some(Self::SessionEnded {
            login: login.to_owned(),
            kept: kept == "1",
        })
    }
}

/// Where to go after sign-in: `requested` when it is a path of this app,
/// otherwise the app's home. Refusing `//host` and `https://…` keeps the
/// sign-in page from being an open redirect.
pub fn safe_return_path(requested: Option<&str>) -> String {
    match requested {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => Screen::AppPasswords.path().to_owned(),
    }
}

/// Tells the host and leaves the screen if `error` says the session has
/// ended and the configuration says to leave; `true` when it left.
pub(crate) fn use_leave_when_ended() -> impl Fn(&ApiError, Option<Draft>) -> bool + Clone {
    let session = use_session();
    let config = use_config();
    let host = use_host();
    let base = use_base_path();
    let navigate = use_navigate();
    let location = use_location();
    move |error: &ApiError, draft: Option<Draft>| {
        if !error.is_session_expired() {
            return false;
        }
        host.tell(HostEvent::SessionExpired);
        if !config.leaves_when_signed_out() {
            return false;
        }
        // Only a session that was confirmed can be said to have ended; a
        // first visit just needs signing in.
        let arrival = session.session.get_untracked().map(|signed_in| {
            let provider = signed_in.signs_in_with.is_some();
            let login = signed_in.user.login;
            let kept = draft.as_ref().is_some_and(Draft::was_typed);
            if let Some(draft) = draft {
                drafts::keep(&login, draft);
            }
            if error.kind() == ProblemKind::ReauthenticationRequired {
                return Arrival::Confirm { login, provider };
            }
            Arrival::SessionEnded { login, kept }
        });
        session.session.set(None);
        if let Some(url) = config.sign_in_redirect(&window().location().href().unwrap_or_default())
        {
            let _ = window().location().assign(&url);
            return true;
        }
        let pathname = location.pathname.get_untracked();
        let here = format!(
            "{}{}",
            base.route_of(&pathname),
            location.search.get_untracked()
        );
        let options = match arrival {
            Some(arrival) => arrival.navigate(true),
            None => NavigateOptions {
                replace: true,
                ..Default::default()
            },
        };
        navigate(&sign_in_path(&here), options);
        true
    }
}

/// Shows `children` only to a signed-in user: loads the session when it is
/// not known yet, and sends a signed-out visitor to sign-in. The screen's
/// own requests start at once, beside the session's: the screen is built
/// (its reads sent) hidden while the check runs, and shown when the
/// session is confirmed; a signed-out visitor never sees it.
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let context = use_session();
    let api = use_api();
    let leave = use_leave_when_ended();
    let check = Fetch::new(move || {
        let (api, leave) = (api.clone(), leave.clone());
        async move {
            if context.session.get_untracked().is_some() {
                return Ok(());
            }
            let session = api.session().await.inspect_err(|error| {
                leave(error, None);
            })?;
            context.session.set(Some(session));
            Ok::<(), ApiError>(())
        }
    });
    let leaves_when_signed_out = use_config().leaves_when_signed_out();
    let i18n = use_i18n();
    let (loading, leaving) = (
        i18n.t(keys::COMMON_LOADING),
        i18n.t(keys::SESSION_TAKING_TO_SIGN_IN),
    );
    let confirmed = move || check.with(|answer| matches!(answer, Some(Ok(()))));
    let failed = Memo::new(move |_| check.with(|answer| matches!(answer, Some(Err(_)))));
    let children = StoredValue::new(children);
    view! {
        {move || match check.get() {
            None => view! { <p class="loading" role="status">{loading.clone()}</p> }.into_any(),
            Some(Ok(())) => ().into_any(),
            Some(Err(error)) if error.is_session_expired() && leaves_when_signed_out => {
                view! { <p class="loading" role="status">{leaving.clone()}</p> }.into_any()
            }
            Some(Err(error)) => {
                view! { <ErrorNotice error=error on_retry=Callback::new(move |()| check.refetch()) /> }
                    .into_any()
            }
        }}
        // Built (into the document, hidden) while the check runs: a route's
        // panel is built only as its `Outlet` is, and its reads must go out
        // beside the session's, not after it. Built again after a failed
        // check, whose screen failed with it.
        <div class="session-screen" hidden=move || !confirmed()>
            <Show when=move || !failed.get()>{children.with_value(|children| children())}</Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_inside_the_app() {
        assert_eq!(safe_return_path(Some("/app-passwords")), "/app-passwords");
        assert_eq!(safe_return_path(Some("//evil.example/")), "/app-passwords");
        assert_eq!(
            safe_return_path(Some("https://evil.example/")),
            "/app-passwords"
        );
        assert_eq!(safe_return_path(Some("/\\evil.example")), "/app-passwords");
        assert_eq!(safe_return_path(None), "/app-passwords");
    }

    #[test]
    fn arrivals_read_back_as_written_and_others_states_are_not_ours() {
        for arrival in [
            Arrival::SignedOut,
            Arrival::SessionEnded {
                login: "grace:hopper@example.com".into(),
                kept: true,
            },
            Arrival::SessionEnded {
                login: String::new(),
                kept: false,
            },
            Arrival::Confirm {
                login: "ada:lovelace".into(),
                provider: true,
            },
        ] {
            assert_eq!(Arrival::decode(&arrival.encode()), Some(arrival));
        }
        assert_eq!(Arrival::decode("host-page:state"), None);
        assert_eq!(Arrival::decode("app-passwords:session-ended:"), None);
    }

    #[test]
    fn sign_in_path_encodes_the_return_path() {
        assert_eq!(sign_in_path("/a?b=c&d"), "/sign-in?return=/a%3Fb%3Dc%26d");
    }
}
