package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"chirpy/internal/dev/pgtest"
	"chirpy/internal/store"
	"chirpy/sql/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// newStore opens a store.Store on a fresh, migrated database.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// exec runs SQL of the test's own on s's database.
func exec(t *testing.T, s *store.Store, query string, args ...any) {
	t.Helper()
	if _, err := store.DB(s).Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := store.DB(s).QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The pool keeps every connection it may open: a burst does not close and
// reopen connections.
func TestOpenSizesThePool(t *testing.T) {
	t.Parallel()
	s, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if got := store.DB(s).Stats().MaxOpenConnections; got != 8 {
		t.Fatalf("MaxOpenConnections = %d, want 8", got)
	}
	// Hold 8 connections at once, then release them all.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := store.DB(s).Exec(`SELECT pg_sleep(0.2)`); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st := store.DB(s).Stats()
	if st.Idle != 8 || st.MaxIdleClosed != 0 {
		t.Fatalf("after a burst of 8: %d idle, %d closed for exceeding max idle; want all 8 kept", st.Idle, st.MaxIdleClosed)
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable", store.Options{})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open = %v, want store.ErrUnavailable", err)
	}
}

// Every driver error becomes one of the store.Store's kinds, or none (a bug); the
// driver's error stays reachable.
func TestKindOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want error
	}{
		{errors.New("bug"), nil},
		{sql.ErrNoRows, store.ErrNotFound},
		{&pq.Error{Code: pqerror.UniqueViolation}, store.ErrConflict},
		{&pq.Error{Code: pqerror.ForeignKeyViolation}, store.ErrNotFound},
		{&pq.Error{Code: "22021"}, store.ErrInvalid}, // invalid byte sequence
		{&pq.Error{Code: "22P05"}, store.ErrInvalid}, // NUL in text
		{context.DeadlineExceeded, store.ErrUnavailable},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), store.ErrUnavailable},
		{io.ErrUnexpectedEOF, store.ErrUnavailable},
		{&pq.Error{Code: pqerror.AdminShutdown}, store.ErrUnavailable},
		{&pq.Error{Code: "40001"}, store.ErrUnavailable}, // serialization failure
		{&pq.Error{Code: "53300"}, store.ErrUnavailable}, // too many connections
		{&pq.Error{Code: "42601"}, nil},                  // syntax error: our bug
	} {
		err := store.Fail("op", tc.err)
		for _, kind := range []error{store.ErrNotFound, store.ErrConflict, store.ErrInvalid, store.ErrUnavailable} {
			if errors.Is(err, kind) != (kind == tc.want) {
				t.Errorf("fail(%v): errors.Is(%v) = %v", tc.err, kind, errors.Is(err, kind))
			}
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("fail(%v) lost the driver's error", tc.err)
		}
	}
	if store.Fail("op", nil) != nil {
		t.Error("fail(nil) is not nil")
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	url := pgtest.NewBlankDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Several servers starting at once all migrate; the advisory lock makes
	// them take turns, and only one applies each migration.
	applied := make([]int, 3)
	var wg sync.WaitGroup
	for i := range applied {
		wg.Go(func() {
			ms, err := store.Migrate(ctx, url)
			if err != nil {
				t.Error(err)
			}
			applied[i] = len(ms)
		})
	}
	wg.Wait()
	files, err := fs.Glob(schema.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations embedded: %v", err)
	}
	if applied[0]+applied[1]+applied[2] != len(files) {
		t.Errorf("the three runs applied %v migrations, want %d in all", applied, len(files))
	}
	s, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if n := count(t, s, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`); n != len(files) {
		t.Fatalf("%d migrations recorded, want each of the %d once", n, len(files))
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.CreateUser(ctx, "walt@breakingbad.com", "h"); err != nil {
			return err
		}
		// Inside, InTx joins the transaction.
		return tx.InTx(ctx, func(inner *store.Store) error {
			if _, err := inner.CreateUser(ctx, "saul@bettercall.com", "h"); err != nil {
				return err
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want fn's error", err)
	}
	if n := count(t, s, `SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("%d users after a rolled-back transaction", n)
	}
	if err := s.InTx(ctx, func(tx *store.Store) error {
		_, err := tx.CreateUser(ctx, "walt@breakingbad.com", "h")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM users`); n != 1 {
		t.Fatalf("%d users after a committed transaction, want 1", n)
	}
}
