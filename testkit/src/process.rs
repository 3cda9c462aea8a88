//! Programs that start others (chromedriver its Chromium, Dovecot and nginx
//! their workers), stopped as one group, and the loopback ports they are
//! told to listen on.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a program may take to start listening.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How long a group's leader has to end after SIGTERM (Dovecot and nginx
/// stop their workers in that time) before the whole group is killed.
const GRACE: Duration = Duration::from_secs(5);

/// A port that was free a moment ago, for a program that must be told one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// Runs a client to its end with `secret` as the first line of its
/// standard input, never in its arguments, which `ps` shows; `what` names
/// it in messages. Returns what it said.
pub fn run_with_secret(command: &mut Command, secret: &str, what: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("run {what}: {error}"));
    writeln!(child.stdin.take().expect("piped stdin"), "{secret}")
        .unwrap_or_else(|error| panic!("hand {what} its secret: {error}"));
    child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("{what}'s output: {error}"))
}

/// A program started as the leader of a process group of its own, so that
/// what it starts (chromedriver's Chromium, Dovecot's and nginx's workers)
/// goes with it: dropping this stops the whole group, and, when a test
/// fails, first shows what the program said.
pub struct ProcessGroup {
    child: Option<Child>,
    /// The program, for messages.
    what: String,
    /// The files it writes what it says to: its output, if the caller chose
    /// a file for it, and its logs.
    said_in: Vec<PathBuf>,
    /// Whether a panic's message already holds what it said.
    shown: bool,
}

impl ProcessGroup {
    /// Starts `command`, its standard streams as the command sets them;
    /// `what` names it in messages.
    pub fn spawn(command: Command, what: &str) -> Self {
        Self::start(command, what, None)
    }

    /// Starts `command` with no input and its output (standard output and
    /// error) in the file `output`: a pipe nobody reads could block it, and
    /// Dovecot keeps its standard output open.
    pub fn spawn_with_output(mut command: Command, what: &str, output: &Path) -> Self {
        let file = std::fs::File::create(output)
            .unwrap_or_else(|error| panic!("create {}: {error}", output.display()));
        let copy = file
            .try_clone()
            .expect("a second handle on the output file");
        command.stdin(Stdio::null()).stdout(copy).stderr(file);
        Self::start(command, what, Some(output.to_owned()))
    }

    /// Adds `log` to what is shown when the program fails to start or a
    /// test fails while it runs.
    pub fn with_log(mut self, log: &Path) -> Self {
        self.said_in.push(log.to_owned());
        self
    }

