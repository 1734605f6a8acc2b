// Package server is Chirpy's HTTP API, and nothing else: the route table
// (routes.go), a file of handlers per resource, the JSON in and out
// (json.go, chirp_json.go), the one table from errors to statuses
// (errors.go) and the middleware (middleware.go), composed in NewServer. It
// reaches the database only through the store, and the rules only through
// their packages (auth, chirp, polka).
package server

import (
	"log/slog"
	"net/http"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/polka"
	"chirpy/internal/store"
)

// Deps is everything the handlers use. NewServer takes all of it explicitly;
// nothing is global.
type Deps struct {
	Logger *slog.Logger
	Store  *store.Store
	Hasher *auth.Hasher
	// JWTSecret signs and checks access tokens.
	JWTSecret []byte
	PolkaKeys auth.APIKeys
	// PolkaSigner, when set, requires signed webhooks.
	PolkaSigner *polka.Signer
	// Dev enables POST /admin/reset.
	Dev bool
	// LoginThrottle limits failed logins; nil: no limit.
	LoginThrottle *auth.LoginThrottle
	// RequestTimeout bounds what a request may wait for: the database
	// (connecting included) and a password hashing slot (default 10 s).
	RequestTimeout time.Duration
	// WebhookTimeout is a webhook delivery's share of the database (default
	// 5 s): well under the 10 to 30 seconds after which senders give up on an
	// answer, so a stuck database gets a 503 (and a retry), not a timeout.
	WebhookTimeout time.Duration
}

// Production deadlines, unless Deps says otherwise.
const (
	defaultRequestTimeout = 10 * time.Second
	defaultWebhookTimeout = 5 * time.Second
)

// NewServer returns the whole API as one handler: the routes of routes.go
// inside the middleware, composed here, outermost first.
func NewServer(d Deps) http.Handler {
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = defaultRequestTimeout
	}
	if d.WebhookTimeout <= 0 {
		d.WebhookTimeout = defaultWebhookTimeout
	}
	mux := http.NewServeMux()
	addRoutes(mux, d)
	return chain(mux, middlewares(d)...)
}

// middlewares is what every request passes through, outermost first.
func middlewares(d Deps) []middleware {
	return []middleware{
		withRequestID(newRequestIDs()), // X-Request-Id, and the request's log attributes
		logRequests(d.Logger),          // one line per request, once it is answered
		secureHeaders,                  // nosniff on every response
		recoverPanics(d.Logger),        // a panic is a logged 500; the process goes on
		withDeadline(d.RequestTimeout), // what a request may wait for
		jsonErrorPages,                 // the mux's own 404 and 405 as JSON errors
	}
}

// handlerFunc is a handler that returns its failure instead of answering it,
// so that errors are turned into responses in one place (writeError), and a
// handler cannot forget to return after answering one.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts a handlerFunc to http.Handler.
func api(logger *slog.Logger, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, logger, err)
		}
	})
}
