//! The user's language: one message catalogue per language
//! (`locales/*.json`, all with the same keys, listed in [`keys`]), the
//! choice of language, and numbers, dates and plural forms in that
//! language's way, through the browser's `Intl`, so no locale data ships
//! with the app.

mod catalogue;
mod choice;
#[cfg(target_arch = "wasm32")]
mod intl;
pub mod keys;
mod lang;

pub use catalogue::load;
pub use choice::{choose_lang, choose_theme, use_lang_choice, LangChoice, ThemeChoice, THEMES};
pub use lang::Lang;

use leptos::prelude::*;
use serde_json::Value;

use catalogue::{english, kept, Catalogue};

/// The messages of one language and its ways with numbers and dates.
/// `Copy`, so views use it freely.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: Lang,
    catalogue: &'static Catalogue,
}

impl I18n {
    /// The messages of `lang`, if its catalogue is at hand ([`load`]);
    /// English otherwise.
    pub fn new(lang: Lang) -> Self {
        let (lang, catalogue) = match kept(lang) {
            Some(catalogue) => (lang, catalogue),
            None => (Lang::En, english()),
        };
        Self { lang, catalogue }
    }

    /// The message `key`: in English when this catalogue lacks it (the
    /// fetched catalogues keep their names across builds, so one may come
    /// from a build a page open since before an upgrade does not know).
    fn message(&self, key: &str) -> Option<&'static Value> {
        let catalogue: &'static Catalogue = self.catalogue;
        catalogue
            .messages
            .get(key)
            .or_else(|| english().messages.get(key))
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> String {
        let text = self.t_with(key, &[]);
        // Messages repeat (a thousand rows have the same labels): each one
        // becomes a JS string once, not each time it is shown.
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen::intern(&text);
        text
    }

    /// The message `key` with each `{name}` in it replaced by its value.
    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let text = match self.message(key) {
            Some(Value::String(text)) => text.as_str(),
            Some(Value::Object(forms)) => forms.get("other").and_then(Value::as_str).unwrap_or(key),
            _ => key,
        };
        fill(text, args)
    }

    /// The message `key` in the plural form for `count`, with `{count}`
    /// written as a number of this language and each other `{name}`
    /// replaced by its value.
    pub fn t_count(&self, key: &str, count: usize, args: &[(&str, &str)]) -> String {
        let category = self.plural_category(count);
        let text = match self.message(key) {
            Some(Value::Object(forms)) => forms
                .get(category)
                .or_else(|| forms.get("other"))
                .and_then(Value::as_str)
                .unwrap_or(key),
            Some(Value::String(text)) => text.as_str(),
            _ => key,
        };
        let number = self.number(count);
        let mut all: Vec<(&str, &str)> = vec![("count", number.as_str())];
        all.extend_from_slice(args);
        fill(text, &all)
    }

    /// The message `key` split at its `{placeholder}`: the text before and
    /// after it, so that an element (a name in bold) can stand in its place.
    pub fn around(&self, key: &str, placeholder: &str) -> (String, String) {
        let text = self.t(key);
        match text.split_once(&format!("{{{placeholder}}}")) {
            Some((before, after)) => (before.to_owned(), after.to_owned()),
            None => (text, String::new()),
        }
    }

    /// Text the user wrote (a name, a login) as it should sit inside a
    /// sentence: isolated from the sentence's direction, so an English name
    /// in an Arabic sentence (or the reverse) keeps its own order and the
    /// punctuation around it stays put.
    pub fn user_text(&self, text: &str) -> String {
        format!("\u{2068}{text}\u{2069}")
    }

    /// `n` as this language writes numbers.
    pub fn number(&self, n: usize) -> String {
        #[cfg(target_arch = "wasm32")]
        {
            self.catalogue.intl.number(n)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            n.to_string()
        }
    }

    /// The day of an RFC 3339 timestamp, as this language writes dates;
    /// the timestamp itself when it is not one.
    pub fn date(&self, timestamp: &str) -> String {
        #[cfg(target_arch = "wasm32")]
        {
            self.catalogue.intl.date(timestamp)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            timestamp.get(..10).unwrap_or(timestamp).to_owned()
        }
    }

    /// The day and time of an RFC 3339 timestamp, as this language writes
    /// them; the timestamp itself when it is not one.
    pub fn date_time(&self, timestamp: &str) -> String {
        #[cfg(target_arch = "wasm32")]
        {
            self.catalogue.intl.date_time(timestamp)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            timestamp.to_owned()
        }
    }

    /// A moment `ms` milliseconds from now (negative: ago) as this language
    /// says it: "in 12 days", "3 hours ago", "tomorrow", in the largest unit
    /// that keeps it whole enough to read.
    pub fn relative(&self, ms: f64) -> String {
        let (value, unit) = relative_unit(ms);
        #[cfg(target_arch = "wasm32")]
        {
            self.catalogue.intl.relative(value, unit)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            format!("{value} {unit}s")
        }
    }

    fn plural_category(&self, count: usize) -> &'static str {
        #[cfg(target_arch = "wasm32")]
        {
            self.catalogue.intl.plural(count)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            if count == 1 {
                "one"
            } else {
                "other"
            }
        }
    }
}

