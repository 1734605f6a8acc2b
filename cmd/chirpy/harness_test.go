package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"chirpy/internal/dev/pgcluster"
	"chirpy/internal/dev/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	removeBinary()
	os.Exit(code)
}

// polkaKey is the key the course's CLI sends.
const polkaKey = "f271c81ff7084ee5b99a5091b42d486e"

// lookup turns a map into an environment for Run.
func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// testServer is a running chirpy, started through Run as the binary would be.
type testServer struct {
	URL   string  // http://127.0.0.1:port
	DBURL string  // its database, for checking what it stored
	DB    *sql.DB // a connection of the test's own to that database
	logs  *serverOutput
	// client sends req's requests; nil is noRedirect's, from 127.0.0.1.
	client *http.Client
}

// from returns s as a client at the loopback address addr (127.0.0.2, say)
// sees it: the server takes it for another client.
func (s *testServer) from(addr string) *testServer {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	c := *s
	c.client = &http.Client{
		Timeout:       noRedirect.Timeout,
		CheckRedirect: noRedirect.CheckRedirect,
		Transport:     &http.Transport{DialContext: dialer.DialContext},
	}
	return &c
}

// startServer runs Run on a fresh database with the course's settings, plus
// env (which may override them), on a port of its choosing (PORT=0), and
// stops it when the test ends. Run says when it serves, and where.
func startServer(t *testing.T, env map[string]string) *testServer {
	t.Helper()
	s, err := tryStartServer(t, env)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tryStartServer is startServer for a goroutine other than the test's, where
// t.Fatal may not be called: it returns what went wrong. The server is
// stopped by t's cleanup all the same. Without DB_URL in env, it must be
// called from the test's goroutine (the fresh database is made with t).
func tryStartServer(t *testing.T, env map[string]string) (*testServer, error) {
	vars := map[string]string{
		"JWT_SECRET": testSecret(t),
		"PLATFORM":   "dev",
		"POLKA_KEY":  polkaKey,
		"PORT":       "0",
	}
	for k, v := range env {
		vars[k] = v
	}
	if _, ok := vars["DB_URL"]; !ok {
		vars["DB_URL"] = pgtest.NewDatabase(t)
	}
	if _, ok := vars["PASSWORD_HASH_COST"]; !ok && vars["PLATFORM"] == "dev" {
		// The suite hashes thousands of passwords; it tests what is done
		// with them, not argon2id's cost (internal/auth does).
		vars["PASSWORD_HASH_COST"] = "test"
	}
	logs := newServerOutput()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"chirpy"}, lookup(vars), logs, logs) }()
	// t.Cleanup and t.Errorf may be called from any goroutine.
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v after shutdown", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("Run did not return after its context was canceled")
		}
	})
	var addr net.Addr
	select {
	case addr = <-logs.serving:
	case err := <-done:
		done <- err // for the cleanup
		return nil, fmt.Errorf("Run returned before serving: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("Run did not serve within 30s\n%s", logs)
	}
	db, err := sql.Open("postgres", vars["DB_URL"])
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { db.Close() })
	url := fmt.Sprintf("http://127.0.0.1:%d", addr.(*net.TCPAddr).Port)
	return &testServer{URL: url, DBURL: vars["DB_URL"], DB: db, logs: logs}, nil
}

// serverOutput is what a server started by Run writes, and where it serves.
type serverOutput struct {
	syncBuffer
	serving, metrics chan net.Addr
}

func newServerOutput() *serverOutput {
	return &serverOutput{serving: make(chan net.Addr, 1), metrics: make(chan net.Addr, 1)}
}

// Serving and ServingMetrics are how Run tells where it listens.
func (o *serverOutput) Serving(addr net.Addr)        { o.serving <- addr }
func (o *serverOutput) ServingMetrics(addr net.Addr) { o.metrics <- addr }

