-- +goose Up
-- The outcomes of a delivery are defined once, in Go (polka.Outcome), which
-- passes their words to the queries; a CHECK here would be a second list to
-- keep in step with it.
ALTER TABLE webhook_inbox DROP CONSTRAINT webhook_inbox_outcome_check;

-- +goose Down
ALTER TABLE webhook_inbox ADD CONSTRAINT webhook_inbox_outcome_check
    CHECK (outcome IN ('applied', 'ignored', 'unknown_user'));
