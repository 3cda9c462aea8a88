//! The list of the App passwords tab: the count against the limit, Create,
//! a filter once the list is long, the table ([`table`]: sortable, newest
//! first, a row each ([`row`]), the newest highlighted), and what acts on
//! many at once. How it is ordered and where the focus goes after a change
//! is [`order`], a model with no view.

pub mod order;
mod row;
mod table;

use leptos::either::Either;
use leptos::prelude::*;

use crate::api::{AppPassword, AppPasswordList};
use crate::components::{focus_first_of, SupportContact};
use crate::expiry;
use crate::i18n::{keys, use_i18n};

pub use order::{FocusNext, ListOrder, SortKey};
use table::{AppPasswordTable, Wiring};

/// The id of the Create button.
pub const CREATE_ID: &str = "create";
/// The id of the tab's heading, which takes the focus when nothing else can.
pub const TITLE_ID: &str = "app-passwords-title";
/// The id of the note that explains the limit.
const LIMIT_NOTE_ID: &str = "limit-note";
/// From how many app passwords on the list offers a filter: about what a
/// screen shows.
const FILTER_FROM: usize = 10;

/// What the user asked the list for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAction {
    /// Create one.
    Create,
    /// Rename this one.
    Rename(AppPassword),
    /// Delete this one, shown in row `row`.
    Delete(AppPassword, usize),
    /// Delete all of them; there are this many.
    DeleteAll(usize),
    /// Delete these expired ones.
    DeleteExpired(Vec<AppPassword>),
}

/// The whole list as `list` holds it, ordered by `order` and filtered by
/// `filter` (both kept by the tab, so a reload keeps them).
#[component]
pub fn AppPasswordList(
    list: AppPasswordList,
    /// Whether the user may create app passwords (an administrator may
    /// have turned it off).
    can_create: bool,
    on_action: Callback<ListAction>,
    order: RwSignal<ListOrder>,
    filter: RwSignal<String>,
    focus_next: StoredValue<FocusNext>,
    /// The app password just made, to highlight.
    new_id: Option<String>,
) -> impl IntoView {
    let now = expiry::now();
    let items = StoredValue::new(list.items);
    let count = items.with_value(Vec::len);
    let expired: Vec<AppPassword> = items.with_value(|items| {
        items
            .iter()
            .filter(|item| expiry::is_expired(item, now))
            .cloned()
            .collect()
    });
    let new_id = StoredValue::new(new_id);
    let table = move || {
        let rows = items.with_value(|items| order.get().apply(items, &filter.read(), now));
        let wiring = Wiring {
            order,
            on_action,
            focus_next,
            new_id: new_id.get_value(),
            now,
        };
        view! { <AppPasswordTable rows=rows total=count filter=filter.get_untracked() wiring=wiring /> }
    };
    view! {
        <ListHeader count=count max_count=list.max_count can_create=can_create has_expired=!expired.is_empty() on_action=on_action />
        {(count > FILTER_FROM).then(|| view! { <FilterField filter=filter /> })}
        {table}
        <ListFooter count=count expired=expired on_action=on_action />
    }
}

/// The count against the backend's limit, and Create (or why not).
#[component]
fn ListHeader(
    count: usize,
    max_count: Option<u32>,
    can_create: bool,
    /// Whether some have expired: deleting them is the quickest way out of
    /// the limit.
    has_expired: bool,
    on_action: Callback<ListAction>,
) -> impl IntoView {
    let i18n = use_i18n();
    if !can_create {
        return Either::Left(view! {
            <div class="notice notice-info" id="app-passwords-disabled">
                <p>{i18n.t(keys::LIST_DISABLED)}</p>
                <SupportContact />
            </div>
        });
    }
    let at_limit = max_count.is_some_and(|max| count >= max as usize);
    let summary = match max_count {
        Some(max) => i18n.t_count(
            keys::LIST_COUNT_OF,
            count,
            &[("max", &i18n.number(max as usize))],
        ),
        None => i18n.t_count(keys::LIST_COUNT, count, &[]),
    };
    // At the limit Create stays in the tab order and says why it does
    // nothing: a disabled button would be skipped, and its reason unheard.
    let create = move |_| {
        if at_limit {
            focus_first_of([LIMIT_NOTE_ID]);
        } else {
            on_action.run(ListAction::Create);
        }
    };
    Either::Right(view! {
        <div class="list-header">
            <button
                type="button"
                class="button button-primary"
                class:button-unavailable=at_limit
                id=CREATE_ID
                aria-disabled=at_limit.then_some("true")
                aria-describedby=at_limit.then_some(LIMIT_NOTE_ID)
                on:click=create
            >
                {i18n.t(keys::LIST_CREATE)}
            </button>
            <p class="count" id="app-password-count">{summary}</p>
        </div>
        {at_limit.then(|| view! {
            <p class="notice notice-info" id=LIMIT_NOTE_ID tabindex="-1">
                {i18n.t(if has_expired { keys::LIST_AT_LIMIT_EXPIRED } else { keys::LIST_AT_LIMIT })}
            </p>
        })}
    })
}

/// Finds app passwords by name, for a list longer than a screen.
#[component]
fn FilterField(filter: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field list-filter">
            <label for="filter">{i18n.t(keys::LIST_FILTER)}</label>
            <input
                id="filter"
                type="search"
                autocomplete="off"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
        </div>
    }
}

/// What acts on many at once, under the list and away from Create.
#[component]
fn ListFooter(
    count: usize,
    expired: Vec<AppPassword>,
    on_action: Callback<ListAction>,
) -> impl IntoView {
    let i18n = use_i18n();
    let expired = (!expired.is_empty()).then(|| StoredValue::new(expired));
    (count > 0).then(|| {
        view! {
            <div class="toolbar list-footer">
                {expired.map(|expired| view! {
                    <button
                        type="button"
                        class="button button-danger-quiet"
                        id="delete-expired"
                        on:click=move |_| on_action.run(ListAction::DeleteExpired(expired.get_value()))
                    >
                        {i18n.t(keys::LIST_DELETE_EXPIRED)}
                    </button>
                })}
                <button type="button" class="button button-danger-quiet" id="delete-all" on:click=move |_| on_action.run(ListAction::DeleteAll(count))>
                    {i18n.t(keys::LIST_DELETE_ALL)}
                </button>
            </div>
        }
    })
}
