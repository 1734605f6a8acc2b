package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
)

// No client, however it behaves, makes the server hold memory or descriptors
// without bound. These tests run the real binary, and a client of many
// connections, and measure it.

// peakRSS is the peak resident memory of process pid (Linux VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// openFiles counts process pid's file descriptors.
func openFiles(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// 1,000 sign-ups that stall in their bodies, of a megabyte announced or sent
// in chunks: the server's memory stays under 100 MiB.
func TestStalledBodiesHoldLittleMemory(t *testing.T) {
	t.Parallel()
	// No cap per client here, as behind a proxy: every connection is held.
	server := startBinary(t, "DB_URL="+pgtest.NewDatabase(t), "MAX_CONNECTIONS_PER_CLIENT=100000")
	pid := server.cmd.Process.Pid
	base := peakRSS(t, pid)
	addr := strings.TrimPrefix(server.URL, "http://")
	conns := make([]net.Conn, 0, 1000)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	chunk := strings.Repeat("x", 4<<10)
	// Raw connections, not s.req: requests whose bodies never end.
	for i := range 1000 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		head := "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		if i%2 == 0 {
			// A megabyte announced, a tenth of it sent.
			fmt.Fprintf(c, "%sContent-Length: 1000000\r\n\r\n{\"email\": \"%s", head, strings.Repeat("a", 100<<10))
		} else {
			// Chunked: 4 KiB, and more promised.
			fmt.Fprintf(c, "%sTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", head, len(chunk), chunk)
		}
	}
	// The server holds them all, the chunked sign-ups stalled in it.
	waitUntil(t, 30*time.Second, "the server holds 500 descriptors", func() bool { return openFiles(t, pid) >= 500 })
	peak := peakRSS(t, pid)
	t.Logf("peak RSS %.1f MiB (%.1f MiB before the 1,000 stalled sign-ups)", float64(peak)/(1<<20), float64(base)/(1<<20))
	if peak > 100<<20 {
		t.Fatalf("peak RSS %.1f MiB with 1,000 stalled sign-ups, want under 100 MiB", float64(peak)/(1<<20))
	}
	// And it still serves.
	server.api().req(t, "GET", "/api/healthz", nil).expect(t, http.StatusOK)
}

// One client that stalls in its bodies on more connections than it may hold
// (256 by default) cannot fill the server: its connections beyond the cap
// are refused, and another client is served.
func TestOneClientCannotHoldTheServer(t *testing.T) {
	t.Parallel()
	server := startBinary(t, "DB_URL="+pgtest.NewDatabase(t), "MAX_CONNECTIONS=300")
	addr := strings.TrimPrefix(server.URL, "http://")
	var held []net.Conn
	var closed atomic.Int32 // connections the server closed
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	// Raw connections, not s.req: a request whose body never comes.
	for range 400 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		// A sign-up whose body never comes: the connection is busy.
		fmt.Fprint(c, "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\"")
		go func() {
			if _, err := c.Read(make([]byte, 1)); err != nil {
				closed.Add(1)
			}
		}()
	}
	// Those beyond the cap are refused: closed with nothing said.
	waitUntil(t, 30*time.Second, "the server closed the 144 connections beyond its cap", func() bool { return closed.Load() >= 400-256 })
	if n := openFiles(t, server.cmd.Process.Pid); n > 256+50 {
		t.Fatalf("the server holds %d descriptors for one client, over its cap of 256", n)
	}
	// Generous: the answer must come, not within a tight time, on a
	// machine running other tests.
	start := time.Now()
	r := server.api().from("127.0.0.2").req(t, "GET", "/api/healthz", nil)
	if r.Status != http.StatusOK || time.Since(start) > 10*time.Second {
		t.Fatalf("another client, with one client stalled on 400 connections: %d after %v", r.Status, time.Since(start))
	}
}
