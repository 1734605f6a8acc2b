package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"chirpy/internal/auth"
	"chirpy/internal/chirp"
	"chirpy/internal/jsonbody"
	"chirpy/internal/polka"
	"chirpy/internal/store"
)

// Error is a failure with the status and message the client should see, for
// what only a handler knows ("Chirp not found", a 401 with its challenge).
// Everything else a handler returns is answered by the table below.
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

// unauthorized answers a request whose credentials are missing or wrong;
// scheme names the kind of credentials the endpoint expects.
func unauthorized(scheme, msg string) *Error {
	return &Error{
		Status:  http.StatusUnauthorized,
		Message: msg,
		Header:  http.Header{"Www-Authenticate": {scheme}},
	}
}

// unavailable answers 503 with Retry-After: the request may succeed later.
func unavailable(cause error) *Error {
	return &Error{
		Status:  http.StatusServiceUnavailable,
		Message: msgUnavailable,
		Header:  retryAfter,
		Err:     cause,
	}
}

// statuses is the one table from the errors of the rule packages and the
// store to what the client sees. A message of "" means the error's own text,
// which its package writes for the client (handlers return such errors as
// they come, unwrapped). The first kind err is (errors.Is) decides; an error
// of none of these kinds is a bug, answered with a bare 500.
var statuses = []struct {
	kind    error
	status  int
	message string
	header  http.Header
}{
	// The client's input, refused by a rule.
	{jsonbody.ErrInvalid, http.StatusBadRequest, "", nil},
	{auth.ErrEmailRequired, http.StatusBadRequest, "", nil},
	{auth.ErrPasswordRequired, http.StatusBadRequest, "", nil},
	{auth.ErrEmailInvalid, http.StatusBadRequest, "", nil},
	{auth.ErrPasswordTooLong, http.StatusBadRequest, "", nil},
	{chirp.ErrTooLong, http.StatusBadRequest, "", nil},
	{chirp.ErrEmpty, http.StatusBadRequest, "", nil},
	{chirp.ErrNUL, http.StatusBadRequest, "", nil},
	{polka.ErrInvalid, http.StatusBadRequest, "", nil},
	{polka.ErrBadSignature, http.StatusUnauthorized, "", http.Header{"Www-Authenticate": {"Webhook-Signature"}}},
	// What the store found.
	{store.ErrNotFound, http.StatusNotFound, "Not found", nil},
	{store.ErrNotAuthor, http.StatusForbidden, "You can only change your own chirps", nil},
	{store.ErrConflict, http.StatusConflict, "Conflict with the current state", nil},
	// A value no check before the store caught (text with NUL, say): still
	// the client's input, which no retry will mend.
	{store.ErrInvalid, http.StatusBadRequest, "Request contains a value that cannot be stored", nil},
	{store.ErrUnavailable, http.StatusServiceUnavailable, msgUnavailable, retryAfter},
	// A wait of our own past the request's deadline (a password hashing
	// slot): the request may succeed later.
	{context.DeadlineExceeded, http.StatusServiceUnavailable, msgUnavailable, retryAfter},
}

var retryAfter = http.Header{"Retry-After": {retryAfterSeconds}}

// writeError answers err. Our own failures (5xx) are logged here, once, with
// their cause; the client is told nothing internal.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Status >= 500 {
			logger.Warn("request failed", "method", r.Method, "path", r.URL.Path,
				"request_id", requestID(r.Context()), "status", e.Status, "error", e.Err)
		}
		writeErrorBody(w, e.Status, e.Message, e.Header)
		return
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path, "request_id", requestID(r.Context()), "error", err}
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away; nobody reads this answer.
		logger.Debug("request canceled", attrs...)
		writeErrorBody(w, http.StatusServiceUnavailable, msgUnavailable, nil)
		return
	}
	for _, s := range statuses {
		if !errors.Is(err, s.kind) {
			continue
		}
		msg := s.message
		if msg == "" {
			msg = err.Error()
		}
		if s.status >= 500 {
			logger.Warn("unavailable", attrs...)
		}
		writeErrorBody(w, s.status, msg, s.header)
		return
	}
	logger.Error("internal error", attrs...)
	writeErrorBody(w, http.StatusInternalServerError, msgInternal, nil)
}

func writeErrorBody(w http.ResponseWriter, status int, msg string, header http.Header) {
	for k, v := range header {
		w.Header()[k] = v
	}
	writeJSON(w, status, errorBody{msg})
}

const retryAfterSeconds = "1"

const (
	msgUnavailable = "The service is temporarily unavailable; try again shortly"
	msgInternal    = "Something went wrong on our side"
)

type errorBody struct {
	Error string `json:"error"`
}
