//! What makes a good app-password name. The server enforces it; the app
//! checks the same rules before sending, so the user hears at once.

/// Longest name, in characters (Unicode scalar values), after trimming.
pub const MAX_NAME_CHARS: usize = 120;

/// What is wrong with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing visible: nothing at all, spaces, or only characters that
    /// display as nothing (variation selectors, the braille blank).
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    TooLong {
        /// How many characters it has.
        chars: usize,
    },
    /// Line breaks, tabs or other control characters.
    ControlCharacter,
    /// Characters that reorder the text around them, which can make a name
    /// display as something else.
    DirectionControl,
    /// Invisible characters: formatting characters (zero-width spaces and
    /// joiners, the byte-order mark, soft hyphens, tag characters), line
    /// and paragraph separators, and the Hangul fillers, which display as
    /// nothing and so could make two names look alike.
    InvisibleCharacter,
}

/// Checks a name; returns it trimmed, as it is saved.
pub fn check_name(name: &str) -> Result<String, NameProblem> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameProblem::TooLong { chars });
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::ControlCharacter);
    }
    if name.chars().any(is_direction_control) {
        return Err(NameProblem::DirectionControl);
    }
    if name.chars().any(is_invisible) {
        return Err(NameProblem::InvisibleCharacter);
    }
    if !name.chars().any(is_visible) {
        return Err(NameProblem::Empty);
    }
    Ok(name.to_owned())
}

/// Bidirectional marks, embeddings, overrides and isolates.
fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Unicode's format characters (general category Cf), the line and
/// paragraph separators (Zl, Zp), and the fillers that are
/// Default_Ignorable without being Cf, as of Unicode 16. A table rather
/// than a Unicode crate, so that the app's download stays small.
const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200D}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{2060}', '\u{2065}'),
    ('\u{206A}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// Characters that are allowed beside visible ones but show nothing on
/// their own: variation selectors, the combining grapheme joiner, the
/// Mongolian free variation selectors, Khmer's inherent vowels, the
/// braille blank.
const BLANK_ALONE: &[(char, char)] = &[
    ('\u{034F}', '\u{034F}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180D}'),
    ('\u{180F}', '\u{180F}'),
    ('\u{2800}', '\u{2800}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{E0100}', '\u{E01EF}'),
];

fn in_table(table: &[(char, char)], c: char) -> bool {
    table
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// Whether `c` is one of the invisible characters a name may not hold.
fn is_invisible(c: char) -> bool {
    in_table(INVISIBLE, c)
}

/// Whether `c` shows something by itself.
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !in_table(BLANK_ALONE, c) && !is_invisible(c) && !c.is_control()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Mail  ").unwrap(), "Mail");
        assert_eq!(check_name("   "), Err(NameProblem::Empty));
        assert!(check_name(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert_eq!(
            check_name(&"é".repeat(130)),
            Err(NameProblem::TooLong { chars: 130 })
        );
        assert_eq!(check_name("a\tb"), Err(NameProblem::ControlCharacter));
        assert_eq!(check_name("a\u{0007}b"), Err(NameProblem::ControlCharacter));
        assert_eq!(
            check_name("evil\u{202E}txt.exe"),
            Err(NameProblem::DirectionControl)
        );
        assert_eq!(
            check_name("iso\u{2067}late"),
            Err(NameProblem::DirectionControl)
        );
        assert_eq!(
            check_name("mark\u{200F}"),
            Err(NameProblem::DirectionControl)
        );
        // Names are text: markup is kept as typed, never interpreted.
        assert_eq!(check_name("<b>x</b> & \"y\"").unwrap(), "<b>x</b> & \"y\"");
    }

    #[test]
    fn names_show_something_and_hide_nothing() {
        for invisible in [
            "\u{200B}",
            "\u{FEFF}",
            "a\u{2028}b",
            "a\u{2029}b",
            "Ma\u{00AD}il",
            "a\u{E0041}",
            "\u{3164}",
            "\u{115F}\u{1160}",
            "\u{FFA0}",
            "a\u{2060}b",
        ] {
            assert_eq!(
                check_name(invisible),
                Err(NameProblem::InvisibleCharacter),
                "{invisible:?}"
            );
        }
        for blank in ["\u{FE0F}", "\u{2800}\u{2800}", " \u{034F} "] {
            assert_eq!(check_name(blank), Err(NameProblem::Empty), "{blank:?}");
        }
        for fine in ["❤\u{FE0F} Phone", "Почта", "البريد", "メール", "e\u{0301}"] {
            assert!(check_name(fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn the_tables_are_sorted_and_disjoint() {
        for table in [INVISIBLE, BLANK_ALONE] {
            for pair in table.windows(2) {
                assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
            }
        }
    }
}
