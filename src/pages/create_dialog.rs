//! The Create dialog: step one asks for a name, step two shows the new
//! password once, with Copy and Done.

use leptos::html;
use leptos::prelude::*;

use wasm_bindgen::JsCast;

use crate::api::{new_idempotency_key, ApiError, CreatedAppPassword, ProblemKind};
use crate::components::{CopyButton, Dialog, TextField};
use crate::drafts::Draft;
use crate::host::{use_host, HostEvent};
use crate::session::{use_api, use_session, use_session_expired};

/// The rules a name follows, as the backend states them.
pub const NAME_RULES: &str =
    "Name it after the app or device that will use it, such as “Outlook on my laptop”. 1 to 120 characters.";

/// Checks a name as the backend will, so the user hears about it at once.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 {
        return Err("Enter a name.".into());
    }
    if count > 120 {
        return Err(format!("Use at most 120 characters (this has {count})."));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err("Remove line breaks, tabs and invisible formatting characters.".into());
    }
    Ok(name.to_owned())
}

/// Creates an app password. `on_close` runs after Done or Cancel; the
/// password leaves the page with the dialog.
#[component]
pub fn CreateDialog(
    /// Called when the dialog closes; `true` when a password was created.
    on_close: Callback<bool>,
    /// Called when the list behind may be out of date (the limit turned
    /// out to be reached).
    on_list_stale: Callback<()>,
    /// A create that was interrupted when the session ended: its name and
    /// `Idempotency-Key`, to send it again as it was.
    draft: Option<(String, String)>,
) -> impl IntoView {
    let api = use_api();
    let on_expired = use_session_expired();
    let session = use_session();
    let restored = draft.is_some();
    let (initial_name, initial_key) =
        draft.unwrap_or_else(|| (String::new(), new_idempotency_key()));
    let name = RwSignal::new(initial_name);
    let name_error = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<String>);
    // One key per name: a retry of the same create after a lost answer
    // sends the same key and gets the same password back.
    let key = RwSignal::new(initial_key);
    Effect::new(move |previous: Option<String>| {
        let current = name.get();
        if previous.is_some_and(|p| p.trim() != current.trim()) {
            key.set(new_idempotency_key());
        }
        current
    });
    let host = use_host();
    let create = Action::new_local({
        let api = api.clone();
        move |(name, key): &(String, String)| {
            let (api, host) = (api.clone(), host.clone());
            let (name, key) = (name.clone(), key.clone());
            async move {
                // The host hears the id and name, never the password.
                api.create_app_password(&name, &key)
                    .await
                    .inspect(|created| {
                        host.tell(HostEvent::Created {
                            id: created.item.id.clone(),
                            name: created.item.name.clone(),
                        })
                    })
            }
        }
    });
    Effect::new({
        let on_expired = on_expired.clone();
        move || {
            if let Some(Err(error)) = create.value().get() {
                let draft = Draft::Create {
                    name: name.get_untracked(),
                    idempotency_key: key.get_untracked(),
                };
                if on_expired(&error, Some(draft)) {
                    return;
                }
                match error.kind() {
                    ProblemKind::LimitReached => on_list_stale.run(()),
                    ProblemKind::AppPasswordsDisabled => session.session.update(|session| {
                        if let Some(session) = session {
                            session.app_passwords_enabled = Some(false);
                        }
                    }),
                    _ => {}
                }
                show_create_error(&error, name_error, message);
            }
        }
    });
    let created = Memo::new(move |_| create.value().get().and_then(Result::ok));
    let name_input = NodeRef::<html::Input>::new();
    Effect::new(move || {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });
    // The password must not outlive the dialog, however it closes (Done,
    // the Back button, an ended session).
    on_cleanup(move || {
        create.value().try_set(None);
    });
    // Back at the tab while the password shows: if the session ended
    // meanwhile, sign-in takes over and the password leaves the page.
    let recheck = Action::new_local(move |(): &()| {
        let api = api.clone();
        async move { api.session().await }
    });
    Effect::new(move || {
        if let Some(Err(error)) = recheck.value().get() {
            on_expired(&error, None);
        }
    });
    for event in ["focus", "visibilitychange"] {
        let listener = window_event_listener_untyped(event, move |_| {
            let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
            if visible && created.get_untracked().is_some() && !recheck.pending().get_untracked() {
                recheck.dispatch(());
            }
        });
        on_cleanup(move || listener.remove());
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Double clicks and a held-down Enter send one create.
        if create.pending().get_untracked() {
            return;
        }
        match check_name(&name.get_untracked()) {
            Ok(checked) => {
                name_error.set(None);
                message.set(None);
                create.dispatch((checked, key.get_untracked()));
            }
            Err(problem) => name_error.set(Some(problem)),
        }
    };
    let close = move |made: bool| {
        // Forget the password before the dialog goes.
        create.value().set(None);
        on_close.run(made);
    };
    let on_escape = Signal::derive(move || {
        created
            .get()
            .is_none()
            .then(|| Callback::new(move |()| close(false)))
    });

    view! {
        <Dialog labelled_by="create-title" on_escape=on_escape>
            <Show
                when=move || created.get().is_some()
                fallback=move || {
                    view! {
                        <form on:submit=submit novalidate>
                            <h2 id="create-title">"Create an app password"</h2>
                            {restored.then(|| view! {
                                <p class="notice notice-info" id="create-restored">
                                    "You were signed out before this app password was created. Check the name and select Next."
                                </p>
                            })}
                            <div class="notice notice-error" role="alert" hidden=move || message.get().is_none()>
                                {move || message.get()}
                            </div>
                            <TextField
                                id="app-password-name"
                                label="Name"
                                value=name
                                error=name_error
                                hint=NAME_RULES
                                node_ref=name_input
                            />
                            <div class="dialog-actions">
                                <button
                                    type="submit"
                                    class="button button-primary"
                                    disabled=move || name.get().trim().is_empty() || create.pending().get()
                                >
                                    {move || if create.pending().get() { "Creating…" } else { "Next" }}
                                </button>
                                <button type="button" class="button" on:click=move |_| close(false)>
                                    "Cancel"
                                </button>
                            </div>
                        </form>
                    }
                }
            >
                {move || created.get().map(|created| view! { <CreatedStep created=created on_done=Callback::new(move |()| close(true)) /> })}
            </Show>
        </Dialog>
    }
}

