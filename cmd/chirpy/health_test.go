package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
	if string(r.Body) != "OK" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("healthz = %q (%s)", r.Body, r.Header.Get("Content-Type"))
	}
}

// The database goes away: liveness stays "OK", readiness says 503, API calls
// get a quick 503 JSON; when it is back, all recover with no restart.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	s, cluster := startServerOnOwnCluster(t)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.req(t, "GET", "/api/readyz", nil).expect(t, http.StatusOK)
	// Fill the pool: every one of its connections dies with the database.
	var wg sync.WaitGroup
	for range 48 {
		// t.Errorf, not expect's t.Fatalf: this is not the test's goroutine.
		wg.Go(func() {
			if r := s.req(t, "GET", "/api/chirps?author_id="+walt.ID, nil); r.Status != http.StatusOK {
				t.Errorf("GET /api/chirps: status %d, want 200", r.Status)
			}
		})
	}
	wg.Wait()
	// The test's own connection (s.DB, one at a time) is not the server's.
	waitUntil(t, 30*time.Second, "the server's pool holds at least 4 connections", func() bool {
		return s.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`) >= 4
	})

	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	s.req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
	ready := s.req(t, "GET", "/api/readyz", nil).expect(t, http.StatusServiceUnavailable)
	ready.errorMessage(t)
	for _, call := range []func() response{
		func() response { return s.req(t, "GET", "/api/chirps", nil) },
		func() response {
			return s.req(t, "POST", "/api/chirps", map[string]string{"body": "hi"}, bearer(walt.Token)...)
		},
		func() response {
			return s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"})
		},
	} {
		start := time.Now()
		r := call()
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
			t.Errorf("with the database down: %d (Retry-After %q), want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
		}
		r.errorMessage(t)
		// Under the driver's 5 s connect timeout, with room for a loaded machine.
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("the 503 took %v", d)
		}
		if strings.Contains(string(r.Body), "dial") || strings.Contains(string(r.Body), "127.0.0.1") {
			t.Errorf("the 503 tells internals: %s", r.Body)
		}
	}

	if err := cluster.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Ready as soon as the database answers: the first probe says so,
	// though every connection the pool held died with the database.
	s.req(t, "GET", "/api/readyz", nil).expect(t, http.StatusOK)
	s.postChirp(t, walt.Token, "back")
}
