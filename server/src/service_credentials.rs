//! The services that ask `/verify` on behalf of their clients (Dovecot,
//! nginx): each holds a random credential, made by the administrator's
//! `service-credential add`, of which only the SHA-256 digest is stored
//! (like bearer tokens). A service with a valid credential may say which
//! service the client used and from which address; nobody else may.

use std::net::IpAddr;
use std::path::Path;

use anyhow::Context;
use axum::http::HeaderMap;

use crate::crypto::{random_token, token_digest, write_private};
use crate::db::{Conn, Db};
use crate::error::Error;
use crate::{params, unix_now, AppState};

/// Whether `text` is a service's name as `/verify` and the administrator's
/// commands take it: a lowercase letter, then up to 31 lowercase letters,
/// digits or dashes (`imap`, `smtp`, `caldav`, `dovecot`, `nginx-dav`).
pub fn is_service_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && text.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// How a credential file holds the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialFormat {
    /// The credential alone on one line, for `checkpassword`.
    Plain,
    /// An nginx directive that sends it (`proxy_set_header …;`), for a
    /// configuration to `include` in its `auth_request` location, so the
    /// configuration itself holds no secret.
    Nginx,
}

/// Makes a credential for the service `name`, writes it to a new file at
/// `out` (mode 0600; an existing file is never overwritten), and stores its
/// digest. Refused, writing nothing, when `name` already has one.
pub async fn add(db: &Db, name: &str, out: &Path, format: CredentialFormat) -> anyhow::Result<()> {
    anyhow::ensure!(
        is_service_name(name),
        "the name must be a lowercase letter, then up to 31 lowercase letters, digits or dashes"
    );
    let looked_up = name.to_owned();
    let taken: bool = db
        .call(move |conn| {
            conn.query_one(
                "SELECT EXISTS (SELECT 1 FROM service_credentials WHERE name = ?1)",
                params![looked_up],
                |row| row.get(0),
            )
        })
        .await?;
    anyhow::ensure!(
        !taken,
        "{name} already has a credential: revoke it first to make a new one"
    );
    let credential = random_token(32);
    let text = match format {
        CredentialFormat::Plain => format!("{credential}\n"),
        CredentialFormat::Nginx => format!(
            "proxy_set_header {} \"{credential}\";\n",
            contract::headers::SERVICE_CREDENTIAL
        ),
    };
    // The file first: if it cannot be written, no credential exists that
    // nobody holds.
    write_private(out, text.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
    let (name, digest) = (name.to_owned(), token_digest(&credential));
    let stored = db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO service_credentials (name, token_hash, created_at) VALUES (?1, ?2, ?3)",
                params![name, digest, unix_now()],
            )
        })
        .await;
    if let Err(err) = stored {
        let _ = std::fs::remove_file(out);
        return Err(err.into());
    }
    Ok(())
}

/// Every service with a credential, by name, with when it was made (Unix
/// seconds).
pub fn list(conn: &mut Conn<'_>) -> Result<Vec<(String, i64)>, Error> {
    conn.query_all(
        "SELECT name, created_at FROM service_credentials ORDER BY name",
        params![],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// Revokes the credential of the service `name`; `false` when it had none.
pub fn revoke(conn: &mut Conn<'_>, name: &str) -> Result<bool, Error> {
    Ok(conn.execute(
        "DELETE FROM service_credentials WHERE name = ?1",
        params![name],
    )? > 0)
}

/// Who asks `/verify`, and on whose behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// What the client used (`imap`), when a service with a valid
    /// credential said so; `None` for anyone else.
    pub service: Option<String>,
    /// The address rate limits and the last use go by: the end client's,
    /// when a service with a valid credential sent it; else the peer's.
    pub client_address: IpAddr,
}

impl Caller {
    /// Reads the service headers of a `/verify` request from `peer`.
    /// Without any, the caller is anonymous and is who the connection says.
    /// With any, the credential must be valid ([`Error::ServiceRefused`]
    /// otherwise): a client cannot spoof its address past the per-address
    /// limit, and a service whose credential is wrong fails loudly instead
    /// of having all its clients' failures counted against its own address.
    pub async fn identify(
        state: &AppState,
        headers: &HeaderMap,
        peer: IpAddr,
    ) -> Result<Self, Error> {
        use contract::headers::{CLIENT_ADDRESS, SERVICE_CREDENTIAL, SERVICE_NAME};
        let text = |name: &str| {
            headers
                .get(name)
                .map(|value| value.to_str().map(str::trim).unwrap_or_default().to_owned())
        };
        let (credential, service, client) = (
            text(SERVICE_CREDENTIAL),
            text(SERVICE_NAME),
            text(CLIENT_ADDRESS),
        );
        let Some(credential) = credential else {
            if service.is_some() || client.is_some() {
                return Err(Error::ServiceRefused);
            }
            return Ok(Self {
                service: None,
                client_address: peer,
            });
        };
        let digest = token_digest(&credential);
        let known = state
            .db
            .call(move |conn| {
                conn.query_opt(
                    "SELECT 1 FROM service_credentials WHERE token_hash = ?1",
                    params![digest],
                    |_| Ok(()),
                )
            })
            .await?;
        if known.is_none() {
            return Err(Error::ServiceRefused);
        }
        let service = service
            .map(|name| {
                is_service_name(&name)
                    .then_some(name)
                    .ok_or(Error::MalformedServiceName)
            })
            .transpose()?;
        let client_address = match client {
            Some(address) => address
                .parse::<IpAddr>()
                .map_err(|_| Error::MalformedClientAddress)?
                .to_canonical(),
            None => peer,
        };
        Ok(Self {
            service,
            client_address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_short_lowercase_tokens() {
        for good in [
            "imap",
            "smtp",
            "caldav",
            "nginx-dav",
            "pop3",
            &"a".repeat(32),
        ] {
            assert!(is_service_name(good), "{good}");
        }
        for bad in [
            "",
            "IMAP",
            "3imap",
            "-imap",
            "im ap",
            "imap\n",
            "ímap",
            &"a".repeat(33),
        ] {
            assert!(!is_service_name(bad), "{bad:?}");
        }
    }
}
