-- name: CreateChirp :one
INSERT INTO chirps (body, user_id)
VALUES ($1, $2)
RETURNING id, created_at, updated_at, body, user_id;

-- name: GetChirp :one
SELECT id, created_at, updated_at, body, user_id
FROM chirps
WHERE id = $1;

-- name: LockChirpForChange :one
-- A chirp's author and whether they are a Chirpy Red member, with the chirp
-- locked for a change and the author's row for share, so that a membership
-- change running at the same time comes wholly before the change or wholly
-- after it.
SELECT chirps.user_id, users.is_chirpy_red
FROM chirps
JOIN users ON users.id = chirps.user_id
WHERE chirps.id = $1
FOR NO KEY UPDATE OF chirps FOR SHARE OF users;

-- name: UpdateChirp :one
UPDATE chirps
SET body = $2, updated_at = now()
WHERE id = $1
RETURNING id, created_at, updated_at, body, user_id;

-- name: DeleteChirp :exec
DELETE FROM chirps
WHERE id = $1;

-- The list queries read one page at a time, keyed on the last (created_at, id)
-- seen, so a list of any length is streamed in bounded memory and every page is
-- a short index range scan.

-- name: ListChirpsAsc :many
SELECT id, created_at, updated_at, body, user_id
FROM chirps
WHERE (created_at, id) > (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::uuid)
ORDER BY created_at, id
LIMIT sqlc.arg(page_size);

-- name: ListChirpsDesc :many
SELECT id, created_at, updated_at, body, user_id
FROM chirps
WHERE (created_at, id) < (sqlc.arg(before_created_at)::timestamptz, sqlc.arg(before_id)::uuid)
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ListChirpsByAuthorAsc :many
SELECT id, created_at, updated_at, body, user_id
FROM chirps
WHERE user_id = sqlc.arg(user_id)
  AND (created_at, id) > (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::uuid)
ORDER BY created_at, id
LIMIT sqlc.arg(page_size);

-- name: ListChirpsByAuthorDesc :many
SELECT id, created_at, updated_at, body, user_id
FROM chirps
WHERE user_id = sqlc.arg(user_id)
  AND (created_at, id) < (sqlc.arg(before_created_at)::timestamptz, sqlc.arg(before_id)::uuid)
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(page_size);
