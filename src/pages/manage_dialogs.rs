//! The dialogs that change what exists: rename one, delete one, delete all.
//! Each names what it acts on and keeps what the user typed when it fails.

use contract::check_name;
use leptos::html;
use leptos::prelude::*;

use crate::api::{use_api, ApiError, AppPassword, ProblemKind};
use crate::components::{name_problem_message, Dialog, ErrorLine, NameField};
use crate::drafts::Draft;
use crate::host::{use_host, HostEvent};
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::use_session_end;

/// What a manage dialog reports when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changed.
    Cancelled,
    /// Something changed; the sentence says what, for the status line.
    Changed(String),
}

/// How a dialog ends a failed change: an ended session goes to sign-in
/// (keeping the draft, what the user typed); an app password that no
/// longer exists closes the dialog with `gone`, so the list reloads and
/// says so; anything else is said in the dialog's `message`.
#[derive(Clone)]
struct Failures {
    message: RwSignal<Option<String>>,
    gone: Option<String>,
    on_close: Callback<Outcome>,
    i18n: I18n,
}

impl Failures {
    fn report(
        &self,
        error: ApiError,
        draft: Option<Draft>,
        session_end: impl Fn(ApiError, Option<Draft>) -> Option<ApiError>,
    ) {
        let Some(error) = session_end(error, draft) else {
            return;
        };
        match &self.gone {
            Some(gone) if error.status() == Some(404) => {
                self.on_close.try_run(Outcome::Changed(gone.clone()));
            }
            _ => self.message.set(Some(error.message(&self.i18n))),
        }
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
    let restored = draft.is_some();
    let name = RwSignal::new(draft.unwrap_or_else(|| item.name.clone()));
    let name_error = RwSignal::new(None::<String>);
    let shown_name = i18n.user_text(&item.name);
    let failures = Failures {
        message: RwSignal::new(None),
        gone: Some(i18n.t_with(keys::RENAME_GONE, &[("name", &shown_name)])),
        on_close,
        i18n,
    };
    let title = i18n.t_with(keys::RENAME_TITLE, &[("name", &shown_name)]);
    let rename = rename_action(item.id, name_error, failures.clone());
    let input = NodeRef::<html::Input>::new();
    // The old name selected, so typing replaces it; after the dialog has
    // opened, as opening moves the focus (and the caret) into it.
    input.on_load(|input| {
        request_animation_frame(move || input.select());
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
    let cancel = Callback::new(move |()| on_close.run(Outcome::Cancelled));
    view! {
        <Dialog labelled_by="rename-title" on_escape=Signal::stored(Some(cancel))>
            <form on:submit=submit novalidate>
                <h2 id="rename-title">{title}</h2>
                {restored.then(|| view! {
                    <p class="notice notice-info" id="rename-restored">
                        {i18n.t(keys::RENAME_RESTORED)}
                    </p>
                })}
                <ErrorLine message=failures.message />
                <NameField id="rename-name" value=name error=name_error node_ref=input />
                <div class="dialog-actions">
                    <button type="submit" class="button button-primary" disabled=move || rename.pending().get()>
                        {i18n.t(keys::COMMON_SAVE)}
                    </button>
                    <button type="button" class="button" on:click=move |_| cancel.run(())>
                        {i18n.t(keys::COMMON_CANCEL)}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// The rename request of app password `id`, its result handled here: the
/// dialog closes, or says what went wrong (next to the name when it is the
/// name).
fn rename_action(
    id: String,
    name_error: RwSignal<Option<String>>,
    failures: Failures,
) -> Action<String, ()> {
    let (api, host, session_end, i18n) = (use_api(), use_host(), use_session_end(), use_i18n());
    Action::new_local(move |name: &String| {
        let (api, host, session_end) = (api.clone(), host.clone(), session_end.clone());
        let (failures, id, name) = (failures.clone(), id.clone(), name.clone());
        async move {
            match api.rename_app_password(&id, &name).await {
                Ok(renamed) => {
                    let said = i18n.t_with(
                        keys::RENAME_DONE,
                        &[("name", &i18n.user_text(&renamed.name))],
                    );
                    host.tell(HostEvent::Renamed {
                        id: renamed.id,
                        name: renamed.name,
                    });
                    failures.on_close.try_run(Outcome::Changed(said));
                }
                Err(error) if error.kind() == ProblemKind::ValidationFailed => name_error.set(
                    error
                        .field_error("/name")
                        .or_else(|| Some(error.message(&i18n))),
                ),
                Err(error) => failures.report(error, Some(Draft::Rename { id, name }), session_end),
            }
        }
    })
}

/// Asks before deleting `item`, naming it.
#[component]
pub fn DeleteDialog(item: AppPassword, on_close: Callback<Outcome>) -> impl IntoView {
    let (api, host, session_end, i18n) = (use_api(), use_host(), use_session_end(), use_i18n());
    let name = i18n.user_text(&item.name);
    let named = [("name", name.as_str())];
    let done = i18n.t_with(keys::DELETE_DONE, &named);
    let failures = Failures {
        message: RwSignal::new(None),
        gone: Some(i18n.t_with(keys::DELETE_GONE, &named)),
        on_close,
        i18n,
    };
    let delete = Action::new_local({
        let failures = failures.clone();
        move |(): &()| {
            let (api, host, session_end) = (api.clone(), host.clone(), session_end.clone());
            let (failures, item, done) = (failures.clone(), item.clone(), done.clone());
            async move {
                match api.delete_app_password(&item.id).await {
                    Ok(()) => {
                        host.tell(HostEvent::Deleted {
                            id: item.id,
                            name: item.name,
                        });
                        on_close.try_run(Outcome::Changed(done));
                    }
                    Err(error) => failures.report(error, None, session_end),
                }
            }
        }
    });
    view! {
        <ConfirmDialog
            title_id="delete-title"
            title=i18n.t_with(keys::DELETE_TITLE, &named)
            body=i18n.t(keys::DELETE_BODY)
            confirm=i18n.t(keys::DELETE_CONFIRM)
            action=delete
            message=failures.message
            on_close=on_close
        />
    }
}

/// Asks before deleting all `count` app passwords, saying how many.
#[component]
pub fn DeleteAllDialog(count: usize, on_close: Callback<Outcome>) -> impl IntoView {
    let (api, host, session_end, i18n) = (use_api(), use_host(), use_session_end(), use_i18n());
    let done = i18n.t_count(keys::DELETE_ALL_DONE, count, &[]);
    let failures = Failures {
        message: RwSignal::new(None),
        gone: None,
        on_close,
        i18n,
    };
    let delete_all = Action::new_local({
        let failures = failures.clone();
        move |(): &()| {
            let (api, host, session_end) = (api.clone(), host.clone(), session_end.clone());
            let (failures, done) = (failures.clone(), done.clone());
            async move {
                match api.delete_all_app_passwords().await {
                    Ok(revoked) => {
                        host.tell(HostEvent::DeletedAll {
                            count: revoked.revoked,
                        });
                        on_close.try_run(Outcome::Changed(done));
                    }
                    Err(error) => failures.report(error, None, session_end),
                }
            }
        }
    });
    view! {
        <ConfirmDialog
            title_id="delete-all-title"
            title=i18n.t_count(keys::DELETE_ALL_TITLE, count, &[])
            body=i18n.t(keys::DELETE_ALL_BODY)
            confirm=i18n.t(keys::DELETE_ALL_CONFIRM)
            action=delete_all
            message=failures.message
            on_close=on_close
        />
    }
}

/// Asks before deleting the expired app passwords `items`, saying how many.
/// One that is gone meanwhile counts as deleted.
#[component]
pub fn DeleteExpiredDialog(items: Vec<AppPassword>, on_close: Callback<Outcome>) -> impl IntoView {
    let (api, host, session_end, i18n) = (use_api(), use_host(), use_session_end(), use_i18n());
    let count = items.len();
    let done = i18n.t_count(keys::DELETE_EXPIRED_DONE, count, &[]);
    let failures = Failures {
        message: RwSignal::new(None),
        gone: None,
        on_close,
        i18n,
    };
    let items = StoredValue::new(items);
    let delete_expired = Action::new_local({
        let failures = failures.clone();
        move |(): &()| {
            let (api, host, session_end) = (api.clone(), host.clone(), session_end.clone());
            let (failures, done, items) = (failures.clone(), done.clone(), items.get_value());
            async move {
                for item in items {
                    match api.delete_app_password(&item.id).await {
                        Ok(()) => host.tell(HostEvent::Deleted {
                            id: item.id,
                            name: item.name,
                        }),
                        Err(error) if error.status() == Some(404) => {}
                        Err(error) => return failures.report(error, None, session_end),
                    }
                }
                on_close.try_run(Outcome::Changed(done));
            }
        }
    });
    view! {
        <ConfirmDialog
            title_id="delete-expired-title"
            title=i18n.t_count(keys::DELETE_EXPIRED_TITLE, count, &[])
            body=i18n.t(keys::DELETE_EXPIRED_BODY)
            confirm=i18n.t(keys::DELETE_EXPIRED_CONFIRM)
            action=delete_expired
            message=failures.message
            on_close=on_close
        />
    }
}

/// A yes/no dialog around one write, `action`, which reports its own
/// outcome; `message` says why it failed.
#[component]
fn ConfirmDialog(
    title_id: &'static str,
    title: String,
    body: String,
    confirm: String,
    action: Action<(), ()>,
    message: RwSignal<Option<String>>,
    on_close: Callback<Outcome>,
) -> impl IntoView {
    let i18n = use_i18n();
    let cancel = Callback::new(move |()| on_close.run(Outcome::Cancelled));
    view! {
        <Dialog labelled_by=title_id on_escape=Signal::stored(Some(cancel))>
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
                <button type="button" class="button" autofocus=true on:click=move |_| cancel.run(())>
                    {i18n.t(keys::COMMON_CANCEL)}
                </button>
            </div>
        </Dialog>
    }
}
