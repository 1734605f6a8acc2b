package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func mint(t *testing.T, method jwt.SigningMethod, key any, iss, sub string, iat, exp time.Time) string {
	t.Helper()
	claims := jwt.RegisteredClaims{Issuer: iss, Subject: sub, IssuedAt: jwt.NewNumericDate(iat)}
	if !exp.IsZero() {
		claims.ExpiresAt = jwt.NewNumericDate(exp)
	}
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
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
	if n := s.count(t, `SELECT count(*) FROM refresh_tokens`); n != 2 {
		t.Fatalf("%d refresh tokens stored after two logins", n)
	}
}

// Forged, expired and foreign tokens get 401 with WWW-Authenticate: Bearer on
// every endpoint that takes an access token, and change nothing.
func TestTokenAttacks(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	c := s.postChirp(t, walt.Token, "mine")
	secret := []byte(testSecret(t))
	now := time.Now()
	good := mint(t, jwt.SigningMethodHS256, secret, "chirpy-access", walt.ID, now, now.Add(time.Hour))
	parts := strings.Split(good, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	saulClaims := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(
		`{"iss":"chirpy-access","sub":"%s","iat":%d,"exp":%d}`, "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", now.Unix(), now.Add(time.Hour).Unix())))

	attacks := map[string]string{
		"alg none":         none,
		"tampered payload": parts[0] + "." + saulClaims + "." + parts[2],
		"expired":          mint(t, jwt.SigningMethodHS256, secret, "chirpy-access", walt.ID, now.Add(-2*time.Hour), now.Add(-time.Hour)),
		"wrong issuer":     mint(t, jwt.SigningMethodHS256, secret, "someone-else", walt.ID, now, now.Add(time.Hour)),
		"no expiry":        mint(t, jwt.SigningMethodHS256, secret, "chirpy-access", walt.ID, now, time.Time{}),
		"exp a string":     mintMap(t, secret, jwt.MapClaims{"iss": "chirpy-access", "sub": walt.ID, "iat": now.Unix(), "exp": fmt.Sprint(now.Add(time.Hour).Unix())}),
		"foreign secret":   mint(t, jwt.SigningMethodHS256, []byte("not our secret"), "chirpy-access", walt.ID, now, now.Add(time.Hour)),
		"HS384":            mint(t, jwt.SigningMethodHS384, secret, "chirpy-access", walt.ID, now, now.Add(time.Hour)),
		"refresh token":    walt.RefreshToken,
	}
	before := s.fingerprint(t)
	for name, tok := range attacks {
		for _, ep := range []struct{ method, path, body string }{
			{"POST", "/api/chirps", `{"body": "forged"}`},
			{"PUT", "/api/users", `{"email": "forged@x.com", "password": "p"}`},
			{"DELETE", "/api/chirps/" + c.ID, ""},
		} {
			r := s.req(t, ep.method, ep.path, ep.body, bearer(tok)...)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s on %s %s: %d, WWW-Authenticate %q; want 401 with a Bearer challenge", name, ep.method, ep.path, r.Status, r.Header.Get("WWW-Authenticate"))
			}
		}
	}
	if s.fingerprint(t) != before {
		t.Fatal("a rejected token changed the database")
	}
	// The genuine token minted the same way works: the attacks failed for
	// what they changed, not for how the test made them.
	s.postChirp(t, good, "genuine")
}

