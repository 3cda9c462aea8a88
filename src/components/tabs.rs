//! Tabs that are links: each tab has its own URL, so reload, deep links and
//! the back button work, and the markup is a real ARIA tablist.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// One tab: its label and the address of what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    /// Element id of the tab.
    pub id: &'static str,
    /// Visible label and accessible name.
    pub label: String,
    /// Address of the screen the tab shows.
    pub href: String,
}

/// A tablist of `tabs` with `selected` (an id) marked; arrow keys move
/// between tabs, as screen-reader users expect.
#[component]
pub fn Tabs(
    /// The tabs, in order.
    tabs: Vec<Tab>,
    /// Id of the selected tab.
    #[prop(into)]
    selected: Signal<&'static str>,
    /// Id of the panel the tabs control.
    panel: &'static str,
    /// Accessible name of the tablist.
    label: String,
) -> impl IntoView {
    let ids: Vec<&'static str> = tabs.iter().map(|tab| tab.id).collect();
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // The arrows follow the writing direction: in a right-to-left
        // page the next tab is to the left.
        let rtl = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("[dir]").ok().flatten())
            .is_some_and(|marked| marked.get_attribute("dir").as_deref() == Some("rtl"));
        let forward: isize = if rtl { -1 } else { 1 };
        let step: isize = match ev.key().as_str() {
            "ArrowRight" => forward,
            "ArrowLeft" => -forward,
            _ => return,
        };
        let Some(current) = ids.iter().position(|id| *id == selected.get_untracked()) else {
            return;
        };
        let next = (current as isize + step).rem_euclid(ids.len() as isize) as usize;
        if let Some(element) = document().get_element_by_id(ids[next]) {
            ev.prevent_default();
            if let Ok(link) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = link.focus();
                link.click();
            }
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label=label on:keydown=on_keydown>
            {tabs
                .into_iter()
                .map(|tab| {
                    let is_selected = move || selected.get() == tab.id;
                    view! {
                        <a
                            id=tab.id
                            class="tab"
                            class:tab-selected=is_selected
                            role="tab"
                            href=tab.href
                            aria-selected=move || if is_selected() { "true" } else { "false" }
                            aria-controls=panel
                            tabindex=move || if is_selected() { "0" } else { "-1" }
                        >
                            {tab.label}
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
}
