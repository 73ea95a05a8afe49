package ops

import (
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds every Prometheus metric Spoor exports. Build it with
// NewMetrics; its methods are safe for concurrent use. A nil *Metrics is
// valid and records nothing, so packages can take one optionally.
type Metrics struct {
	// HTTPRequests counts finished HTTP requests by route template, method
	// and status code.
	HTTPRequests *prometheus.CounterVec
	// HTTPDuration observes HTTP request durations by route template and
	// method.
	HTTPDuration *prometheus.HistogramVec
	// AppendDuration observes the latency of store appends.
	AppendDuration prometheus.Histogram
	// AppendBatch observes the number of events per append.
	AppendBatch prometheus.Histogram
	// EventsAppended counts events appended, by event type.
	EventsAppended *prometheus.CounterVec
	// ProjectionLag is, per read model, how many positions of the global
	// order it has not applied yet.
	ProjectionLag *prometheus.GaugeVec
	// AccessEvents counts access events written ("who saw what"), by part of
	// the file and outcome (allowed, refused).
	AccessEvents *prometheus.CounterVec
	// AccessRefused counts refused accesses by part of the file.
	AccessRefused *prometheus.CounterVec
	// AccessAuditFailures counts reads answered 503 because their access
	// event could not be written.
	AccessAuditFailures prometheus.Counter
	// VerifyFailures counts ledger verifications that found a mismatch.
	VerifyFailures prometheus.Counter
	// LoginFailures counts failed logins by reason (unknown_login,
	// bad_password, throttled, disabled).
	LoginFailures *prometheus.CounterVec
}

// NewMetrics creates Spoor's metrics and registers them on reg. It returns
// an error if any of them is already registered there (for example when
// NewMetrics is called twice with one registry).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests handled, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "spoor", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to handle an HTTP request, by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		AppendDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "spoor", Subsystem: "store", Name: "append_duration_seconds",
			Help:    "Time for a durable append to the event store.",
			Buckets: []float64{.0002, .0005, .001, .002, .005, .01, .02, .05, .1, .25, 1},
		}),
		AppendBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "spoor", Subsystem: "store", Name: "append_batch_events",
			Help:    "Number of events in one append.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 1000},
		}),
		EventsAppended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "store", Name: "events_appended_total",
			Help: "Events appended to the event store, by event type.",
		}, []string{"type"}),
		ProjectionLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "spoor", Subsystem: "projection", Name: "lag_events",
			Help: "Positions of the global order a read model has not applied yet.",
		}, []string{"read_model"}),
		AccessEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "access", Name: "events_total",
			Help: "Access events written (who saw which part of a family's file), by part and outcome.",
		}, []string{"part", "outcome"}),
		AccessRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "access", Name: "refused_total",
			Help: "Accesses to a family's file refused by the authorisation policy, by part.",
		}, []string{"part"}),
		AccessAuditFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "access", Name: "audit_failures_total",
			Help: "Reads not answered because their access event could not be written.",
		}),
		VerifyFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "ledger", Name: "verify_failures_total",
			Help: "Ledger verifications that found an event, link or checkpoint that does not match.",
		}),
		LoginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "auth", Name: "login_failures_total",
			Help: "Failed logins, by reason.",
		}, []string{"reason"}),
	}
	for _, c := range []prometheus.Collector{
		m.HTTPRequests, m.HTTPDuration, m.AppendDuration, m.AppendBatch, m.EventsAppended,
		m.ProjectionLag, m.AccessEvents, m.AccessRefused, m.AccessAuditFailures,
		m.VerifyFailures, m.LoginFailures,
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register spoor metrics: %w", err)
		}
	}
	return m, nil
}

// ObserveHTTP records one finished HTTP request. route is the route template
// (e.g. /api/v1/families/{id}/timeline), never the raw path.
func (m *Metrics) ObserveHTTP(route, method string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.HTTPRequests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.HTTPDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// ObserveAppend records one successful append of the given event types
// (one entry per event) that took d.
func (m *Metrics) ObserveAppend(d time.Duration, types []string) {
	if m == nil {
		return
	}
	m.AppendDuration.Observe(d.Seconds())
	m.AppendBatch.Observe(float64(len(types)))
	for _, t := range types {
		m.EventsAppended.WithLabelValues(t).Inc()
	}
}

// SetProjectionLag sets the lag of a read model: the store's head position
// minus the last position the read model applied.
func (m *Metrics) SetProjectionLag(readModel string, lag uint64) {
	if m == nil {
		return
	}
	m.ProjectionLag.WithLabelValues(readModel).Set(float64(lag))
}

// ObserveAccess records one written access event for part with outcome
// ("allowed" or "refused"); refused ones also count in AccessRefused.
func (m *Metrics) ObserveAccess(part, outcome string) {
	if m == nil {
		return
	}
	m.AccessEvents.WithLabelValues(part, outcome).Inc()
	if outcome == "refused" {
		m.AccessRefused.WithLabelValues(part).Inc()
	}
}

// ObserveAuditFailure records a read refused with 503 because its access
// event could not be written.
func (m *Metrics) ObserveAuditFailure() {
	if m == nil {
		return
	}
	m.AccessAuditFailures.Inc()
}

// ObserveVerifyFailure records a verification that did not pass.
func (m *Metrics) ObserveVerifyFailure() {
	if m == nil {
		return
	}
	m.VerifyFailures.Inc()
}

// ObserveLoginFailure records a failed login with its reason.
func (m *Metrics) ObserveLoginFailure(reason string) {
	if m == nil {
		return
	}
	m.LoginFailures.WithLabelValues(reason).Inc()
}
