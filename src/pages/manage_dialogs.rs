//! The dialogs that change what exists: rename one, delete one, delete all.
//! Each names what it acts on and keeps what the user typed when it fails.

use leptos::html;
use leptos::prelude::*;

use contract::check_name;

use crate::api::{ApiError, AppPassword, ProblemKind};
use crate::components::{name_problem_message, Dialog, ErrorLine, NameField};
use crate::drafts::Draft;
use crate::host::{use_host, HostEvent};
use crate::i18n::{keys, use_i18n, I18n};
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
    i18n: I18n,
) {
    if on_expired(error, draft) {
        return;
    }
    match gone {
        Some(gone) if error.status() == Some(404) => {
            on_close.run(Outcome::Changed(gone.to_owned()))
        }
        _ => message.set(Some(error.message(&i18n))),
    }
}

/// Renames `item`; `draft` is a new name typed before the session ended.
#[component]
pub fn RenameDialog(
    item: AppPassword,
    on_close: Callback<Outcome>,
    draft: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let on_expired = use_session_expired();
    let restored = draft.is_some();
    let name = RwSignal::new(draft.unwrap_or_else(|| item.name.clone()));
    let name_error = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<String>);
    let host = use_host();
    let id = item.id.clone();
    let shown_name = i18n.user_text(&item.name);
    let gone = i18n.t_with(keys::RENAME_GONE, &[("name", &shown_name)]);
    let title = i18n.t_with(keys::RENAME_TITLE, &[("name", &shown_name)]);
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
        Some(Ok(renamed)) => on_close.run(Outcome::Changed(i18n.t_with(
            keys::RENAME_DONE,
            &[("name", &i18n.user_text(&renamed.name))],
        ))),
        Some(Err(error)) if error.kind() == ProblemKind::ValidationFailed => name_error.set(
            error
                .field_error("/name")
                .or_else(|| Some(error.message(&i18n))),
        ),
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
            i18n,
        ),
        None => {}
    });
    let input = NodeRef::<html::Input>::new();
    // The old name selected, so typing replaces it; after the dialog has
    // opened, as opening moves the focus (and the caret) into it.
    Effect::new(move || {
        if let Some(input) = input.get() {
            request_animation_frame(move || input.select());
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
            Err(problem) => name_error.set(Some(name_problem_message(problem, i18n))),
        }
    };
    view! {
        <Dialog labelled_by="rename-title" on_escape=Signal::stored(Some(Callback::new(move |()| on_close.run(Outcome::Cancelled))))>
            <form on:submit=submit novalidate>
                <h2 id="rename-title">{title}</h2>
                {restored.then(|| view! {
                    <p class="notice notice-info" id="rename-restored">
                        {i18n.t(keys::RENAME_RESTORED)}
                    </p>
                })}
                <ErrorLine message=message />
                <NameField id="rename-name" value=name error=name_error node_ref=input />
                <div class="dialog-actions">
                    <button type="submit" class="button button-primary" disabled=move || rename.pending().get()>
                        {i18n.t(keys::COMMON_SAVE)}
                    </button>
                    <button type="button" class="button" on:click=move |_| on_close.run(Outcome::Cancelled)>
                        {i18n.t(keys::COMMON_CANCEL)}
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
    let i18n = use_i18n();
    let name = i18n.user_text(&name);
    let named = [("name", name.as_str())];
    view! {
        <ConfirmDialog
            title_id="delete-title"
            title=i18n.t_with(keys::DELETE_TITLE, &named)
            body=i18n.t(keys::DELETE_BODY)
            confirm=i18n.t(keys::DELETE_CONFIRM)
            done=i18n.t_with(keys::DELETE_DONE, &named)
            gone=i18n.t_with(keys::DELETE_GONE, &named)
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
    let i18n = use_i18n();
    view! {
        <ConfirmDialog
            title_id="delete-all-title"
            title=i18n.t_count(keys::DELETE_ALL_TITLE, count, &[])
            body=i18n.t(keys::DELETE_ALL_BODY)
            confirm=i18n.t(keys::DELETE_ALL_CONFIRM)
            done=i18n.t_count(keys::DELETE_ALL_DONE, count, &[])
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
    confirm: String,
    done: String,
    #[prop(optional)] gone: Option<String>,
    action: Action<(), Result<(), ApiError>>,
    on_close: Callback<Outcome>,
) -> impl IntoView {
    let i18n = use_i18n();
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
            i18n,
        ),
        None => {}
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
                // The safe choice has focus (the dialog gives it to the
                // `autofocus` element as it opens): Enter alone does not delete.
                <button type="button" class="button" autofocus=true on:click=move |_| on_close.run(Outcome::Cancelled)>
                    {i18n.t(keys::COMMON_CANCEL)}
                </button>
            </div>
        </Dialog>
    }
}
