//! A modal dialog on the browser's own `<dialog>`: focus moves inside and
//! is held there, the page behind is inert, and focus goes back to whatever
//! opened it when it closes.

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use super::FocusReturn;

/// A modal dialog, open while it is mounted. Its accessible name is the
/// element with id `labelled_by` (its heading).
#[component]
pub fn Dialog(
    /// Id of the heading that names the dialog.
    labelled_by: &'static str,
    /// Called on Escape; without it Escape does nothing (for a step the
    /// user must finish on purpose, such as the one showing a password).
    #[prop(optional, into)]
    on_escape: Option<Signal<Option<Callback<()>>>>,
    /// The dialog's content.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let opener = FocusReturn::to_focused();
    // Only the browser's own showModal() makes the page behind inert.
    dialog.on_load(|dialog| make_modal(&dialog));
    // A modal <dialog> taken out of the document and put back stays open
    // but is no longer modal (HTML's dialog "removing steps"), and one
    // built before it is in the document cannot be shown modal yet; leptos
    // may build a view apart and mount it after (a dialog opened as its
    // screen is drawn: the Create dialog restored on a fresh load), so
    // while it lives, it is shown modal again whenever it is not.
    let watch = set_interval_with_handle(
        move || {
            if let Some(dialog) = dialog.try_get_untracked().flatten() {
                make_modal(&dialog);
            }
        },
        Duration::from_millis(100),
    )
    .ok();
    let closing = SendWrapper::new(dialog);
    on_cleanup(move || {
        if let Some(watch) = watch {
            watch.clear();
        }
        if let Some(dialog) = closing.get_untracked() {
            dialog.close();
        }
        opener.restore();
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            // The browser would close the dialog itself; the owner decides.
            ev.prevent_default();
            if let Some(callback) = on_escape.and_then(|handler| handler.get_untracked()) {
                callback.run(());
            }
        }
    };
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by on:keydown=on_keydown>
            {children()}
        </dialog>
    }
}

/// Shows `dialog` as a modal if it is in the document and not one yet.
fn make_modal(dialog: &web_sys::HtmlDialogElement) {
    if dialog.is_connected() && !dialog.matches(":modal").unwrap_or(true) {
        if dialog.open() {
            dialog.close();
        }
        let _ = dialog.show_modal();
    }
}
