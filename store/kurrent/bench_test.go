package kurrent_test

import (
	"context"
	"fmt"
	"testing"

	"spoor/store"
	"spoor/store/kurrent"
	"spoor/store/kurrent/kurrenttest"
)

// BenchmarkAppendDouble measures one writer appending one event at a time
// over loopback gRPC to the protocol double: the adapter's and the client's
// own cost per append (two calls: the tail read and the write), without a
// real server's disk and replication.
func BenchmarkAppendDouble(b *testing.B) {
	d := kurrenttest.NewServer(b)
	cfg := testConfig(d.URL())
	cfg.PageSize = 256
	s, err := kurrent.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Append(ctx, fmt.Sprintf("family-%d", i%64), store.AnyVersion, []store.Event{ev("A", `{"public":{"n":1}}`)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReadAllDouble measures the global-order scan over the double.
func BenchmarkReadAllDouble(b *testing.B) {
	d := kurrenttest.NewServer(b)
	cfg := testConfig(d.URL())
	cfg.PageSize = 256
	s, err := kurrent.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		evs := make([]store.Event, 20)
		for j := range evs {
			evs[j] = ev("A", `{"public":{"n":1}}`)
		}
		if _, err := s.Append(ctx, fmt.Sprintf("family-%d", i%16), store.AnyVersion, evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, err := range s.ReadAll(ctx, 0) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
