//! A write (a request to the backend, or a copy to the clipboard) and
//! whether it is under way: leptos's `Action`, without its per-type cost.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

/// The future of one write.
type Running = Pin<Box<dyn Future<Output = ()>>>;

/// What makes a write's future from its input.
type Runner<I> = Box<dyn Fn(&I) -> Running>;

/// A write the user starts (Save, Create, Copy, Sign out) and whether it is
/// under way, which is what its button is disabled by. Used as leptos's
/// `Action::new_local` is, with the result handled in the future itself,
/// where the write is made. Not an `Action`: an `Action<I, O>` compiles its
/// machinery (signals for its input, value and version, its own task) once
/// per input and output type, and the app's nine of them cost the download
/// 6.6 KB of brotli (docs/performance.md, "Where the bytes are"); here
/// only the boxing of each future is per write.
pub struct Write<I: 'static> {
    pending: RwSignal<bool>,
    // Made once: each conversion of the `RwSignal` would be a new signal
    // in the arena, kept until the screen goes.
    shown: Signal<bool>,
    // Local: a write's future holds the API client, which is not `Send`.
    run: StoredValue<Runner<I>, LocalStorage>,
}

impl<I: 'static> Clone for Write<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static> Copy for Write<I> {}

impl<I: 'static> Write<I> {
    /// A write that `run` makes the future of, for each input.
    pub fn new<F>(run: impl Fn(&I) -> F + 'static) -> Self
    where
        F: Future<Output = ()> + 'static,
    {
        let run: Runner<I> = Box::new(move |input| Box::pin(run(input)));
        let pending = RwSignal::new(false);
        Self {
            pending,
            shown: pending.into(),
            run: StoredValue::new_local(run),
        }
    }

    /// Whether a write is under way (tracked).
    pub fn pending(self) -> Signal<bool> {
        self.shown
    }

    /// Starts the write of `input`, unless one is under way: double clicks
    /// and a held-down Enter send one request.
    pub fn start(self, input: I) {
        if self.pending.get_untracked() {
            return;
        }
        if let Some(running) = self.run.try_with_value(|run| run(&input)) {
            spawn(self.pending, running);
        }
    }
}

// Not generic, so that the task and its bookkeeping compile once.
fn spawn(pending: RwSignal<bool>, running: Running) {
    pending.set(true);
    leptos::task::spawn_local(async move {
        running.await;
        // The screen may have gone meanwhile (a dialog closed).
        pending.try_set(false);
    });
}
