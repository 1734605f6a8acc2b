-- name: RecordWebhook :execrows
-- Records a delivery with its outcome; no row: its id was recorded before
-- (by an earlier delivery, or a concurrent one that committed while this one
-- waited), and nothing is written.
INSERT INTO webhook_inbox (id, event, user_id, payload, outcome)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO NOTHING;

-- name: GetWebhookOutcome :one
-- The outcome a delivery recorded before, for its retry. txid_current()
-- makes this a transaction that commits, and a commit waits for a
-- synchronous standby: so the retry is acknowledged only once the first
-- delivery (committed before it) is on the standby too, even if that first
-- one's own wait was cancelled and it was kept on the primary alone.
SELECT outcome
FROM webhook_inbox
WHERE id = $1 AND txid_current() IS NOT NULL;

-- name: PruneWebhookInbox :execrows
-- Deletes at most batch_size deliveries received longer than keep_seconds ago,
-- by the database's clock; callers repeat until none are left, so no single
-- statement holds locks for long.
DELETE FROM webhook_inbox
WHERE id IN (
    SELECT old.id
    FROM webhook_inbox AS old
    WHERE old.received_at < now() - make_interval(secs => sqlc.arg(keep_seconds)::float8)
    LIMIT sqlc.arg(batch_size)
);

-- name: DeleteAllWebhooks :exec
DELETE FROM webhook_inbox;

-- name: ListWebhookInbox :many
-- The deliveries received since a time, newest first, of one outcome or (NULL)
-- of any.
SELECT id, event, user_id, outcome, received_at
FROM webhook_inbox
WHERE received_at >= sqlc.arg(received_since)::timestamptz
  AND (sqlc.narg(outcome)::text IS NULL OR outcome = sqlc.narg(outcome)::text)
ORDER BY received_at DESC, id DESC
LIMIT sqlc.arg(max_rows);
