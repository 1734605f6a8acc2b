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
	s := startServer(t, map[string]string{"READ_HEADER_TIMEOUT": "300ms"})
	s.req(t, "GET", "/api/healthz", nil, "X-Big", strings.Repeat("b", 100<<10)).expect(t, http.StatusRequestHeaderFieldsTooLarge)

	// Raw, not s.req: a request that never ends its headers.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /api/healthz HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	start := time.Now()
	if err := conn.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(bufio.NewReader(conn))
	if d := time.Since(start); err != nil || d > 3*time.Second {
		t.Fatalf("slow client: read ended after %v with %v; want the server to hang up after its header timeout", d, err)
	}
}

// rawRequest sends raw bytes on a new connection and returns the status of
// the answer, and how long it took to come. Not s.req: the bytes are HTTP
// net/http's client would not send (malformed, or a body cut short).
func rawRequest(t *testing.T, s *testServer, raw string) (int, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	res.Body.Close()
	return res.StatusCode, time.Since(start)
}

// The request line and headers may take 16 KiB, exactly: one byte more is a
// 431.
func TestHeaderLimitIs16KiB(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	request := func(size int) string {
		head := "GET /api/healthz HTTP/1.1\r\nHost: x\r\nX-Pad: "
		tail := "\r\n\r\n"
		return head + strings.Repeat("p", size-len(head)-len(tail)) + tail
	}
	if st, _ := rawRequest(t, s, request(16<<10)); st != http.StatusOK {
		t.Errorf("16 KiB of request line and headers: %d, want 200", st)
	}
	if st, _ := rawRequest(t, s, request(16<<10+1)); st != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("16 KiB and a byte: %d, want 431", st)
	}
}

// A body over its endpoint's limit gets 413 at once: when its length is
// announced, before a byte of it is read; when it comes in chunks, as soon
// as the limit is passed, however much more the client still means to send.
func TestBodyLimitsAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	// "At once" on a machine busy with other tests: well within the 20 s
	// rawRequest waits and the server's 30 s read timeout, which a server
	// waiting for the rest of the body would reach.
	const atOnce = 10 * time.Second
	// Announced: nothing of the megabyte is sent.
	st, took := rawRequest(t, s, "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
	if st != http.StatusRequestEntityTooLarge || took > atOnce {
		t.Errorf("announced 1 MB sign-up: %d after %v, want 413 at once", st, took)
	}
	// Chunked: 10 KiB are sent, more are promised.
	chunk := strings.Repeat("x", 10<<10)
	st, took = rawRequest(t, s, fmt.Sprintf("POST /api/chirps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(chunk), chunk))
	if st != http.StatusRequestEntityTooLarge && st != http.StatusUnauthorized || took > atOnce {
		t.Errorf("chunked chirp without a token: %d after %v", st, took)
	}
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	st, took = rawRequest(t, s, fmt.Sprintf("POST /api/chirps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", walt.Token, len(chunk), chunk))
	if st != http.StatusRequestEntityTooLarge || took > atOnce {
		t.Errorf("chunked 10 KiB chirp, more to come: %d after %v, want 413 at once", st, took)
	}
	// Each endpoint's limit is the largest valid body, with room: a valid
	// body escaped to the full is accepted.
	escaped := strings.Repeat(`\ud83d\udc26`, 140) // 140 birds, 12 bytes each
	s.req(t, "POST", "/api/chirps", `{"body": "`+escaped+`"}`, bearer(walt.Token)...).expect(t, http.StatusCreated)
	password := strings.Repeat(`\u0041`, 1024)
	s.req(t, "POST", "/api/users", `{"email": "saul@bettercall.com", "password": "`+password+`", "expires_in_seconds": 60}`).expect(t, http.StatusCreated)
	s.req(t, "POST", "/api/users", `{"email": "jesse@x.com", "password": "`+strings.Repeat("p", 9<<10)+`"}`).expect(t, http.StatusRequestEntityTooLarge)
}
