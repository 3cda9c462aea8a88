//! `Idempotency-Key` on `POST /app-passwords`: a create sent again with the
//! same key (same user, same name, within 24 hours) gets the first response
//! again, the same password, and creates nothing. That is what lets a client
//! retry a create whose response was lost without making a second password.
//!
//! The stored responses hold the password, so they are sealed with the
//! server's key, and dropped once they are too old to be given again.

use axum::http::HeaderMap;
use contract::CreatedAppPassword;
use rusqlite::{params, Connection, OptionalExtension};

use crate::crypto::{digest_bytes, SecretBox};
use crate::error::Error;
use crate::unix_now;

/// How long a create response is kept for a repeated key.
const KEEP_SECONDS: i64 = 24 * 3600;

/// Longest key accepted; a UUID, the usual key, has 36 characters.
const MAX_KEY_LENGTH: usize = 255;

/// A create's `Idempotency-Key`, with a digest of the name it was sent
/// with: the same key with another name cannot be a retry.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: String,
    name_digest: String,
}

impl IdempotencyKey {
    /// The key of a create for `name` (as validated): `None` without the
    /// header, which is allowed (then nothing is replayed), and
    /// [`Error::InvalidIdempotencyKey`] unless the header is 1 to 255
    /// visible ASCII characters.
    pub fn from_headers(headers: &HeaderMap, name: &str) -> Result<Option<Self>, Error> {
        let Some(value) = headers.get(contract::headers::IDEMPOTENCY_KEY) else {
            return Ok(None);
        };
        match value.to_str() {
            Ok(key)
                if !key.is_empty()
                    && key.len() <= MAX_KEY_LENGTH
                    && key.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Ok(Some(Self {
                    key: key.to_owned(),
                    name_digest: digest_bytes(name.as_bytes()),
                }))
            }
            _ => Err(Error::InvalidIdempotencyKey),
        }
    }

    /// The response first given under this key, if it is younger than 24
    /// hours; [`Error::IdempotencyKeyReused`] when that create was for
    /// another name.
    pub fn earlier_response(
        &self,
        conn: &Connection,
        secrets: &SecretBox,
        user_id: i64,
    ) -> Result<Option<CreatedAppPassword>, Error> {
        purge_expired(conn)?;
        // `body_hash` holds the name's digest and `answer` the sealed
        // response: the names the shipped schema gave them.
        let stored: Option<(String, Vec<u8>)> = conn
            .query_row(
                "SELECT body_hash, answer FROM idempotency_keys WHERE user_id = ?1 AND key = ?2",
                params![user_id, self.key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((name_digest, sealed)) = stored else {
            return Ok(None);
        };
        if name_digest != self.name_digest {
            return Err(Error::IdempotencyKeyReused);
        }
        let response = serde_json::from_slice(&secrets.open(&sealed)?)
            .map_err(|_| Error::StoredResponseUnreadable)?;
        Ok(Some(response))
    }

    /// Keeps `response`, sealed, to be given again for this key.
    pub fn store(
        &self,
        conn: &Connection,
        secrets: &SecretBox,
        user_id: i64,
        response: &CreatedAppPassword,
    ) -> Result<(), Error> {
        let sealed = secrets.seal(&serde_json::to_vec(response)?);
        conn.execute(
            "INSERT INTO idempotency_keys (user_id, key, body_hash, answer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user_id, self.key, self.name_digest, sealed, unix_now()],
        )?;
        Ok(())
    }
}

/// Drops every stored response older than [`KEEP_SECONDS`]: it will not be
/// given again, and it holds a password.
fn purge_expired(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [unix_now() - KEEP_SECONDS],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers_with(key: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            contract::headers::IDEMPOTENCY_KEY,
            HeaderValue::from_str(key).unwrap(),
        );
        headers
    }

    #[test]
    fn keys_are_optional_and_visible_ascii() {
        assert!(IdempotencyKey::from_headers(&HeaderMap::new(), "Mail")
            .unwrap()
            .is_none());
        let key = IdempotencyKey::from_headers(&headers_with("6f1c0b1e-key"), "Mail")
            .unwrap()
            .unwrap();
        assert_eq!(key.key, "6f1c0b1e-key");
        let too_long = "k".repeat(MAX_KEY_LENGTH + 1);
        for bad in ["", "has spaces", too_long.as_str()] {
            let headers = headers_with(bad);
            assert!(
                matches!(
                    IdempotencyKey::from_headers(&headers, "Mail"),
                    Err(Error::InvalidIdempotencyKey)
                ),
                "{bad:?}"
            );
        }
    }
}
