-- Create responses kept for a retry with the same Idempotency-Key, found
-- by a digest of the key and sealed under a key derived from it: neither
-- the Idempotency-Key nor anything that opens the response is stored, so
-- a copy of the data folder, key files included, cannot read the password
-- in it. The previous table sealed them under the key file; it is dropped
-- with what it held (those responses were at most a day from expiring).
DROP TABLE idempotency_keys;
CREATE TABLE create_replays (
    -- SHA-256 of the user's id and the Idempotency-Key.
    key_digest      TEXT PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SHA-256 of the name: the same key with another name is no retry.
    name_digest     TEXT NOT NULL,
    app_password_id TEXT NOT NULL,
    -- The sealed response; NULL once its app password is revoked, so that
    -- a retry learns it is gone instead of getting a dead password.
    response        BLOB,
    created_at      INTEGER NOT NULL
);
CREATE INDEX create_replays_user ON create_replays(user_id);
CREATE INDEX create_replays_created ON create_replays(created_at);

-- Bearer tokens expire. Those issued before expiry existed get the
-- default's seven days from when they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
UPDATE api_tokens SET expires_at = created_at + 7 * 86400;
