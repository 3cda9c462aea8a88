//! Talking to the OpenID provider: its discovery document and JWKS, both
//! cached, and the token and userinfo endpoints.
//!
//! Hand-written on reqwest rather than the `openidconnect` crate: the four
//! requests are a few lines each, and that crate would bring its own HTTP
//! and crypto stacks beside the server's rustls and ring.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::OidcError;
use crate::config::is_loopback_http;

/// How long a discovery document is used before it is read again.
const DISCOVERY_FOR: Duration = Duration::from_secs(3600);
/// The least time between two fetches of the JWKS for an unknown key id:
/// tokens naming made-up ids must not make this server hammer the provider.
const JWKS_AT_MOST_EVERY: Duration = Duration::from_secs(5);
/// How long a call to the provider may take in all.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The parts of OpenID Connect Discovery this server uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// Must equal the configured issuer (Discovery 1.0, section 4.3).
    pub issuer: String,
    /// Where the browser is sent to sign in.
    pub authorization_endpoint: String,
    /// Where the code is exchanged.
    pub token_endpoint: String,
    /// The provider's signing keys.
    pub jwks_uri: String,
    /// Claims about the user, for a login claim the ID token lacks.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

/// What the token endpoint answers.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// The ID token, checked by `tokens.rs`.
    pub id_token: Option<String>,
    /// For the userinfo endpoint only; never stored or sent on.
    pub access_token: Option<String>,
}

/// One provider, its documents cached.
pub struct Provider {
    issuer: String,
    http: reqwest::Client,
    discovery: Mutex<Option<(Discovery, Instant)>>,
    /// The keys last fetched, and when a fetch was last tried (failed
    /// tries count too: a provider that does not answer is not asked again
    /// for every token).
    jwks: Mutex<(Option<JwkSet>, Option<Instant>)>,
}

impl Provider {
    /// The provider at `issuer`; nothing is fetched until needed, so the
    /// server starts while the provider is down.
    pub fn new(issuer: &str) -> anyhow::Result<Self> {
        let issuer = issuer.trim_end_matches('/').to_owned();
        anyhow::ensure!(
            issuer.starts_with("https://") || is_loopback_http(&issuer),
            "--oidc-issuer {issuer} must be https:// (plain http only on loopback)"
        );
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            // The token endpoint's answer must come from the endpoint
            // itself; a redirect there is not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            issuer,
            http,
            discovery: Mutex::new(None),
            jwks: Mutex::new((None, None)),
        })
    }

    /// The issuer, as tokens must name it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The discovery document, from the cache while it is fresh; a stale
    /// one serves while the provider does not answer.
    pub async fn discovery(&self) -> Result<Discovery, OidcError> {
        let mut cached = self.discovery.lock().await;
        if let Some((document, at)) = cached.as_ref() {
            if at.elapsed() < DISCOVERY_FOR {
                return Ok(document.clone());
            }
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        match self.get_json::<Discovery>(&url, None).await {
            Ok(document) => {
                let issuer = document.issuer.trim_end_matches('/');
                if issuer != self.issuer {
                    return Err(OidcError::Misconfigured(
                        "the discovery document names another issuer",
                    ));
                }
                let endpoints = [
                    &document.authorization_endpoint,
                    &document.token_endpoint,
                    &document.jwks_uri,
                ];
                if endpoints
                    .iter()
                    .any(|url| !url.starts_with("https://") && !is_loopback_http(url))
                {
                    return Err(OidcError::Misconfigured("an endpoint is not https://"));
                }
                *cached = Some((document.clone(), Instant::now()));
                Ok(document)
            }
            Err(error) => cached.as_ref().map(|(d, _)| d.clone()).ok_or(error),
        }
    }

    /// The key the provider signs with under `kid`: from the cache, or,
    /// when the cache lacks it (the provider rotated its keys), from the
    /// JWKS fetched again, at most every few seconds. Without a `kid`, the
    /// set's only key.
    pub async fn key(&self, kid: Option<&str>) -> Result<Jwk, OidcError> {
        let mut cached = self.jwks.lock().await;
        let (keys, tried) = &mut *cached;
        if let Some(key) = keys.as_ref().and_then(|set| find(set, kid)) {
            return Ok(key);
        }
        if tried.is_some_and(|at| at.elapsed() < JWKS_AT_MOST_EVERY) {
            return Err(OidcError::BadToken("no provider key has its key id"));
        }
        *tried = Some(Instant::now());
        let jwks_uri = self.discovery().await?.jwks_uri;
        let set = self.get_json::<JwkSet>(&jwks_uri, None).await?;
        let key = find(&set, kid);
        *keys = Some(set);
        key.ok_or(OidcError::BadToken("no provider key has its key id"))
    }

    /// Exchanges an authorization code (with its PKCE verifier) at the
    /// token endpoint, as a confidential client (`client_secret_basic`).
    pub async fn exchange(
        &self,
        client: &super::Client,
        code: &str,
        verifier: &str,
    ) -> Result<TokenResponse, OidcError> {
        let token_endpoint = self.discovery().await?.token_endpoint;
        // RFC 6749 section 2.3.1: id and secret are form-encoded before
        // they go into the Basic header.
        let encode = |text: &str| {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let response = self
            .http
            .post(token_endpoint)
            .basic_auth(encode(&client.id), Some(encode(&client.secret)))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", client.redirect_uri.as_str()),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(|_| OidcError::Unreachable)?;
        if response.status().is_server_error() {
            return Err(OidcError::Unreachable);
        }
        if !response.status().is_success() {
            // The provider's `error` is a fixed code (RFC 6749 5.2), such as
            // invalid_grant; its description is not shown to anyone.
            #[derive(Deserialize)]
            struct Refusal {
                error: String,
            }
            let refusal = response.json::<Refusal>().await.map(|r| r.error);
            return Err(OidcError::Refused(super::error_code(
                &refusal.unwrap_or_default(),
            )));
        }
        response.json().await.map_err(|_| OidcError::Unreachable)
    }

    /// The userinfo endpoint's claims, with the access token of this sign-in.
    pub async fn userinfo(
        &self,
        access_token: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OidcError> {
        let endpoint =
            self.discovery()
                .await?
                .userinfo_endpoint
                .ok_or(OidcError::Misconfigured(
                    "the provider has no userinfo endpoint",
                ))?;
        self.get_json(&endpoint, Some(access_token)).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, OidcError> {
        let mut request = self.http.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|_| OidcError::Unreachable)?;
        if !response.status().is_success() {
            return Err(OidcError::Unreachable);
        }
        response.json().await.map_err(|_| OidcError::Unreachable)
    }
}

/// The key of `set` under `kid`; without one, the set's only signing key.
fn find(set: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => set.find(kid).cloned(),
        None if set.keys.len() == 1 => set.keys.first().cloned(),
        None => None,
    }
}
