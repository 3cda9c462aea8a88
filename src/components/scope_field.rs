//! The choice of what a new app password opens: every service, or one
//! kind of them. Radio buttons in a fieldset, so that a screen reader says
//! the question (the legend) and the hint with each choice.

use leptos::prelude::*;

use crate::config::Scope;
use crate::i18n::{keys, use_i18n};

impl Scope {
    /// The radio button's value (and id suffix) and the key of its label.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Everything => ("all", keys::SCOPE_EVERYTHING),
            Self::Mail => ("mail", keys::SCOPE_MAIL),
            Self::Dav => ("dav", keys::SCOPE_DAV),
        }
    }
}

/// "Works for": one radio button for each of `offered`, bound to `value`.
#[component]
pub fn ScopeField(
    /// The choices, every service first.
    offered: Vec<Scope>,
    /// The choice.
    value: RwSignal<Scope>,
) -> impl IntoView {
    let i18n = use_i18n();
    let choices = offered
        .into_iter()
        .map(|scope| {
            let (name, label) = scope.names();
            let id = format!("scope-{name}");
            view! {
                <label>
                    <input
                        type="radio"
                        name="scope"
                        id=id
                        value=name
                        prop:checked=move || value.get() == scope
                        on:change=move |_| value.set(scope)
                    />
                    {i18n.t(label)}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choice-field" id="scope" aria-describedby="scope-hint">
            <legend>{i18n.t(keys::SCOPE_LABEL)}</legend>
            <p class="field-hint" id="scope-hint">{i18n.t(keys::SCOPE_HINT)}</p>
            {choices}
        </fieldset>
    }
}
