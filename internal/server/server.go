// Package server is Chirpy's HTTP API: the route table, the handlers, and the
// edge where errors become status codes.
package server

import (
	"database/sql"
	"log/slog"
	"net/http"

	"chirpy/internal/auth"
	"chirpy/internal/database"
	"chirpy/internal/polka"
)

// Deps is everything the handlers use. NewServer takes all of it explicitly;
// nothing is global.
type Deps struct {
	Logger  *slog.Logger
	DB      *sql.DB
	Queries *database.Queries
	Hasher  *auth.Hasher
	// JWTSecret signs and checks access tokens.
	JWTSecret []byte
	PolkaKeys auth.APIKeys
	// PolkaSigner, when set, requires signed webhooks.
	PolkaSigner *polka.Signer
	// Dev enables POST /admin/reset.
	Dev bool
	// LoginThrottle limits failed logins; nil: no limit.
	LoginThrottle *auth.LoginThrottle
}

// NewServer returns the whole API as one handler.
func NewServer(d Deps) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, d, &visits{})
	return observe(d.Logger, mux)
}

// handlerFunc is a handler that returns its failure instead of answering it,
// so that errors are turned into responses in one place (writeError).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts a handlerFunc to http.Handler.
func api(logger *slog.Logger, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, logger, err)
		}
	})
}
