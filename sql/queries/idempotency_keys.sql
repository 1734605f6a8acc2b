-- The answers to requests made with an Idempotency-Key. What a request gets,
-- given what its key holds, idempotency.Decide says.

-- name: TryLockIdempotencyKey :one
-- Takes a key's lock for the rest of the transaction, unless another
-- transaction holds it (false). A transaction-level lock, so it works behind
-- a pooler in transaction mode. The newline cannot be in a scope or a key.
SELECT pg_try_advisory_xact_lock(
    hashtextextended(sqlc.arg(scope)::text || E'\n' || sqlc.arg(key)::text, 0)
) AS locked;

-- name: GetIdempotencyKey :one
-- What a key holds. txid_current() makes this a transaction that commits, and
-- a commit waits for a synchronous standby: so a replay is sent only once the
-- first request's effect is on the standby too (as GetWebhookOutcome).
SELECT request_sha256, status, body
FROM idempotency_keys
WHERE scope = $1 AND key = $2 AND txid_current() IS NOT NULL;

-- name: StoreIdempotencyKey :exec
INSERT INTO idempotency_keys (scope, key, request_sha256, status, body)
VALUES ($1, $2, $3, $4, $5);

-- name: PruneIdempotencyKeys :execrows
-- Deletes at most batch_size keys stored longer than keep_seconds ago, by the
-- database's clock; callers repeat until none are left, so no single statement
-- holds locks for long.
DELETE FROM idempotency_keys
WHERE (scope, key) IN (
    SELECT old.scope, old.key
    FROM idempotency_keys AS old
    WHERE old.created_at < now() - make_interval(secs => sqlc.arg(keep_seconds)::float8)
    LIMIT sqlc.arg(batch_size)
);

-- name: DeleteAllIdempotencyKeys :exec
DELETE FROM idempotency_keys;
