-- name: RecordWebhook :one
-- Records a delivery and applies it, in one statement and so in one
-- transaction: either both the inbox row and the membership change are
-- committed, or neither is. What an event means is decided in Go
-- (internal/polka): set_red is the membership the delivery sets (NULL: it
-- changes nothing), and the outcome_* parameters are what is recorded for a
-- delivery that changes nothing, one that changes its user, and one whose user
-- does not exist, so a new event or outcome never touches this file.
-- Deliveries of one id queue on the inbox's primary key: the first inserts and
-- applies; any other finds the id taken, writes nothing and returns no row
-- (GetWebhookOutcome then reads the first one's outcome).
-- A user deleted while the statement runs is recorded with outcome_applied and
-- nothing is updated: the change came first, the deletion after.
WITH target AS (
    SELECT u.id
    FROM users u
    WHERE u.id = sqlc.narg(user_id)::uuid
      AND sqlc.narg(set_red)::boolean IS NOT NULL
), inserted AS (
    INSERT INTO webhook_inbox (id, event, user_id, payload, outcome)
    VALUES (
        sqlc.arg(id),
        sqlc.arg(event),
        sqlc.narg(user_id),
        sqlc.arg(payload),
        CASE
            WHEN sqlc.narg(set_red)::boolean IS NULL THEN sqlc.arg(outcome_no_change)::text
            WHEN EXISTS (SELECT 1 FROM target) THEN sqlc.arg(outcome_applied)::text
            ELSE sqlc.arg(outcome_no_user)::text
        END
    )
    ON CONFLICT (id) DO NOTHING
    RETURNING outcome
), changed AS (
    -- A user who already has the membership is left alone: nothing to write.
    -- The user is in target only if the delivery changes it, so the row
    -- inserted above records that change.
    UPDATE users
    SET is_chirpy_red = sqlc.narg(set_red)::boolean, updated_at = now()
    WHERE users.id IN (SELECT target.id FROM target)
      AND users.is_chirpy_red IS DISTINCT FROM sqlc.narg(set_red)::boolean
      AND EXISTS (SELECT 1 FROM inserted)
    RETURNING users.id
)
SELECT outcome::text FROM inserted;

-- name: GetWebhookOutcome :one
SELECT outcome
FROM webhook_inbox
WHERE id = $1;

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
