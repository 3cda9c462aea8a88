-- An attempt is reserved before it is judged, and counts as a failure only
-- once it has failed (or was left unjudged for a minute): attempts in
-- flight make others wait their turn instead of being refused.
ALTER TABLE attempt_failures ADD COLUMN settled INTEGER NOT NULL DEFAULT 1;

-- Wrong second-factor codes per user, from every address and session, for
-- the daily cap (`--max-wrong-codes-per-day`); `unlock` clears them.
CREATE TABLE code_failures (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Seconds since the Unix epoch.
    at      INTEGER NOT NULL
);
CREATE INDEX code_failures_user ON code_failures(user_id, at);
