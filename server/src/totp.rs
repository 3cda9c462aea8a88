//! RFC 6238 time-based one-time codes (SHA-1, 6 digits, 30-second steps),
//! the kind every authenticator app understands.

use data_encoding::BASE32_NOPAD;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Seconds per step.
pub const STEP: u64 = 30;
const DIGITS: u32 = 6;

/// Decodes a base32 secret as authenticator apps show it (case, spaces and
/// padding forgiven). Returns `None` when it is not base32 or too short to be
/// safe (under 80 bits).
pub fn decode_secret(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .ok()
        .filter(|bytes| bytes.len() >= 10)
}

/// The code for time step `step`.
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    totp_lite::totp_custom::<totp_lite::Sha1>(STEP, DIGITS, secret, step * STEP)
}

/// The code an authenticator app with `secret` shows now, and how many
/// seconds it stays valid.
pub fn current_code(secret: &[u8]) -> (String, u64) {
    let now = crate::unix_now().max(0) as u64;
    (code_at_step(secret, step_of(now)), STEP - now % STEP)
}

/// The time step that contains `unix_seconds`.
pub fn step_of(unix_seconds: u64) -> u64 {
    unix_seconds / STEP
}

/// Checks `code` against the step of `unix_seconds` and one step either side
/// (clock drift), accepting only steps after `last_used_step` so that a code
/// cannot be replayed. Returns the step that matched.
pub fn verify(secret: &[u8], code: &str, unix_seconds: u64, last_used_step: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    (now.saturating_sub(1)..=now + 1)
        .filter(|step| *step > last_used_step)
        .find(|step| crate::crypto::constant_time_eq(&code_at_step(secret, *step), code))
}

/// Everything but RFC 3986's unreserved characters is escaped, so that an
/// issuer or login with `:`, `&` or spaces cannot break the URI apart.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `otpauth://` URI that authenticator apps scan as a QR code.
pub fn otpauth_uri(issuer: &str, login: &str, secret: &[u8]) -> String {
    let secret = BASE32_NOPAD.encode(secret);
    let issuer = utf8_percent_encode(issuer, NOT_UNRESERVED);
    let login = utf8_percent_encode(login, NOT_UNRESERVED);
    format!("otpauth://totp/{issuer}:{login}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret and its 8-digit codes, of which
    /// a 6-digit code is the last six digits.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn matches_rfc_6238_vectors() {
        for (time, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at_step(RFC_SECRET, step_of(time)), code, "at {time}");
        }
    }

    #[test]
    fn accepts_drift_of_one_step_and_refuses_replay() {
        let now = 1_234_567_890;
        let previous = code_at_step(RFC_SECRET, step_of(now) - 1);
        assert_eq!(
            verify(RFC_SECRET, &previous, now, 0),
            Some(step_of(now) - 1)
        );
        let two_back = code_at_step(RFC_SECRET, step_of(now) - 2);
        assert_eq!(verify(RFC_SECRET, &two_back, now, 0), None);
        let current = code_at_step(RFC_SECRET, step_of(now));
        assert_eq!(verify(RFC_SECRET, &current, now, step_of(now)), None);
        assert_eq!(verify(RFC_SECRET, "12345", now, 0), None);
        assert_eq!(verify(RFC_SECRET, "abcdef", now, 0), None);
    }

    #[test]
    fn decodes_secrets_as_people_type_them() {
        let secret = decode_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        assert_eq!(secret, RFC_SECRET);
        assert!(decode_secret("not base32!").is_none());
        assert!(decode_secret("GEZDG").is_none());
    }

    #[test]
    fn builds_an_otpauth_uri() {
        let uri = otpauth_uri("App passwords", "demo user", RFC_SECRET);
        assert_eq!(
            uri,
            "otpauth://totp/App%20passwords:demo%20user?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=App%20passwords&algorithm=SHA1&digits=6&period=30"
        );
    }
}
