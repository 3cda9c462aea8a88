//! The server's binary as an operator runs it, where a mistake costs most:
//! an administrator's command where no database is, a libpq string for
//! `--database`, a lost digest key, a PostgreSQL that cannot be reached.
//! Each runs the real binary in a folder of its own.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{database_flags, on_postgres, Server, SERVER_BINARY};
use reqwest::StatusCode;

/// Runs the server's binary with `args` in `folder`: whether it succeeded,
/// and what it said (stdout, then stderr). A server that starts where it
/// should have refused is stopped after 20 s, and fails the test.
fn run<S: AsRef<std::ffi::OsStr>>(folder: &Path, args: &[S]) -> (bool, String) {
    let mut child = Command::new(SERVER_BINARY)
        .args(args)
        .current_dir(folder)
        // What the environment may say must not decide these tests.
        .env_remove("APP_PASSWORDS_DATABASE")
        .env_remove("APP_PASSWORDS_DATABASE_PASSWORD_FILE")
        .env_remove("PGPASSWORD")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the server's binary");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "kept running instead of refusing: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

/// The names in `folder`, sorted.
fn contents(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn administrators_commands_never_make_a_database() {
    // Run from another folder without --database: the default path.
    let elsewhere = tempfile::tempdir().unwrap();
    let (ok, said) = run(
        elsewhere.path(),
        &[
            "service-credential",
            "add",
            "--name",
            "dovecot",
            "--out",
            "dovecot.credential",
        ],
    );
    assert!(!ok, "{said}");
    assert!(
        said.contains("no database at data/app-passwords.db; give --database"),
        "{said}"
    );
    assert!(contents(elsewhere.path()).is_empty(), "made something");

    // Every command that takes --database, where none is yet.
    let data = tempfile::tempdir().unwrap();
    let flags = database_flags(data.path());
    for command in [
        &["issue-token", "--login", "ada"][..],
        &["revoke-tokens", "--login", "ada"],
        &["app-passwords", "--login", "ada", "off"],
        &["service-credential", "list"],
        &["service-credential", "revoke", "--name", "dovecot"],
    ] {
        let args: Vec<&str> = command
            .iter()
            .copied()
            .chain(flags.iter().map(String::as_str))
            .collect();
        let (ok, said) = run(data.path(), &args);
        assert!(!ok, "{command:?}: {said}");
        assert!(
            said.contains("no database at") && said.contains("give --database"),
            "{command:?}: {said}"
        );
    }
    assert!(
        !data.path().join("app.db").exists(),
        "a command made the SQLite file"
    );

    // Once the server has made it, they work on it.
    let server = Server::start(data.path()).await;
    let listed = server.admin(&["service-credential", "list"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
}

#[test]
fn a_libpq_string_is_refused_and_never_repeated() {
    let libpq = "host=127.0.0.1 user=app password=hunter2-libpq dbname=app";
    for args in [
        &["--listen", "127.0.0.1:0", "--database", libpq][..],
        &["service-credential", "list", "--database", libpq],
    ] {
        let folder = tempfile::tempdir().unwrap();
        let (ok, said) = run(folder.path(), args);
        assert!(!ok, "{args:?}: {said}");
        assert!(!said.contains("hunter2"), "repeated the password: {said}");
        assert!(said.contains("postgres://"), "says what to write: {said}");
        assert!(
            contents(folder.path()).is_empty(),
            "made {:?}",
            contents(folder.path())
        );
    }
}

#[test]
fn an_unreachable_postgresql_says_why() {
    let folder = tempfile::tempdir().unwrap();
    // Nothing listens there.
    let url = format!("postgres://app@127.0.0.1:{}/app", testkit::free_port());
    let key_file = folder.path().join("server.key");
    let key_file = key_file.to_str().unwrap();
    for args in [
        &["service-credential", "list", "--database", &url][..],
        &[
            "--listen",
            "127.0.0.1:0",
            "--database",
            &url,
            "--key-file",
            key_file,
        ],
    ] {
        let (ok, said) = run(folder.path(), args);
        assert!(!ok, "{said}");
        assert!(said.contains("Connection refused"), "{said}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_digest_key_stops_the_server_instead_of_orphaning_every_password() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let (_, password) = server.ada().await.new_app_password("Mail").await;
    drop(server);

    let key = data.path().join("app.db.key.digest");
    let kept = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let mut args = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
    args.extend(database_flags(data.path()));
    if on_postgres() {
        // Where Server::start puts it on SQLite.
        args.extend([
            "--key-file".to_owned(),
            data.path().join("app.db.key").display().to_string(),
        ]);
    }
    let (ok, said) = tokio::task::block_in_place(|| run(data.path(), &args));
    assert!(!ok, "started without its digest key: {said}");
    assert!(said.contains(&key.display().to_string()), "{said}");
    assert!(said.contains("keys generate"), "{said}");
    assert!(!key.exists(), "made a key of its own");

    // A key for a rotation: new, private, never over another.
    let new = data.path().join("server.key.digest.new");
    let generate = ["keys", "generate", "--out", new.to_str().unwrap()];
    let (ok, said) = run(data.path(), &generate);
    assert!(ok, "{said}");
    let made = std::fs::read(&new).unwrap();
    assert_eq!(made.len(), 32);
    assert_ne!(made, kept);
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&new).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let (ok, said) = run(data.path(), &generate);
    assert!(!ok, "{said}");
    assert!(said.contains("exists"), "{said}");
    assert_eq!(std::fs::read(&new).unwrap(), made, "overwrote a key");

    // The key copied back: the password verifies again.
    std::fs::write(&key, &kept).unwrap();
    let server = Server::start(data.path()).await;
    let verified = server.client().verify("ada", &password).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}
