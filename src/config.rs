//! The app's configuration: which backend to talk to, how to sign in, where
//! the app's screens live and how it looks. Read at start from
//! `app-config.json` and from `data-*` attributes of the element the app is
//! mounted in, so one build serves every deployment without a rebuild.

use leptos::prelude::expect_context;
use serde_json::{Map, Value};

use crate::i18n::{keys, I18n, Lang};
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

/// How a mail client protects its connection to a mail server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MailSecurity {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    #[default]
    Tls,
    /// Plain at first, then TLS by STARTTLS (IMAP 143, SMTP 587).
    StartTls,
    /// No encryption at all.
    None,
}

/// A mail server as a client types it in: host, port and security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailServer {
    /// The host name, such as `mail.example.com`.
    pub host: String,
    /// The port.
    pub port: u16,
    /// How the connection is protected.
    pub security: MailSecurity,
}

/// The services an app password opens, as the operator configured them:
/// what "Set up a device" builds its steps and profile from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Services {
    /// Incoming mail.
    pub imap: Option<MailServer>,
    /// Outgoing mail.
    pub smtp: Option<MailServer>,
    /// Calendars and contacts (CalDAV and CardDAV at one address).
    pub dav_url: Option<String>,
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
    /// document title); the name in the user's language when not set.
    pub title: Option<String>,
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
    /// How long a request may take, response included, before the app gives
    /// up on it and says so (1 to 300 seconds).
    pub request_timeout_seconds: u32,
    /// The language to speak (a tag such as `de`), unless the user picked
    /// one; without it, the browser's preferred languages decide.
    pub lang: Option<String>,
    /// The IMAP server that app passwords open, if any.
    pub imap_host: Option<String>,
    /// Its port; the usual one for its security when not set.
    pub imap_port: Option<u16>,
    /// How mail clients protect their connection to it.
    pub imap_security: MailSecurity,
    /// The SMTP server (submission) that app passwords open, if any.
    pub smtp_host: Option<String>,
    /// Its port; the usual one for its security when not set.
    pub smtp_port: Option<u16>,
    /// How mail clients protect their connection to it.
    pub smtp_security: MailSecurity,
    /// The CalDAV and CardDAV address that app passwords open, if any.
    pub dav_url: Option<String>,
    /// A page that helps people put an app password into their apps:
    /// "Learn more" beside the password.
    pub help_url: Option<String>,
    /// Whether to offer "Set up a device" when services are configured; a
    /// host page that has its own instructions turns it off.
    pub device_setup: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_base: "/api/v1".into(),
            auth: AuthMode::Cookie,
            title: None,
            sign_in_url: None,
            base_path: None,
            theme: Theme::Auto,
            header: true,
            request_timeout_seconds: 15,
            lang: None,
            imap_host: None,
            imap_port: None,
            imap_security: MailSecurity::Tls,
            smtp_host: None,
            smtp_port: None,
            smtp_security: MailSecurity::Tls,
            dav_url: None,
            help_url: None,
            device_setup: true,
        }
    }
}

/// A field a configuration may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// [`Config::api_base`].
    ApiBase,
    /// [`Config::auth`].
    Auth,
    /// [`Config::title`].
    Title,
    /// [`Config::sign_in_url`].
    SignInUrl,
    /// [`Config::base_path`].
    BasePath,
    /// [`Config::theme`].
    Theme,
    /// [`Config::header`].
    Header,
    /// [`Config::request_timeout_seconds`].
    RequestTimeoutSeconds,
    /// [`Config::lang`].
    Lang,
    /// [`Config::imap_host`].
    ImapHost,
    /// [`Config::imap_port`].
    ImapPort,
    /// [`Config::imap_security`].
    ImapSecurity,
    /// [`Config::smtp_host`].
    SmtpHost,
    /// [`Config::smtp_port`].
    SmtpPort,
    /// [`Config::smtp_security`].
    SmtpSecurity,
    /// [`Config::dav_url`].
    DavUrl,
    /// [`Config::help_url`].
    HelpUrl,
    /// [`Config::device_setup`].
    DeviceSetup,
}

impl Field {
    /// Every field, in the order they are read.
    pub const ALL: [Self; 18] = [
        Self::ApiBase,
        Self::Auth,
        Self::Title,
        Self::SignInUrl,
        Self::BasePath,
        Self::Theme,
        Self::Header,
        Self::RequestTimeoutSeconds,
        Self::Lang,
        Self::ImapHost,
        Self::ImapPort,
        Self::ImapSecurity,
        Self::SmtpHost,
        Self::SmtpPort,
        Self::SmtpSecurity,
        Self::DavUrl,
        Self::HelpUrl,
        Self::DeviceSetup,
    ];

