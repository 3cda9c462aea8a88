//! The reference server as a process of its own, the users it is seeded
//! with, and clients of its API other than the browser (another device of
//! the same user, a mail client checking an app password).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};

use super::{http, site, workspace_path};

/// A seed user of the test server: login, password and base32 TOTP secret.
pub struct TestUser {
    /// The sign-in name.
    pub login: &'static str,
    /// The account password.
    pub password: &'static str,
    /// The second factor's secret, base32; `None` for a password-only user.
    pub totp_secret: Option<&'static str>,
}

impl TestUser {
    /// The user as `--seed-user` takes it: `login:password[:secret]`.
    pub fn seed(&self) -> String {
        match self.totp_secret {
            Some(secret) => format!("{}:{}:{secret}", self.login, self.password),
            None => format!("{}:{}", self.login, self.password),
        }
    }

    /// The second-factor code an authenticator app shows right now.
    pub fn current_code(&self) -> String {
        let secret =
            app_passwords_server::totp::decode_secret(self.totp_secret.expect("a user with TOTP"))
                .expect("valid test secret");
        app_passwords_server::totp::current_code(&secret).0
    }

    /// A code of the right form that the authenticator does not show now.
    pub fn wrong_code(&self) -> &'static str {
        if self.current_code() == "000000" {
            "111111"
        } else {
            "000000"
        }
    }
}

/// The demo-like user every end-to-end test signs in as.
pub const ADA: TestUser = TestUser {
    login: "ada",
    password: "analytical-engine-1843",
    totp_secret: Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
};

/// A user without a second factor, for tests that sign in more than once
/// within one 30-second code step.
pub const GRACE: TestUser = TestUser {
    login: "grace",
    password: "compiler-pioneer-1952",
    totp_secret: None,
};

/// The reference server's binary, built beforehand (`scripts/test.sh`
/// builds it; `APP_PASSWORDS_SERVER_BIN` may name another).
pub fn server_binary() -> PathBuf {
    workspace_path(
        "APP_PASSWORDS_SERVER_BIN",
        "target/debug/app-passwords-server",
    )
}

/// The reference server, built beforehand (`scripts/test.sh` builds it; this
/// builds nothing), listening on a free loopback port.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    binary: PathBuf,
    /// The SQLite file, for a test that ages what it holds.
    pub database: PathBuf,
    /// The flags that name the database, for administrator's commands.
    database_flags: Vec<String>,
    process: testkit::ProcessGroup,
    _data: tempfile::TempDir,
}

impl TestServer {
    /// Starts the server with `users` seeded and a database of its own.
    pub fn start(users: &[&TestUser]) -> Self {
        Self::start_with(users, &[])
    }

