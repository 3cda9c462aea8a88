//! The message catalogues: English built in, the others fetched from
//! `locales/` when first spoken, each parsed once and kept for the page's
//! life.

use serde_json::{Map, Value};

use super::Lang;

/// One language's parsed messages and `Intl` formats.
pub(super) struct Catalogue {
    /// The messages by key: text, or plural forms by category.
    pub(super) messages: Map<String, Value>,
    /// The language's `Intl` formats, made once with its messages.
    #[cfg(target_arch = "wasm32")]
    pub(super) intl: send_wrapper::SendWrapper<super::intl::Formats>,
}

thread_local! {
    /// Each language's catalogue, parsed once and kept for the page's life
    /// (three at most, a few kilobytes each).
    static CATALOGUES: std::cell::RefCell<Vec<(Lang, &'static Catalogue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// English, the one catalogue built in.
pub(super) const ENGLISH: &str = include_str!("../../locales/en.json");

/// Keeps `messages` as the catalogue of `lang`.
fn keep(lang: Lang, messages: Map<String, Value>) -> &'static Catalogue {
    let catalogue: &'static Catalogue = Box::leak(Box::new(Catalogue {
        messages,
        #[cfg(target_arch = "wasm32")]
        intl: send_wrapper::SendWrapper::new(super::intl::Formats::new(lang)),
    }));
    CATALOGUES.with_borrow_mut(|catalogues| catalogues.push((lang, catalogue)));
    catalogue
}

/// English, parsed once. It is part of the build and checked by tests; were
/// it broken, keys would show rather than the app going down.
pub(super) fn english() -> &'static Catalogue {
    kept(Lang::En)
        .unwrap_or_else(|| keep(Lang::En, crate::json::parse(ENGLISH).unwrap_or_default()))
}

/// The catalogue of `lang`, if it is at hand.
pub(super) fn kept(lang: Lang) -> Option<&'static Catalogue> {
    CATALOGUES.with_borrow(|catalogues| {
        catalogues
            .iter()
            .find(|(kept, _)| *kept == lang)
            .map(|(_, catalogue)| *catalogue)
    })
}

/// Fetches the catalogue of `lang` from `locales/` beside the app's files
/// (`assets_url`), unless it is at hand; whether it now is. The page
/// starts this fetch early (`embed.js` preloads the likely language), and
/// [`super::I18n::new`] speaks English until it succeeds.
pub async fn load(lang: Lang, assets_url: &str) -> bool {
    if lang == Lang::En || kept(lang).is_some() {
        return true;
    }
    let Ok(url) = web_sys::Url::new_with_base(&lang.catalogue_path(), assets_url) else {
        return false;
    };
    let Ok(Some(text)) = crate::api::fetch_config_file(&url.href()).await else {
        return false;
    };
    // Garbled on the way (a proxy's error page, say): not kept, English.
    // An object, not any JSON: in the browser a list would read as an
    // empty map, and every message would quietly fall back to English.
    let Ok(Value::Object(messages)) = crate::json::parse(&text) else {
        return false;
    };
    // Another mount of the app may have kept it meanwhile.
    if kept(lang).is_none() {
        keep(lang, messages);
    }
    true
}
