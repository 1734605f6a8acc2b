package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"chirpy/internal/connlimit"
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