func mintMap(t *testing.T, key []byte, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Two Authorization headers are no credentials: which one counts would be up
// to whoever reads them.
func TestTwoAuthorizationHeaders(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	body := []byte(`{"body": "two headers"}`)
	req, _ := http.NewRequest("POST", s.URL+"/api/chirps", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Authorization", "Bearer "+walt.Token)
	req.Header.Add("Authorization", "Bearer "+walt.Token)
	s.do(t, req, body).expect(t, http.StatusUnauthorized).errorMessage(t)
	if n := s.count(t, `SELECT count(*) FROM chirps`); n != 0 {
		t.Fatal("a chirp was posted")
	}
}

// Passwords are compared as sent: two that differ only in bytes that are not
// UTF-8 are not the same password, nor a password at all.
func TestPasswordsAreUTF8(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.req(t, "POST", "/api/users", "{\"email\": \"walt@breakingbad.com\", \"password\": \"secret\xff\"}").expect(t, http.StatusBadRequest).errorMessage(t)
	s.req(t, "POST", "/api/users", `{"email": "walt@breakingbad.com", "password": "secret\ud800"}`).expect(t, http.StatusBadRequest)
	s.req(t, "POST", "/api/users", `{"email": "walt@breakingbad.com", "password": "secret\u00e9"}`).expect(t, http.StatusCreated)
	s.req(t, "POST", "/api/login", "{\"email\": \"walt@breakingbad.com\", \"password\": \"secret\xfe\"}").expect(t, http.StatusBadRequest)
	s.req(t, "POST", "/api/login", `{"email": "walt@breakingbad.com", "password": "secret\u00e9"}`).expect(t, http.StatusOK)
	s.req(t, "POST", "/api/login", `{"email": "walt@breakingbad.com", "password": "secrete"}`).expect(t, http.StatusUnauthorized)
}

// The throttle is kept in the database: a reset clears it for every process,
// an over-long password is refused before it counts, and one client cannot
// make keys without bound by trying ever new emails.
func TestLoginThrottleLimits(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"LOGIN_LIMIT_PER_CLIENT": "25"})
	s.signUp(t, "walt@breakingbad.com", "123456")
	wrong := map[string]string{"email": "walt@breakingbad.com", "password": "guess"}
	for range 10 {
		s.req(t, "POST", "/api/login", wrong).expect(t, http.StatusUnauthorized)
	}
	s.req(t, "POST", "/api/login", wrong).expect(t, http.StatusTooManyRequests)
	// An over-long password is a 400, and does not count.
	long := map[string]string{"email": "saul@bettercall.com", "password": strings.Repeat("p", 1025)}
	if msg := s.req(t, "POST", "/api/login", long).expect(t, http.StatusBadRequest).errorMessage(t); !strings.Contains(msg, "password") {
		t.Errorf("over-long password: %q", msg)
	}
	if n := s.count(t, `SELECT count(*) FROM login_attempts WHERE attempts > 0`); n != 3 {
		t.Errorf("%d throttle keys, want Walt's account, Walt's from this client, and the client's", n)
	}
	// Reset clears the lockout.
	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	if n := s.count(t, `SELECT count(*) FROM login_attempts`); n != 0 {
		t.Errorf("%d throttle keys after reset", n)
	}
	s.signUp(t, "walt@breakingbad.com", "123456")

	// Ever new emails from one client: after 25 attempts a minute, the
	// client waits, whatever email it tries, the right password included.
	for i := range 23 { // and the sign-up's login, and the one below
		s.req(t, "POST", "/api/login", map[string]string{"email": fmt.Sprintf("user%d@example.com", i), "password": "x"}).expect(t, http.StatusUnauthorized)
	}
	s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
	r := s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Each attempt within the client's limit made at most two keys; once
	// over it, new emails make none.
	held := s.count(t, `SELECT count(*) FROM login_attempts`)
	if held > 1+2*25 {
		t.Errorf("%d throttle keys after 25 attempts from one client", held)
	}
	for i := range 10 {
		s.req(t, "POST", "/api/login", map[string]string{"email": fmt.Sprintf("late%d@example.com", i), "password": "x"}).expect(t, http.StatusTooManyRequests)
	}
	if n := s.count(t, `SELECT count(*) FROM login_attempts`); n != held {
		t.Errorf("%d throttle keys, %d before: a client over its limit made keys", n, held)
	}
	// Another client is not held up.
	other := &testServer{URL: strings.Replace(s.URL, "127.0.0.1", "[::1]", 1)}
	other.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
}

// Guessing one account's password from many clients is held to 100 attempts
// a minute in all; then its owner waits too, from anywhere.
func TestLoginThrottledPerAccount(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.signUp(t, "walt@breakingbad.com", "123456") // and one login
	wrong := map[string]string{"email": "walt@breakingbad.com", "password": "guess"}
	for i := range 11 {
		c := s.from(fmt.Sprintf("127.0.0.%d", i+2))
		for range 9 { // under the limit of one client on one email
			c.req(t, "POST", "/api/login", wrong).expect(t, http.StatusUnauthorized)
		}
	}
	// 100 attempts on the account: the 101st waits, the right password too.
	r := s.from("127.0.0.20").req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
	// Other accounts are not held up.
	s.signUp(t, "saul@bettercall.com", "123456")
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.signUp(t, "walt@breakingbad.com", "123456")
	wrong := map[string]string{"email": "walt@breakingbad.com", "password": "guess"}
	for range 10 {
		s.req(t, "POST", "/api/login", wrong).expect(t, http.StatusUnauthorized)
	}
	r := s.req(t, "POST", "/api/login", wrong).expect(t, http.StatusTooManyRequests)
	r.errorMessage(t)
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
	// Even the right password waits: otherwise guessing could go on.
	s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusTooManyRequests)
	// Other emails from this client, and this email from another client, are
	// not held up.
	s.req(t, "POST", "/api/login", map[string]string{"email": "saul@bettercall.com", "password": "x"}).expect(t, http.StatusUnauthorized)
	other := &testServer{URL: strings.Replace(s.URL, "127.0.0.1", "[::1]", 1)}
	other.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
	// However long one client goes on, it does not lock the owner out: its
	// refused attempts do not count for the account (whose limit, 100 a
	// minute, holds guessing from many clients).
	for range 90 { // the account had 12 before
		s.req(t, "POST", "/api/login", wrong).expect(t, http.StatusTooManyRequests)
	}
	other.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)

	// Concurrent guesses are held to the same 10: they cannot all slip in
	// while their passwords are being checked.
	s.signUp(t, "saul@bettercall.com", "123456")
	statuses := make([]int, 40)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = s.req(t, "POST", "/api/login", map[string]string{"email": "saul@bettercall.com", "password": "guess"}).Status
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, st := range statuses {
		counts[st]++
	}
	if counts[http.StatusUnauthorized] > 10 || counts[http.StatusTooManyRequests] < 30 {
		t.Fatalf("40 concurrent wrong logins answered %v; want at most 10 checked and the rest 429", counts)
	}
}

// The course's sequence after sign-up: log in, refresh, revoke.
func TestLoginRefreshRevoke(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := decode[userJSON](t, s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusCreated))
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
