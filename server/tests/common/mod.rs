//! Shared by the server's integration tests: the server itself on a free
//! loopback port with a temporary database, a client that signs in like the
//! app does, and the contract (`api/openapi.yaml`) that every response the
//! client receives is checked against.
#![allow(dead_code)] // each test file uses its own part of this module

pub mod contract;
pub mod services;

use std::path::{Path, PathBuf};

use app_passwords_server::config::Cli;
use app_passwords_server::db::{Db, Location};
use app_passwords_server::{prepare, run, totp};
use clap::Parser;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The server's own binary, for its administrator's commands and for
/// services that run it (Dovecot's checkpassword).
pub const SERVER_BINARY: &str = env!("CARGO_BIN_EXE_app-passwords-server");

/// Ada has a second factor with this secret.
pub const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// Ada's password.
pub const ADA_PASSWORD: &str = "analytical-engine";
/// Bob's password; Bob has no second factor.
pub const BOB_PASSWORD: &str = "no-second-factor";

/// Ada's sign-in, as the password step sends it.
pub fn ada_password() -> Value {
    json!({"login": "ada", "password": ADA_PASSWORD})
}

/// The code Ada's authenticator shows now.
pub fn code_now() -> String {
    totp::current_code(&totp::decode_secret(SECRET).unwrap()).0
}

/// Whether these tests run on PostgreSQL: `APP_PASSWORDS_TEST_ENGINE=postgres`
/// runs the same tests on a throwaway cluster of this test process (a
/// database of its own for each data folder); anything else, or nothing,
/// on a SQLite file in the data folder.
pub fn on_postgres() -> bool {
    std::env::var("APP_PASSWORDS_TEST_ENGINE").is_ok_and(|engine| engine == "postgres")
}

/// Whether a test about SQLite's file itself (its mode, its bytes, its
/// migration from an old file) applies: not on PostgreSQL, which has no
/// such file. Says so when it does not, so that a skip is never silent.
pub fn sqlite_file_applies() -> bool {
    if on_postgres() {
        eprintln!("about SQLite's file only: nothing to check on PostgreSQL");
    }
    !on_postgres()
}

/// The flags that name the database of the data folder `data`, on the
/// engine these tests run on ([`on_postgres`]): see
/// [`testkit::server::database_flags`].
pub fn database_flags(data: &Path) -> Vec<String> {
    testkit::server::database_flags(data, on_postgres())
}

/// The database of the data folder `data` ([`database_flags`]), opened as
/// an administrator's command opens it.
pub async fn open_database(data: &Path) -> Db {
    let flags = database_flags(data);
    let password_file = flags.get(3).map(PathBuf::from);
    let location = Location::parse(Path::new(&flags[1]), password_file.as_deref()).unwrap();
    Db::open(&location).await.unwrap()
}

