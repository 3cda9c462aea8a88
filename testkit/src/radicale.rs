//! The real Radicale (PyPI `radicale`, in the virtual environment
//! `scripts/setup.sh` makes in the tools folder, beside the `caldav`
//! client library) with `examples/radicale/config`: it takes the user from
//! `X-Remote-User`, which nginx sets, and lets each user into their own
//! calendars only.

use std::path::PathBuf;
use std::process::Command;

use crate::{adapted, free_port, ProcessGroup};

/// The example, as shipped.
pub const EXAMPLE: &str = include_str!("../../examples/radicale/config");

/// Radicale on a free loopback port, its calendars in a throwaway folder.
/// Dropping it stops Radicale and removes the folder; a failing test shows
/// what Radicale said first.
pub struct Radicale {
    port: u16,
    /// Before the folder: Radicale stops before its files go.
    _process: ProcessGroup,
    _folder: tempfile::TempDir,
}

impl Radicale {
    /// Starts Radicale with the example, and waits until it listens.
    pub fn start() -> Self {
        let folder = tempfile::tempdir().expect("a folder for Radicale");
        let base = folder.path();
        let port = free_port();
        let config = base.join("config");
        std::fs::write(
            &config,
            adapted(
                EXAMPLE,
                &[
                    ("127.0.0.1:5232", format!("127.0.0.1:{port}")),
                    (
                        "/var/lib/radicale/collections",
                        base.join("collections").display().to_string(),
                    ),
                ],
            ),
        )
        .expect("write Radicale's config");
        let mut command = Command::new(python());
        command.args(["-m", "radicale", "--config"]).arg(&config);
        let mut process = ProcessGroup::spawn_with_output(
            command,
            "radicale (scripts/setup.sh installs it)",
            &base.join("radicale.out"),
        );
        process.wait_for_port(port);
        Self {
            port,
            _process: process,
            _folder: folder,
        }
    }

    /// The loopback port it listens on, where nginx passes requests.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// The Python of the virtual environment that holds Radicale and the
/// `caldav` client library.
pub fn python() -> PathBuf {
    crate::tools_folder().join("radicale/bin/python")
}
