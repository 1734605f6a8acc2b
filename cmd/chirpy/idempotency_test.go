package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/dev/pgtest"
	"chirpy/internal/idempotency"
)

func withKey(key string, header ...string) []string {
	return append([]string{"Idempotency-Key", key}, header...)
}

// A retry with the same key and body gets the first answer, byte for byte,
// marked as a replay, and nothing is done twice; the same key with another
// body is 422; another user's key is another key; no key, no change.
func TestIdempotentChirps(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	jesse := s.signUp(t, "jesse@breakingbad.com", "654321")
	chirps := func(user string) int { return s.count(t, `SELECT count(*) FROM chirps WHERE user_id = $1`, user) }
	body := map[string]string{"body": "Say my name"}

	first := s.req(t, "POST", "/api/chirps", body, withKey("k-1", bearer(walt.Token)...)...).expect(t, http.StatusCreated)
	again := s.req(t, "POST", "/api/chirps", body, withKey("k-1", bearer(walt.Token)...)...).expect(t, http.StatusCreated)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("the retry's answer differs:\n%s\n%s", first.Body, again.Body)
	}
	if first.Header.Get("Idempotent-Replayed") != "" || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("Idempotent-Replayed: first %q, retry %q; want none, true",
			first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
	}
	if ct := again.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("the replay's Content-Type is %q", ct)
	}
	if n := chirps(walt.ID); n != 1 {
		t.Fatalf("%d chirps after a retry, want 1", n)
	}

	r := s.req(t, "POST", "/api/chirps", map[string]string{"body": "Say my name!"}, withKey("k-1", bearer(walt.Token)...)...)
	if r.expect(t, http.StatusUnprocessableEntity); !strings.Contains(r.errorMessage(t), "different request body") {
		t.Fatalf("422 says %s", r.Body)
	}
	if n := chirps(walt.ID); n != 1 {
		t.Fatalf("%d chirps after another body under the key, want 1", n)
	}

	other := s.req(t, "POST", "/api/chirps", body, withKey("k-1", bearer(jesse.Token)...)...).expect(t, http.StatusCreated)
	if other.Header.Get("Idempotent-Replayed") != "" || decode[chirpJSON](t, other).ID == decode[chirpJSON](t, first).ID {
		t.Fatal("another user's key was taken for walt's")
	}
	if n := chirps(jesse.ID); n != 1 {
		t.Fatalf("jesse has %d chirps, want 1", n)
	}

	// Without the header, two requests are two chirps, as the course has it.
	for range 2 {
		if r := s.req(t, "POST", "/api/chirps", body, bearer(walt.Token)...).expect(t, http.StatusCreated); r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatal("a request without a key was marked as a replay")
		}
	}
	if n := chirps(walt.ID); n != 3 {
		t.Fatalf("%d chirps, want 3", n)
	}

	// An answer that changed nothing is not stored: the key is still fresh.
	s.req(t, "POST", "/api/chirps", map[string]string{"body": strings.Repeat("a", 141)}, withKey("k-2", bearer(walt.Token)...)...).
		expect(t, http.StatusBadRequest)
	s.req(t, "POST", "/api/chirps", body, withKey("k-2", bearer(walt.Token)...)...).expect(t, http.StatusCreated)
	if r := s.req(t, "POST", "/api/chirps", body, withKey("k-2", bearer(walt.Token)...)...); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("the key's first stored answer was not replayed")
	}

	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	if n := s.count(t, `SELECT count(*) FROM idempotency_keys`); n != 0 {
		t.Fatalf("%d idempotency keys after a reset", n)
	}
}

// A sign-up's replay is the first answer again, no-store like it, and costs
// no password hash.
func TestIdempotentSignUp(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0"})
	metrics := metricsURL(t, s)
	hashes := func() float64 { return scrape(t, metrics)["chirpy_password_hash_wait_seconds_count"] }
	creds := map[string]string{"email": "saul@bettercall.com", "password": "123456"}
	first := s.req(t, "POST", "/api/users", creds, withKey("signup-1")...).expect(t, http.StatusCreated)
	before := hashes()
	again := s.req(t, "POST", "/api/users", creds, withKey("signup-1")...).expect(t, http.StatusCreated)
	if n := hashes() - before; n != 0 {
		t.Errorf("the replay waited for %v password hashes, want none", n)
	}
	if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry got %s (Idempotent-Replayed %q), want %s again, replayed",
			again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	if cc := again.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("the replay's Cache-Control is %q", cc)
	}
	creds["password"] = "other"
	s.req(t, "POST", "/api/users", creds, withKey("signup-1")...).expect(t, http.StatusUnprocessableEntity)
	if n := s.count(t, `SELECT count(*) FROM users`); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
	// The email is taken: a refusal of the effect itself is not stored either.
	s.req(t, "POST", "/api/users", creds).expect(t, http.StatusConflict)
	s.req(t, "POST", "/api/users", creds, withKey("signup-2")...).expect(t, http.StatusConflict)
	if n := s.count(t, `SELECT count(*) FROM idempotency_keys WHERE key = 'signup-2'`); n != 0 {
		t.Fatal("a 409 was stored under its key")
	}
}

