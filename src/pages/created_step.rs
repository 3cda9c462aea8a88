//! Step two of Create: the new password, once, and what to do with it
//! (Copy, read it out, "Set up a device", Done), kept from being lost by
//! mistake.

use leptos::html;
use leptos::prelude::*;

use crate::api::CreatedAppPassword;
use crate::calls::use_calls;
use crate::components::{
    focus_first_of, ClipboardHolder, CopyButton, DisclosureButton, COPY_BUTTON_ID,
};
use crate::config::{Config, Services};
use crate::drafts::{self, Draft};
use crate::i18n::{keys, use_i18n};
use crate::pages::device_setup::{DeviceSetup, SETUP_PASSWORD_COPY_ID};
use crate::pages::password_guard::LeaveGuard;
use crate::session::use_session;
use crate::write::Write;

/// Step two: the password, once, and what to do with it. It is lost only
/// on purpose: until some of it was taken (copied, read out, selected, or
/// saved in Apple's profile), Done and Back ask first, and reloading or
/// leaving the page makes the browser ask.
#[component]
pub fn CreatedStep(
    created: CreatedAppPassword,
    on_done: Callback<()>,
    /// Whether it was asked to open some services only and the backend,
    /// which does not know services, made it open every one.
    #[prop(optional)]
    scope_ignored: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_context::<Config>().unwrap_or_default();
    let holding = Holding::new();
    let take = Callback::new(move |()| holding.taken.set(true));
    let asking = RwSignal::new(false);
    let guard = LeaveGuard::new(Callback::new(move |guard: LeaveGuard| {
        if holding.has_it() {
            on_done.run(());
        } else {
            guard.arm();
            asking.set(true);
        }
    }));
    let close = Callback::new(move |()| {
        guard.release();
        on_done.run(());
    });
    let (id, name) = (created.item.id.clone(), created.item.name.clone());
    let owed = StoredValue::new(Draft::NeverCopied { id, name });
    let owed = move || holding.never_had_it().then(|| owed.get_value());
    recheck_session(owed);
    owe_on_leaving(owed);
    let password = created.password.clone();
    let show_setup = RwSignal::new(false);
    // Set-up shows only what this password opens: a value that would be
    // refused is a dead end.
    let services = config
        .services()
        .map(|services| services.narrowed(created.item.services.as_deref()))
        .filter(Services::any);
    let copy_area = NodeRef::<html::Div>::new();
    // Focus on Copy, the next thing to do; Done needs a deliberate press.
    copy_area.on_load(|_| {
        focus_first_of([COPY_BUTTON_ID]);
    });
    let (for_before, for_after) = i18n.around(keys::CREATED_FOR, "name");
    view! {
        <h2 id="create-title">{i18n.t(keys::CREATED_TITLE)}</h2>
        <p>{for_before}<strong class="created-name" dir="auto">{created.item.name.clone()}</strong>{for_after}</p>
        <PasswordText password=password.clone() on_taken=take />
        {created.login.clone().map(|login| {
            let (before, after) = i18n.around(keys::CREATED_LOGIN, "login");
            view! { <p class="muted">{before}<strong class="created-login" dir="auto">{login}</strong>{after}</p> }
        })}
        <p id="next-step">
            {i18n.t(keys::CREATED_NEXT_STEP)}
            {config.help_url.map(|url| view! {
                " "<a href=url id="learn-more" target="_blank" rel="noopener">{i18n.t(keys::CREATED_LEARN_MORE)}</a>
            })}
        </p>
        <p class="notice notice-warning">{i18n.t(keys::CREATED_WARNING)}</p>
        {scope_ignored.then(|| view! { <p class="notice notice-info" id="scope-ignored">{i18n.t(keys::SCOPE_IGNORED)}</p> })}
        <div class="created-actions" node_ref=copy_area>
            <CopyButton text=Signal::stored(password) select_on_refusal="new-password" />
            {services.is_some().then(|| view! {
                <DisclosureButton
                    id="setup-device"
                    controls="device-setup"
                    shown=show_setup
                    class="button"
                    label=i18n.t(keys::SETUP_BUTTON)
                />
            })}
        </div>
        <SpellOut password=created.password.clone() on_taken=take />
        <div id="device-setup" hidden=move || !show_setup.get()>
            {services.map(|services| view! { <DeviceSetup created=created.clone() services=services on_saved=take /> })}
        </div>
        <DoneOrQuestion holding=holding asking=asking on_close=close />
    }
}

