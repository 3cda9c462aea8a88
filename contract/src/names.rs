//! What makes a good app-password name. The server enforces it; the app
//! checks the same rules before sending, so the user hears at once.

/// Longest name, in characters (Unicode scalar values), after trimming.
pub const MAX_NAME_CHARS: usize = 120;

/// What is wrong with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing but spaces.
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
}

/// Checks a name; returns it trimmed, as it is saved.
pub fn check_name(name: &str) -> Result<String, NameProblem> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 {
        return Err(NameProblem::Empty);
    }
    if chars > MAX_NAME_CHARS {
        return Err(NameProblem::TooLong { chars });
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::ControlCharacter);
    }
    if name.chars().any(is_direction_control) {
        return Err(NameProblem::DirectionControl);
    }
    Ok(name.to_owned())
}

/// Bidirectional embeddings, overrides and isolates.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
        // Names are text: markup is kept as typed, never interpreted.
        assert_eq!(check_name("<b>x</b> & \"y\"").unwrap(), "<b>x</b> & \"y\"");
    }
}
