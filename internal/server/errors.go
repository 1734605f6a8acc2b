package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"chirpy/internal/auth"
	"chirpy/internal/chirp"
	"chirpy/internal/idempotency"
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
// store to what the client sees: the first kind err is (errors.Is) decides.
// A message of "" means the error's own words for the client (its
// ClientMessage, or else the kind's text), so wrapping an error never changes
// what the client reads. Handlers answer for themselves only what depends on
// the endpoint (which thing was not found, a 401 for a token's vanished
// account). An error of none of these kinds is a bug: a bare 500.
var statuses = []struct {
	kind    error
	status  int
	message string
	header  http.Header
	log     string // for a 5xx, the line that logs the cause
}{
	// The client's input, refused by a rule.
	{kind: jsonbody.ErrInvalid, status: http.StatusBadRequest},
	{kind: auth.ErrEmailRequired, status: http.StatusBadRequest},
	{kind: auth.ErrPasswordRequired, status: http.StatusBadRequest},
	{kind: auth.ErrEmailInvalid, status: http.StatusBadRequest},
	{kind: auth.ErrPasswordTooLong, status: http.StatusBadRequest},
	{kind: chirp.ErrTooLong, status: http.StatusBadRequest},
	{kind: chirp.ErrEmpty, status: http.StatusBadRequest},
	{kind: chirp.ErrNUL, status: http.StatusBadRequest},
	{kind: chirp.ErrNotAuthor, status: http.StatusForbidden},
	{kind: chirp.ErrNotMember, status: http.StatusForbidden},
	{kind: polka.ErrInvalid, status: http.StatusBadRequest},
	{kind: idempotency.ErrKeyInvalid, status: http.StatusBadRequest},
	{kind: idempotency.ErrKeyReused, status: http.StatusUnprocessableEntity},
	{kind: idempotency.ErrKeyInFlight, status: http.StatusConflict, header: retryAfter},
	{kind: polka.ErrBadSignature, status: http.StatusUnauthorized, header: http.Header{"Www-Authenticate": {"Webhook-Signature"}}},
	// What the store found.
	{kind: store.ErrConflict, status: http.StatusConflict, message: "An account with this email already exists"},
	{kind: store.ErrNotFound, status: http.StatusNotFound, message: "Not found"},
	// A value no check before the store caught (text with NUL, say): still
	// the client's input, which no retry will mend.
	{kind: store.ErrInvalid, status: http.StatusBadRequest, message: "Request contains a value that cannot be stored"},
	{kind: store.ErrUnavailable, status: http.StatusServiceUnavailable, message: msgUnavailable, header: retryAfter, log: "database unavailable"},
	// A wait of our own past the request's deadline (a password hashing
	// slot): the request may succeed later.
	{kind: context.DeadlineExceeded, status: http.StatusServiceUnavailable, message: msgUnavailable, header: retryAfter, log: "request deadline exceeded"},
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
			msg = clientMessage(err, s.kind)
		}
		if s.log != "" {
			logger.Warn(s.log, attrs...)
		}
		writeErrorBody(w, s.status, msg, s.header)
		return
	}
	logger.Error("internal error", attrs...)
	writeErrorBody(w, http.StatusInternalServerError, msgInternal, nil)
}

// clientMessage is what err says to the client: the words of the first error
// in its chain that has some (jsonbody's, polka's), or else kind's own text.
func clientMessage(err, kind error) string {
	if m, ok := errors.AsType[clientMessager](err); ok {
		return m.ClientMessage()
	}
	return kind.Error()
}

// clientMessager is an error that carries words for the client.
type clientMessager interface {
	error
	ClientMessage() string
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
