package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape returns the metrics page, and the value of each sample line
// ("name{labels}" -> value).
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

// METRICS_ADDR serves Prometheus metrics on a listener of their own: requests
// by route pattern, method and status, with latency; deliveries by event and
// outcome; the pool; the wait for a password hashing slot; refused logins.
// The public port does not serve them.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0", "LOGIN_LIMIT_PER_CLIENT": "5"})
	var metricsURL string
	select {
	case addr := <-s.logs.metrics:
		metricsURL = "http://" + addr.String() + "/metrics"
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not say where it serves metrics")
	}
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
