-- +goose Up
-- What every server process shares, so that any number of them behave as
-- one behind a load balancer, and POST /admin/reset clears it for all.

-- The course's visit counter (/admin/metrics): one row.
CREATE TABLE site_visits (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    hits bigint  NOT NULL DEFAULT 0
);
INSERT INTO site_visits DEFAULT VALUES;

-- Login attempts, counted per key (a client, an email from one client, and
-- an email from any client) in a window that begins with the key's first
-- attempt.
CREATE TABLE login_attempts (
    key          text        PRIMARY KEY,
    window_start timestamptz NOT NULL,
    attempts     integer     NOT NULL
);
CREATE INDEX login_attempts_window_start_idx ON login_attempts (window_start);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE site_visits;
