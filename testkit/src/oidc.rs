//! A real OpenID provider (npm `oidc-provider` 8.8.1, from the tools folder
//! `scripts/setup.sh` fills) run by node with `testkit/oidc/provider.mjs`,
//! for the tests of "Sign in with your organization": the server signs in
//! through it as a confidential client (authorization code and PKCE), and a
//! test's portal gets JWT access tokens from it for the server's API.
//!
//! Its own development pages sign users in: the login page's form has the
//! fields `login` and `password` (any login and any non-empty password are
//! accepted; the login is the account) and the button "Sign-in"; the
//! consent page has one button, "Continue". An account's `email` is its
//! login when that holds an `@`, else `LOGIN@example.test` ([`email_of`]).
//!
//! The portal gets a JWT access token for the server by asking the
//! authorization endpoint for `resource=`[`OidcProvider::AUDIENCE`] (with
//! PKCE, S256); its page may exchange the code itself, from the origin of
//! its redirect URI (CORS). The server's own sign-in sends no `resource`
//! and gets an ID token and an opaque userinfo token: with `scope=openid
//! email`, the ID token carries no `email`, which only userinfo gives.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use data_encoding::BASE64URL_NOPAD;
use serde_json::{json, Value};

use crate::{free_port, ProcessGroup};

/// The provider's program, beside this crate's sources.
const PROVIDER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc/provider.mjs");
/// The signer of the tokens the provider would never issue.
const MINT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc/mint.mjs");

/// The lifetime the provider gives access tokens (`ttl.AccessToken`), which
/// [`OidcProvider::access_claims`] copies.
pub const ACCESS_TOKEN_SECONDS: u64 = 600;

/// Which key signs a token [`OidcProvider::mint`] makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    /// The provider's current key, which its JWKS publishes: the token
    /// verifies, so only its claims can make the server refuse it.
    Published,
    /// A new key nobody published: a forgery. Under the published key's
    /// `kid` when `kid` is `None` (the server must check the signature,
    /// not just the name), else under that `kid` (a key it cannot find).
    Foreign {
        /// The `kid` in the token's header, when not the published one.
        kid: Option<String>,
    },
}

/// The OpenID provider on a free loopback port, its keys and the client's
/// secret in a throwaway folder. Dropping it stops the provider and removes
/// the folder; a failing test shows what the provider said first.
pub struct OidcProvider {
    port: u16,
    redirect_uri: String,
    portal_redirect_uri: String,
    /// The confidential client's secret, mode 0600.
    client_secret_file: PathBuf,
    /// The private signing JWKS, current key first.
    keys_file: PathBuf,
    /// While this exists, a token request ends the provider.
    stop_file: PathBuf,
    /// How many times it started, for a fresh output file each time.
    starts: u32,
    /// Before the folder: the provider stops before its files go.
    process: Option<ProcessGroup>,
    folder: tempfile::TempDir,
}

impl OidcProvider {
    /// The confidential client's id: the server under test signs in as it.
    pub const CLIENT_ID: &'static str = "app-passwords";
    /// The public client a test's portal gets access tokens as (no secret,
    /// PKCE), as a single-page app would.
    pub const PORTAL_CLIENT_ID: &'static str = "portal";
    /// The server's API as a resource indicator, which is also the `aud` of
    /// the access tokens issued for it. A URN: oidc-provider refuses a
    /// resource that is not an absolute URI (so not `app-passwords-api`).
    pub const AUDIENCE: &'static str = "urn:app-passwords:api";
    /// Another API the provider issues real JWT access tokens for, so that
    /// a test can show the server refuses a token meant for someone else.
    pub const OTHER_AUDIENCE: &'static str = "https://other.example";

