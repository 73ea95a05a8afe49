package ops

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestNewMetricsRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewMetrics(reg); err == nil {
		t.Fatal("second NewMetrics on one registry succeeded; want a registration error")
	}
	m.ObserveHTTP("/api/v1/me", "GET", 200, 3*time.Millisecond)
	m.ObserveAppend(time.Millisecond, []string{"ContactLogged", "ContactLogged", "SpendRecorded"})
	m.ObserveAccess("timeline", "refused")
	m.ObserveLoginFailure("bad_password")
	m.SetProjectionLag("caseload", 7)
	if got := value(t, m.HTTPRequests.WithLabelValues("/api/v1/me", "GET", "200")); got != 1 {
		t.Errorf("http requests = %v, want 1", got)
	}
	if got := value(t, m.EventsAppended.WithLabelValues("ContactLogged")); got != 2 {
		t.Errorf("ContactLogged appended = %v, want 2", got)
	}
	if got := value(t, m.AccessRefused.WithLabelValues("timeline")); got != 1 {
		t.Errorf("refused = %v, want 1", got)
	}
	if got := value(t, m.ProjectionLag.WithLabelValues("caseload")); got != 7 {
		t.Errorf("lag = %v, want 7", got)
	}
	var nilMetrics *Metrics
	nilMetrics.ObserveHTTP("/x", "GET", 200, time.Second) // must not panic
}

func TestReadyz(t *testing.T) {
	notReady := errors.New("read model caseload is 12 events behind")
	for _, tc := range []struct {
		name  string
		ready ReadyFunc
		code  int
		body  string
	}{
		{"ready", func(context.Context) error { return nil }, 200, `"ready"`},
		{"nil", nil, 200, `"ready"`},
		{"behind", func(context.Context) error { return notReady }, 503, "12 events behind"},
		{"timeout", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, 503, "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			ReadyzHandler(tc.ready, 20*time.Millisecond).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.body) {
				t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body, tc.code, tc.body)
			}
		})
	}
	rec := httptest.NewRecorder()
	HealthzHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("healthz = %d", rec.Code)
	}
}

func TestLoggerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, LogJSON, slog.LevelInfo).With("component", "test")
	log.InfoContext(WithRequestID(context.Background(), "req-42"), "handled")
	log.InfoContext(context.Background(), "no id")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %q", len(lines), buf.String())
	}
	if !strings.Contains(lines[0], `"request_id":"req-42"`) || !strings.Contains(lines[0], `"component":"test"`) {
		t.Errorf("first line lacks request id or attrs: %s", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("second line has a request id: %s", lines[1])
	}
}

// value reads the current value of a counter or gauge.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("metric is neither counter nor gauge")
	return 0
}
