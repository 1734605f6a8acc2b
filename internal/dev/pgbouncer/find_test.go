package pgbouncer_test

import (
	"strings"
	"testing"

	"chirpy/internal/dev/pgbouncer"
)

// Find looks and runs nothing: this test is in make test, where PgBouncer may
// be missing.
func TestMissingBinary(t *testing.T) {
	t.Setenv("PGBOUNCER", "/nonexistent/pgbouncer")
	_, err := pgbouncer.Find()
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/pgbouncer") || !strings.Contains(err.Error(), "apt-get install pgbouncer") {
		t.Fatalf("Find with a missing $PGBOUNCER: %v", err)
	}
}
