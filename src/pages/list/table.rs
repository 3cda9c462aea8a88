//! The table of the list: sortable headers, the rows drawn a step at a
//! time, "Show more", and the one listener that hears every row's buttons.

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::AppPassword;
use crate::components::list_window::WINDOW_STEP;
use crate::components::{focus_first_of, use_list_window, ListWindow};
use crate::i18n::{keys, use_i18n, I18n};

use super::order::{FocusNext, ListOrder, RowButton, SortKey};
use super::row::{app_password_row, RowTexts, ROW_STRINGS};
use super::ListAction;

/// The app passwords shown, a row each; or a line saying there are none,
/// or that none matches the filter.
/// What the table works with besides its rows.
#[derive(Clone)]
pub(super) struct Wiring {
    /// The order the rows are in, which the headers change.
    pub(super) order: RwSignal<ListOrder>,
    /// Where a row's Rename and Delete go.
    pub(super) on_action: Callback<ListAction>,
    /// Where the focus goes once the table is drawn.
    pub(super) focus_next: StoredValue<FocusNext>,
    /// The app password just made, to highlight.
    pub(super) new_id: Option<String>,
    /// Now, for "2 hours ago" and what has expired.
    pub(super) now: f64,
}

#[component]
pub(super) fn AppPasswordTable(
    rows: Vec<AppPassword>,
    /// How many there are, filtered or not.
    total: usize,
    /// What the names were filtered by.
    filter: String,
    wiring: Wiring,
) -> impl IntoView {
    let i18n = use_i18n();
    let focus_next = wiring.focus_next;
    let shown = NodeRef::<html::Div>::new();
    shown.on_load({
        let ids = focus_next
            .try_update_value(std::mem::take)
            .unwrap_or_default()
            .ids(&rows);
        move |_| {
            focus_first_of(ids.iter().map(String::as_str));
            // The new one is where the user looks next.
            if let Some(row) = document().query_selector(".row-new").ok().flatten() {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                row.scroll_into_view_with_scroll_into_view_options(&options);
            }
        }
    });
    let filtered = (rows.len() < total).then(|| {
        i18n.t_count(
            keys::LIST_FILTERED,
            rows.len(),
            &[("total", &i18n.number(total))],
        )
    });
    let body = if rows.is_empty() {
        let said = if total == 0 {
            i18n.t(keys::LIST_EMPTY)
        } else {
            i18n.t_with(
                keys::LIST_FILTER_NONE,
                &[("text", &i18n.user_text(filter.trim()))],
            )
        };
        Either::Left(view! { <p class="empty">{said}</p> })
    } else {
        Either::Right(rows_table(i18n, rows, wiring))
    };
    view! {
        <div node_ref=shown class="list-shown">
            <p class="list-filtered" role="status">{filtered}</p>
            {body}
        </div>
    }
}

