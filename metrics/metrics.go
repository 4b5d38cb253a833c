// Package metrics is Kept's operational surface: Prometheus metrics, the
// /healthz readiness probe and the loopback-only /backup stream that
// `kept backup` uses while the bot holds the database.
//
// The bot and the scheduler do not import it: each declares the small
// Observer it reports to, and *Metrics implements both.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Kept's collectors in a registry of its own, so that tests
// can make as many as they like and nothing leaks into a global default.
type Metrics struct {
	reg        *prometheus.Registry
	handled    *prometheus.CounterVec
	ack        *prometheus.HistogramVec
	nudges     *prometheus.CounterVec
	apiErrors  *prometheus.CounterVec
	reconnects prometheus.Counter
	scheduling prometheus.Gauge
	term       prometheus.Gauge
}

// New returns Metrics with every Kept collector registered, plus the Go
// runtime and process collectors. backlog, if not nil, is read at each
// scrape for kept_due_backlog; an error leaves the gauge out of that
// scrape rather than reporting a false zero.
func New(backlog func() (int, error)) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kept_commands_total",
			Help: "Slash commands, button clicks, form submissions and events handled, by type and outcome (ok, error, panic, ack_failed).",
		}, []string{"type", "outcome"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kept_ack_seconds",
			Help: "Time from receiving a Socket Mode envelope to acknowledging it; Slack shows the user an error after 3 s.",
			// Slack's deadline is 3 s: the buckets are dense below it.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5},
		}, []string{"type"}),
		nudges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kept_nudges_total",
			Help: "Nudge delivery attempts by kind (reminder, overdue, digest, checkin) and outcome (sent, retry, rate_limited, unreachable, failed).",
		}, []string{"kind", "outcome"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kept_slack_api_errors_total",
			Help: "Slack Web API calls that failed, by method and error code (Slack's error string, an HTTP status, or network).",
		}, []string{"method", "code"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kept_socket_reconnects_total",
			Help: "Socket Mode connections opened after the first one: Slack's routine refreshes and recoveries from dropped connections.",
		}),
		scheduling: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kept_scheduling",
			Help: "1 while this replica is the one that schedules and delivers nudges, 0 while it stands by (several replicas on one PostgreSQL database).",
		}),
		term: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kept_scheduling_term",
			Help: "The scheduling term this replica holds, 0 while it holds none (and with bbolt): it grows by one at every takeover.",
		}),
	}
	m.reg.MustRegister(m.handled, m.ack, m.nudges, m.apiErrors, m.reconnects, m.scheduling, m.term,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if backlog != nil {
		m.reg.MustRegister(backlogCollector{
			desc: prometheus.NewDesc("kept_due_backlog",
				"Reminders, follow-ups, check-ins and queued nudges that are due and not yet delivered.", nil, nil),
			read: backlog,
		})
	}
	return m
}

// Scheduling records whether this replica schedules, and in which term
// (0 with bbolt, which has one process and no terms).
func (m *Metrics) Scheduling(on bool, term int64) {
	m.term.Set(float64(term))
	if on {
		m.scheduling.Set(1)
	} else {
		m.scheduling.Set(0)
	}
}

// Handled counts one handled envelope; kind is its bounded type label
// ("/promise list", "block_actions:promise_done", "event:app_home_opened").
// It implements inbound.Observer.
func (m *Metrics) Handled(kind, outcome string, ack time.Duration) {
	m.handled.WithLabelValues(kind, outcome).Inc()
	m.ack.WithLabelValues(kind).Observe(ack.Seconds())
}

// Reconnected counts a Socket Mode connection after the first. It
// implements inbound.Observer.
func (m *Metrics) Reconnected() { m.reconnects.Inc() }

// Nudged counts one delivery attempt. It implements scheduler.Observer.
func (m *Metrics) Nudged(kind, outcome string) { m.nudges.WithLabelValues(kind, outcome).Inc() }

// APIError counts a failed Slack Web API call.
func (m *Metrics) APIError(method, code string) { m.apiErrors.WithLabelValues(method, code).Inc() }

// Handler serves the registry in Prometheus' text exposition format.
func (m *Metrics) Handler() http.Handler {
	// One failing collector (the backlog, if the database is closing)
	// must not blank the whole scrape.
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// backlogCollector reads the backlog at scrape time: a gauge set by the
// scheduler would be as stale as the last tick, and an idle tick does not
// count anything.
type backlogCollector struct {
	desc *prometheus.Desc
	read func() (int, error)
}

func (c backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c backlogCollector) Collect(ch chan<- prometheus.Metric) {
	n, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
