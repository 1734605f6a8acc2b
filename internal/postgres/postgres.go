// Package postgres connects Chirpy to its database: the connection pool, the
// embedded migrations, and the distinction between "the database is not
// there right now" and "something is wrong with our query".
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"chirpy/sql/schema"
)

// Open returns a pool for url with maxConns connections, all kept open when
// idle, and checks that the database answers.
func Open(ctx context.Context, url string, maxConns int) (*sql.DB, error) {
	connector, err := pq.NewConnector(url)
	if err != nil {
		return nil, fmt.Errorf("DB_URL is not a valid Postgres URL: %w", err)
	}
	connector.Dialer(dialer{net.Dialer{
		Timeout: 5 * time.Second,
		// A connection whose peer vanished (host down, network cut) fails
		// after about 25 s instead of holding its request for many minutes.
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: 5 * time.Second, Count: 3},
	}})
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(maxConns)
	// The default keeps only 2 idle connections, so a burst above that opens
	// and closes connections on every request.
	db.SetMaxIdleConns(maxConns)
	// Recycling connections now and then lets a restarted or failed-over
	// database and a changed pooler spread load again.
	db.SetConnMaxLifetime(30 * time.Minute)

	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach the database at DB_URL: %w", err)
	}
	return db, nil
}

// Migrate applies every pending migration. Servers starting at the same time
// take turns through a Postgres advisory lock.
func Migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, schema.FS,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("applied migration", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// Unavailable reports whether err means the database could not serve the
// request now (down, unreachable, overloaded, shutting down, timed out, or a
// transaction that lost a conflict), so that trying again later may succeed.
// Other errors are bugs: a bad query, a violated constraint nobody expected.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	if netErr, ok := errors.AsType[net.Error](err); ok && netErr != nil {
		return true
	}
	if pqErr := pq.As(err); pqErr != nil {
		switch pqErr.Code.Class() {
		case pqerror.ClassConnectionException,
			pqerror.ClassTransactionRollback, // serialization failure, deadlock
			pqerror.ClassInsufficientResources,
			pqerror.ClassOperatorIntervention: // shutdown, query canceled by timeout
			return true
		}
	}
	return false
}

// IsDataException reports whether Postgres refused a value as data (SQLSTATE
// class 22), such as text containing NUL: the client's input, not our bug.
func IsDataException(err error) bool {
	pqErr := pq.As(err)
	return pqErr != nil && pqErr.Code.Class() == pqerror.ClassDataException
}

// IsUniqueViolation reports whether err is a unique constraint violation.
func IsUniqueViolation(err error) bool {
	return pq.As(err, pqerror.UniqueViolation) != nil
}

// IsForeignKeyViolation reports whether err is a foreign key violation, such
// as a row that refers to a user deleted a moment before.
func IsForeignKeyViolation(err error) bool {
	return pq.As(err, pqerror.ForeignKeyViolation) != nil
}

// dialer gives lib/pq a net.Dialer with our timeout and keepalive settings.
type dialer struct{ d net.Dialer }

func (d dialer) Dial(network, address string) (net.Conn, error) {
	return d.d.Dial(network, address)
}

func (d dialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.d.DialContext(ctx, network, address)
}

func (d dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return d.d.DialContext(ctx, network, address)
}
