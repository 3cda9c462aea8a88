//! "You already have one with this name": said beside the name in Create
//! and Rename, so that two rows the delete question could not tell apart
//! are made only on purpose. A warning, never a refusal: a second
//! "Outlook" may be meant.

use leptos::prelude::*;

use crate::api::AppPassword;
use crate::expiry;
use crate::i18n::{keys, use_i18n};

/// The app password among `others` named `name`, regardless of case and
/// of spaces around it.
pub fn same_name<'a>(others: &'a [AppPassword], name: &str) -> Option<&'a AppPassword> {
    let name = name.trim().to_lowercase();
    (!name.is_empty())
        .then(|| {
            others
                .iter()
                .find(|other| other.name.trim().to_lowercase() == name)
        })
        .flatten()
}

/// The note under a name field whose text is `name` when one of `others`
/// already has that name, with when it was made; `id` is the note's
/// element id, for the field's `aria-describedby`.
#[component]
pub fn SameNameNote(
    id: &'static str,
    name: RwSignal<String>,
    others: StoredValue<Vec<AppPassword>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let said = move || {
        others.with_value(|others| {
            same_name(others, &name.read()).map(|other| {
                let made = expiry::ago(i18n, &other.created_at, expiry::now());
                i18n.t_with(keys::NAME_SAME, &[("when", &made)])
            })
        })
    };
    view! {
        <p class="notice notice-warning same-name" id=id role="status" hidden=move || said().is_none()>
            {said}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> AppPassword {
        crate::api::test_item(name, name, "2026-01-01T00:00:00Z")
    }

    #[test]
    fn the_same_name_is_found_whatever_its_case_and_spaces() {
        let others = [named("Outlook on my laptop"), named("Phone")];
        assert_eq!(
            same_name(&others, "  outlook ON my laptop ").map(|o| o.id.as_str()),
            Some("Outlook on my laptop")
        );
        assert!(same_name(&others, "Outlook").is_none());
        assert!(same_name(&others, "   ").is_none());
    }
}
