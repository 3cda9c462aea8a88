//! The dialogs that change what exists: rename one, delete one, delete all.
//! Each names what it acts on and keeps what the user typed when it fails.

use leptos::html;
use leptos::prelude::*;

use crate::api::{ApiError, AppPassword, ProblemKind};
use crate::components::{Dialog, TextField};
use crate::drafts::Draft;
use crate::host::{use_host, HostEvent};
use crate::pages::create_dialog::{check_name, NAME_RULES};
use crate::session::{use_api, use_session_expired};

/// What a manage dialog reports when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changed.
    Cancelled,
    /// Something changed; the sentence says what, for the status line.
    Changed(String),
}

/// Shows a failed change where the user will look: an ended session goes
/// to sign-in (keeping `draft`, what they typed); an app password that no
/// longer exists closes the dialog with `gone`, so the list reloads and
/// says so; anything else is said in the dialog.
fn report(
    error: &ApiError,
    message: RwSignal<Option<String>>,
    on_expired: &impl Fn(&ApiError, Option<Draft>) -> bool,
    draft: Option<Draft>,
    gone: Option<&str>,
    on_close: Callback<Outcome>,
) {
    if on_expired(error, draft) {
        return;
    }
    match gone {
        Some(gone) if error.status() == Some(404) => {
            on_close.run(Outcome::Changed(gone.to_owned()))
        }
        _ => message.set(Some(error.message())),
    }
}