/// A server running in this process on 127.0.0.1 with its own database.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The SQLite file, when the tests run on SQLite ([`on_postgres`]);
    /// its folder is the data folder either way.
    pub database: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Starts a server on `data` (a folder) with ada and bob seeded.
    pub async fn start(data: &Path) -> Self {
        Self::start_with(data, &[]).await
    }

    /// Like [`Server::start`], allowing `per_login` failures a login and
    /// `per_address` an address (`--max-failures-per-…`), with `flags` too.
    pub async fn start_with_limits(
        data: &Path,
        per_login: &str,
        per_address: &str,
        flags: &[&str],
    ) -> Self {
        let limits = [
            "--max-failures-per-login",
            per_login,
            "--max-failures-per-address",
            per_address,
        ];
        Self::start_with(data, &[flags, &limits].concat()).await
    }

    /// Like [`Server::start`], with extra command-line flags.
    pub async fn start_with(data: &Path, flags: &[&str]) -> Self {
        Self::start_at("127.0.0.1:0", data, database_flags(data), flags).await
    }

    /// Like [`Server::start_with`], listening on `listen` (`[::1]:0`).
    pub async fn start_on(listen: &str, data: &Path, flags: &[&str]) -> Self {
        Self::start_at(listen, data, database_flags(data), flags).await
    }

    /// Like [`Server::start_with`], on the database that `database` names
    /// (`--database …` and its password's flags) rather than the data
    /// folder's own ([`database_flags`]).
    pub async fn start_on_database(
        data: &Path,
        database_args: Vec<String>,
        flags: &[&str],
    ) -> Self {
        Self::start_at("127.0.0.1:0", data, database_args, flags).await
    }

    async fn start_at(
        listen: &str,
        data: &Path,
        database_args: Vec<String>,
        flags: &[&str],
    ) -> Self {
        let dist = data.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!DOCTYPE html><title>app</title>").unwrap();
        std::fs::write(dist.join("app-1234.js"), "export default 1;").unwrap();
        let database = data.join("app.db");
        let on_postgres = database_args.iter().any(|arg| arg.starts_with("postgres"));
        let mut args = vec!["server".to_owned()];
        args.extend(database_args);
        if on_postgres {
            // Where it is on SQLite, so that tests find the keys alike.
            args.extend([
                "--key-file".to_owned(),
                data.join("app.db.key").display().to_string(),
            ]);
        }
        args.extend([
            "--dist".to_owned(),
            dist.display().to_string(),
            "--seed-user".to_owned(),
            format!("ada:{ADA_PASSWORD}:{SECRET}"),
            "--seed-user".to_owned(),
            format!("bob:{BOB_PASSWORD}"),
        ]);
        args.extend(flags.iter().map(|f| (*f).to_owned()));
        let cli = Cli::try_parse_from(args).unwrap();
        let state = prepare(&cli.serve).await.unwrap();
        let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            run(listener, state, &dist, std::future::pending())
                .await
                .unwrap();
        });
        Self {
            base,
            database,
            task,
        }
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs the server's binary with `args` and `--database` of this
    /// server, as an operator would (`service-credential add …`).
    pub fn admin(&self, args: &[&str]) -> std::process::Output {
        testkit::server::admin(Path::new(SERVER_BINARY), &database_flags(self.data()), args)
    }

    /// Makes a credential for the service `name` with `service-credential
    /// add`, in `format` (`plain`, `nginx`), and returns the file it wrote.
    pub fn service_credential(&self, name: &str, format: &str) -> PathBuf {
        testkit::server::service_credential(
            Path::new(SERVER_BINARY),
            &database_flags(self.data()),
            name,
            format,
            self.database
                .with_file_name(format!("{name}.{format}.credential")),
        )
    }

    /// A second connection to the same database, as an administrator's
    /// command would open it.
    pub async fn admin_db(&self) -> Db {
        open_database(self.data()).await
    }

    /// The server's data folder.
    pub fn data(&self) -> &Path {
        self.database.parent().expect("the data folder")
    }

    /// A client with an empty cookie jar.
    pub fn client(&self) -> Api {
        Api::at(&self.base)
    }

    /// A client signed in as ada through both factors.
    pub async fn ada(&self) -> Api {
        let mut api = self.client();
        let response = api.post("/session", &ada_password()).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        let response = api
            .post("/session/mfa", &json!({ "code": code_now() }))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        api.csrf = response.body["csrf_token"].as_str().map(str::to_owned);
        api
    }

    /// A client signed in as bob (password only).
    pub async fn bob(&self) -> Api {
        Api::bob_at(&self.base).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Panics if any file in `folder` (the database, its WAL, the key file)
/// holds one of `secrets` as bytes.
pub fn assert_nowhere_on_disk(folder: &Path, secrets: &[&[u8]]) {
    for file in std::fs::read_dir(folder).unwrap() {
        let path = file.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for secret in secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == *secret),
                "{} holds a secret in the clear",
                path.display()
            );
        }
    }
}

/// Runs `sql` on the database as an operator (or time) would, to age rows.
pub async fn age(server: &Server, sql: &'static str) {
    server
        .admin_db()
        .await
        .call(move |conn| conn.batch(sql))
        .await
        .unwrap();
}

