package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// Seed plays the plan of opts through svc (see the package documentation):
// every command goes through the ledger's load, decide, seal and append.
// opts.Clock must be the clock svc reads; Seed leaves it at the plan's last
// instant (call Release to return to real time). The ledger should be empty:
// on a ledger that already holds the demo's staff or families the first
// command fails with the domain's conflict error. It returns the summary,
// with the demo password in plain text for the caller to print once.
func Seed(ctx context.Context, svc *ledger.Service, opts Options) (Summary, error) {
	if opts.Clock == nil {
		return Summary{}, errors.New("demo: Options.Clock is required: pass the clock the ledger service reads")
	}
	steps, sum, err := Plan(opts)
	if err != nil {
		return Summary{}, err
	}
	res, err := Play(ctx, svc, opts.Clock, steps)
	sum.Events, sum.LastPosition = res.Events, res.LastPosition
	return sum, err
}

// BulkWindow is the stretch of simulated time Bulk gathers into one append
// per stream.
const BulkWindow = 28 * 24 * time.Hour

// Bulk plays the plan of opts through the domain in memory and appends the
// events straight to st (see the package documentation): per stream, the
// events of each BulkWindow of simulated time go in one Append with the
// exact expected version, several streams in parallel. Every event of a
// window is recorded at the window's last instant, so RecordedAt never
// decreases along positions and time travel is exact at window boundaries.
// Personal data is sealed with sealer under the family's (staff member's)
// scope as the ledger does. Event ids are deterministic UUID-shaped strings
// from opts.Seed. st should be empty. Errors: a command refused by the
// domain (a bug in the plan), sealing and store errors.
func Bulk(ctx context.Context, st store.Appender, sealer *store.Sealer, opts Options) (Summary, error) {
	if st == nil || sealer == nil {
		return Summary{}, errors.New("demo: a store and a sealer are required")
	}
	steps, sum, err := Plan(opts)
	if err != nil {
		return Summary{}, err
	}
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	x := &memExec{
		st: st, sealer: sealer, cat: cat, team: domain.NewTeam(),
		staff: map[domain.StaffID]*domain.Staff{}, fams: map[domain.FamilyID]*domain.Family{},
		versions: map[string]uint64{}, pending: map[string][]store.Event{},
		rng: rand.New(rand.NewPCG(opts.Seed, 0xb01c)),
	}
	var windowEnd time.Time
	var last time.Time
	for i, s := range steps {
		if !windowEnd.IsZero() && !s.At.Before(windowEnd) {
			if err := x.flush(ctx, last); err != nil {
				return sum, err
			}
		}
		if len(x.order) == 0 {
			windowEnd = s.At.Add(BulkWindow)
		}
		if err := x.exec(ctx, s); err != nil {
			return sum, fmt.Errorf("demo: step %d (%T, family %q, staff %q, %s): %w", i, s.Cmd, s.Family, s.Staff, s.At.Format(time.DateOnly), err)
		}
		last = s.At
	}
	if err := x.flush(ctx, last); err != nil {
		return sum, err
	}
	sum.Events, sum.LastPosition = x.events, x.lastPos
	return sum, nil
}

// memExec decides commands against states folded in memory and batches the
// sealed events per stream.
type memExec struct {
	st       store.Appender
	sealer   *store.Sealer
	cat      *domain.Catalogue
	team     *domain.Team
	staff    map[domain.StaffID]*domain.Staff
	fams     map[domain.FamilyID]*domain.Family
	versions map[string]uint64
	pending  map[string][]store.Event
	order    []string
	rng      *rand.Rand
	events   int
	lastPos  uint64
}

