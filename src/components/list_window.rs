//! A long list drawn a step at a time: at first what a tall screen shows
//! and a margin, then a step more whenever the end of what is drawn comes
//! within a screen's height of the view (the user scrolls, or tabs, down to
//! it). A thousand rows then cost what forty do. Rows once drawn stay, so
//! scrolling back never jumps and the browser's find and the keyboard reach
//! every row drawn.

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// How many rows a step draws: more than a tall screen shows.
pub const WINDOW_STEP: usize = 40;

/// What [`use_list_window`] gives the list.
#[derive(Clone, Copy)]
pub struct ListWindow {
    /// How many rows to draw, from the first: a multiple of
    /// [`WINDOW_STEP`], or all of them.
    pub shown: ReadSignal<usize>,
    /// For the "Show more" button right after the list: the list grows
    /// when it nears the view, or when it is pressed (the sure way for a
    /// keyboard or a screen reader's browse mode).
    pub edge: NodeRef<html::Button>,
    set_shown: WriteSignal<usize>,
    total: usize,
}

impl ListWindow {
    /// Draws the next step of rows.
    pub fn grow(self) {
        self.set_shown
            .update(|shown| *shown = (*shown + WINDOW_STEP).min(self.total));
    }

    /// How many rows the next step draws.
    pub fn next_step(self) -> usize {
        WINDOW_STEP.min(self.total.saturating_sub(self.shown.get()))
    }
}

/// How many of `total` rows to draw at first: enough for the first
/// `at_least` (a row that must be there, to take the focus or to be seen).
pub fn first_window(total: usize, at_least: usize) -> usize {
    at_least
        .max(1)
        .div_ceil(WINDOW_STEP)
        .saturating_mul(WINDOW_STEP)
        .min(total)
}

/// Draws `total` rows a step at a time (see the module), starting with
/// the first `at_least`.
pub fn use_list_window(total: usize, at_least: usize) -> ListWindow {
    let (shown, set_shown) = signal(first_window(total, at_least));
    let window = ListWindow {
        shown,
        edge: NodeRef::new(),
        set_shown,
        total,
    };
    window.edge.on_load(move |edge| {
        let grow = Closure::<dyn Fn(js_sys::Array, IntersectionObserver)>::new(
            move |entries: js_sys::Array, observer: IntersectionObserver| {
                let near = entries.iter().any(|entry| {
                    entry
                        .unchecked_into::<IntersectionObserverEntry>()
                        .is_intersecting()
                });
                if !near || shown.get_untracked() >= total {
                    return;
                }
                window.grow();
                // Watched afresh, the edge is reported again once the new
                // rows are drawn: still near on a tall screen, it grows
                // the list again.
                observer.unobserve(&edge_of(&entries));
                observer.observe(&edge_of(&entries));
            },
        );
        let options = IntersectionObserverInit::new();
        options.set_root_margin("0px 0px 100% 0px");
        let Ok(observer) =
            IntersectionObserver::new_with_options(grow.as_ref().unchecked_ref(), &options)
        else {
            // Too old a browser: everything at once, as before windows.
            set_shown.set(total);
            return;
        };
        observer.observe(&edge);
        let watching = SendWrapper::new((observer, grow));
        on_cleanup(move || watching.0.disconnect());
    });
    window
}

fn edge_of(entries: &js_sys::Array) -> web_sys::Element {
    entries
        .get(0)
        .unchecked_into::<IntersectionObserverEntry>()
        .target()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_window_holds_the_rows_that_must_be_there() {
        assert_eq!(first_window(1000, 0), WINDOW_STEP);
        assert_eq!(first_window(1000, WINDOW_STEP), WINDOW_STEP);
        assert_eq!(first_window(1000, WINDOW_STEP + 1), 2 * WINDOW_STEP);
        assert_eq!(first_window(1000, 999), 1000);
        assert_eq!(first_window(12, 0), 12);
        assert_eq!(first_window(0, 0), 0);
    }
}
