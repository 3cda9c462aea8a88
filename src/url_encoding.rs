//! Percent-encoding, the one piece of URL building that the API client,
//! the sign-in return path and the configuration all need.

/// `text` with every byte outside RFC 3986's unreserved set written as
/// `%XX`; with `keep_slashes`, `/` stays as it is (for a path inside a
/// query value that people read).
pub fn percent_encode(text: &str, keep_slashes: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte));
            }
            b'/' if keep_slashes => encoded.push('/'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
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
}
