package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"chirpy/internal/auth"
	"chirpy/internal/chirp"
	"chirpy/internal/postgres"
)

// Error is a failure with the status and message the client should see.
// Handlers return it for anything the client did; everything else they return
// is our own failure, answered with a 5xx that says nothing internal.
type Error struct {
	Status  int
	Message string
	// Header is added to the response, e.g. Retry-After or WWW-Authenticate.
	Header http.Header
	// Err is the cause of a 5xx, logged and never shown to the client.
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func notFound(msg string) *Error  { return &Error{Status: http.StatusNotFound, Message: msg} }
func forbidden(msg string) *Error { return &Error{Status: http.StatusForbidden, Message: msg} }
func conflict(msg string) *Error  { return &Error{Status: http.StatusConflict, Message: msg} }

// unauthorized answers a request whose credentials are missing or wrong;
// scheme names the kind of credentials the endpoint expects.
func unauthorized(scheme, msg string) *Error {
	return &Error{
		Status:  http.StatusUnauthorized,
		Message: msg,
		Header:  http.Header{"Www-Authenticate": {scheme}},
	}
}

// clientErrors maps the errors of the rule packages to what the client sees,
// so handlers can return them as they come.
var clientErrors = []struct {
	err    error
	status int
}{
	{chirp.ErrTooLong, http.StatusBadRequest},
	{chirp.ErrEmpty, http.StatusBadRequest},
	{chirp.ErrNUL, http.StatusBadRequest},
	{auth.ErrPasswordTooLong, http.StatusBadRequest},
}

// writeError answers err: the client's mistakes with their own status and
// message, an unavailable database with 503 and Retry-After, and anything else
// with a bare 500. Our own failures are logged here, once, with their cause.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Status >= 500 {
			logger.Warn("request failed", "method", r.Method, "path", r.URL.Path,
				"request_id", requestID(r.Context()), "status", e.Status, "error", e.Err)
		}
		for k, v := range e.Header {
			w.Header()[k] = v
		}
		writeJSON(w, e.Status, errorBody{e.Message})
		return
	}
	for _, ce := range clientErrors {
		if errors.Is(err, ce.err) {
			writeJSON(w, ce.status, errorBody{ce.err.Error()})
			return
		}
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path, "request_id", requestID(r.Context()), "error", err}
	switch {
	case r.Context().Err() != nil && errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		logger.Debug("request canceled", attrs...)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{msgUnavailable})
	case postgres.IsDataException(err):
		// A value Postgres cannot store (text with NUL, say) that no check
		// before it caught: still the client's input.
		writeJSON(w, http.StatusBadRequest, errorBody{"Request contains a value that cannot be stored"})
	case postgres.Unavailable(err):
		logger.Warn("database unavailable", attrs...)
		w.Header().Set("Retry-After", retryAfterSeconds)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{msgUnavailable})
	default:
		logger.Error("internal error", attrs...)
		writeJSON(w, http.StatusInternalServerError, errorBody{msgInternal})
	}
}

// unavailable answers 503 with Retry-After: the request may succeed later.
func unavailable(cause error) *Error {
	return &Error{
		Status:  http.StatusServiceUnavailable,
		Message: msgUnavailable,
		Header:  http.Header{"Retry-After": {retryAfterSeconds}},
		Err:     cause,
	}
}

const retryAfterSeconds = "1"

const (
	msgUnavailable = "The service is temporarily unavailable; try again shortly"
	msgInternal    = "Something went wrong on our side"
)

type errorBody struct {
	Error string `json:"error"`
}
