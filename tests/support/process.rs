//! Child processes that start others (chromedriver its Chromium, nginx its
//! workers), ended as one group, and free ports for programs that must be
//! told one.

use std::process::{Child, Command};

/// A process started in a process group of its own (chromedriver and its
/// Chromium; nginx and its workers), all killed when this is dropped.
pub struct ProcessGroup(Option<Child>);

impl ProcessGroup {
    /// Starts `command` as the leader of a new process group; `what` names
    /// it in the message if it cannot start.
    pub fn spawn(mut command: Command, what: &str) -> Self {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Self(Some(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("start {what}: {e}")),
        ))
    }

    /// Whether the leader is still running.
    pub fn is_running(&mut self) -> bool {
        self.0
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // The group id is the leader's pid (process_group(0) above).
            // Signalled directly: a `kill` binary given a bad argument may
            // signal every process (-1), and a pid of 0 or 1 must never be
            // used as a group.
            #[cfg(unix)]
            if let Ok(group) = libc::pid_t::try_from(child.id()) {
                if group > 1 {
                    // SAFETY: kill(2) with a negative pid signals that process group only.
                    unsafe {
                        libc::kill(-group, libc::SIGKILL);
                    }
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port that was free a moment ago, for programs that must be told one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
