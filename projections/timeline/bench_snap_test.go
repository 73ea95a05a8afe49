package timeline

import (
	"testing"
	"time"
)

// BenchmarkSnapshot writes and restores the snapshot of 1,000,000 events
// (5,000 families) and reports the seconds of each step and the size.
func BenchmarkSnapshot(b *testing.B) {
	facts := synthetic(1_000_000, 5000)
	for b.Loop() {
		m := New()
		for i := range facts {
			m.Apply(&facts[i])
		}
		t0 := time.Now()
		data, err := m.MarshalSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		first := time.Since(t0)
		t0 = time.Now()
		if _, err := m.MarshalSnapshot(); err != nil {
			b.Fatal(err)
		}
		again := time.Since(t0)
		n := New()
		t0 = time.Now()
		if err := n.UnmarshalSnapshot(data); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(first.Seconds(), "first-marshal-s")
		b.ReportMetric(again.Seconds(), "next-marshal-s")
		b.ReportMetric(time.Since(t0).Seconds(), "restore-s")
		b.ReportMetric(float64(len(data))/(1<<20), "MB")
	}
}
