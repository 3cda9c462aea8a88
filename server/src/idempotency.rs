//! `Idempotency-Key` on `POST /app-passwords`: a create sent again with the
//! same key (same user, same name, within minutes) gets the first response
//! again, the same password, and creates nothing. That is what lets a
//! client retry a create whose response was lost without making a second
//! password.
//!
//! The kept response holds the password, so it is sealed under a key
//! derived from the `Idempotency-Key`, and found by a digest of it: the
//! server keeps neither the key nor anything that opens the response, so
//! only the client that sent the key can have the response back. It is
//! kept only minutes (`--idempotency-minutes`), swept by [`purge_expired`]
//! on a timer, and emptied when its app password is revoked, after which a
//! retry is answered 410 (the app password is gone) rather than with a dead
//! password or a new one.

use axum::http::HeaderMap;
use contract::CreatedAppPassword;

use crate::crypto::{digest_bytes, SecretBox};
use crate::db::Conn;
use crate::error::Error;
use crate::{params, unix_now};

/// Longest key accepted; a UUID, the usual key, has 36 characters.
const MAX_KEY_LENGTH: usize = 255;

/// A create's `Idempotency-Key` for one user, with a digest of the name it
/// was sent with: the same key with another name cannot be a retry.
#[derive(Clone)]
pub struct IdempotencyKey {
    key_digest: String,
    name_digest: String,
    seal: SecretBox,
}

/// Never prints what opens the kept response.
impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdempotencyKey")
            .field("key_digest", &self.key_digest)
            .finish_non_exhaustive()
    }
}

impl IdempotencyKey {
    /// The key of `user_id`'s create for `name` (as validated):
    /// [`Error::IdempotencyKeyRequired`] without the header, and
    /// [`Error::InvalidIdempotencyKey`] unless it is 1 to 255 visible ASCII
    /// characters.
    pub fn from_headers(headers: &HeaderMap, user_id: i64, name: &str) -> Result<Self, Error> {
        let value = headers
            .get(contract::headers::IDEMPOTENCY_KEY)
            .ok_or(Error::IdempotencyKeyRequired)?;
        match value.to_str() {
            Ok(key)
                if !key.is_empty()
                    && key.len() <= MAX_KEY_LENGTH
                    && key.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                // The user's id is part of both, so that one user's key
                // neither finds nor opens another's response.
                let material = format!("{user_id}\0{key}");
                Ok(Self {
                    key_digest: digest_bytes(format!("lookup\0{material}").as_bytes()),
                    name_digest: digest_bytes(name.as_bytes()),
                    seal: SecretBox::derived_from(material.as_bytes()),
                })
            }
            _ => Err(Error::InvalidIdempotencyKey),
        }
    }

    /// The response first given under this key, if it was kept less than
    /// `keep_seconds` ago; [`Error::IdempotencyKeyReused`] when that create
    /// was for another name, [`Error::AppPasswordRevoked`] when its app
    /// password has been revoked since.
    pub fn earlier_response(
        &self,
        conn: &mut Conn<'_>,
        keep_seconds: i64,
    ) -> Result<Option<CreatedAppPassword>, Error> {
        // An expired response under the same key is no longer given, and
        // would stand in the way of the new one.
        conn.execute(
            "DELETE FROM create_replays WHERE key_digest = ?1 AND created_at < ?2",
            params![self.key_digest, unix_now() - keep_seconds],
        )?;
        let stored: Option<(String, Option<Vec<u8>>)> = conn.query_opt(
            "SELECT name_digest, response FROM create_replays WHERE key_digest = ?1",
            params![self.key_digest],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let Some((name_digest, sealed)) = stored else {
            return Ok(None);
        };
        if name_digest != self.name_digest {
            return Err(Error::IdempotencyKeyReused);
        }
        let sealed = sealed.ok_or(Error::AppPasswordRevoked)?;
        let response = serde_json::from_slice(&self.seal.open(&sealed)?)
            .map_err(|_| Error::StoredResponseUnreadable)?;
        Ok(Some(response))
    }

    /// Keeps `response` of `user_id`, sealed, to be given again for this key.
    pub fn store(
        &self,
        conn: &mut Conn<'_>,
        user_id: i64,
        response: &CreatedAppPassword,
    ) -> Result<(), Error> {
        let sealed = self.seal.seal(&serde_json::to_vec(response)?);
        conn.execute(
            "INSERT INTO create_replays (key_digest, user_id, name_digest, app_password_id, response, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                self.key_digest,
                user_id,
                self.name_digest,
                response.item.id,
                sealed,
                unix_now()
            ],
        )?;
        Ok(())
    }
}

/// Empties the kept responses of the user's app password `id` (all of the
/// user's with `None`) as it is revoked: what is left says only that it was
/// revoked.
pub fn forget_revoked(conn: &mut Conn<'_>, user_id: i64, id: Option<&str>) -> Result<(), Error> {
    conn.execute(
        "UPDATE create_replays SET response = NULL
         WHERE user_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR app_password_id = CAST(?2 AS TEXT))",
        params![user_id, id],
    )?;
    Ok(())
}

/// Drops every kept response older than `keep_seconds`: it will not be
/// given again, and it may hold a password.
pub fn purge_expired(conn: &mut Conn<'_>, keep_seconds: i64) -> Result<u64, Error> {
    conn.execute(
        "DELETE FROM create_replays WHERE created_at < ?1",
        params![unix_now() - keep_seconds],
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
    fn keys_are_required_and_visible_ascii() {
        assert!(matches!(
            IdempotencyKey::from_headers(&HeaderMap::new(), 1, "Mail"),
            Err(Error::IdempotencyKeyRequired)
        ));
        let key = IdempotencyKey::from_headers(&headers_with("6f1c0b1e-key"), 1, "Mail").unwrap();
        let other_user =
            IdempotencyKey::from_headers(&headers_with("6f1c0b1e-key"), 2, "Mail").unwrap();
        assert_ne!(key.key_digest, other_user.key_digest);
        assert!(!key.key_digest.contains("6f1c0b1e"));
        let sealed = key.seal.seal(b"response");
        assert!(
            other_user.seal.open(&sealed).is_err(),
            "another user's key does not open it"
        );
        let too_long = "k".repeat(MAX_KEY_LENGTH + 1);
        for bad in ["", "has spaces", too_long.as_str()] {
            let headers = headers_with(bad);
            assert!(
                matches!(
                    IdempotencyKey::from_headers(&headers, 1, "Mail"),
                    Err(Error::InvalidIdempotencyKey)
                ),
                "{bad:?}"
            );
        }
    }
}
