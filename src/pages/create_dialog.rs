//! The Create dialog: step one asks for a name, step two shows the new
//! password once, with Copy, "Set up a device" and Done, and keeps it from
//! being lost by mistake.

use contract::check_name;
use leptos::html;
use leptos::prelude::*;

use crate::api::{
    new_idempotency_key, use_api, ApiError, CreatedAppPassword, ExpiryPolicy, NewAppPassword,
    ProblemKind,
};
use crate::components::{
    focus_first_of, name_problem_message, CopyButton, Dialog, DisclosureButton, ErrorLine,
    ExpiryField, ExpiryInput, NameField, COPY_BUTTON_ID,
};
use crate::config::Config;
use crate::drafts::{CreateDraft, Draft};
use crate::expiry;
use crate::host::{use_host, HostEvent};
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::device_setup::DeviceSetup;
use crate::pages::password_guard::LeaveGuard;
use crate::session::{use_session, use_session_end};

/// Creates an app password. `on_close` runs after Done or Cancel; the
/// password leaves the page with the dialog.
#[component]
pub fn CreateDialog(
    /// Called when the dialog closes; `true` when a password was created.
    on_close: Callback<bool>,
    /// Called when the list behind may be out of date (the limit turned
    /// out to be reached).
    on_list_stale: Callback<()>,
    /// A create that was interrupted when the session ended, to send again
    /// as it was.
    draft: Option<CreateDraft>,
    /// When the backend lets the user choose an expiry, its rules.
    #[prop(optional_no_strip)]
    expiry: Option<ExpiryPolicy>,
) -> impl IntoView {
    let i18n = use_i18n();
    let restored = draft.is_some();
    let form = NameForm::new(
        draft.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
        expiry,
    );
    // The create last sent, with the form as it was then. Sent again under
    // its key, a retry after a lost response gets the same password back
    // instead of making a second.
    let sent = StoredValue::new(draft.map(|draft| (draft, form.expiry_as_typed())));
    let create = create_action(form, on_list_stale);
    let created = move || create.value().get().flatten();
    // The password must not outlive the dialog, however it closes (Done,
    // the Back button, an ended session).
    on_cleanup(move || {
        create.value().try_set(None);
    });
    recheck_session_while_shown(Signal::derive(move || created().is_some()));
    let send = Callback::new(move |()| {
        // Double clicks and a held-down Enter send one create.
        if !create.pending().get_untracked() {
            if let Some(request) = form.request(sent, i18n) {
                create.dispatch(request);
            }
        }
    });
    let close = move |made: bool| {
        // Forget the password before the dialog goes.
        create.value().set(None);
        on_close.run(made);
    };
    // The password step must be left on purpose, with Done.
    let on_escape = Signal::derive(move || {
        created()
            .is_none()
            .then(|| Callback::new(move |()| close(false)))
    });
    view! {
        <Dialog labelled_by="create-title" on_escape=on_escape>
            <Show
                when=move || created().is_some()
                fallback=move || view! {
                    <NameStep
                        form=form
                        restored=restored
                        busy=create.pending().into()
                        on_next=send
                        on_cancel=Callback::new(move |()| close(false))
                    />
                }
            >
                {move || created().map(|created| view! { <CreatedStep created=created on_done=Callback::new(move |()| close(true)) /> })}
            </Show>
        </Dialog>
    }
}

/// What step one holds: the name as typed, and what is wrong with it or
/// with the last try.
#[derive(Clone, Copy)]
struct NameForm {
    name: RwSignal<String>,
    name_error: RwSignal<Option<String>>,
    message: RwSignal<Option<String>>,
    /// When the backend lets the user choose one: the rules and the choice.
    expiry: Option<(ExpiryPolicy, ExpiryInput)>,
}

/// A create sent, with the expiry choice and day as the form held them.
type Sent = Option<(CreateDraft, (String, String))>;

impl NameForm {
    fn new(name: String, expiry: Option<ExpiryPolicy>) -> Self {
        Self {
            name: RwSignal::new(name),
            name_error: RwSignal::new(None),
            message: RwSignal::new(None),
            expiry: expiry.map(|policy| (policy, ExpiryInput::new(&policy))),
        }
    }

