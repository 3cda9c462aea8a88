//! A read from the backend and its latest answer: leptos's `LocalResource`
//! shown through a `Transition`, without their per-type cost.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

/// What asks for the answer once more.
type Fetcher<T> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = T>>>>;

/// A read a screen shows (the session check, the list, the security info):
/// `None` until the first answer, then the latest answer, which stays in
/// place while [`Fetch::refetch`] asks again, as a `Transition` keeps what
/// it shows. Not a `LocalResource`: with the `Transition` around each, the
/// app's three resources compiled their async machinery (an
/// `AsyncDerived`, its `Send` wrappers and the suspense it registers with)
/// once per answer type: 10.7 KB of brotli for the three (docs/performance.md,
/// "Where the bytes are"). The reads here refetch only when asked, never
/// because a signal they read changed.
pub struct Fetch<T: 'static> {
    answer: RwSignal<Option<T>>,
    // Local: a read's future holds the API client, which is not `Send`.
    fetch: StoredValue<Fetcher<T>, LocalStorage>,
    // Which request is the latest: an older answer landing after a newer
    // one is dropped.
    asked: StoredValue<u32>,
}

impl<T: 'static> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Fetch<T> {}

impl<T: Clone + Send + Sync + 'static> Fetch<T> {
    /// Asks at once with `fetch`, and again with it on each refetch.
    pub fn new<F>(fetch: impl Fn() -> F + 'static) -> Self
    where
        F: Future<Output = T> + 'static,
    {
        let fetch: Fetcher<T> = Box::new(move || Box::pin(fetch()));
        let read = Self {
            answer: RwSignal::new(None),
            fetch: StoredValue::new_local(fetch),
            asked: StoredValue::new(0),
        };
        read.refetch();
        read
    }

    /// The latest answer (tracked).
    pub fn get(self) -> Option<T> {
        self.answer.get()
    }

    /// Runs `f` on the latest answer without cloning it (tracked).
    pub fn with<U>(self, f: impl FnOnce(&Option<T>) -> U) -> U {
        self.answer.with(f)
    }

    /// Asks again; what is shown stays until the answer comes.
    pub fn refetch(self) {
        let Some(asking) = self.fetch.try_with_value(|fetch| fetch()) else {
            return;
        };
        let asked = self.asked.try_update_value(|asked| {
            *asked = asked.wrapping_add(1);
            *asked
        });
        leptos::task::spawn_local(async move {
            let answer = asking.await;
            if asked.is_some() && self.asked.try_get_value() == asked {
                self.answer.try_set(Some(answer));
            }
        });
    }
}
