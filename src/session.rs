//! The signed-in session, shared app-wide, and the guard that sends
//! signed-out visitors to sign-in and back.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::api::{ApiClient, ApiError, Session};
use crate::components::ErrorNotice;

/// App-wide session state: `None` until known or after sign-out.
#[derive(Clone, Copy)]
pub struct SessionContext {
    /// The current session.
    pub session: RwSignal<Option<Session>>,
}

/// The API client provided at the root.
pub fn use_api() -> ApiClient {
    expect_context::<ApiClient>()
}

/// The session provided at the root.
pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}

/// Path of the sign-in screen that returns to `return_to` afterwards.
pub fn sign_in_path(return_to: &str) -> String {
    format!("/sign-in?return={}", encode_query_value(return_to))
}

/// Where to go after sign-in: `requested` when it is a path of this app,
/// otherwise the app's home. Refusing `//host` and `https://…` keeps the
/// sign-in page from being an open redirect.
pub fn safe_return_path(requested: Option<&str>) -> String {
    match requested {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/app-passwords".to_owned(),
    }
}

fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Returns a function that reacts to an expired session: forgets it and
/// sends the user to sign-in, to come back to the current screen after.
pub fn use_session_expired() -> impl Fn() + Clone {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    move || {
        session.session.set(None);
        let here = format!(
            "{}{}",
            location.pathname.get_untracked(),
            location.search.get_untracked()
        );
        navigate(
            &sign_in_path(&here),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    }
}

/// Shows `children` only to a signed-in user: loads the session when it is
/// not known yet, and sends a signed-out visitor to sign-in.
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let context = use_session();
    let api = use_api();
    let on_expired = use_session_expired();
    let check = LocalResource::new(move || {
        let api = api.clone();
        async move {
            if context.session.get_untracked().is_some() {
                return Ok(());
            }
            let session = api.session().await?;
            context.session.set(Some(session));
            Ok::<(), ApiError>(())
        }
    });
    Effect::new(move || {
        if let Some(Err(error)) = check.get() {
            if error.is_session_expired() {
                on_expired();
            }
        }
    });
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                check
                    .get()
                    .map(|result| match result {
                        Ok(()) => children.with_value(|children| children()).into_any(),
                        Err(error) if error.is_session_expired() => {
                            view! { <p class="loading" role="status">"Taking you to sign-in…"</p> }.into_any()
                        }
                        Err(error) => {
                            view! { <ErrorNotice error=error on_retry=Callback::new(move |()| check.refetch()) /> }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_inside_the_app() {
        assert_eq!(safe_return_path(Some("/app-passwords")), "/app-passwords");
        assert_eq!(safe_return_path(Some("//evil.example/")), "/app-passwords");
        assert_eq!(
            safe_return_path(Some("https://evil.example/")),
            "/app-passwords"
        );
        assert_eq!(safe_return_path(Some("/\\evil.example")), "/app-passwords");
        assert_eq!(safe_return_path(None), "/app-passwords");
    }

    #[test]
    fn sign_in_path_encodes_the_return_path() {
        assert_eq!(sign_in_path("/a?b=c&d"), "/sign-in?return=/a%3Fb%3Dc%26d");
    }
}
