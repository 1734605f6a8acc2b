//go:build testall

package pgbouncer_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"chirpy/internal/dev/pgbouncer"
	"chirpy/internal/dev/pgcluster"
)

// These tests run PgBouncer: make test-all runs them, and fails where it is
// missing.

// cluster is the server behind every bouncer of these tests, each of which
// has its own bouncer: starting one takes seconds.
var cluster *pgcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	if cluster, err = pgcluster.StartThrowawayIn(ctx, pgcluster.MemoryDir(), "fsync = off", "dynamic_shared_memory_type = mmap"); err != nil {
		fmt.Fprintln(os.Stderr, "pgbouncer tests: no PostgreSQL:", err)
		return 1
	}
	defer func() { _ = cluster.Remove() }()
	if err := cluster.CreateDatabase(ctx, "chirpy"); err != nil {
		fmt.Fprintln(os.Stderr, "pgbouncer tests:", err)
		return 1
	}
	return m.Run()
}

// Two clients hold connections at once while the bouncer has one server
// connection: in transaction pooling they take turns on it. (In session
// pooling the second would wait for the first to disconnect, and time out.)
func TestTransactionPooling(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := pgbouncer.Start(ctx, cluster, "chirpy", pgbouncer.PoolSize(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)

	db, err := sql.Open("postgres", b.URL("chirpy"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var conns [2]*sql.Conn
	for i := range conns {
		if conns[i], err = db.Conn(ctx); err != nil {
			t.Fatalf("client %d: %v\n%s", i, err, b.Log())
		}
		defer func() { _ = conns[i].Close() }()
	}
	// lib/pq's cancel does not reach a client PgBouncer keeps waiting for a
	// server connection (it would wait query_wait_timeout, 120 s), so the
	// test bounds the wait itself.
	var pids [2]int
	var dbname string
	done := make(chan error, 1)
	go func() {
		for round := 0; round < 2; round++ {
			for i, conn := range conns {
				if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid(), current_database()").Scan(&pids[i], &dbname); err != nil {
					done <- fmt.Errorf("client %d, round %d: %w", i, round, err)
					return
				}
			}
			if pids[0] != pids[1] {
				done <- fmt.Errorf("the clients ran on server connections %d and %d; a pool of 1 has one", pids[0], pids[1])
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\n%s", err, b.Log())
		}
	case <-time.After(10 * time.Second):
		b.Stop() // ends the waiting query, which would otherwise hold up the cleanup
		t.Fatalf("the second client still waits for the server connection the first holds: no transaction pooling\n%s", b.Log())
	}
	if dbname != "chirpy" {
		t.Errorf("current_database() = %q through the bouncer, want chirpy", dbname)
	}

	// Any other database of the server is reachable too.
	other, err := sql.Open("postgres", b.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.QueryRowContext(ctx, "SELECT current_database()").Scan(&dbname); err != nil || dbname != "postgres" {
		t.Errorf("database postgres through the bouncer: %q, %v\n%s", dbname, err, b.Log())
	}
}

// The default pool holds DefaultPoolSize server connections, and clients
// beyond it wait their turn rather than fail.
func TestDefaultPoolSize(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := pgbouncer.Start(ctx, cluster, "chirpy")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	db, err := sql.Open("postgres", b.URL("chirpy"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const clients = 3 * pgbouncer.DefaultPoolSize
	db.SetMaxOpenConns(clients)
	pids := make(chan int, clients)
	errs := make(chan error, clients)
	for range clients {
		go func() {
			// Each holds a server connection for a while, so that all of
			// them are in use at once.
			var pid int
			err := db.QueryRowContext(ctx, "SELECT pg_backend_pid() FROM pg_sleep(0.2)").Scan(&pid)
			pids <- pid
			errs <- err
		}()
	}
	seen := map[int]bool{}
	for range clients {
		if err := <-errs; err != nil {
			t.Fatalf("a client: %v\n%s", err, b.Log())
		}
		seen[<-pids] = true
	}
	if len(seen) != pgbouncer.DefaultPoolSize {
		t.Errorf("%d clients ran on %d server connections, want %d", clients, len(seen), pgbouncer.DefaultPoolSize)
	}
}

func TestStopEndsIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := pgbouncer.Start(ctx, cluster, "chirpy")
	if err != nil {
		t.Fatal(err)
	}
	b.Stop()
	db, err := sql.Open("postgres", b.URL("chirpy"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("the bouncer still answers after Stop")
	}
	b.Stop() // a second Stop is harmless
}
