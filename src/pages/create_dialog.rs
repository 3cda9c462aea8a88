//! The Create dialog: step one asks for a name (and an expiry, when the
//! backend offers one, and what it opens, when the operator lists
//! services) and sends the create; step two
//! ([`CreatedStep`]) shows the new password once.

use contract::check_name;
use leptos::html;
use leptos::prelude::*;

use crate::api::{
    new_idempotency_key, ApiError, AppPassword, CreatedAppPassword, ExpiryPolicy, NewAppPassword,
    ProblemKind,
};
use crate::calls::{use_calls, Failed};
use crate::components::{
    name_problem_message, Dialog, ErrorLine, ExpiryField, ExpiryInput, NameField, ScopeField,
};
use crate::config::{use_config, Scope};
use crate::drafts::{CreateDraft, Draft};
use crate::expiry;
use crate::host::HostEvent;
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::created_step::CreatedStep;
use crate::pages::same_name::SameNameNote;
use crate::session::use_session;
use crate::write::Write;

/// Creates an app password. `on_close` runs after Done or Cancel; the
/// password leaves the page with the dialog.
#[component]
pub fn CreateDialog(
    /// Called when the dialog closes, with the new app password's id when
    /// one was created.
    on_close: Callback<Option<String>>,
    /// Called when the list behind may be out of date (the limit turned
    /// out to be reached).
    on_list_stale: Callback<()>,
    /// Empty, a create an ended session interrupted (to send again as it
    /// was), or a name to start from.
    start: Start,
    /// When the backend lets the user choose an expiry, its rules.
    #[prop(optional_no_strip)]
    expiry: Option<ExpiryPolicy>,
    /// The app passwords there are, whose names a new one should not repeat.
    #[prop(optional)]
    others: Vec<AppPassword>,
) -> impl IntoView {
    let others = StoredValue::new(others);
    let i18n = use_i18n();
    let restored = matches!(start, Start::Restored(_));
    let form = NameForm::new(&start, expiry);
    // The create last sent, with the form as it was then. Sent again under
    // its key, a retry after a lost response gets the same password back
    // instead of making a second.
    let sent = StoredValue::new(start.into_draft());
    let made = RwSignal::new(None);
    let create = create_action(made, form, on_list_stale);
    let created = move || made.get();
    // The password must not outlive the dialog, however it closes (Done,
    // the Back button, an ended session).
    on_cleanup(move || {
        made.try_set(None);
    });
    let send = Callback::new(move |()| {
        // Double clicks and a held-down Enter send one create.
        if !create.pending().get_untracked() {
            if let Some(request) = form.request(sent, i18n) {
                create.start(request);
            }
        }
    });
    let close = move |named: Option<String>| {
        // Forget the password before the dialog goes.
        made.set(None);
        on_close.run(named);
    };
    // The password step must be left on purpose, with Done.
    let on_escape = Signal::derive(move || {
        created()
            .is_none()
            .then(|| Callback::new(move |()| close(None)))
    });
    view! {
        <Dialog labelled_by="create-title" on_escape=on_escape>
            <Show
                when=move || created().is_some()
                fallback=move || view! {
                    <NameStep
                        form=form
                        others=others
                        restored=restored
                        busy=create.pending()
                        on_next=send
                        on_cancel=Callback::new(move |()| close(None))
                    />
                }
            >
                {move || created().map(|created| {
                    let id = created.item.id.clone();
                    // A backend that does not know services ignores them.
                    let asked = sent.with_value(|sent| sent.as_ref().is_some_and(|d| d.services.is_some()));
                    let scope_ignored = asked && created.item.services.is_none();
                    let on_done = Callback::new(move |()| close(Some(id.clone())));
                    view! { <CreatedStep created=created on_done=on_done scope_ignored=scope_ignored /> }
                })}
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
    /// What it opens; every service unless the user chooses.
    scope: RwSignal<Scope>,
}

/// How the Create dialog starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Start {
    /// Empty.
    #[default]
    Empty,
    /// As an ended session left it: the create to send again.
    Restored(CreateDraft),
    /// Like this one, which it replaces (one whose password nobody has):
    /// its name, its expiry's lifetime, and what it opens.
    Like(AppPassword),
}

