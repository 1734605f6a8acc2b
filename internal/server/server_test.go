package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"chirpy/internal/auth"
	"chirpy/internal/dev/pgtest"
	"chirpy/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// syncBuffer is a log destination safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A panicking handler gets a 500 JSON answer and a log line with the stack,
// and the server goes on serving.
func TestPanicRecovery(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	// A failed write is the client's to see.
	mux.HandleFunc("GET /fine", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "fine") })
	srv := httptest.NewServer(chain(mux, middlewares(Deps{Logger: logger, RequestTimeout: time.Second})...))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var e errorBody
	if res.StatusCode != 500 || res.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &e) != nil || e.Error == "" {
		t.Fatalf("panic answered %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if strings.Contains(string(body), "kaboom") {
		t.Error("the 500 tells the client what panicked")
	}
	log := logs.String()
	if !strings.Contains(log, "msg=panic") || !strings.Contains(log, "kaboom") || !strings.Contains(log, "server_test.go") {
		t.Errorf("the panic was not logged with its stack:\n%s", log)
	}
	if !strings.Contains(log, "path=/boom status=500") {
		t.Errorf("the request log does not show the 500:\n%s", log)
	}
	res, err = http.Get(srv.URL + "/fine")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after a panic: %v %v", res, err)
	}
	res.Body.Close()
}

// A login for an email without an account spends one password hash, as a
// login with a wrong password does.
func TestLoginForUnknownEmailSpendsAHash(t *testing.T) {
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	cheap := argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	hasher, err := auth.NewHasher(cheap, 1)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Deps{
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Store:       st,
		Hasher:      hasher,
		JWTSecret:   []byte("secret"),
		LoginLimits: auth.DefaultLoginLimits,
	}))
	defer srv.Close()
	post := func(path, body string) int {
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if post("/api/users", `{"email": "walt@breakingbad.com", "password": "123456"}`) != 201 {
		t.Fatal("sign-up failed")
	}
	for _, tc := range []struct{ name, body string }{
		{"wrong password", `{"email": "walt@breakingbad.com", "password": "654321"}`},
		{"unknown email", `{"email": "jesse@breakingbad.com", "password": "123456"}`},
	} {
		before := hasher.Hashes()
		if st := post("/api/login", tc.body); st != 401 {
			t.Fatalf("%s: status %d", tc.name, st)
		}
		if n := hasher.Hashes() - before; n != 1 {
			t.Errorf("%s: %d password hashes computed, want 1", tc.name, n)
		}
	}
}
