package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"chirpy/internal/store"
)

// Counting visits is a write per request that anyone can make: it gets a
// few database connections at most, and a second, so that a flood of page
// views cannot take the pool the API needs, nor hold the page.
const (
	maxVisitWrites    = 4
	visitWriteTimeout = time.Second
)

// countVisits counts every request it serves in the store, where all the
// server processes count together. The page is served even when the count
// cannot be kept (the database is away, or busy with other visits): the
// counter is the course's, not data.
func countVisits(st *store.Store, logger *slog.Logger, next http.Handler) http.Handler {
	slots := make(chan struct{}, maxVisitWrites)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			ctx, cancel := context.WithTimeout(r.Context(), visitWriteTimeout)
			if err := st.CountVisit(ctx); err != nil {
				logger.Warn("visit not counted", "request_id", requestID(r.Context()), "error", err)
			}
			cancel()
			<-slots
		default:
			logger.Debug("visit not counted: visits are being counted at their limit", "request_id", requestID(r.Context()))
		}
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

func handleMetrics(st *store.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := st.Visits(r.Context())
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, metricsPage, n)
		return nil
	}
}

// handleReset empties the store for every server process: users (with their
// chirps and tokens), webhook deliveries, login attempts, and the visits.
func handleReset(st *store.Store, dev bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !dev {
			return forbidden("Reset is only allowed when PLATFORM=dev")
		}
		if err := st.Reset(r.Context()); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Hits reset to 0 and database reset to initial state."))
		return nil
	}
}
