//! What the user was typing when their session ended, kept until they are
//! back from signing in: names and phone numbers, never a secret. It lives
//! in this tab's `sessionStorage`, so it survives the way through a sign-in
//! page of the site (`sign_in_url`) as well as through the app's own, and
//! is removed as soon as it is put back.

use serde::{Deserialize, Serialize};

use crate::api::SecurityInfoUpdate;

/// The storage key, named for the app so a host page's keys are left alone.
const KEY: &str = "app-passwords:draft";

/// A piece of unsent work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Draft {
    /// The Create dialog.
    Create(CreateDraft),
    /// The Rename dialog of one app password.
    Rename {
        /// Which app password.
        id: String,
        /// The name typed.
        name: String,
    },
    /// The verification settings form, as typed.
    SecurityInfo(SecurityInfoUpdate),
    /// Not typed work but a warning owed: an app password whose password
    /// left the page (with the session, or a reload) before any of it was
    /// taken, so nobody has it.
    NeverCopied {
        /// Which app password.
        id: String,
        /// Its name, to say which.
        name: String,
    },
}

impl Draft {
    /// Whether this is something the user typed (and sign-in may say it
    /// is kept).
    pub fn was_typed(&self) -> bool {
        !matches!(self, Self::NeverCopied { .. })
    }
}

/// A create that was sent: the request, and the `Idempotency-Key` it was
/// sent with, so that sending it again cannot create twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDraft {
    /// The name, checked and trimmed.
    pub name: String,
    /// The expiry it asked for, if any.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// The expiry field as it was (the choice, and the day when the choice
    /// is a date), so that the restored form shows what will be sent.
    #[serde(default)]
    pub expiry_typed: (String, String),
    /// The services it was limited to; `None` for every service (and in
    /// a draft kept before scopes existed).
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// The key of that create.
    pub idempotency_key: String,
}

/// A draft with the login it belongs to: it is never shown to someone else
/// who signs in on the same tab.
#[derive(Serialize, Deserialize)]
struct Kept {
    login: String,
    draft: Draft,
}

/// Keeps `draft` for `login`, in place of any earlier one. Best effort: a
/// browser that refuses storage (a private window's quota) keeps nothing.
pub fn keep(login: &str, draft: Draft) {
    let kept = Kept {
        login: login.to_owned(),
        draft,
    };
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&kept)) {
        let _ = storage.set_item(KEY, &text);
    }
}

/// The draft kept for `login`, if `wanted` takes it; it is removed then.
/// A draft of another login is removed unseen.
pub fn take(login: &str, wanted: impl Fn(&Draft) -> bool) -> Option<Draft> {
    let storage = storage()?;
    let kept: Kept = crate::json::parse(storage.get_item(KEY).ok()??).ok()?;
    if kept.login != login {
        let _ = storage.remove_item(KEY);
        return None;
    }
    if !wanted(&kept.draft) {
        return None;
    }
    let _ = storage.remove_item(KEY);
    Some(kept.draft)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_kept_before_scopes_reads_as_every_service() {
        let old = r#"{"Create":{"name":"Phone","idempotency_key":"k"}}"#;
        let Ok(Draft::Create(draft)) = serde_json::from_str::<Draft>(old) else {
            panic!("an old draft no longer reads");
        };
        assert_eq!((draft.name.as_str(), draft.services), ("Phone", None));
    }
}
