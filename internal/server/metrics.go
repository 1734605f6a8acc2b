package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chirpy/internal/polka"
)

// Metrics are what an operator watches (Prometheus), served on a listener of
// their own (METRICS_ADDR), never on the public port. Labels are bounded:
// route patterns, not paths; known events, not what a sender writes.
type Metrics struct {
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	webhooks  *prometheus.CounterVec
	throttled prometheus.Counter
	// HashWait observes the time a request waited for a password hashing
	// slot (give it to auth.Hasher's OnWait).
	HashWait prometheus.Observer
}

// NewMetrics makes the HTTP metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	hashWait := prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "chirpy", Name: "password_hash_wait_seconds",
		Help:    "Time a request waited for a password hashing slot.",
		Buckets: []float64{.0005, .001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
	})
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "chirpy", Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "chirpy", Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "chirpy", Name: "webhook_deliveries_total",
			Help: "Polka deliveries, by event (user.upgraded, user.downgraded, other) and outcome (applied, ignored, unknown_user, stale, refused, error).",
		}, []string{"event", "outcome"}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "chirpy", Name: "login_throttled_total",
			Help: "Login attempts refused by the login throttle (429).",
		}),
		HashWait: hashWait,
	}
	reg.MustRegister(m.requests, m.latency, m.webhooks, m.throttled, hashWait)
	return m
}

// instrument counts the requests next (the route table) answers, by the
// pattern that matched, which the mux sets on the request it is given.
func (m *Metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched" // 404 and 405: one label, whatever the path
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code())).Inc()
		m.latency.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

// delivery counts a webhook delivery by what became of it.
func (m *Metrics) delivery(event, outcome string) {
	if m == nil {
		return
	}
	if polka.ChangeOf(event) == polka.NoChange {
		event = "other"
	}
	m.webhooks.WithLabelValues(event, outcome).Inc()
}

func (m *Metrics) loginThrottled() {
	if m != nil {
		m.throttled.Inc()
	}
}
