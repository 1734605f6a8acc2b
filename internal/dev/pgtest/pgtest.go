// Package pgtest gives tests a real PostgreSQL: the first NewDatabase of a
// test binary starts a throwaway cluster (or uses TEST_DATABASE_URL), each test
// gets a database of its own, cloned from a migrated template in milliseconds,
// and Main removes it all at the end. A missing PostgreSQL fails the tests; it
// never skips them.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"chirpy/internal/dev/pgcluster"
	"chirpy/internal/store"
)

// Settings trade durability for speed: a test cluster is thrown away anyway.
// Its dynamic shared memory lives in its data directory, which is removed
// with it, even after a crash (posix segments in /dev/shm would stay behind
// a killed server for good); little WAL is kept, since the cluster may be in
// memory (pgcluster.MemoryDir).
var Settings = []string{
	"fsync = off",
	"synchronous_commit = off",
	"full_page_writes = off",
	"max_connections = 400",
	"dynamic_shared_memory_type = mmap",
	"max_wal_size = 64MB",
}

var (
	prefix   string // names of this binary's databases start with it
	template string // the migrated database every test database is cloned from
	seq      atomic.Int64
	createMu sync.Mutex // CREATE DATABASE ... TEMPLATE wants the template to itself

	// The server is started by the first test that asks for a database, so
	// test binaries (and fuzzing workers) that need none never start one.
	startOnce sync.Once
	startErr  error
	adminURL  string // a database on the server where test databases are made
	cluster   *pgcluster.Cluster
)

// Main runs a test binary's tests, providing them a real PostgreSQL: call it
// from TestMain as os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	prefix = fmt.Sprintf("chirpy_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	template = prefix + "_template"
	code := m.Run()
	if adminURL != "" {
		dropAll()
	}
	if cluster != nil {
		if err := cluster.Remove(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: teardown:", err)
		}
	}
	return code
}

// server starts (once) the server test databases live on, and the template.
func server(t testing.TB) {
	t.Helper()
	startOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
			adminURL = u
		} else {
			cluster, startErr = StartCluster(ctx)
			if startErr != nil {
				return
			}
			adminURL = cluster.URL("postgres")
		}
		startErr = createTemplate(ctx)
	})
	if startErr != nil {
		t.Fatalf("pgtest: no PostgreSQL for the tests: %v", startErr)
	}
}

// StartCluster starts a throwaway cluster with Settings and more, in memory
// where it can (pgcluster.MemoryDir); see pgcluster.StartThrowaway.
func StartCluster(ctx context.Context, more ...string) (*pgcluster.Cluster, error) {
	return pgcluster.StartThrowawayIn(ctx, pgcluster.MemoryDir(), slices.Concat(Settings, more)...)
}

func createTemplate(ctx context.Context) error {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+template); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	_, err = store.Migrate(ctx, WithDatabase(adminURL, template))
	return err
}

// NewDatabase returns the URL of a new database holding every migration and
// no rows. It is dropped when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, " TEMPLATE "+template)
}

// NewBlankDatabase returns the URL of a new, empty database (no migrations),
// dropped when t ends.
func NewBlankDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "")
}

func newDatabase(t testing.TB, options string) string {
	t.Helper()
	server(t)
	name := fmt.Sprintf("%s_%d", prefix, seq.Add(1))
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// CREATE DATABASE ... TEMPLATE wants the template to itself.
	createMu.Lock()
	_, err = admin.Exec("CREATE DATABASE " + name + options)
	createMu.Unlock()
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { drop(name) })
	return WithDatabase(adminURL, name)
}

// WithDatabase returns u with its database name replaced.
func WithDatabase(u, name string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		panic(fmt.Sprintf("pgtest: TEST_DATABASE_URL is not a URL: %v", err))
	}
	parsed.Path = "/" + name
	return parsed.String()
}

func drop(name string) {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return
	}
	defer admin.Close()
	// FORCE ends connections a test left open.
	// Best effort, in cleanup: Main's dropAll tries again, and a throwaway
	// server is removed whole.
	_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

func dropAll() {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return
	}
	defer admin.Close()
	rows, err := admin.Query("SELECT datname FROM pg_database WHERE datname LIKE $1", prefix+"%")
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			drop(n)
		}
	}
}
