//! The list of the App passwords tab: the count against the limit, Create,
//! a filter once the list is long, the table (sortable, newest first, a row
//! each, the newest highlighted), and what acts on many at once.

use std::sync::Arc;

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{AppPassword, AppPasswordList};
use crate::components::list_window::WINDOW_STEP;
use crate::components::{focus_first_of, use_list_window, ListWindow};
use crate::expiry;
use crate::i18n::{keys, use_i18n, I18n};

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

/// Where the focus goes once the list has rendered again (the button that
/// had it is gone with the list it was in).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FocusNext {
    /// Leave it where it is.
    #[default]
    Stay,
    /// To Create (or, when it cannot take it, the tab's heading).
    Create,
    /// To this app password's Rename.
    Item(String),
    /// To the row that took row `0`'s place, else the one before it.
    Row(usize),
    /// To the header of this column.
    Sort(SortKey),
}

impl FocusNext {
    /// The ids to try, in order, in a list shown as `rows`.
    fn ids(&self, rows: &[AppPassword]) -> Vec<String> {
        match self {
            Self::Stay => Vec::new(),
            Self::Sort(key) => vec![key.id().to_owned()],
            Self::Create | Self::Item(_) | Self::Row(_) => self
                .rows(rows)
                .into_iter()
                .map(|row| RowButton::Rename.id(row))
                .chain([CREATE_ID.to_owned(), TITLE_ID.to_owned()])
                .collect(),
        }
    }

    /// The rows of `rows` whose Rename to try, in order.
    fn rows(&self, rows: &[AppPassword]) -> Vec<usize> {
        match self {
            Self::Stay | Self::Sort(_) | Self::Create => Vec::new(),
            Self::Item(id) => rows
                .iter()
                .position(|item| &item.id == id)
                .into_iter()
                .collect(),
            Self::Row(row) => [Some(*row), row.checked_sub(1)]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Created,
    LastUsed,
    Expires,
}

impl SortKey {
    /// The id of the column's sort button.
    const fn id(self) -> &'static str {
        match self {
            Self::Name => "sort-name",
            Self::Created => "sort-created",
            Self::LastUsed => "sort-last-used",
            Self::Expires => "sort-expires",
        }
    }

    const fn label(self) -> &'static str {
        match self {
            Self::Name => keys::COMMON_NAME,
            Self::Created => keys::LIST_COL_CREATED,
            Self::LastUsed => keys::LIST_COL_LAST_USED,
            Self::Expires => keys::LIST_COL_EXPIRES,
        }
    }
}

/// How the list is ordered: by a column, one way or the other. Expired app
/// passwords come after the others, together, whatever the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListOrder {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for ListOrder {
    /// Newest first.
    fn default() -> Self {
        Self {
            key: SortKey::Created,
            descending: true,
        }
    }
}

impl ListOrder {
    /// The order after the user picks the column `key`: the other way round
    /// when it is already the one; names A to Z, dates newest first.
    fn picked(self, key: SortKey) -> Self {
        Self {
            key,
            descending: if self.key == key {
                !self.descending
            } else {
                key != SortKey::Name
            },
        }
    }

