package store

import (
	"context"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"chirpy/sql/schema"
)

// Migration is one migration Migrate applied.
type Migration struct {
	Version  int64
	File     string
	Duration time.Duration
}

// Migrate applies every pending migration (sql/schema, embedded) to the
// database at url and returns those it applied. Servers starting at the same
// time take turns through a PostgreSQL advisory lock.
func Migrate(ctx context.Context, url string) ([]Migration, error) {
	db, err := connect(ctx, url, 2) // goose holds one connection for its lock
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// Servers that wait for the lock try again every second, for up to
	// five minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fail("migrate", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, schema.FS,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fail("migrate", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, fail("migrate", err)
	}
	applied := make([]Migration, len(results))
	for i, r := range results {
		applied[i] = Migration{Version: r.Source.Version, File: r.Source.Path, Duration: r.Duration}
	}
	return applied, nil
}
