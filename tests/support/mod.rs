//! What the end-to-end tests stand on, all real: the reference server on a
//! free loopback port with a fresh database, and headless Chromium driven
//! through chromedriver, both started per test and killed when the test
//! ends, pass or fail.
//!
//! - [`server`]: the reference server, its test users, and clients of the
//!   API other than the browser;
//! - [`http`]: the one HTTP client the tests use outside the browser;
//! - [`browser`]: the [`Browser`], with the steps a user takes and the
//!   checks of what a user observes;
//! - [`webdriver`]: chromedriver and the raw commands fantoccini lacks;
//! - [`site`]: the app hosted elsewhere (under a sub-path, beside a portal);
//! - [`compatible_backend`]: a second backend of the contract;
//! - [`faults`]: a front that breaks the requests a test names.
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod browser;
pub mod compatible_backend;
pub mod faults;
pub mod http;
pub mod server;
pub mod site;
pub mod webdriver;

use std::path::PathBuf;
use std::time::Duration;

// What most tests name, short; each test binary uses some of it, none all.
#[allow(unused_imports)]
pub use self::{
    browser::{without_isolates, Browser},
    server::{make_app_passwords, TestServer, TestUser, ADA, GRACE},
};
// Child processes stopped as one group, and free ports: the same as the
// server's tests use for Dovecot and nginx.
#[allow(unused_imports)]
pub use testkit::{free_port, ProcessGroup};

/// How long to wait for anything the user would wait for.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A built artefact: the path in `env`, else `default` under the workspace.
fn workspace_path(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(default))
}
