-- App passwords are found by a keyed digest: HMAC-SHA-256 under the digest
-- key, one unique index, no slow hash. They are 124-bit random secrets, so a
-- slow hash would buy nothing. `hash` (Argon2id under the user's salt) stays
-- only for passwords made before, until their first verification moves them
-- to `digest`; so it must allow NULL. PostgreSQL alters the table in place
-- (SQLite's migration copies it, having no DROP NOT NULL).
ALTER TABLE app_passwords ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE app_passwords ADD COLUMN digest TEXT;
ALTER TABLE app_passwords ADD COLUMN last_used_service TEXT;
ALTER TABLE app_passwords ADD CHECK (hash IS NOT NULL OR digest IS NOT NULL);
CREATE UNIQUE INDEX app_passwords_digest ON app_passwords(digest);

-- The services that may ask the verifier on behalf of their clients
-- (Dovecot, nginx), each by a random credential of which only the SHA-256
-- digest is kept, like bearer tokens.
CREATE TABLE service_credentials (
    name        TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
