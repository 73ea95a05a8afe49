package projections

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"spoor/store"
)

// Source is what a Runner reads: the global order and its live tail.
type Source interface {
	store.Reader
	store.Subscriber
}

// RunnerOptions tune a Runner. The zero value works: no snapshots, defaults
// for the rest.
type RunnerOptions struct {
	// SnapshotDir holds one snapshot file per model; "" disables snapshots.
	SnapshotDir string
	// SnapshotEvery writes snapshots after this many facts applied live
	// (default 100,000)...
	SnapshotEvery int
	// ...or after this much time with at least one new fact (default 1
	// minute). A catch-up writes snapshots by time only, and once when it
	// ends if it applied at least SnapshotEvery facts.
	SnapshotInterval time.Duration
	// Logger receives progress and errors; nil discards. It never receives
	// event data.
	Logger *slog.Logger
	// OnApplied is called after each applied batch with the position reached
	// (for metrics); nil is fine.
	OnApplied func(position uint64)
	// Clock is used for snapshot intervals (default time.Now).
	Clock func() time.Time
	// CatchUpGCPercent, when positive, is the garbage collector's target
	// percentage (see runtime/debug.SetGCPercent) while the runner restores
	// snapshots and catches up; the previous setting is restored as soon as
	// it is ready. Catch-up allocates the read models' whole state at once,
	// and a higher target trades memory for fewer collections (400 roughly
	// halves the collector's CPU time on a rebuild). It changes a
	// process-wide setting: only a process's one Runner should set it.
	CatchUpGCPercent int
}

// DefaultRunnerOptions returns the options a server uses, with snapshots in
// dir: a snapshot every 100,000 facts or minute, and a garbage collector
// target of 400% during catch-up.
func DefaultRunnerOptions(dir string) RunnerOptions {
	return RunnerOptions{SnapshotDir: dir, SnapshotEvery: 100_000, SnapshotInterval: time.Minute, CatchUpGCPercent: 400}
}

// Runner feeds a set of models from a store: snapshots first, then catch-up
// with parallel decoding, then live. See the package documentation.
type Runner struct {
	src    Source
	models []Model
	opts   RunnerOptions
	log    *slog.Logger

	pos     atomic.Uint64 // position of the last applied fact (or skipped envelope)
	ready   atomic.Bool
	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever pos advances

	lastID    string // event id at pos, written into snapshots
	sinceSnap int
	lastSnap  time.Time
}

// NewRunner returns a runner over src for models, which must be freshly made
// (empty) and have distinct names.
func NewRunner(src Source, models []Model, opts RunnerOptions) (*Runner, error) {
	seen := map[string]bool{}
	for _, m := range models {
		if seen[m.Name()] {
			return nil, fmt.Errorf("projections: two models named %q", m.Name())
		}
		seen[m.Name()] = true
	}
	if opts.SnapshotEvery <= 0 {
		opts.SnapshotEvery = 100_000
	}
	if opts.SnapshotInterval <= 0 {
		opts.SnapshotInterval = time.Minute
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{src: src, models: models, opts: opts, log: log, changed: make(chan struct{})}, nil
}

// Position returns the position of the last fact applied to every model.
func (r *Runner) Position() uint64 { return r.pos.Load() }

// Ready reports whether the runner has caught up with the head it saw when
// it started, so queries answer with the current ledger.
func (r *Runner) Ready() bool { return r.ready.Load() }

// Lag returns how many positions the models stand behind the store's head
// (for sparse positions, a distance, not a count).
func (r *Runner) Lag(ctx context.Context) (uint64, error) {
	head, err := r.src.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("projections: lag: %w", err)
	}
	if p := r.pos.Load(); head > p {
		return head - p, nil
	}
	return 0, nil
}

