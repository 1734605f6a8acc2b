//go:build testall

package haproxy_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"chirpy/internal/dev/haproxy"
)

// These tests run haproxy: make test-all runs them, and fails where it is
// missing.

// backend is a stand-in for a Chirpy server: healthy, and answering with its
// name and the X-Forwarded-For it received.
func backend(t *testing.T, name string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	// A failed write is the client's to see.
	mux.HandleFunc("GET /api/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "OK") })
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, name+" "+r.Header.Get("X-Forwarded-For"))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, url string) (status int, body string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestRoundRobinAndRedispatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := backend(t, "A"), backend(t, "B")
	p, err := haproxy.Start(ctx, []string{a.Listener.Addr().String(), b.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)

	var names []string
	for range 4 {
		status, body := get(t, p.URL()+"/whoami")
		name, forwardedFor, _ := strings.Cut(body, " ")
		if status != http.StatusOK {
			t.Fatalf("status %d, body %q\n%s", status, body, p.Log())
		}
		if forwardedFor != "127.0.0.1" {
			t.Errorf("backend %s got X-Forwarded-For %q, want the client's 127.0.0.1", name, forwardedFor)
		}
		names = append(names, name)
	}
	if got := strings.Join(names, " "); got != "A B A B" && got != "B A B A" {
		t.Fatalf("backends in turn: %s, want A B A B (round robin)\n%s", got, p.Log())
	}

	// A stopped server refuses connections before the health checks notice:
	// its requests go to the other one.
	b.Close()
	for i := range 4 {
		if status, body := get(t, p.URL()+"/whoami"); status != http.StatusOK || !strings.HasPrefix(body, "A ") {
			t.Fatalf("request %d after B stopped: %d %q, want 200 from A\n%s", i, status, body, p.Log())
		}
	}
}

func TestStopEndsIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := haproxy.Start(ctx, []string{backend(t, "A").Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	if _, err := http.Get(p.URL() + "/whoami"); err == nil {
		t.Fatal("the proxy still answers after Stop")
	}
	p.Stop() // a second Stop is harmless
}
