-- name: CountVisit :exec
UPDATE site_visits SET hits = hits + 1;

-- name: GetVisits :one
SELECT hits FROM site_visits;

-- name: ResetVisits :exec
UPDATE site_visits SET hits = 0;

-- name: CountLoginAttempt :one
-- Counts one attempt for each of a login's keys: its client, the account
-- from this client (the pair), and the account from any client; each key has
-- its own window, which starts again with the first attempt after it has run
-- out. Returns each key's attempts in its window and when the window began,
-- counted by this attempt or not. A client over its limit makes no other key, so it cannot fill the table
-- with ever new emails; an attempt refused for its pair does not count for
-- the account, so one client alone cannot make the account's owner wait. One
-- statement: a login pays one round trip for its throttle.
WITH client AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    VALUES (sqlc.arg(client_key), now(), 1)
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.attempts, a.window_start
), pair AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    SELECT sqlc.arg(pair_key)::text, now(), 1
    WHERE (SELECT client.attempts FROM client) <= sqlc.arg(client_limit)::integer
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.attempts, a.window_start
), account AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    SELECT sqlc.arg(account_key)::text, now(), 1
    WHERE (SELECT pair.attempts FROM pair) <= sqlc.arg(pair_limit)::integer
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.attempts, a.window_start
), held AS (
    -- The counts this attempt did not add to, as they stand (the statement's
    -- snapshot: before it), so that the wait reported covers every window
    -- that refuses.
    SELECT a.key, a.attempts, a.window_start FROM login_attempts a
    WHERE a.key IN (sqlc.arg(pair_key)::text, sqlc.arg(account_key)::text)
      AND a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
)
SELECT client.attempts AS client_attempts, client.window_start AS client_since,
       coalesce((SELECT account.attempts FROM account),
                (SELECT h.attempts FROM held h WHERE h.key = sqlc.arg(account_key)::text), 0)::integer AS account_attempts,
       coalesce((SELECT account.window_start FROM account),
                (SELECT h.window_start FROM held h WHERE h.key = sqlc.arg(account_key)::text), now())::timestamptz AS account_since,
       coalesce((SELECT pair.attempts FROM pair),
                (SELECT h.attempts FROM held h WHERE h.key = sqlc.arg(pair_key)::text), 0)::integer AS pair_attempts,
       coalesce((SELECT pair.window_start FROM pair),
                (SELECT h.window_start FROM held h WHERE h.key = sqlc.arg(pair_key)::text), now())::timestamptz AS pair_since,
       now()::timestamptz AS now
FROM client;

-- name: PruneLoginAttempts :execrows
-- Deletes the keys whose window ended before the cutoff.
DELETE FROM login_attempts
WHERE window_start < sqlc.arg(started_before)::timestamptz;

-- name: DeleteAllLoginAttempts :exec
DELETE FROM login_attempts;
