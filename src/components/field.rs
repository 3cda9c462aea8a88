//! Labelled text inputs with their hint and error, wired for screen
//! readers: any text, and the name of an app password.

use contract::{check_name, ExpiryPolicy, NameProblem, MAX_NAME_CHARS};
use leptos::html;
use leptos::prelude::*;

use crate::expiry::{self, ExpiryChoice};
use crate::i18n::{keys, use_i18n, I18n};

/// A text input bound to `value`, with a visible label, an optional hint and
/// an error message that screen readers hear with the field.
#[component]
pub fn TextField(
    /// Element id, also the base of the hint and error ids.
    id: &'static str,
    /// Visible label; also the field's accessible name.
    #[prop(into)]
    label: String,
    /// What the user typed; kept when a request fails.
    value: RwSignal<String>,
    /// The message to show under the field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// `type` of the input.
    #[prop(default = "text")]
    input_type: &'static str,
    /// `autocomplete` hint for password managers.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// `inputmode` hint for on-screen keyboards.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// Rules or help shown under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Reference to the input, for focusing it.
    #[prop(optional)]
    node_ref: Option<NodeRef<html::Input>>,
    /// The least value a date or number may take.
    #[prop(optional_no_strip)]
    min: Option<String>,
    /// The greatest value a date or number may take.
    #[prop(optional_no_strip)]
    max: Option<String>,
    /// Told of every change, after `value`.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
    /// Told of every key pressed in the input.
    #[prop(optional)]
    on_keydown: Option<Callback<leptos::ev::KeyboardEvent>>,
) -> impl IntoView {
    let described_by = described_by(id, hint.is_some(), error);
    view! {
        <FieldFrame id=id label=label hint=hint error=error>
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                min=min
                max=max
                node_ref=node_ref.unwrap_or_default()
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    value.set(text.clone());
                    if let Some(on_input) = on_input {
                        on_input.run(text);
                    }
                }
                on:keydown=move |ev| {
                    if let Some(on_keydown) = on_keydown {
                        on_keydown.run(ev);
                    }
                }
            />
        </FieldFrame>
    }
}

/// A choice among `options` (value, label) bound to `value`, labelled and
/// wired for screen readers like [`TextField`].
#[component]
pub fn SelectField(
    /// Element id, also the base of the error id.
    id: &'static str,
    /// Visible label; also the field's accessible name.
    label: String,
    /// The chosen option's value.
    value: RwSignal<String>,
    /// The options, as value and label.
    options: Vec<(String, String)>,
    /// The message to show under the field, if any.
    error: Signal<Option<String>>,
    /// Help shown under the label.
    #[prop(optional_no_strip)]
    hint: Option<String>,
) -> impl IntoView {
    let described_by = described_by(id, hint.is_some(), error);
    view! {
        <FieldFrame id=id label=label hint=hint error=error>
            <select
                id=id
                aria-describedby=described_by
                aria-invalid=move || error.get().is_some().then_some("true")
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options
                    .into_iter()
                    .map(|(option, label)| {
                        let selected = option.clone();
                        view! { <option value=option selected=move || *value.read() == selected>{label}</option> }
                    })
                    .collect_view()}
            </select>
        </FieldFrame>
    }
}

/// What the user picks for when a new app password stops working: the
/// choice's value (see [`ExpiryChoice::value`]) and, for a date, the day.
#[derive(Clone, Copy)]
pub struct ExpiryInput {
    /// The chosen option's value.
    pub choice: RwSignal<String>,
    /// The day (`yyyy-mm-dd`) when the choice is a date.
    pub date: RwSignal<String>,
    /// What is wrong with it, from the app or the backend.
    pub error: RwSignal<Option<String>>,
}

impl ExpiryInput {
    /// The policy's default, nothing wrong.
    pub fn new(policy: &ExpiryPolicy) -> Self {
        Self {
            choice: RwSignal::new(ExpiryChoice::default_for(policy).value()),
            date: RwSignal::new(String::new()),
            error: RwSignal::new(None),
        }
    }

    /// The choice made, the policy's default when the value is not one.
    pub fn chosen(&self) -> Option<ExpiryChoice> {
        ExpiryChoice::from_value(&self.choice.read_untracked())
    }
}

