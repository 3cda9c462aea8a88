//! What the tests of real services (Dovecot, nginx; started by the
//! `testkit` crate, as the browser tests start them) share here: the
//! README quotes the examples they run.

/// Panics unless every line of the first code block under `heading` in the
/// README is a line of `example` (indentation aside): what the README quotes
/// is what the tests run.
pub fn assert_readme_quotes(heading: &str, example: &str) {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("the README has no {heading:?}"))
        .1;
    let block = section
        .split("```")
        .nth(1)
        .unwrap_or_else(|| panic!("no code block under {heading:?}"));
    let lines: Vec<&str> = example.lines().map(str::trim).collect();
    // The fence's own line names the language.
    for quoted in block
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        assert!(
            lines.contains(&quoted),
            "the README quotes {quoted:?} under {heading:?}, which the example does not have"
        );
    }
}