    /// The expiry choice and day as they are in the form.
    fn expiry_as_typed(&self) -> (String, String) {
        self.expiry.map_or_else(Default::default, |(_, input)| {
            (input.choice.get_untracked(), input.date.get_untracked())
        })
    }

    /// The create to send for the form as it is: the `sent` one again (its
    /// key, its expiry) when nothing changed, else a new one; `None`, with
    /// the reason shown, when the name or the day is not usable.
    fn request(&self, sent: StoredValue<Sent>, i18n: I18n) -> Option<CreateDraft> {
        let name = match check_name(&self.name.get_untracked()) {
            Ok(name) => name,
            Err(problem) => {
                self.name_error
                    .set(Some(name_problem_message(problem, i18n)));
                return None;
            }
        };
        self.name_error.set(None);
        self.message.set(None);
        let typed = self.expiry_as_typed();
        if let Some((last, form)) = sent.get_value() {
            if last.name == name && form == typed {
                return Some(last);
            }
        }
        let request = CreateDraft {
            name,
            expires_at: self.expires_at(i18n)?,
            idempotency_key: new_idempotency_key(),
        };
        sent.set_value(Some((request.clone(), typed)));
        Some(request)
    }

    /// The `expires_at` the expiry field asks for; `None` (with the reason
    /// shown) when its day is not one.
    fn expires_at(&self, i18n: I18n) -> Option<Option<String>> {
        let Some((_, input)) = self.expiry else {
            return Some(None);
        };
        let choice = input.chosen()?;
        match expiry::expires_at(choice, &input.date.get_untracked(), expiry::now()) {
            Ok(at) => {
                input.error.set(None);
                Some(at)
            }
            Err(expiry::NotADay) => {
                input.error.set(Some(i18n.t(keys::EXPIRY_BAD_DATE)));
                None
            }
        }
    }

    /// Shows a failed create where the user will look: next to the name
    /// when the backend says what is wrong with it, otherwise above it,
    /// with the way forward. The name stays as typed.
    fn show_error(&self, error: &ApiError, i18n: I18n) {
        let expiry_error = error.field_error("/expires_at");
        match (error.field_error("/name"), self.expiry) {
            (Some(detail), _) if error.kind() == ProblemKind::ValidationFailed => {
                self.name_error.set(Some(detail))
            }
            (None, Some((_, input))) if expiry_error.is_some() => input.error.set(expiry_error),
            _ if error.is_worth_retrying() => self.message.set(Some(
                i18n.t_with(keys::CREATE_RETRY_HINT, &[("error", &error.message(&i18n))]),
            )),
            _ => self.message.set(Some(error.message(&i18n))),
        }
    }
}

/// The create request, its result handled here: the new password, or
/// `None` with the failure shown on `form` (or sign-in taking over).
fn create_action(
    form: NameForm,
    on_list_stale: Callback<()>,
) -> Action<CreateDraft, Option<CreatedAppPassword>> {
    let (api, host, session, session_end, i18n) = (
        use_api(),
        use_host(),
        use_session(),
        use_session_end(),
        use_i18n(),
    );
    Action::new_local(move |request: &CreateDraft| {
        let (api, host, session_end, request) = (
            api.clone(),
            host.clone(),
            session_end.clone(),
            request.clone(),
        );
        async move {
            let error = match api
                .create_app_password(
                    &NewAppPassword {
                        name: request.name.clone(),
                        expires_at: request.expires_at.clone(),
                    },
                    &request.idempotency_key,
                )
                .await
            {
                Ok(created) => {
                    // The host hears the id and name, never the password.
                    host.tell(HostEvent::Created {
                        id: created.item.id.clone(),
                        name: created.item.name.clone(),
                    });
                    return Some(created);
                }
                Err(error) => session_end(error, Some(Draft::Create(request)))?,
            };
            match error.kind() {
                ProblemKind::LimitReached => {
                    on_list_stale.try_run(());
                }
                ProblemKind::AppPasswordsDisabled => session.session.update(|session| {
                    if let Some(session) = session {
                        session.app_passwords_enabled = Some(false);
                    }
                }),
                _ => {}
            }
            form.show_error(&error, i18n);
            None
        }
    })
}

