package server

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/argon2id"

	"chirpy/internal/auth"
	"chirpy/internal/database"
	"chirpy/internal/pgtest"
)

// newBenchServer is the API on a fresh database with one user and one chirp.
func newBenchServer(b *testing.B) (http.Handler, string) {
	db, err := sql.Open("postgres", pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	q, err := database.Prepare(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	var userID, chirpID string
	if err := db.QueryRow(`INSERT INTO users (email, hashed_password) VALUES ('walt@breakingbad.com', 'x') RETURNING id`).Scan(&userID); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(`INSERT INTO chirps (body, user_id) VALUES ('Say my name', $1) RETURNING id`, userID).Scan(&chirpID); err != nil {
		b.Fatal(err)
	}
	hasher, _ := auth.NewHasher(argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1)
	h := NewServer(Deps{
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		DB:      db,
		Queries: q,
		Hasher:  hasher,
	})
	return h, "/api/chirps/" + chirpID
}

// BenchmarkGetChirp measures the whole handler chain of GET /api/chirps/{id}
// (middleware, routing, query, encoding) against a real Postgres, without the
// network: its allocations per request are the server's own.
func BenchmarkGetChirp(b *testing.B) {
	h, path := newBenchServer(b)
	req := httptest.NewRequest("GET", path, nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
