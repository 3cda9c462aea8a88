//! Reading JSON: the one way the app parses it, whatever the source (a
//! response, the configuration file, a catalogue, a kept draft).

use serde::de::DeserializeOwned;

/// `text` parsed as a `T`. Always from bytes: serde_json compiles its whole
/// deserializer once per reader kind, and one kind instead of two (bytes
/// and `&str`) keeps about 20 KB of duplicates out of the wasm.
pub fn parse<T: DeserializeOwned>(text: impl AsRef<[u8]>) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_ref())
}
