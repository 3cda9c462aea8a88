//! The browser's `Intl` formats for one language, made once: numbers,
//! dates, relative times and plural categories without shipping locale
//! data. Only in the browser; native builds (unit tests) format plainly.

use wasm_bindgen::JsValue;

use super::Lang;

/// The formats of one language, made when its catalogue is kept.
pub(super) struct Formats {
    plural: js_sys::Intl::PluralRules,
    number: js_sys::Function,
    date: js_sys::Function,
    date_time: js_sys::Function,
    relative: js_sys::Intl::RelativeTimeFormat,
}

impl Formats {
    /// The formats of `lang`.
    pub(super) fn new(lang: Lang) -> Self {
        let locales = js_sys::Array::of1(&lang.code().into());
        let date_options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&date_options, &"dateStyle".into(), &"medium".into());
        let date_time_options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&date_time_options, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&date_time_options, &"timeStyle".into(), &"short".into());
        Self {
            plural: js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new()),
            number: js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new()).format(),
            date: js_sys::Intl::DateTimeFormat::new(&locales, &date_options).format(),
            date_time: js_sys::Intl::DateTimeFormat::new(&locales, &date_time_options).format(),
            relative: {
                // "tomorrow" rather than "in 1 day".
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into());
                js_sys::Intl::RelativeTimeFormat::new(&locales, &options)
            },
        }
    }

    /// The plural category of `count`, as the catalogues name their forms.
    pub(super) fn plural(&self, count: usize) -> &'static str {
        match String::from(self.plural.select(count as f64)).as_str() {
            "zero" => "zero",
            "one" => "one",
            "two" => "two",
            "few" => "few",
            "many" => "many",
            _ => "other",
        }
    }

    /// `n` as the language writes numbers.
    pub(super) fn number(&self, n: usize) -> String {
        self.number
            .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| n.to_string())
    }

    /// `value` `unit`s from now, as the language says it.
    pub(super) fn relative(&self, value: f64, unit: &str) -> String {
        self.relative.format(value, unit).into()
    }

    /// The day of `timestamp`.
    pub(super) fn date(&self, timestamp: &str) -> String {
        format(&self.date, timestamp)
    }

    /// The day and time of `timestamp`.
    pub(super) fn date_time(&self, timestamp: &str) -> String {
        format(&self.date_time, timestamp)
    }
}

/// `timestamp` through the `format` of an `Intl.DateTimeFormat`.
fn format(format: &js_sys::Function, timestamp: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(timestamp));
    if date.get_time().is_nan() {
        return timestamp.to_owned();
    }
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| timestamp.to_owned())
}