/// The Copy buttons whose text is the password: the step's own and the
/// set-up table's.
const PASSWORD_COPIES: [&str; 2] = [COPY_BUTTON_ID, SETUP_PASSWORD_COPY_ID];

/// Whether the user has the password in hand: taken for good (read out,
/// selected, or saved in Apple's profile), or in the clipboard now. A copy
/// counts only while the clipboard holds it: copying a server name after
/// it replaces it there, perhaps before it was pasted.
#[derive(Clone, Copy)]
struct Holding {
    taken: RwSignal<bool>,
    clipboard: ClipboardHolder,
}

impl Holding {
    fn new() -> Self {
        Self {
            taken: RwSignal::new(false),
            clipboard: ClipboardHolder::provide(),
        }
    }

    fn has_it(&self) -> bool {
        untrack(|| self.taken.get() || self.clipboard.holds_one_of(&PASSWORD_COPIES))
    }

    /// Nothing of it was ever taken: nobody has it.
    fn never_had_it(&self) -> bool {
        untrack(|| !self.taken.get() && !self.clipboard.ever_held_one_of(&PASSWORD_COPIES))
    }

    /// What Done asks when the user may not have it.
    fn question(&self) -> &'static str {
        if untrack(|| self.clipboard.ever_held_one_of(&PASSWORD_COPIES)) {
            keys::CREATED_COPIED_OVER
        } else {
            keys::CREATED_NOT_TAKEN
        }
    }
}

/// Done; in its place, while `asking`, the question Done (or Back) asks
/// when the user may not have the password ([`Holding`]).
#[component]
fn DoneOrQuestion(
    holding: Holding,
    asking: RwSignal<bool>,
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="button"
                        id="done"
                        on:keydown=ignore_held_enter
                        on:click=move |_| if holding.has_it() { on_close.run(()) } else { asking.set(true) }
                    >
                        {i18n.t(keys::CREATED_DONE)}
                    </button>
                </div>
            }
        >
            <CloseQuestion asking=asking question=holding.question() on_close=on_close />
        </Show>
    }
}

/// An Enter held down since an earlier button must not press the one that
/// takes the focus next (Next, then Done; Done, then the question).
fn ignore_held_enter(ev: leptos::ev::KeyboardEvent) {
    if ev.repeat() {
        ev.prevent_default();
    }
}

/// The password, big, in its groups; a line breaks only after a group
/// (`<wbr>`), never inside one. The user's own selection (a click or a
/// touch, `user-select: all`) or a copy counts as taking it; the selection
/// Copy makes when the browser refuses does not, as nothing is copied yet.
#[component]
fn PasswordText(password: String, on_taken: Callback<()>) -> impl IntoView {
    let groups = password_groups(&password);
    // `selectstart` would fire for Copy's own selection too; the end of a
    // press with text selected is the user's alone.
    let selected_by_user = move |_| {
        let selected = window()
            .get_selection()
            .ok()
            .flatten()
            .is_some_and(|selection| !selection.is_collapsed());
        if selected {
            on_taken.run(());
        }
    };
    view! {
        <p
            class="password"
            id="new-password"
            // Named by the step's heading, "Your new app password": a
            // screen reader says what the characters are.
            role="group"
            aria-labelledby="create-title"
            translate="no"
            dir="ltr"
            on:pointerup=selected_by_user
            on:copy=move |_| on_taken.run(())
        >
            {groups.into_iter().map(|group| view! { {group}<wbr /> }).collect_view()}
        </p>
    }
}

/// "Read it out character by character": the password group by group,
/// announced as it appears. Opening it counts as taking the password.
#[component]
fn SpellOut(password: String, on_taken: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let spelled = spell_out(&password);
    view! {
        <DisclosureButton
            id="spell-password"
            controls="spelled-password"
            shown=shown
            class="button button-link"
            label=i18n.t(keys::CREATED_SPELL)
            on_toggle=on_taken
        />
        // Announced as it appears: one group a line, one character at a time.
        <div id="spelled-password" aria-live="polite">
            <Show when=move || shown.get()>
                <p class="spelled-intro">{i18n.t(keys::CREATED_SPELLED)}</p>
                <ol class="spelled" dir="ltr" translate="no">
                    {spelled.iter().map(|group| view! { <li>{group.clone()}</li> }).collect_view()}
                </ol>
            </Show>
        </div>
    }
}

