//! A button that shows and hides a part of the page (a disclosure), and
//! tells screen readers whether that part is open.

use leptos::prelude::*;

/// The button `id`, labelled `label`, that opens and closes the element
/// with id `controls`; `shown` is whether it is open.
#[component]
pub fn DisclosureButton(
    /// The button's id.
    id: &'static str,
    /// Id of the element it shows and hides.
    controls: &'static str,
    /// Whether that element is open.
    shown: RwSignal<bool>,
    /// The button's classes.
    class: &'static str,
    /// The button's text.
    #[prop(into)]
    label: String,
    /// Called on every press, after the change.
    #[prop(optional)]
    on_toggle: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            id=id
            aria-expanded=move || if shown.get() { "true" } else { "false" }
            aria-controls=controls
            on:click=move |_| {
                shown.update(|shown| *shown = !*shown);
                if let Some(on_toggle) = on_toggle {
                    on_toggle.run(());
                }
            }
        >
            {label}
        </button>
    }
}
