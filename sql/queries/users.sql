-- name: CreateUser :one
INSERT INTO users (email, hashed_password)
VALUES ($1, $2)
RETURNING *;

-- name: GetUserByEmail :one
SELECT *
FROM users
WHERE lower(email) = lower(sqlc.arg(email));

-- name: UpdateUser :one
UPDATE users
SET email = $2, hashed_password = $3, updated_at = now()
WHERE id = $1
RETURNING *;

-- name: DeleteAllUsers :exec
-- Their chirps and refresh tokens go with them (ON DELETE CASCADE).
DELETE FROM users;

-- name: LockMembership :one
-- A user's Chirpy Red membership, locked until the transaction ends, so that
-- the webhook deliveries for one user are decided one at a time, each on the
-- membership the one before left.
SELECT is_chirpy_red, membership_changed_at
FROM users
WHERE id = $1
FOR NO KEY UPDATE;

-- name: SetMembership :exec
-- changed_at NULL: the change is made now.
UPDATE users
SET is_chirpy_red = sqlc.arg(is_chirpy_red),
    membership_changed_at = coalesce(sqlc.narg(changed_at)::timestamptz, now()),
    updated_at = now()
WHERE id = sqlc.arg(id);
