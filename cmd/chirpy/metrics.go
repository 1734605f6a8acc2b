package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"chirpy/internal/connlimit"
	"chirpy/internal/store"
)

// sample is one value of a metric, as read at a scrape.
type sample struct {
	name, help string
	kind       prometheus.ValueType
	value      float64
	labels     prometheus.Labels
}

// statsCollector exports the samples it returns at each scrape: statistics
// that a package of Chirpy's keeps without knowing of Prometheus.
type statsCollector func() []sample

func (f statsCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(f, ch) }

func (f statsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range f() {
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(s.name, s.help, nil, s.labels), s.kind, s.value)
	}
}

// connMetrics are the connection caps' statistics (chirpy_connections_*).
func connMetrics(ln *connlimit.Listener) statsCollector {
	const (
		refused = "Client connections closed on arrival: at a cap, none idle to make room (cap: global or per_client)."
		evicted = "Idle client connections closed to make room for a new one at a cap (cap: global or per_client)."
	)
	global, perClient := prometheus.Labels{"cap": "global"}, prometheus.Labels{"cap": "per_client"}
	return func() []sample {
		s := ln.Stats()
		return []sample{
			{"chirpy_connections_open", "Client connections held now.", prometheus.GaugeValue, float64(s.Held), nil},
			{"chirpy_connections_refused_total", refused, prometheus.CounterValue, float64(s.Refused.Global), global},
			{"chirpy_connections_refused_total", refused, prometheus.CounterValue, float64(s.Refused.PerClient), perClient},
			{"chirpy_connections_evicted_total", evicted, prometheus.CounterValue, float64(s.Evicted.Global), global},
			{"chirpy_connections_evicted_total", evicted, prometheus.CounterValue, float64(s.Evicted.PerClient), perClient},
		}
	}
}

// poolMetrics are the store's connection pool statistics, under the names
// Prometheus's own collector of them gives (go_sql_*{db_name="chirpy"}).
func poolMetrics(st *store.Store) statsCollector {
	db := prometheus.Labels{"db_name": "chirpy"}
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	return func() []sample {
		s := st.Stats()
		return []sample{
			{"go_sql_max_open_connections", "Maximum number of open connections to the database.", gauge, float64(s.MaxOpenConnections), db},
			{"go_sql_open_connections", "The number of established connections both in use and idle.", gauge, float64(s.OpenConnections), db},
			{"go_sql_in_use_connections", "The number of connections currently in use.", gauge, float64(s.InUse), db},
			{"go_sql_idle_connections", "The number of idle connections.", gauge, float64(s.Idle), db},
			{"go_sql_wait_count_total", "The total number of connections waited for.", counter, float64(s.WaitCount), db},
			{"go_sql_wait_duration_seconds_total", "The total time blocked waiting for a new connection.", counter, s.WaitDuration.Seconds(), db},
			{"go_sql_max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.", counter, float64(s.MaxIdleClosed), db},
			{"go_sql_max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", counter, float64(s.MaxIdleTimeClosed), db},
			{"go_sql_max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", counter, float64(s.MaxLifetimeClosed), db},
		}
	}
}
