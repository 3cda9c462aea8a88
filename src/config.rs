//! The app's configuration: which backend to talk to and how to sign in.

use serde::Deserialize;

/// Settings read at start; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Base URL of the backend's API, e.g. `/api/v1`.
    pub api_base: String,
    /// Product name shown in the header and the document title.
    pub title: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_base: "/api/v1".into(),
            title: "App passwords".into(),
        }
    }
}
