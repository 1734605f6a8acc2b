package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// requestFunc appends one HTTP/1.1 request to buf. Each worker has its own rng
// and worker number, so requests can be unique without coordination.
type requestFunc func(buf []byte, rng *randSource, worker, seq int) []byte

// randSource is the random number generator each worker owns.
type randSource = rand.Rand

// loadResult is what a closed-loop run measured.
type loadResult struct {
	requests  int
	errors    int
	failures  map[string]int // what the errors were: "503", "connection reset"...
	elapsed   time.Duration
	latencies []time.Duration // sorted
}

// failureNote summarizes what went wrong, most frequent first.
func (r loadResult) failureNote() string {
	type kv struct {
		what string
		n    int
	}
	var all []kv
	for k, v := range r.failures {
		all = append(all, kv{k, v})
	}
	slices.SortFunc(all, func(a, b kv) int { return b.n - a.n })
	var parts []string
	for _, f := range all {
		parts = append(parts, fmt.Sprintf("%d× %s", f.n, f.what))
	}
	return strings.Join(parts, ", ")
}

func (r loadResult) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r loadResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.latencies)-1))
	return r.latencies[i]
}

// closedLoop runs workers, each on its own keep-alive connection, sending a
// request as soon as the previous answer is read, for warmup (not measured)
// then duration. A response whose status is not want, or a broken
// connection, counts as an error.
func closedLoop(addr string, workers int, warmup, duration time.Duration, want int, build requestFunc) loadResult {
	start := time.Now()
	measureFrom := start.Add(warmup)
	stop := measureFrom.Add(duration)
	type workerResult struct {
		lat      []time.Duration
		failures map[string]int
	}
	results := make([]workerResult, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			res := &results[w]
			res.lat = make([]time.Duration, 0, 1<<16)
			res.failures = map[string]int{}
			var c *httpConn
			var buf []byte
			for seq := 0; ; seq++ {
				t0 := time.Now()
				if t0.After(stop) {
					break
				}
				if c == nil {
					var err error
					if c, err = dial(addr); err != nil {
						if t0.After(measureFrom) {
							res.failures["dial: "+err.Error()]++
						}
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				buf = build(buf[:0], rng, w, seq)
				status, err := c.do(buf)
				t1 := time.Now()
				if err != nil {
					c.close()
					c = nil
				}
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					res.failures[err.Error()]++
					continue
				}
				if status != want {
					res.failures[strconv.Itoa(status)]++
					continue
				}
				res.lat = append(res.lat, t1.Sub(t0))
			}
			if c != nil {
				c.close()
			}
		})
	}
	wg.Wait()
	r := loadResult{failures: map[string]int{}}
	for _, w := range results {
		r.latencies = append(r.latencies, w.lat...)
		for k, v := range w.failures {
			r.failures[k] += v
			r.errors += v
		}
	}
	slices.Sort(r.latencies)
	r.requests = len(r.latencies)
	r.elapsed = duration
	return r
}

// httpConn is a minimal HTTP/1.1 client connection: it writes a prepared
// request and reads the status and body (Content-Length or chunked), so the
// load generator spends as little CPU as possible of what it measures.
type httpConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dial(addr string) (*httpConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &httpConn{c: c, br: bufio.NewReaderSize(c, 64<<10)}, nil
}

func (c *httpConn) close() { c.c.Close() }

var errMalformed = errors.New("malformed response")

func (c *httpConn) do(req []byte) (int, error) {
	if _, err := c.c.Write(req); err != nil {
		return 0, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, errMalformed
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, errMalformed
	}
	length, chunked, closeConn := -1, false, false
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, errMalformed
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closeConn = bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		err = c.skipChunked()
	case length > 0:
		_, err = c.br.Discard(length)
	}
	if err == nil && closeConn {
		err = io.EOF // the server hangs up: reconnect for the next request
	}
	return status, err
}

func (c *httpConn) skipChunked() error {
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil {
			return errMalformed
		}
		if _, err := c.br.Discard(int(size) + 2); err != nil {
			return err
		}
		if size == 0 {
			return nil
		}
	}
}

// appendRequest appends an HTTP/1.1 request with the given extra header lines
// (each "Name: value").
func appendRequest(buf []byte, method, path string, body []byte, headers ...string) []byte {
	buf = append(buf, method...)
	buf = append(buf, ' ')
	buf = append(buf, path...)
	buf = append(buf, " HTTP/1.1\r\nHost: bench\r\n"...)
	for _, h := range headers {
		buf = append(buf, h...)
		buf = append(buf, "\r\n"...)
	}
	if body != nil {
		buf = append(buf, "Content-Type: application/json\r\nContent-Length: "...)
		buf = strconv.AppendInt(buf, int64(len(body)), 10)
		buf = append(buf, "\r\n"...)
	}
	buf = append(buf, "\r\n"...)
	return append(buf, body...)
}