    /// What the program said so far: its output file and its logs.
    pub fn said(&self) -> String {
        self.said_in
            .iter()
            .map(|file| std::fs::read_to_string(file).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn start(mut command: Command, what: &str, output: Option<PathBuf>) -> Self {
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("start {what}: {error}"));
        Self {
            child: Some(child),
            what: what.to_owned(),
            said_in: output.into_iter().collect(),
            shown: false,
        }
    }

    /// The leader's process id (for reading `/proc/PID`), while it has
    /// not been waited for.
    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the leader is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Kills the whole group at once (SIGKILL), without waiting: a crash,
    /// for a fault test, or the end of a program shared by a whole test
    /// process, which is never dropped.
    pub fn kill_now(&self) {
        self.signal(libc::SIGKILL);
    }

    /// Asks the whole group to stop (SIGTERM), as a service manager does,
    /// without waiting: see [`ProcessGroup::wait_for_exit`].
    pub fn terminate(&self) {
        self.signal(libc::SIGTERM);
    }

    /// Sends `signal` to the whole group, while its leader has not been
    /// waited for (its id cannot have been reused).
    fn signal(&self, signal: libc::c_int) {
        if let Some(group) = self
            .child
            .as_ref()
            .and_then(|child| libc::pid_t::try_from(child.id()).ok())
            .filter(|group| *group > 1)
        {
            signal_group(group, signal);
        }
    }

    /// Waits up to `patience` for the leader to exit; its status, or
    /// `None` when it still runs.
    pub fn wait_for_exit(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten())
            {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the program says `marker` (in its output file or logs);
    /// returns what follows it on that line. Panics with what it said if
    /// it exits first or takes longer than [`PATIENCE`].
    pub fn wait_to_say(&mut self, marker: &str) -> String {
        let mut said = None;
        self.wait_until(&format!("did not say {marker:?}"), 20, |process| {
            said = process
                .said()
                .lines()
                .find_map(|line| line.split_once(marker).map(|(_, rest)| rest.to_owned()));
            said.is_some()
        });
        said.unwrap_or_default()
    }

    /// Waits until something accepts connections on 127.0.0.1:`port`;
    /// panics with what the program said if it exits first or takes longer
    /// than [`PATIENCE`].
    pub fn wait_for_port(&mut self, port: u16) {
        self.wait_until(&format!("is not listening on port {port}"), 50, |_| {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }

    /// Polls `ready` every `every_ms` milliseconds until it holds; panics
    /// with what the program `failed` to do, and what it said, if it
    /// exits first or takes longer than [`PATIENCE`].
    fn wait_until(&mut self, failed: &str, every_ms: u64, mut ready: impl FnMut(&Self) -> bool) {
        let started = Instant::now();
        while !ready(self) {
            let running = self.is_running();
            if !running || started.elapsed() > PATIENCE {
                self.shown = true;
                panic!(
                    "{} {failed} ({}):\n{}",
                    self.what,
                    if running {
                        "still starting"
                    } else {
                        "it exited"
                    },
                    self.said()
                );
            }
            std::thread::sleep(Duration::from_millis(every_ms));
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        // Why a test failed is often in here, and the program's folder may
        // go next.
        if std::thread::panicking() && !self.shown && !self.said_in.is_empty() {
            eprintln!("{} said:\n{}", self.what, self.said());
        }
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The group's id is the leader's pid (process_group(0) above).
        // Signalled directly: a `kill` binary given a bad argument may signal
        // every process (-1), and a pid of 0 or 1 must never be used as a
        // group.
        if let Some(group) = libc::pid_t::try_from(child.id())
            .ok()
            .filter(|group| *group > 1)
        {
            signal_group(group, libc::SIGTERM);
            let deadline = Instant::now() + GRACE;
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            // Whatever is left of the group, the leader included.
            signal_group(group, libc::SIGKILL);
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Sends `signal` to every process of the process group `group` (> 1).
fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill(2) with a negative pid signals that process group only.
    unsafe {
        libc::kill(-group, signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_group_stops_what_its_leader_started() {
        let folder = tempfile::tempdir().unwrap();
        let pid_file = folder.path().join("grandchild.pid");
        // A leader that starts a child of its own and ignores SIGTERM, as a
        // stuck service would.
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!(
            "trap '' TERM; sleep 300 & echo $! > {}; wait",
            pid_file.display()
        ));
        let mut group = ProcessGroup::spawn(command, "sh");
        let deadline = Instant::now() + PATIENCE;
        while std::fs::read_to_string(&pid_file).map_or(true, |pid| !pid.ends_with('\n')) {
            assert!(Instant::now() < deadline, "the child never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let grandchild: libc::pid_t = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(group.is_running());
        drop(group);
        // The kill is delivered a moment later, and an orphan stays a
        // zombie until init reaps it: either is gone.
        let deadline = Instant::now() + Duration::from_secs(2);
        while is_alive(grandchild) {
            assert!(
                Instant::now() < deadline,
                "the leader's child outlived the group"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether `pid` is a process that still runs (not a zombie).
    fn is_alive(pid: libc::pid_t) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            // The state follows the command's name, which is in parentheses.
            stat.rsplit_once(") ")
                .is_some_and(|(_, rest)| !rest.starts_with('Z'))
        })
    }

    #[test]
    fn waiting_for_a_port_names_the_program_that_exited_and_what_it_said() {
        let folder = tempfile::tempdir().unwrap();
        let output = folder.path().join("out");
        let mut command = Command::new("sh");
        command.arg("-c").arg("echo no such configuration; exit 1");
        let mut group = ProcessGroup::spawn_with_output(command, "the service", &output);
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            group.wait_for_port(free_port())
        }));
        let message = *waited.unwrap_err().downcast::<String>().unwrap();
        assert!(
            message.contains("the service is not listening"),
            "{message}"
        );
        assert!(message.contains("it exited"), "{message}");
        assert!(message.contains("no such configuration"), "{message}");
    }
}
