-- name: CountVisit :exec
UPDATE site_visits SET hits = hits + 1;

-- name: GetVisits :one
SELECT hits FROM site_visits;

-- name: ResetVisits :exec
UPDATE site_visits SET hits = 0;

-- name: CountLoginAttempt :one
-- Counts one attempt for each of two keys, each in its own window, which
-- starts again with the first attempt after it has run out; returns each
-- key's attempts in its window and when the window began. One statement, so
-- a login pays one round trip for its throttle.
WITH pair AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    VALUES (sqlc.arg(pair_key), now(), 1)
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.attempts, a.window_start
), client AS (
    INSERT INTO login_attempts AS a (key, window_start, attempts)
    VALUES (sqlc.arg(client_key), now(), 1)
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                        THEN a.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN a.window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)
                            THEN a.window_start ELSE now() END
    RETURNING a.attempts, a.window_start
)
SELECT pair.attempts AS pair_attempts, pair.window_start AS pair_since,
       client.attempts AS client_attempts, client.window_start AS client_since,
       now()::timestamptz AS now
FROM pair, client;

-- name: PruneLoginAttempts :execrows
-- Deletes the keys whose window ended before the cutoff.
DELETE FROM login_attempts
WHERE window_start < sqlc.arg(started_before)::timestamptz;

-- name: DeleteAllLoginAttempts :exec
DELETE FROM login_attempts;
