package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The load generator's minimal HTTP client reads what net/http serves:
// fixed-length and chunked bodies, keep-alive, and a closing server.
func TestHTTPConn(t *testing.T) {
	big := strings.Repeat("chirp ", 20000) // streamed in chunks
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"ok":true}`))
		case "/chunked":
			for i := 0; i < len(big); i += 4096 {
				w.Write([]byte(big[i:min(i+4096, len(big))]))
				w.(http.Flusher).Flush()
			}
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	c, err := dial(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for _, tc := range []struct {
		path   string
		body   []byte
		status int
	}{
		{"/small", []byte(`{"a":1}`), 201},
		{"/chunked", nil, 200},
		{"/empty", nil, 204},
		{"/small", nil, 201}, // same connection, still in step
	} {
		st, err := c.do(appendRequest(nil, "POST", tc.path, tc.body, "X-Test: 1"))
		if err != nil || st != tc.status {
			t.Fatalf("%s: %d, %v; want %d", tc.path, st, err, tc.status)
		}
	}
	if st, err := c.do(appendRequest(nil, "GET", "/close", nil)); st != 503 || err == nil {
		t.Fatalf("/close: %d, %v; want 503 and an error asking to reconnect", st, err)
	}
}

func TestClosedLoopCountsFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	ok := closedLoop(addr, 2, 10*time.Millisecond, 100*time.Millisecond, 200, func(buf []byte, _ *randSource, _, _ int) []byte {
		return appendRequest(buf, "GET", "/ok", nil)
	})
	if ok.requests == 0 || ok.errors != 0 || ok.percentile(0.5) <= 0 || ok.percentile(0.99) < ok.percentile(0.5) {
		t.Fatalf("ok run: %d requests, %d errors, p50 %v p99 %v", ok.requests, ok.errors, ok.percentile(0.5), ok.percentile(0.99))
	}
	bad := closedLoop(addr, 2, 10*time.Millisecond, 100*time.Millisecond, 200, func(buf []byte, _ *randSource, _, _ int) []byte {
		return appendRequest(buf, "GET", "/fail", nil)
	})
	if bad.requests != 0 || bad.errors == 0 || !strings.Contains(bad.failureNote(), "× 503") {
		t.Fatalf("failing run: %d requests, %d errors, note %q", bad.requests, bad.errors, bad.failureNote())
	}
}

func TestTPSLine(t *testing.T) {
	out := []byte("number of failed transactions: 0 (0.000%)\nlatency average = 0.650 ms\ninitial connection time = 12.1 ms\ntps = 49223.127 (without initial connection time)\n")
	m := tpsLine.FindSubmatch(out)
	if m == nil || string(m[1]) != "49223.127" {
		t.Fatalf("tps not found in pgbench output: %q", m)
	}
}

func TestReport(t *testing.T) {
	rows := []row{
		{Scenario: "GET /api/chirps/{id}", Rate: 13000, P50: 2 * time.Millisecond, P99: 7 * time.Millisecond, Requests: 65000, Ceiling: 46000, PeakRSS: 17 << 20, CPUPerRequest: 60 * time.Microsecond},
		{Scenario: "GET /api/chirps (a|b)", P50: 600 * time.Millisecond, P99: 700 * time.Millisecond, Requests: 5, Note: "56.5 MB"},
	}
	var text, md bytes.Buffer
	writeText(&text, rows)
	writeMarkdown(&md, "measured on a test", rows)
	for _, want := range []string{"13000", "0.28", "2.0 ms", "17.0 MiB", "60 µs", "0 / 65000", "—"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text table lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(md.String(), `(a\|b)`) || strings.Count(md.String(), "\n| ") != 3 {
		t.Errorf("markdown table:\n%s", md.String())
	}
}
