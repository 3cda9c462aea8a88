//! The table of settings: each field of [`Config`] written once, with its
//! type, its default and the decoder that reads it, from which the struct,
//! its `Default`, [`Field`] and the dispatch of [`Config::set`] follow.

use serde_json::Value;

use super::decode::{self, AttributeJson};
use super::error::Problem;
use super::{AuthMode, MailSecurity, Theme};

/// Declares [`Config`] and [`Field`] from rows of `Variant name: Type =
/// default, decoder;`, so that adding a setting is one row and the name in
/// `app-config.json` cannot drift from the struct's field.
macro_rules! fields {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $name:ident: $ty:ty = $default:expr, $decode:path;
    )*) => {
        /// Settings read at start; every field has a default.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Config {
            $($(#[doc = $doc])* pub $name: $ty,)*
        }

        impl Default for Config {
            fn default() -> Self {
                Self { $($name: $default,)* }
            }
        }

        /// A field a configuration may set.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Field {
            $(#[doc = concat!("[`Config::", stringify!($name), "`].")] $variant,)*
        }

        impl Field {
            /// Every field, in the order they are read.
            pub const ALL: [Self; [$(stringify!($name)),*].len()] = [$(Self::$variant),*];

            /// The field's name in `app-config.json`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($name),)*
                }
            }

            /// The JSON value that the text of the field's `data-*`
            /// attribute stands for: the field's type decides
            /// ([`AttributeJson`]).
            pub(super) fn attribute_json(self, text: String) -> Value {
                match self {
                    $(Self::$variant => <$ty as AttributeJson>::attribute_json(text),)*
                }
            }
        }

        impl Config {
            /// Sets one field from its JSON value; `null` keeps the default.
            pub(super) fn set(&mut self, field: Field, value: &Value) -> Result<(), Problem> {
                if value.is_null() {
                    return Ok(());
                }
                match field {
                    $(Field::$variant => self.$name = $decode(value)?,)*
                }
                Ok(())
            }
        }
    };
}

fields! {
    /// Base URL of the backend's API, e.g. `/api/v1` or
    /// `https://id.example.com/api/v1`; resolved against the document's base
    /// URL, so a relative value follows the app.
    ApiBase api_base: String = "/api/v1".into(), decode::non_empty_text;
    /// Session cookie or bearer token.
    Auth auth: AuthMode = AuthMode::Cookie, decode::auth;
    /// Product name shown in the header (and, on the app's own page, the
    /// document title); the name in the user's language when not set.
    Title title: Option<String> = None, decode::optional_text;
    /// Where to send the browser when the session has ended, instead of the
    /// app's own sign-in screen. `{return_url}` in it is replaced by the
    /// address to come back to; without it, `return_to=` is appended.
    SignInUrl sign_in_url: Option<String> = None, decode::optional_text;
    /// The path under which the app's screens live, without a trailing slash
    /// (`""` for the site root). Defaults to the path of the document's base
    /// URL (`<base href>`).
    BasePath base_path: Option<String> = None, decode::base_path;
    /// Light, dark, or as the system says.
    Theme theme: Theme = Theme::Auto, decode::theme;
    /// Whether to show the top bar (product name, user, settings menu). A
    /// portal with its own header may turn it off.
    Header header: bool = true, decode::switch;
    /// How long a request may take, response included, before the app gives
    /// up on it and says so (1 to 300 seconds).
    RequestTimeoutSeconds request_timeout_seconds: u32 = 15, decode::seconds;
    /// The language to speak (a tag such as `de`), unless the user picked
    /// one; without it, the browser's preferred languages decide. A
    /// preference: a language the app does not speak falls through to the
    /// browser's languages rather than being an error.
    Lang lang: Option<String> = None, decode::optional_text;
    /// The IMAP server that app passwords open, if any.
    ImapHost imap_host: Option<String> = None, decode::host;
    /// Its port; the usual one for its security when not set.
    ImapPort imap_port: Option<u16> = None, decode::port;
    /// How mail clients protect their connection to it.
    ImapSecurity imap_security: MailSecurity = MailSecurity::Tls, decode::security;
    /// The SMTP server (submission) that app passwords open, if any.
    SmtpHost smtp_host: Option<String> = None, decode::host;
    /// Its port; the usual one for its security when not set.
    SmtpPort smtp_port: Option<u16> = None, decode::port;
    /// How mail clients protect their connection to it.
    SmtpSecurity smtp_security: MailSecurity = MailSecurity::Tls, decode::security;
    /// The CalDAV and CardDAV address that app passwords open, if any.
    DavUrl dav_url: Option<String> = None, decode::optional_text;
    /// A page that helps people put an app password into their apps:
    /// "Learn more" beside the password.
    HelpUrl help_url: Option<String> = None, decode::optional_text;
    /// Whether to offer "Set up a device" when services are configured; a
    /// host page that has its own instructions turns it off.
    DeviceSetup device_setup: bool = true, decode::switch;
    /// The organisation Apple's configuration profile names
    /// (`PayloadOrganization`); `title`, else the page's host, when not set.
    OrganizationName organization_name: Option<String> = None, decode::optional_text;
    /// What the profile says it does (`PayloadDescription`); a sentence in
    /// the user's language that names the app password when not set.
    ProfileDescription profile_description: Option<String> = None, decode::optional_text;
    /// A page where people reach IT, offered wherever the page tells them
    /// to ask their administrator.
    SupportUrl support_url: Option<String> = None, decode::optional_text;
    /// An address where people write to IT, offered beside `support_url`.
    SupportEmail support_email: Option<String> = None, decode::email;
}

impl Field {
    /// The `data-*` attribute that carries the field on the root element:
    /// `api_base` is `data-api-base`.
    pub fn attribute(self) -> String {
        format!("data-{}", self.name().replace('_', "-"))
    }

    /// The field called `name` in `app-config.json`, if there is one.
    pub(super) fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }
}
