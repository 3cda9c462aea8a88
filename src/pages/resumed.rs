//! Work on the App passwords tab that an ended session interrupted, taken
//! up again once the user is back: the dialog as it was left, the rename
//! whose app password is gone meanwhile, or the warning owed for a new
//! password that left the page before any of it was taken.

use leptos::prelude::*;

use crate::api::{ApiError, AppPassword, AppPasswordList};
use crate::drafts::Draft;
use crate::fetch::Fetch;
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::app_passwords::Open;
use crate::pages::create_dialog::Start;
use crate::session::use_kept_draft;

/// What an ended session left on this tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// Nothing was interrupted (or not yet known).
    Nothing,
    /// The dialog to open again, as it was left.
    Dialog(Open),
    /// A rename of an app password that is gone meanwhile, with the new name.
    Lost(String),
    /// An app password nobody has the password of (`Draft::NeverCopied`).
    NeverCopied(AppPassword),
}

impl Resumed {
    /// The dialog to open again, if any.
    pub fn dialog(&self) -> Option<Open> {
        match self {
            Self::Dialog(open) => Some(open.clone()),
            _ => None,
        }
    }

    /// The status line's sentence for a rename that could not be saved.
    pub fn lost(&self, i18n: I18n) -> String {
        match self {
            Self::Lost(name) => {
                i18n.t_with(keys::LIST_RENAME_LOST, &[("name", &i18n.user_text(name))])
            }
            _ => String::new(),
        }
    }
}

/// The interrupted work, once the session says whose it is; a rename or a
/// warning once the list says which row it was about.
pub fn use_resumed_work(list: Fetch<Result<AppPasswordList, ApiError>>) -> Memo<Resumed> {
    let draft = use_kept_draft(|draft| {
        matches!(
            draft,
            Draft::Create(_) | Draft::Rename { .. } | Draft::NeverCopied { .. }
        )
    });
    let listed = move |id: &str| match list.get() {
        Some(Ok(list)) => Some(list.items.into_iter().find(|item| item.id == id)),
        _ => None,
    };
    Memo::new(move |_| match draft.get() {
        // Once the list is in: it brings the expiry rules, and the form
        // must show the expiry it will send again.
        Some(Draft::Create(create)) => match list.with(Option::is_some) {
            true => Resumed::Dialog(Open::Create(Start::Restored(create))),
            false => Resumed::Nothing,
        },
        Some(Draft::Rename { id, name }) => match listed(&id) {
            Some(Some(item)) => Resumed::Dialog(Open::Rename {
                item,
                draft: Some(name),
            }),
            Some(None) => Resumed::Lost(name),
            None => Resumed::Nothing,
        },
        Some(Draft::NeverCopied { id, .. }) => match listed(&id) {
            Some(Some(item)) => Resumed::NeverCopied(item),
            _ => Resumed::Nothing,
        },
        _ => Resumed::Nothing,
    })
}

/// The app password owed the "never copied" warning: while it is listed
/// and the user has not chosen to keep it.
pub fn use_never_copied(
    resumed: Memo<Resumed>,
    items: Memo<Vec<AppPassword>>,
) -> (Signal<Option<AppPassword>>, Callback<()>) {
    let kept = RwSignal::new(false);
    let owed = Signal::derive(move || match resumed.get() {
        Resumed::NeverCopied(item) if !kept.get() => items
            .with(|items| items.iter().any(|listed| listed.id == item.id))
            .then_some(item),
        _ => None,
    });
    (owed, Callback::new(move |()| kept.set(true)))
}

/// Says that `item` was created but its password never taken, so nobody
/// has it, and offers to delete it and create another in its place.
#[component]
pub fn NeverCopiedNote(
    item: AppPassword,
    /// Delete it (after the usual question) and create another.
    on_replace: Callback<AppPassword>,
    /// Keep it as it is.
    on_keep: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let said = i18n.t_with(
        keys::LIST_NEVER_COPIED,
        &[("name", &i18n.user_text(&item.name))],
    );
    view! {
        <div class="notice notice-warning never-copied" id="never-copied" role="alert">
            <p>{said}</p>
            <div class="row-buttons">
                <button type="button" class="button button-primary" id="replace-never-copied" on:click=move |_| on_replace.run(item.clone())>
                    {i18n.t(keys::LIST_NEVER_COPIED_REPLACE)}
                </button>
                <button type="button" class="button" id="keep-never-copied" on:click=move |_| on_keep.run(())>
                    {i18n.t(keys::LIST_NEVER_COPIED_KEEP)}
                </button>
            </div>
        </div>
    }
}
