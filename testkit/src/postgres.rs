//! A throwaway PostgreSQL cluster (Debian's `postgresql`) as a test's child
//! process: `initdb` in a temporary folder, then `postgres` itself on a
//! free 127.0.0.1 port, as the `postgres` user when the tests run as root
//! (PostgreSQL refuses to run as root). No system service is used or
//! touched. Dropping it stops the server and removes the folder.
//!
//! Connections over TCP need the password of the superuser [`USER`]
//! (SCRAM), which is in [`Postgres::password_file`], so that the server
//! under test reads its password from a file as an operator's would;
//! `psql` in here uses the folder's socket.
//!
//! [`Postgres::start_with_tls`] starts one that also speaks TLS, with a
//! certificate for 127.0.0.1 signed by an authority of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::{free_port, ProcessGroup};

/// The superuser the cluster is made with.
pub const USER: &str = "app";

/// The name of the authority of a cluster with TLS, and of its files.
const AUTHORITY: &str = "authority";

/// Where Debian puts PostgreSQL's programs, newest version first.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    versions.sort_by_key(|path| {
        path.file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let bin = versions
        .pop()
        .map(|version| version.join("bin"))
        .filter(|bin| bin.join("initdb").is_file());
    bin.expect("PostgreSQL's initdb under /usr/lib/postgresql/*/bin (scripts/setup.sh installs it)")
}

/// A PostgreSQL cluster of a test's own.
pub struct Postgres {
    // Before the folder, so dropped first: the server stops before its
    // files go.
    process: ProcessGroup,
    folder: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
    databases: AtomicU32,
}

