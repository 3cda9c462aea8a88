//! The App passwords tab: the list ([`crate::pages::list`]) and the dialogs
//! that create, rename and delete.

use leptos::prelude::*;

use crate::api::{AppPassword, AppPasswordList, ExpiryPolicy};
use crate::calls::use_calls;
use crate::components::ErrorNotice;
use crate::fetch::Fetch;
use crate::i18n::{keys, use_i18n};
use crate::pages::create_dialog::{CreateDialog, Start};
use crate::pages::list::{AppPasswordList as ListView, FocusNext, ListAction, ListOrder, TITLE_ID};
use crate::pages::manage_dialogs::{
    DeleteAllDialog, DeleteDialog, DeleteExpiredDialog, Outcome, RenameDialog,
};
use crate::pages::resumed::{use_never_copied, use_resumed_work, NeverCopiedNote};
use crate::session::use_session;

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Open {
    /// None.
    Nothing,
    /// Create, empty, as an ended session left it, or with a name.
    Create(Start),
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
    /// Delete one whose password nobody has, then create another.
    Replace(AppPassword),
}

impl Open {
    /// The dialog for what the user asked of the list.
    fn for_action(action: ListAction) -> Self {
        match action {
            ListAction::Create => Self::Create(Start::Empty),
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
type Loaded = Fetch<Result<AppPasswordList, crate::api::ApiError>>;

/// The signed-in user's app passwords and what can be done with them.
#[component]
pub fn AppPasswordsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let calls = use_calls();
    let list = Fetch::new(move || {
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
    let known = Known::of(list);
    let (owed, keep_owed) = use_never_copied(resumed, known.items);
    let close = Callback::new(move |outcome: Outcome| {
        let closed = open().unwrap_or(Open::Nothing);
        chosen.set(Some(Open::Nothing));
        if let Outcome::Changed(sentence) = outcome {
            status.set(sentence);
            kept.focus_next.set_value(closed.focus_after_change());
            list.refetch();
            // The one nobody had is gone: another in its place, same name.
            if let Open::Replace(item) = closed {
                chosen.set(Some(Open::Create(Start::Like(item))));
            }
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
        {move || owed.get().map(|item| {
            let on_replace = Callback::new(move |item| chosen.set(Some(Open::Replace(item))));
            view! { <NeverCopiedNote item=item on_replace=on_replace on_keep=keep_owed /> }
        })}
        <ListOrProblem list=list kept=kept on_action=on_action />
        {move || open_dialog(open(), list, known, close, on_created)}
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
        {move || match list.get() {
            None => view! { <p class="loading" role="status">{i18n.t(keys::LIST_LOADING)}</p> }.into_any(),
            Some(Ok(loaded)) => view! {
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
            Some(Err(error)) => view! { <ErrorNotice error=error on_retry=Callback::new(move |()| list.refetch()) /> }.into_any(),
        }}
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
    /// Read in memos, never from the dialog's closure: a refetch (which a
    /// full list asks for) would then draw the dialog anew, losing what it
    /// held (tests/faults.rs).
    fn of(list: Loaded) -> Self {
        let loaded = move || list.with(|list| list.as_ref().and_then(|l| l.as_ref().ok()).cloned());
        Self {
            expiry: Memo::new(move |_| loaded().and_then(|list| list.expiry)),
            items: Memo::new(move |_| loaded().map(|list| list.items).unwrap_or_default()),
        }
    }

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
        Some(Open::Create(start)) => {
            // The one it replaces is gone: its name is free again.
            let others = match &start {
                Start::Like(item) => known.others_than(item),
                _ => known.items.get_untracked(),
            };
            view! {
            <CreateDialog
                on_close=on_created
                on_list_stale=Callback::new(move |()| list.refetch())
                start=start
                expiry=known.expiry.get_untracked()
                others=others
            />
            }
            .into_any()
        }
        Some(Open::Rename { item, draft }) => {
            let others = known.others_than(&item);
            view! { <RenameDialog item=item on_close=close draft=draft others=others /> }.into_any()
        }
        Some(Open::Delete { item, .. } | Open::Replace(item)) => {
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
