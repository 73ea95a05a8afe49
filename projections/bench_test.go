package projections_test

// Benchmarks of the read models over realistic data made by package demo.
//
// The 1,000,000-event store (BenchmarkRebuild, BenchmarkTimelineQuery,
// BenchmarkWhoSawFamily) is the demo plan at scale bigScale (that many
// 50-family, 7-coach teams' years in one ledger) played with demo.Bulk
// into an embedded Pebble store. Building it takes about a minute; it is
// built once per `go test -bench` run in a temporary directory, or kept
// under -bench.dir and reused by later runs:
//
//	go test ./projections/ -run '^$' -bench . -benchtime 3x -bench.dir /tmp/spoor-bench
//
// Its personal data is sealed with a store.Sealer over an in-memory key
// store (memKeys below): the key file store rewrites its whole file for
// every new scope, which is quadratic in the number of scopes (about 16,500
// here: minutes), and neither the rebuild nor the queries touch keys.
//
// Plain `go test ./...` runs none of this.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"spoor/auth"
	"spoor/demo"
	"spoor/domain"
	"spoor/projections"
	"spoor/projections/budget"
	"spoor/projections/privacy"
	"spoor/projections/timeline"
	"spoor/store"
	"spoor/store/pebble"
)

var benchDir = flag.String("bench.dir", "", "keep the benchmarks' generated stores in this directory and reuse them")

// bigScale teams of a year each make about 1,000,000 events (3,440 a team).
const bigScale = 291

var benchArgon2 = auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// memKeys is an in-memory store.KeyStore for the generated benchmark stores
// (see the file comment).
type memKeys struct {
	mu   sync.Mutex
	keys map[string][]byte
	gone map[string]bool
}

func (k *memKeys) PutIfAbsent(ctx context.Context, scope string, wrapped []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gone[scope] {
		return nil, store.ErrKeyDestroyed
	}
	if w, ok := k.keys[scope]; ok {
		return slices.Clone(w), nil
	}
	k.keys[scope] = slices.Clone(wrapped)
	return slices.Clone(wrapped), nil
}

func (k *memKeys) Get(ctx context.Context, scope string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gone[scope] {
		return nil, store.ErrKeyDestroyed
	}
	w, ok := k.keys[scope]
	if !ok {
		return nil, store.ErrKeyNotFound
	}
	return slices.Clone(w), nil
}

func (k *memKeys) Destroy(ctx context.Context, scope string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, scope)
	k.gone[scope] = true
	return nil
}

// benchStore is a generated store, opened.
type benchStore struct {
	st       *pebble.Store
	families []domain.FamilyID
	events   int
}

var (
	benchMu     sync.Mutex
	benchStores = map[int]*benchStore{}
	benchTemps  []string
)

