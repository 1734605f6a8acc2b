package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scrape returns the metrics page, and the value of each sample line
// ("name{labels}" -> value).
// Not s.req: the metrics listener is not the API, and the OpenAPI document
// does not describe it.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	samples := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q", line)
		}
		samples[line[:i]] = v
	}
	return samples
}

// metricsURL is where s serves its metrics.
func metricsURL(t *testing.T, s *testServer) string {
	t.Helper()
	select {
	case addr := <-s.logs.metrics:
		return "http://" + addr.String() + "/metrics"
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not say where it serves metrics")
		return ""
	}
}

// METRICS_ADDR serves Prometheus metrics on a listener of their own: requests
// by route pattern, method and status, with latency; deliveries by event and
// outcome; the pool; the wait for a password hashing slot; refused logins.
// The public port does not serve them.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0", "LOGIN_LIMIT_PER_CLIENT": "5"})
	metricsURL := metricsURL(t, s)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	for _, id := range []string{"8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "5b1e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "6c2e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"} {
		s.req(t, "GET", "/api/chirps/"+id, nil).expect(t, http.StatusNotFound)
	}
	s.req(t, "GET", "/nowhere/at/all", nil).expect(t, http.StatusNotFound)
	s.req(t, "POST", hookPath, upgraded(walt.ID), withID("msg_1")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", hookPath, upgraded(walt.ID), withID("msg_1")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", hookPath, map[string]any{"event": "anything.else"}, withID("msg_2")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", hookPath, upgraded("walt"), withID("msg_3")...).expect(t, http.StatusBadRequest)
	for range 5 {
		s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "guess"})
	}

	m := scrape(t, metricsURL)
	for sample, want := range map[string]float64{
		`chirpy_http_requests_total{code="404",method="GET",route="GET /api/chirps/{chirpID}"}`:      3,
		`chirpy_http_requests_total{code="404",method="GET",route="unmatched"}`:                      1,
		`chirpy_http_requests_total{code="201",method="POST",route="POST /api/users"}`:               1,
		`chirpy_http_request_duration_seconds_count{method="GET",route="GET /api/chirps/{chirpID}"}`: 3,
		`chirpy_webhook_deliveries_total{event="user.upgraded",outcome="applied"}`:                   2,
		`chirpy_webhook_deliveries_total{event="other",outcome="ignored"}`:                           1,
		`chirpy_webhook_deliveries_total{event="other",outcome="refused"}`:                           1,
		`chirpy_login_throttled_total`:                  1,
		`go_sql_max_open_connections{db_name="chirpy"}`: 16,
	} {
		if got, ok := m[sample]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", sample, got, ok, want)
		}
	}
	for _, sample := range []string{"go_goroutines", "process_open_fds", `go_sql_in_use_connections{db_name="chirpy"}`, `go_sql_wait_count_total{db_name="chirpy"}`} {
		if _, ok := m[sample]; !ok {
			t.Errorf("no %s", sample)
		}
	}
	if m["chirpy_password_hash_wait_seconds_count"] < 5 {
		t.Errorf("password hash waits observed: %v, want one per hash", m["chirpy_password_hash_wait_seconds_count"])
	}
	pathLabel := regexp.MustCompile(`route="[^"]*8a0e3bb6`)
	for sample := range m {
		if pathLabel.MatchString(sample) {
			t.Errorf("a raw path became a label: %s", sample)
		}
	}
	// Not on the public port.
	s.req(t, "GET", "/metrics", nil).expect(t, http.StatusNotFound)
}

// The connection caps' refusals and evictions are counted, by cap: here a
// client at its cap of one connection has its idle one closed for a new
// one, then, that one busy, its next refused.
func TestConnectionMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0", "MAX_CONNECTIONS_PER_CLIENT": "1"})
	metricsURL := metricsURL(t, s)
	// Raw connections, not s.req: what is counted is connections held and
	// refused, some never sending a request.
	dial := func() net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.9")}}
		c, err := d.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() }) // before the server stops: it would wait for busy's request
		if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	closed := func(c net.Conn) bool {
		_, err := c.Read(make([]byte, 1))
		return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
	}
	idle := dial() // it has sent nothing: idle
	busy := dial() // in its place
	// Busy once its handler asks for the body (100 Continue), which never
	// comes.
	fmt.Fprint(busy, "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n")
	if line, err := bufio.NewReader(busy).ReadString('\n'); err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("the connection at the client's cap: %q, %v; want 100 Continue", line, err)
	}
	if !closed(dial()) {
		t.Fatal("a connection beyond the client's cap, with none idle, was not refused")
	}
	if !closed(idle) {
		t.Fatal("the client's idle connection was not closed for its next")
	}
	m := scrape(t, metricsURL)
	for sample, want := range map[string]float64{
		`chirpy_connections_refused_total{cap="per_client"}`: 1,
		`chirpy_connections_evicted_total{cap="per_client"}`: 1,
		`chirpy_connections_refused_total{cap="global"}`:     0,
		`chirpy_connections_evicted_total{cap="global"}`:     0,
	} {
		if got, ok := m[sample]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", sample, got, ok, want)
		}
	}
	if m["chirpy_connections_open"] < 1 {
		t.Errorf("chirpy_connections_open = %v, want the busy one at least", m["chirpy_connections_open"])
	}
}
