//! A failed request, said plainly, with a way forward.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{keys, use_i18n};

/// Shows what went wrong and, when given `on_retry`, a "Try again" button.
#[component]
pub fn ErrorNotice(
    /// The failure to explain.
    error: ApiError,
    /// Called when the user asks to try again.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let try_again = i18n.t(keys::COMMON_TRY_AGAIN);
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.message(&i18n)}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>{try_again}</button>
            })}
        </div>
    }
}
