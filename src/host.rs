//! The page around the app: telling it what happened, as DOM `CustomEvent`s
//! on the app's root element (they bubble, so a portal may listen on the
//! element or on the whole document; no event ever carries a password), and
//! marking the app's language on it.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use crate::i18n::Lang;

/// Something the host page may want to react to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEvent {
    /// An app password was made (`app-passwords:created`).
    Created {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
    /// An app password got a new name (`app-passwords:renamed`).
    Renamed {
        /// Its id.
        id: String,
        /// The new name.
        name: String,
    },
    /// An app password was revoked (`app-passwords:deleted`).
    Deleted {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
    /// All app passwords were revoked (`app-passwords:deleted` with
    /// `all: true`).
    DeletedAll {
        /// How many there were.
        count: u32,
    },
    /// The backend refused the session or token
    /// (`app-passwords:session-expired`).
    SessionExpired,
}

impl HostEvent {
    /// The DOM event type.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "app-passwords:created",
            Self::Renamed { .. } => "app-passwords:renamed",
            Self::Deleted { .. } | Self::DeletedAll { .. } => "app-passwords:deleted",
            Self::SessionExpired => "app-passwords:session-expired",
        }
    }

    /// The members of the event's `detail`.
    pub fn detail(&self) -> Vec<(&'static str, JsValue)> {
        match self {
            Self::Created { id, name }
            | Self::Renamed { id, name }
            | Self::Deleted { id, name } => {
                vec![("id", id.into()), ("name", name.into())]
            }
            Self::DeletedAll { count } => vec![("all", true.into()), ("count", (*count).into())],
            Self::SessionExpired => Vec::new(),
        }
    }
}

/// The element the app is mounted in, which the host page listens on.
#[derive(Clone)]
pub struct HostPage {
    root: SendWrapper<web_sys::HtmlElement>,
    whole_page: bool,
}

impl HostPage {
    /// The host page of the app mounted in `root`; `whole_page` when the
    /// page is the app's own (`index.html`), which the app may title.
    pub fn new(root: web_sys::HtmlElement, whole_page: bool) -> Self {
        Self {
            root: SendWrapper::new(root),
            whole_page,
        }
    }

    /// Marks the app's language and writing direction on its element (and,
    /// on its own page, on the whole document, with `title` as the title),
    /// for screen readers, hyphenation and right-to-left layout.
    pub fn show_language(&self, lang: Lang, title: &str) {
        let mut marked: Vec<web_sys::Element> = vec![(*self.root).clone().into()];
        if self.whole_page {
            marked.extend(document().document_element());
            document().set_title(title);
        }
        for element in marked {
            let _ = element.set_attribute("lang", lang.code());
            let _ = element.set_attribute("dir", lang.dir());
        }
    }

    /// Dispatches `event` on the root element.
    pub fn tell(&self, event: HostEvent) {
        let detail = js_sys::Object::new();
        for (key, value) in event.detail() {
            // Setting a member of a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&detail, &key.into(), &value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(dom_event) =
            web_sys::CustomEvent::new_with_event_init_dict(event.event_type(), &init)
        {
            let _ = self.root.dispatch_event(&dom_event);
        }
    }
}

/// The host page provided at the root.
pub fn use_host() -> HostPage {
    expect_context::<HostPage>()
}
