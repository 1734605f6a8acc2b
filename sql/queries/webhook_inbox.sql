-- name: RecordWebhook :one
-- Records a delivery and applies it, in one statement and so in one
-- transaction: either both the inbox row and the membership change are
-- committed, or neither is. What an event means is decided in Go
-- (internal/polka): set_red is the membership the delivery sets (NULL: it
-- changes nothing), changed_at when the change was made (NULL: unknown, so
-- now), and the outcome_* parameters are what is recorded for a delivery that
-- changes nothing, one that changes its user, one older than the last change
-- applied to its user, and one whose user does not exist, so a new event or
-- outcome never touches this file.
-- Deliveries of one id queue on the inbox's primary key: the first inserts and
-- applies; any other finds the id taken, writes nothing and returns no row
-- (GetWebhookOutcome then reads the first one's outcome).
WITH target AS (
    -- The user, locked, so that the deliveries for one user are decided one
    -- at a time, each on the membership the one before left. A retry of a
    -- delivery already recorded locks nothing: it will find its id taken.
    SELECT u.id,
           coalesce(sqlc.narg(changed_at)::timestamptz < u.membership_changed_at, false) AS stale
    FROM users u
    WHERE u.id = sqlc.narg(user_id)::uuid
      AND sqlc.narg(set_red)::boolean IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM webhook_inbox w WHERE w.id = sqlc.arg(id))
    FOR NO KEY UPDATE OF u
), inserted AS (
    INSERT INTO webhook_inbox (id, event, user_id, payload, outcome)
    VALUES (
        sqlc.arg(id),
        sqlc.arg(event),
        sqlc.narg(user_id),
        sqlc.arg(payload),
        CASE
            WHEN sqlc.narg(set_red)::boolean IS NULL THEN sqlc.arg(outcome_no_change)::text
            WHEN NOT EXISTS (SELECT 1 FROM target) THEN sqlc.arg(outcome_no_user)::text
            WHEN (SELECT target.stale FROM target) THEN sqlc.arg(outcome_stale)::text
            ELSE sqlc.arg(outcome_applied)::text
        END
    )
    ON CONFLICT (id) DO NOTHING
    RETURNING outcome
), changed AS (
    -- Written only when something changes: the membership, or (given a
    -- change time) the time of the last change. A retry that finds the user
    -- as it asks, with no time of its own, writes nothing.
    UPDATE users
    SET is_chirpy_red = sqlc.narg(set_red)::boolean,
        membership_changed_at = coalesce(sqlc.narg(changed_at)::timestamptz, now()),
        updated_at = CASE
            WHEN users.is_chirpy_red IS DISTINCT FROM sqlc.narg(set_red)::boolean THEN now()
            ELSE users.updated_at
        END
    WHERE users.id IN (SELECT target.id FROM target WHERE NOT target.stale)
      AND EXISTS (SELECT 1 FROM inserted)
      AND (users.is_chirpy_red IS DISTINCT FROM sqlc.narg(set_red)::boolean
           OR coalesce(sqlc.narg(changed_at)::timestamptz > users.membership_changed_at,
                       sqlc.narg(changed_at)::timestamptz IS NOT NULL))
    RETURNING users.id
)
SELECT outcome::text FROM inserted;

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
-- Deletes at most batch_size deliveries received before the cutoff; callers
-- repeat until none are left, so no single statement holds locks for long.
DELETE FROM webhook_inbox
WHERE id IN (
    SELECT old.id
    FROM webhook_inbox AS old
    WHERE old.received_at < sqlc.arg(received_before)::timestamptz
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