// freePort returns a port no one listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// waitHealthy polls url's /api/healthz until it answers 200, or exited
// reports that the server stopped. Not through s.req: refused connections
// are expected while the server starts, and there is no t to fail.
func waitHealthy(url string, exited <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(url + "/api/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return errors.Join(errors.New("stopped before it served"), err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s/api/healthz after 30s: %v", url, err)
		}
	}
}

// waitUntil polls cond until it holds, failing the test if it does not
// within timeout: a condition, not a fixed sleep, so a slow machine waits
// longer and a fast one not at all. timeout is generous; it is only reached
// when the feature is broken.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testSecret is the JWT_SECRET of a test's server.
func testSecret(t *testing.T) string { return "test-secret-at-least-32-bytes-long-" + t.Name() }

// startServerOnOwnCluster starts a server on a PostgreSQL of the test's own,
// which the test may stop and start again.
func startServerOnOwnCluster(t *testing.T) (*testServer, *pgcluster.Cluster) {
	t.Helper()
	cluster := ownCluster(t)
	return startServer(t, map[string]string{"DB_URL": cluster.URL("chirpy")}), cluster
}

// ownCluster starts a PostgreSQL of the test's own, holding an empty
// database "chirpy"; it is removed when t ends.
func ownCluster(t *testing.T) *pgcluster.Cluster {
	t.Helper()
	ctx := context.Background()
	cluster, err := pgtest.StartCluster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Remove() })
	if err := cluster.CreateDatabase(ctx, "chirpy"); err != nil {
		t.Fatal(err)
	}
	return cluster
}

// syncBuffer collects what a server writes; it is safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// response is what the server answered.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// req sends body (JSON-encoded unless it is a string or nil) with the given
// header pairs ("Authorization", "Bearer x", ...).
func (s *testServer) req(t *testing.T, method, path string, body any, header ...string) response {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		raw = j
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(t, req, raw)
}

// do sends req, whose body is raw, as req does: for a request req cannot
// build (a header twice, say). The exchange is checked all the same.
func (s *testServer) do(t *testing.T, req *http.Request, raw []byte) response {
	t.Helper()
	method, path := req.Method, req.URL.RequestURI()
	client := noRedirect
	if s.client != nil {
		client = s.client
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	checkExchange(t, req, raw, res, b)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// expect fails the test unless the status is want; it returns r for chaining.
func (r response) expect(t *testing.T, want int) response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	return r
}

// json decodes the body into a fresh T.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not the JSON expected (%T): %v\n%s", v, err, r.Body)
	}
	return v
}

// errorMessage returns the "error" of a JSON error body, failing the test if
// the body is anything else.
func (r response) errorMessage(t *testing.T) string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error response Content-Type %q, want application/json; body: %s", ct, r.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("error body is not JSON: %s", r.Body)
	}
	msg, ok := body["error"].(string)
	if !ok || msg == "" || len(body) != 1 {
		t.Fatalf(`error body is not {"error": "<message>"}: %s`, r.Body)
	}
	return msg
}

// user and chirp are the JSON shapes of the contract, decoded strictly enough
// that a missing field shows.
type userJSON struct {
	ID           string `json:"id"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	Email        string `json:"email"`
	IsChirpyRed  *bool  `json:"is_chirpy_red"`
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
}

type chirpJSON struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Body      string `json:"body"`
	UserID    string `json:"user_id"`
}

// signUp creates a user and logs in, returning the login response.
func (s *testServer) signUp(t *testing.T, email, password string) userJSON {
	t.Helper()
	s.req(t, "POST", "/api/users", map[string]string{"email": email, "password": password}).expect(t, http.StatusCreated)
	return decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]string{"email": email, "password": password}).expect(t, http.StatusOK))
}

func (s *testServer) postChirp(t *testing.T, token, body string) chirpJSON {
	t.Helper()
	return decode[chirpJSON](t, s.req(t, "POST", "/api/chirps", map[string]string{"body": body}, bearer(token)...).expect(t, http.StatusCreated))
}
