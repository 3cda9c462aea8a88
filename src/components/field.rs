//! Labelled text inputs with their hint and error, wired for screen
//! readers: any text, and the name of an app password.

use contract::NameProblem;
use leptos::html;
use leptos::prelude::*;

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
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let hint_id = hint.as_ref().map(|_| hint_id.clone());
        let error_id = error_id.clone();
        move || {
            let parts: Vec<&str> = [hint_id.as_deref(), error.get().map(|_| error_id.as_str())]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                node_ref=node_ref
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p class="field-error" id=error_id.clone() hidden=move || error.get().is_none()>
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
    view! {
        <TextField
            id=id
            label=i18n.t(keys::COMMON_NAME)
            value=value
            error=error
            hint=i18n.t(keys::CREATE_NAME_RULES)
            node_ref=node_ref
        />
    }
}

/// What to tell the user about a name the contract's rules refuse.
pub fn name_problem_message(problem: NameProblem, i18n: I18n) -> String {
    match problem {
        NameProblem::Empty => i18n.t(keys::NAME_EMPTY),
        NameProblem::TooLong { chars } => i18n.t_count(keys::NAME_TOO_LONG, chars, &[]),
        NameProblem::ControlCharacter | NameProblem::DirectionControl => {
            i18n.t(keys::NAME_INVISIBLE)
        }
    }
}
