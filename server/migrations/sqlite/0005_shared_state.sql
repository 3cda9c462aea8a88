-- Failed attempts (a password, a code, an app password), counted in the
-- database so that every instance on it counts against the same budget.
-- One row per failure (or attempt not yet judged) under each of its keys:
-- the login from the address, the address, the login.
CREATE TABLE attempt_failures (
    id      INTEGER PRIMARY KEY,
    -- `la:`, `a:` or `l:`, then the login and address it counts against.
    key     TEXT NOT NULL,
    -- Milliseconds since the Unix epoch.
    at_ms   INTEGER NOT NULL,
    -- A random id of the attempt, by which a success takes its rows back.
    attempt TEXT NOT NULL
);
CREATE INDEX attempt_failures_key ON attempt_failures(key, at_ms);
CREATE INDEX attempt_failures_attempt ON attempt_failures(attempt);
CREATE INDEX attempt_failures_at ON attempt_failures(at_ms);
