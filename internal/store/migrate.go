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
// time take turns through a lock row (goose's table locker, leased and kept
// alive while migrating): unlike a session advisory lock it works through a
// pooler in transaction mode, and a migrator that dies releases it when its
// lease runs out.
func Migrate(ctx context.Context, url string) ([]Migration, error) {
	db, err := connect(ctx, url, 2) // one for the migrations, one for the lock's heartbeat
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// Servers that wait for the lock try again every second, for up to
	// five minutes.
	locker, err := lock.NewPostgresTableLocker(lock.WithTableLockTimeout(time.Second, 300))
	if err != nil {
		return nil, fail("migrate", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, schema.FS,
		goose.WithLocker(locker),
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
