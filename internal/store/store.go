// Package store is Chirpy's PostgreSQL storage, and the only package of the
// server that speaks SQL: it alone imports database/sql, the driver (lib/pq)
// and the queries sqlc generates (internal/database). It returns Chirpy's own
// types and a few kinds of error (ErrNotFound, ErrConflict, ErrInvalid,
// ErrUnavailable), which the HTTP edge maps to statuses; a refusal of a rule
// it carries out is the rule's own error (chirp.ErrNotAuthor, say).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/lib/pq"

	"chirpy/internal/database"
)

// Options tune a Store; the zero value means the defaults.
type Options struct {
	// MaxConns is the size of the connection pool, every connection kept
	// open when idle (default 16).
	MaxConns int
	// PageTimeout bounds each query of ChirpPages (default 10 s): a long list
	// may take longer than a request's deadline, but no single page should.
	PageTimeout time.Duration
	// NoPreparedStatements runs every query unprepared, for a pooler in
	// transaction mode that cannot keep a connection's prepared statements
	// (PgBouncer before 1.21). Prepared, each query is one round trip with
	// no parsing; unprepared (with binary_parameters, see connString), one
	// round trip with parsing.
	NoPreparedStatements bool
}

const (
	defaultMaxConns    = 16
	defaultPageTimeout = 10 * time.Second
	// connectTimeout bounds opening a connection and the first ping.
	connectTimeout = 5 * time.Second
)

// Store is Chirpy's data in PostgreSQL. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	q    *database.Queries
	tx   *sql.Tx // set inside InTx
	opts Options
}

// Open connects to the database at url, whose schema Migrate has brought up
// to date, checks that it answers and prepares every query on it.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = defaultMaxConns
	}
	if opts.PageTimeout <= 0 {
		opts.PageTimeout = defaultPageTimeout
	}
	db, err := connect(ctx, url, opts.MaxConns)
	if err != nil {
		return nil, err
	}
	q := database.New(db)
	if !opts.NoPreparedStatements {
		if q, err = database.Prepare(ctx, db); err != nil {
			db.Close()
			return nil, fail("prepare queries", err)
		}
	}
	return &Store{db: db, q: q, opts: opts}, nil
}

// connect returns a pool of maxConns connections to url, all kept open when
// idle, once the database has answered a ping.
func connect(ctx context.Context, url string, maxConns int) (*sql.DB, error) {
	dsn, err := connString(url)
	if err != nil {
		return nil, failAs("not a valid PostgreSQL URL", ErrInvalid, err)
	}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, failAs("not a valid PostgreSQL URL", ErrInvalid, err)
	}
	connector.Dialer(dialer{net.Dialer{
		Timeout: connectTimeout,
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

	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, failAs("cannot reach the database", ErrUnavailable, err)
	}
	return db, nil
}

// Stats are the connection pool's statistics, for an operator's metrics.
func (s *Store) Stats() sql.DBStats { return s.db.Stats() }

// Close closes the pool.
func (s *Store) Close() error {
	err := s.q.Close()
	return errors.Join(err, s.db.Close())
}

// Ping reports whether the database answers. A pool whose connections died
// with a database that has come back is emptied of its idle ones, and asked
// again on a new one: the answer is the database's, not a stale socket's.
func (s *Store) Ping(ctx context.Context) error {
	err := s.db.PingContext(ctx)
	if err != nil && ctx.Err() == nil && kindOf(err) == ErrUnavailable {
		s.db.SetMaxIdleConns(0) // closes every idle connection
		s.db.SetMaxIdleConns(s.opts.MaxConns)
		err = s.db.PingContext(ctx)
	}
	return fail("ping", err)
}

// write runs fn, which changes data, and trusts its success only if ctx was
// still live when fn returned. A COMMIT that waits for a synchronous standby
// and is cancelled (lib/pq cancels when ctx ends) is kept on the primary
// alone, and PostgreSQL reports it as a success, with a warning lib/pq does
// not pass on: acknowledged, it could be lost to a failover. Such a success
// is reported as ErrUnavailable instead, so the client tries again (which the
// write's own rules make safe: a webhook's id, a taken email); the write may
// have been kept.
func write[T any](ctx context.Context, s *Store, op string, fn func(ctx context.Context) (T, error)) (T, error) {
	v, err := fn(ctx)
	if err == nil && s.tx == nil && ctx.Err() != nil {
		var zero T
		return zero, failAs(op, ErrUnavailable, fmt.Errorf("the write returned after its deadline (%w); it may be on the primary alone", ctx.Err()))
	}
	return v, err
}

// InTx runs fn in one transaction: what fn does through its Store is
// committed if fn returns nil, and rolled back otherwise (or if fn panics).
// Inside fn, InTx joins the transaction already open.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail("begin transaction", err)
	}
	defer tx.Rollback() // after a commit, a no-op
	inTx := &Store{db: s.db, q: s.q.WithTx(tx), tx: tx, opts: s.opts}
	if err := fn(inTx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		// A context that ended rolls the transaction back behind Commit's
		// back, which then only says sql.ErrTxDone: say why.
		return fail("commit", errors.Join(ctx.Err(), err))
	}
	if ctx.Err() != nil {
		// As in write: a commit cancelled while it waited for a
		// synchronous standby is kept on the primary alone.
		return failAs("commit", ErrUnavailable, fmt.Errorf("the commit returned after its deadline (%w); it may be on the primary alone", ctx.Err()))
	}
	return nil
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