    /// The field's name in `app-config.json`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ApiBase => "api_base",
            Self::Auth => "auth",
            Self::Title => "title",
            Self::SignInUrl => "sign_in_url",
            Self::BasePath => "base_path",
            Self::Theme => "theme",
            Self::Header => "header",
            Self::RequestTimeoutSeconds => "request_timeout_seconds",
            Self::Lang => "lang",
            Self::ImapHost => "imap_host",
            Self::ImapPort => "imap_port",
            Self::ImapSecurity => "imap_security",
            Self::SmtpHost => "smtp_host",
            Self::SmtpPort => "smtp_port",
            Self::SmtpSecurity => "smtp_security",
            Self::DavUrl => "dav_url",
            Self::HelpUrl => "help_url",
            Self::DeviceSetup => "device_setup",
        }
    }

    /// The `data-*` attribute that carries the field on the root element:
    /// `api_base` is `data-api-base`.
    pub fn attribute(self) -> String {
        attribute_name(self.name())
    }

    fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }
}

/// The root element's attribute that names the configuration file.
pub const CONFIG_URL_ATTRIBUTE: &str = "data-config-url";

/// Why the configuration cannot be used: where the bad value came from and
/// what is wrong with it, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the bad value came from: `app-config.json`, an attribute such
    /// as `data-theme`, or a field.
    pub source: String,
    /// The field, when the source is a file.
    pub field: Option<String>,
    /// What is wrong: the key of its message.
    pub problem: &'static str,
    /// The values the message names.
    pub args: Vec<(&'static str, String)>,
}

impl ConfigError {
    /// An error of `source` whose message is `problem` with `args`.
    pub fn new(
        source: impl Into<String>,
        problem: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            source: source.into(),
            field: None,
            problem,
            args,
        }
    }

    /// The error in `i18n`'s language; the names of files, fields and
    /// attributes stay as they are written.
    pub fn message(&self, i18n: &I18n) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let problem = i18n.t_with(self.problem, &args);
        match &self.field {
            Some(field) => format!("{}: \"{field}\" {problem}", self.source),
            None => format!("{}: {problem}", self.source),
        }
    }
}

/// In English, for logs and tests.
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(&I18n::new(Lang::En)))
    }
}

