-- name: RecordWebhook :one
-- Records a delivery and applies it, in one statement and so in one
-- transaction: either both the inbox row and the upgrade are committed, or
-- neither is. Deliveries of one id queue on the inbox's primary key: the first
-- inserts and upgrades; any other finds the id taken, writes nothing and
-- returns no row (GetWebhookOutcome then reads the first one's outcome).
-- A user deleted while the statement runs is recorded as applied and nothing
-- is updated: the upgrade came first, the deletion after.
WITH target AS (
    SELECT u.id
    FROM users u
    WHERE u.id = sqlc.narg(user_id)::uuid
      AND sqlc.arg(event)::text = 'user.upgraded'
), inserted AS (
    INSERT INTO webhook_inbox (id, event, user_id, payload, outcome)
    VALUES (
        sqlc.arg(id),
        sqlc.arg(event),
        sqlc.narg(user_id),
        sqlc.arg(payload),
        CASE
            WHEN sqlc.arg(event)::text <> 'user.upgraded' THEN 'ignored'
            WHEN EXISTS (SELECT 1 FROM target) THEN 'applied'
            ELSE 'unknown_user'
        END
    )
    ON CONFLICT (id) DO NOTHING
    RETURNING outcome
), upgraded AS (
    -- A user already upgraded is left alone: nothing to write.
    UPDATE users
    SET is_chirpy_red = true, updated_at = now()
    WHERE users.id IN (SELECT target.id FROM target)
      AND NOT users.is_chirpy_red
      AND EXISTS (SELECT 1 FROM inserted WHERE inserted.outcome = 'applied')
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
