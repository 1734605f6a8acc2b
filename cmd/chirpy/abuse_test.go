package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
)

// No client, however it behaves, makes the server hold memory or descriptors
// without bound. These tests run the real binary, and a client of many
// connections, and measure it.

// holdConnsEnv makes the test binary a client process that opens connections
// to an address and holds them idle (see holdConnections): one process cannot
// open as many as the server may hold.
const holdConnsEnv = "CHIRPY_TEST_HOLD_CONNECTIONS"

// holdConnections opens HOLD_COUNT keep-alive connections to addr from the
// address HOLD_FROM, makes one request on each, says "ready" and how many
// were answered 200 on stdout, and holds them (those the server has not
// closed) until stdin closes.
//
// Its local ports are its own choice, from holdPorts up, below the kernel's
// ephemeral range: thousands of ephemeral ports held would slow every
// connect on the machine (the kernel searches for a free one) and make other
// tests' servers, which listen on a free ephemeral port, find it taken.
func holdConnections(addr string) int {
	n, _ := strconv.Atoi(os.Getenv("HOLD_COUNT"))
	from := net.ParseIP(os.Getenv("HOLD_FROM"))
	var (
		mu     sync.Mutex
		conns  = make([]net.Conn, 0, n)
		wg     sync.WaitGroup
		port   atomic.Int64
		held   atomic.Int64
		served atomic.Int64 // connections whose request was answered 200
	)
	port.Store(holdPorts - 1)
	// A port left in TIME_WAIT by an earlier run may be bound again.
	reuse := func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
		}); cerr != nil {
			return cerr
		}
		return err
	}
	request := []byte("GET /api/healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	// A few at a time, as a client of many connections would open them.
	for range 16 {
		wg.Go(func() {
			for held.Load() < int64(n) {
				p := port.Add(1)
				if p >= holdPorts+2*int64(n) {
					return // a port in two taken by others: hold what we have
				}
				dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: from, Port: int(p)}, Control: reuse}
				c, err := dialer.Dial("tcp", addr)
				if err != nil {
					continue // the port is taken, or refused: the next one
				}
				if held.Add(1) > int64(n) {
					c.Close()
					return
				}
				if _, err := c.Write(request); err == nil {
					if res, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
						_, _ = io.Copy(io.Discard, res.Body) // a broken connection is held all the same
						res.Body.Close()
						if res.StatusCode == http.StatusOK {
							served.Add(1)
						}
					}
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Printf("ready %d\n", served.Load())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the test closes stdin, or is gone
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// holdPorts is the first local port of a client process of holdConnections:
// HOLD_COUNT of them from there (twice that at most) lie below 32768, where
// Linux's ephemeral ports begin, for up to 8,000 connections.
const holdPorts = 16384

// startHolders runs procs client processes that each open per connections to
// the server at url, and hold what the server does not close; it returns once
// every connection has been served. Each process dials from an address of
// its own, 127.0.1.1 and on, so that each has the ports from holdPorts up to
// itself.
func startHolders(t *testing.T, url string, procs, per int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range procs {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), holdConnsEnv+"="+strings.TrimPrefix(url, "http://"),
			"HOLD_COUNT="+strconv.Itoa(per), fmt.Sprintf("HOLD_FROM=127.0.1.%d", i+1))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
		wg.Go(func() {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if served, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ready "))); err != nil || served != per {
				t.Errorf("a client process had %q of its connections served, want %d", line, per)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d client processes opened %d connections each, every one served", procs, per)
}

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

// 20,000 keep-alive connections opened and left idle, each served, more than
// the server may hold (5,000 here, and no cap per client: as from behind a
// proxy, or from many addresses, four here): it holds no more than its cap,
// making room by closing the connection idle longest, and a new client, from
// another address, is still served within a second.
func TestIdleConnectionsCannotShutOthersOut(t *testing.T) {
	t.Parallel()
	server := startBinary(t, "DB_URL="+pgtest.NewDatabase(t), "MAX_CONNECTIONS=5000", "MAX_CONNECTIONS_PER_CLIENT=100000")
	pid := server.cmd.Process.Pid
	startHolders(t, server.URL, 4, 5000)
	if n := openFiles(t, pid); n > 5000+100 {
		t.Fatalf("the server holds %d descriptors, over its cap of 5,000 connections", n)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")},
	}).DialContext}}
	for i := range 5 {
		start := time.Now()
		res, err := client.Get(server.URL + "/api/healthz")
		took := time.Since(start)
		if err != nil {
			t.Fatalf("request %d of a new client, with 20,000 connections held: %v after %v", i, err, took)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || took > time.Second {
			t.Fatalf("request %d of a new client: %d after %v, want 200 within 1 s", i, res.StatusCode, took)
		}
		t.Logf("a new client served in %v; the server holds %d descriptors", took, openFiles(t, pid))
	}
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
	time.Sleep(2 * time.Second) // all read what they will
	if n := openFiles(t, pid); n < 500 {
		t.Fatalf("the server holds %d descriptors: the chunked sign-ups are not stalled in it", n)
	}
	peak := peakRSS(t, pid)
	t.Logf("peak RSS %.1f MiB (%.1f MiB before the 1,000 stalled sign-ups)", float64(peak)/(1<<20), float64(base)/(1<<20))
	if peak > 100<<20 {
		t.Fatalf("peak RSS %.1f MiB with 1,000 stalled sign-ups, want under 100 MiB", float64(peak)/(1<<20))
	}
	// And it still serves.
	res, err := http.Get(server.URL + "/api/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
}

// One client that stalls in its bodies on more connections than it may hold
// (256 by default) cannot fill the server: its connections beyond the cap
// are refused, and another client is served.
func TestOneClientCannotHoldTheServer(t *testing.T) {
	t.Parallel()
	server := startBinary(t, "DB_URL="+pgtest.NewDatabase(t), "MAX_CONNECTIONS=300")
	addr := strings.TrimPrefix(server.URL, "http://")
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	for range 400 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		// A sign-up whose body never comes: the connection is busy.
		fmt.Fprint(c, "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\"")
	}
	time.Sleep(500 * time.Millisecond)
	if n := openFiles(t, server.cmd.Process.Pid); n > 256+50 {
		t.Fatalf("the server holds %d descriptors for one client, over its cap of 256", n)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")},
	}).DialContext}}
	start := time.Now()
	res, err := client.Get(server.URL + "/api/healthz")
	if err != nil || res.StatusCode != http.StatusOK || time.Since(start) > time.Second {
		t.Fatalf("another client, with one client stalled on 400 connections: %v %v after %v", res, err, time.Since(start))
	}
	res.Body.Close()
}