/// Back at the tab while the password shows: if the session ended
/// meanwhile, sign-in takes over and the password leaves the page.
fn recheck_session_while_shown(shown: Signal<bool>) {
    let api = use_api();
    let session_end = use_session_end();
    let recheck = Action::new_local(move |(): &()| {
        let (api, session_end) = (api.clone(), session_end.clone());
        async move {
            if let Err(error) = api.session().await {
                // Still signed in, only unreachable: nothing to say while
                // the password shows.
                let _ = session_end(error, None);
            }
        }
    });
    for event in ["focus", "visibilitychange"] {
        let listener = window_event_listener_untyped(event, move |_| {
            let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
            if visible && shown.get_untracked() && !recheck.pending().get_untracked() {
                recheck.dispatch(());
            }
        });
        on_cleanup(move || listener.remove());
    }
}

/// Step one: the name, with Next and Cancel.
#[component]
fn NameStep(
    form: NameForm,
    /// Whether the name came back from an interrupted create.
    restored: bool,
    /// While the create is under way.
    busy: Signal<bool>,
    on_next: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let input = NodeRef::<html::Input>::new();
    input.on_load(|input| {
        let _ = input.focus();
    });
    view! {
        <form on:submit=move |ev| { ev.prevent_default(); on_next.run(()); } novalidate>
            <h2 id="create-title">{i18n.t(keys::CREATE_TITLE)}</h2>
            {restored.then(|| view! {
                <p class="notice notice-info" id="create-restored">
                    {i18n.t(keys::CREATE_RESTORED)}
                </p>
            })}
            <ErrorLine message=form.message />
            <NameField id="app-password-name" value=form.name error=form.name_error node_ref=input />
            {form.expiry.map(|(policy, input)| view! { <ExpiryField policy=policy input=input /> })}
            <div class="dialog-actions">
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || form.name.read().trim().is_empty() || busy.get()
                >
                    {move || if busy.get() { i18n.t(keys::CREATE_BUSY) } else { i18n.t(keys::CREATE_NEXT) }}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {i18n.t(keys::COMMON_CANCEL)}
                </button>
            </div>
        </form>
    }
}

/// Step two: the password, once, and what to do with it. It is lost only
/// on purpose: until some of it was taken (copied, read out, selected, or
/// saved in Apple's profile), Done and Back ask first, and reloading or
/// leaving the page makes the browser ask.
#[component]
fn CreatedStep(created: CreatedAppPassword, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_context::<Config>().unwrap_or_default();
    let taken = RwSignal::new(false);
    let take = Callback::new(move |()| taken.set(true));
    let asking = RwSignal::new(false);
    let guard = LeaveGuard::new(Callback::new(move |guard: LeaveGuard| {
        if taken.get_untracked() {
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
    let password = created.password.clone();
    let show_setup = RwSignal::new(false);
    let services = config.services();
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
        <div class="created-actions" node_ref=copy_area>
            <CopyButton text=Signal::stored(password) select_on_refusal="new-password" on_copy=take />
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
        <DoneOrQuestion taken=taken asking=asking on_close=close />
    }
}

/// Done; in its place, while `asking`, the question Done (or Back) asks
/// when nothing of the password was `taken`.
#[component]
fn DoneOrQuestion(
    taken: RwSignal<bool>,
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
                        on:click=move |_| if taken.get_untracked() { on_close.run(()) } else { asking.set(true) }
                    >
                        {i18n.t(keys::CREATED_DONE)}
                    </button>
                </div>
            }
        >
            <CloseQuestion asking=asking on_close=on_close />
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
/// (`<wbr>`), never inside one. Selecting or copying it counts as taking it.
#[component]
fn PasswordText(password: String, on_taken: Callback<()>) -> impl IntoView {
    let groups = password_groups(&password);
    view! {
        <p
            class="password"
            id="new-password"
            translate="no"
            dir="ltr"
            on:selectstart=move |_| on_taken.run(())
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

/// "You haven't copied it. Close anyway?", in place of Done, with the safe
/// choice focused; keeping it open goes back to Copy.
#[component]
fn CloseQuestion(asking: RwSignal<bool>, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let keep = NodeRef::<html::Button>::new();
    keep.on_load(|keep| {
        let _ = keep.focus();
    });
    view! {
        <div class="notice notice-warning close-question" role="alert">
            <p id="close-question">{i18n.t(keys::CREATED_NOT_TAKEN)}</p>
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
fn password_groups(password: &str) -> Vec<String> {
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
