package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
	"chirpy/sql/schema"
)

// A database that has never seen Chirpy is migrated when the server starts.
func TestMigratesAtStart(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"DB_URL": pgtest.NewBlankDatabase(t)})
	s.signUp(t, "walt@breakingbad.com", "123456")
	migrations, err := fs.Glob(schema.FS, "*.sql")
	if err != nil || len(migrations) == 0 {
		t.Fatalf("no migrations embedded: %v", err)
	}
	if n := s.count(t, `SELECT count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied`); n != len(migrations) {
		t.Fatalf("%d migrations recorded, want all %d", n, len(migrations))
	}
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

// One line per request, and the fields it promises: the one test that reads
// the log itself, a JSON object per line (LOG_FORMAT's default).
func TestRequestLogLines(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.req(t, "GET", "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil, "X-Request-Id", "trace-42").expect(t, http.StatusNotFound)
	if r.Header.Get("X-Request-Id") != "trace-42" {
		t.Errorf("X-Request-Id %q, want the caller's trace-42", r.Header.Get("X-Request-Id"))
	}
	line := s.waitLogLine(t, map[string]any{"msg": "request", "request_id": "trace-42"})
	for k, want := range map[string]any{"level": "INFO", "method": "GET", "path": "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "status": 404.0} {
		if line[k] != want {
			t.Errorf("request line %s = %v, want %v (%v)", k, line[k], want, line)
		}
	}
	if s, _ := line["duration"].(string); !durationIsPositive(s) {
		t.Errorf("request line duration = %v, want a duration such as 1.5ms (%v)", line["duration"], line)
	}
	// An id that could forge log lines is replaced by one of ours.
	r = s.req(t, "GET", "/api/healthz", nil, "X-Request-Id", "a b\tc")
	if id := r.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " \t") {
		t.Errorf("X-Request-Id %q", id)
	}

	// A delivery's line says what it delivered, and whether it was a retry.
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	for _, duplicate := range []bool{false, true} {
		s.req(t, "POST", hookPath, upgraded(walt.ID), withID("msg_logged")...).expect(t, http.StatusNoContent)
		line := s.waitLogLine(t, map[string]any{"msg": "request", "webhook_id": "msg_logged", "duplicate": duplicate})
		for k, want := range map[string]any{"path": hookPath, "status": 204.0, "event": "user.upgraded", "user_id": walt.ID, "outcome": "applied"} {
			if line[k] != want {
				t.Errorf("delivery line %s = %v, want %v (%v)", k, line[k], want, line)
			}
		}
	}
	// A delivery refused for good says so, and why.
	s.req(t, "POST", hookPath, upgraded("walt"), withID("msg_garbage")...).expect(t, http.StatusBadRequest)
	refused := s.waitLogLine(t, map[string]any{"msg": "request", "outcome": "refused"})
	if refused["status"] != 400.0 || !strings.Contains(fmt.Sprint(refused["reason"]), "data.user_id") {
		t.Errorf("refused delivery line: %v", refused)
	}
	if strings.Contains(s.logs.String(), polkaKey) || strings.Contains(s.logs.String(), "123456") {
		t.Error("the API key or a password appears in the logs")
	}
}

// waitLogLine waits for a JSON log line holding every field of want, and
// returns it. The deadline is generous: a request's line is written when it
// ends, which on a machine busy with other tests may take seconds.
func (s *testServer) waitLogLine(t *testing.T, want map[string]any) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, text := range strings.Split(s.logs.String(), "\n") {
			var line map[string]any
			if json.Unmarshal([]byte(text), &line) != nil {
				continue
			}
			matches := true
			for k, v := range want {
				matches = matches && line[k] == v
			}
			if matches {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %v:\n%s", want, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// With LOG_FORMAT=json every line the server writes, from the first
// migration to the last line of its shutdown, is a JSON object; with text,
// every line is key=value text.
func TestLogFormat(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			stdout, stderr := newServerOutput(), &syncBuffer{}
			env := map[string]string{
				"DB_URL": pgtest.NewBlankDatabase(t), "JWT_SECRET": "short", "PORT": "0", "LOG_FORMAT": format,
				"LOG_LEVEL": "debug",
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Run(ctx, []string{"chirpy"}, lookup(env), stdout, stderr) }()
			var s *testServer
			select {
			case addr := <-stdout.serving:
				s = &testServer{URL: "http://" + addr.String()}
			case err := <-done:
				t.Fatalf("%v\n%s%s", err, stdout, stderr)
			}
			s.req(t, "GET", "/nowhere", nil).expect(t, http.StatusNotFound)
			s.req(t, "DELETE", "/api/healthz", nil).expect(t, http.StatusMethodNotAllowed)
			s.req(t, "POST", hookPath, upgraded("8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"), apiKey(polkaKey)...).expect(t, http.StatusUnauthorized)
			s.req(t, "POST", "/api/users", `{"email": "walt@breakingbad.com", "password": "123456"}`).expect(t, http.StatusCreated)
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			out := stdout.String() + stderr.String()
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			msgs := map[string]bool{}
			for _, text := range lines {
				var line map[string]any
				if format == "json" {
					if err := json.Unmarshal([]byte(text), &line); err != nil {
						t.Errorf("not a JSON object: %q", text)
					}
					msgs[fmt.Sprint(line["msg"])] = true
				} else {
					if !strings.HasPrefix(text, "time=") || !strings.Contains(text, " level=") {
						t.Errorf("not a text log line: %q", text)
					}
					if _, msg, ok := strings.Cut(text, " msg="); ok {
						msgs[strings.Trim(strings.Fields(msg)[0], `"`)] = true
					}
				}
			}
			for _, want := range []string{"applied", "serving", "request", "stopped"} {
				found := false
				for m := range msgs {
					found = found || strings.HasPrefix(m, want)
				}
				if !found {
					t.Errorf("no %q line among %d lines:\n%s", want, len(lines), out)
				}
			}
		})
	}
}

// HOST says where to listen: 127.0.0.1 is reached on 127.0.0.1 only. (Unset,
// the server listens on every interface, as a production server does.)
func TestHostSetting(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"HOST": "127.0.0.1"})
	s.req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	// A dial, not s.req: what is awaited is a refused connection.
	if c, err := net.DialTimeout("tcp", "[::1]:"+port, 10*time.Second); err == nil {
		c.Close()
		t.Fatal("with HOST=127.0.0.1 the server answers on ::1 too")
	}
	all := startServer(t, nil)
	port = all.URL[strings.LastIndex(all.URL, ":")+1:]
	onIPv6 := &testServer{URL: "http://[::1]:" + port}
	onIPv6.req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
}

func durationIsPositive(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}
