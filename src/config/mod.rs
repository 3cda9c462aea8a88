//! The app's configuration: which backend to talk to, how to sign in, where
//! the app's screens live and how it looks. Read at start from
//! `app-config.json` and from `data-*` attributes of the element the app is
//! mounted in, so one build serves every deployment without a rebuild.
//!
//! The fields are one table (`fields.rs`), each read by a decoder
//! (`decode.rs`); this file overlays the two sources and answers what the
//! rest of the app asks of the result.

mod decode;
mod error;
mod fields;
mod services;

pub use decode::normalize_base_path;
pub use error::ConfigError;
pub use fields::{Config, Field};
pub use services::{MailSecurity, MailServer, Scope, Services};

use leptos::prelude::expect_context;
use serde_json::{Map, Value};

use crate::i18n::keys;
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
    /// The value of the root element's `data-theme` attribute, and the
    /// theme's name in `app-config.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// The root element's attribute that names the configuration file.
pub const CONFIG_URL_ATTRIBUTE: &str = "data-config-url";

impl Config {
    /// The configuration from the text of `app-config.json` (when there is
    /// one) overlaid with the element's attributes (`attribute(field)` gives
    /// the `data-*` value of a field, if set). Unknown fields are ignored;
    /// a known field with a bad value is an error naming it.
    pub fn from_sources(
        file: Option<(&str, &str)>,
        attribute: impl Fn(Field) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        if let Some((name, text)) = file {
            let fields: Map<String, Value> = match crate::json::parse(text) {
                Ok(Value::Object(fields)) => fields,
                Ok(_) => return Err(ConfigError::new(name, keys::CONFIG_NOT_OBJECT, Vec::new())),
                Err(error) => {
                    return Err(ConfigError::new(
                        name,
                        keys::CONFIG_NOT_JSON,
                        vec![("error", error.to_string())],
                    ))
                }
            };
            // Unknown fields are ignored: a newer file works with an older app.
            for (field, value) in fields
                .iter()
                .filter_map(|(name, value)| Some((Field::named(name)?, value)))
            {
                config
                    .set(field, value)
                    .map_err(|(problem, args)| ConfigError {
                        field: Some(field.name().to_owned()),
                        ..ConfigError::new(name, problem, args)
                    })?;
            }
        }
        for field in Field::ALL {
            if let Some(text) = attribute(field) {
                config
                    .set(field, &field.attribute_json(text))
                    .map_err(|(problem, args)| {
                        ConfigError::new(field.attribute(), problem, args)
                    })?;
            }
        }
        Ok(config)
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

    /// The `mailto:` address of `support_email`, when it is set (the decoder
    /// let through only an address with nothing a link would read further).
    pub fn support_mailto(&self) -> Option<String> {
        self.support_email
            .as_ref()
            .map(|email| format!("mailto:{email}"))
    }
}

/// The configuration provided at the root.
pub fn use_config() -> Config {
    expect_context::<Config>()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn from_file(text: &str) -> Result<Config, ConfigError> {
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
                "request_timeout_seconds": 30, "lang": "de-CH",
                "imap_host": "imap.example.com", "imap_port": 1993, "imap_security": "starttls",
                "smtp_host": "smtp.example.com", "smtp_port": 2525, "smtp_security": "none",
                "dav_url": "https://dav.example.com/", "help_url": "/help/app-passwords",
                "device_setup": false, "organization_name": "Example Ltd",
                "profile_description": "Mail for Example staff",
                "support_url": "https://it.example.com/", "support_email": "it-help@example.com",
                "future_field": {"nested": [1, 2]}}"#,
        )
        .unwrap();
        assert_eq!(
            config,
            Config {
                api_base: "https://id.example.com/api/v1".into(),
                auth: AuthMode::Bearer,
                title: Some("Contoso".into()),
                sign_in_url: Some("https://id.example.com/login".into()),
                base_path: Some("/portal/security".into()),
                theme: Theme::Dark,
                header: false,
                request_timeout_seconds: 30,
                lang: Some("de-CH".into()),
                imap_host: Some("imap.example.com".into()),
                imap_port: Some(1993),
                imap_security: MailSecurity::StartTls,
                smtp_host: Some("smtp.example.com".into()),
                smtp_port: Some(2525),
                smtp_security: MailSecurity::None,
                dav_url: Some("https://dav.example.com/".into()),
                help_url: Some("/help/app-passwords".into()),
                device_setup: false,
                organization_name: Some("Example Ltd".into()),
                profile_description: Some("Mail for Example staff".into()),
                support_url: Some("https://it.example.com/".into()),
                support_email: Some("it-help@example.com".into()),
            }
        );
        // null keeps the default.
        assert_eq!(from_file(r#"{"title": null}"#).unwrap().title, None);
    }

    #[test]
    fn attributes_override_the_file() {
        let config = Config::from_sources(
            Some((
                "app-config.json",
                r#"{"title": "From the file", "auth": "bearer"}"#,
            )),
            |field| match field {
                Field::Title => Some("From the attribute".into()),
                Field::Header => Some("false".into()),
                Field::RequestTimeoutSeconds => Some(" 5 ".into()),
                _ => None,
            },
        )
        .unwrap();
        assert_eq!(config.title.as_deref(), Some("From the attribute"));
        assert_eq!(config.auth, AuthMode::Bearer);
        assert!(!config.header);
        assert_eq!(config.request_timeout_seconds, 5);
    }

    #[test]
    fn bad_values_are_errors_that_name_the_field_and_the_fix() {
        let broken = from_file(r#"{"api_base": "/api/v1","#).unwrap_err();
        assert_eq!(broken.source, "app-config.json");
        let said = broken.to_string();
        assert!(
            said.starts_with("app-config.json: it is not valid JSON"),
            "{said}"
        );
        assert!(said.contains("line 1"), "{said}");

        let not_object = from_file("[1]").unwrap_err().to_string();
        assert!(not_object.contains("one JSON object"), "{not_object}");

        let typo = from_file(r#"{"auth": "berer"}"#).unwrap_err();
        assert_eq!(
            typo.to_string(),
            r#"app-config.json: "auth" is "berer"; use "cookie" or "bearer"."#
        );
        let wrong_type = from_file(r#"{"api_base": 5}"#).unwrap_err();
        assert_eq!(
            wrong_type.to_string(),
            r#"app-config.json: "api_base" must be text, not 5."#
        );
        assert!(from_file(r#"{"api_base": " "}"#).is_err());
        assert!(from_file(r#"{"base_path": "portal"}"#).is_err());
        assert!(from_file(r#"{"header": "yes"}"#).is_err());
        assert!(from_file(r#"{"theme": "blue"}"#).is_err());
        for timeout in ["0", "301", "2.5", "-1", "\"soon\""] {
            let error = from_file(&format!(r#"{{"request_timeout_seconds": {timeout}}}"#));
            assert!(error.is_err(), "{timeout}");
        }

        let attribute = Config::from_sources(None, |field| {
            (field == Field::Header).then(|| "maybe".to_owned())
        })
        .unwrap_err();
        assert_eq!(
            attribute.to_string(),
            "data-header: must be true or false, not \"maybe\"."
        );
    }

    #[test]
    fn bad_service_settings_name_the_field() {
        let scheme = from_file(r#"{"imap_host": "imaps://mail.example.com"}"#).unwrap_err();
        assert_eq!(scheme.field.as_deref(), Some("imap_host"));
        assert!(scheme.to_string().contains("host name"), "{scheme}");
        for host in [r#""mail.example.com:993""#, r#""mail..example""#, "5"] {
            assert!(
                from_file(&format!(r#"{{"smtp_host": {host}}}"#)).is_err(),
                "{host}"
            );
        }
        for port in ["0", "65536", "\"993\"", "9.5"] {
            let error = from_file(&format!(r#"{{"smtp_port": {port}}}"#)).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("smtp_port"), "{port}");
        }
        for email in [
            r#""it help@example.com""#,
            r#""mailto:it@example.com""#,
            r#""it""#,
            r#""it@example.com?cc=x""#,
            "5",
        ] {
            let error = from_file(&format!(r#"{{"support_email": {email}}}"#)).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("support_email"), "{email}");
        }
        let security = from_file(r#"{"imap_security": "ssl"}"#).unwrap_err();
        assert_eq!(
            security.to_string(),
            r#"app-config.json: "imap_security" is "ssl"; use "tls", "starttls" or "none"."#
        );
        let attribute = Config::from_sources(None, |field| {
            (field == Field::DeviceSetup).then(|| "off".to_owned())
        })
        .unwrap_err();
        assert_eq!(attribute.source, "data-device-setup");
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
