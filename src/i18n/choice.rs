//! The user's own choices of language and theme: what applies until they
//! choose, and their choice, remembered in this browser (localStorage: a
//! language tag or a theme's name, nothing secret) over what the
//! configuration says.

use leptos::prelude::*;

use super::Lang;
use crate::config::Theme;

/// Where this browser keeps the choice of language.
const LANG_KEY: &str = "app-passwords:lang";
/// Where this browser keeps the choice of theme.
const THEME_KEY: &str = "app-passwords:theme";

/// Every theme, in the order the settings menu lists them.
pub const THEMES: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

/// The language to speak: the user's own choice in the switcher, else
/// `configured` (the configuration's tag), else the first of the browser's
/// preferred languages the app speaks, else English.
pub fn choose_lang(configured: Option<&str>) -> Lang {
    remembered(LANG_KEY)
        .and_then(|tag| Lang::from_tag(&tag))
        .or_else(|| configured.and_then(Lang::from_tag))
        .or_else(browser_lang)
        .unwrap_or_default()
}

/// The theme to show: the user's own choice in the settings menu, else
/// `configured` (`theme` in app-config.json or `data-theme`).
pub fn choose_theme(configured: Theme) -> Theme {
    remembered(THEME_KEY)
        .and_then(|name| THEMES.into_iter().find(|theme| theme.as_str() == name))
        .unwrap_or(configured)
}

fn remember(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

fn remembered(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

fn browser_lang() -> Option<Lang> {
    let languages: Vec<String> = web_sys::window()?
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    Lang::first_spoken(languages.iter().map(String::as_str))
}

/// Switches the app's language: the switcher's handle on it.
#[derive(Clone, Copy)]
pub struct LangChoice {
    /// The language spoken (tracked: a new one renders the app again).
    pub lang: RwSignal<Lang>,
    /// The language last chosen whose catalogue could not be fetched.
    pub unavailable: RwSignal<Option<Lang>>,
    /// The language chosen whose catalogue is on its way: a slow network
    /// takes seconds, and the switcher must not look as if it ignored the
    /// click meanwhile.
    pub loading: RwSignal<Option<Lang>>,
    /// How many choices were made: a slower fetch for an earlier choice,
    /// even of the same language, must not undo a later one.
    choices: StoredValue<u32>,
    /// The folder of the app's files, where the catalogues are.
    assets_url: StoredValue<String>,
}

impl LangChoice {
    /// Speaks `lang`, whose catalogue is at hand; others come from
    /// `assets_url`.
    pub fn new(lang: Lang, assets_url: String) -> Self {
        Self {
            lang: RwSignal::new(lang),
            unavailable: RwSignal::new(None),
            loading: RwSignal::new(None),
            choices: StoredValue::new(0),
            assets_url: StoredValue::new(assets_url),
        }
    }

    /// Speaks `lang` from now on, here and next time, once its catalogue
    /// is at hand; whether it now does. While the catalogue is fetched,
    /// [`LangChoice::loading`] says which; when it cannot be fetched, the
    /// language stays and [`LangChoice::unavailable`] says which could not
    /// come; when another language was chosen meanwhile, that choice
    /// decides.
    pub async fn choose(self, lang: Lang) -> bool {
        self.choices
            .update_value(|count| *count = count.wrapping_add(1));
        let this_choice = self.choices.get_value();
        let url = self.assets_url.get_value();
        // A catalogue at hand loads without yielding, so `loading` is set
        // and cleared before the page is drawn again: no flash of it.
        self.unavailable.set(None);
        self.loading.set(Some(lang));
        let loaded = super::load(lang, &url).await;
        if self.choices.get_value() != this_choice {
            // Chosen again meanwhile: that choice decides.
            return false;
        }
        self.loading.set(None);
        if loaded {
            remember(LANG_KEY, lang.code());
            self.unavailable.set(None);
            self.lang.set(lang);
        } else {
            self.unavailable.set(Some(lang));
        }
        loaded
    }
}

/// The switcher's handle provided at the root.
pub fn use_lang_choice() -> LangChoice {
    expect_context::<LangChoice>()
}

/// The theme shown, and the settings menu's handle on it.
#[derive(Clone, Copy)]
pub struct ThemeChoice(RwSignal<Theme>);

impl ThemeChoice {
    /// Starts with the user's earlier choice, else `configured`.
    pub fn new(configured: Theme) -> Self {
        Self(RwSignal::new(choose_theme(configured)))
    }

    /// The theme shown (tracked).
    pub fn get(self) -> Theme {
        self.0.get()
    }

    /// Shows `theme` from now on, here and next time.
    pub fn choose(self, theme: Theme) {
        remember(THEME_KEY, theme.as_str());
        self.0.set(theme);
    }
}
