//! The App passwords tab: the list, "n of max", and the ways to create,
//! rename and delete.

use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{AppPassword, AppPasswordList};
use crate::components::ErrorNotice;
use crate::drafts::Draft;
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::create_dialog::CreateDialog;
use crate::pages::manage_dialogs::{DeleteAllDialog, DeleteDialog, Outcome, RenameDialog};
use crate::session::{use_api, use_kept_draft, use_session, use_session_expired};

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Open {
    /// Create, with the name and key of an interrupted create, if any.
    Create(Option<(String, String)>),
    /// Rename the item at this index, with a new name typed before the
    /// session ended, if any.
    Rename(AppPassword, usize, Option<String>),
    /// Delete the item at this index.
    Delete(AppPassword, usize),
    DeleteAll(usize),
}

/// The signed-in user's app passwords and what can be done with them.
#[component]
pub fn AppPasswordsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let context = use_session();
    let on_expired = use_session_expired();
    let list = LocalResource::new(move || {
        let api = api.clone();
        async move { api.app_passwords().await }
    });
    Effect::new(move || {
        if let Some(Err(error)) = list.get() {
            on_expired(&error, None);
        }
    });
    // Work interrupted by an ended session comes back as it was left.
    let draft =
        use_kept_draft(|draft| matches!(draft, Draft::Create { .. } | Draft::Rename { .. }));
    let open = RwSignal::new(None);
    Effect::new(move || {
        if let Some(Draft::Create {
            name,
            idempotency_key,
        }) = draft.get()
        {
            open.set(Some(Open::Create(Some((name, idempotency_key)))));
        }
    });
    let status = RwSignal::new(String::new());
    // The reloaded list replaces the buttons that opened a dialog, so focus
    // is put back by id once it has rendered: the first of these ids that
    // can take it.
    let focus_after_reload = RwSignal::new(Vec::<String>::new());
    let close = move |outcome: Outcome| {
        let targets = match open.get_untracked() {
            Some(Open::Rename(_, index, _)) => vec![format!("rename-{index}")],
            // The row that took the deleted one's place, else the one
            // before it, else Create.
            Some(Open::Delete(_, index)) => vec![
                format!("rename-{index}"),
                format!("rename-{}", index.wrapping_sub(1)),
                "create".to_owned(),
            ],
            _ => vec!["create".to_owned()],
        };
        open.set(None);
        if let Outcome::Changed(sentence) = outcome {
            status.set(sentence);
            focus_after_reload.set(targets);
            list.refetch();
        }
    };
    // A rename comes back, once, when the list says which row it was.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let (Some(Draft::Rename { id, name }), Some(Ok(items))) = (draft.get(), list.get()) else {
            return false;
        };
        match items.items.iter().position(|item| item.id == id) {
            Some(index) => open.set(Some(Open::Rename(
                items.items[index].clone(),
                index,
                Some(name),
            ))),
            None => {
                status.set(i18n.t_with(keys::LIST_RENAME_LOST, &[("name", &i18n.user_text(&name))]))
            }
        }
        true
    });
    Effect::new(move || {
        if let Some(Ok(_)) = list.get() {
            let targets = focus_after_reload.get_untracked();
            if targets.is_empty() {
                return;
            }
            focus_after_reload.set(Vec::new());
            // A disabled Create (at the limit) cannot take focus: the
            // heading of the tab can.
            let target = targets
                .iter()
                .filter_map(|id| document().get_element_by_id(id))
                .find(|element| !element.has_attribute("disabled"))
                .or_else(|| document().get_element_by_id("app-passwords-title"));
            if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = element.focus();
            }
        }
    });
    let can_create = move || {
        context
            .session
            .read()
            .as_ref()
            .is_none_or(|s| s.can_create_app_passwords())
    };

    view! {
        <h2 id="app-passwords-title" tabindex="-1">{i18n.t(keys::SECURITY_TAB_APP_PASSWORDS)}</h2>
        <p class="muted">
            {i18n.t(keys::LIST_INTRO)}
        </p>
        <p class="status-line" role="status">{move || status.get()}</p>
        <Transition fallback=move || view! { <p class="loading" role="status">{i18n.t(keys::LIST_LOADING)}</p> }>
            {move || {
                list.get()
                    .map(|result| match result {
                        Ok(items) => view! {
                            <AppPasswordTable
                                list=items
                                can_create=can_create()
                                on_open=Callback::new(move |what| { status.set(String::new()); open.set(Some(what)) })
                            />
                        }
                        .into_any(),
                        Err(error) => {
                            view! { <ErrorNotice error=error on_retry=Callback::new(move |()| list.refetch()) /> }.into_any()
                        }
                    })
            }}
        </Transition>
        {move || match open.get() {
            None => ().into_any(),
            Some(Open::Create(draft)) => view! {
                <CreateDialog
                    on_close=Callback::new(move |made: bool| {
                        close(if made { Outcome::Changed(i18n.t(keys::LIST_CREATED)) } else { Outcome::Cancelled })
                    })
                    on_list_stale=Callback::new(move |()| list.refetch())
                    draft=draft
                />
            }
            .into_any(),
            Some(Open::Rename(item, _, draft)) => {
                view! { <RenameDialog item=item on_close=Callback::new(close) draft=draft /> }.into_any()
            }
            Some(Open::Delete(item, _)) => view! { <DeleteDialog item=item on_close=Callback::new(close) /> }.into_any(),
            Some(Open::DeleteAll(count)) => view! { <DeleteAllDialog count=count on_close=Callback::new(close) /> }.into_any(),
        }}
    }
}

