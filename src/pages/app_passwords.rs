//! The App passwords tab: the list ([`crate::pages::list`]) and the dialogs
//! that create, rename and delete.

use leptos::prelude::*;

use crate::api::{AppPassword, AppPasswordList, ExpiryPolicy};
use crate::calls::use_calls;
use crate::components::ErrorNotice;
use crate::drafts::{CreateDraft, Draft};
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::create_dialog::CreateDialog;
use crate::pages::list::{AppPasswordList as ListView, FocusNext, ListAction, ListOrder, TITLE_ID};
use crate::pages::manage_dialogs::{
    DeleteAllDialog, DeleteDialog, DeleteExpiredDialog, Outcome, RenameDialog,
};
use crate::session::{use_kept_draft, use_session};

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Open {
    /// None.
    Nothing,
    /// Create, with an interrupted create to send again, if any.
    Create(Option<CreateDraft>),
    /// Rename, with a new name typed before the session ended, if any.
    Rename {
        item: AppPassword,
        draft: Option<String>,
    },
    /// Delete the item shown in row `row`.
    Delete { item: AppPassword, row: usize },
    /// Delete all of them; there are this many.
    DeleteAll(usize),
    /// Delete the expired ones.
    DeleteExpired(Vec<AppPassword>),
}

impl Open {
    /// The dialog for what the user asked of the list.
    fn for_action(action: ListAction) -> Self {
        match action {
            ListAction::Create => Self::Create(None),
            ListAction::Rename(item) => Self::Rename { item, draft: None },
            ListAction::Delete(item, row) => Self::Delete { item, row },
            ListAction::DeleteAll(count) => Self::DeleteAll(count),
            ListAction::DeleteExpired(items) => Self::DeleteExpired(items),
        }
    }

    /// Where the focus goes once the list has rendered again after this
    /// dialog changed it.
    fn focus_after_change(&self) -> FocusNext {
        match self {
            Self::Rename { item, .. } => FocusNext::Item(item.id.clone()),
            Self::Delete { row, .. } => FocusNext::Row(*row),
            _ => FocusNext::Create,
        }
    }
}

/// What the tab keeps while it shows, so that a reload of the list keeps
/// it: the order, the filter, where the focus goes next, and the app
/// password just made (to highlight once).
#[derive(Clone, Copy)]
struct Kept {
    order: RwSignal<ListOrder>,
    filter: RwSignal<String>,
    focus_next: StoredValue<FocusNext>,
    new_id: StoredValue<Option<String>>,
}

/// The list as the backend answered it.
type Loaded = LocalResource<Result<AppPasswordList, crate::api::ApiError>>;

/// The signed-in user's app passwords and what can be done with them.
#[component]
pub fn AppPasswordsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let calls = use_calls();
    let list = LocalResource::new(move || {
        let calls = calls.clone();
        async move {
            calls.api().app_passwords().await.inspect_err(|error| {
                // Shown by the list unless sign-in takes over.
                let _ = calls.failed(error.clone(), None);
            })
        }
    });
    // `None` until the user opens a dialog: till then the dialog is the one
    // an ended session interrupted, if any, as it was left.
    let chosen = RwSignal::new(None::<Open>);
    let resumed = use_resumed_work(list);
    let open = move || chosen.get().or_else(|| resumed.with(|r| r.dialog()));
    let status = RwSignal::new(String::new());
    let status_line = move || match chosen.get() {
        None => resumed.with(|r| r.lost(i18n)),
        Some(_) => status.get(),
    };
    let kept = Kept {
        order: RwSignal::new(ListOrder::default()),
        filter: RwSignal::new(String::new()),
        focus_next: StoredValue::new(FocusNext::Stay),
        new_id: StoredValue::new(None),
    };
    // Read in a memo, never from the dialog's closure: there even an
    // untracked read registers the suspense context around it
    // (RequireSession's Transition) with the resource (reactive_graph's
    // `AsyncDerived::try_read_untracked`), and the refetch a full list asks
    // for then drew the dialog anew, losing what it held (tests/faults.rs).
    let expiry = Memo::new(move |_| {
        list.with(|list| {
            list.as_ref()
                .and_then(|list| list.as_ref().ok())
                .and_then(|list| list.expiry)
        })
    });
    // The names a new one or a rename is compared with (`SameNameNote`).
    let items = Memo::new(move |_| {
        list.with(|list| {
            list.as_ref()
                .and_then(|list| list.as_ref().ok())
                .map(|list| list.items.clone())
                .unwrap_or_default()
        })
    });
    let close = Callback::new(move |outcome: Outcome| {
        let closed = open().unwrap_or(Open::Nothing);
        chosen.set(Some(Open::Nothing));
        if let Outcome::Changed(sentence) = outcome {
            status.set(sentence);
            kept.focus_next.set_value(closed.focus_after_change());
            list.refetch();
        }
    });
    let on_created = Callback::new(move |made: Option<String>| match made {
        Some(id) => {
            kept.new_id.set_value(Some(id));
            close.run(Outcome::Changed(i18n.t(keys::LIST_CREATED)));
        }
        None => close.run(Outcome::Cancelled),
    });
    let on_action = Callback::new(move |action| {
        status.set(String::new());
        chosen.set(Some(Open::for_action(action)));
    });
    view! {
        <h2 id=TITLE_ID tabindex="-1">{i18n.t(keys::SECURITY_TAB_APP_PASSWORDS)}</h2>
        <p class="muted">{i18n.t(keys::LIST_INTRO)}</p>
        <p class="status-line" role="status">{status_line}</p>
        <ListOrProblem list=list kept=kept on_action=on_action />
        {move || open_dialog(open(), list, Known { expiry, items }, close, on_created)}
    }
}

