package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that writes its whole body before it reads (Python's urllib and
// requests do) still gets the answer given before the body was read: the
// server reads on and discards the rest before it closes, where closing at
// once would reset the connection under the client's writes. Raw HTTP: the
// client must not read while it sends, which http.Client does.
func TestAnswerReachesAClientThatSendsFirst(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const size = 4 << 20
	chunk := strings.Repeat("x", 64<<10)
	for _, tc := range []struct {
		name, head string
		want       int
	}{
		{"413, length announced", "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", size), http.StatusRequestEntityTooLarge},
		{"413, chunked", "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
			http.StatusRequestEntityTooLarge},
		{"401 before the body", "POST /api/chirps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", size), http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
				t.Fatal(err)
			}
			chunked := strings.Contains(tc.head, "chunked")
			if _, err := conn.Write([]byte(tc.head)); err != nil {
				t.Fatal(err)
			}
			for sent := 0; sent < size; sent += len(chunk) {
				part := chunk
				if chunked {
					part = fmt.Sprintf("%x\r\n%s\r\n", len(chunk), chunk)
				}
				if _, err := conn.Write([]byte(part)); err != nil {
					t.Fatalf("writing the body, at %d bytes: %v (the server closed without reading on)", sent, err)
				}
			}
			if chunked {
				if _, err := conn.Write([]byte("0\r\n\r\n")); err != nil {
					t.Fatal(err)
				}
			}
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer after the whole body: %v", err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
}