func (x *memExec) newID() string {
	a, b := x.rng.Uint64(), x.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func (x *memExec) exec(ctx context.Context, s Step) error {
	var (
		evs           []domain.Event
		stream, scope string
		err           error
	)
	switch c := s.Cmd.(type) {
	case domain.FamilyCommand:
		f := x.fams[s.Family]
		if f == nil {
			f = domain.NewFamily(s.Family)
			x.fams[s.Family] = f
		}
		env := domain.Env{Now: s.At, Settings: x.team.Settings, Instruments: x.cat, Staff: map[domain.StaffID]*domain.Staff{}}
		if r, ok := c.(domain.StaffReferrer); ok {
			for _, id := range r.StaffRefs() {
				if m := x.staff[id]; m != nil {
					env.Staff[id] = m
				} else {
					env.Staff[id] = domain.NewStaff(id)
				}
			}
		}
		if evs, err = f.Decide(c, env); err != nil {
			return err
		}
		for _, e := range evs {
			f.Apply(e)
		}
		stream = domain.FamilyStream(s.Family)
		scope = stream
	case domain.TeamCommand:
		if evs, err = x.team.Decide(c, domain.Env{Now: s.At, Settings: x.team.Settings, Instruments: x.cat}); err != nil {
			return err
		}
		for _, e := range evs {
			x.team.Apply(e)
		}
		stream, scope = domain.TeamStream, domain.TeamStream
	case domain.StaffCommand:
		m := x.staff[s.Staff]
		if m == nil {
			m = domain.NewStaff(s.Staff)
			x.staff[s.Staff] = m
		}
		if evs, err = m.Decide(c, domain.Env{Now: s.At, Instruments: x.cat}); err != nil {
			return err
		}
		for _, e := range evs {
			m.Apply(e)
		}
		stream = domain.StaffStream(s.Staff)
		scope = stream
	case domain.ViewRecord:
		e, err := domain.DecideView(c)
		if err != nil {
			return err
		}
		evs, stream, scope = []domain.Event{e}, domain.AccessStream(c.FamilyID), domain.FamilyStream(c.FamilyID)
	case domain.RefuseAccess:
		e, err := domain.DecideRefusal(c)
		if err != nil {
			return err
		}
		evs, stream, scope = []domain.Event{e}, domain.AccessStream(c.FamilyID), domain.FamilyStream(c.FamilyID)
	case domain.MakeExport:
		e, err := domain.DecideExport(c)
		if err != nil {
			return err
		}
		evs, stream, scope = []domain.Event{e}, domain.AccessStream(c.FamilyID), domain.FamilyStream(c.FamilyID)
	default:
		return fmt.Errorf("%w: %T", ErrBadPlan, s.Cmd)
	}
	if _, ok := x.pending[stream]; !ok {
		x.order = append(x.order, stream)
	}
	// RecordedAt is set when the window is flushed.
	batch, err := ledger.SealEvents(ctx, x.sealer, scope, ledger.Meta{Actor: s.Actor, CorrelationID: "demo"}, time.Time{}, x.newID, evs)
	if err != nil {
		return err
	}
	x.pending[stream] = append(x.pending[stream], batch...)
	return nil
}

// flush appends every pending batch, recorded at instant at, with up to 16
// appends in flight.
func (x *memExec) flush(ctx context.Context, at time.Time) error {
	if len(x.order) == 0 {
		return nil
	}
	at = at.UTC()
	type job struct {
		stream string
		evs    []store.Event
		ver    uint64
	}
	jobs := make(chan job)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				res, err := x.st.Append(ctx, j.stream, store.ExactVersion(j.ver), j.evs)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("demo: append to %s: %w", j.stream, err)
				}
				x.lastPos = max(x.lastPos, res.LastPosition)
				mu.Unlock()
			}
		}()
	}
	for _, s := range x.order {
		evs := x.pending[s]
		for i := range evs {
			evs[i].RecordedAt = at
		}
		jobs <- job{s, evs, x.versions[s]}
		x.versions[s] += uint64(len(evs))
		x.events += len(evs)
	}
	close(jobs)
	wg.Wait()
	clear(x.pending)
	x.order = x.order[:0]
	return firstErr
}