/// "You haven't copied it. Close anyway?" (the `question` key), in place of
/// Done, with the safe choice focused; keeping it open goes back to Copy.
#[component]
fn CloseQuestion(
    asking: RwSignal<bool>,
    question: &'static str,
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let keep = NodeRef::<html::Button>::new();
    keep.on_load(|keep| {
        let _ = keep.focus();
        // The whole question in view, not just its button: on a short
        // window the dialog scrolls, and the sentence sat below its edge.
        if let Some(question) = keep.closest(".close-question").ok().flatten() {
            question.scroll_into_view_with_bool(false);
        }
    });
    view! {
        <div class="notice notice-warning close-question" role="alert">
            <p id="close-question">{i18n.t(question)}</p>
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button button-primary"
                    id="keep-open"
                    node_ref=keep
                    on:keydown=ignore_held_enter
                    on:click=move |_| {
                        asking.set(false);
                        focus_first_of([COPY_BUTTON_ID]);
                    }
                >
                    {i18n.t(keys::CREATED_KEEP_OPEN)}
                </button>
                <button
                    type="button"
                    class="button"
                    id="close-anyway"
                    on:keydown=ignore_held_enter
                    on:click=move |_| on_close.run(())
                >
                    {i18n.t(keys::CREATED_CLOSE_ANYWAY)}
                </button>
            </div>
        </div>
    }
}

/// The password's groups as it is shown: each up to and with its hyphen,
/// or of four characters when it has none.
pub(crate) fn password_groups(password: &str) -> Vec<String> {
    let by_hyphen = password.contains('-');
    let (mut groups, mut group) = (Vec::new(), String::new());
    for c in password.chars() {
        group.push(c);
        if c == '-' || (!by_hyphen && group.len() >= 4) {
            groups.push(std::mem::take(&mut group));
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

/// The password's groups, each with its characters apart, so a screen
/// reader reads one character at a time.
fn spell_out(password: &str) -> Vec<String> {
    password_groups(password)
        .iter()
        .map(|group| {
            let characters: Vec<String> = group
                .chars()
                .filter(|c| *c != '-')
                .map(String::from)
                .collect();
            characters.join(" ")
        })
        .filter(|spelled| !spelled.is_empty())
        .collect()
}

/// Reloading or leaving the page while it shows (after the browser's own
/// question): `owed`, the warning for a password nobody has, waits for the
/// user's return to the tab, as when the session ends.
fn owe_on_leaving(owed: impl Fn() -> Option<Draft> + Send + Sync + 'static) {
    let session = use_session().session;
    let listener = window_event_listener_untyped("pagehide", move |_| {
        if let (Some(draft), Some(signed_in)) = (owed(), session.get_untracked()) {
            drafts::keep(&signed_in.user.login, draft);
        }
    });
    on_cleanup(move || listener.remove());
}

/// Back at the tab while the password shows: if the session ended
/// meanwhile, sign-in takes over and the password leaves the page, with
/// `owed` (a warning for the user's return when none of it was taken).
fn recheck_session(owed: impl Fn() -> Option<Draft> + 'static) {
    let calls = use_calls();
    let recheck = Write::new(move |(): &()| {
        let (calls, owed) = (calls.clone(), owed());
        async move {
            if let Err(error) = calls.api().session().await {
                // Still signed in, only unreachable: nothing to say while
                // the password shows.
                let _ = calls.failed(error, owed);
            }
        }
    });
    for event in ["focus", "visibilitychange"] {
        let listener = window_event_listener_untyped(event, move |_| {
            let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
            if visible && !recheck.pending().get_untracked() {
                recheck.start(());
            }
        });
        on_cleanup(move || listener.remove());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_spelled_group_by_group() {
        assert_eq!(spell_out("ab2cd-efg3h"), ["a b 2 c d", "e f g 3 h"]);
        assert_eq!(spell_out("abcdefghij"), ["a b c d", "e f g h", "i j"]);
    }

    #[test]
    fn passwords_are_shown_in_groups_that_add_up_to_the_password() {
        assert_eq!(password_groups("ab2cd-efg3h"), ["ab2cd-", "efg3h"]);
        assert_eq!(password_groups("abcdefghij"), ["abcd", "efgh", "ij"]);
        for password in ["ab2cd-efg3h-5xyz9", "abcdefghij"] {
            assert_eq!(password_groups(password).concat(), password);
        }
    }
}
