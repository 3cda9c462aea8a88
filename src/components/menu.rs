//! A menu button: a trigger that opens a list of actions, closed by
//! Escape, by choosing, or by clicking elsewhere.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A button named `label` (its content is `icon`) that opens `children`, a list of `role="menuitem"` links or buttons and
/// [`ChoiceGroup`]s.
#[component]
pub fn MenuButton(
    /// Accessible name of the trigger.
    #[prop(into)]
    label: String,
    /// Id of the menu element.
    id: &'static str,
    /// The glyph the trigger shows (hidden from screen readers, which hear
    /// `label`).
    icon: &'static str,
    /// The menu items.
    children: ChildrenFn,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let trigger = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Div>::new();
    // Focus the first item as the menu opens.
    Effect::new(move || {
        if open.get() && menu.get().is_some() {
            if let Some(first) = menu_items(menu).first() {
                let _ = first.focus();
            }
        }
    });
    let close_and_return = move || {
        open.set(false);
        if let Some(trigger) = trigger.get_untracked() {
            let _ = trigger.focus();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if let KeyMove::Close = move_focus(&ev, &menu_items(menu)) {
            close_and_return();
        }
    };
    close_on_click_outside(open, trigger, menu);

    view! {
        <div class="menu-button">
            <button
                type="button"
                class="icon-button"
                node_ref=trigger
                aria-label=label.clone()
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=id
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="icon" aria-hidden="true">{icon}</span>
            </button>
            <Show when=move || open.get()>
                <div
                    class="menu"
                    id=id
                    role="menu"
                    aria-label=label.clone()
                    node_ref=menu
                    on:keydown=on_keydown
                    // Choosing an item closes the menu, and the focus goes back
                    // to the trigger rather than to the page; the item does
                    // its own work.
                    on:click=move |_| close_and_return()
                >
                    {children()}
                </div>
            </Show>
        </div>
    }
}

/// The menu's items, in order.
fn menu_items(menu: NodeRef<html::Div>) -> Vec<web_sys::HtmlElement> {
    menu.get_untracked()
        .and_then(|menu| {
            menu.query_selector_all("[role=menuitem], [role=menuitemradio]")
                .ok()
        })
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// What a key pressed in the menu did.
enum KeyMove {
    /// Nothing, or moved the focus among the items.
    Stay,
    /// Escape or Tab: the menu is to close.
    Close,
}

/// The WAI-ARIA menu pattern's keys: arrows move the focus round the
/// `items`, Home and End go to the ends, Escape and Tab close.
fn move_focus(ev: &leptos::ev::KeyboardEvent, items: &[web_sys::HtmlElement]) -> KeyMove {
    let active = document().active_element();
    let current = items
        .iter()
        .position(|item| active.as_ref().is_some_and(|a| a.is_same_node(Some(item))));
    let count = items.len().max(1);
    let target = match ev.key().as_str() {
        "Escape" | "Tab" => return KeyMove::Close,
        "ArrowDown" => current.map_or(0, |i| (i + 1) % count),
        "ArrowUp" => current.map_or(0, |i| (i + count - 1) % count),
        "Home" => 0,
        "End" => items.len().saturating_sub(1),
        _ => return KeyMove::Stay,
    };
    ev.prevent_default();
    if let Some(item) = items.get(target) {
        let _ = item.focus();
    }
    KeyMove::Stay
}

/// Closes the menu (`open`) on a click anywhere outside `trigger` and
/// `menu`, for as long as the component lives.
fn close_on_click_outside(
    open: RwSignal<bool>,
    trigger: NodeRef<html::Button>,
    menu: NodeRef<html::Div>,
) {
    let handle = window_event_listener(leptos::ev::click, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = |node: Option<web_sys::HtmlElement>| {
            node.zip(target.as_ref())
                .is_some_and(|(node, target)| node.contains(Some(target)))
        };
        let in_trigger = inside(trigger.get_untracked().map(|b| b.unchecked_into()));
        let in_menu = inside(menu.get_untracked().map(|m| m.unchecked_into()));
        if !in_trigger && !in_menu {
            open.set(false);
        }
    });
    on_cleanup(move || handle.remove());
}

/// One of a [`ChoiceGroup`]'s choices.
pub struct Choice {
    /// What it says.
    pub label: String,
    /// The language `label` is in, when it is not the page's (a language's
    /// own name).
    pub lang: Option<&'static str>,
    /// Element id, for a group outside a menu.
    pub id: Option<String>,
    /// Whether it is the current choice.
    pub checked: Signal<bool>,
    /// Makes it the current choice.
    pub choose: Callback<()>,
}

/// Choices of which one is current, named `label`: in a menu
/// (`in_menu`), `menuitemradio`s under a label; elsewhere, a row of
/// toggle buttons, for a screen without a menu.
#[component]
pub fn ChoiceGroup(
    /// The group's name.
    label: String,
    /// The choices, in order.
    choices: Vec<Choice>,
    /// Whether the group is part of a [`MenuButton`]'s menu.
    #[prop(optional)]
    in_menu: bool,
) -> impl IntoView {
    // A menu shows the group's name; a row is named for screen readers.
    let heading = in_menu
        .then(|| view! { <p class="menu-group-label" aria-hidden="true">{label.clone()}</p> });
    view! {
        <div role="group" class=if in_menu { "menu-group" } else { "choice-row" } aria-label=label>
            {heading}
            {choices
                .into_iter()
                .map(|choice| {
                    let checked = move || if choice.checked.get() { "true" } else { "false" };
                    view! {
                        <button
                            type="button"
                            id=choice.id
                            role=in_menu.then_some("menuitemradio")
                            class=if in_menu { "menu-item" } else { "choice" }
                            lang=choice.lang
                            aria-checked=move || in_menu.then(checked)
                            aria-pressed=move || (!in_menu).then(checked)
                            on:click=move |_| choice.choose.run(())
                        >
                            {choice.label}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
