-- +goose Up
-- The answers to requests made with an Idempotency-Key, stored with their
-- effect and kept at least idempotency.Retention (24 hours), so that a retry
-- gets the same answer. scope is whose keys they are (a user's, or
-- sign-up's); request_sha256 is the hash of the first request's body.
CREATE TABLE idempotency_keys (
    scope          text        NOT NULL,
    key            text        NOT NULL,
    request_sha256 bytea       NOT NULL,
    status         integer     NOT NULL,
    body           bytea       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
