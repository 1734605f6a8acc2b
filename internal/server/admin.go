package server

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"chirpy/internal/database"
)

// visits counts requests served under /app/ since start or the last reset. It
// belongs to this process; the course's metrics page has no other meaning.
type visits struct{ n atomic.Int64 }

func (v *visits) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.n.Add(1)
		next.ServeHTTP(w, r)
	})
}

// metricsPage is the course's page, byte for byte ("1 times" included).
const metricsPage = `<html>
  <body>
    <h1>Welcome, Chirpy Admin</h1>
    <p>Chirpy has been visited %d times!</p>
  </body>
</html>`

func handleMetrics(v *visits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, metricsPage, v.n.Load())
	})
}

func handleReset(q *database.Queries, v *visits, dev bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !dev {
			return forbidden("Reset is only allowed when PLATFORM=dev")
		}
		if err := q.ResetDatabase(r.Context()); err != nil {
			return fmt.Errorf("reset: %w", err)
		}
		v.n.Store(0)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Hits reset to 0 and database reset to initial state."))
		return nil
	}
}

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
func handleReadyz(db *sql.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			w.Header().Set("Retry-After", retryAfterSeconds)
			writeJSON(w, http.StatusServiceUnavailable, errorBody{"Database unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Status string `json:"status"`
		}{"ready"})
	})
}
