//! Reading JSON: the one way the app parses it, whatever the source (a
//! response, the configuration file, a catalogue, a kept draft).

use serde::de::DeserializeOwned;

/// Why a text is not the JSON expected, in the parser's or the decoder's
/// own words (shown, for instance, when `app-config.json` is broken).
#[derive(Clone, Debug)]
pub struct JsonError(String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `text` (UTF-8) parsed as a `T`. In the browser, its own `JSON.parse`
/// reads the text and serde-wasm-bindgen makes the `T`: serde_json's
/// parser, compiled once per type, costs 8.4 KB of brotli more (README,
/// "Performance"). Natively (the host's tests), serde_json reads it.
pub fn parse<T: DeserializeOwned>(text: impl AsRef<[u8]>) -> Result<T, JsonError> {
    #[cfg(target_arch = "wasm32")]
    {
        serde_wasm_bindgen::from_value(parsed_by_browser(text.as_ref())?)
            .map_err(|error| JsonError(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let text =
            std::str::from_utf8(text.as_ref()).map_err(|error| JsonError(error.to_string()))?;
        serde_json::from_str(text).map_err(|error| JsonError(error.to_string()))
    }
}

/// The browser's `JSON.parse` of `text`. Kept out of line: inlined, it
/// was compiled into every type's [`parse`] (the app's size budget).
#[cfg(target_arch = "wasm32")]
#[inline(never)]
fn parsed_by_browser(text: &[u8]) -> Result<wasm_bindgen::JsValue, JsonError> {
    use wasm_bindgen::JsCast;
    let text = std::str::from_utf8(text).map_err(|error| JsonError(error.to_string()))?;
    js_sys::JSON::parse(text).map_err(|error| {
        JsonError(
            error
                .dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
                .unwrap_or_default(),
        )
    })
}
