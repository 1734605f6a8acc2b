package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"chirpy/internal/pgcluster"
	"chirpy/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

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
	logs  *logSink
}

// startServer runs Run on a fresh database with the course's settings, plus
// env (which may override them), and stops it when the test ends.
func startServer(t *testing.T, env map[string]string) *testServer {
	t.Helper()
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
	logs := newLogSink()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"chirpy"}, lookup(vars), logs, logs)
	}()
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

	addr, err := logs.waitServing(done)
	if err != nil {
		t.Fatalf("server did not start: %v\n%s", err, logs)
	}
	_, port, _ := net.SplitHostPort(addr)
	db, err := sql.Open("postgres", vars["DB_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &testServer{URL: "http://127.0.0.1:" + port, DBURL: vars["DB_URL"], DB: db, logs: logs}
}

// testSecret is the JWT_SECRET of a test's server.
func testSecret(t *testing.T) string { return "test-secret-at-least-32-bytes-long-" + t.Name() }

// startServerOnOwnCluster starts a server on a PostgreSQL of the test's own,
// which the test may stop and start again.
func startServerOnOwnCluster(t *testing.T) (*testServer, *pgcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	cluster, err := pgtest.StartCluster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Remove() })
	if err := cluster.CreateDatabase(ctx, "chirpy"); err != nil {
		t.Fatal(err)
	}
	return startServer(t, map[string]string{"DB_URL": cluster.URL("chirpy")}), cluster
}

// logSink collects the server's output and finds the address it serves on.
type logSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	serving chan string
	once    sync.Once
}

func newLogSink() *logSink { return &logSink{serving: make(chan string, 1)} }

var servingLine = regexp.MustCompile(`msg=serving addr=(\S+)`)

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := servingLine.FindSubmatch(p); m != nil {
		s.once.Do(func() { s.serving <- string(m[1]) })
	}
	return s.buf.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitLog waits for the server's log to match re (lines are written out
// every flushEvery) and returns the log.
func (s *testServer) waitLog(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs := s.logs.String()
		if re.MatchString(logs) {
			return logs
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line matches %v:\n%s", re, logs)
		}
		time.Sleep(flushEvery / 4)
	}
}

func (s *logSink) waitServing(done <-chan error) (string, error) {
	select {
	case addr := <-s.serving:
		return addr, nil
	case err := <-done:
		return "", errors.Join(errors.New("Run returned before serving"), err)
	case <-time.After(30 * time.Second):
		return "", errors.New("no 'serving' log line after 30s")
	}
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
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
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
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
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
