package main

import (
	"net/http"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
)

// loginStatus is the status of a login from s's client.
func (s *testServer) loginStatus(t *testing.T, email, password string) int {
	t.Helper()
	return s.req(t, "POST", "/api/login", map[string]string{"email": email, "password": password}).Status
}

// A login refused with 429 is allowed again once its window has run out: the
// window is a minute, so the test moves every window back by one instead of
// waiting.
func TestLoginAllowedAgainAfterItsWindow(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.signUp(t, "walt@breakingbad.com", "123456")
	for i := 1; i <= 10; i++ {
		if st := s.loginStatus(t, "walt@breakingbad.com", "wrong"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i, st)
		}
	}
	if st := s.loginStatus(t, "walt@breakingbad.com", "123456"); st != http.StatusTooManyRequests {
		t.Fatalf("the 11th attempt in a minute: %d, want 429", st)
	}
	if _, err := s.DB.Exec(`UPDATE login_attempts SET window_start = window_start - interval '61 seconds'`); err != nil {
		t.Fatal(err)
	}
	if st := s.loginStatus(t, "walt@breakingbad.com", "123456"); st != http.StatusOK {
		t.Fatalf("the owner, once the window has run out: %d, want 200", st)
	}
	// And the window that began anew counts from one: ten more are checked,
	// and the next refused.
	for i := 1; i <= 10; i++ {
		if st := s.loginStatus(t, "walt@breakingbad.com", "wrong"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d of the new window: %d, want 401", i, st)
		}
	}
	if st := s.loginStatus(t, "walt@breakingbad.com", "123456"); st != http.StatusTooManyRequests {
		t.Fatalf("the 11th attempt of the new window: %d, want 429", st)
	}
}

// The server forgets the login windows that ran out, and only those.
func TestLoginWindowsPruned(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	_, err := openDB(t, dbURL).Exec(`
		INSERT INTO login_attempts (key, window_start, attempts) VALUES
			('c:192.0.2.1', now() - interval '61 seconds', 300),
			('c:192.0.2.2', now() - interval '30 seconds', 300)`)
	if err != nil {
		t.Fatal(err)
	}
	// The server prunes when it starts.
	s := startServer(t, map[string]string{"DB_URL": dbURL})
	waitUntil(t, 10*time.Second, "the window that ran out pruned", func() bool {
		return s.count(t, `SELECT count(*) FROM login_attempts WHERE key = 'c:192.0.2.1'`) == 0
	})
	if n := s.count(t, `SELECT count(*) FROM login_attempts WHERE key = 'c:192.0.2.2'`); n != 1 {
		t.Fatal("pruning forgot a window that has not run out")
	}
}
