package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"chirpy/internal/store"
)

// handleHealthz is the course's liveness check: the process answers. It does
// not look at the database (see handleReadyz).
func handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len("OK")))
	w.Write([]byte("OK"))
}

// readyTimeout bounds the database check of /api/readyz, so a load balancer's
// probe gets an answer even when the database does not.
const readyTimeout = 2 * time.Second

// handleReadyz reports whether this process can serve requests: 200 while the
// database answers, 503 while it does not. A load balancer can route by it.
func handleReadyz(st *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			writeErrorBody(w, http.StatusServiceUnavailable, "Database unavailable", retryAfter)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Status string `json:"status"`
		}{"ready"})
	})
}