/// The list once it has loaded, or why it has not.
#[component]
fn ListOrProblem(list: Loaded, kept: Kept, on_action: Callback<ListAction>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session().session;
    let can_create = move || {
        session
            .read()
            .as_ref()
            .is_none_or(|s| s.can_create_app_passwords())
    };
    view! {
        <Transition fallback=move || view! { <p class="loading" role="status">{i18n.t(keys::LIST_LOADING)}</p> }>
            {move || list.get().map(|result| match result {
                Ok(loaded) => view! {
                    <ListView
                        list=loaded
                        can_create=can_create()
                        on_action=on_action
                        order=kept.order
                        filter=kept.filter
                        focus_next=kept.focus_next
                        // Highlighted once: the next reload is for another change.
                        new_id=kept.new_id.try_update_value(Option::take).flatten()
                    />
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error=error on_retry=Callback::new(move |()| list.refetch()) /> }.into_any(),
            })}
        </Transition>
    }
}

/// What the dialogs learn from the list, read through memos (see
/// `AppPasswordsPanel`).
#[derive(Clone, Copy)]
struct Known {
    /// The backend's expiry rules, when it lets the user choose.
    expiry: Memo<Option<ExpiryPolicy>>,
    /// The app passwords there are.
    items: Memo<Vec<AppPassword>>,
}

impl Known {
    /// Every app password but `item`.
    fn others_than(&self, item: &AppPassword) -> Vec<AppPassword> {
        self.items.with_untracked(|items| {
            items
                .iter()
                .filter(|other| other.id != item.id)
                .cloned()
                .collect()
        })
    }
}

/// The dialog `open` names, if any.
fn open_dialog(
    open: Option<Open>,
    list: Loaded,
    known: Known,
    close: Callback<Outcome>,
    on_created: Callback<Option<String>>,
) -> impl IntoView {
    match open {
        None | Some(Open::Nothing) => ().into_any(),
        Some(Open::Create(draft)) => view! {
            <CreateDialog
                on_close=on_created
                on_list_stale=Callback::new(move |()| list.refetch())
                draft=draft
                expiry=known.expiry.get_untracked()
                others=known.items.get_untracked()
            />
        }
        .into_any(),
        Some(Open::Rename { item, draft }) => {
            let others = known.others_than(&item);
            view! { <RenameDialog item=item on_close=close draft=draft others=others /> }.into_any()
        }
        Some(Open::Delete { item, .. }) => {
            view! { <DeleteDialog item=item on_close=close /> }.into_any()
        }
        Some(Open::DeleteAll(count)) => {
            view! { <DeleteAllDialog count=count on_close=close /> }.into_any()
        }
        Some(Open::DeleteExpired(items)) => {
            view! { <DeleteExpiredDialog items=items on_close=close /> }.into_any()
        }
    }
}

/// Work on this tab that an ended session interrupted, now that the user
/// is back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resumed {
    /// Nothing was interrupted (or not yet known).
    Nothing,
    /// The dialog to open again, as it was left.
    Dialog(Open),
    /// A rename of an app password that is gone meanwhile, with the new name.
    Lost(String),
}

impl Resumed {
    fn dialog(&self) -> Option<Open> {
        match self {
            Self::Dialog(open) => Some(open.clone()),
            _ => None,
        }
    }

    fn lost(&self, i18n: I18n) -> String {
        match self {
            Self::Lost(name) => {
                i18n.t_with(keys::LIST_RENAME_LOST, &[("name", &i18n.user_text(name))])
            }
            _ => String::new(),
        }
    }
}

/// The interrupted create or rename, once the session says whose it is; a
/// rename once the list says which row it was.
fn use_resumed_work(list: Loaded) -> Memo<Resumed> {
    let draft = use_kept_draft(|draft| matches!(draft, Draft::Create(_) | Draft::Rename { .. }));
    Memo::new(move |_| match draft.get() {
        Some(Draft::Create(create)) => Resumed::Dialog(Open::Create(Some(create))),
        Some(Draft::Rename { id, name }) => match list.get() {
            Some(Ok(list)) => match list.items.into_iter().find(|item| item.id == id) {
                Some(item) => Resumed::Dialog(Open::Rename {
                    item,
                    draft: Some(name),
                }),
                None => Resumed::Lost(name),
            },
            _ => Resumed::Nothing,
        },
        _ => Resumed::Nothing,
    })
}
