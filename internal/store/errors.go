package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// The kinds of failure a Store reports. Every error a Store returns is one of
// them (errors.Is) or, if none, a bug: a query that should not fail.
var (
	// ErrNotFound: no such row, or a row it refers to (a chirp's author, a
	// token's user) no longer exists.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the value is taken (an email another account has).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: a value PostgreSQL cannot store, such as text with NUL:
	// the client's input, which no retry will mend.
	ErrInvalid = errors.New("invalid value")
	// ErrUnavailable: the database could not do it now (down, unreachable,
	// overloaded, shutting down, timed out, or a lost transaction conflict);
	// trying again later may succeed.
	ErrUnavailable = errors.New("database unavailable")
	// ErrNoSchema: the database lacks Chirpy's tables: it was never migrated
	// (Migrate; the server migrates when it starts).
	ErrNoSchema = errors.New("the database holds no Chirpy tables: the server creates them when it starts")
)

// opError is a failed operation: what was being done, the kind of failure (nil
// for a bug) and the driver's error, which stays reachable for errors.Is (a
// context canceled by a client that went away, say) but is never shown to a
// client.
type opError struct {
	op   string
	kind error
	err  error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }

func (e *opError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// fail wraps err, an error of the driver or database/sql, as the failure of
// op, with its kind.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return &opError{op: op, kind: kindOf(err), err: err}
}

// failAs wraps err as a failure of op of the given kind.
func failAs(op string, kind, err error) error {
	return &opError{op: op, kind: kind, err: err}
}

func kindOf(err error) error {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case pq.As(err, pqerror.UniqueViolation) != nil:
		return ErrConflict
	case pq.As(err, pqerror.ForeignKeyViolation) != nil:
		return ErrNotFound
	case pq.As(err, pqerror.UndefinedTable) != nil:
		return ErrNoSchema
	case isDataException(err):
		return ErrInvalid
	case unavailable(err):
		return ErrUnavailable
	}
	return nil
}

// isDataException reports whether PostgreSQL refused a value as data (SQLSTATE
// class 22), such as text containing NUL.
func isDataException(err error) bool {
	pqErr := pq.As(err)
	return pqErr != nil && pqErr.Code.Class() == pqerror.ClassDataException
}

// unavailable reports whether err means the database could not serve the
// request now, so that trying again later may succeed. Other errors are bugs:
// a bad query, a violated constraint nobody expected.
func unavailable(err error) bool {
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
