-- +goose Up
-- Every Polka delivery that passed authentication and validation, kept long
-- enough to recognise the sender's retries (see polka.InboxRetention). id is
-- the sender's webhook-id, or one generated for a delivery without it.
CREATE TABLE webhook_inbox (
    id          text        PRIMARY KEY,
    event       text        NOT NULL,
    user_id     uuid,
    payload     bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    outcome     text        NOT NULL CHECK (outcome IN ('applied', 'ignored', 'unknown_user'))
);

CREATE INDEX webhook_inbox_received_at_idx ON webhook_inbox (received_at);

-- +goose Down
DROP TABLE webhook_inbox;
