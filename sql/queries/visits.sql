-- The course's visit counter (/admin/metrics), shared by every process.

-- name: CountVisit :exec
UPDATE site_visits SET hits = hits + 1;

-- name: GetVisits :one
SELECT hits FROM site_visits;

-- name: ResetVisits :exec
UPDATE site_visits SET hits = 0;
