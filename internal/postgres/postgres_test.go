package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"chirpy/internal/pgtest"
	"chirpy/internal/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// The pool keeps every connection it may open: a burst does not close and
// reopen connections.
func TestOpenSizesThePool(t *testing.T) {
	db, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Stats().MaxOpenConnections; got != 8 {
		t.Fatalf("MaxOpenConnections = %d, want 8", got)
	}
	// Hold 8 connections at once, then release them all.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := db.Exec(`SELECT pg_sleep(0.2)`); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st := db.Stats()
	if st.Idle != 8 || st.MaxIdleClosed != 0 {
		t.Fatalf("after a burst of 8: %d idle, %d closed for exceeding max idle; want all 8 kept", st.Idle, st.MaxIdleClosed)
	}
}

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("bug"), false},
		{sql.ErrNoRows, false},
		{context.DeadlineExceeded, true},
		{fmt.Errorf("get chirp: %w", syscall.ECONNREFUSED), true},
		{io.ErrUnexpectedEOF, true},
		{&pq.Error{Code: pqerror.AdminShutdown}, true},
		{&pq.Error{Code: "40001"}, true}, // serialization failure
		{&pq.Error{Code: "53300"}, true}, // too many connections
		{&pq.Error{Code: pqerror.UniqueViolation}, false},
		{&pq.Error{Code: "42601"}, false}, // syntax error: our bug
	} {
		if got := postgres.Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	db, err := postgres.Open(context.Background(), pgtest.NewBlankDatabase(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Several servers starting at once all migrate; the advisory lock makes
	// them take turns.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := postgres.Migrate(ctx, db, discard); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("%d migrations recorded, want each of the 4 once", n)
	}
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))
