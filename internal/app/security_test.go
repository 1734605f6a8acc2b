package app

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
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
	// not held up: an attacker cannot lock the owner out.
	s.req(t, "POST", "/api/login", map[string]string{"email": "saul@bettercall.com", "password": "x"}).expect(t, http.StatusUnauthorized)
	other := &testServer{URL: strings.Replace(s.URL, "127.0.0.1", "[::1]", 1)}
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

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	c := s.postChirp(t, walt.Token, "hi")
	for _, r := range []response{
		s.req(t, "GET", "/api/healthz", nil),
		s.req(t, "GET", "/api/readyz", nil),
		s.req(t, "GET", "/app/", nil),
		s.req(t, "GET", "/app/assets/logo.png", nil),
		s.req(t, "GET", "/admin/metrics", nil),
		s.req(t, "GET", "/api/chirps", nil),
		s.req(t, "DELETE", "/api/chirps/"+c.ID, nil, bearer(walt.Token)...), // 204
		s.req(t, "GET", "/api/chirps/"+c.ID, nil),                           // 404
		s.req(t, "GET", "/nowhere", nil),
		s.req(t, "PATCH", "/api/users", nil), // 405
		s.req(t, "POST", "/api/users", "{"),  // 400
	} {
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%d response without X-Content-Type-Options: nosniff", r.Status)
		}
		if r.Header.Get("X-Request-Id") == "" {
			t.Errorf("%d response without X-Request-Id", r.Status)
		}
	}
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

func TestRequestLog(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.req(t, "GET", "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil, "X-Request-Id", "trace-42").expect(t, http.StatusNotFound)
	if r.Header.Get("X-Request-Id") != "trace-42" {
		t.Errorf("X-Request-Id %q, want the caller's trace-42", r.Header.Get("X-Request-Id"))
	}
	s.waitLog(t, regexp.MustCompile(`msg=request method=GET path=/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00 status=404 duration=\S+ request_id=trace-42`))
	// An id that could forge log lines is replaced by one of ours.
	r = s.req(t, "GET", "/api/healthz", nil, "X-Request-Id", "a b\tc")
	if id := r.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " \t") {
		t.Errorf("X-Request-Id %q", id)
	}
}

// The database goes away: liveness stays "OK", readiness says 503, API calls
// get a quick 503 JSON; when it is back, all recover with no restart.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	s, cluster := startServerOnOwnCluster(t)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.req(t, "GET", "/api/readyz", nil).expect(t, http.StatusOK)

	cluster.Stop()
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
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the 503 took %v", d)
		}
		if strings.Contains(string(r.Body), "dial") || strings.Contains(string(r.Body), "127.0.0.1") {
			t.Errorf("the 503 tells internals: %s", r.Body)
		}
	}

	if err := cluster.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.req(t, "GET", "/api/readyz", nil).expect(t, http.StatusOK)
	s.postChirp(t, walt.Token, "back")
}

// Oversized headers get 431, and a client that never finishes its headers is
// disconnected (ReadHeaderTimeout) instead of holding a connection forever.
func TestServerLimits(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.req(t, "GET", "/api/healthz", nil, "X-Big", strings.Repeat("b", 100<<10)).expect(t, http.StatusRequestHeaderFieldsTooLarge)

	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /api/healthz HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.ReadAll(bufio.NewReader(conn))
	if d := time.Since(start); err != nil || d > 10*time.Second {
		t.Fatalf("slow client: read ended after %v with %v; want the server to hang up after its header timeout", d, err)
	}
}

// The database fails after a long list has begun to stream: the status is
// sent, so the only honest answer left is to break the response, so that no
// client takes the truncated list for a complete one.
func TestListCutShortWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	s, cluster := startServerOnOwnCluster(t)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	if _, err := s.DB.Exec(`
		INSERT INTO chirps (body, user_id)
		SELECT 'a chirp long enough to fill the socket buffers quickly: ' || i, $1
		FROM generate_series(1, 50000) AS i`, walt.ID); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(s.URL + "/api/chirps")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// Take a little, so the server fills the connection and waits on it,
	// then take the database away.
	first := make([]byte, 4096)
	if _, err := io.ReadFull(res.Body, first); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("the list ended cleanly after %d bytes although the database went away", len(first)+len(rest))
	}
	if json.Valid(append(first, rest...)) {
		t.Fatal("the truncated list is valid JSON")
	}
	s.waitLog(t, regexp.MustCompile(`list chirps: page failed after the response began`))
}
