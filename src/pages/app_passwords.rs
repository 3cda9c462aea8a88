//! The App passwords tab: the list, "n of max", and the ways to create,
//! rename and delete.

use std::sync::Arc;

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{use_api, AppPassword, AppPasswordList};
use crate::components::{focus_first_of, ErrorNotice};
use crate::drafts::{CreateDraft, Draft};
use crate::expiry;
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::create_dialog::CreateDialog;
use crate::pages::manage_dialogs::{
    DeleteAllDialog, DeleteDialog, DeleteExpiredDialog, Outcome, RenameDialog,
};
use crate::session::{use_kept_draft, use_session, use_session_end};

/// The id of the Create button.
const CREATE_ID: &str = "create";
/// The id of the tab's heading, which takes the focus when nothing else can.
const TITLE_ID: &str = "app-passwords-title";

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Open {
    /// None.
    Nothing,
    /// Create, with an interrupted create to send again, if any.
    Create(Option<CreateDraft>),
    /// Rename the item in row `row`, with a new name typed before the
    /// session ended, if any.
    Rename {
        item: AppPassword,
        row: usize,
        draft: Option<String>,
    },
    /// Delete the item in row `row`.
    Delete { item: AppPassword, row: usize },
    /// Delete all of them; there are this many.
    DeleteAll(usize),
    /// Delete the expired ones.
    DeleteExpired(Vec<AppPassword>),
}

impl Open {
    /// Where the focus goes once the list has rendered again after this
    /// dialog changed it: the first of these ids that can take it.
    fn focus_after_change(&self) -> Vec<String> {
        let rows = match self {
            Self::Rename { row, .. } => vec![*row],
            // The row that took the deleted one's place, else the one
            // before it.
            Self::Delete { row, .. } => [Some(*row), row.checked_sub(1)]
                .into_iter()
                .flatten()
                .collect(),
            _ => Vec::new(),
        };
        rows.into_iter()
            .map(|row| RowButton::Rename.id(row))
            // A disabled Create (at the limit) cannot take the focus; the
            // heading can.
            .chain([CREATE_ID.to_owned(), TITLE_ID.to_owned()])
            .collect()
    }
}