    /// `items` whose name holds `filter` (any case), in this order.
    pub fn apply(self, items: &[AppPassword], filter: &str, now: f64) -> Vec<AppPassword> {
        let filter = filter.trim().to_lowercase();
        // The backend lists oldest first; its order breaks ties (two made in
        // the same second), turned round with the rest.
        let mut rows: Vec<(bool, String, usize, &AppPassword)> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| filter.is_empty() || item.name.to_lowercase().contains(&filter))
            .map(|(index, item)| {
                (
                    expiry::is_expired(item, now),
                    self.sort_text(item),
                    index,
                    item,
                )
            })
            .collect();
        rows.sort_by(|a, b| {
            let (a_key, b_key) = ((&a.1, a.2), (&b.1, b.2));
            let by_key = if self.descending {
                b_key.cmp(&a_key)
            } else {
                a_key.cmp(&b_key)
            };
            a.0.cmp(&b.0).then(by_key)
        });
        rows.into_iter()
            .map(|(_, _, _, item)| item.clone())
            .collect()
    }

    /// What `item` sorts by: names regardless of case; timestamps as they
    /// come (RFC 3339 in UTC sorts as text), with no date sorting as the
    /// farthest future.
    fn sort_text(self, item: &AppPassword) -> String {
        match self.key {
            SortKey::Name => item.name.to_lowercase(),
            SortKey::Created => item.created_at.clone(),
            SortKey::LastUsed => item.last_used_at.clone().unwrap_or_default(),
            SortKey::Expires => item.expires_at.clone().unwrap_or_else(|| "~".to_owned()),
        }
    }
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
        view! { <AppPasswordTable rows=rows total=count filter=filter.get_untracked() order=order on_action=on_action focus_next=focus_next new_id=new_id.get_value() now=now /> }
    };
    view! {
        <ListHeader count=count max_count=list.max_count can_create=can_create on_action=on_action />
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
    on_action: Callback<ListAction>,
) -> impl IntoView {
    let i18n = use_i18n();
    if !can_create {
        return Either::Left(view! {
            <div class="notice notice-info" id="app-passwords-disabled">{i18n.t(keys::LIST_DISABLED)}</div>
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
            <p class="notice notice-info" id=LIMIT_NOTE_ID tabindex="-1">{i18n.t(keys::LIST_AT_LIMIT)}</p>
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

/// The app passwords shown, a row each; or a line saying there are none,
/// or that none matches the filter.
#[component]
fn AppPasswordTable(
    rows: Vec<AppPassword>,
    /// How many there are, filtered or not.
    total: usize,
    /// What the names were filtered by.
    filter: String,
    order: RwSignal<ListOrder>,
    on_action: Callback<ListAction>,
    focus_next: StoredValue<FocusNext>,
    new_id: Option<String>,
    now: f64,
) -> impl IntoView {
    let i18n = use_i18n();
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
        Either::Right(rows_table(
            i18n, rows, order, on_action, focus_next, new_id, now,
        ))
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
fn rows_table(
    i18n: I18n,
    rows: Vec<AppPassword>,
    order: RwSignal<ListOrder>,
    on_action: Callback<ListAction>,
    focus_next: StoredValue<FocusNext>,
    new_id: Option<String>,
    now: f64,
) -> impl IntoView {
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

/// The buttons of each row. Their ids carry the row's index (`rename-3`),
/// which is how one listener on the list knows which row was clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowButton {
    Rename,
    Delete,
}

impl RowButton {
    const fn prefix(self) -> &'static str {
        match self {
            Self::Rename => "rename-",
            Self::Delete => "delete-",
        }
    }

    /// The id of this button in row `row`.
    fn id(self, row: usize) -> String {
        // One argument to format, not two: a thousand rows make two
        // thousand of these.
        match self {
            Self::Rename => format!("rename-{row}"),
            Self::Delete => format!("delete-{row}"),
        }
    }

    /// The button and row an id names.
    fn of_id(id: &str) -> Option<(Self, usize)> {
        [Self::Rename, Self::Delete].into_iter().find_map(|button| {
            let row = id.strip_prefix(button.prefix())?.parse().ok()?;
            Some((button, row))
        })
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

/// The attribute names and fixed values that every row of
/// [`app_password_row`] repeats. Interned (made JS strings once) before the
/// rows render: otherwise each of a thousand rows copies them into JS
/// again.
const ROW_STRINGS: [&str; 17] = [
    "class",
    "type",
    "id",
    "aria-label",
    "dir",
    "datetime",
    "title",
    "data-exact",
    "data-label",
    "app-password-row",
    "name",
    "auto",
    "row-actions",
    "button",
    "button button-small",
    "button button-small button-danger-quiet",
    "when",
];

/// How a service that used an app password is named: the protocols'
/// own spellings (IMAP, CalDAV), else as the backend sent it.
fn service_name(i18n: I18n, service: &str) -> String {
    const KNOWN: [&str; 8] = [
        "IMAP", "SMTP", "POP3", "CalDAV", "CardDAV", "WebDAV", "LDAP", "XMPP",
    ];
    KNOWN
        .iter()
        .find(|known| known.eq_ignore_ascii_case(service))
        .map_or_else(|| i18n.user_text(service), |known| (*known).to_owned())
}

/// What every row says alike, looked up once for the whole list rather
/// than once a row: column labels for narrow screens, button texts.
struct RowTexts {
    created: Arc<str>,
    /// `None` when no row has a last use to show.
    last_used: Option<Arc<str>>,
    /// `None` when no row expires.
    expires: Option<Arc<str>>,
    never: Arc<str>,
    rename: Arc<str>,
    delete: Arc<str>,
    new: Arc<str>,
}

impl RowTexts {
    fn new(i18n: I18n, items: &[AppPassword]) -> Self {
        let text = |key| Arc::<str>::from(i18n.t(key));
        let column = |shown: bool, key| shown.then(|| text(key));
        Self {
            created: text(keys::LIST_COL_CREATED),
            last_used: column(
                items.iter().any(|i| i.last_used_at.is_some()),
                keys::LIST_COL_LAST_USED,
            ),
            expires: column(
                items.iter().any(|i| i.expires_at.is_some()),
                keys::LIST_COL_EXPIRES,
            ),
            never: text(keys::LIST_NEVER),
            rename: text(keys::LIST_RENAME),
            delete: text(keys::LIST_DELETE),
            new: text(keys::LIST_NEW),
        }
    }
}

/// A moment, said relative to now ("2 hours ago"), with the exact date
/// and time for the mouse (`title`) and, while its row has the focus, on
/// screen (`data-exact`, see `style/`).
fn moment(i18n: I18n, timestamp: &str, said: String) -> impl IntoView {
    let exact = i18n.date_time(timestamp);
    view! { <time class="when" datetime=timestamp.to_owned() title=exact.clone() data-exact=exact>{said}</time> }
}

/// One app password: its name, dates, and the buttons that rename and
/// delete it (their clicks are handled by the list, see [`row_action`]).
/// A plain function, not a component: a thousand rows need no owner each.
fn app_password_row(
    i18n: I18n,
    texts: &RowTexts,
    item: &AppPassword,
    index: usize,
    is_new: bool,
    now: f64,
) -> impl IntoView {
    let ago = |at: &str| i18n.relative(expiry::parse(at).unwrap_or(now) - now);
    let last_used = texts.last_used.clone().map(|label| {
        let text = match (
            &item.last_used_at,
            &item.last_used_service,
            &item.last_used_ip,
        ) {
            // The service that asked, when the backend says: "2 hours ago · IMAP · address".
            (Some(at), service, ip) => {
                let said = match (service, ip) {
                    (Some(service), ip) => [
                        Some(ago(at)),
                        Some(service_name(i18n, service)),
                        ip.as_deref().map(|ip| i18n.user_text(ip)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                    (None, Some(ip)) => i18n.t_with(
                        keys::LIST_LAST_USED_FROM,
                        &[("date", &ago(at)), ("address", &i18n.user_text(ip))],
                    ),
                    (None, None) => ago(at),
                };
                Either::Left(moment(i18n, at, said))
            }
            _ => Either::Right(texts.never.clone()),
        };
        view! { <td data-label=label>{text}</td> }
    });
    let expires = texts.expires.clone().map(|label| {
        let text = match item.expires_at.as_deref() {
            Some(at) => Either::Left(moment(i18n, at, expiry::describe(item, i18n, now))),
            None => Either::Right(texts.never.clone()),
        };
        view! { <td data-label=label>{text}</td> }
    });
    let name = i18n.user_text(&item.name);
    view! {
        <tr class="app-password-row" class:row-new=is_new aria-rowindex=index + 2>
            // The badge is drawn from data-new, so the cell holds the name alone.
            <td class="name" dir="auto" data-new=is_new.then(|| texts.new.clone())>{item.name.clone()}</td>
            <td data-label=texts.created.clone()>{moment(i18n, &item.created_at, ago(&item.created_at))}</td>
            {last_used}
            {expires}
            <td class="row-actions">
                <button
                    type="button"
                    class="button button-small"
                    id=RowButton::Rename.id(index)
                    aria-label=i18n.t_with(keys::LIST_RENAME_NAMED, &[("name", &name)])
                >
                    {texts.rename.clone()}
                </button>
                <button
                    type="button"
                    class="button button-small button-danger-quiet"
                    id=RowButton::Delete.id(index)
                    aria-label=i18n.t_with(keys::LIST_DELETE_NAMED, &[("name", &name)])
                >
                    {texts.delete.clone()}
                </button>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, name: &str, created_at: &str) -> AppPassword {
        AppPassword {
            id: id.into(),
            name: name.into(),
            created_at: created_at.into(),
            last_used_at: None,
            last_used_ip: None,
            last_used_service: None,
            expires_at: None,
        }
    }

    #[test]
    fn a_row_buttons_id_names_its_button_and_row() {
        for button in [RowButton::Rename, RowButton::Delete] {
            for row in [0, 7, 999] {
                assert_eq!(RowButton::of_id(&button.id(row)), Some((button, row)));
            }
        }
        assert_eq!(RowButton::of_id("rename-x"), None);
        assert_eq!(RowButton::of_id(CREATE_ID), None);
    }

    #[test]
    fn focus_after_a_change_goes_to_the_row_then_create_then_the_heading() {
        let rows = [
            item("a", "A", "2026-01-01T00:00:00Z"),
            item("b", "B", "2026-01-02T00:00:00Z"),
        ];
        assert_eq!(
            FocusNext::Row(3).ids(&rows),
            ["rename-3", "rename-2", CREATE_ID, TITLE_ID]
        );
        assert_eq!(
            FocusNext::Row(0).ids(&rows),
            ["rename-0", CREATE_ID, TITLE_ID]
        );
        assert_eq!(
            FocusNext::Item("b".into()).ids(&rows),
            ["rename-1", CREATE_ID, TITLE_ID]
        );
        assert_eq!(FocusNext::Create.ids(&rows), [CREATE_ID, TITLE_ID]);
        assert!(FocusNext::Stay.ids(&rows).is_empty());
    }

    #[test]
    fn services_are_named_as_their_protocols_spell_them() {
        let i18n = I18n::new(crate::i18n::Lang::En);
        assert_eq!(service_name(i18n, "imap"), "IMAP");
        assert_eq!(service_name(i18n, "caldav"), "CalDAV");
        // Unknown ones as sent, isolated from the sentence's direction.
        assert_eq!(service_name(i18n, "matrix"), i18n.user_text("matrix"));
    }

    #[test]
    fn picking_a_column_sorts_by_it_then_turns_it_round() {
        let newest = ListOrder::default();
        assert_eq!(
            newest.picked(SortKey::Name),
            ListOrder {
                key: SortKey::Name,
                descending: false
            }
        );
        assert_eq!(
            newest.picked(SortKey::Created),
            ListOrder {
                key: SortKey::Created,
                descending: false
            }
        );
        assert_eq!(
            newest.picked(SortKey::LastUsed),
            ListOrder {
                key: SortKey::LastUsed,
                descending: true
            }
        );
    }
}
