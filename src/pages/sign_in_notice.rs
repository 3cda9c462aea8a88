//! The line above the sign-in form: what went wrong, or why the user is
//! here (signed out, a session that ended, a sign-in to confirm).

use leptos::html;
use leptos::prelude::*;

use crate::config::use_config;
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::Arrival;

/// The line above the form.
#[derive(Debug, Clone)]
pub(super) struct Notice {
    /// The sentence.
    pub text: String,
    /// What went wrong, read out at once; otherwise news (signed out).
    pub error: bool,
    /// Whether the line takes the focus: when no field does.
    pub focus: bool,
    /// Whether the operator's help link follows (`help_url`): a wait of
    /// minutes is where a user wants someone to ask.
    pub help: bool,
}

impl Notice {
    /// What went wrong with a field, which the caller gives the focus.
    pub fn about_field(text: String) -> Option<Self> {
        Some(Self {
            text,
            error: true,
            focus: false,
            help: false,
        })
    }

    /// Why the user is here, when the app sent them; `focus` when no
    /// field takes it.
    pub fn on(arrival: &Arrival, i18n: I18n, focus: bool) -> Self {
        Self {
            text: i18n.t(match arrival {
                Arrival::SignedOut => keys::SIGN_IN_SIGNED_OUT,
                Arrival::SessionEnded { kept: true, .. } => keys::SIGN_IN_SESSION_ENDED_KEPT,
                Arrival::SessionEnded { kept: false, .. } => keys::SIGN_IN_SESSION_ENDED,
                Arrival::Confirm { .. } => keys::SIGN_IN_CONFIRM,
            }),
            error: false,
            focus,
            help: false,
        }
    }

    /// What went wrong with no field at fault: the line takes the focus.
    pub fn about_form(text: String) -> Option<Self> {
        Some(Self {
            text,
            error: true,
            focus: true,
            help: false,
        })
    }
}

/// The line above the form, made anew for each notice, so that a screen
/// reader hears each one, the same error twice included.
#[component]
pub(super) fn NoticeLine(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let (help_url, i18n) = (use_config().help_url, use_i18n());
    move || {
        notice.get().map(|notice| {
            let line = NodeRef::<html::Div>::new();
            if notice.focus {
                line.on_load(|line| {
                    let _ = line.focus();
                });
            }
            let (class, role) = if notice.error {
                ("notice notice-error", "alert")
            } else {
                ("notice notice-info", "status")
            };
            view! {
                <div id="sign-in-notice" class=class role=role tabindex="-1" node_ref=line>
                    {notice.text}
                    {help_url.clone().filter(|_| notice.help).map(|url| view! {
                        " "<a href=url id="sign-in-help" target="_blank" rel="noopener">{i18n.t(keys::SIGN_IN_GET_HELP)}</a>
                    })}
                </div>
            }
        })
    }
}