/// The value and unit to say `ms` in: minutes under an hour, hours under a
/// day, days under about 45 of them, months under about 11, then years
/// (no one counts "678 days ago").
fn relative_unit(ms: f64) -> (f64, &'static str) {
    const MINUTE: f64 = 60_000.0;
    const HOUR: f64 = 60.0 * MINUTE;
    const DAY: f64 = 24.0 * HOUR;
    const MONTH: f64 = 30.44 * DAY;
    const YEAR: f64 = 365.25 * DAY;
    match ms.abs() {
        span if span < HOUR => ((ms / MINUTE).round(), "minute"),
        span if span < DAY => ((ms / HOUR).round(), "hour"),
        span if span < 45.0 * DAY => ((ms / DAY).round(), "day"),
        span if span < 335.0 * DAY => ((ms / MONTH).round(), "month"),
        _ => ((ms / YEAR).round(), "year"),
    }
}

/// `text` with each `{name}` of `args` replaced by its value.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut filled = text.to_owned();
    for (name, value) in args {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

/// The language provided at the root; English where there is none (a
/// component mounted on its own, as in a test).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(Lang::En))
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::catalogue::ENGLISH;
    use super::*;

    #[test]
    fn tags_choose_a_spoken_language() {
        assert_eq!(Lang::from_tag("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("AR_eg"), Some(Lang::Ar));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::first_spoken(["fr-CA", "de", "en"]), Some(Lang::De));
        assert_eq!(Lang::first_spoken(["fr", "it"]), None);
    }

    #[test]
    fn long_spans_read_in_months_and_years() {
        const DAY: f64 = 86_400_000.0;
        assert_eq!(relative_unit(-3.0 * DAY), (-3.0, "day"));
        assert_eq!(relative_unit(44.0 * DAY), (44.0, "day"));
        assert_eq!(relative_unit(-46.0 * DAY), (-2.0, "month"));
        assert_eq!(relative_unit(200.0 * DAY), (7.0, "month"));
        assert_eq!(relative_unit(-678.0 * DAY), (-2.0, "year"));
    }

    #[test]
    fn placeholders_and_plural_forms_are_filled() {
        let english = I18n::new(Lang::En);
        assert_eq!(
            english.t_count(keys::LIST_COUNT_OF, 3, &[("max", "40")]),
            "3 of 40 used"
        );
        assert_eq!(
            english.t_count(keys::DELETE_ALL_TITLE, 1, &[]),
            "Delete your only app password?"
        );
        assert_eq!(
            english.t_count(keys::DELETE_ALL_TITLE, 2, &[]),
            "Delete all 2 app passwords?"
        );
        assert_eq!(english.t("no.such.key"), "no.such.key");
    }

    /// Every catalogue has exactly the keys of [`keys::ALL`], each message
    /// uses exactly the placeholders of its English one, and plural
    /// messages have an `other` form.
    #[test]
    fn every_catalogue_has_every_key_and_placeholder() {
        let placeholders = |text: &str| -> Vec<String> {
            let mut found: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect();
            found.sort();
            found.dedup();
            found
        };
        let forms = |value: &Value| -> Vec<String> {
            match value {
                Value::String(text) => vec![text.clone()],
                Value::Object(forms) => {
                    assert!(forms.contains_key("other"), "a plural without `other`");
                    forms
                        .values()
                        .map(|form| form.as_str().expect("plural forms are text").to_owned())
                        .collect()
                }
                other => panic!("a message must be text or plural forms, not {other}"),
            }
        };
        let text = |lang: Lang| {
            let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), lang.catalogue_path());
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        assert_eq!(text(Lang::En), ENGLISH, "English is built in");
        let english: Map<String, Value> = crate::json::parse(ENGLISH).unwrap();
        let mut expected: Vec<&str> = keys::ALL.to_vec();
        expected.sort_unstable();
        for lang in Lang::ALL {
            let catalogue: Map<String, Value> = serde_json::from_str(&text(lang))
                .unwrap_or_else(|e| panic!("locales/{}.json: {e}", lang.code()));
            let mut present: Vec<&str> = catalogue.keys().map(String::as_str).collect();
            present.sort_unstable();
            let missing: Vec<_> = expected.iter().filter(|k| !present.contains(k)).collect();
            let extra: Vec<_> = present.iter().filter(|k| !expected.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "locales/{}.json lacks {missing:?} and has unknown {extra:?}",
                lang.code()
            );
            for key in keys::ALL {
                let wanted = placeholders(&forms(&english[*key]).join(" "));
                for form in forms(&catalogue[*key]) {
                    let mut used = placeholders(&form);
                    // A plural form may leave out the number ("one" → "an").
                    used.retain(|p| p != "count");
                    let mut allowed = wanted.clone();
                    allowed.retain(|p| p != "count");
                    assert_eq!(
                        used,
                        allowed,
                        "locales/{}.json, {key}: {form:?}",
                        lang.code()
                    );
                }
            }
        }
    }
}