/// Reads from `stream` until it closes or `within` passes; true when it
/// closed (EOF or reset), and the bytes it sent before.
pub async fn closes_within(stream: &mut TcpStream, within: Duration) -> (bool, String) {
    let mut received = Vec::new();
    let deadline = Instant::now() + within;
    loop {
        let mut buffer = [0u8; 4096];
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return (false, String::from_utf8_lossy(&received).into_owned()),
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (true, String::from_utf8_lossy(&received).into_owned())
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// A raw TCP connection to the server, for clients that misbehave.
pub async fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// One response, already checked against the contract.
#[derive(Debug)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The JSON body, or `null` when there is none.
    pub body: Value,
}

impl ApiResponse {
    /// The problem type's last segment, for error responses.
    pub fn problem_kind(&self) -> &str {
        self.body["type"]
            .as_str()
            .and_then(|t| t.rsplit('/').next())
            .unwrap_or_default()
    }

    /// Panics unless this is 422 `validation-failed` whose first field
    /// error is at `pointer`; `what` names the input in the message.
    pub fn assert_refused_at(&self, pointer: &str, what: &str) {
        assert_eq!(self.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert_eq!(self.problem_kind(), "validation-failed", "{what}");
        assert_eq!(self.body["errors"][0]["pointer"], pointer, "{what}");
    }
}

/// A client of `/api/v1` that behaves like the app: cookie jar, CSRF header
/// on unsafe methods, optional bearer token.
pub struct Api {
    base: String,
    http: reqwest::Client,
    /// The CSRF token of the last session response.
    pub csrf: Option<String>,
    /// A bearer token to send instead of relying on cookies.
    pub bearer: Option<String>,
}

impl Api {
    /// A client of the server at `base` (`http://127.0.0.1:PORT`) with an
    /// empty cookie jar.
    pub fn at(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            csrf: None,
            bearer: None,
        }
    }

    /// A client of the server at `base` signed in as bob (password only).
    pub async fn bob_at(base: &str) -> Self {
        let mut api = Self::at(base);
        let response = api
            .post(
                "/session",
                &json!({"login": "bob", "password": BOB_PASSWORD}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        api.csrf = response.body["csrf_token"].as_str().map(str::to_owned);
        api
    }

    /// This client (its cookie jar, CSRF token and bearer token) at the
    /// server at `base`: another instance on the same database.
    pub fn clone_to(&self, base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: self.http.clone(),
            csrf: self.csrf.clone(),
            bearer: self.bearer.clone(),
        }
    }

    /// Points this client (and its cookie jar, which is per host, not per
    /// port) at the server at `base`: another instance on the same
    /// database.
    pub fn point_at(&mut self, base: &str) {
        self.base = base.to_owned();
    }

    /// Sends a request to `/api/v1{path}` and checks the response against the
    /// contract before returning it.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> ApiResponse {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/api/v1{path}", self.base));
        if method != Method::GET {
            if let Some(csrf) = &self.csrf {
                request = request.header("X-CSRF-Token", csrf);
            }
        }
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        contract::check_response(&method, path, status, &headers, &body);
        assert_eq!(headers["cache-control"], "no-store", "{method} {path}");
        ApiResponse {
            status,
            headers,
            body,
        }
    }

    /// Points this client (and its cookie jar, which is per host, not per
    /// port) at another server, e.g. the same database after a restart.
    pub fn point_to(&mut self, server: &Server) {
        self.point_at(&server.base);
    }

    /// GET.
    pub async fn get(&self, path: &str) -> ApiResponse {
        self.send(Method::GET, path, None, &[]).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> ApiResponse {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    /// The sign-in's password step: `login` and `password` to `POST /session`.
    pub async fn sign_in_with(&self, login: &str, password: &str) -> ApiResponse {
        self.post(
            "/session",
            &serde_json::json!({ "login": login, "password": password }),
        )
        .await
    }

    /// PATCH a JSON body.
    pub async fn patch(&self, path: &str, body: &Value) -> ApiResponse {
        self.send(Method::PATCH, path, Some(body), &[]).await
    }

    /// PUT a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> ApiResponse {
        self.send(Method::PUT, path, Some(body), &[]).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> ApiResponse {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// How many app passwords the list holds.
    pub async fn item_count(&self) -> usize {
        let list = self.get("/app-passwords").await;
        list.body["items"]
            .as_array()
            .expect("a list of items")
            .len()
    }

    /// POST /app-passwords with a name and an Idempotency-Key.
    pub async fn create(&self, name: &str, key: &str) -> ApiResponse {
        self.create_with(&json!({ "name": name }), key).await
    }

    /// POST /app-passwords with `body` and an Idempotency-Key.
    pub async fn create_with(&self, body: &Value, key: &str) -> ApiResponse {
        self.send(
            Method::POST,
            "/app-passwords",
            Some(body),
            &[("Idempotency-Key", key)],
        )
        .await
    }

    /// Creates an app password named `name` (the name, dashed, as the
    /// `Idempotency-Key`) and returns its id and the password.
    pub async fn new_app_password(&self, name: &str) -> (String, String) {
        self.new_app_password_for(name, None).await
    }

    /// Like [`Api::new_app_password`], for the `services` given (`None`:
    /// every service).
    pub async fn new_app_password_for(
        &self,
        name: &str,
        services: Option<&[&str]>,
    ) -> (String, String) {
        let mut body = json!({ "name": name });
        if let Some(services) = services {
            body["services"] = json!(services);
        }
        let created = self.create_with(&body, &name.replace(' ', "-")).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body.get("services"), body.get("services"));
        let text = |member: &str| created.body[member].as_str().unwrap().to_owned();
        (text("id"), text("password"))
    }

    /// GET /verify with HTTP Basic, as a mail client would.
    pub async fn verify(&self, login: &str, password: &str) -> ApiResponse {
        self.verify_with(login, password, &[]).await
    }

    /// GET /verify with HTTP Basic and `headers`, as a service asking on
    /// behalf of its client would (`X-Service-Credential`…).
    pub async fn verify_with(
        &self,
        login: &str,
        password: &str,
        headers: &[(&str, &str)],
    ) -> ApiResponse {
        let mut request = self
            .http
            .get(format!("{}/api/v1/verify", self.base))
            .basic_auth(login, Some(password));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body: Value = response.json().await.unwrap();
        contract::check_response(&Method::GET, "/verify", status, &headers, &body);
        ApiResponse {
            status,
            headers,
            body,
        }
    }
}