/// What is wrong with one value: a message key and the values it names.
type Problem = (&'static str, Vec<(&'static str, String)>);

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
                // Attributes are text; the JSON type of a field is what
                // its text means.
                let value = match (field, text.trim()) {
                    (Field::Header | Field::DeviceSetup, "true") => Value::Bool(true),
                    (Field::Header | Field::DeviceSetup, "false") => Value::Bool(false),
                    (Field::RequestTimeoutSeconds | Field::ImapPort | Field::SmtpPort, number) => {
                        number
                            .parse::<u64>()
                            .map_or_else(|_| Value::String(text.clone()), Value::from)
                    }
                    _ => Value::String(text),
                };
                config.set(field, &value).map_err(|(problem, args)| {
                    ConfigError::new(field.attribute(), problem, args)
                })?;
            }
        }
        Ok(config)
    }

    /// Sets one field from its JSON value; `null` keeps the default.
    fn set(&mut self, field: Field, value: &Value) -> Result<(), Problem> {
        if value.is_null() {
            return Ok(());
        }
        let shown = || vec![("value", value.to_string())];
        let text = || {
            value
                .as_str()
                .map(|text| text.trim().to_owned())
                .ok_or_else(|| (keys::CONFIG_MUST_BE_TEXT, shown()))
        };
        match field {
            Field::ApiBase => {
                self.api_base = text()?;
                if self.api_base.is_empty() {
                    return Err((keys::CONFIG_MUST_NOT_BE_EMPTY, Vec::new()));
                }
            }
            Field::Auth => {
                self.auth = match text()?.as_str() {
                    "cookie" => AuthMode::Cookie,
                    "bearer" => AuthMode::Bearer,
                    _ => return Err((keys::CONFIG_AUTH_CHOICES, shown())),
                }
            }
            Field::Title => self.title = Some(text()?).filter(|title| !title.is_empty()),
            Field::SignInUrl => self.sign_in_url = Some(text()?).filter(|url| !url.is_empty()),
            Field::BasePath => {
                let path = text()?;
                if !path.starts_with('/') {
                    return Err((keys::CONFIG_MUST_BE_PATH, shown()));
                }
                self.base_path = Some(normalize_base_path(&path));
            }
            Field::Theme => {
                self.theme = match text()?.as_str() {
                    "auto" => Theme::Auto,
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    _ => return Err((keys::CONFIG_THEME_CHOICES, shown())),
                }
            }
            Field::Header | Field::DeviceSetup => {
                let on = value
                    .as_bool()
                    .ok_or_else(|| (keys::CONFIG_MUST_BE_BOOL, shown()))?;
                match field {
                    Field::Header => self.header = on,
                    _ => self.device_setup = on,
                }
            }
            Field::RequestTimeoutSeconds => {
                self.request_timeout_seconds = value
                    .as_u64()
                    .filter(|seconds| (1..=300).contains(seconds))
                    .and_then(|seconds| u32::try_from(seconds).ok())
                    .ok_or_else(|| (keys::CONFIG_MUST_BE_SECONDS, shown()))?
            }
            Field::Lang => {
                // A preference: a language the app does not speak falls
                // through to the browser's languages.
                self.lang = Some(text()?).filter(|tag| !tag.is_empty());
            }
            Field::ImapHost | Field::SmtpHost => {
                let host = Some(text()?).filter(|host| !host.is_empty());
                if !host.as_deref().is_none_or(is_host_name) {
                    return Err((keys::CONFIG_MUST_BE_HOST, shown()));
                }
                match field {
                    Field::ImapHost => self.imap_host = host,
                    _ => self.smtp_host = host,
                }
            }
            Field::ImapPort | Field::SmtpPort => {
                let port = value
                    .as_u64()
                    .and_then(|port| u16::try_from(port).ok())
                    .filter(|port| *port > 0)
                    .ok_or_else(|| (keys::CONFIG_MUST_BE_PORT, shown()))?;
                match field {
                    Field::ImapPort => self.imap_port = Some(port),
                    _ => self.smtp_port = Some(port),
                }
            }
            Field::ImapSecurity | Field::SmtpSecurity => {
                let security = match text()?.as_str() {
                    "tls" => MailSecurity::Tls,
                    "starttls" => MailSecurity::StartTls,
                    "none" => MailSecurity::None,
                    _ => return Err((keys::CONFIG_SECURITY_CHOICES, shown())),
                };
                match field {
                    Field::ImapSecurity => self.imap_security = security,
                    _ => self.smtp_security = security,
                }
            }
            Field::DavUrl => self.dav_url = Some(text()?).filter(|url| !url.is_empty()),
            Field::HelpUrl => self.help_url = Some(text()?).filter(|url| !url.is_empty()),
        }
        Ok(())
    }

    /// The services to help set up a device for; `None` when none is
    /// configured or the host page turned "Set up a device" off.
    pub fn services(&self) -> Option<Services> {
        let server = |host: &Option<String>, port: Option<u16>, security, usual: [u16; 2]| {
            host.clone().map(|host| MailServer {
                host,
                port: port.unwrap_or(match security {
                    MailSecurity::Tls => usual[0],
                    _ => usual[1],
                }),
                security,
            })
        };
        let services = Services {
            imap: server(
                &self.imap_host,
                self.imap_port,
                self.imap_security,
                [993, 143],
            ),
            smtp: server(
                &self.smtp_host,
                self.smtp_port,
                self.smtp_security,
                [465, 587],
            ),
            dav_url: self.dav_url.clone(),
        };
        let any = services.imap.is_some() || services.smtp.is_some() || services.dav_url.is_some();
        (self.device_setup && any).then_some(services)
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

/// Whether `host` is a host name or an IPv4 address as a mail client
/// takes it: letters, digits, dots and dashes, without a scheme or a port.
fn is_host_name(host: &str) -> bool {
    host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// The `data-*` attribute of a field named `field`.
fn attribute_name(field: &str) -> String {
    format!("data-{}", field.replace('_', "-"))
}

/// The configuration provided at the root.
pub fn use_config() -> Config {
    expect_context::<Config>()
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
                "request_timeout_seconds": 30, "lang": "de-CH",
                "imap_host": "imap.example.com", "imap_port": 1993, "imap_security": "starttls",
                "smtp_host": "smtp.example.com", "smtp_port": 2525, "smtp_security": "none",
                "dav_url": "https://dav.example.com/", "help_url": "/help/app-passwords",
                "device_setup": false,
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
    fn services_take_the_usual_ports_and_can_be_turned_off() {
        assert_eq!(Config::default().services(), None);
        let config = from_file(
            r#"{"imap_host": "mail.example.com", "smtp_host": "mail.example.com",
                "smtp_security": "starttls"}"#,
        )
        .unwrap();
        let services = config.services().unwrap();
        let imap = services.imap.unwrap();
        let smtp = services.smtp.unwrap();
        assert_eq!((imap.port, imap.security), (993, MailSecurity::Tls));
        assert_eq!((smtp.port, smtp.security), (587, MailSecurity::StartTls));
        assert_eq!(services.dav_url, None);

        let attribute_off = Config::from_sources(
            Some((
                "app-config.json",
                r#"{"dav_url": "https://dav.example.com/"}"#,
            )),
            |field| (field == Field::DeviceSetup).then(|| "false".to_owned()),
        )
        .unwrap();
        assert_eq!(attribute_off.services(), None);
        let ports = Config::from_sources(None, |field| match field {
            Field::ImapHost => Some("10.0.0.5".into()),
            Field::ImapPort => Some("1143".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(ports.services().unwrap().imap.unwrap().port, 1143);
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