impl Start {
    /// The create already sent, if any.
    fn into_draft(self) -> Option<CreateDraft> {
        match self {
            Self::Restored(draft) => Some(draft),
            _ => None,
        }
    }
}

/// The create last sent.
type Sent = Option<CreateDraft>;

impl NameForm {
    /// The form as `start` says.
    fn new(start: &Start, expiry: Option<ExpiryPolicy>) -> Self {
        let expiry = expiry.map(|policy| (policy, ExpiryInput::new(&policy)));
        // The restored form shows the expiry it will send again.
        let (name, services, typed) = match start {
            Start::Empty => (String::new(), None, None),
            Start::Restored(draft) => (
                draft.name.clone(),
                draft.services.as_deref(),
                Some(draft.expiry_typed.clone()),
            ),
            Start::Like(item) => (
                item.name.clone(),
                item.services.as_deref(),
                expiry.and_then(|(policy, _)| expiry::choice_like(item, &policy)),
            ),
        };
        if let (Some((_, input)), Some((choice, date))) = (expiry, typed) {
            if !choice.is_empty() {
                input.choice.set(choice);
                input.date.set(date);
            }
        }
        let scope = Scope::of(services);
        Self {
            name: RwSignal::new(name),
            scope: RwSignal::new(scope.unwrap_or_default()),
            name_error: RwSignal::new(None),
            message: RwSignal::new(None),
            expiry,
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
        let services = self.scope.get_untracked().services();
        if let Some(last) = sent.get_value() {
            if last.name == name && last.services == services && last.expiry_typed == typed {
                return Some(last);
            }
        }
        let request = CreateDraft {
            name,
            expires_at: self.expires_at(i18n)?,
            expiry_typed: typed,
            services,
            idempotency_key: new_idempotency_key(),
        };
        sent.set_value(Some(request.clone()));
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

/// The create request, its result handled here: the new password in
/// `made`, or the failure shown on `form` (or sign-in taking over).
fn create_action(
    made: RwSignal<Option<CreatedAppPassword>>,
    form: NameForm,
    on_list_stale: Callback<()>,
) -> Write<CreateDraft> {
    let (calls, session, i18n) = (use_calls(), use_session(), use_i18n());
    Write::new(move |request: &CreateDraft| {
        let (calls, request) = (calls.clone(), request.clone());
        let sent = async move {
            let sent = calls
                .api()
                .create_app_password(
                    &NewAppPassword {
                        name: request.name.clone(),
                        expires_at: request.expires_at.clone(),
                        services: request.services.clone(),
                    },
                    &request.idempotency_key,
                )
                .await;
            let error = match sent {
                Ok(created) => {
                    // The host hears the id and name, never the password.
                    calls.tell(HostEvent::Created {
                        id: created.item.id.clone(),
                        name: created.item.name.clone(),
                    });
                    return Some(created);
                }
                Err(error) => match calls.failed(error, Some(Draft::Create(request))) {
                    Failed::Show(error) => error,
                    Failed::SignInTookOver => return None,
                },
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
        };
        async move {
            made.try_set(sent.await);
        }
    })
}

/// Step one: the name, with Next and Cancel.
#[component]
fn NameStep(
    form: NameForm,
    /// The names to warn about repeating.
    others: StoredValue<Vec<AppPassword>>,
    /// Whether the name came back from an interrupted create.
    restored: bool,
    /// While the create is under way.
    busy: Signal<bool>,
    on_next: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The choice only when the operator lists services.
    let offered = use_config().services().map(|services| services.scopes());
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
            <SameNameNote id="create-same-name" name=form.name others=others />
            {form.expiry.map(|(policy, input)| view! { <ExpiryField policy=policy input=input /> })}
            {offered.map(|offered| view! { <ScopeField offered=offered value=form.scope /> })}
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