    /// Starts the provider and waits until it listens. `redirect_uri` is
    /// the server's callback (the confidential client's only redirect URI);
    /// `portal_redirect_uri` is where the portal client returns.
    pub fn start(redirect_uri: &str, portal_redirect_uri: &str) -> Self {
        let manifest = crate::tools_folder().join("node_modules/oidc-provider/package.json");
        assert!(
            std::fs::read_to_string(&manifest).is_ok_and(|text| text.contains("\"8.8.1\"")),
            "oidc-provider 8.8.1 is not in {} (scripts/setup.sh installs it)",
            manifest.display()
        );
        let folder = tempfile::tempdir().expect("a folder for the OpenID provider");
        let client_secret_file = folder.path().join("client-secret");
        write_private(&client_secret_file, &random_secret());
        let mut provider = Self {
            port: free_port(),
            redirect_uri: redirect_uri.to_owned(),
            portal_redirect_uri: portal_redirect_uri.to_owned(),
            client_secret_file,
            keys_file: folder.path().join("keys.json"),
            stop_file: folder.path().join("stop-on-token-request"),
            starts: 0,
            process: None,
            folder,
        };
        provider.launch(false);
        provider
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: what the server
    /// is configured with, and what tokens' `iss` must equal exactly.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The confidential client's id, for the server's configuration.
    pub fn client_id(&self) -> &str {
        Self::CLIENT_ID
    }

    /// The file holding the confidential client's secret (mode 0600), as
    /// the server reads secrets from files rather than its configuration.
    pub fn client_secret_file(&self) -> &Path {
        &self.client_secret_file
    }

    /// The reference server's flags for signing in through this provider,
    /// as "Example SSO", for a server reached at `public_url`.
    pub fn server_flags(&self, public_url: &str) -> Vec<String> {
        [
            "--oidc-issuer",
            &self.issuer(),
            "--oidc-client-id",
            Self::CLIENT_ID,
            "--oidc-client-secret-file",
            &self.client_secret_file.display().to_string(),
            "--oidc-name",
            "Example SSO",
            "--public-url",
            public_url,
        ]
        .map(str::to_owned)
        .into()
    }

    /// The confidential client's secret itself, for a test that calls the
    /// token endpoint as the server would.
    pub fn client_secret(&self) -> String {
        std::fs::read_to_string(&self.client_secret_file).expect("the client secret")
    }

    /// The audience the server must require of access tokens, and the
    /// `resource` the portal asks for: [`OidcProvider::AUDIENCE`].
    pub fn audience(&self) -> &str {
        Self::AUDIENCE
    }

    /// The `kid`s the JWKS publishes, current (signing) key first, so that
    /// a test can tell which key signed a token.
    pub fn kids(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.keys_file).expect("the provider's keys");
        let jwks: Value = serde_json::from_str(&text).expect("the keys are a JWKS");
        jwks["keys"]
            .as_array()
            .expect("a JWKS has keys")
            .iter()
            .map(|key| key["kid"].as_str().expect("every key has a kid").to_owned())
            .collect()
    }

    /// Key rotation as a provider does it: restarts on the same port with a
    /// new key that signs from now on, the previous one published second
    /// (tokens it signed still verify). Sessions and grants are lost, as
    /// they live in the provider's memory.
    pub fn rotate_key(&mut self) {
        self.stop();
        self.launch(true);
    }

    /// Starts the provider again on the same port with the same keys (after
    /// [`OidcProvider::stop`] or a stop on a token request, whose file it
    /// removes), as when it comes back after an outage.
    pub fn restart(&mut self) {
        self.stop();
        self.launch(false);
    }

    /// Makes the provider end (exit status 3) at the next request to its
    /// token endpoint, without answering it: the provider going away between
    /// the user's sign-in and the server's code exchange.
    pub fn stop_on_next_token_request(&self) {
        std::fs::write(&self.stop_file, "").expect("create the stop file");
    }