// TestMain closes and removes the stores the benchmarks generated.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range benchStores {
		s.st.Close()
	}
	for _, d := range benchTemps {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// openBenchStore returns the demo plan at scale played into a Pebble store,
// building it on first use (or reusing it from -bench.dir).
func openBenchStore(b *testing.B, scale int) *benchStore {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if s := benchStores[scale]; s != nil {
		return s
	}
	dir := *benchDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "spoor-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchTemps = append(benchTemps, tmp)
		dir = tmp
	}
	dir = filepath.Join(dir, fmt.Sprintf("demo-scale-%d", scale))
	sumPath := filepath.Join(dir, "summary.json")
	var sum demo.Summary
	if data, err := os.ReadFile(sumPath); err == nil && json.Unmarshal(data, &sum) == nil {
		st, err := pebble.Open(filepath.Join(dir, "log"), pebble.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		s := &benchStore{st: st, families: sum.Families, events: sum.Events}
		benchStores[scale] = s
		return s
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	st, err := pebble.Open(filepath.Join(dir, "log"), pebble.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	kek := make([]byte, store.KEKSize)
	for i := range kek {
		kek[i] = byte(i)
	}
	sealer, err := store.NewSealer(kek, &memKeys{keys: map[string][]byte{}, gone: map[string]bool{}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	sum, err = demo.Bulk(context.Background(), st, sealer, demo.Options{Scale: scale, Start: domain.MustDate("2025-01-06"), Seed: 7, Argon2: benchArgon2, Password: "benchmark-wachtwoord"})
	if err != nil {
		st.Close()
		b.Fatal(err)
	}
	b.Logf("generated %d events (%d families) at scale %d in %v", sum.Events, len(sum.Families), scale, time.Since(start).Round(time.Second))
	data, err := json.Marshal(sum)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(sumPath, data, 0o600); err != nil {
		b.Fatal(err)
	}
	s := &benchStore{st: st, families: sum.Families, events: sum.Events}
	benchStores[scale] = s
	return s
}

// rebuildAll feeds fresh read models from s and returns them with the number
// of facts applied.
func rebuildAll(b *testing.B, s *benchStore) (*readModels, int) {
	b.Helper()
	m := newReadModels(b)
	// The server's options (cmd/spoor), without snapshots.
	r, err := projections.NewRunner(s.st, m.list(), projections.DefaultRunnerOptions(""))
	if err != nil {
		b.Fatal(err)
	}
	n, err := r.Rebuild(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return m, n
}

// BenchmarkRebuild rebuilds every read model (caseload, parket, privacy,
// budget, outcomes, timeline, assessments, staff) from the 1,000,000-event
// store: decoding included, as `spoor rebuild` does. Target: under 5 s.
func BenchmarkRebuild(b *testing.B) {
	s := openBenchStore(b, bigScale)
	var total, cpu time.Duration
	var n int
	for b.Loop() {
		t0, c0 := time.Now(), cpuTime(b)
		_, n = rebuildAll(b, s)
		total += time.Since(t0)
		cpu += cpuTime(b) - c0
	}
	if n != s.events {
		b.Fatalf("rebuilt %d facts; the store holds %d events", n, s.events)
	}
	sec := total.Seconds() / float64(b.N)
	b.ReportMetric(float64(n)/sec, "events/s")
	b.ReportMetric(sec, "s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
}

// cpuTime returns the CPU time (user and system) the process has used so
// far: with other processes on the machine, a benchmark's wall time grows
// with their load, its CPU time much less.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRestart restarts a server's runner (Runner.Run with the
// server's options) over the 1,000,000-event store with snapshots of every
// model at the head, until it is ready: the snapshots read, checked and
// restored, the log checked at their position, nothing left to catch up.
// The snapshots are written once by a rebuild, outside the timing. Each
// restart's models must answer like the rebuilt ones. Target: under 1 s.
func BenchmarkRestart(b *testing.B) {
	s := openBenchStore(b, bigScale)
	ctx := context.Background()
	opts := projections.DefaultRunnerOptions(b.TempDir())
	built := newReadModels(b)
	r, err := projections.NewRunner(s.st, built.list(), opts)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	head := r.Position()
	fam := s.families[len(s.families)/2]
	want := restartAnswers(b, built, fam)
	var total, cpu time.Duration
	for b.Loop() {
		m := newReadModels(b)
		r, err := projections.NewRunner(s.st, m.list(), opts)
		if err != nil {
			b.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		t0, c0 := time.Now(), cpuTime(b)
		go func() { done <- r.Run(runCtx) }()
		for !r.Ready() {
			select {
			case err := <-done:
				cancel()
				b.Fatalf("runner stopped before it was ready: %v", err)
			case <-time.After(time.Millisecond):
			}
		}
		total += time.Since(t0)
		cpu += cpuTime(b) - c0
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			b.Fatalf("runner: %v", err)
		}
		if r.Position() != head {
			b.Fatalf("restarted at position %d, the head is %d", r.Position(), head)
		}
		if got := restartAnswers(b, m, fam); got != want {
			b.Fatalf("restored models answer differently for family %s:\n got %.300s\nwant %.300s", fam, got, want)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
}

// BenchmarkRestartParts splits a restart's cost: each model's
// UnmarshalSnapshot of its snapshot of the 1,000,000-event store, one model
// at a time on one goroutine ("s" per model, and the snapshot's "MB"), with
// the garbage collector's target a server uses during a restart and no
// other models in memory. BenchmarkRestart runs them all at once.
func BenchmarkRestartParts(b *testing.B) {
	s := openBenchStore(b, bigScale)
	built, _ := rebuildAll(b, s)
	var names []string
	var snaps [][]byte
	for _, m := range built.list() {
		sn, ok := m.(projections.Snapshotter)
		if !ok {
			b.Fatalf("%s has no snapshots", m.Name())
		}
		data, err := sn.MarshalSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		names, snaps = append(names, m.Name()), append(snaps, data)
	}
	built = nil
	defer debug.SetGCPercent(debug.SetGCPercent(projections.DefaultRunnerOptions("").CatchUpGCPercent))
	for i, name := range names {
		b.Run(name, func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				fresh := newReadModels(b).list()[i].(projections.Snapshotter)
				data := slices.Clone(snaps[i])
				runtime.GC()
				t0 := time.Now()
				if err := fresh.UnmarshalSnapshot(data); err != nil {
					b.Fatal(err)
				}
				total += time.Since(t0)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s")
			b.ReportMetric(float64(len(snaps[i]))/1e6, "MB")
		})
	}
}

// restartAnswers is a few models' answers about family, as JSON.
func restartAnswers(b *testing.B, m *readModels, fam domain.FamilyID) string {
	b.Helper()
	tl, err := m.timeline.Family(context.Background(), fam, timeline.Query{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	saw, err := m.privacy.WhoSaw(fam, privacy.Page{}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	out, err := json.Marshal(map[string]any{"timeline": tl, "who_saw": saw, "families": m.budget.Families(time.Time{}), "parket": m.parket.Counts(time.Time{})})
	if err != nil {
		b.Fatal(err)
	}
	return string(out)
}

// BenchmarkRebuildParts splits the rebuild's cost for the 1,000,000-event
// store: reading the log ("read"), reading and decoding on one goroutine
// ("read_decode"; the Runner spreads the decoding over all cores), then
// each model's Apply over the decoded facts ("ns/fact"). It says where
// BenchmarkRebuild's time goes.
func BenchmarkRebuildParts(b *testing.B) {
	s := openBenchStore(b, bigScale)
	ctx := context.Background()
	decodeAll := func(b *testing.B, keep bool) []projections.Fact {
		var facts []projections.Fact
		n := 0
		for env, err := range s.st.ReadAll(ctx, 0) {
			if err != nil {
				b.Fatal(err)
			}
			f, ok, err := projections.Decode(&env)
			if err != nil {
				b.Fatal(err)
			}
			if ok {
				n++
				if keep {
					facts = append(facts, f)
				}
			}
		}
		if n != s.events {
			b.Fatalf("decoded %d facts of %d", n, s.events)
		}
		return facts
	}
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, err := range s.st.ReadAll(ctx, 0) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n < s.events {
				b.Fatalf("read %d envelopes of %d", n, s.events)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s")
	})
	b.Run("read_decode", func(b *testing.B) {
		for b.Loop() {
			decodeAll(b, false)
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s")
	})
	facts := decodeAll(b, true)
	for i, name := range []string{"caseload", "parket", "privacy", "budget", "outcomes", "timeline", "assessments", "staff"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				m := newReadModels(b).list()[i]
				for j := range facts {
					m.Apply(&facts[j])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(facts)), "ns/fact")
		})
	}
}

var (
	bigModelsOnce sync.Once
	bigModels     *readModels
)

func bigReadModels(b *testing.B) (*benchStore, *readModels) {
	s := openBenchStore(b, bigScale)
	bigModelsOnce.Do(func() { bigModels, _ = rebuildAll(b, s) })
	return s, bigModels
}

// p99 runs query for random families until b.Loop ends and reports the
// 99th percentile latency.
func p99(b *testing.B, fams []domain.FamilyID, query func(domain.FamilyID) error) {
	rng := rand.New(rand.NewPCG(1, 2))
	var lat []time.Duration
	for b.Loop() {
		id := fams[rng.IntN(len(fams))]
		t0 := time.Now()
		err := query(id)
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatalf("%s: %v", id, err)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkTimelineQuery asks random families' timelines with 1,000,000
// events stored: the newest page, a filtered page (contacts on debts) and
// the newest page as of the middle of the year. Target: p99 under 5 ms.
func BenchmarkTimelineQuery(b *testing.B) {
	s, m := bigReadModels(b)
	ctx := context.Background()
	mid := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		q    timeline.Query
	}{
		{"newest", timeline.Query{}},
		{"contacts_debts", timeline.Query{Kinds: []timeline.Kind{timeline.KindContact}, LifeDomain: domain.DomainDebts}},
		{"asof_july", timeline.Query{AsOf: mid}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p99(b, s.families, func(id domain.FamilyID) error {
				_, err := m.timeline.Family(ctx, id, c.q, nil)
				if errors.Is(err, timeline.ErrUnknownFamily) && !c.q.AsOf.IsZero() {
					return nil // referred after the instant asked
				}
				return err
			})
		})
	}
}

// BenchmarkWhoSawFamily asks who saw random families (newest 50 accesses)
// with 1,000,000 events stored. Target: p99 under 5 ms.
func BenchmarkWhoSawFamily(b *testing.B) {
	s, m := bigReadModels(b)
	p99(b, s.families, func(id domain.FamilyID) error {
		_, err := m.privacy.WhoSaw(id, privacy.Page{}, time.Time{})
		return err
	})
}

// BenchmarkCouncilReport makes the council report (every figure with the
// spends behind it) of the demo year of one 50-family team. Target: under
// 50 ms.
func BenchmarkCouncilReport(b *testing.B) {
	s := openBenchStore(b, 1)
	m := budget.New()
	r, err := projections.NewRunner(s.st, []projections.Model{m}, projections.RunnerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Rebuild(context.Background()); err != nil {
		b.Fatal(err)
	}
	from, to := domain.MustDate("2025-01-01"), domain.MustDate("2025-12-31")
	var total time.Duration
	var lines int
	for b.Loop() {
		t0 := time.Now()
		rep, err := m.CouncilReport(from, to, time.Time{})
		total += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		lines = len(rep.Total.Lines)
	}
	if lines == 0 {
		b.Fatal("the council report has no lines")
	}
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms")
	b.ReportMetric(float64(lines), "lines")
}
