package app

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"chirpy/internal/pgtest"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
	if string(r.Body) != "OK" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("healthz = %q (%s)", r.Body, r.Header.Get("Content-Type"))
	}
}

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
		s := startServer(t, map[string]string{"PLATFORM": platform})
		s.signUp(t, "walt@breakingbad.com", "123456")
		s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusForbidden).errorMessage(t)
		s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
	}
}

func TestUnknownPathAndWrongMethod(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.req(t, "GET", "/api/nothing", nil).expect(t, http.StatusNotFound).errorMessage(t)
	r := s.req(t, "DELETE", "/api/users", nil).expect(t, http.StatusMethodNotAllowed)
	r.errorMessage(t)
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "POST") || !strings.Contains(allow, "PUT") {
		t.Errorf("Allow = %q, want POST and PUT", allow)
	}
	s.req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
	s.req(t, "POST", "/api/healthz", nil).expect(t, http.StatusMethodNotAllowed).errorMessage(t)
}

// A database that has never seen Chirpy is migrated when the server starts.
func TestMigratesAtStart(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"DB_URL": pgtest.NewBlankDatabase(t)})
	s.signUp(t, "walt@breakingbad.com", "123456")
	s.waitLog(t, regexp.MustCompile(`msg="applied migration" version=1 file=001_users.sql`))
}

func TestRunFailsFast(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"no JWT_SECRET":      {"DB_URL": "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		"no DB_URL":          {"JWT_SECRET": "s"},
		"unreachable DB_URL": {"JWT_SECRET": "s", "DB_URL": "postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable"},
		"bad PORT":           {"JWT_SECRET": "s", "DB_URL": "postgres://x", "PORT": "eighty"},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			var out bytes.Buffer
			err := Run(context.Background(), []string{"chirpy"}, lookup(env), &out, &out)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			if d := time.Since(start); d > 6*time.Second {
				t.Errorf("Run took %v to fail", d)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			want := map[string]string{"no JWT_SECRET": "JWT_SECRET", "no DB_URL": "DB_URL", "unreachable DB_URL": "cannot reach the database", "bad PORT": "PORT"}[name]
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not name %q", msg, want)
			}
		})
	}
}