    /// Kills the provider at once (SIGKILL), as an outage would, and waits
    /// for it to end. Nothing happens if it has already stopped.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill_now();
            process.wait_for_exit(crate::process::PATIENCE);
        }
    }

    /// Whether the provider still runs (it ends itself on a token request
    /// after [`OidcProvider::stop_on_next_token_request`]).
    pub fn is_running(&mut self) -> bool {
        self.process.as_mut().is_some_and(ProcessGroup::is_running)
    }

    /// Waits up to `patience` for the provider to end by itself; its exit
    /// status (3 after a stop on a token request), or `None` if it runs.
    pub fn wait_for_exit(&mut self, patience: Duration) -> Option<ExitStatus> {
        self.process.as_mut()?.wait_for_exit(patience)
    }

    /// The claims of an access token the provider would issue to the portal
    /// for `login` now: a test changes one (`exp`, `iss`, `aud`) and signs
    /// the result with [`OidcProvider::mint`] for a token it must refuse.
    pub fn access_claims(&self, login: &str) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs();
        json!({
            "iss": self.issuer(),
            "sub": login,
            "aud": Self::AUDIENCE,
            "client_id": Self::PORTAL_CLIENT_ID,
            "iat": now,
            "exp": now + ACCESS_TOKEN_SECONDS,
            "jti": random_secret(),
            "email": email_of(login),
        })
    }

    /// A compact JWS of `claims` (RS256, `typ: at+jwt`) signed as `signer`
    /// says: the tokens the provider never issues (expired, another
    /// issuer's) and forgeries, with `testkit/oidc/mint.mjs`.
    pub fn mint(&self, claims: &Value, signer: Signer) -> String {
        let mut command = Command::new(node());
        command.arg(MINT).arg(&self.keys_file);
        if let Signer::Foreign { kid } = &signer {
            command.arg("--foreign");
            if let Some(kid) = kid {
                command.arg("--kid").arg(kid);
            }
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("run node {MINT}: {error}"));
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(claims.to_string().as_bytes())
            .expect("hand mint.mjs the claims");
        let output = child.wait_with_output().expect("mint.mjs's output");
        assert!(
            output.status.success(),
            "mint.mjs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("a token is ASCII")
            .trim()
            .to_owned()
    }

    /// Starts node with the provider on `self.port` (a new first key if
    /// `rotate`), and waits until it says it listens.
    fn launch(&mut self, rotate: bool) {
        match std::fs::remove_file(&self.stop_file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => panic!("remove the stop file: {error}"),
        }
        self.starts += 1;
        let mut command = Command::new(node());
        command
            .arg(PROVIDER)
            .env(
                "OIDC_NODE_MODULES",
                crate::tools_folder().join("node_modules"),
            )
            .env("OIDC_PORT", self.port.to_string())
            .env("OIDC_KEYS_FILE", &self.keys_file)
            .env("OIDC_ROTATE", if rotate { "1" } else { "0" })
            .env("OIDC_CLIENT_ID", Self::CLIENT_ID)
            .env("OIDC_CLIENT_SECRET_FILE", &self.client_secret_file)
            .env("OIDC_REDIRECT_URI", &self.redirect_uri)
            .env("OIDC_PORTAL_REDIRECT_URI", &self.portal_redirect_uri)
            .env("OIDC_AUDIENCE", Self::AUDIENCE)
            .env("OIDC_STOP_ON_TOKEN_FILE", &self.stop_file);
        let output = self
            .folder
            .path()
            .join(format!("provider-{}.out", self.starts));
        let mut process = ProcessGroup::spawn_with_output(
            command,
            "oidc-provider (scripts/setup.sh installs it)",
            &output,
        );
        process.wait_to_say("listening on ");
        self.process = Some(process);
    }
}

/// The `email` claim the provider gives the account `login`, for a test
/// that checks who the server took a user for.
pub fn email_of(login: &str) -> String {
    if login.contains('@') {
        login.to_owned()
    } else {
        format!("{login}@example.test")
    }
}

/// Node.js (20, which oidc-provider 8 needs): the first `node` on PATH,
/// else Debian's.
fn node() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|folder| folder.join("node"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from("/usr/bin/node"))
}

/// 32 random bytes, base64url: a client secret or a token id.
fn random_secret() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .expect("random bytes");
    BASE64URL_NOPAD.encode(&bytes)
}

/// Writes `text` to a new file only its owner may read.
fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
}
