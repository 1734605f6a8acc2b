-- +goose Up
CREATE TABLE chirps (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    body       text        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE
);

-- Lists are ordered by (created_at, id) and read in pages keyed on that pair;
-- id breaks ties between chirps created in the same microsecond.
CREATE INDEX chirps_created_at_idx ON chirps (created_at, id);
CREATE INDEX chirps_user_id_created_at_idx ON chirps (user_id, created_at, id);

-- +goose Down
DROP TABLE chirps;
