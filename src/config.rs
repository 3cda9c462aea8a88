//! The app's configuration: which backend to talk to, how to sign in, where
//! the app's screens live and how it looks. Read at start from
//! `app-config.json` and from `data-*` attributes of the element the app is
//! mounted in, so one build serves every deployment without a rebuild.

use serde_json::{Map, Value};

use crate::url_encoding::percent_encode;

/// How the app proves to the backend who the user is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// The backend's session cookie, with a CSRF token on unsafe methods.
    #[default]
    Cookie,
    /// `Authorization: Bearer`, with tokens from the host page.
    Bearer,
}

/// The colour scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follows the system's light or dark setting.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The value of the root element's `data-theme` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// Settings read at start; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the backend's API, e.g. `/api/v1` or
    /// `https://id.example.com/api/v1`; resolved against the document's base
    /// URL, so a relative value follows the app.
    pub api_base: String,
    /// Session cookie or bearer token.
    pub auth: AuthMode,
    /// Product name shown in the header (and, on the app's own page, the
    /// document title).
    pub title: String,
    /// Where to send the browser when the session has ended, instead of the
    /// app's own sign-in screen. `{return_url}` in it is replaced by the
    /// address to come back to; without it, `return_to=` is appended.
    pub sign_in_url: Option<String>,
    /// The path under which the app's screens live, without a trailing slash
    /// (`""` for the site root). Defaults to the path of the document's base
    /// URL (`<base href>`).
    pub base_path: Option<String>,
    /// Light, dark, or as the system says.
    pub theme: Theme,
    /// Whether to show the top bar (product name, user, settings menu). A
    /// portal with its own header may turn it off.
    pub header: bool,
    /// How long a request may take, answer included, before the app gives
    /// up on it and says so (1 to 300 seconds).
    pub request_timeout_seconds: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_base: "/api/v1".into(),
            auth: AuthMode::Cookie,
            title: "App passwords".into(),
            sign_in_url: None,
            base_path: None,
            theme: Theme::Auto,
            header: true,
            request_timeout_seconds: 15,
        }
    }
}

/// The fields a configuration may set, as named in `app-config.json`; the
/// `data-*` attribute of each is [`attribute_name`].
pub const FIELDS: [&str; 8] = [
    "api_base",
    "auth",
    "title",
    "sign_in_url",
    "base_path",
    "theme",
    "header",
    "request_timeout_seconds",
];

/// Why the configuration cannot be used: where the bad value came from and
/// what is wrong with it, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `app-config.json`, or the attribute that held the value.
    pub source: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.problem)
    }
}

impl Config {
    /// The configuration from the text of `app-config.json` (when there is
    /// one) overlaid with the element's attributes (`attribute(field)` gives
    /// the `data-*` value of a field, if set). Unknown fields are ignored;
    /// a known field with a bad value is an error naming it.
    pub fn from_sources(
        file: Option<(&str, &str)>,
        attribute: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        if let Some((name, text)) = file {
            let fields: Map<String, Value> = match serde_json::from_str(text) {
                Ok(Value::Object(fields)) => fields,
                Ok(_) => {
                    return Err(ConfigError {
                        source: name.to_owned(),
                        problem:
                            "it must hold one JSON object, such as {\"api_base\": \"/api/v1\"}."
                                .into(),
                    })
                }
                Err(error) => {
                    return Err(ConfigError {
                        source: name.to_owned(),
                        problem: format!("it is not valid JSON ({error})."),
                    })
                }
            };
            for (field, value) in &fields {
                config.set(field, value).map_err(|problem| ConfigError {
                    source: name.to_owned(),
                    problem: format!("\"{field}\" {problem}"),
                })?;
            }
        }
        for field in FIELDS {
            if let Some(text) = attribute(field) {
                // Attributes are text; the JSON type of a field is what
                // its text means.
                let value = match (field, text.trim()) {
                    ("header", "true") => Value::Bool(true),
                    ("header", "false") => Value::Bool(false),
                    ("request_timeout_seconds", number) => number
                        .parse::<u64>()
                        .map_or_else(|_| Value::String(text.clone()), Value::from),
                    _ => Value::String(text),
                };
                config.set(field, &value).map_err(|problem| ConfigError {
                    source: format!("the {} attribute", attribute_name(field)),
                    problem: problem.to_owned(),
                })?;
            }
        }
        Ok(config)
    }