/// When a new app password stops working, within the backend's `policy`:
/// a choice of lifetimes, and a day when the choice is a date.
#[component]
pub fn ExpiryField(policy: ExpiryPolicy, input: ExpiryInput) -> impl IntoView {
    let i18n = use_i18n();
    let now = expiry::now();
    let options = ExpiryChoice::offered(&policy)
        .into_iter()
        .map(|choice| (choice.value(), choice.label(i18n)))
        .collect();
    let on_date = move || *input.choice.read() == ExpiryChoice::OnDate.value();
    // The backend's message shows where the user chose: on the day when
    // there is one, else on the choice.
    let choice_error = Signal::derive(move || input.error.get().filter(|_| !on_date()));
    let date_error = Signal::derive(move || input.error.get().filter(|_| on_date()));
    // A changed choice or day answers the error: a stale "Choose a date in
    // the future" must not stay under "In 30 days".
    Effect::watch(
        move || (input.choice.track(), input.date.track()),
        move |_, _, _| input.error.set(None),
        false,
    );
    // Why "Never" is missing: the administrator's maximum.
    let hint = policy
        .max_days
        .map(|days| i18n.t_count(keys::EXPIRY_AT_MOST, days as usize, &[]));
    view! {
        <SelectField
            id="expiry"
            label=i18n.t(keys::EXPIRY_LABEL)
            value=input.choice
            options=options
            error=choice_error
            hint=hint
        />
        <Show when=on_date>
            <TextField
                id="expiry-date"
                label=i18n.t(keys::EXPIRY_DATE)
                value=input.date
                error=date_error
                input_type="date"
                min=Some(expiry::first_day(now))
                max=expiry::last_day(&policy, now)
            />
        </Show>
    }
}

/// What a field's control is described by: its hint, and its error while
/// there is one.
fn described_by(
    id: &'static str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let hint = has_hint.then(|| format!("{id}-hint"));
        let error = error.read().is_some().then(|| format!("{id}-error"));
        let parts: Vec<String> = hint.into_iter().chain(error).collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The frame of one field around its control: the label, the hint and the
/// error, with the ids that [`described_by`] names.
#[component]
fn FieldFrame(
    id: &'static str,
    label: String,
    hint: Option<String>,
    error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=format!("{id}-hint")>{hint}</p> })}
            {children()}
            <p class="field-error" id=format!("{id}-error") hidden=move || error.get().is_none()>
                {move || error.get()}
            </p>
        </div>
    }
}

/// The name of an app password, with its rules, as Create and Rename ask
/// for it.
#[component]
pub fn NameField(
    /// Element id.
    id: &'static str,
    /// What the user typed.
    value: RwSignal<String>,
    /// The message to show under the field, if any.
    error: RwSignal<Option<String>>,
    /// Reference to the input, for focusing it.
    node_ref: NodeRef<html::Input>,
) -> impl IntoView {
    let i18n = use_i18n();
    let left = move || MAX_NAME_CHARS as isize - value.read().trim().chars().count() as isize;
    let counter = move || match usize::try_from(left()) {
        Ok(left) => i18n.t_count(keys::NAME_COUNT_LEFT, left, &[]),
        Err(_) => i18n.t_count(keys::NAME_COUNT_OVER, left().unsigned_abs(), &[]),
    };
    // Once an error shows, it follows the text: gone as soon as the name is
    // fine, and true to what is there meanwhile.
    let recheck = Callback::new(move |text: String| {
        if error.read_untracked().is_some() {
            error.set(
                check_name(&text)
                    .err()
                    .map(|problem| name_problem_message(problem, i18n)),
            );
        }
    });
    // Enter on an empty name says so: the dialog's button is off while the
    // name is empty, so the form itself would say nothing.
    let on_keydown = Callback::new(move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && value.read_untracked().trim().is_empty() {
            error.set(Some(name_problem_message(NameProblem::Empty, i18n)));
        }
    });
    view! {
        <TextField
            id=id
            label=i18n.t(keys::COMMON_NAME)
            value=value
            error=error
            hint=i18n.t(keys::CREATE_NAME_RULES)
            node_ref=node_ref
            on_input=recheck
            on_keydown=on_keydown
        />
        // Screen readers have the limit from the rules above, and hear an
        // error past it; the count would only chatter.
        // Hidden while the error shows: "1 character too many" beside
        // "Use at most 120 characters" would say it twice.
        <p
            class="field-count"
            id=format!("{id}-count")
            class:field-count-over=move || left() < 0
            hidden=move || error.read().is_some()
            aria-hidden="true"
        >
            {counter}
        </p>
    }
}

/// What to tell the user about a name the contract's rules refuse.
pub fn name_problem_message(problem: NameProblem, i18n: I18n) -> String {
    match problem {
        NameProblem::Empty => i18n.t(keys::NAME_EMPTY),
        NameProblem::TooLong { chars } => i18n.t_count(keys::NAME_TOO_LONG, chars, &[]),
        NameProblem::ControlCharacter
        | NameProblem::DirectionControl
        | NameProblem::InvisibleCharacter => i18n.t(keys::NAME_INVISIBLE),
    }
}