impl Postgres {
    /// Makes a cluster in a new temporary folder and starts it; returns
    /// once it accepts connections.
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// Like [`Postgres::start`], with TLS on (`ssl=on`) besides plain
    /// connections: its certificate, for 127.0.0.1, is signed by the
    /// authority in [`Postgres::authority`].
    pub fn start_with_tls() -> Self {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Self {
        let bin = bin_dir();
        let folder = tempfile::tempdir().expect("a folder for PostgreSQL");
        // SAFETY: geteuid has no preconditions.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let data = folder.path().join("data");
        let password_file = folder.path().join("password");
        std::fs::write(&password_file, "throwaway-cluster-password\n").expect("write the password");
        if as_postgres {
            let (uid, gid) = postgres_ids();
            crate::open_to_services(folder.path());
            std::os::unix::fs::chown(folder.path(), Some(uid), Some(gid))
                .expect("give the folder to postgres");
            std::os::unix::fs::chown(&password_file, Some(uid), Some(gid))
                .expect("give the password file to postgres");
        }
        let port = free_port();
        let mut initdb = Self::command_as(as_postgres, &bin.join("initdb"));
        initdb
            .arg("--pgdata")
            .arg(&data)
            .arg("--username")
            .arg(USER)
            .arg("--pwfile")
            .arg(&password_file)
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .args(["--encoding=UTF8", "--locale=C", "--no-sync"]);
        let made = initdb.output().expect("run initdb");
        assert!(
            made.status.success(),
            "initdb failed:\n{}{}",
            String::from_utf8_lossy(&made.stdout),
            String::from_utf8_lossy(&made.stderr)
        );
        let mut server = Self::command_as(as_postgres, &bin.join("postgres"));
        if tls {
            crate::certificates::authority(folder.path(), AUTHORITY);
            let (certificate, key) =
                crate::certificates::server(folder.path(), AUTHORITY, "server", "127.0.0.1");
            // PostgreSQL refuses a key that others may read or that is
            // not its own.
            std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .expect("make the key private");
            if as_postgres {
                let (uid, gid) = postgres_ids();
                std::os::unix::fs::chown(&key, Some(uid), Some(gid))
                    .expect("give the key to postgres");
            }
            server
                .args(["-c", "ssl=on", "-c"])
                .arg(format!("ssl_cert_file={}", certificate.display()))
                .arg("-c")
                .arg(format!("ssl_key_file={}", key.display()));
        }
        server
            .arg("-D")
            .arg(&data)
            .arg("-p")
            .arg(port.to_string())
            .arg("-k")
            .arg(folder.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            // A throwaway cluster: nothing it holds must survive a crash.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=200"]);
        let mut process = ProcessGroup::spawn_with_output(
            server,
            "PostgreSQL (scripts/setup.sh installs it)",
            &folder.path().join("postgres.log"),
        );
        process.wait_for_port(port);
        let cluster = Self {
            process,
            folder,
            port,
            bin,
            databases: AtomicU32::new(0),
        };
        cluster.wait_until_ready();
        cluster
    }

    /// The one cluster of this test process, started on first use and
    /// stopped (its folder removed) when the process exits, pass or fail.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Mutex<Option<&'static Postgres>>> = OnceLock::new();
        let slot = SHARED.get_or_init(|| {
            let cluster: &'static Postgres = Box::leak(Box::new(Postgres::start()));
            extern "C" fn stop() {
                if let Some(Some(cluster)) = SHARED.get().map(|slot| {
                    slot.lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .take()
                }) {
                    cluster.stop();
                }
            }
            // SAFETY: `stop` is an `extern "C" fn()` that does not unwind
            // out (stopping catches nothing that panics: it only signals
            // and removes files).
            unsafe {
                libc::atexit(stop);
            }
            Mutex::new(Some(cluster))
        });
        slot.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .expect("the shared cluster is used after the process began to exit")
    }

    /// Kills the server and removes the folder, for a cluster that is
    /// never dropped ([`Postgres::shared`]). Nothing in it must survive.
    fn stop(&self) {
        self.process.kill_now();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let _ = std::fs::remove_dir_all(self.folder.path());
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The certificate (PEM) of the authority that signed the server's
    /// certificate, when started [`Postgres::start_with_tls`].
    pub fn authority(&self) -> PathBuf {
        let certificate = self.folder.path().join(format!("{AUTHORITY}.crt"));
        assert!(
            certificate.is_file(),
            "this cluster has no TLS: start it with Postgres::start_with_tls"
        );
        certificate
    }

    /// The file holding [`USER`]'s password.
    pub fn password_file(&self) -> PathBuf {
        self.folder.path().join("password")
    }

    /// A `postgres://` URL of `database`, without the password.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Makes a new, empty database and returns its name.
    pub fn create_database(&self) -> String {
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            self.databases.fetch_add(1, Ordering::Relaxed)
        );
        self.psql(&format!("CREATE DATABASE {name}"));
        name
    }

    /// Runs `sql` as [`USER`] in the database `postgres`, over the socket;
    /// returns what it printed (unaligned, tuples only).
    pub fn psql(&self, sql: &str) -> String {
        let output = self
            .psql_command()
            .args(["-d", "postgres", "-c", sql])
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_owned()
    }

    fn psql_command(&self) -> Command {
        let mut command = Command::new(self.bin.join("psql"));
        command
            .arg("-h")
            .arg(self.folder.path())
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", USER, "-v", "ON_ERROR_STOP=1", "-qAt"]);
        command
    }

    /// Waits until the server has finished starting (it listens a moment
    /// before it accepts sessions).
    fn wait_until_ready(&self) {
        let started = std::time::Instant::now();
        loop {
            let ready = self
                .psql_command()
                .args(["-d", "postgres", "-c", "SELECT 1"])
                .output()
                .is_ok_and(|output| output.status.success());
            if ready {
                return;
            }
            assert!(
                started.elapsed() < crate::process::PATIENCE,
                "PostgreSQL did not accept sessions"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// `program` run as the `postgres` user when `as_postgres`.
    fn command_as(as_postgres: bool, program: &Path) -> Command {
        if as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

/// The ids of the `postgres` user that Debian's package makes.
fn postgres_ids() -> (u32, u32) {
    let name = std::ffi::CString::new("postgres").expect("a C string");
    // SAFETY: getpwnam returns NULL or a pointer to a static record, read
    // at once.
    let record = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(
        !record.is_null(),
        "no postgres user: install Debian's postgresql (scripts/setup.sh)"
    );
    // SAFETY: not NULL, as checked.
    unsafe { ((*record).pw_uid, (*record).pw_gid) }
}