// A retry while the first request holds its key is 409; the test holds the
// key's lock itself, as a request being carried out would.
func TestIdempotencyKeyInFlight(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	hold := func(scope, key string) (release func()) {
		tx, err := s.DB.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\n' || $2, 0))`, scope, key); err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback() }
	}
	release := hold(idempotency.UserScope(uuid.MustParse(walt.ID)), "busy")
	chirp := map[string]string{"body": "Say my name"}
	r := s.req(t, "POST", "/api/chirps", chirp, withKey("busy", bearer(walt.Token)...)...).expect(t, http.StatusConflict)
	if r.errorMessage(t) == "" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("409 without Retry-After: %v", r.Header)
	}
	// Another key, and the same key of sign-up's scope, are not held.
	s.req(t, "POST", "/api/chirps", chirp, withKey("free", bearer(walt.Token)...)...).expect(t, http.StatusCreated)
	creds := map[string]string{"email": "saul@bettercall.com", "password": "123456"}
	s.req(t, "POST", "/api/users", creds, withKey("busy")...).expect(t, http.StatusCreated)
	release()
	s.req(t, "POST", "/api/chirps", chirp, withKey("busy", bearer(walt.Token)...)...).expect(t, http.StatusCreated)

	release = hold(idempotency.SignUpScope, "busy-signup")
	defer release()
	creds["email"] = "kim@bettercall.com"
	s.req(t, "POST", "/api/users", creds, withKey("busy-signup")...).expect(t, http.StatusConflict)
	if n := s.count(t, `SELECT count(*) FROM chirps`) + s.count(t, `SELECT count(*) FROM users`); n != 2+2 {
		t.Fatalf("%d chirps and users, want 4: a request refused with 409 changed something", n)
	}
}

// An invalid key is 400, and nothing is done.
func TestIdempotencyKeyInvalid(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	creds := map[string]string{"email": "saul@bettercall.com", "password": "123456"}
	for _, key := range []string{"", strings.Repeat("k", 256), "tab\there", "café"} {
		r := s.req(t, "POST", "/api/chirps", map[string]string{"body": "hi"}, withKey(key, bearer(walt.Token)...)...)
		if r.expect(t, http.StatusBadRequest); !strings.Contains(r.errorMessage(t), "Idempotency-Key") {
			t.Fatalf("key %q: %s", key, r.Body)
		}
		s.req(t, "POST", "/api/users", creds, withKey(key)...).expect(t, http.StatusBadRequest)
	}
	// Two keys in one request.
	req, _ := http.NewRequest("POST", s.URL+"/api/users", strings.NewReader(`{"email":"saul@bettercall.com","password":"123456"}`))
	req.Header["Idempotency-Key"] = []string{"a", "b"}
	s.do(t, req, []byte(`{"email":"saul@bettercall.com","password":"123456"}`)).expect(t, http.StatusBadRequest)
	s.req(t, "POST", "/api/chirps", map[string]string{"body": "hi"}, withKey(strings.Repeat("~", 255), bearer(walt.Token)...)...).
		expect(t, http.StatusCreated)
	if n := s.count(t, `SELECT count(*) FROM chirps`) + s.count(t, `SELECT count(*) FROM users`); n != 1+1 {
		t.Fatalf("%d chirps and users, want 2", n)
	}
}

// The server forgets keys older than idempotency.Retention, and only those.
func TestIdempotencyKeysPruned(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	_, err := openDB(t, dbURL).Exec(`
		INSERT INTO idempotency_keys (scope, key, request_sha256, status, body, created_at) VALUES
			('sign-up', 'old', '\x00', 201, '{}', now() - $1::interval - interval '1 minute'),
			('sign-up', 'recent', '\x00', 201, '{}', now() - $1::interval + interval '1 hour')`,
		idempotency.Retention.String())
	if err != nil {
		t.Fatal(err)
	}
	// The server prunes when it starts.
	s := startServer(t, map[string]string{"DB_URL": dbURL})
	waitUntil(t, 10*time.Second, "the old key pruned", func() bool {
		return s.count(t, `SELECT count(*) FROM idempotency_keys WHERE key = 'old'`) == 0
	})
	if n := s.count(t, `SELECT count(*) FROM idempotency_keys WHERE key = 'recent'`); n != 1 {
		t.Fatal("pruning forgot a key younger than idempotency.Retention")
	}
}
