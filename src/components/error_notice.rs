//! A failed request, said plainly, with a way forward.

use leptos::prelude::*;

use crate::api::ApiError;

/// Shows what went wrong and, when given `on_retry`, a "Try again" button.
#[component]
pub fn ErrorNotice(
    /// The failure to explain.
    error: ApiError,
    /// Called when the user asks to try again.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.message()}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
