-- name: CountVisit :exec
UPDATE site_visits SET hits = hits + 1;

-- name: GetVisits :one
SELECT hits FROM site_visits;

-- name: ResetVisits :exec
UPDATE site_visits SET hits = 0;

-- name: CountLoginAttempt :one
-- Counts one attempt for each of a login's keys: its client, its account
-- (from any client), and the account from this client; each key has its own
-- window, which starts again with the first attempt after it has run out.
-- Returns each key's attempts in its window and when the window began. A
-- client over its limit makes no other key, so it cannot fill the table with
-- ever new emails. One statement: a login pays one round trip for its
-- throttle.
WITH client AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    VALUES (sqlc.arg(client_key), now(), 1)
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.attempts, a.window_start
), others AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    SELECT k.key, now(), 1
    FROM unnest(ARRAY[sqlc.arg(account_key)::text, sqlc.arg(pair_key)::text]) AS k (key)
    WHERE (SELECT client.attempts FROM client) <= sqlc.arg(client_limit)::integer
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.key, a.attempts, a.window_start
)
SELECT client.attempts AS client_attempts, client.window_start AS client_since,
       coalesce((SELECT o.attempts FROM others o WHERE o.key = sqlc.arg(account_key)::text), 0)::integer AS account_attempts,
       coalesce((SELECT o.window_start FROM others o WHERE o.key = sqlc.arg(account_key)::text), now())::timestamptz AS account_since,
       coalesce((SELECT o.attempts FROM others o WHERE o.key = sqlc.arg(pair_key)::text), 0)::integer AS pair_attempts,
       coalesce((SELECT o.window_start FROM others o WHERE o.key = sqlc.arg(pair_key)::text), now())::timestamptz AS pair_since,
       now()::timestamptz AS now
FROM client;

-- name: PruneLoginAttempts :execrows
-- Deletes the keys whose window ended before the cutoff.
DELETE FROM login_attempts
WHERE window_start < sqlc.arg(started_before)::timestamptz;

-- name: DeleteAllLoginAttempts :exec
DELETE FROM login_attempts;