/// The table itself: sortable headers and a row each, drawn a step at a
/// time ([`use_list_window`]) so that a long list shows as fast as a short
/// one.
fn rows_table(i18n: I18n, rows: Vec<AppPassword>, wiring: Wiring) -> impl IntoView {
    let Wiring {
        order,
        on_action,
        focus_next,
        new_id,
        now,
    } = wiring;
    let texts = RowTexts::new(i18n, &rows);
    for text in ROW_STRINGS {
        wasm_bindgen::intern(text);
    }
    let total = rows.len();
    let new_row = new_id.and_then(|id| rows.iter().position(|item| item.id == id));
    // The rows the focus goes to, and the new one, are drawn from the start.
    let at_least = focus_next
        .with_value(|next| next.rows(&rows))
        .into_iter()
        .chain(new_row)
        .max()
        .map_or(0, |row| row + 1);
    let window = use_list_window(total, at_least);
    let (rows, texts) = (StoredValue::new(rows), StoredValue::new(texts));
    let steps = drawn_steps(i18n, rows, texts, window, new_row, now);
    let header = move |key: SortKey| {
        let current = order.get_untracked();
        let sorted = (current.key == key).then_some(if current.descending {
            "descending"
        } else {
            "ascending"
        });
        view! {
            <th scope="col" aria-sort=sorted>
                <button
                    type="button"
                    class="sort"
                    id=key.id()
                    on:click=move |_| {
                        focus_next.set_value(FocusNext::Sort(key));
                        order.update(|order| *order = order.picked(key));
                    }
                >
                    {i18n.t(key.label())}
                </button>
            </th>
        }
    };
    let (has_last_used, has_expires) =
        texts.with_value(|texts| (texts.last_used.is_some(), texts.expires.is_some()));
    view! {
        // The row count and each row's index tell assistive technology how
        // long the list is while only part of it is drawn.
        <table class="app-password-table" aria-rowcount=total + 1>
            <caption class="visually-hidden">{i18n.t(keys::LIST_CAPTION)}</caption>
            <thead>
                <tr aria-rowindex="1">
                    {header(SortKey::Name)}
                    {header(SortKey::Created)}
                    {has_last_used.then(|| header(SortKey::LastUsed))}
                    {has_expires.then(|| header(SortKey::Expires))}
                    <th scope="col"><span class="visually-hidden">{i18n.t(keys::LIST_COL_ACTIONS)}</span></th>
                </tr>
            </thead>
            // One listener for every row's buttons: a thousand rows would
            // otherwise make two thousand closures and listeners.
            <tbody on:click=move |event| {
                if let Some(action) = rows.with_value(|rows| row_action(&event, rows)) {
                    on_action.run(action);
                }
            }>
                {steps}
            </tbody>
        </table>
        {show_more(i18n, window, total)}
    }
}

/// The rows of `rows` a step at a time, each step drawn once the window
/// reaches it. Each step has its own memo so that growing the window draws
/// only the new rows.
fn drawn_steps(
    i18n: I18n,
    rows: StoredValue<Vec<AppPassword>>,
    texts: StoredValue<RowTexts>,
    window: ListWindow,
    new_row: Option<usize>,
    now: f64,
) -> impl IntoView {
    let total = rows.with_value(Vec::len);
    (0..total.div_ceil(WINDOW_STEP))
        .map(|step| {
            let start = step * WINDOW_STEP;
            let reached = Memo::new(move |_| window.shown.get() > start);
            move || {
                reached.get().then(|| {
                    let end = (start + WINDOW_STEP).min(total);
                    rows.with_value(|rows| {
                        texts.with_value(|texts| {
                            (start..end)
                                .map(|index| {
                                    let is_new = new_row == Some(index);
                                    app_password_row(i18n, texts, &rows[index], index, is_new, now)
                                })
                                .collect_view()
                        })
                    })
                })
            }
        })
        .collect_view()
}

/// "Show 40 more" after a list of `total` not all drawn: out of sight
/// until it has the focus, it draws the next step and takes the focus to
/// the first new row, where the user was going.
fn show_more(i18n: I18n, window: ListWindow, total: usize) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button button-small list-more"
            node_ref=window.edge
            hidden=move || { window.shown.get() >= total }
            on:click=move |_| {
                let first_new = window.shown.get_untracked();
                window.grow();
                request_animation_frame(move || {
                    focus_first_of([RowButton::Rename.id(first_new).as_str()]);
                });
            }
        >
            {move || i18n.t_with(keys::LIST_SHOW_MORE, &[("count", &i18n.number(window.next_step()))])}
        </button>
    }
}

/// What a click in the list's body asks for.
fn row_action(event: &web_sys::MouseEvent, rows: &[AppPassword]) -> Option<ListAction> {
    let button = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("button")
        .ok()??;
    let (action, row) = RowButton::of_id(&button.id())?;
    let item = rows.get(row)?.clone();
    Some(match action {
        RowButton::Rename => ListAction::Rename(item),
        RowButton::Delete => ListAction::Delete(item, row),
    })
}