/// The list itself, with the count against the backend's limit.
#[component]
fn AppPasswordTable(
    list: AppPasswordList,
    can_create: bool,
    on_open: Callback<Open>,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = list.items.len();
    let at_limit = list.max_count.is_some_and(|max| count >= max as usize);
    let max = list.max_count.map(|max| i18n.number(max as usize));
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
    let show_last_used = list.items.iter().any(|i| i.last_used_at.is_some());
    let show_expires = list.items.iter().any(|i| i.expires_at.is_some());
    let delete_all = move || {
        (count > 0).then(|| view! {
            <button type="button" class="button button-danger-quiet" id="delete-all" on:click=move |_| on_open.run(Open::DeleteAll(count))>
                {i18n.t(keys::LIST_DELETE_ALL)}
            </button>
        })
    };

    let toolbar = if can_create {
        view! {
            <div class="toolbar">
                <button
                    type="button"
                    class="button button-primary"
                    id="create"
                    disabled=at_limit
                    aria-describedby="limit-note"
                    on:click=move |_| on_open.run(Open::Create(None))
                >
                    {i18n.t(keys::LIST_CREATE)}
                </button>
                {delete_all()}
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="notice notice-info" id="app-passwords-disabled">
                {i18n.t(keys::LIST_DISABLED)}
            </div>
            <div class="toolbar">{delete_all()}</div>
        }
        .into_any()
    };

    for text in ROW_STRINGS {
        wasm_bindgen::intern(text);
    }
    let rows = list
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| app_password_row(i18n, item, index, show_last_used, show_expires))
        .collect_view();
    let items = list.items;

    view! {
        <p class="count"><span id="app-password-count">{summary}</span></p>
        <p class="muted" id="limit-note">{limit_note}</p>
        {toolbar}
        {if items.is_empty() {
            view! { <p class="empty">{i18n.t(keys::LIST_EMPTY)}</p> }.into_any()
        } else {
            view! {
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
            }
            .into_any()
        }}
    }
}

/// The dialog a click in the list's body asks for: the buttons of row `i`
/// are `rename-{i}` and `delete-{i}`.
fn row_action(event: &web_sys::MouseEvent, items: &[AppPassword]) -> Option<Open> {
    let button = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("button")
        .ok()??;
    let id = button.id();
    let (action, index) = id.split_once('-')?;
    let index: usize = index.parse().ok()?;
    let item = items.get(index)?.clone();
    match action {
        "rename" => Some(Open::Rename(item, index, None)),
        "delete" => Some(Open::Delete(item, index)),
        _ => None,
    }
}

/// The attribute names and fixed values that every row of
/// [`app_password_row`] repeats. Interned (made JS strings once) before the
/// rows render: otherwise each of a thousand rows copies them into JS
/// again (1,000 rows: 42 → 37 ms).
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

/// One app password: its name, dates, and the buttons that rename and
/// delete it (their clicks are handled by the list, see [`row_action`]).
/// A plain function, not a component: a thousand rows need no owner each.
fn app_password_row(
    i18n: I18n,
    item: &AppPassword,
    index: usize,
    show_last_used: bool,
    show_expires: bool,
) -> impl IntoView {
    let day = move |timestamp: &str| {
        view! { <time datetime=timestamp.to_owned()>{i18n.date(timestamp)}</time> }
    };
    let last_used = show_last_used.then(|| {
        let text = match (&item.last_used_at, &item.last_used_ip) {
            (Some(at), Some(ip)) => i18n.t_with(
                keys::LIST_LAST_USED_FROM,
                &[("date", &i18n.date(at)), ("address", &i18n.user_text(ip))],
            ),
            (Some(at), None) => i18n.date(at),
            _ => i18n.t(keys::LIST_NEVER),
        };
        view! { <td data-label=i18n.t(keys::LIST_COL_LAST_USED)>{text}</td> }
    });
    let expires = show_expires.then(|| {
        let text = match item.expires_at.as_deref() {
            Some(at) => Either::Left(day(at)),
            None => Either::Right(i18n.t(keys::LIST_NEVER)),
        };
        view! { <td data-label=i18n.t(keys::LIST_COL_EXPIRES)>{text}</td> }
    });
    let name = i18n.user_text(&item.name);
    view! {
        <tr class="app-password-row">
            <td class="name" dir="auto">{item.name.clone()}</td>
            <td data-label=i18n.t(keys::LIST_COL_CREATED)>{day(&item.created_at)}</td>
            {last_used}
            {expires}
            <td class="row-actions">
                <button
                    type="button"
                    class="button button-small"
                    id=format!("rename-{index}")
                    aria-label=i18n.t_with(keys::LIST_RENAME_NAMED, &[("name", &name)])
                >
                    {i18n.t(keys::LIST_RENAME)}
                </button>
                <button
                    type="button"
                    class="button button-small button-danger-quiet"
                    id=format!("delete-{index}")
                    aria-label=i18n.t_with(keys::LIST_DELETE_NAMED, &[("name", &name)])
                >
                    {i18n.t(keys::LIST_DELETE)}
                </button>
            </td>
        </tr>
    }
}
