//! The guides say what the code has. The server guide's table of flags is
//! the server's own, and examples are linked, not pasted: a guide that
//! shows a configuration shows a file of `examples/` as it is. The convention, in `README.md` and
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

/// The server guide's table of flags is the server's own (`--help`): every
/// flag of the server is a row, with the environment variable and the
/// default the server has, and every row is a flag of the server.
#[test]
fn the_server_guide_lists_every_flag_as_the_server_has_it() {
    use clap::CommandFactory;
    let guide =
        std::fs::read_to_string(root().join("docs/server.md")).expect("read docs/server.md");
    let table = guide
        .split_once("## Flags")
        .expect("the server guide has a Flags section")
        .1;
    // The table's rows: `--flag …` | `ENV` … | default | what it does.
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip_while(|line| !line.starts_with("| `--"))
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    let named = |cell: &str| {
        cell.trim_start_matches('`')
            .split(['`', ' '])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let command = app_passwords_server::config::Cli::command();
    let flags: Vec<_> = command
        .get_arguments()
        .filter(|arg| arg.get_long().is_some() && !arg.is_hide_set())
        .filter(|arg| !matches!(arg.get_long(), Some("help" | "version")))
        .collect();
    for flag in &flags {
        let long = format!("--{}", flag.get_long().unwrap_or_default());
        let row = rows
            .iter()
            .find(|row| named(row[0]) == long)
            .unwrap_or_else(|| panic!("docs/server.md has no row for {long}"));
        if let Some(env) = flag.get_env() {
            assert!(
                row[1].contains(&format!("`{}`", env.to_string_lossy())),
                "{long}: the server reads {env:?}, the guide says {}",
                row[1]
            );
        }
        for default in flag.get_default_values() {
            assert!(
                row[2].contains(&format!("`{}`", default.to_string_lossy())),
                "{long}: the server's default is {default:?}, the guide says {}",
                row[2]
            );
        }
    }
    for row in &rows {
        let long = named(row[0]);
        assert!(
            flags
                .iter()
                .any(|flag| format!("--{}", flag.get_long().unwrap_or_default()) == long),
            "docs/server.md lists {long}, which the server does not have"
        );
    }
    assert!(rows.len() >= flags.len(), "one row a flag");
}
