//! The decoders of [`super::fields`]: one JSON value to one setting, or the
//! problem with it in words an administrator can act on.

use serde_json::Value;

use super::error::Problem;
use super::{AuthMode, MailSecurity, Theme};
use crate::i18n::keys;

/// How the text of a `data-*` attribute, always a string, reads as the JSON
/// value a field's decoder takes: decided by the field's type, so that
/// `data-header="false"` means what `"header": false` means in the file.
pub(super) trait AttributeJson {
    /// The JSON value `text` stands for; text unless the type says otherwise.
    fn attribute_json(text: String) -> Value {
        Value::String(text)
    }
}

impl AttributeJson for String {}
impl AttributeJson for Option<String> {}
impl AttributeJson for AuthMode {}
impl AttributeJson for Theme {}
impl AttributeJson for MailSecurity {}

impl AttributeJson for bool {
    fn attribute_json(text: String) -> Value {
        match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        }
    }
}

impl AttributeJson for u32 {
    fn attribute_json(text: String) -> Value {
        number(text)
    }
}

impl AttributeJson for Option<u16> {
    fn attribute_json(text: String) -> Value {
        number(text)
    }
}

/// A whole number when `text` is one; otherwise the text, for the decoder
/// to turn down with the value shown.
fn number(text: String) -> Value {
    text.trim()
        .parse::<u64>()
        .map_or_else(|_| Value::String(text), Value::from)
}

/// The value as the message shows it.
fn shown(value: &Value) -> Vec<(&'static str, String)> {
    vec![("value", value.to_string())]
}

/// The text of a string value, trimmed.
fn text(value: &Value) -> Result<String, Problem> {
    value
        .as_str()
        .map(|text| text.trim().to_owned())
        .ok_or_else(|| (keys::CONFIG_MUST_BE_TEXT, shown(value)))
}

/// Text that must say something.
pub(super) fn non_empty_text(value: &Value) -> Result<String, Problem> {
    let text = text(value)?;
    if text.is_empty() {
        return Err((keys::CONFIG_MUST_NOT_BE_EMPTY, Vec::new()));
    }
    Ok(text)
}

/// Text where empty means not set.
pub(super) fn optional_text(value: &Value) -> Result<Option<String>, Problem> {
    Ok(Some(text(value)?).filter(|text| !text.is_empty()))
}

/// An absolute path, normalised for the router.
pub(super) fn base_path(value: &Value) -> Result<Option<String>, Problem> {
    let path = text(value)?;
    if !path.starts_with('/') {
        return Err((keys::CONFIG_MUST_BE_PATH, shown(value)));
    }
    Ok(Some(normalize_base_path(&path)))
}

/// `true` or `false`.
pub(super) fn switch(value: &Value) -> Result<bool, Problem> {
    value
        .as_bool()
        .ok_or_else(|| (keys::CONFIG_MUST_BE_BOOL, shown(value)))
}

/// A request timeout: whole seconds from 1 to 300.
pub(super) fn seconds(value: &Value) -> Result<u32, Problem> {
    value
        .as_u64()
        .filter(|seconds| (1..=300).contains(seconds))
        .and_then(|seconds| u32::try_from(seconds).ok())
        .ok_or_else(|| (keys::CONFIG_MUST_BE_SECONDS, shown(value)))
}

/// A mail server's host name, or empty for none.
pub(super) fn host(value: &Value) -> Result<Option<String>, Problem> {
    let host = optional_text(value)?;
    if !host.as_deref().is_none_or(is_host_name) {
        return Err((keys::CONFIG_MUST_BE_HOST, shown(value)));
    }
    Ok(host)
}

/// An email address for a `mailto:` link, or empty for none: one `@`
/// with something either side, and nothing a link would read as more
/// than the address (spaces, `?`, `#`, `%`, `/`, `:`, `<`, `>`).
pub(super) fn email(value: &Value) -> Result<Option<String>, Problem> {
    let email = optional_text(value)?;
    let plain = |address: &str| {
        let mut parts = address.split('@');
        let (local, domain) = (parts.next(), parts.next());
        parts.next().is_none()
            && local.is_some_and(|local| !local.is_empty())
            && domain.is_some_and(is_host_name)
            && !address.contains(|c: char| c.is_whitespace() || "?#%/:<>,;\"".contains(c))
    };
    if !email.as_deref().is_none_or(plain) {
        return Err((keys::CONFIG_MUST_BE_EMAIL, shown(value)));
    }
    Ok(email)
}

/// A TCP port, 1 to 65535.
pub(super) fn port(value: &Value) -> Result<Option<u16>, Problem> {
    value
        .as_u64()
        .and_then(|port| u16::try_from(port).ok())
        .filter(|port| *port > 0)
        .map(Some)
        .ok_or_else(|| (keys::CONFIG_MUST_BE_PORT, shown(value)))
}

/// `cookie` or `bearer`.
pub(super) fn auth(value: &Value) -> Result<AuthMode, Problem> {
    let choices = [("cookie", AuthMode::Cookie), ("bearer", AuthMode::Bearer)];
    one_of(value, &choices, keys::CONFIG_AUTH_CHOICES)
}

/// A theme by the name the root element's `data-theme` takes.
pub(super) fn theme(value: &Value) -> Result<Theme, Problem> {
    let choices = [Theme::Auto, Theme::Light, Theme::Dark].map(|theme| (theme.as_str(), theme));
    one_of(value, &choices, keys::CONFIG_THEME_CHOICES)
}

/// `tls`, `starttls` or `none`.
pub(super) fn security(value: &Value) -> Result<MailSecurity, Problem> {
    let choices = [
        ("tls", MailSecurity::Tls),
        ("starttls", MailSecurity::StartTls),
        ("none", MailSecurity::None),
    ];
    one_of(value, &choices, keys::CONFIG_SECURITY_CHOICES)
}

/// The choice whose name the text is; `problem` lists the names.
fn one_of<T: Copy>(
    value: &Value,
    choices: &[(&str, T)],
    problem: &'static str,
) -> Result<T, Problem> {
    let text = text(value)?;
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, choice)| *choice)
        .ok_or_else(|| (problem, shown(value)))
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

    #[test]
    fn base_paths_are_normalised_for_the_router() {
        assert_eq!(normalize_base_path("/"), "");
        assert_eq!(normalize_base_path(""), "");
        assert_eq!(normalize_base_path("/portal/security/"), "/portal/security");
        assert_eq!(normalize_base_path("/portal//"), "/portal");
        assert_eq!(normalize_base_path("portal"), "/portal");
    }

    #[test]
    fn attribute_text_takes_the_json_type_of_its_field() {
        assert_eq!(bool::attribute_json(" false ".into()), Value::Bool(false));
        assert_eq!(
            bool::attribute_json("maybe".into()),
            Value::String("maybe".into())
        );
        assert_eq!(u32::attribute_json(" 5 ".into()), Value::from(5));
        assert_eq!(
            <Option<u16>>::attribute_json("1143".into()),
            Value::from(1143)
        );
        assert_eq!(
            <Option<u16>>::attribute_json("-1".into()),
            Value::String("-1".into())
        );
        // Text fields keep the text as written: their decoder trims it.
        assert_eq!(
            <Option<String>>::attribute_json(" 5 ".into()),
            Value::String(" 5 ".into())
        );
    }
}
