-- App passwords are found by a keyed digest: HMAC-SHA-256 under the digest
-- key, one unique index, no slow hash. They are 124-bit random secrets, so a
-- slow hash would buy nothing. `hash` (Argon2id under the user's salt) stays
-- only for passwords made before, until their first verification moves them
-- to `digest`; so it must allow NULL. SQLite cannot drop a NOT NULL, hence
-- the copy (PostgreSQL: ALTER COLUMN hash DROP NOT NULL, ADD COLUMN digest).
CREATE TABLE app_passwords_digested (
    id                TEXT PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    hash              TEXT,
    digest            TEXT,
    created_at        TEXT NOT NULL,
    last_used_at      TEXT,
    -- The end client's address, as the service that asked said it.
    last_used_ip      TEXT,
    -- `imap`, `smtp`, `caldav`…: what the service that asked called itself.
    last_used_service TEXT,
    expires_at        TEXT,
    CHECK (hash IS NOT NULL OR digest IS NOT NULL)
);
-- rowid too: the list orders ties of created_at by it.
INSERT INTO app_passwords_digested
    (rowid, id, user_id, name, hash, created_at, last_used_at, last_used_ip, expires_at)
SELECT rowid, id, user_id, name, hash, created_at, last_used_at, last_used_ip, expires_at
FROM app_passwords;
DROP TABLE app_passwords;
ALTER TABLE app_passwords_digested RENAME TO app_passwords;
CREATE INDEX app_passwords_user ON app_passwords(user_id, created_at);
CREATE UNIQUE INDEX app_passwords_hash ON app_passwords(user_id, hash);
CREATE UNIQUE INDEX app_passwords_digest ON app_passwords(digest);

-- The services that may ask the verifier on behalf of their clients
-- (Dovecot, nginx), each by a random credential of which only the SHA-256
-- digest is kept, like bearer tokens.
CREATE TABLE service_credentials (
    name        TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
