-- Users, their sessions and their app passwords. Every secret is stored as a
-- hash (passwords, app passwords, session ids) or sealed with the server key
-- (TOTP secrets, which must be read back to check a code).
CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    login                 TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    password_hash         TEXT NOT NULL,
    totp_secret_sealed    BLOB,
    totp_last_step        INTEGER NOT NULL DEFAULT 0,
    app_passwords_enabled INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- 'mfa': password checked, second factor pending; 'full': signed in.
    stage        TEXT NOT NULL CHECK (stage IN ('mfa', 'full')),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- Wrong second-factor codes so far; the half session ends at a limit.
    mfa_failures INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE app_passwords (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    last_used_ip TEXT,
    expires_at   TEXT
);
CREATE INDEX app_passwords_user ON app_passwords(user_id, created_at);
-- The list orders ties of created_at by SQLite's rowid (PostgreSQL's
-- migration adds a column of that name).
