-- +goose Up
CREATE TABLE users (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    email           text        NOT NULL,
    hashed_password text        NOT NULL,
    is_chirpy_red   boolean     NOT NULL DEFAULT false
);

-- Addresses are unique regardless of case, so Walt@example.com cannot open a
-- second account beside walt@example.com, and either spelling logs in.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- +goose Down
DROP TABLE users;
