package main

import (
	"context"
	"crypto/md5"
	"database/sql"
	"fmt"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"

	"chirpy/internal/auth"
)

// Seeded ids are md5 digests of a name and a number, so the load generator
// and pgbench's scripts can name any row without a lookup:
// user n is md5('user' || n)::uuid, chirp n is md5('chirp' || n)::uuid.
func seededID(kind string, n int) uuid.UUID {
	return uuid.UUID(md5.Sum(fmt.Appendf(nil, "%s%d", kind, n)))
}

const benchPassword = "bench-password"

// author is the user with exactly authorChirps chirps.
const (
	author       = 1
	authorChirps = 1000
)

// seed fills the database: users (all with the password benchPassword) and
// chirps, chirps 1..authorChirps by the author and the rest spread over the
// other users, oldest first.
func seed(ctx context.Context, db *sql.DB, users, chirps int) error {
	// One real hash serves every user: logins still pay a full check.
	hash, err := argon2id.CreateHash(benchPassword, &auth.PasswordParams)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO users (id, email, hashed_password)
		SELECT md5('user' || n)::uuid, 'user' || n || '@bench.chirpy', $1
		FROM generate_series(1, $2) AS n`, hash, users); err != nil {
		return fmt.Errorf("seed users: %w", err)
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO chirps (id, body, user_id, created_at, updated_at)
		SELECT md5('chirp' || n)::uuid,
		       'Bench chirp ' || n || ': "quoted" & <tagged> text, about as long as most chirps.',
		       md5('user' || CASE WHEN n <= $2 THEN $3 ELSE 2 + n % ($4 - 1) END)::uuid,
		       now() - ($1 - n) * interval '1 millisecond', now()
		FROM generate_series(1, $1) AS n`, chirps, authorChirps, author, users); err != nil {
		return fmt.Errorf("seed chirps: %w", err)
	}
	// Settle what seeding left behind, so that no scenario measures it: hint
	// bits and statistics (VACUUM ANALYZE), dirty buffers (CHECKPOINT).
	for _, stmt := range []string{`VACUUM ANALYZE`, `CHECKPOINT`} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
