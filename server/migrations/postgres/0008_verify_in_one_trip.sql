-- `GET /verify` in one round trip (server/src/verify/postgres.rs): one call
-- judges an app password against the failure budget, finds it by its
-- digest, and records its use. Before, a verification took about fourteen
-- round trips (reserving the attempt, the lookup, giving it back), each a
-- wait on the kernel and on PostgreSQL's other sessions.
--
-- The same rules as the multi-trip path (rate_limit/shared.rs, verify.rs):
-- - The lookup: the login's app password whose digest is `p_digest`, or,
--   during a key rotation, `p_previous` (then moved to `p_digest`), and
--   that opens the caller's service (`p_pattern`, the `LIKE` of
--   OPENS_SERVICE). A password found through a service it does not open is
--   not found, exactly as a wrong one is not.
-- - The budget (`attempt_budget`), before the lookup: the failures of the
--   login from the address and of the address (`attempt_failures`, shared
--   with the other paths), with rows not judged for `p_stale_ms` counted as
--   failures. Spent: 'limited', with the seconds until the oldest failure
--   leaves the window, in the same time whatever was typed. While the
--   attempts in flight on the other paths could spend it: 'wait' (the
--   caller looks again), right or wrong alike.
-- - After the lookup, the budget again, right or wrong alike, under the
--   advisory locks of its keys (the same locks, in the same order, as
--   `shared::reserve`): a verdict is told only where it is counted. A
--   wrong one holds the locks alone, so that wrong passwords sent at once
--   spend exactly the budget; its failure is written under its three keys,
--   and the login's failures from every address come back for the
--   slowing. A right one (found, not expired) shares them, so that right
--   ones do not queue behind each other, and counts nothing: a success
--   gives back only its own attempt, and here its attempt is judged in
--   the very transaction that checks the budget, so it is never in flight.
-- - Nothing found and the login still has passwords of the old form
--   (Argon2id under its salt): 'old_form', with nothing counted or
--   written; the caller takes the multi-trip path, which counts first.
-- - The last use is written only when the recorded one is older than
--   `p_fresh_since`, or from another address or service.
-- Counting, judging and recording commit together: no answer leaves before
-- its failure is stored, and a request dropped half-way either committed
-- all of it or judged nothing.
-- The budget of an attempt under `p_keys` (the login from the address, the
-- address), as `shared::reserve` counts it: 'limited', with the seconds
-- until the oldest failure leaves the window, when failures have spent
-- one; 'wait' while the attempts in flight could spend one; else NULL.
-- With `p_lock` 'exclusive' or 'shared', under both keys' advisory locks
-- of that kind (held to the end of the transaction), taken in the order
-- `shared::reserve` takes them; with 'none', without. Both keys in one
-- statement each: it runs twice in every verification.
CREATE FUNCTION attempt_budget(
    p_keys TEXT[], p_limits BIGINT[], p_window_ms BIGINT, p_stale_ms BIGINT,
    p_now_ms BIGINT, p_lock TEXT, OUT outcome TEXT, OUT retry_after BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    failed BIGINT[];
    in_flight BIGINT[];
    oldest BIGINT[];
BEGIN
    IF p_lock = 'exclusive' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_keys[1], 0)),
                pg_advisory_xact_lock(hashtextextended(p_keys[2], 0));
    ELSIF p_lock = 'shared' THEN
        PERFORM pg_advisory_xact_lock_shared(hashtextextended(p_keys[1], 0)),
                pg_advisory_xact_lock_shared(hashtextextended(p_keys[2], 0));
    END IF;
    -- A row not judged for `p_stale_ms` counts as a failure.
    SELECT ARRAY[COUNT(*) FILTER (WHERE key = p_keys[1] AND judged),
                 COUNT(*) FILTER (WHERE key = p_keys[2] AND judged)],
           ARRAY[COUNT(*) FILTER (WHERE key = p_keys[1] AND NOT judged),
                 COUNT(*) FILTER (WHERE key = p_keys[2] AND NOT judged)],
           ARRAY[MIN(at_ms) FILTER (WHERE key = p_keys[1] AND judged),
                 MIN(at_ms) FILTER (WHERE key = p_keys[2] AND judged)]
      INTO failed, in_flight, oldest
      FROM (SELECT key, at_ms, settled = 1 OR at_ms <= p_now_ms - p_stale_ms AS judged
              FROM attempt_failures
             WHERE key = ANY(p_keys) AND at_ms > p_now_ms - p_window_ms) AS counted;
    FOR i IN 1..2 LOOP
        IF failed[i] >= p_limits[i] THEN
            outcome := 'limited';
            retry_after := GREATEST(
                (COALESCE(oldest[i] + p_window_ms - p_now_ms, p_window_ms) + 999) / 1000, 1);
            RETURN;
        END IF;
    END LOOP;
    IF failed[1] + in_flight[1] >= p_limits[1] OR failed[2] + in_flight[2] >= p_limits[2] THEN
        outcome := 'wait';
    END IF;
