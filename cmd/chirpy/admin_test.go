package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestSiteMetricsAndReset(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	metrics := func() string {
		t.Helper()
		r := s.req(t, "GET", "/admin/metrics", nil).expect(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "text/html" {
			t.Errorf("metrics Content-Type %q, want text/html", ct)
		}
		if !strings.Contains(string(r.Body), "<h1>Welcome, Chirpy Admin</h1>") {
			t.Errorf("metrics page lacks the heading: %s", r.Body)
		}
		return string(r.Body)
	}
	if m := metrics(); !strings.Contains(m, "<p>Chirpy has been visited 0 times!</p>") {
		t.Fatalf("fresh metrics: %s", m)
	}

	index := s.req(t, "GET", "/app/", nil).expect(t, http.StatusOK)
	if !strings.Contains(string(index.Body), "Welcome to Chirpy") || !strings.HasPrefix(index.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/app/ = %s", index.Body)
	}
	if m := metrics(); !strings.Contains(m, "<p>Chirpy has been visited 1 times!</p>") {
		t.Fatalf("metrics after one visit: %s", m)
	}
	logo := s.req(t, "GET", "/app/assets/logo.png", nil).expect(t, http.StatusOK)
	if !bytes.HasPrefix(logo.Body, []byte("\x89PNG\r\n\x1a\n")) || logo.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("logo is not a PNG (%s)", logo.Header.Get("Content-Type"))
	}
	s.req(t, "GET", "/app/missing.html", nil).expect(t, http.StatusNotFound)
	redirect := s.req(t, "GET", "/app", nil)
	if redirect.Status/100 != 3 || redirect.Header.Get("Location") != "/app/" {
		t.Fatalf("/app answered %d Location %q, want a redirect to /app/", redirect.Status, redirect.Header.Get("Location"))
	}
	if m := metrics(); !strings.Contains(m, "visited 3 times!") {
		t.Fatalf("metrics after 3 requests under /app/: %s", m)
	}

	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.postChirp(t, walt.Token, "before reset")
	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	if m := metrics(); !strings.Contains(m, "visited 0 times!") {
		t.Fatalf("metrics after reset: %s", m)
	}
	for _, table := range []string{"users", "chirps", "refresh_tokens"} {
		var n int
		if err := s.DB.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows left in %s after reset", n, table)
		}
	}
	s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusUnauthorized)
	// The same email can sign up again.
	s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusCreated)
}

func TestResetRefusedOutsideDev(t *testing.T) {
	t.Parallel()
	for _, platform := range []string{"prod", ""} {
		// Outside dev, passwords are hashed at the production cost, which
		// the race detector makes many times slower: a generous deadline.
		s := startServer(t, map[string]string{"PLATFORM": platform, "REQUEST_TIMEOUT": "60s"})
		s.signUp(t, "walt@breakingbad.com", "123456")
		s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusForbidden).errorMessage(t)
		s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
	}
}
