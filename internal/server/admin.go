package server

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"chirpy/internal/store"
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

func handleReset(st *store.Store, v *visits, dev bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !dev {
			return forbidden("Reset is only allowed when PLATFORM=dev")
		}
		if err := st.Reset(r.Context()); err != nil {
			return err
		}
		v.n.Store(0)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Hits reset to 0 and database reset to initial state."))
		return nil
	}
}
