-- name: CreateRefreshToken :exec
INSERT INTO refresh_tokens (token, user_id, expires_at)
VALUES ($1, $2, $3);

-- name: GetUserFromRefreshToken :one
SELECT user_id
FROM refresh_tokens
WHERE token = $1 AND revoked_at IS NULL AND expires_at > now();

-- name: RevokeRefreshToken :exec
-- Revoking is idempotent: a token already revoked keeps its first revoked_at.
UPDATE refresh_tokens
SET revoked_at = now(), updated_at = now()
WHERE token = $1 AND revoked_at IS NULL;
