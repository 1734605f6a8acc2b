-- The login throttle's counts: attempts per key in a window that begins with
-- the key's first attempt. Which keys a login counts under, and which counts
-- refuse it, auth.LoginLimits decides.

-- name: EndLoginWindow :exec
-- Forgets a key's attempts once its window has run out, so that its next
-- attempt begins a new window.
DELETE FROM login_attempts
WHERE key = sqlc.arg(key)
  AND window_start <= now() - make_interval(secs => sqlc.arg(window_seconds)::float8);

-- name: CountLoginAttempt :one
-- Counts one attempt for a key, and returns what it has counted in its
-- window, when the window began, and the database's time, which windows are
-- in.
INSERT INTO login_attempts AS a (key, window_start, attempts)
VALUES (sqlc.arg(key), now(), 1)
ON CONFLICT (key) DO UPDATE SET attempts = a.attempts + 1
RETURNING a.attempts, a.window_start, now()::timestamptz AS now;

-- name: GetLoginAttempts :many
-- What keys have counted in windows that have not run out, counting nothing.
SELECT key, attempts, window_start
FROM login_attempts
WHERE key = ANY(sqlc.arg(keys)::text[])
  AND window_start > now() - make_interval(secs => sqlc.arg(window_seconds)::float8);

-- name: ClearLoginAttempts :exec
DELETE FROM login_attempts WHERE key = $1;

-- name: PruneLoginAttempts :execrows
-- Forgets every key whose window has run out.
DELETE FROM login_attempts
WHERE window_start <= now() - make_interval(secs => sqlc.arg(window_seconds)::float8);

-- name: DeleteAllLoginAttempts :exec
DELETE FROM login_attempts;