/// Renames `item`; `draft` is a new name typed before the session ended.
#[component]
pub fn RenameDialog(
    item: AppPassword,
    on_close: Callback<Outcome>,
    draft: Option<String>,
) -> impl IntoView {
    let api = use_api();
    let on_expired = use_session_expired();
    let restored = draft.is_some();
    let name = RwSignal::new(draft.unwrap_or_else(|| item.name.clone()));
    let name_error = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<String>);
    let host = use_host();
    let id = item.id.clone();
    let gone = format!(
        "“{}” no longer exists: it was deleted, perhaps in another window. The list is up to date.",
        item.name
    );
    let title_name = item.name.clone();
    let rename = Action::new_local(move |name: &String| {
        let (api, host, id, name) = (api.clone(), host.clone(), id.clone(), name.clone());
        async move {
            api.rename_app_password(&id, &name)
                .await
                .inspect(|renamed| {
                    host.tell(HostEvent::Renamed {
                        id: renamed.id.clone(),
                        name: renamed.name.clone(),
                    })
                })
        }
    });
    Effect::new(move || match rename.value().get() {
        Some(Ok(renamed)) => {
            on_close.run(Outcome::Changed(format!("Renamed to “{}”.", renamed.name)))
        }
        Some(Err(error)) if error.kind() == ProblemKind::ValidationFailed => {
            name_error.set(error.field_error("/name").or_else(|| Some(error.message())))
        }
        Some(Err(error)) => report(
            &error,
            message,
            &on_expired,
            Some(Draft::Rename {
                id: item.id.clone(),
                name: name.get_untracked(),
            }),
            Some(&gone),
            on_close,
        ),
        None => {}
    });
    let input = NodeRef::<html::Input>::new();
    Effect::new(move || {
        if let Some(input) = input.get() {
            input.select();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if rename.pending().get_untracked() {
            return;
        }
        match check_name(&name.get_untracked()) {
            Ok(checked) => {
                name_error.set(None);
                rename.dispatch(checked);
            }
            Err(problem) => name_error.set(Some(problem)),
        }
    };
    view! {
        <Dialog labelled_by="rename-title" on_escape=Signal::stored(Some(Callback::new(move |()| on_close.run(Outcome::Cancelled))))>
            <form on:submit=submit novalidate>
                <h2 id="rename-title">"Rename “" {title_name} "”"</h2>
                {restored.then(|| view! {
                    <p class="notice notice-info" id="rename-restored">
                        "You were signed out before the new name was saved. Check it and select Save."
                    </p>
                })}
                <ErrorLine message=message />
                <TextField id="rename-name" label="Name" value=name error=name_error hint=NAME_RULES node_ref=input />
                <div class="dialog-actions">
                    <button type="submit" class="button button-primary" disabled=move || rename.pending().get()>
                        "Save"
                    </button>
                    <button type="button" class="button" on:click=move |_| on_close.run(Outcome::Cancelled)>
                        "Cancel"
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// Asks before deleting `item`, naming it.
#[component]
pub fn DeleteDialog(item: AppPassword, on_close: Callback<Outcome>) -> impl IntoView {
    let api = use_api();
    let host = use_host();
    let name = item.name.clone();
    let delete = Action::new_local(move |(): &()| {
        let (api, host, item) = (api.clone(), host.clone(), item.clone());
        async move {
            api.delete_app_password(&item.id).await.inspect(|()| {
                host.tell(HostEvent::Deleted {
                    id: item.id,
                    name: item.name,
                })
            })
        }
    });
    let done = format!("Deleted “{name}”. Apps using it can no longer sign in.");
    let gone =
        format!("“{name}” was already deleted, perhaps in another window. The list is up to date.");
    view! {
        <ConfirmDialog
            title_id="delete-title"
            title=format!("Delete “{name}”?")
            body="Apps and devices that use this app password will no longer be able to sign in.".to_owned()
            confirm="Delete"
            done=done
            gone=gone
            action=delete
            on_close=on_close
        />
    }
}

/// Asks before deleting all `count` app passwords, saying how many.
#[component]
pub fn DeleteAllDialog(count: usize, on_close: Callback<Outcome>) -> impl IntoView {
    let api = use_api();
    let host = use_host();
    let delete_all = Action::new_local(move |(): &()| {
        let (api, host) = (api.clone(), host.clone());
        async move {
            let revoked = api.delete_all_app_passwords().await?;
            host.tell(HostEvent::DeletedAll {
                count: revoked.revoked,
            });
            Ok(())
        }
    });
    let noun = if count == 1 {
        "app password"
    } else {
        "app passwords"
    };
    view! {
        <ConfirmDialog
            title_id="delete-all-title"
            title=format!("Delete all {count} {noun}?")
            body="Every app and device that signs in with an app password will stop working until you create new ones.".to_owned()
            confirm="Delete all"
            done=format!("Deleted all {count} {noun}.")
            action=delete_all
            on_close=on_close
        />
    }
}

/// A yes/no dialog around one write; `gone` says that what it would change
/// no longer exists (the backend answered 404).
#[component]
fn ConfirmDialog(
    title_id: &'static str,
    title: String,
    body: String,
    confirm: &'static str,
    done: String,
    #[prop(optional)] gone: Option<String>,
    action: Action<(), Result<(), ApiError>>,
    on_close: Callback<Outcome>,
) -> impl IntoView {
    let on_expired = use_session_expired();
    let message = RwSignal::new(None::<String>);
    Effect::new(move || match action.value().get() {
        Some(Ok(())) => on_close.run(Outcome::Changed(done.clone())),
        Some(Err(error)) => report(
            &error,
            message,
            &on_expired,
            None,
            gone.as_deref(),
            on_close,
        ),
        None => {}
    });
    let cancel = NodeRef::<html::Button>::new();
    // The safe choice has focus: Enter alone does not delete.
    Effect::new(move || {
        if let Some(cancel) = cancel.get() {
            let _ = cancel.focus();
        }
    });
    view! {
        <Dialog labelled_by=title_id on_escape=Signal::stored(Some(Callback::new(move |()| on_close.run(Outcome::Cancelled))))>
            <h2 id=title_id>{title}</h2>
            <p>{body}</p>
            <ErrorLine message=message />
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button button-danger"
                    disabled=move || action.pending().get()
                    on:click=move |_| {
                        if !action.pending().get_untracked() {
                            message.set(None);
                            action.dispatch(());
                        }
                    }
                >
                    {confirm}
                </button>
                <button type="button" class="button" node_ref=cancel on:click=move |_| on_close.run(Outcome::Cancelled)>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}

/// An error sentence read out as it appears.
#[component]
fn ErrorLine(message: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert" hidden=move || message.get().is_none()>
            {move || message.get()}
        </div>
    }
}