END;
$$;

CREATE FUNCTION verify_app_password(
    p_login TEXT, p_digest TEXT, p_previous TEXT, p_pattern TEXT,
    p_login_and_address TEXT, p_address_key TEXT, p_login_key TEXT,
    p_per_login_address BIGINT, p_per_address BIGINT,
    p_window_ms BIGINT, p_stale_ms BIGINT, p_now_ms BIGINT, p_attempt TEXT,
    p_now TEXT, p_fresh_since TEXT, p_client TEXT, p_service TEXT,
    OUT outcome TEXT, OUT retry_after BIGINT, OUT id TEXT, OUT name TEXT,
    OUT login_failures BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    pw app_passwords%ROWTYPE;
    by_previous BOOLEAN := FALSE;
    is_right BOOLEAN;
    keys TEXT[] := ARRAY[p_login_and_address, p_address_key];
    limits BIGINT[] := ARRAY[p_per_login_address, p_per_address];
BEGIN
    -- The budget first, before anything is looked up: a spent budget is
    -- refused in the same time whatever was typed (the lookup's time would
    -- tell a right guess from a wrong one), and while the attempts in
    -- flight could spend it, every verdict waits alike (a right one
    -- answered while a wrong one waits would tell them apart).
    SELECT b.outcome, b.retry_after INTO outcome, retry_after
      FROM attempt_budget(keys, limits, p_window_ms, p_stale_ms, p_now_ms, 'none') AS b;
    IF outcome IS NOT NULL THEN
        RETURN;
    END IF;
    SELECT ap.* INTO pw FROM app_passwords AS ap JOIN users AS u ON u.id = ap.user_id
    WHERE ap.digest = p_digest AND u.login = p_login
      AND (ap.services IS NULL OR ',' || ap.services || ',' LIKE p_pattern);
    IF NOT FOUND AND p_previous IS NOT NULL THEN
        SELECT ap.* INTO pw FROM app_passwords AS ap JOIN users AS u ON u.id = ap.user_id
        WHERE ap.digest = p_previous AND u.login = p_login
          AND (ap.services IS NULL OR ',' || ap.services || ',' LIKE p_pattern);
        by_previous := FOUND;
    END IF;
    IF pw.id IS NULL AND EXISTS (
        SELECT 1 FROM users AS u
        WHERE u.login = p_login AND u.app_password_salt IS NOT NULL
          AND EXISTS (SELECT 1 FROM app_passwords AS ap
                      WHERE ap.user_id = u.id AND ap.hash IS NOT NULL)) THEN
        outcome := 'old_form';
        RETURN;
    END IF;
    is_right := pw.id IS NOT NULL AND (pw.expires_at IS NULL OR pw.expires_at > p_now);
    -- The budget again, under the locks, right or wrong: a verdict is told
    -- only where it is counted, so that a refusal after the lookup tells
    -- nothing. A wrong one holds each key's lock alone, so that wrong ones
    -- sent at once spend exactly the budget; a right one shares it, so
    -- that right ones do not queue behind each other, only behind the
    -- wrong ones being counted.
    SELECT b.outcome, b.retry_after INTO outcome, retry_after
      FROM attempt_budget(keys, limits, p_window_ms, p_stale_ms, p_now_ms,
                          CASE WHEN is_right THEN 'shared' ELSE 'exclusive' END) AS b;
    IF outcome IS NOT NULL THEN
        RETURN;
    END IF;
    IF by_previous THEN
        UPDATE app_passwords SET digest = p_digest WHERE app_passwords.id = pw.id;
    END IF;
    IF is_right THEN
        IF NOT COALESCE(pw.last_used_at > p_fresh_since AND pw.last_used_ip = p_client
                        AND pw.last_used_service IS NOT DISTINCT FROM p_service, FALSE) THEN
            UPDATE app_passwords
               SET last_used_at = p_now, last_used_ip = p_client, last_used_service = p_service
             WHERE app_passwords.id = pw.id;
        END IF;
        outcome := 'right';
        id := pw.id;
        name := pw.name;
        RETURN;
    END IF;
    INSERT INTO attempt_failures (key, at_ms, attempt, settled)
    VALUES (p_login_and_address, p_now_ms, p_attempt, 1),
           (p_address_key, p_now_ms, p_attempt, 1),
           (p_login_key, p_now_ms, p_attempt, 1);
    SELECT COUNT(*) INTO login_failures FROM attempt_failures
     WHERE key = p_login_key AND at_ms > p_now_ms - p_window_ms;
    outcome := 'wrong';
END;
$$;
