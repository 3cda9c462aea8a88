//! One row of the list, drawn by a plain function (a thousand rows need no
//! owner each), with the texts every row shares looked up once and its
//! fixed strings interned.

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;

use crate::api::AppPassword;
use crate::config::Scope;
use crate::expiry;
use crate::i18n::{keys, I18n};

use super::order::RowButton;

/// The attribute names and fixed values that every row of
/// [`app_password_row`] repeats. Interned (made JS strings once) before the
/// rows render: otherwise each of a thousand rows copies them into JS
/// again.
pub(super) const ROW_STRINGS: [&str; 20] = [
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
    "row-buttons",
    "button",
    "button button-small",
    "button button-small button-danger-quiet",
    "when",
    "where",
    "scope",
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
pub(super) struct RowTexts {
    pub(super) created: Arc<str>,
    /// `None` when no row has a last use to show.
    pub(super) last_used: Option<Arc<str>>,
    /// `None` when no row expires.
    pub(super) expires: Option<Arc<str>>,
    never: Arc<str>,
    rename: Arc<str>,
    delete: Arc<str>,
    new: Arc<str>,
    /// "Mail only", "Calendars and contacts only" and "Some services
    /// only"; `None` when every row opens every service.
    scopes: Option<[Arc<str>; 3]>,
}

impl RowTexts {
    pub(super) fn new(i18n: I18n, items: &[AppPassword]) -> Self {
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
            scopes: items.iter().any(|i| i.services.is_some()).then(|| {
                [
                    keys::SCOPE_MAIL_ONLY,
                    keys::SCOPE_DAV_ONLY,
                    keys::SCOPE_SOME_ONLY,
                ]
                .map(text)
            }),
        }
    }
}

/// How close an expiry is "soon", and marked so: a week, in milliseconds.
const EXPIRES_SOON_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

/// The service and the address `item` was last used through ("IMAP ·
/// 192.0.2.7"), as far as the backend says.
fn used_through(i18n: I18n, item: &AppPassword) -> Option<String> {
    let parts: Vec<String> = [
        item.last_used_service
            .as_deref()
            .map(|service| service_name(i18n, service)),
        item.last_used_ip.as_deref().map(|ip| i18n.user_text(ip)),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// What `item` is limited to ("Mail only"); `None` for every service.
fn scope_said(texts: &RowTexts, item: &AppPassword) -> Option<Arc<str>> {
    let [mail, dav, some] = texts.scopes.as_ref()?;
    match Scope::of(item.services.as_deref()) {
        Some(Scope::Everything) => None,
        Some(Scope::Mail) => Some(mail.clone()),
        Some(Scope::Dav) => Some(dav.clone()),
        // A list made by another client, of other or mixed kinds.
        None => Some(some.clone()),
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
pub(super) fn app_password_row(
    i18n: I18n,
    texts: &RowTexts,
    item: &AppPassword,
    index: usize,
    is_new: bool,
    now: f64,
) -> impl IntoView {
    let ago = |at: &str| expiry::ago(i18n, at, now);
    let last_used = texts.last_used.clone().map(|label| {
        let text = match &item.last_used_at {
            // When, then on a line of its own where from, so that the date
            // stays whole and the name keeps its room: "IMAP · address".
            Some(at) => Either::Left(view! {
                {moment(i18n, at, ago(at))}
                {used_through(i18n, item).map(|said| view! { <span class="where">{said}</span> })}
            }),
            None => Either::Right(texts.never.clone()),
        };
        view! { <td data-label=label>{text}</td> }
    });
    let soon = expiry::parse(item.expires_at.as_deref().unwrap_or_default())
        .is_some_and(|at| at > now && at - now < EXPIRES_SOON_MS);
    let expired = expiry::is_expired(item, now);
    let expires = texts.expires.clone().map(|label| match item.expires_at.as_deref() {
        // "Expires in 3 days" says what it is: a label before it would say
        // it twice on a phone's card.
        Some(at) => Either::Left(view! {
            <td class:expires-soon=soon>{moment(i18n, at, expiry::describe(item, i18n, now))}</td>
        }),
        None => Either::Right(view! { <td data-label=label>{texts.never.clone()}</td> }),
    });
    // The name as it is, with no direction isolates: voice control
    // ("click Rename Old iPad") matches an accessible name by its text.
    let named = &[("name", item.name.as_str())];
    view! {
        <tr class="app-password-row" class:row-new=is_new class:row-expired=expired aria-rowindex=index + 2>
            // The badge is drawn from data-new, so the cell holds the name alone.
            <td class="name" dir="auto" data-new=is_new.then(|| texts.new.clone())>
                {item.name.clone()}
                {scope_said(texts, item).map(|said| view! { <span class="scope">{said}</span> })}
            </td>
            <td data-label=texts.created.clone()>{moment(i18n, &item.created_at, ago(&item.created_at))}</td>
            {last_used}
            {expires}
            <td class="row-actions">
                <div class="row-buttons">
                    <button
                        type="button"
                        class="button button-small"
                        id=RowButton::Rename.id(index)
                        aria-label=i18n.t_with(keys::LIST_RENAME_NAMED, named)
                    >
                        {texts.rename.clone()}
                    </button>
                    <button
                        type="button"
                        class="button button-small button-danger-quiet"
                        id=RowButton::Delete.id(index)
                        aria-label=i18n.t_with(keys::LIST_DELETE_NAMED, named)
                    >
                        {texts.delete.clone()}
                    </button>
                </div>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_named_as_their_protocols_spell_them() {
        let i18n = I18n::new(crate::i18n::Lang::En);
        assert_eq!(service_name(i18n, "imap"), "IMAP");
        assert_eq!(service_name(i18n, "caldav"), "CalDAV");
        // Unknown ones as sent, isolated from the sentence's direction.
        assert_eq!(service_name(i18n, "matrix"), i18n.user_text("matrix"));
    }
}
