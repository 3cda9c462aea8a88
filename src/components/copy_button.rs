//! "Copy password to clipboard" that tells the truth: it says Copied only
//! after the browser confirmed the write, and where the browser refuses
//! (plain HTTP, no permission) it selects the text and says how to copy it
//! by hand: Ctrl+C, or on a touch screen, touch and hold.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::i18n::{keys, use_i18n, I18n};
use crate::write::Write;

/// Writes text to the clipboard; `Err` when the browser refuses.
pub type ClipboardWriter = fn(String) -> Pin<Box<dyn Future<Output = Result<(), ()>>>>;

/// The browser's own clipboard (`navigator.clipboard.writeText`).
pub fn browser_clipboard(text: String) -> Pin<Box<dyn Future<Output = Result<(), ()>>>> {
    Box::pin(async move {
        let clipboard = window().navigator().clipboard();
        wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
            .await
            .map(drop)
            .map_err(drop)
    })
}

/// The id of the Copy button, for whoever wants to focus it.
pub const COPY_BUTTON_ID: &str = "copy-password";

/// What the last copy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyOutcome {
    /// Not tried yet.
    Idle,
    /// The clipboard holds the text.
    Copied,
    /// The browser refused; the text is selected for Ctrl+C.
    Refused,
}

/// Which Copy button's text the clipboard holds, among the buttons that
/// share this context (the password step and its set-up table): only that
/// one says "Copied", so that a button never claims what the clipboard no
/// longer holds.
#[derive(Clone, Copy)]
pub struct ClipboardHolder(RwSignal<Vec<&'static str>>);

impl ClipboardHolder {
    /// A holder of nothing yet, for the Copy buttons below to share.
    pub fn provide() -> Self {
        let holder = Self(RwSignal::new(Vec::new()));
        provide_context(holder);
        holder
    }

    /// Whether the clipboard holds the text of one of the buttons `ids`.
    pub fn holds_one_of(&self, ids: &[&str]) -> bool {
        self.0
            .with(|copied| copied.last().is_some_and(|id| ids.contains(id)))
    }

    /// Notes that the button `id` copied its text, if there is a holder.
    fn record(holder: Option<Self>, id: &'static str) {
        if let Some(Self(copied)) = holder {
            copied.update(|copied| copied.push(id));
        }
    }

    /// What the button `id` says of its last copy: Copied only until
    /// another button's copy replaces its text.
    fn said(holder: Option<Self>, id: &str, outcome: Option<CopyOutcome>) -> CopyOutcome {
        match outcome.unwrap_or(CopyOutcome::Idle) {
            CopyOutcome::Copied if holder.is_some_and(|h| !h.holds_one_of(&[id])) => {
                CopyOutcome::Idle
            }
            outcome => outcome,
        }
    }

    /// Whether one of the buttons `ids` ever copied its text.
    pub fn ever_held_one_of(&self, ids: &[&str]) -> bool {
        self.0
            .with(|copied| copied.iter().any(|id| ids.contains(id)))
    }
}

/// Copies `text`; on refusal selects the element with id `select_on_refusal`.
#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    text: Signal<String>,
    /// Id of the element that shows the text, selected when copying fails.
    select_on_refusal: &'static str,
    /// The clipboard to write to; the browser's unless a test says otherwise.
    #[prop(default = browser_clipboard)]
    writer: ClipboardWriter,
    /// The button's id; the password's Copy unless given.
    #[prop(default = COPY_BUTTON_ID)]
    id: &'static str,
    /// The button's text; "Copy password to clipboard" unless given.
    #[prop(optional, into)]
    label: Option<String>,
    /// The button's accessible name, when its text alone does not say what
    /// it copies.
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// Called once the browser confirmed the copy. Not on a refusal: the
    /// text the button selects then is not yet in the user's hands.
    #[prop(optional)]
    on_copy: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (label, copied) = (
        label.unwrap_or_else(|| i18n.t(keys::COPY_BUTTON)),
        i18n.t(keys::COPY_COPIED),
    );
    let holder = use_context::<ClipboardHolder>();
    let said = RwSignal::new(None);
    let copy = Write::new(move |text: &String| {
        let text = text.clone();
        async move {
            let outcome = if writer(text).await.is_ok() {
                ClipboardHolder::record(holder, id);
                if let Some(on_copy) = on_copy {
                    on_copy.try_run(());
                }
                CopyOutcome::Copied
            } else {
                select_contents(select_on_refusal);
                CopyOutcome::Refused
            };
            said.try_set(Some(outcome));
        }
    });
    let outcome = move || ClipboardHolder::said(holder, id, said.get());
    view! {
        <div class="copy">
            <button
                type="button"
                id=id
                class="button button-primary"
                class:button-done=move || outcome() == CopyOutcome::Copied
                // The visible text is part of the name (WCAG 2.5.3): once
                // it says Copied, that alone.
                aria-label=move || (outcome() != CopyOutcome::Copied).then(|| aria_label.clone()).flatten()
                disabled=move || copy.pending().get()
                on:click=move |_| {
                    // Says nothing until this copy has worked, or not.
                    said.set(None);
                    copy.start(text.get_untracked());
                }
            >
                {move || match outcome() {
                    CopyOutcome::Copied => copied.clone(),
                    _ => label.clone(),
                }}
            </button>
            <p class="copy-status" role="status">
                {move || status_text(outcome(), i18n)}
            </p>
        </div>
    }
}

/// What the status line says after `outcome`.
fn status_text(outcome: CopyOutcome, i18n: I18n) -> String {
    match outcome {
        CopyOutcome::Idle => String::new(),
        CopyOutcome::Copied => i18n.t(keys::COPY_STATUS_COPIED),
        // Asked at each refusal: a tablet may gain a keyboard.
        CopyOutcome::Refused => i18n.t(if touch_screen() {
            keys::COPY_REFUSED_TOUCH
        } else {
            keys::COPY_REFUSED
        }),
    }
}

/// Whether the main pointer is a finger (CSS Media Queries 4's
/// `pointer: coarse`): a phone or a tablet, where there is no Ctrl+C.
fn touch_screen() -> bool {
    window()
        .match_media("(pointer: coarse)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

fn select_contents(id: &str) {
    let document = document();
    if let (Some(element), Ok(Some(selection))) =
        (document.get_element_by_id(id), window().get_selection())
    {
        let _ = selection.select_all_children(&element);
    }
}
