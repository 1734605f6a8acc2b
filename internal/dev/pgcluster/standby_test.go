//go:build testall

package pgcluster_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/lib/pq"

	"chirpy/internal/dev/pgcluster"
)

// This test starts a standby (seconds of pg_basebackup and replication):
// make test-all runs it.

func open(t *testing.T, c *pgcluster.Cluster) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A primary with a synchronous standby, the primary crashes, the standby
// takes over with every committed row and accepts writes at once.
func TestSynchronousStandbyFailover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	primary, err := pgcluster.StartThrowawayIn(ctx, pgcluster.MemoryDir(), append([]string{"fsync = off", "dynamic_shared_memory_type = mmap"}, pgcluster.StreamingSettings("standby1")...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = primary.Remove() })
	standby, err := primary.StartStandby(ctx, "standby1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = standby.Remove() })
	if standby.Port == primary.Port || standby.DataDir == primary.DataDir {
		t.Fatalf("the standby shares the primary's port or directory: %+v, %+v", standby, primary)
	}

	pdb, sdb := open(t, primary), open(t, standby)
	var syncState string
	if err := pdb.QueryRowContext(ctx, "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'").Scan(&syncState); err != nil {
		t.Fatalf("the primary reports no standby1: %v", err)
	}
	if syncState != "sync" {
		t.Fatalf("standby1 sync_state = %q, want sync", syncState)
	}

	if _, err := pdb.ExecContext(ctx, "CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := pdb.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	// A synchronous commit waits for the standby's flush, not its replay:
	// the row becomes visible there shortly after.
	waitRow(ctx, t, sdb, 1)
	_, err = sdb.ExecContext(ctx, "INSERT INTO t VALUES (2)")
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "25006" { // read_only_sql_transaction
		t.Fatalf("insert on the standby: %v, want a read-only error", err)
	}

	// A connection held across the crash: its backend dies with the rest.
	held, err := pdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = held.Close() }() // broken by the kill
	if err := primary.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := open(t, primary).PingContext(ctx); err == nil {
		t.Fatal("the killed primary still accepts connections")
	}
	if _, err := held.ExecContext(ctx, "INSERT INTO t VALUES (3)"); err == nil {
		t.Fatal("a connection opened before the kill still commits")
	}
	if err := standby.Promote(ctx); err != nil {
		t.Fatal(err)
	}
	// The promoted standby must not wait for a standby of its own: had it
	// kept the primary's synchronous_standby_names, this commit would wait
	// until the context ends (and then be reported committed).
	writeCtx, cancelWrite := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWrite()
	if _, err := sdb.ExecContext(writeCtx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("insert on the promoted standby: %v", err)
	}
	if writeCtx.Err() != nil {
		t.Fatal("the commit on the promoted standby waited for a synchronous standby")
	}
	var n int
	if err := sdb.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows on the promoted standby: %d, %v; want 2", n, err)
	}

	if err := standby.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(standby.DataDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Remove left the standby's directory: %v", err)
	}
}

func waitRow(ctx context.Context, t *testing.T, db *sql.DB, id int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		var found bool
		err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM t WHERE id = $1)", id).Scan(&found)
		if err == nil && found {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("row %d never reached the standby (last error: %v)", id, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
