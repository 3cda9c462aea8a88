//! Sign-in through the organization's OpenID Connect provider, with this
//! server as a confidential client in the backend-for-frontend pattern: the
//! browser goes to the provider and back ([`flow`]), the server exchanges
//! the code and checks the ID token ([`tokens`]), and then sets its own
//! session cookie, so the provider's tokens never reach the browser. A
//! portal's access tokens from the same provider are taken as bearer
//! tokens ([`Oidc::bearer_user`]).

pub mod flow;
mod page;
pub mod provider;
pub mod tokens;

use std::sync::Arc;

use serde_json::Value;

use crate::config::SignInArgs;
use crate::error::Error;
use crate::users::{provider_user, User};
use crate::AppState;

/// Where the provider sends the browser back, under `--public-url`.
pub const CALLBACK_PATH: &str = "/api/v1/session/oidc/callback";
/// Where the app sends the browser to start, under `--public-url`.
pub const START_PATH: &str = "/api/v1/session/oidc/start";

/// This server as the provider's client.
pub struct Client {
    /// `--oidc-client-id`.
    pub id: String,
    /// The secret from `--oidc-client-secret-file`; never logged.
    pub secret: String,
    /// `{public-url}/api/v1/session/oidc/callback`.
    pub redirect_uri: String,
}

/// The configured provider and what this server needs to use it.
pub struct Oidc {
    /// Shown on the button: "Sign in with {name}".
    pub name: String,
    /// Discovery, keys and endpoints.
    pub provider: provider::Provider,
    /// This server as its client.
    pub client: Client,
    /// The claim that becomes the login.
    pub login_claim: String,
    /// The `aud` bearer access tokens must carry.
    pub audience: String,
    /// The start of the flow, as the app is told it.
    pub start_url: String,
}

/// Why a sign-in through the provider or a provider's token failed. The
/// reasons are fixed words: no token or claim value goes into one.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OidcError {
    /// The provider did not answer, or not with what it should.
    #[error("the provider did not answer")]
    Unreachable,
    /// The provider refused (an OAuth error code such as `access_denied`,
    /// kept to its letters by [`error_code`]).
    #[error("the provider refused: {0}")]
    Refused(String),
    /// A token failed a check.
    #[error("the token was refused: {0}")]
    BadToken(&'static str),
    /// The provider's documents do not fit this server's settings.
    #[error("the provider is misconfigured: {0}")]
    Misconfigured(&'static str),
    /// The sign-in's own cookie is missing, stale or from another sign-in.
    #[error("this sign-in was not started here or took too long")]
    FlowLost,
    /// The tokens name no usable login.
    #[error("the provider gave no usable login claim")]
    NoLogin,
    /// The login is a local user's, who signs in with a password here: a
    /// provider's word does not take over that account.
    #[error("the login belongs to a user with a password here")]
    LocalAccount,
    /// A fresh sign-in was asked for and the provider did not confirm one.
    #[error("the provider did not confirm a fresh sign-in")]
    NotFresh,
}

impl Oidc {
    /// The provider of `--oidc-issuer`, if one is given; the client secret
    /// file must be readable by its owner only.
    pub fn from_args(args: &SignInArgs) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(issuer) = &args.oidc_issuer else {
            return Ok(None);
        };
        let (Some(id), Some(secret_file), Some(public_url)) = (
            &args.oidc_client_id,
            &args.oidc_client_secret_file,
            &args.public_url,
        ) else {
            anyhow::bail!(
                "--oidc-issuer needs --oidc-client-id, --oidc-client-secret-file and --public-url"
            );
        };
        let secret = read_secret_file(secret_file)?;
        let public_url = public_url.trim_end_matches('/');
        anyhow::ensure!(
            public_url.starts_with("https://") || public_url.starts_with("http://"),
            "--public-url {public_url} must be an http(s) URL"
        );
        Ok(Some(Arc::new(Self {
            name: args.oidc_name.clone(),
            provider: provider::Provider::new(issuer)?,
            client: Client {
                id: id.clone(),
                secret,
                redirect_uri: format!("{public_url}{CALLBACK_PATH}"),
            },
            login_claim: args.oidc_login_claim.clone(),
            audience: args.oidc_audience.clone().unwrap_or_else(|| id.clone()),
            start_url: format!("{public_url}{START_PATH}"),
        })))
    }

    /// The login the claims name, by `--oidc-login-claim`. An email the
    /// provider says it has not verified is no login: anyone could have
    /// typed it.
    pub fn login_of(&self, claims: &tokens::Claims) -> Option<String> {
        let login = claims.get(&self.login_claim)?.as_str()?.trim();
        // Anything but `true` (`false`, "false") is unverified; a provider
        // that does not say (access tokens often do not) is trusted.
        let unverified = self.login_claim == "email"
            && claims
                .get("email_verified")
                .is_some_and(|verified| verified != &Value::Bool(true));
        (!login.is_empty() && login.chars().count() <= 254 && !unverified).then(|| login.to_owned())
    }

    /// The user a portal's bearer access token names, created on first
    /// sight; `None` when the token is refused, which is not logged.
    pub async fn bearer_user(&self, state: &AppState, token: &str) -> Result<Option<User>, Error> {
        let claims = match tokens::check_access_token(
            &self.provider,
            &self.audience,
            &self.client.id,
            token,
        )
        .await
        {
            Ok(claims) => claims,
            Err(refused) => {
                tracing::debug!(%refused, "a bearer access token was refused");
                return Ok(None);
            }
        };
        let Some(login) = self.login_of(&claims) else {
            return Ok(None);
        };
        let name = display_name(&claims, &login);
        state
            .db
            .call(move |conn| provider_user(conn, &login, &name))
            .await
    }
}

/// An OAuth error code as the provider sent it, kept to the letters such
/// codes have (RFC 6749 5.2), so that no text of its choosing is shown or
/// logged.
pub fn error_code(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '_')
        .take(40)
        .collect()
}

/// The name shown for a provider's user: the `name` claim, or the login.
pub fn display_name(claims: &tokens::Claims, login: &str) -> String {
    claims
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or(login)
        .chars()
        .take(200)
        .collect()
}

/// The client secret in `path`, which nobody but its owner may read.
fn read_secret_file(path: &std::path::Path) -> anyhow::Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display();
    let mode = std::fs::metadata(path)
        .map_err(|error| anyhow::anyhow!("--oidc-client-secret-file {shown}: {error}"))?
        .permissions()
        .mode();
    anyhow::ensure!(
        mode & 0o077 == 0,
        "--oidc-client-secret-file {shown} may be read by others (mode {:o}): chmod 600 it",
        mode & 0o777
    );
    let secret = std::fs::read_to_string(path)?.trim().to_owned();
    anyhow::ensure!(
        !secret.is_empty(),
        "--oidc-client-secret-file {shown} is empty"
    );
    Ok(secret)
}
