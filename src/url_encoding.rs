//! Percent-encoding, the one piece of URL building that the API client,
//! the sign-in return path and the configuration all need.
//!
//! In the browser this is `encodeURIComponent`, which the page already has,
//! so the app ships no encoder of its own. It leaves `!'()*` as they are:
//! RFC 3986 "sub-delims", which a path segment (`pchar`) and a query may
//! hold as they are, and every caller puts its result only in one of those
//! (an app password's id as a path segment, a return address as a query
//! value). The sub-delims that do split a query (`&`, `=`, `+`, `;`) are
//! still encoded.

/// `text` with every character but `encodeURIComponent`'s unescaped set
/// (RFC 3986 "unreserved" and `!'()*`) written as `%XX` per UTF-8 byte;
/// with `keep_slashes`, `/` stays as it is (for a path inside a query value
/// that people read).
pub fn percent_encode(text: &str, keep_slashes: bool) -> String {
    let encoded = encode_uri_component(text);
    if keep_slashes {
        // Every `%` of the output starts an escape (a `%` of the text is
        // `%25`), so each `%2F` is a slash of the text.
        encoded.replace("%2F", "/")
    } else {
        encoded
    }
}

/// The browser's `encodeURIComponent`; it cannot throw here, as a Rust
/// string holds no lone surrogate.
#[cfg(target_arch = "wasm32")]
fn encode_uri_component(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

/// The same set as the browser's, for native builds (unit tests), where
/// js-sys's functions panic.
#[cfg(not(target_arch = "wasm32"))]
fn encode_uri_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved_bytes() {
        assert_eq!(percent_encode("a-b_c.d~e", false), "a-b_c.d~e");
        assert_eq!(percent_encode("/a?b=c&d", false), "%2Fa%3Fb%3Dc%26d");
        assert_eq!(percent_encode("/a?b=c&d", true), "/a%3Fb%3Dc%26d");
        assert_eq!(percent_encode("é", false), "%C3%A9");
    }

    #[test]
    fn follows_encode_uri_component() {
        // Sub-delims that may stand in a path segment or a query as they are.
        assert_eq!(percent_encode("!'()*", false), "!'()*");
        // Those that split a query are encoded, and so is `%` itself.
        assert_eq!(percent_encode("+;,$:@#", false), "%2B%3B%2C%24%3A%40%23");
        assert_eq!(percent_encode("%2F/", true), "%252F/");
    }
}
