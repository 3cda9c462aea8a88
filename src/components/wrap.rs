//! Long technical values (host names, URLs) that wrap only where a reader
//! expects it: after a dot or a slash, never inside a word, where
//! "mail.example .com" would read as a space to type.

use leptos::prelude::*;

/// `pieces` one after another, with a line-break opportunity (`<wbr>`)
/// after each: [`segments`] of a value, or a password's groups.
pub fn break_after_each(pieces: Vec<String>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|piece| view! { {piece}<wbr /> })
        .collect_view()
}

/// `text` cut after each `.` and each `/` not followed by another (so
/// `https://` stays whole).
pub fn segments(text: &str) -> Vec<String> {
    let mut segments = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        segments.last_mut().expect("one at least").push(c);
        let ends = c == '.' || (c == '/' && chars.peek().is_some_and(|&next| next != '/'));
        if ends {
            segments.push(String::new());
        }
    }
    segments.retain(|segment| !segment.is_empty());
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cut_after_dots_and_slashes_only() {
        assert_eq!(
            segments("https://dav.example.test/dav/"),
            ["https://", "dav.", "example.", "test/", "dav/"]
        );
        assert_eq!(segments("grace"), ["grace"]);
        assert!(segments("").is_empty());
    }
}
