//! The Create dialog: step one asks for a name, step two shows the new
//! password once, with Copy and Done.

use leptos::html;
use leptos::prelude::*;

use wasm_bindgen::JsCast;

use contract::check_name;

use crate::api::{new_idempotency_key, ApiError, CreatedAppPassword, ProblemKind};
use crate::components::{name_problem_message, CopyButton, Dialog, ErrorLine, NameField};
use crate::drafts::Draft;
use crate::host::{use_host, HostEvent};
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::{use_api, use_session, use_session_expired};

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
    let i18n = use_i18n();
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
                show_create_error(&error, name_error, message, i18n);
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
            Err(problem) => name_error.set(Some(name_problem_message(problem, i18n))),
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
                            <h2 id="create-title">{i18n.t(keys::CREATE_TITLE)}</h2>
                            {restored.then(|| view! {
                                <p class="notice notice-info" id="create-restored">
                                    {i18n.t(keys::CREATE_RESTORED)}
                                </p>
                            })}
                            <ErrorLine message=message />
                            <NameField id="app-password-name" value=name error=name_error node_ref=name_input />
                            <div class="dialog-actions">
                                <button
                                    type="submit"
                                    class="button button-primary"
                                    disabled=move || name.get().trim().is_empty() || create.pending().get()
                                >
                                    {move || if create.pending().get() { i18n.t(keys::CREATE_BUSY) } else { i18n.t(keys::CREATE_NEXT) }}
                                </button>
                                <button type="button" class="button" on:click=move |_| close(false)>
                                    {i18n.t(keys::COMMON_CANCEL)}
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
    let i18n = use_i18n();
    let password = created.password.clone();
    let spelled = spell_out(&password);
    let show_spelled = RwSignal::new(false);
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
    let (for_before, for_after) = i18n.around(keys::CREATED_FOR, "name");
    view! {
        <h2 id="create-title">{i18n.t(keys::CREATED_TITLE)}</h2>
        <p>{for_before}<strong class="created-name" dir="auto">{created.item.name.clone()}</strong>{for_after}</p>
        <p class="password" id="new-password" translate="no" dir="ltr">{password.clone()}</p>
        {created.login.clone().map(|login| {
            let (before, after) = i18n.around(keys::CREATED_LOGIN, "login");
            view! { <p class="muted">{before}<strong class="created-login" dir="auto">{login}</strong>{after}</p> }
        })}
        <p class="notice notice-warning">{i18n.t(keys::CREATED_WARNING)}</p>
        <div node_ref=copy_first>
            <CopyButton text=Signal::stored(password) select_on_refusal="new-password" />
        </div>
        <button
            type="button"
            class="button button-link"
            id="spell-password"
            aria-expanded=move || if show_spelled.get() { "true" } else { "false" }
            aria-controls="spelled-password"
            on:click=move |_| show_spelled.update(|shown| *shown = !*shown)
        >
            {i18n.t(keys::CREATED_SPELL)}
        </button>
        // Announced as it appears: one group a line, one character at a time.
        <div id="spelled-password" aria-live="polite">
            <Show when=move || show_spelled.get()>
                <p class="spelled-intro">{i18n.t(keys::CREATED_SPELLED)}</p>
                <ol class="spelled" dir="ltr" translate="no">
                    {spelled.iter().map(|group| view! { <li>{group.clone()}</li> }).collect_view()}
                </ol>
            </Show>
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
                {i18n.t(keys::CREATED_DONE)}
            </button>
        </div>
    }
}

/// The password's groups (at its hyphens, or of four characters when it
/// has none), each with its characters apart, so a screen reader reads one
/// character at a time.
fn spell_out(password: &str) -> Vec<String> {
    let spaced = |group: &[char]| {
        group
            .iter()
            .map(char::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    if password.contains('-') {
        password
            .split('-')
            .filter(|group| !group.is_empty())
            .map(|group| spaced(&group.chars().collect::<Vec<_>>()))
            .collect()
    } else {
        password
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(spaced)
            .collect()
    }
}

/// Shows a failed create where the user will look: next to the name when
/// the backend says what is wrong with it, otherwise above it, with the
/// way forward. The name stays as typed.
fn show_create_error(
    error: &ApiError,
    name_error: RwSignal<Option<String>>,
    message: RwSignal<Option<String>>,
    i18n: I18n,
) {
    match error.field_error("/name") {
        Some(detail) if error.kind() == ProblemKind::ValidationFailed => {
            name_error.set(Some(detail))
        }
        _ if error.is_worth_retrying() => message.set(Some(
            i18n.t_with(keys::CREATE_RETRY_HINT, &[("error", &error.message(&i18n))]),
        )),
        _ => message.set(Some(error.message(&i18n))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_spelled_group_by_group() {
        assert_eq!(spell_out("ab2cd-efg3h"), ["a b 2 c d", "e f g 3 h"]);
        assert_eq!(spell_out("abcdefghij"), ["a b c d", "e f g h", "i j"]);
    }
}
