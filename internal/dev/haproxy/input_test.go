package haproxy_test

import (
	"context"
	"strings"
	"testing"

	"chirpy/internal/dev/haproxy"
)

// Bad input is refused before haproxy is looked for, and Find only looks:
// this test is in make test, where haproxy may be missing.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	for _, backends := range [][]string{nil, {"127.0.0.1"}, {"127.0.0.1:x"}, {"127.0.0.1:80 backup"}} {
		if p, err := haproxy.Start(ctx, backends); err == nil {
			p.Stop()
			t.Errorf("Start(%q) succeeded", backends)
		}
	}
	t.Setenv("HAPROXY", "/nonexistent/haproxy")
	if _, err := haproxy.Find(); err == nil || !strings.Contains(err.Error(), "apt-get install haproxy") {
		t.Errorf("Find with a missing $HAPROXY: %v", err)
	}
}