/// The signed-in user's app passwords and what can be done with them.
#[component]
pub fn AppPasswordsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let (api, session_end) = (use_api(), use_session_end());
    let list = LocalResource::new(move || {
        let (api, session_end) = (api.clone(), session_end.clone());
        async move {
            api.app_passwords().await.inspect_err(|error| {
                // Shown by the list unless sign-in takes over.
                let _ = session_end(error.clone(), None);
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
    let session = use_session().session;
    let can_create = move || {
        session
            .read()
            .as_ref()
            .is_none_or(|s| s.can_create_app_passwords())
    };
    let focus_next = StoredValue::new(Vec::<String>::new());
    let expiry_policy = Memo::new(move |_| {
        list.with(|list| {
            list.as_ref()
                .and_then(|list| list.as_ref().ok())
                .and_then(|list| list.expiry)
        })
    });
    let close = move |outcome: Outcome| {
        let closed = open().unwrap_or(Open::Nothing);
        chosen.set(Some(Open::Nothing));
        if let Outcome::Changed(sentence) = outcome {
            status.set(sentence);
            focus_next.set_value(closed.focus_after_change());
            list.refetch();
        }
    };
    let on_open = Callback::new(move |what| {
        status.set(String::new());
        chosen.set(Some(what));
    });

    view! {
        <h2 id=TITLE_ID tabindex="-1">{i18n.t(keys::SECURITY_TAB_APP_PASSWORDS)}</h2>
        <p class="muted">{i18n.t(keys::LIST_INTRO)}</p>
        <p class="status-line" role="status">{status_line}</p>
        <Transition fallback=move || view! { <p class="loading" role="status">{i18n.t(keys::LIST_LOADING)}</p> }>
            {move || list.get().map(|result| { let now = expiry::now(); match result {
                Ok(list) => view! {
                    <ListHeader
                        count=list.items.len()
                        expired=list.items.iter().filter(|item| expiry::is_expired(item, now)).cloned().collect()
                        max_count=list.max_count
                        can_create=can_create()
                        on_open=on_open
                        focus_next=focus_next
                    />
                    <AppPasswordTable items=expired_last(list.items, now) on_open=on_open now=now />
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error=error on_retry=Callback::new(move |()| list.refetch()) /> }.into_any(),
            }})}
        </Transition>
        {move || match open() {
            None | Some(Open::Nothing) => ().into_any(),
            Some(Open::Create(draft)) => view! {
                <CreateDialog
                    on_close=Callback::new(move |made: bool| {
                        close(if made { Outcome::Changed(i18n.t(keys::LIST_CREATED)) } else { Outcome::Cancelled })
                    })
                    on_list_stale=Callback::new(move |()| list.refetch())
                    draft=draft
                    expiry=expiry_policy.get_untracked()
                />
            }
            .into_any(),
            Some(Open::Rename { item, draft, .. }) => {
                view! { <RenameDialog item=item on_close=Callback::new(close) draft=draft /> }.into_any()
            }
            Some(Open::Delete { item, .. }) => view! { <DeleteDialog item=item on_close=Callback::new(close) /> }.into_any(),
            Some(Open::DeleteAll(count)) => view! { <DeleteAllDialog count=count on_close=Callback::new(close) /> }.into_any(),
            Some(Open::DeleteExpired(items)) => view! { <DeleteExpiredDialog items=items on_close=Callback::new(close) /> }.into_any(),
        }}
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
fn use_resumed_work(
    list: LocalResource<Result<AppPasswordList, crate::api::ApiError>>,
) -> Memo<Resumed> {
    let draft = use_kept_draft(|draft| matches!(draft, Draft::Create(_) | Draft::Rename { .. }));
    Memo::new(move |_| match draft.get() {
        Some(Draft::Create(create)) => Resumed::Dialog(Open::Create(Some(create))),
        Some(Draft::Rename { id, name }) => match list.get() {
            Some(Ok(list)) => match list.items.iter().position(|item| item.id == id) {
                Some(row) => Resumed::Dialog(Open::Rename {
                    item: list.items[row].clone(),
                    row,
                    draft: Some(name),
                }),
                None => Resumed::Lost(name),
            },
            _ => Resumed::Nothing,
        },
        _ => Resumed::Nothing,
    })
}

/// The count against the backend's limit, and what can be done: Create
/// (or why not) and Delete all.
#[component]
fn ListHeader(
    /// How many app passwords there are.
    count: usize,
    /// The ones that have stopped working.
    expired: Vec<AppPassword>,
    /// The backend's limit, if any.
    max_count: Option<u32>,
    /// Whether the user may create app passwords (an administrator may
    /// have turned it off).
    can_create: bool,
    on_open: Callback<Open>,
    /// Ids to put the focus on once the list is in the page (the buttons
    /// that opened a dialog are gone with the list they were in).
    focus_next: StoredValue<Vec<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let count_line = NodeRef::<html::P>::new();
    count_line.on_load(move |_| {
        let ids = focus_next
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        focus_first_of(ids.iter().map(String::as_str));
    });
    let at_limit = max_count.is_some_and(|max| count >= max as usize);
    let max = max_count.map(|max| i18n.number(max as usize));
    let summary = match &max {
        Some(max) => i18n.t_count(keys::LIST_COUNT_OF, count, &[("max", max)]),
        None => i18n.t_count(keys::LIST_COUNT, count, &[]),
    };
    let limit_note = max.map(|max| {
        if at_limit {
            i18n.t_count(keys::LIST_AT_LIMIT, count, &[("max", &max)])
        } else {
            i18n.t_with(keys::LIST_LIMIT, &[("max", &max)])
        }
    });
    let create = can_create.then(|| {
        view! {
            <button
                type="button"
                class="button button-primary"
                id=CREATE_ID
                disabled=at_limit
                aria-describedby="limit-note"
                on:click=move |_| on_open.run(Open::Create(None))
            >
                {i18n.t(keys::LIST_CREATE)}
            </button>
        }
    });
    view! {
        <p class="count" node_ref=count_line><span id="app-password-count">{summary}</span></p>
        <p class="muted" id="limit-note">{limit_note}</p>
        {(!can_create).then(|| view! {
            <div class="notice notice-info" id="app-passwords-disabled">{i18n.t(keys::LIST_DISABLED)}</div>
        })}
        <div class="toolbar">
            {create}
            {(count > 0).then(|| view! {
                <button type="button" class="button button-danger-quiet" id="delete-all" on:click=move |_| on_open.run(Open::DeleteAll(count))>
                    {i18n.t(keys::LIST_DELETE_ALL)}
                </button>
            })}
            {(!expired.is_empty()).then(|| {
                let expired = StoredValue::new(expired);
                view! {
                    <button
                        type="button"
                        class="button button-danger-quiet"
                        id="delete-expired"
                        on:click=move |_| on_open.run(Open::DeleteExpired(expired.get_value()))
                    >
                        {i18n.t(keys::LIST_DELETE_EXPIRED)}
                    </button>
                }
            })}
        </div>
    }
}

/// `items` with the expired ones after the others, each group in its own
/// order: what no longer works is out of the way, and together.
fn expired_last(items: Vec<AppPassword>, now: f64) -> Vec<AppPassword> {
    let (expired, working): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|item| expiry::is_expired(item, now));
    working.into_iter().chain(expired).collect()
}

/// The app passwords, a row each, or a line saying there are none.
#[component]
fn AppPasswordTable(
    items: Vec<AppPassword>,
    on_open: Callback<Open>,
    /// Now, for what has expired.
    now: f64,
) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return Either::Left(view! { <p class="empty">{i18n.t(keys::LIST_EMPTY)}</p> });
    }
    let texts = RowTexts::new(i18n, &items);
    let (show_last_used, show_expires) = (texts.last_used.is_some(), texts.expires.is_some());
    for text in ROW_STRINGS {
        wasm_bindgen::intern(text);
    }
    let rows = items
        .iter()
        .enumerate()
        .map(|(index, item)| app_password_row(i18n, &texts, item, index, now))
        .collect_view();
    Either::Right(view! {
        <table class="app-password-table">
            <caption class="visually-hidden">{i18n.t(keys::LIST_CAPTION)}</caption>
            <thead>
                <tr>
                    <th scope="col">{i18n.t(keys::COMMON_NAME)}</th>
                    <th scope="col">{i18n.t(keys::LIST_COL_CREATED)}</th>
                    {show_last_used.then(|| view! { <th scope="col">{i18n.t(keys::LIST_COL_LAST_USED)}</th> })}
                    {show_expires.then(|| view! { <th scope="col">{i18n.t(keys::LIST_COL_EXPIRES)}</th> })}
                    <th scope="col"><span class="visually-hidden">{i18n.t(keys::LIST_COL_ACTIONS)}</span></th>
                </tr>
            </thead>
            // One listener for every row's buttons: a thousand rows would
            // otherwise make two thousand closures and listeners.
            <tbody on:click=move |event| {
                if let Some(open) = row_action(&event, &items) {
                    on_open.run(open);
                }
            }>
                {rows}
            </tbody>
        </table>
    })
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

/// The dialog a click in the list's body asks for.
fn row_action(event: &web_sys::MouseEvent, items: &[AppPassword]) -> Option<Open> {
    let button = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("button")
        .ok()??;
    let (action, row) = RowButton::of_id(&button.id())?;
    let item = items.get(row)?.clone();
    Some(match action {
        RowButton::Rename => Open::Rename {
            item,
            row,
            draft: None,
        },
        RowButton::Delete => Open::Delete { item, row },
    })
}

/// The attribute names and fixed values that every row of
/// [`app_password_row`] repeats. Interned (made JS strings once) before the
/// rows render: otherwise each of a thousand rows copies them into JS
/// again.
const ROW_STRINGS: [&str; 14] = [
    "class",
    "type",
    "id",
    "aria-label",
    "dir",
    "datetime",
    "data-label",
    "app-password-row",
    "name",
    "auto",
    "row-actions",
    "button",
    "button button-small",
    "button button-small button-danger-quiet",
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
        }
    }
}

/// One app password: its name, dates, and the buttons that rename and
/// delete it (their clicks are handled by the list, see [`row_action`]).
/// A plain function, not a component: a thousand rows need no owner each.
fn app_password_row(
    i18n: I18n,
    texts: &RowTexts,
    item: &AppPassword,
    index: usize,
    now: f64,
) -> impl IntoView {
    let day = move |timestamp: &str| {
        view! { <time datetime=timestamp.to_owned()>{i18n.date(timestamp)}</time> }
    };
    let last_used = texts.last_used.clone().map(|label| {
        let text = match (
            &item.last_used_at,
            &item.last_used_service,
            &item.last_used_ip,
        ) {
            // The service that asked, when the backend says: "date · IMAP · address".
            (Some(at), Some(service), ip) => [
                Some(i18n.date(at)),
                Some(service_name(i18n, service)),
                ip.as_deref().map(|ip| i18n.user_text(ip)),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
            (Some(at), None, Some(ip)) => i18n.t_with(
                keys::LIST_LAST_USED_FROM,
                &[("date", &i18n.date(at)), ("address", &i18n.user_text(ip))],
            ),
            (Some(at), None, None) => i18n.date(at),
            _ => texts.never.to_string(),
        };
        view! { <td data-label=label>{text}</td> }
    });
    let expires = texts.expires.clone().map(|label| {
        let text = match item.expires_at.as_deref() {
            Some(at) => Either::Left(
                view! { <time datetime=at.to_owned()>{expiry::describe(item, i18n, now)}</time> },
            ),
            None => Either::Right(texts.never.clone()),
        };
        view! { <td data-label=label>{text}</td> }
    });
    let name = i18n.user_text(&item.name);
    view! {
        <tr class="app-password-row">
            <td class="name" dir="auto">{item.name.clone()}</td>
            <td data-label=texts.created.clone()>{day(&item.created_at)}</td>
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

    #[test]
    fn a_row_buttons_id_names_its_button_and_row() {
        for button in [RowButton::Rename, RowButton::Delete] {
            for row in [0, 7, 999] {
                assert_eq!(RowButton::of_id(&button.id(row)), Some((button, row)));
            }
        }
        assert_eq!(RowButton::of_id("rename-x"), None);
        assert_eq!(RowButton::of_id("create"), None);
    }

    #[test]
    fn focus_after_a_delete_goes_to_the_row_that_took_its_place_then_the_one_before() {
        let item = AppPassword {
            id: "1".into(),
            name: "Mail".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            last_used_at: None,
            last_used_ip: None,
            last_used_service: None,
            expires_at: None,
        };
        let deleted = |row| {
            Open::Delete {
                item: item.clone(),
                row,
            }
            .focus_after_change()
        };
        assert_eq!(deleted(3), ["rename-3", "rename-2", CREATE_ID, TITLE_ID]);
        assert_eq!(deleted(0), ["rename-0", CREATE_ID, TITLE_ID]);
        assert_eq!(
            Open::DeleteAll(2).focus_after_change(),
            [CREATE_ID, TITLE_ID]
        );
    }

    #[test]
    fn services_are_named_as_their_protocols_spell_them() {
        let i18n = I18n::new(crate::i18n::Lang::En);
        assert_eq!(service_name(i18n, "imap"), "IMAP");
        assert_eq!(service_name(i18n, "caldav"), "CalDAV");
        // Unknown ones as sent, isolated from the sentence's direction.
        assert_eq!(service_name(i18n, "matrix"), i18n.user_text("matrix"));
    }
}
