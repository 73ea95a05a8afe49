package ops_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"spoor/ops"
)

// TestAlertRules checks ops/prometheus/alerts.yml with promtool (when it is
// installed; CI installs it) and, always, that every spoor_* metric the
// rules and the Grafana dashboard name is one that NewMetrics registers, so
// renaming a metric cannot silently break an alert.
func TestAlertRules(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := ops.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	// Touch the vectors so that Gather reports them.
	m.HTTPRequests.WithLabelValues("/x", "GET", "200").Inc()
	m.HTTPDuration.WithLabelValues("/x", "GET").Observe(0.01)
	m.EventsAppended.WithLabelValues("ContactLogged").Inc()
	m.ProjectionLag.WithLabelValues("caseload").Set(0)
	m.AccessEvents.WithLabelValues("timeline", "allowed").Inc()
	m.AccessRefused.WithLabelValues("timeline").Inc()
	m.LoginFailures.WithLabelValues("bad_password").Inc()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range families {
		name := f.GetName()
		known[name] = true
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			known[name+suffix] = true
		}
	}
	names := regexp.MustCompile(`spoor_[a-z_]+`)
	for _, file := range []string{"prometheus/alerts.yml", "grafana/spoor-dashboard.json"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		used := names.FindAllString(string(raw), -1)
		if len(used) == 0 {
			t.Fatalf("%s names no spoor_ metric", file)
		}
		for _, n := range used {
			if !known[n] {
				t.Errorf("%s uses %s, which Spoor does not export", file, n)
			}
		}
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus); the metric names were checked")
	}
	out, err := exec.Command(promtool, "check", "rules", filepath.Join("prometheus", "alerts.yml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}
