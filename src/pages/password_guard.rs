//! Keeps a password on screen from being lost by leaving the page: while it
//! shows, Back lands on an entry of the page's own history (same address,
//! no state) instead of leaving, and leaving or reloading makes the browser
//! ask first.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The guard of the component that made it, for as long as that component
/// lives. [`LeaveGuard::release`] before closing on purpose.
#[derive(Clone, Copy)]
pub struct LeaveGuard {
    /// Whether the page's own history entry is the current one.
    armed: StoredValue<bool>,
}

impl LeaveGuard {
    /// Guards the page from now on: Back calls `on_back` (with the guard,
    /// which Back has used up: [`LeaveGuard::arm`] it again to keep
    /// guarding) and stays on the page.
    pub fn new(on_back: Callback<LeaveGuard>) -> Self {
        let guard = Self {
            armed: StoredValue::new(false),
        };
        guard.arm();
        let on_popstate = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if guard.armed.try_get_value() == Some(true) {
                guard.armed.set_value(false);
                // The address is the one already shown: the router must not
                // take this for a navigation.
                ev.stop_immediate_propagation();
                on_back.run(guard);
            }
        });
        let popstate = SendWrapper::new(on_popstate);
        // Capturing on the window, so this runs before the router's own
        // listener there.
        let listen = move |add: bool| {
            let window = window();
            let listener = (*popstate).as_ref().unchecked_ref::<js_sys::Function>();
            let _ = if add {
                window.add_event_listener_with_callback_and_bool("popstate", listener, true)
            } else {
                window.remove_event_listener_with_callback_and_bool("popstate", listener, true)
            };
        };
        listen(true);
        // The browser's own question, on reload, on closing the tab, or on
        // going to another page.
        let unload = window_event_listener_untyped("beforeunload", |ev| ev.prevent_default());
        on_cleanup(move || {
            listen(false);
            unload.remove();
        });
        guard
    }

    /// Adds the page's own entry to the history, for Back to land on.
    pub fn arm(&self) {
        let pushed = window()
            .history()
            .and_then(|history| history.push_state(&JsValue::NULL, ""));
        self.armed.set_value(pushed.is_ok());
    }

    /// Takes the page's own entry back out of the history, if Back has not
    /// used it up, so that the next Back goes where the user expects.
    pub fn release(&self) {
        if self.armed.try_get_value() == Some(true) {
            self.armed.set_value(false);
            let _ = window().history().and_then(|history| history.back());
        }
    }
}
