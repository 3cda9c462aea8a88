//! The contract's input rules, one function per kind of value; each returns
//! the field errors it finds, with JSON Pointers into the request body.

use crate::problem::FieldError;

/// Longest app password name, in characters.
pub const MAX_NAME_CHARS: usize = 120;

fn field_error(pointer: &str, detail: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        detail: detail.to_owned(),
    }
}

/// Whether `c` reorders text around it: bidirectional embeddings, overrides
/// and isolates, which can make a name display as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks an app password name and returns it trimmed.
pub fn app_password_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 {
        return Err(field_error("/name", "Enter a name."));
    }
    if count > MAX_NAME_CHARS {
        return Err(field_error(
            "/name",
            &format!("Use at most {MAX_NAME_CHARS} characters (this has {count})."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(field_error(
            "/name",
            "Remove line breaks, tabs and other control characters.",
        ));
    }
    if name.chars().any(is_bidi_control) {
        return Err(field_error(
            "/name",
            "Remove the invisible text-direction characters.",
        ));
    }
    Ok(name.to_owned())
}

/// Checks one phone (`pointer` is e.g. `/phones/office`); `extension_allowed`
/// only for the office phone.
pub fn phone(
    pointer: &str,
    country_code: &str,
    number: &str,
    extension: Option<&str>,
    extension_allowed: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let cc_digits = country_code.strip_prefix('+').unwrap_or_default();
    if cc_digits.is_empty()
        || cc_digits.len() > 3
        || !cc_digits.bytes().all(|b| b.is_ascii_digit())
        || cc_digits.starts_with('0')
    {
        errors.push(field_error(
            &format!("{pointer}/country_code"),
            "Use + and 1 to 3 digits, such as +1 or +44.",
        ));
    }
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(field_error(
            &format!("{pointer}/number"),
            "Use digits only, without spaces or dashes.",
        ));
    } else if cc_digits.len() + number.len() > 15 {
        errors.push(field_error(
            &format!("{pointer}/number"),
            "The whole number, country code included, has at most 15 digits.",
        ));
    } else if number.len() < 4 {
        errors.push(field_error(
            &format!("{pointer}/number"),
            "This number is too short.",
        ));
    }
    match extension {
        Some(_) if !extension_allowed => errors.push(field_error(
            &format!("{pointer}/extension"),
            "Only the office phone has an extension.",
        )),
        Some(ext)
            if ext.is_empty() || ext.len() > 10 || !ext.bytes().all(|b| b.is_ascii_digit()) =>
        {
            errors.push(field_error(
                &format!("{pointer}/extension"),
                "Use 1 to 10 digits.",
            ))
        }
        _ => {}
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            app_password_name("  Outlook on my laptop ").unwrap(),
            "Outlook on my laptop"
        );
        assert_eq!(
            app_password_name(&"é".repeat(120)).unwrap().chars().count(),
            120
        );
        assert!(app_password_name(&"é".repeat(121)).is_err());
        assert!(app_password_name("   ").is_err());
        assert!(app_password_name("a\u{0007}b").is_err());
        assert!(app_password_name("line\nbreak").is_err());
        assert!(app_password_name("evil\u{202E}txt.exe").is_err());
        assert!(app_password_name("iso\u{2067}late").is_err());
        assert_eq!(
            app_password_name("<b>Mail</b> & \"x\"").unwrap(),
            "<b>Mail</b> & \"x\""
        );
        assert_eq!(app_password_name("").unwrap_err().pointer, "/name");
    }

    #[test]
    fn phones_follow_e164() {
        assert!(phone("/p", "+1", "4255550100", None, false).is_empty());
        assert!(phone("/p", "+44", "2071234567", Some("123"), true).is_empty());
        let pointers =
            |errors: Vec<FieldError>| errors.into_iter().map(|e| e.pointer).collect::<Vec<_>>();
        assert_eq!(
            pointers(phone("/p", "1", "42", None, false)),
            ["/p/country_code", "/p/number"]
        );
        assert_eq!(
            pointers(phone("/p", "+1234", "4255550100", None, false)),
            ["/p/country_code"]
        );
        assert_eq!(
            pointers(phone("/p", "+1", "425-555", None, false)),
            ["/p/number"]
        );
        assert_eq!(
            pointers(phone("/p", "+999", "1234567890123", None, false)),
            ["/p/number"]
        );
        assert_eq!(
            pointers(phone("/p", "+1", "4255550100", Some("1"), false)),
            ["/p/extension"]
        );
        assert_eq!(
            pointers(phone("/p", "+1", "4255550100", Some("x1"), true)),
            ["/p/extension"]
        );
    }
}
