//! Examples are linked, not pasted: a guide that shows a configuration
//! shows a file of `examples/` as it is. The convention, in `README.md` and
//! every `docs/*.md`: a fenced block whose info string names the file,
//!
//! ````text
//! ```nginx title="examples/nginx-auth-request/caldav.conf"
//! ````
//!
//! holds exactly that file's text. The operator's guide marks where to
//! change each example with `EDIT:`, on the comment line before.

use std::path::{Path, PathBuf};

/// The repository's root.
fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// README.md and every guide in docs/.
fn guides() -> Vec<PathBuf> {
    let mut guides = vec![root().join("README.md")];
    let docs = std::fs::read_dir(root().join("docs")).expect("the docs folder");
    guides.extend(
        docs.map(|entry| entry.expect("a docs entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "md")),
    );
    guides
}

/// The blocks of `text` that name a file: (the file, the block's text).
fn named_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let fence_length = line.len() - line.trim_start_matches('`').len();
        if fence_length < 3 {
            continue;
        }
        let fence = &line[..fence_length];
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != fence).collect();
        if let Some((_, named)) = line.split_once("title=\"") {
            let file = named.split('"').next().unwrap_or_default().to_owned();
            blocks.push((file, body.iter().map(|l| format!("{l}\n")).collect()));
        }
    }
    blocks
}

#[test]
fn every_block_that_names_an_example_is_that_file() {
    let mut shown = 0;
    for guide in guides() {
        let text = std::fs::read_to_string(&guide).expect("read a guide");
        for (file, block) in named_blocks(&text) {
            let name = guide.display();
            assert!(
                file.starts_with("examples/"),
                "{name} names {file:?}: blocks name files of examples/"
            );
            let example = std::fs::read_to_string(root().join(&file))
                .unwrap_or_else(|error| panic!("{name} shows {file}, which is missing: {error}"));
            assert!(
                block == example,
                "{name} shows {file} other than it is: show the file unchanged"
            );
            shown += 1;
        }
    }
    // Scanning nothing would pass too: the services guide shows five.
    assert!(shown >= 5, "only {shown} examples shown");
}

#[test]
fn the_services_guide_shows_its_examples_with_their_edit_points() {
    let guide = std::fs::read_to_string(root().join("docs/services.md")).expect("docs/services.md");
    let shown: Vec<String> = named_blocks(&guide)
        .into_iter()
        .map(|(file, _)| file)
        .collect();
    for example in [
        "examples/dovecot/app-passwords.conf",
        "examples/postfix/main.cf",
        "examples/postfix/master.cf",
        "examples/nginx-auth-request/caldav.conf",
        "examples/radicale/config",
    ] {
        assert!(
            shown.iter().any(|file| file == example),
            "{example} is not shown"
        );
        let text = std::fs::read_to_string(root().join(example)).expect("read the example");
        // An edit point is a comment saying EDIT:, before the setting.
        let edit_points = text
            .lines()
            .filter(|line| line.trim_start().starts_with("# EDIT:"))
            .count();
        assert!(edit_points > 0, "{example} marks no edit point with EDIT:");
    }
}

#[test]
fn a_named_block_is_read_whole_and_an_unnamed_one_ignored() {
    let text = "```sh\nls\n```\n\n```ini title=\"examples/a\"\n[x]\ny = 1\n```\n";
    assert_eq!(
        named_blocks(text),
        [("examples/a".to_owned(), "[x]\ny = 1\n".to_owned())]
    );
}
