-- name: CreateRefreshToken :exec
-- A login's refresh token; its success clears the attempts counted for the
-- key of its email from its client, in the same statement.
WITH cleared AS (
    DELETE FROM login_attempts WHERE key = sqlc.arg(throttle_key)
)
INSERT INTO refresh_tokens (token, user_id, expires_at)
VALUES (sqlc.arg(token), sqlc.arg(user_id), sqlc.arg(expires_at));

-- name: GetUserFromRefreshToken :one
SELECT user_id
FROM refresh_tokens
WHERE token = $1 AND revoked_at IS NULL AND expires_at > now();

-- name: RevokeRefreshToken :exec
-- Revoking is idempotent: a token already revoked keeps its first revoked_at.
UPDATE refresh_tokens
SET revoked_at = now(), updated_at = now()
WHERE token = $1 AND revoked_at IS NULL;
