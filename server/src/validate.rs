//! The contract's input rules, one function per kind of value; each returns
//! the field errors it finds, with JSON Pointers into the request body.

use contract::{check_name, ExpiryPolicy, NameProblem, MAX_NAME_CHARS, MAX_SERVICES};

use crate::problem::FieldError;
use crate::service_credentials::is_service_name;

fn field_error(pointer: &str, detail: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        detail: detail.to_owned(),
    }
}

/// Checks an app password name by the contract's rules and returns it
/// trimmed; a refusal says why, in words a user can act on.
pub fn app_password_name(raw: &str) -> Result<String, FieldError> {
    check_name(raw).map_err(|problem| {
        let detail = match problem {
            NameProblem::Empty => "Enter a name with at least one visible character.".to_owned(),
            NameProblem::TooLong { chars } => {
                format!("Use at most {MAX_NAME_CHARS} characters (this has {chars}).")
            }
            NameProblem::ControlCharacter => {
                "Remove line breaks, tabs and other control characters.".to_owned()
            }
            NameProblem::DirectionControl => {
                "Remove the invisible text-direction characters.".to_owned()
            }
            NameProblem::InvisibleCharacter => {
                "Remove invisible characters such as zero-width spaces and line separators."
                    .to_owned()
            }
        };
        field_error("/name", &detail)
    })
}

/// How far past the maximum an expiry may fall. The app sends the end of
/// the day the user picks, in the user's time zone, so the maximum's own
/// day is allowed to its end wherever the user is (and whatever their
/// clock says).
const MAXIMUM_SLACK_SECONDS: i64 = 24 * 3600;

/// The expiry of a new app password: `requested` (RFC 3339) checked
/// against `policy` at `now` (Unix seconds), or without one the policy's
/// default; `None` for never. Returned as RFC 3339 in UTC, to the second.
pub fn expires_at(
    requested: Option<&str>,
    policy: &ExpiryPolicy,
    now: i64,
) -> Result<Option<String>, FieldError> {
    let day = 24 * 3600;
    let latest = policy.max_days.map(|max| now + i64::from(max) * day);
    let Some(requested) = requested else {
        return Ok(policy
            .default_days
            .map(|days| crate::rfc3339(now + i64::from(days) * day)));
    };
    let at = time::OffsetDateTime::parse(requested, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            field_error(
                "/expires_at",
                "Use a date and time such as 2027-01-31T23:59:59Z.",
            )
        })?
        .unix_timestamp();
    if at <= now {
        return Err(field_error("/expires_at", "Choose a date in the future."));
    }
    if let (Some(latest), Some(max)) = (latest, policy.max_days) {
        if at > latest + MAXIMUM_SLACK_SECONDS {
            return Err(field_error(
                "/expires_at",
                &format!("Choose a date at most {max} days from now."),
            ));
        }
    }
    Ok(Some(crate::rfc3339(at)))
}

/// The services a new app password opens: `None` (absent or `null`) for
/// every service, else a list of 1 to [`MAX_SERVICES`] distinct names
/// that `/verify` takes in `X-Service-Name`. A name is never echoed before
/// it has passed, so a detail cannot carry what a client should not see
/// again (control characters, a megabyte of text).
pub fn services(requested: Option<&[String]>) -> Result<Option<Vec<String>>, FieldError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    let refuse = |detail: &str| Err(field_error("/services", detail));
    if requested.is_empty() {
        return refuse("Choose at least one service, or leave the list out for every service.");
    }
    if requested.len() > MAX_SERVICES {
        return refuse(&format!(
            "Choose at most {MAX_SERVICES} services (this has {}).",
            requested.len()
        ));
    }
    for (index, name) in requested.iter().enumerate() {
        if !is_service_name(name) {
            return refuse(&format!(
                "Service {} is not a service name: use a lowercase letter, then up to 31 \
                 lowercase letters, digits or dashes, such as imap or caldav.",
                index + 1
            ));
        }
        if requested[..index].contains(name) {
            return refuse(&format!("{name} is listed twice."));
        }
    }
    Ok(Some(requested.to_vec()))
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
    let country_code_error = if cc_digits.is_empty()
        || cc_digits.len() > 3
        || !cc_digits.bytes().all(|b| b.is_ascii_digit())
    {
        Some("Use + and 1 to 3 digits, such as +1 or +44.")
    } else if cc_digits.starts_with('0') {
        // "+0…" has the right shape, so the shape alone would not say why.
        Some("No country code begins with 0: use + and 1 to 3 digits, such as +1 or +44.")
    } else {
        None
    };
    if let Some(detail) = country_code_error {
        errors.push(field_error(&format!("{pointer}/country_code"), detail));
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
    fn expiry_follows_the_policy() {
        let now = 1_800_000_000;
        let day = 24 * 3600;
        let free = ExpiryPolicy {
            default_days: None,
            max_days: None,
        };
        assert_eq!(expires_at(None, &free, now), Ok(None));
        assert_eq!(
            expires_at(Some("2027-01-31T23:59:59+01:00"), &free, now).unwrap(),
            Some("2027-01-31T22:59:59Z".to_owned())
        );
        let bounded = ExpiryPolicy {
            default_days: Some(30),
            max_days: Some(90),
        };
        assert_eq!(
            expires_at(None, &bounded, now).unwrap(),
            Some(crate::rfc3339(now + 30 * day))
        );
        let in_days = |days: i64| crate::rfc3339(now + days * day);
        assert!(expires_at(Some(&in_days(90)), &bounded, now).is_ok());
        assert!(
            expires_at(Some(&in_days(91)), &bounded, now).is_ok(),
            "the last day, to its end"
        );
        let too_late = expires_at(Some(&in_days(92)), &bounded, now).unwrap_err();
        assert_eq!(too_late.pointer, "/expires_at");
        assert!(too_late.detail.contains("90 days"), "{}", too_late.detail);
        assert!(expires_at(Some(&in_days(-1)), &free, now).is_err());
        assert!(expires_at(Some("next week"), &free, now).is_err());
    }

    #[test]
    fn services_are_a_short_list_of_distinct_service_names() {
        let list = |names: &[&str]| names.iter().map(|&n| n.to_owned()).collect::<Vec<_>>();
        assert_eq!(services(None), Ok(None));
        let calendars = list(&["caldav", "carddav"]);
        assert_eq!(services(Some(&calendars)), Ok(Some(calendars.clone())));
        let most = (0..MAX_SERVICES)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>();
        assert!(services(Some(&most)).is_ok());
        let too_many = (0..=MAX_SERVICES)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>();
        for bad in [
            list(&[]),
            too_many,
            list(&["imap", "IMAP"]),
            list(&["imap", ""]),
            list(&["imap,smtp"]),
            list(&["imap", "smtp", "imap"]),
        ] {
            let refused = services(Some(&bad)).unwrap_err();
            assert_eq!(refused.pointer, "/services", "{bad:?}");
        }
        let unnamed = services(Some(&list(&["imap", "\u{7}x"]))).unwrap_err();
        assert!(
            unnamed.detail.starts_with("Service 2 "),
            "{}",
            unnamed.detail
        );
        assert!(!unnamed.detail.contains('\u{7}'));
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