    /// Sets one field from its JSON value; `null` keeps the default.
    fn set(&mut self, field: &str, value: &Value) -> Result<(), String> {
        if value.is_null() {
            return Ok(());
        }
        let text = || {
            value
                .as_str()
                .map(str::trim)
                .map(str::to_owned)
                .ok_or_else(|| format!("must be a string, not {value}."))
        };
        match field {
            "api_base" => {
                self.api_base = text()?;
                if self.api_base.is_empty() {
                    return Err("must not be empty.".into());
                }
            }
            "auth" => {
                self.auth = match text()?.as_str() {
                    "cookie" => AuthMode::Cookie,
                    "bearer" => AuthMode::Bearer,
                    other => {
                        return Err(format!("is {other:?}; use \"cookie\" or \"bearer\"."));
                    }
                }
            }
            "title" => self.title = text()?,
            "sign_in_url" => self.sign_in_url = Some(text()?).filter(|url| !url.is_empty()),
            "base_path" => {
                let path = text()?;
                if !path.starts_with('/') {
                    return Err(format!(
                        "is {path:?}; it must be a path that starts with /, such as \"/portal/security/\"."
                    ));
                }
                self.base_path = Some(normalize_base_path(&path));
            }
            "theme" => {
                self.theme = match text()?.as_str() {
                    "auto" => Theme::Auto,
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    other => {
                        return Err(format!(
                            "is {other:?}; use \"auto\", \"light\" or \"dark\"."
                        ));
                    }
                }
            }
            "header" => {
                self.header = value
                    .as_bool()
                    .ok_or_else(|| format!("must be true or false, not {value}."))?
            }
            "request_timeout_seconds" => {
                self.request_timeout_seconds = value
                    .as_u64()
                    .filter(|seconds| (1..=300).contains(seconds))
                    .and_then(|seconds| u32::try_from(seconds).ok())
                    .ok_or_else(|| {
                        format!("must be a whole number of seconds from 1 to 300, not {value}.")
                    })?
            }
            // Unknown fields are ignored: a newer file works with an older app.
            _ => {}
        }
        Ok(())
    }

    /// Whether an ended session takes the user away from the screen: to the
    /// app's sign-in (cookie mode) or to `sign_in_url`. Otherwise (bearer
    /// tokens from a host page) the error stays in place and the next try
    /// asks the host for a token again.
    pub fn leaves_when_signed_out(&self) -> bool {
        self.auth == AuthMode::Cookie || self.sign_in_url.is_some()
    }

    /// Where to send the browser when the session has ended, to come back
    /// to `return_url` afterwards; `None` when the app signs in itself.
    pub fn sign_in_redirect(&self, return_url: &str) -> Option<String> {
        let url = self.sign_in_url.as_deref()?;
        let encoded = percent_encode(return_url, false);
        Some(if url.contains("{return_url}") {
            url.replace("{return_url}", &encoded)
        } else {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}return_to={encoded}")
        })
    }
}

/// The `data-*` attribute that carries `field` on the root element:
/// `api_base` is `data-api-base`.
pub fn attribute_name(field: &str) -> String {
    format!("data-{}", field.replace('_', "-"))
}