/// Step two: the password, once.
#[component]
fn CreatedStep(created: CreatedAppPassword, on_done: Callback<()>) -> impl IntoView {
    let password = created.password.clone();
    let copy_first = NodeRef::<html::Div>::new();
    // Focus on Copy, the next thing to do; Done needs a deliberate press.
    Effect::new(move || {
        if let Some(button) = copy_first
            .get()
            .and_then(|area| area.query_selector("button").ok().flatten())
            .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = button.focus();
        }
    });
    view! {
        <h2 id="create-title">"Your new app password"</h2>
        <p>"For " <strong class="created-name">{created.item.name.clone()}</strong></p>
        <p class="password" id="new-password" translate="no">{password.clone()}</p>
        {created.login.clone().map(|login| view! {
            <p class="muted">"Sign in to the app with the login " <strong class="created-login">{login}</strong> " and this password."</p>
        })}
        <p class="notice notice-warning">
            "Copy it now: it will not be shown again. If you lose it, delete it and create a new one."
        </p>
        <div node_ref=copy_first>
            <CopyButton text=Signal::stored(password) select_on_refusal="new-password" />
        </div>
        <div class="dialog-actions">
            <button
                type="button"
                class="button"
                id="done"
                // An Enter held down since Next must not skip past the password.
                on:keydown=|ev: leptos::ev::KeyboardEvent| {
                    if ev.repeat() {
                        ev.prevent_default();
                    }
                }
                on:click=move |_| on_done.run(())
            >
                "Done"
            </button>
        </div>
    }
}

/// Shows a failed create where the user will look: next to the name when
/// the backend says what is wrong with it, otherwise above it, with the
/// way forward. The name stays as typed.
fn show_create_error(
    error: &ApiError,
    name_error: RwSignal<Option<String>>,
    message: RwSignal<Option<String>>,
) {
    match error.field_error("/name") {
        Some(detail) if error.kind() == ProblemKind::ValidationFailed => {
            name_error.set(Some(detail))
        }
        _ if error.is_worth_retrying() => message.set(Some(format!(
            "{} Your name is kept: select Next to try again.",
            error.message()
        ))),
        _ => message.set(Some(error.message())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_like_the_backend_does() {
        assert_eq!(check_name("  Mail  ").unwrap(), "Mail");
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(121)).is_err());
        assert!(check_name(&"é".repeat(120)).is_ok());
        assert!(check_name("a\tb").is_err());
        assert!(check_name("a\u{202E}b").is_err());
        assert_eq!(check_name("<b>x</b>").unwrap(), "<b>x</b>");
    }
}
