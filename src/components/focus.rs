//! Where the keyboard focus goes when what held it goes away: a dialog or
//! a menu that closes, a list that renders again. Without this the browser
//! drops focus on the page's body and a keyboard user starts over.

use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

/// An element to give the focus back to later.
pub struct FocusReturn(SendWrapper<Option<web_sys::HtmlElement>>);

impl FocusReturn {
    /// The element that has the focus now, such as the button that opens a
    /// dialog.
    pub fn to_focused() -> Self {
        let focused = leptos::prelude::document()
            .active_element()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        Self(SendWrapper::new(focused))
    }

    /// Gives the focus back; to the page's heading when the element is no
    /// longer in the page (the button that opened a dialog went with what
    /// the dialog did), so that it never falls to the body.
    pub fn restore(self) {
        match self.0.take() {
            Some(element) if element.is_connected() => {
                let _ = element.focus();
            }
            Some(_) => {
                focus_first_of([PAGE_HEADING_ID]);
            }
            None => {}
        }
    }
}

/// Focuses the first of the elements with these ids that is in the page and
/// can take the focus; `false` when none can.
pub fn focus_first_of<'a>(ids: impl IntoIterator<Item = &'a str>) -> bool {
    let document = leptos::prelude::document();
    ids.into_iter()
        .filter_map(|id| document.get_element_by_id(id))
        .filter(|element| !element.has_attribute("disabled"))
        .filter_map(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        .find(|element| element.focus().is_ok())
        .is_some()
}

/// The id of the page's heading, with `tabindex="-1"`, that takes the
/// focus when a page comes after another (sign-in).
pub const PAGE_HEADING_ID: &str = "page-title";

/// Gives the focus to the page's heading ([`PAGE_HEADING_ID`]) as soon as
/// the route shows it, trying every 50 ms `tries` times: after sign-in
/// the focus would otherwise be left on the body.
pub fn focus_page_heading(tries: u8) {
    if focus_first_of([PAGE_HEADING_ID]) || tries == 0 {
        return;
    }
    leptos::prelude::set_timeout(
        move || focus_page_heading(tries - 1),
        std::time::Duration::from_millis(50),
    );
}
