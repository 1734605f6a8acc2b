-- +goose Up
-- When a webhook last changed the user's membership: the delivery's
-- webhook-timestamp, or the time it arrived if it carried none. A membership
-- change older than this is stale: acknowledged, and it changes nothing, so a
-- late retry of an old upgrade cannot undo a newer downgrade.
ALTER TABLE users ADD COLUMN membership_changed_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN membership_changed_at;
