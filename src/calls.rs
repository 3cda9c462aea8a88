//! What a screen needs to call the backend the way the whole app does: the
//! API client, the host page to tell what changed, and what a failed
//! request means when the session has ended. One handle, [`Calls`], so a
//! request's future clones one thing rather than three.

use std::rc::Rc;

use leptos::prelude::*;

use crate::api::{use_api, ApiClient, ApiError};
use crate::drafts::Draft;
use crate::host::{use_host, HostEvent, HostPage};
use crate::session::{use_leave_when_ended, use_session};

/// What became of a failed request once the session had its say.
#[derive(Debug, Clone, PartialEq)]
pub enum Failed {
    /// The session has ended and sign-in (the app's or the site's) took
    /// over, keeping what the user typed: the screen has nothing to show.
    SignInTookOver,
    /// The screen shows this error in place.
    Show(ApiError),
}

/// The API, the host page and the session's end, for one screen. Cheap to
/// clone (a reference count): a request's future takes its own copy.
#[derive(Clone)]
pub struct Calls(Rc<Inner>);

/// A type-erased closure: the session's end is built from the router's
/// `use_navigate`, whose closure type cannot be named.
type LeaveWhenEnded = dyn Fn(&ApiError, Option<Draft>) -> bool;

struct Inner {
    api: ApiClient,
    host: HostPage,
    leave: Box<LeaveWhenEnded>,
    session: RwSignal<Option<crate::api::Session>>,
}

impl Calls {
    /// The API client, for a request's future to own.
    pub fn api(&self) -> ApiClient {
        self.0.api.clone()
    }

    /// Tells the host page (the element the app is mounted in) what
    /// changed; it never hears a password.
    pub fn tell(&self, event: HostEvent) {
        self.0.host.tell(event);
    }

    /// What a screen does with a failed request's error. When the error
    /// says the session has ended, the host page is told and then, as
    /// configured, the user goes to the app's sign-in (to come back to this
    /// screen after), to the site's `sign_in_url`, or, with bearer tokens
    /// from a host page, nowhere: the error stays on screen with what the
    /// user typed, and the next try asks the host for a token again. When
    /// the user is taken away, `draft` (what they were typing) is kept for
    /// their return.
    pub fn failed(&self, error: ApiError, draft: Option<Draft>) -> Failed {
        // Until the session is confirmed, RequireSession's check speaks for
        // it; a screen's request failing meanwhile (they start together)
        // would only tell the host and navigate a second time. So would
        // every request failing after the first has ended the session.
        let known = self.0.session.get_untracked().is_some();
        if known && (self.0.leave)(&error, draft) {
            Failed::SignInTookOver
        } else {
            Failed::Show(error)
        }
    }
}

/// The calls of the screen being built (the router's context must be
/// there: an ended session navigates).
pub fn use_calls() -> Calls {
    Calls(Rc::new(Inner {
        api: use_api(),
        host: use_host(),
        leave: Box::new(use_leave_when_ended()),
        session: use_session().session,
    }))
}
