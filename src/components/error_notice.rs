//! A failed request, said plainly, with a way forward: a notice with a
//! retry for what failed to load, and a line for a form or dialog.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::SupportContact;
use crate::i18n::{keys, use_i18n};

/// Shows what went wrong, how to reach IT when it says to ask them, and,
/// when given `on_retry`, a "Try again" button.
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
            {error.names_administrator().then(|| view! { <SupportContact /> })}
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>{try_again}</button>
            })}
        </div>
    }
}

/// The line above a form or in a dialog that says what went wrong, read
/// out as it appears; hidden while there is nothing to say.
#[component]
pub fn ErrorLine(
    /// The sentence, when there is one.
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert" hidden=move || message.get().is_none()>
            {move || message.get()}
        </div>
    }
}
