package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

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