    /// Like [`TestServer::start`], with extra command-line flags.
    pub fn start_with(users: &[&TestUser], flags: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().expect("temporary folder"), users, flags)
    }

    /// Like [`TestServer::start_with`], on the database `app.db` in `data`
    /// if a test put one there (the server migrates it at start); the
    /// folder goes when the server does.
    pub fn start_in(data: tempfile::TempDir, users: &[&TestUser], flags: &[&str]) -> Self {
        let binary = server_binary();
        let dist = site::dist();
        assert!(
            binary.is_file(),
            "no server at {}: run scripts/test.sh, which builds it first",
            binary.display()
        );
        let database = data.path().join("app.db");
        let seeds: Vec<String> = users.iter().map(|u| u.seed()).collect();
        let mut command = Command::new(&binary);
        // A port of the test's own choosing comes with the flags (a provider
        // must know the server's address before it starts).
        if !flags.contains(&"--listen") {
            command.arg("--listen").arg("127.0.0.1:0");
        }
        command
            // In the environment, so that a flag can name another database
            // (the benchmark's PostgreSQL).
            .env("APP_PASSWORDS_DATABASE", &database)
            .arg("--dist")
            .arg(&dist)
            .args(flags)
            .env("APP_PASSWORDS_SEED_USER", seeds.join("\n"));
        let (process, base_url) = testkit::server::spawn(command, &data.path().join("server.log"));
        Self {
            base_url,
            binary,
            database_flags: named_database(flags)
                .unwrap_or_else(|| testkit::server::database_flags(data.path(), false)),
            database,
            process,
            _data: data,
        }
    }

    /// Runs one of the server's administrator commands (`issue-token
    /// --login ada`, say) on this server's database, as an operator would,
    /// and returns what it printed.
    pub fn admin(&self, args: &[&str]) -> String {
        let output = testkit::server::admin(&self.binary, &self.database_flags, args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// The server's binary (Dovecot runs it as its checkpassword program).
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// Makes a credential for the service `name` with the administrator's
    /// `service-credential add`, in a new file (mode 0600) beside the
    /// database; returns the file's path.
    pub fn service_credential(&self, name: &str) -> PathBuf {
        testkit::server::service_credential(
            &self.binary,
            &self.database_flags,
            name,
            "plain",
            self.database.with_file_name(format!("{name}.credential")),
        )
    }

    /// `GET /api/v1/verify` with HTTP Basic, sent from the test as a mail
    /// client would send it: the status and the JSON body.
    pub async fn verify(&self, login: &str, password: &str) -> (u16, Value) {
        http::verify(&self.base_url, login, password).await
    }

    /// `GET /api/v1/verify` as the service `service` sends it, with the
    /// service credential in the file `credential` (from
    /// [`Self::service_credential`]): the status.
    pub async fn verify_through(
        &self,
        credential: &Path,
        service: &str,
        login: &str,
        password: &str,
    ) -> u16 {
        let credential = std::fs::read_to_string(credential).expect("the credential");
        let headers = [
            ("X-Service-Credential", credential.trim()),
            ("X-Service-Name", service),
        ];
        http::verify_with(&self.base_url, login, password, &headers)
            .await
            .0
    }

    /// Absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The server's resident memory, in bytes (`VmRSS` in Linux's
    /// `/proc/<pid>/status`): what the host pays for it.
    pub fn resident_bytes(&self) -> u64 {
        let id = self.process.id().expect("the server runs");
        let status = std::fs::read_to_string(format!("/proc/{id}/status"))
            .expect("the server's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next())
            .and_then(|value| value.parse().ok())
            .expect("VmRSS in /proc status");
        kib * 1024
    }

    /// A client other than the browser, signed in as `login` with a bearer
    /// token an administrator issued: another device of the same user.
    pub fn other_client(&self, login: &str) -> OtherClient {
        OtherClient {
            base_url: self.base_url.clone(),
            token: self
                .admin(&["issue-token", "--login", login])
                .trim()
                .to_owned(),
            client: http::client(),
        }
    }
}

/// Gives `login` `count` app passwords through the API, from `devices`
/// clients at once, as a busy server sees them.
pub async fn make_app_passwords(server: &TestServer, login: &str, count: usize, devices: usize) {
    let mut lanes = tokio::task::JoinSet::new();
    for lane in 0..devices {
        let device = server.other_client(login);
        lanes.spawn(async move {
            for index in (lane..count).step_by(devices) {
                let body = json!({ "name": format!("Device {index:04}") });
                let (status, response) = device
                    .call(Method::POST, "/app-passwords", Some(&body))
                    .await;
                assert_eq!(status, 201, "making app passwords: {response}");
            }
        });
    }
    // A lane's failed assertion is raised again here, message and all.
    lanes.join_all().await;
}

/// Calls the API as another device of the same user would.
pub struct OtherClient {
    base_url: String,
    token: String,
    client: reqwest::Client,
}

impl OtherClient {
    /// Sends `method` to `/api/v1{path}` (a create with a fresh
    /// `Idempotency-Key`): the status and the JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        // Unique even for calls in the same nanosecond from two tasks.
        static CALLS: AtomicU64 = AtomicU64::new(0);
        let key = format!(
            "other-{}-{}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
            CALLS.fetch_add(1, Ordering::Relaxed)
        );
        let mut request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base_url))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = http::send(request).await;
        (response.status, response.json())
    }

    /// The user's app passwords, as the server holds them.
    pub async fn app_passwords(&self) -> Vec<Value> {
        let (status, list) = self.call(Method::GET, "/app-passwords", None).await;
        assert_eq!(status, 200, "{list}");
        list["items"].as_array().cloned().unwrap_or_default()
    }
}

/// The flags among `flags` that name another database than the data
/// folder's own (`--database`, with its password file), if any.
fn named_database(flags: &[&str]) -> Option<Vec<String>> {
    let named: Vec<String> = flags
        .windows(2)
        .filter(|pair| ["--database", "--database-password-file"].contains(&pair[0]))
        .flat_map(|pair| pair.iter().map(|flag| (*flag).to_owned()))
        .collect();
    (!named.is_empty()).then_some(named)
}
