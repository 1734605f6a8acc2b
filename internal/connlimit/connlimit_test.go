package connlimit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// At the cap, a new connection takes the place of the one idle longest;
// with every connection busy, it is refused at once.
func TestListener(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := New(tcp, 2, 100, nil)
	release := make(chan struct{})
	inSlow := make(chan struct{}, 2)
	srv := &http.Server{ConnState: ln.ConnState, ConnContext: ln.ConnContext, Handler: ln.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			inSlow <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "ok") // a failed write is the client's to see
	}))}
	go func() { _ = srv.Serve(ln) }() // after Close: http.ErrServerClosed
	defer func() { _ = srv.Close() }()
	addr := tcp.Addr().String()

	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return c, bufio.NewReader(c)
	}
	get := func(c net.Conn, r *bufio.Reader, path string) error {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			return err
		}
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, res.Body)
		return errors.Join(err, res.Body.Close())
	}

	a, ra := dial()
	if err := get(a, ra, "/"); err != nil {
		t.Fatal(err)
	}
	// A connection is idle again only once net/http says so, which may come
	// after the client has its answer.
	waitIdle(t, ln, 1)
	b, rb := dial()
	if err := get(b, rb, "/"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, ln, 2)
	// Both idle; a third connection takes a's place.
	c, rc := dial()
	if err := get(c, rc, "/"); err != nil {
		t.Fatalf("a new connection at the cap: %v", err)
	}
	if err := get(a, ra, "/"); err == nil {
		t.Fatal("the connection idle longest was not closed for the new one")
	}
	// b and c busy: a fourth is refused at once.
	// These only keep b and c busy: the test ends before they are answered.
	go func() { _ = get(b, rb, "/slow") }()
	go func() { _ = get(c, rc, "/slow") }()
	<-inSlow
	<-inSlow
	d, rd := dial()
	start := time.Now()
	if err := get(d, rd, "/"); err == nil || time.Since(start) > time.Second {
		t.Fatalf("with every connection busy, a new one got %v after %v; want it closed at once", err, time.Since(start))
	}
	close(release)
	if s := ln.Stats(); s.Held > 2 || s.Refused != (ByCap{Global: 1}) || s.Evicted != (ByCap{Global: 1}) {
		t.Fatalf("%+v; want at most 2 held, 1 refused and 1 evicted at the global cap", s)
	}
}

// waitIdle waits until l holds n idle connections.
func waitIdle(t *testing.T, l *Listener, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		idle := l.idle.Len()
		l.mu.Unlock()
		if idle == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d idle connections, want %d", idle, n)
		}
	}
}

// One client holds at most perClient connections: at that cap, a new one
// takes the place of the client's own connection idle longest, and is
// refused when all of them are busy; others are not held up by it, and a
// trusted proxy's address is many clients'.
func TestListenerPerClient(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := New(tcp, 100, 3, []netip.Prefix{netip.MustParsePrefix("127.0.0.3/32")})
	release := make(chan struct{})
	inSlow := make(chan struct{}, 8)
	srv := &http.Server{ConnState: ln.ConnState, ConnContext: ln.ConnContext,
		Handler: ln.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				inSlow <- struct{}{}
				<-release
			}
			_, _ = io.WriteString(w, "ok") // a failed write is the client's to see
		}))}
	go func() { _ = srv.Serve(ln) }() // after Close: http.ErrServerClosed
	defer func() { _ = srv.Close() }()
	defer close(release)
	type conn struct {
		net.Conn
		r *bufio.Reader
	}
	dial := func(src string) conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := d.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return conn{c, bufio.NewReader(c)}
	}
	get := func(c conn, path string) error {
		if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path); err != nil {
			return err
		}
		if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			return err
		}
		res, err := http.ReadResponse(c.r, nil)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, res.Body)
		return errors.Join(err, res.Body.Close())
	}
	var mine []conn
	for i := range 3 {
		c := dial("127.0.0.1")
		if err := get(c, "/"); err != nil {
			t.Fatalf("connection %d of a client: %v", i+1, err)
		}
		waitIdle(t, ln, i+1)
		mine = append(mine, c)
	}
	// A fourth: in place of the client's first.
	fourth := dial("127.0.0.1")
	if err := get(fourth, "/"); err != nil {
		t.Fatalf("a fourth connection of a client at its cap: %v", err)
	}
	if err := get(mine[0], "/"); err == nil {
		t.Fatal("the client's connection idle longest was not closed for its fourth")
	}
	// All three busy: a fifth is refused at once.
	for _, c := range []conn{mine[1], mine[2], fourth} {
		go func() { _ = get(c, "/slow") }() // answered when the test ends
		<-inSlow
	}
	start := time.Now()
	if err := get(dial("127.0.0.1"), "/"); err == nil || time.Since(start) > time.Second {
		t.Fatalf("with a client's connections all busy, its next got %v after %v; want it closed at once", err, time.Since(start))
	}
	// Others are not held up, and a trusted proxy is many clients.
	if err := get(dial("127.0.0.2"), "/"); err != nil {
		t.Fatalf("another client was refused: %v", err)
	}
	for i := range 5 {
		c := dial("127.0.0.3")
		go func() { _ = get(c, "/slow") }()
		select {
		case <-inSlow:
		case <-time.After(5 * time.Second):
			t.Fatalf("connection %d of a trusted proxy was not served", i+1)
		}
	}
	if s := ln.Stats(); s.Held != 3+1+5 || s.Refused != (ByCap{PerClient: 1}) || s.Evicted != (ByCap{PerClient: 1}) {
		t.Fatalf("%+v; want 9 held, 1 refused and 1 evicted at the cap per client", s)
	}
}
