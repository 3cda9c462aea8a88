//! The house rules a newcomer relies on, held by a test: no file of the
//! app (`src/`) or the server (`server/src/`) over 400 lines before its unit
//! tests, and no Leptos component over 80 lines, so that one idea fits one
//! file and one component fits one screen.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

/// Lines of code a file may hold before its `#[cfg(test)]` module.
const MOST_LINES: usize = 400;
/// Lines a `#[component]` may take, from the attribute to its closing brace.
const MOST_COMPONENT_LINES: usize = 80;

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("server/src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            (shown, text)
        })
        .collect()
}

/// The lines before the unit tests, as `wc -l` counts them on the part
/// above `#[cfg(test)]`.
fn code_lines(text: &str) -> usize {
    text.lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .count()
}

/// Each component's name and length: from `#[component]` to the brace that
/// closes its function, at the function's indentation (rustfmt's layout).
fn components(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        if line.trim() != "#[component]" {
            continue;
        }
        let Some(signature) = (start..lines.len()).find(|&i| lines[i].contains("fn ")) else {
            continue;
        };
        let indent = lines[signature].len() - lines[signature].trim_start().len();
        let close = format!("{}}}", " ".repeat(indent));
        let end = (signature..lines.len())
            .find(|&i| lines[i] == close)
            .unwrap_or(lines.len() - 1);
        let name = lines[signature]
            .split("fn ")
            .nth(1)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or("?")
            .to_owned();
        found.push((name, end - start + 1));
    }
    found
}

#[test]
fn no_source_file_holds_more_than_one_screenful_of_ideas() {
    let over: Vec<String> = sources()
        .iter()
        .map(|(path, text)| (path, code_lines(text)))
        .filter(|(_, lines)| *lines > MOST_LINES)
        .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
        .collect();
    assert!(
        over.is_empty(),
        "over {MOST_LINES} lines before the unit tests; split by idea:\n{}",
        over.join("\n")
    );
}

#[test]
fn no_component_is_longer_than_a_screen() {
    let sources = sources();
    let all: Vec<(String, usize)> = sources
        .iter()
        .flat_map(|(path, text)| {
            components(text)
                .into_iter()
                .map(move |(name, lines)| (format!("{}: {name}", path.display()), lines))
        })
        .collect();
    assert!(all.len() > 30, "components found: {}", all.len());
    let over: Vec<String> = all
        .iter()
        .filter(|(_, lines)| *lines > MOST_COMPONENT_LINES)
        .map(|(name, lines)| format!("{name}, {lines} lines"))
        .collect();
    assert!(
        over.is_empty(),
        "components over {MOST_COMPONENT_LINES} lines; move handlers into helpers or split the view:\n{}",
        over.join("\n")
    );
}

#[test]
fn the_counts_are_those_of_the_rules() {
    let text = "//! a\nfn a() {}\n#[cfg(test)]\nmod tests {}\n";
    assert_eq!(code_lines(text), 2);
    let component = "#[component]\npub fn Shown(\n    x: u8,\n) -> impl IntoView {\n    x\n}\n";
    assert_eq!(components(component), [("Shown".to_owned(), 6)]);
}
