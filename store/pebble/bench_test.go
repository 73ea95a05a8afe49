package pebble_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spoor/store"
	"spoor/store/pebble"
)

// Benchmarks run on the store as `spoor serve` opens it (DefaultOptions),
// with durable appends: every Append waits for its WAL fdatasync. Compare
// their figures with ../shared/bench/anchors run right before or after on
// the same disk (see the README).

// payload is ~500 bytes of incompressible data, like a sealed event.
func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func benchOpen(b *testing.B) *pebble.Store {
	b.Helper()
	s, err := pebble.Open(b.TempDir(), pebble.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchEvent(id string, data []byte) []store.Event {
	return []store.Event{{ID: id, Type: "ContactLogged", Data: data,
		Actor: store.Actor{UserID: "staff-0042", Role: "coach"}, CorrelationID: "corr-" + id}}
}

// pct returns the p-th percentile of sorted durations, in milliseconds.
func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(p*float64(len(sorted)-1))].Nanoseconds()) / 1e6
}

func BenchmarkAppendSingle(b *testing.B) {
	ctx := context.Background()
	s := benchOpen(b)
	data := payload(500, 1)
	const streams = 64
	versions := make([]uint64, streams)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		k := i % streams
		t := time.Now()
		if _, err := s.Append(ctx, fmt.Sprintf("family-%03d", k), store.ExactVersion(versions[k]), benchEvent(fmt.Sprintf("single-%d", i), data)); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		versions[k]++
	}
	el := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	m := s.Metrics()
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
	b.ReportMetric(pct(lat, 0.5), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(float64(m.WALFilesRecycled), "wal-recycled")
	b.ReportMetric(float64(m.WALFilesCreated), "wal-files")
	b.ReportMetric(float64(m.WALSyncs)/float64(b.N), "syncs/event")
}

func BenchmarkAppendParallel64(b *testing.B) {
	ctx := context.Background()
	s := benchOpen(b)
	const writers = 64
	var next atomic.Int64
	lats := make([][]time.Duration, writers)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			data := payload(500, uint64(w)+2)
			stream := fmt.Sprintf("family-%03d", w)
			var version uint64
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				t := time.Now()
				if _, err := s.Append(ctx, stream, store.ExactVersion(version), benchEvent(fmt.Sprintf("par-%d", i), data)); err != nil {
					b.Error(err)
					return
				}
				lats[w] = append(lats[w], time.Since(t))
				version++
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lats...)
	slices.Sort(all)
	m := s.Metrics()
	b.ReportMetric(float64(b.N)/float64(m.WALSyncs), "events/sync")
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
	b.ReportMetric(pct(all, 0.5), "p50-ms")
	b.ReportMetric(pct(all, 0.99), "p99-ms")
}

// BenchmarkReadAll scans the global order of a store of readAllEvents
// events, written in appends of 100 events to 64 streams and reopened (so
// the scan reads sstables through the block cache, and whatever the WAL
// replay left in the memtable). One op is one full scan.
func BenchmarkReadAll(b *testing.B) {
	const readAllEvents = 200_000
	ctx := context.Background()
	dir := b.TempDir()
	o := pebble.DefaultOptions()
	s, err := pebble.Open(dir, o)
	if err != nil {
		b.Fatal(err)
	}
	data := payload(500, 3)
	batch := make([]store.Event, 100)
	for i := 0; i < readAllEvents/len(batch); i++ {
		for j := range batch {
			batch[j] = benchEvent(fmt.Sprintf("read-%d-%d", i, j), data)[0]
		}
		if _, err := s.Append(ctx, fmt.Sprintf("family-%03d", i%64), store.AnyVersion, batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = pebble.Open(dir, o); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		n, size := 0, 0
		for e, err := range s.ReadAll(ctx, 0) {
			if err != nil {
				b.Fatal(err)
			}
			n++
			size += len(e.Data)
		}
		if n != readAllEvents || size != n*len(data) {
			b.Fatalf("read %d events, %d bytes", n, size)
		}
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*readAllEvents)/el.Seconds(), "events/s")
}
