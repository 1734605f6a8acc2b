//go:build testall

package connlimit

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
)

// holdConnsEnv makes the test binary a client process that opens connections
// to an address and holds them idle (see holdConnections): one process cannot
// open as many as the server may hold.
const holdConnsEnv = "CHIRPY_TEST_HOLD_CONNECTIONS"

// 20,000 keep-alive connections opened and left idle, each served, more than
// the server may hold (5,000 here, and no cap per client: as from behind a
// proxy, or from many addresses, four here): it holds no more than its cap,
// making room by closing the connection idle longest, and a new client, from
// another address, is still served within a second.
func TestIdleConnectionsCannotShutOthersOut(t *testing.T) {
	if addr := os.Getenv(holdConnsEnv); addr != "" {
		holdConnections(addr) // this process is a client of the test, started below
		return
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := New(tcp, 5000, 1<<20, nil)
	srv := &http.Server{ConnState: ln.ConnState, ConnContext: ln.ConnContext,
		Handler: ln.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "ok") // a failed write is the client's to see
		}))}
	go func() { _ = srv.Serve(ln) }() // after Close: http.ErrServerClosed
	t.Cleanup(func() { _ = srv.Close() })
	startHolders(t, tcp.Addr().String(), 4, 5000)
	if n := openFiles(t); n > 5000+100 {
		t.Fatalf("the server holds %d descriptors, over its cap of 5,000 connections", n)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")},
	}).DialContext}}
	for i := range 5 {
		start := time.Now()
		res, err := client.Get("http://" + tcp.Addr().String() + "/")
		took := time.Since(start)
		if err != nil {
			t.Fatalf("request %d of a new client, with 20,000 connections held: %v after %v", i, err, took)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || took > time.Second {
			t.Fatalf("request %d of a new client: %d after %v, want 200 within 1 s", i, res.StatusCode, took)
		}
		t.Logf("a new client served in %v; the server holds %d descriptors", took, openFiles(t))
	}
	if s := ln.Stats(); s.Held > 5000 || s.Evicted.Global < 15000 {
		t.Fatalf("%+v; want at most 5,000 held, and 15,000 evicted at least", s)
	}
}

// holdConnections opens HOLD_COUNT keep-alive connections to addr from the
// address HOLD_FROM, makes one request on each, says "ready" and how many
// were answered 200 on stdout, and holds them (those the server has not
// closed) until stdin closes.
//
// Its local ports are its own choice, from holdPorts up, below the kernel's
// ephemeral range: thousands of ephemeral ports held would slow every
// connect on the machine (the kernel searches for a free one) and make other
// tests' servers, which listen on a free ephemeral port, find it taken.
func holdConnections(addr string) {
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
	request := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
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
}

// holdPorts is the first local port of a client process of holdConnections:
// HOLD_COUNT of them from there (twice that at most) lie below 32768, where
// Linux's ephemeral ports begin, for up to 8,000 connections.
const holdPorts = 16384

// startHolders runs procs client processes that each open per connections to
// the server at addr, and hold what the server does not close; it returns
// once every connection has been served. Each process dials from an address
// of its own, 127.0.1.1 and on, so that each has the ports from holdPorts up
// to itself.
func startHolders(t *testing.T, addr string, procs, per int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range procs {
		cmd := exec.Command(self, "-test.run=^"+t.Name()+"$")
		cmd.Env = append(os.Environ(), holdConnsEnv+"="+addr,
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

// openFiles counts this process's file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}
