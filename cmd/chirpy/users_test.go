package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	hex64       = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func checkUTCTime(t *testing.T, field, s string) {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || ts.Location() != time.UTC || s[len(s)-1] != 'Z' {
		t.Errorf("%s = %q, want an RFC 3339 time in UTC (Go's JSON form)", field, s)
	}
	if time.Since(ts) > time.Minute || time.Until(ts) > time.Minute {
		t.Errorf("%s = %q is not about now", field, s)
	}
}

// parseAPITime parses an RFC 3339 time of the API, failing the test if it is none.
func parseAPITime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%q is not an RFC 3339 time: %v", s, err)
	}
	return ts
}

// The course's sign-up, after a reset.
func TestCreateUser(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)

	created := s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusCreated)
	if ct := created.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	walt := decode[userJSON](t, created)
	if !uuidPattern.MatchString(walt.ID) || walt.Email != "walt@breakingbad.com" || walt.IsChirpyRed == nil || *walt.IsChirpyRed {
		t.Fatalf("created user = %s", created.Body)
	}
	checkUTCTime(t, "created_at", walt.CreatedAt)
	checkUTCTime(t, "updated_at", walt.UpdatedAt)
	if walt.Token != "" || walt.RefreshToken != "" {
		t.Errorf("sign-up returned tokens: %s", created.Body)
	}
	s.req(t, "POST", "/api/users", map[string]string{"email": "saul@bettercall.com", "password": "123456"}).expect(t, http.StatusCreated)
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.signUp(t, "saul@bettercall.com", "123456")
	newCreds := map[string]string{"email": "walter@breakingbad.com", "password": "losPollos"}

	s.req(t, "PUT", "/api/users", newCreds).expect(t, http.StatusUnauthorized).errorMessage(t)
	bad := s.req(t, "PUT", "/api/users", newCreds, bearer("badToken")...).expect(t, http.StatusUnauthorized)
	if bad.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}

	updated := decode[userJSON](t, s.req(t, "PUT", "/api/users", newCreds, bearer(walt.Token)...).expect(t, http.StatusOK))
	if updated.ID != walt.ID || updated.Email != "walter@breakingbad.com" || updated.IsChirpyRed == nil {
		t.Fatalf("updated user = %+v", updated)
	}
	if updated.Token != "" {
		t.Error("update returned a token")
	}
	s.req(t, "POST", "/api/login", newCreds).expect(t, http.StatusOK)
	s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusUnauthorized)

	// Someone else's email is taken.
	s.req(t, "PUT", "/api/users", map[string]string{"email": "saul@bettercall.com", "password": "x"}, bearer(walt.Token)...).expect(t, http.StatusConflict)
}

// No response of any endpoint carries a password hash (or the password).
func TestNoPasswordHashInAnyResponse(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const pw = "s3cret-Pa55word"
	var bodies []response
	keep := func(r response) response { bodies = append(bodies, r); return r }

	walt := decode[userJSON](t, keep(s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": pw}).expect(t, 201)))
	login := decode[userJSON](t, keep(s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": pw}).expect(t, 200)))
	keep(s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "wrong"}))
	keep(s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": pw})) // 409
	keep(s.req(t, "PUT", "/api/users", map[string]string{"email": "walter@breakingbad.com", "password": pw}, bearer(login.Token)...))
	keep(s.req(t, "POST", "/api/refresh", nil, bearer(login.RefreshToken)...))
	c := decode[chirpJSON](t, keep(s.req(t, "POST", "/api/chirps", map[string]string{"body": "hi"}, bearer(login.Token)...)))
	keep(s.req(t, "GET", "/api/chirps", nil))
	keep(s.req(t, "GET", "/api/chirps?author_id="+walt.ID, nil))
	keep(s.req(t, "GET", "/api/chirps/"+c.ID, nil))
	keep(s.req(t, "POST", hookPath, upgraded(walt.ID), apiKey(polkaKey)...))
	keep(s.req(t, "DELETE", "/api/chirps/"+c.ID, nil, bearer(login.Token)...))
	keep(s.req(t, "POST", "/api/revoke", nil, bearer(login.RefreshToken)...))
	keep(s.req(t, "GET", "/admin/metrics", nil))
	keep(s.req(t, "GET", "/api/readyz", nil))

	var hash string
	if err := s.DB.QueryRow(`SELECT hashed_password FROM users`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	leak := regexp.MustCompile(`(?i)argon2|hashed_password|"password"`)
	for _, r := range bodies {
		body := string(r.Body)
		if strings.Contains(body, hash) || strings.Contains(body, pw) || leak.MatchString(body) {
			t.Errorf("a %d response leaks a password or its hash: %s", r.Status, body)
		}
	}
	if len(bodies) < 15 {
		t.Fatalf("only %d responses checked", len(bodies))
	}
}
