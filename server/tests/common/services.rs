//! Real services a test starts (Dovecot, nginx): child processes on free
//! loopback ports, in throwaway folders, stopped with everything they
//! started when the test ends, pass or fail.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a service may take to start listening.
const PATIENCE: Duration = Duration::from_secs(20);

/// A port that was free a moment ago, for a program that must be told one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A shipped example configuration with the changes a test needs (its
/// ports, folders, the server's URL), each `(as shipped, as here)`. Panics
/// when the example no longer says what a change replaces, so that the
/// test never runs something other than the example.
pub fn adapted(example: &str, changes: &[(&str, String)]) -> String {
    changes
        .iter()
        .fold(example.to_owned(), |text, (shipped, here)| {
            assert!(
                text.contains(shipped),
                "the example no longer has {shipped:?}"
            );
            text.replace(shipped, here)
        })
}

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

/// Lets the service's own users (dovecot, nobody) into a folder that
/// `tempfile` made for root alone.
pub fn open_to_services(folder: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A running service, the leader of a process group of its own, whose
/// output goes to a file (a pipe nobody reads could block it, and Dovecot
/// keeps its standard output open). Dropping it stops the whole group.
pub struct Service {
    child: Option<Child>,
    name: &'static str,
    output: PathBuf,
}

impl Service {
    /// Starts `command` with its output in `output`.
    pub fn start(mut command: Command, name: &'static str, output: PathBuf) -> Self {
        use std::os::unix::process::CommandExt;
        let file = std::fs::File::create(&output).unwrap();
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .process_group(0);
        let child = command
            .spawn()
            .unwrap_or_else(|err| panic!("start {name}: {err}"));
        Self {
            child: Some(child),
            name,
            output,
        }
    }

    /// Waits until something accepts connections on 127.0.0.1:`port`;
    /// panics with the service's output if it exits or takes too long.
    pub fn wait_for_port(&mut self, port: u16, log: &Path) {
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = self
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten());
            if exited.is_some() || started.elapsed() > PATIENCE {
                panic!(
                    "{} is not listening on port {port} ({exited:?}):\n{}\n{}",
                    self.name,
                    std::fs::read_to_string(&self.output).unwrap_or_default(),
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The group's id is the leader's pid (process_group(0) above); never
        // 0 or 1, which would signal far more than the service.
        let Ok(group) = libc::pid_t::try_from(child.id()) else {
            return;
        };
        if group <= 1 {
            return;
        }
        // SAFETY: kill(2) with a negative pid signals that process group only.
        unsafe {
            libc::kill(-group, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Whatever is left of the group, the leader included.
        // SAFETY: as above.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = child.wait();
    }
}
