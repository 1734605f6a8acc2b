-- name: CreateChirp :one
INSERT INTO chirps (body, user_id)
VALUES ($1, $2)
RETURNING id, created_at, updated_at, body, user_id;

-- name: GetChirp :one
SELECT id, created_at, updated_at, body, user_id
FROM chirps
WHERE id = $1;

-- name: DeleteChirp :one
-- Deletes only the author's own chirp; no row means "not yours" or "not there",
-- which GetChirpAuthor then tells apart.
DELETE FROM chirps
WHERE id = $1 AND user_id = $2
RETURNING id;

-- name: UpdateChirp :one
-- Replaces a chirp's body, only for its author and only while that author is
-- a Chirpy Red member, as their account says at this moment; no row means
-- "not there", "not yours" or "not a member", which GetChirpEditor then tells
-- apart.
-- The member's row is locked (FOR SHARE) so that a downgrade running at the
-- same time comes wholly before the edit or wholly after it.
WITH editor AS (
    SELECT users.id
    FROM users
    WHERE users.id = sqlc.arg(user_id) AND users.is_chirpy_red
    FOR SHARE
)
UPDATE chirps
SET body = sqlc.arg(body), updated_at = now()
WHERE chirps.id = sqlc.arg(id)
  AND chirps.user_id IN (SELECT editor.id FROM editor)
RETURNING chirps.id, chirps.created_at, chirps.updated_at, chirps.body, chirps.user_id;

-- name: GetChirpEditor :one
-- A chirp's author, and whether they are a Chirpy Red member.
SELECT chirps.user_id, users.is_chirpy_red
FROM chirps
JOIN users ON users.id = chirps.user_id
WHERE chirps.id = $1;

-- name: GetChirpAuthor :one
SELECT user_id
FROM chirps
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
