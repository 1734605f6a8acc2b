package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/argon2id"

	"chirpy/internal/auth"
	"chirpy/internal/dev/pgtest"
	"chirpy/internal/store"
)

// newBenchServer is the API on a fresh database with one user and one chirp.
func newBenchServer(b *testing.B) (http.Handler, string) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(b), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	u, err := st.CreateUser(ctx, "walt@breakingbad.com", "not-a-hash")
	if err != nil {
		b.Fatal(err)
	}
	c, err := st.CreateChirp(ctx, u.ID, "Say my name")
	if err != nil {
		b.Fatal(err)
	}
	hasher, _ := auth.NewHasher(argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1)
	h := NewServer(Deps{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Store:  st,
		Hasher: hasher,
	})
	return h, "/api/chirps/" + c.ID.String()
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