/// A base path as the router wants it: leading slash, no trailing slash,
/// `""` for the root.
pub fn normalize_base_path(path: &str) -> String {
    let trimmed = path.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_file(text: &str) -> Result<Config, ConfigError> {
        Config::from_sources(Some(("app-config.json", text)), |_| None)
    }

    #[test]
    fn no_file_and_no_attributes_mean_the_defaults() {
        assert_eq!(Config::from_sources(None, |_| None), Ok(Config::default()));
        assert_eq!(from_file("{}"), Ok(Config::default()));
    }

    #[test]
    fn reads_every_field_and_ignores_unknown_ones() {
        let config = from_file(
            r#"{"api_base": "https://id.example.com/api/v1", "auth": "bearer",
                "title": "Contoso", "sign_in_url": "https://id.example.com/login",
                "base_path": "/portal/security/", "theme": "dark", "header": false,
                "request_timeout_seconds": 30,
                "future_field": {"nested": [1, 2]}, "lang": null}"#,
        )
        .unwrap();
        assert_eq!(
            config,
            Config {
                api_base: "https://id.example.com/api/v1".into(),
                auth: AuthMode::Bearer,
                title: "Contoso".into(),
                sign_in_url: Some("https://id.example.com/login".into()),
                base_path: Some("/portal/security".into()),
                theme: Theme::Dark,
                header: false,
                request_timeout_seconds: 30,
            }
        );
        // null keeps the default.
        assert_eq!(
            from_file(r#"{"title": null}"#).unwrap().title,
            "App passwords"
        );
    }

    #[test]
    fn attributes_override_the_file() {
        let config = Config::from_sources(
            Some((
                "app-config.json",
                r#"{"title": "From the file", "auth": "bearer"}"#,
            )),
            |field| match field {
                "title" => Some("From the attribute".into()),
                "header" => Some("false".into()),
                "request_timeout_seconds" => Some(" 5 ".into()),
                _ => None,
            },
        )
        .unwrap();
        assert_eq!(config.title, "From the attribute");
        assert_eq!(config.auth, AuthMode::Bearer);
        assert!(!config.header);
        assert_eq!(config.request_timeout_seconds, 5);
    }

    #[test]
    fn bad_values_are_errors_that_name_the_field_and_the_fix() {
        let broken = from_file(r#"{"api_base": "/api/v1","#).unwrap_err();
        assert_eq!(broken.source, "app-config.json");
        assert!(
            broken.problem.starts_with("it is not valid JSON"),
            "{broken}"
        );
        assert!(broken.problem.contains("line 1"), "{broken}");

        let not_object = from_file("[1]").unwrap_err();
        assert!(
            not_object.problem.contains("one JSON object"),
            "{not_object}"
        );

        let typo = from_file(r#"{"auth": "berer"}"#).unwrap_err();
        assert_eq!(
            typo.problem,
            r#""auth" is "berer"; use "cookie" or "bearer"."#
        );
        let wrong_type = from_file(r#"{"api_base": 5}"#).unwrap_err();
        assert_eq!(wrong_type.problem, r#""api_base" must be a string, not 5."#);
        assert!(from_file(r#"{"api_base": " "}"#).is_err());
        assert!(from_file(r#"{"base_path": "portal"}"#).is_err());
        assert!(from_file(r#"{"header": "yes"}"#).is_err());
        assert!(from_file(r#"{"theme": "blue"}"#).is_err());
        for timeout in ["0", "301", "2.5", "-1", "\"soon\""] {
            let error = from_file(&format!(r#"{{"request_timeout_seconds": {timeout}}}"#));
            assert!(error.is_err(), "{timeout}");
        }

        let attribute = Config::from_sources(None, |field| {
            (field == "header").then(|| "maybe".to_owned())
        })
        .unwrap_err();
        assert_eq!(attribute.source, "the data-header attribute");
    }

    #[test]
    fn base_paths_are_normalised_for_the_router() {
        assert_eq!(normalize_base_path("/"), "");
        assert_eq!(normalize_base_path(""), "");
        assert_eq!(normalize_base_path("/portal/security/"), "/portal/security");
        assert_eq!(normalize_base_path("/portal//"), "/portal");
        assert_eq!(normalize_base_path("portal"), "/portal");
    }

    #[test]
    fn sign_in_redirects_carry_the_way_back() {
        let mut config = Config::default();
        assert_eq!(config.sign_in_redirect("https://a.example/x"), None);

        config.sign_in_url = Some("https://id.example/login".into());
        assert_eq!(
            config.sign_in_redirect("https://a.example/p/app-passwords?x=1").as_deref(),
            Some("https://id.example/login?return_to=https%3A%2F%2Fa.example%2Fp%2Fapp-passwords%3Fx%3D1")
        );
        config.sign_in_url = Some("https://id.example/login?client=portal".into());
        assert!(config
            .sign_in_redirect("https://a.example/")
            .unwrap()
            .starts_with("https://id.example/login?client=portal&return_to=https%3A"));
        config.sign_in_url = Some("/sso?next={return_url}&force=1".into());
        assert_eq!(
            config.sign_in_redirect("/p#x").as_deref(),
            Some("/sso?next=%2Fp%23x&force=1")
        );
    }
}
