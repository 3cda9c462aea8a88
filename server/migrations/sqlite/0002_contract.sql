-- The rest of the contract: security info, bearer tokens, idempotent creates.

-- App passwords are random 124-bit secrets, so a salt per user (not per
-- password) costs nothing in safety and lets /verify hash once and look the
-- hash up instead of trying every stored hash.
ALTER TABLE users ADD COLUMN app_password_salt TEXT;
CREATE UNIQUE INDEX app_passwords_hash ON app_passwords(user_id, hash);

CREATE TABLE security_info (
    user_id        INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    default_method TEXT NOT NULL,
    -- The contract's `phones` object, as JSON.
    phones         TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    -- SHA-256 of the request body: the same key with another body is refused.
    body_hash  TEXT NOT NULL,
    -- The first answer (it holds the password) sealed with the server key.
    answer     BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
