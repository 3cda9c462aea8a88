//! The last second-factor code that signed in here. The backend refuses
//! a code used once (TOTP replay) with the `invalid-code` of a wrong one;
//! the same code again within its time step is a code reused, and the way
//! out is the next code, not a check of the digits.

use std::cell::RefCell;

/// How long a code stays the app's current one, with the step of
/// clock skew the backend allows either side.
const REUSED_WITHIN_MS: f64 = 90_000.0;

thread_local! {
    static LAST: RefCell<Option<(String, f64)>> = const { RefCell::new(None) };
}

/// Notes that `code` signed in just now.
pub fn remember(code: &str) {
    LAST.set(Some((code.to_owned(), js_sys::Date::now())));
}

/// Whether `code` signed in here within its time step.
pub fn is_recent(code: &str) -> bool {
    LAST.with_borrow(|last| {
        last.as_ref()
            .is_some_and(|(used, at)| used == code && js_sys::Date::now() - at < REUSED_WITHIN_MS)
    })
}
