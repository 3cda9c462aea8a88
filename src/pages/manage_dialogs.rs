//! The dialogs that change what exists: rename one, delete one, delete all,
//! delete the expired ones. Each names what it acts on and keeps what the
//! user typed when it fails.

use std::future::Future;
use std::rc::Rc;

use contract::check_name;
use leptos::html;
use leptos::prelude::*;

use crate::api::{ApiClient, ApiError, AppPassword, ProblemKind};
use crate::calls::{use_calls, Calls, Failed};
use crate::components::{name_problem_message, Dialog, ErrorLine, NameField};
use crate::drafts::Draft;
use crate::expiry;
use crate::host::HostEvent;
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::same_name::SameNameNote;
use crate::write::Write;

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
    fn new(on_close: Callback<Outcome>, gone: Option<String>) -> Self {
        Self {
            message: RwSignal::new(None),
            gone,
            on_close,
            i18n: use_i18n(),
        }
    }

    fn report(&self, failed: Failed) {
        let Failed::Show(error) = failed else {
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

/// The one way a dialog confirms a write: `call` sends it; when it is
/// done, `done` tells the host and says what changed, and the dialog closes
/// with that sentence; a failure goes to `failures`. Its result is handled
/// here, where the action is made, as every write of the app is.
fn confirm_write<T, F>(
    failures: &Failures,
    call: impl Fn(ApiClient) -> F + 'static,
    done: impl Fn(T, &Calls) -> String + 'static,
) -> Write<()>
where
    T: 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    let (calls, failures, done) = (use_calls(), failures.clone(), Rc::new(done));
    Write::new(move |(): &()| {
        let (calls, failures, done) = (calls.clone(), failures.clone(), done.clone());
        let sent = call(calls.api());
        async move {
            match sent.await {
                Ok(value) => {
                    let said = done(value, &calls);
                    failures.on_close.try_run(Outcome::Changed(said));
                }
                Err(error) => failures.report(calls.failed(error, None)),
            }
        }
    })
}

/// Renames `item`; `draft` is a new name typed before the session ended.
#[component]
pub fn RenameDialog(
    item: AppPassword,
    on_close: Callback<Outcome>,
    draft: Option<String>,
    /// The other app passwords, whose names the new one should not repeat.
    #[prop(optional)]
    others: Vec<AppPassword>,
) -> impl IntoView {
    let others = StoredValue::new(others);
    let i18n = use_i18n();
    let restored = draft.is_some();
    let name = RwSignal::new(draft.unwrap_or_else(|| item.name.clone()));
    let name_error = RwSignal::new(None::<String>);
    let shown_name = i18n.user_text(&item.name);
    let failures = Failures::new(
        on_close,
        Some(i18n.t_with(keys::RENAME_GONE, &[("name", &shown_name)])),
    );
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
                rename.start(checked);
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
                <SameNameNote id="rename-same-name" name=name others=others />
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
) -> Write<String> {
    let (calls, i18n) = (use_calls(), use_i18n());
    Write::new(move |name: &String| {
        let (calls, failures, id, name) =
            (calls.clone(), failures.clone(), id.clone(), name.clone());
        async move {
            match calls.api().rename_app_password(&id, &name).await {
                Ok(renamed) => {
                    let said = i18n.t_with(
                        keys::RENAME_DONE,
                        &[("name", &i18n.user_text(&renamed.name))],
                    );
                    calls.tell(HostEvent::Renamed {
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
                Err(error) => {
                    failures.report(calls.failed(error, Some(Draft::Rename { id, name })))
                }
            }
        }
    })
}

/// Asks before deleting `item`, naming it.
#[component]
pub fn DeleteDialog(item: AppPassword, on_close: Callback<Outcome>) -> impl IntoView {
    let i18n = use_i18n();
    let name = i18n.user_text(&item.name);
    let named = [("name", name.as_str())];
    let done = i18n.t_with(keys::DELETE_DONE, &named);
    let detail = made_and_used(i18n, &item);
    let failures = Failures::new(on_close, Some(i18n.t_with(keys::DELETE_GONE, &named)));
    let id = item.id.clone();
    let delete = confirm_write(
        &failures,
        move |api| {
            let id = id.clone();
            async move { api.delete_app_password(&id).await }
        },
        move |(), calls| {
            let (id, name) = (item.id.clone(), item.name.clone());
            calls.tell(HostEvent::Deleted { id, name });
            done.clone()
        },
    );
    view! {
        <ConfirmDialog
            title_id="delete-title"
            title=i18n.t_with(keys::DELETE_TITLE, &named)
            body=i18n.t(keys::DELETE_BODY)
            detail=detail
            confirm=i18n.t(keys::DELETE_CONFIRM)
            action=delete
            failures=failures
        />
    }
}

/// Asks before deleting all `count` app passwords, saying how many.
#[component]
pub fn DeleteAllDialog(count: usize, on_close: Callback<Outcome>) -> impl IntoView {
    let i18n = use_i18n();
    let done = i18n.t_count(keys::DELETE_ALL_DONE, count, &[]);
    let failures = Failures::new(on_close, None);
    let delete_all = confirm_write(
        &failures,
        |api| async move { api.delete_all_app_passwords().await },
        move |revoked, calls| {
            calls.tell(HostEvent::DeletedAll {
                count: revoked.revoked,
            });
            done.clone()
        },
    );
    view! {
        <ConfirmDialog
            title_id="delete-all-title"
            title=i18n.t_count(keys::DELETE_ALL_TITLE, count, &[])
            body=i18n.t(keys::DELETE_ALL_BODY)
            confirm=i18n.t(keys::DELETE_ALL_CONFIRM)
            action=delete_all
            failures=failures
        />
    }
}

/// Asks before deleting the expired app passwords `items`, saying how many.
/// One that is gone meanwhile counts as deleted; the host hears of each
/// one deleted, as it goes.
#[component]
pub fn DeleteExpiredDialog(items: Vec<AppPassword>, on_close: Callback<Outcome>) -> impl IntoView {
    let (i18n, calls) = (use_i18n(), use_calls());
    let count = items.len();
    let done = i18n.t_count(keys::DELETE_EXPIRED_DONE, count, &[]);
    let names: Vec<String> = items
        .iter()
        .map(|item| i18n.user_text(&item.name))
        .collect();
    let detail = i18n.t_with(keys::DELETE_EXPIRED_WHICH, &[("names", &names.join(", "))]);
    let failures = Failures::new(on_close, None);
    let items = StoredValue::new(items);
    let delete_expired = confirm_write(
        &failures,
        move |api| delete_each(api, calls.clone(), items.get_value()),
        move |(), _| done.clone(),
    );
    view! {
        <ConfirmDialog
            title_id="delete-expired-title"
            title=i18n.t_count(keys::DELETE_EXPIRED_TITLE, count, &[])
            body=i18n.t(keys::DELETE_EXPIRED_BODY)
            detail=detail
            confirm=i18n.t(keys::DELETE_EXPIRED_CONFIRM)
            action=delete_expired
            failures=failures
        />
    }
}

/// "Created 3 days ago, last used 2 hours ago.": what tells `item` apart
/// from another of the same name.
fn made_and_used(i18n: I18n, item: &AppPassword) -> String {
    let now = expiry::now();
    let ago = |at: &str| expiry::ago(i18n, at, now);
    let created = ago(&item.created_at);
    match item.last_used_at.as_deref() {
        Some(used) => i18n.t_with(
            keys::DELETE_MADE,
            &[("created", &created), ("used", &ago(used))],
        ),
        None => i18n.t_with(keys::DELETE_MADE_UNUSED, &[("created", &created)]),
    }
}

/// Deletes `items` one by one (the contract has no bulk delete by id),
/// telling the host of each; one already gone counts as deleted.
async fn delete_each(
    api: ApiClient,
    calls: Calls,
    items: Vec<AppPassword>,
) -> Result<(), ApiError> {
    for item in items {
        match api.delete_app_password(&item.id).await {
            Ok(()) => calls.tell(HostEvent::Deleted {
                id: item.id,
                name: item.name,
            }),
            Err(error) if error.status() == Some(404) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// A yes/no dialog around one write, `action` (see [`confirm_write`]),
/// which reports its own outcome to `failures`.
#[component]
fn ConfirmDialog(
    title_id: &'static str,
    title: String,
    body: String,
    /// What tells it apart (when made, when last used; which ones).
    #[prop(optional, into)]
    detail: Option<String>,
    confirm: String,
    action: Write<()>,
    failures: Failures,
) -> impl IntoView {
    let i18n = use_i18n();
    let (message, on_close) = (failures.message, failures.on_close);
    let cancel = Callback::new(move |()| on_close.run(Outcome::Cancelled));
    view! {
        <Dialog labelled_by=title_id on_escape=Signal::stored(Some(cancel))>
            <h2 id=title_id>{title}</h2>
            <p>{body}</p>
            {detail.map(|detail| view! { <p class="delete-detail">{detail}</p> })}
            <ErrorLine message=message />
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button button-danger"
                    disabled=move || action.pending().get()
                    on:click=move |_| {
                        if !action.pending().get_untracked() {
                            message.set(None);
                            action.start(());
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
