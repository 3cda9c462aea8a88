//! The App passwords screen: the user's app passwords.

use leptos::prelude::*;

use crate::api::{AppPassword, AppPasswordList};
use crate::components::ErrorNotice;
use crate::session::{use_api, use_session, use_session_expired};

/// Lists the signed-in user's app passwords.
#[component]
pub fn AppPasswordsPage() -> impl IntoView {
    let api = use_api();
    let context = use_session();
    let on_expired = use_session_expired();
    let list = LocalResource::new(move || {
        let api = api.clone();
        async move { api.app_passwords().await }
    });
    Effect::new(move || {
        if let Some(Err(error)) = list.get() {
            if error.is_session_expired() {
                on_expired();
            }
        }
    });
    let greeting = move || {
        context
            .session
            .read()
            .as_ref()
            .map(|s| s.user.display_name.clone())
            .unwrap_or_default()
    };

    view! {
        <section class="card" aria-labelledby="app-passwords-title">
            <h1 id="app-passwords-title">"App passwords"</h1>
            <p class="muted">
                "Signed in as " <strong class="user-name">{greeting}</strong>
                ". Apps that cannot do two-step sign-in, such as mail clients, use an app password instead of your password."
            </p>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading your app passwords…"</p> }>
                {move || {
                    list.get()
                        .map(|result| match result {
                            Ok(list) => view! { <AppPasswordTable list=list /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error=error on_retry=Callback::new(move |()| list.refetch()) /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

/// The list itself, with the count against the backend's limit.
#[component]
fn AppPasswordTable(list: AppPasswordList) -> impl IntoView {
    let count = list.items.len();
    let summary = match list.max_count {
        Some(max) => format!("{count} of {max}"),
        None => count.to_string(),
    };
    if list.items.is_empty() {
        return view! {
            <p class="count" id="app-password-count">{summary}</p>
            <p class="empty">"You have no app passwords yet."</p>
        }
        .into_any();
    }
    view! {
        <p class="count" id="app-password-count">{summary}</p>
        <table class="app-password-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>
                {list.items.into_iter().map(|item| view! { <AppPasswordRow item=item /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn AppPasswordRow(item: AppPassword) -> impl IntoView {
    view! {
        <tr>
            <td class="name">{item.name}</td>
            <td>{format_date(&item.created_at)}</td>
        </tr>
    }
}

/// The date part of an RFC 3339 timestamp, as `2026-11-24`.
fn format_date(timestamp: &str) -> String {
    timestamp.get(..10).unwrap_or(timestamp).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_show_the_day() {
        assert_eq!(format_date("2026-11-24T18:42:00Z"), "2026-11-24");
        assert_eq!(format_date("bad"), "bad");
    }
}
