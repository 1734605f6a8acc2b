package app

import (
	"net/http"
	"regexp"
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

// The course's sequence: reset, create users, log in, refresh, revoke.
func TestUsersLoginRefreshRevoke(t *testing.T) {
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

	login := decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]any{
		"email": "walt@breakingbad.com", "password": "123456", "expires_in_seconds": 1,
	}).expect(t, http.StatusOK))
	if login.ID != walt.ID || login.Email != walt.Email || login.IsChirpyRed == nil || *login.IsChirpyRed {
		t.Fatalf("login user = %+v, want %+v", login, walt)
	}
	if login.Token == "" || !hex64.MatchString(login.RefreshToken) {
		t.Fatalf("login token %q, refresh_token %q", login.Token, login.RefreshToken)
	}

	refreshed := s.req(t, "POST", "/api/refresh", nil, bearer(login.RefreshToken)...).expect(t, http.StatusOK)
	newToken := decode[map[string]string](t, refreshed)["token"]
	if newToken == "" {
		t.Fatalf("refresh body %s has no token", refreshed.Body)
	}
	// The refreshed access token works.
	s.postChirp(t, newToken, "refreshed")

	s.req(t, "POST", "/api/revoke", nil, bearer(login.RefreshToken)...).expect(t, http.StatusNoContent)
	r := s.req(t, "POST", "/api/refresh", nil, bearer(login.RefreshToken)...).expect(t, http.StatusUnauthorized)
	r.errorMessage(t)
	// Revoking again changes nothing and still answers 204.
	s.req(t, "POST", "/api/revoke", nil, bearer(login.RefreshToken)...).expect(t, http.StatusNoContent)
	s.req(t, "POST", "/api/revoke", nil).expect(t, http.StatusUnauthorized)
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusCreated)

	wrongPassword := s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "654321"}).expect(t, http.StatusUnauthorized)
	unknownEmail := s.req(t, "POST", "/api/login", map[string]string{"email": "jesse@breakingbad.com", "password": "123456"}).expect(t, http.StatusUnauthorized)
	for _, r := range []response{wrongPassword, unknownEmail} {
		if msg := r.errorMessage(t); msg != "Incorrect email or password" {
			t.Errorf("login error = %q, want the course's message", msg)
		}
	}
	nul := s.req(t, "POST", "/api/login", `{"email": "walt\u0000@breakingbad.com", "password": "123456"}`).expect(t, http.StatusUnauthorized)
	if msg := nul.errorMessage(t); msg != "Incorrect email or password" {
		t.Errorf("login with a NUL in the email: %q", msg)
	}
	// Emails are matched without regard to case, at login and at sign-up.
	s.req(t, "POST", "/api/login", map[string]string{"email": "Walt@BreakingBad.com", "password": "123456"}).expect(t, http.StatusOK)
	s.req(t, "POST", "/api/users", map[string]string{"email": "WALT@breakingbad.com", "password": "x"}).expect(t, http.StatusConflict)
}

func TestRefreshRejects(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")

	s.req(t, "POST", "/api/refresh", nil).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", "/api/refresh", nil, bearer("0000000000000000000000000000000000000000000000000000000000000000")...).expect(t, http.StatusUnauthorized)
	// An access token is not a refresh token.
	s.req(t, "POST", "/api/refresh", nil, bearer(walt.Token)...).expect(t, http.StatusUnauthorized)

	// An expired refresh token.
	if _, err := s.DB.Exec(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	s.req(t, "POST", "/api/refresh", nil, bearer(walt.RefreshToken)...).expect(t, http.StatusUnauthorized)
}

func TestRefreshTokensAreStoredHashed(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	var stored string
	if err := s.DB.QueryRow(`SELECT token FROM refresh_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == walt.RefreshToken || !hex64.MatchString(stored) {
		t.Fatalf("refresh_tokens.token = %q for token %q: want its SHA-256, not the token", stored, walt.RefreshToken)
	}
	// Each login creates a new refresh token.
	again := decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK))
	if again.RefreshToken == walt.RefreshToken {
		t.Fatal("a second login returned the same refresh token")
	}
	var n int
	s.DB.QueryRow(`SELECT count(*) FROM refresh_tokens`).Scan(&n)
	if n != 2 {
		t.Fatalf("%d refresh tokens stored after two logins", n)
	}
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
