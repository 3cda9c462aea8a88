//! Two instances of the reference server on one PostgreSQL database, as
//! `examples/ha/` runs them: each a child process of its own on
//! 127.0.0.1, the same key files, and nginx with `examples/ha/nginx.conf`
//! in front, so that requests to [`Pair::front`] alternate between them.

use std::path::Path;
use std::process::Command;

use crate::{adapted, free_port, Nginx, Postgres, ProcessGroup};

/// One instance: the server's binary on a port of its own.
pub struct Instance {
    /// The running server, stopped with the test.
    pub process: ProcessGroup,
    /// Its own address, `http://127.0.0.1:PORT`, bypassing nginx.
    pub base: String,
}

/// Two instances on one database, and nginx in front of both.
pub struct Pair {
    /// The two instances, in the order they started.
    pub instances: [Instance; 2],
    /// nginx's address: requests there alternate between the instances.
    pub front: String,
    _nginx: Nginx,
    _nginx_folder: tempfile::TempDir,
    _folder: tempfile::TempDir,
}

impl Pair {
    /// Starts two instances of `server` with `flags` on a new database of
    /// the shared cluster, then nginx in front of them. They serve the app
    /// built in `dist`, or, without one, a page that only says "app".
    pub fn start(server: &Path, dist: Option<&Path>, flags: &[&str]) -> Self {
        let cluster = Postgres::shared();
        let database = cluster.url(&cluster.create_database());
        let folder = tempfile::tempdir().unwrap();
        let dist = dist.map(Path::to_path_buf).unwrap_or_else(|| {
            let stub = folder.path().join("dist");
            std::fs::create_dir_all(&stub).unwrap();
            std::fs::write(stub.join("index.html"), "<!DOCTYPE html><title>app</title>").unwrap();
            stub
        });
        let start = |name: &str| {
            let port = free_port();
            let mut command = Command::new(server);
            command
                .args(["--listen", &format!("127.0.0.1:{port}")])
                .args(["--database", &database])
                .arg("--database-password-file")
                .arg(cluster.password_file())
                // The same key files for both, as examples/ha says.
                .arg("--key-file")
                .arg(folder.path().join("server.key"))
                .arg("--dist")
                .arg(&dist)
                .args(["--trusted-proxy", "127.0.0.1"])
                .args(flags)
                .env("NO_COLOR", "1")
                .env("RUST_LOG", "warn");
            let mut process = ProcessGroup::spawn_with_output(
                command,
                name,
                &folder.path().join(format!("{name}.log")),
            );
            process.wait_for_port(port);
            Instance {
                process,
                base: format!("http://127.0.0.1:{port}"),
            }
        };
        // One after the other: the first makes the key files.
        let first = start("instance-1");
        let second = start("instance-2");
        let nginx_folder = tempfile::tempdir().unwrap();
        let front_port = free_port();
        let http = adapted(
            include_str!("../../examples/ha/nginx.conf"),
            &[
                (
                    "127.0.0.1:8081",
                    first.base.trim_start_matches("http://").to_owned(),
                ),
                (
                    "127.0.0.1:8082",
                    second.base.trim_start_matches("http://").to_owned(),
                ),
                (
                    "listen 127.0.0.1:8080;",
                    format!("listen 127.0.0.1:{front_port};"),
                ),
            ],
        );
        let nginx = Nginx::start(nginx_folder.path(), &http, front_port);
        Self {
            instances: [first, second],
            front: format!("http://127.0.0.1:{front_port}"),
            _nginx: nginx,
            _nginx_folder: nginx_folder,
            _folder: folder,
        }
    }

    /// The address of instance `index` (0 or 1).
    pub fn base(&self, index: usize) -> &str {
        &self.instances[index % 2].base
    }
}