// WaitFor blocks until every model has applied position (read your own
// writes), or ctx is done (returning ctx.Err()).
func (r *Runner) WaitFor(ctx context.Context, position uint64) error {
	for {
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		if r.pos.Load() >= position {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *Runner) advance(position uint64) {
	r.pos.Store(position)
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	if r.opts.OnApplied != nil {
		r.opts.OnApplied(position)
	}
}

// Run restores snapshots (or starts from 0), catches up, and then follows the
// store live until ctx is done (returns ctx.Err()) or an error stops it: a
// store error, an event that does not decode. It writes snapshots as it goes
// and once more when it stops. Run must be called once.
func (r *Runner) Run(ctx context.Context) error {
	restoreGC := r.raiseGC()
	from, err := r.restore()
	if err != nil {
		restoreGC()
		return err
	}
	n, err := r.catchUp(ctx, from)
	restoreGC()
	if err != nil {
		return err
	}
	r.ready.Store(true)
	r.log.Info("read models caught up", "position", r.pos.Load())
	if n >= r.opts.SnapshotEvery {
		// After a long catch-up (a rebuild), snapshot now rather than at
		// the next live fact; queries are answered meanwhile.
		if err := r.snapshot(); err != nil {
			r.log.Error("writing read model snapshots", "err", err)
		}
	}
	err = r.src.Subscribe(ctx, r.pos.Load()+1, func(env store.Envelope) error {
		if err := r.applyEnvelope(&env); err != nil {
			return err
		}
		r.lastID = env.ID
		r.advance(env.Position)
		r.sinceSnap++
		r.maybeSnapshot(true)
		return nil
	})
	if serr := r.snapshot(); serr != nil {
		r.log.Error("writing read model snapshots", "err", serr)
	}
	return err
}

// Rebuild folds the whole log from position 0 into the (fresh) models with
// parallel decoding, writes snapshots, and returns the number of facts
// applied. It is what `spoor rebuild` and BenchmarkRebuild run.
func (r *Runner) Rebuild(ctx context.Context) (int, error) {
	r.pos.Store(0)
	restoreGC := r.raiseGC()
	n, err := r.catchUpCount(ctx, 0)
	restoreGC()
	if err != nil {
		return n, err
	}
	r.ready.Store(true)
	return n, r.snapshot()
}

// raiseGC applies CatchUpGCPercent and returns the function that puts the
// previous setting back.
func (r *Runner) raiseGC() func() {
	if r.opts.CatchUpGCPercent <= 0 {
		return func() {}
	}
	old := debug.SetGCPercent(r.opts.CatchUpGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// catchUp applies everything up to the head and returns the number of
// facts applied.
func (r *Runner) catchUp(ctx context.Context, from uint64) (int, error) {
	start := time.Now()
	n, err := r.catchUpCount(ctx, from)
	if err != nil {
		return n, err
	}
	if n > 0 {
		r.log.Info("read models replayed", "facts", n, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	return n, nil
}

func (r *Runner) applyEnvelope(env *store.Envelope) error {
	f, ok, err := Decode(env)
	if err != nil {
		return fmt.Errorf("projections: %w", err)
	}
	if ok {
		for _, m := range r.models {
			m.Apply(&f)
		}
	}
	return nil
}

// batch is a run of envelopes decoded together.
type batch struct {
	envs   []store.Envelope
	facts  []Fact
	last   uint64 // position of the batch's last envelope
	lastID string // its event id
	err    error
	done   chan struct{}
}

const batchSize = 2048

// catchUpCount applies everything from position from up to the head seen
// at the start, decoding batches on all cores and applying them in order.
func (r *Runner) catchUpCount(ctx context.Context, from uint64) (int, error) {
	head, err := r.src.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("projections: head: %w", err)
	}
	if head < from {
		return 0, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	workers := max(runtime.GOMAXPROCS(0), 1)
	jobs := make(chan *batch, workers*2)
	ordered := make(chan *batch, workers*4)

	// Reader: cut the global order into batches.
	var readErr error
	go func() {
		defer close(ordered)
		defer close(jobs)
		buf := make([]store.Envelope, 0, batchSize)
		flush := func() bool {
			b := &batch{envs: buf, done: make(chan struct{})}
			buf = make([]store.Envelope, 0, batchSize)
			select {
			case ordered <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return false
			}
			return true
		}
		for env, err := range r.src.ReadAll(ctx, from) {
			if err != nil {
				readErr = err
				return
			}
			if env.Position > head {
				break
			}
			buf = append(buf, env)
			if len(buf) == batchSize && !flush() {
				return
			}
		}
		if len(buf) > 0 {
			flush()
		}
	}()
	// Decoders.
	for range workers {
		go func() {
			for b := range jobs {
				in := b.envs
				b.facts = make([]Fact, 0, len(in))
				for i := range in {
					f, ok, err := Decode(&in[i])
					if err != nil {
						b.err = err
						break
					}
					if ok {
						b.facts = append(b.facts, f)
					}
					b.last, b.lastID = in[i].Position, in[i].ID
				}
				b.envs = nil
				close(b.done)
			}
		}()
	}
	// Apply in order on this goroutine.
	n := 0
	for b := range ordered {
		select {
		case <-b.done:
		case <-ctx.Done():
			return n, ctx.Err()
		}
		if b.err != nil {
			return n, fmt.Errorf("projections: %w", b.err)
		}
		for i := range b.facts {
			for _, m := range r.models {
				m.Apply(&b.facts[i])
			}
		}
		n += len(b.facts)
		r.lastID = b.lastID
		r.advance(b.last)
		r.sinceSnap += len(b.facts)
		r.maybeSnapshot(false)
	}
	if readErr != nil {
		return n, fmt.Errorf("projections: reading the log: %w", readErr)
	}
	if err := ctx.Err(); err != nil {
		return n, err
	}
	return n, nil
}

// maybeSnapshot writes snapshots when SnapshotInterval has passed or, with
// byCount, SnapshotEvery facts were applied since the last ones. Catch-up
// goes by time only (a million facts take seconds, and every snapshot
// rewrites every model's whole state); Run snapshots once after it.
func (r *Runner) maybeSnapshot(byCount bool) {
	if r.opts.SnapshotDir == "" {
		return
	}
	now := r.opts.Clock()
	if r.lastSnap.IsZero() {
		r.lastSnap = now
	}
	if (!byCount || r.sinceSnap < r.opts.SnapshotEvery) && now.Sub(r.lastSnap) < r.opts.SnapshotInterval {
		return
	}
	if err := r.snapshot(); err != nil {
		r.log.Error("writing read model snapshots", "err", err)
	}
}
