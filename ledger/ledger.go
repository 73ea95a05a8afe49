// Package ledger is Spoor's application service: it executes domain
// commands against the event store. For every command it reads the stream,
// folds the public parts of its events into the domain state (so decisions
// work also after a family's personal data was crypto-shredded), lets the
// domain decide, encodes the new events, seals their personal data under
// the stream's data key, and appends them with the version it read as the
// expected version. When another writer got there first
// (store.ErrVersionConflict) it waits a little (see DefaultBackoff) and
// does it all again, a bounded number of times. Access events ("who saw what") go to access-<family> streams with
// AnyVersion, so they never conflict with case writes.
//
// The service also loads streams for callers: with public parts only (for
// decisions and statistics) or with sealed parts opened (for callers the
// HTTP layer allowed to read personal data), marking events whose key was
// destroyed as erased.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"spoor/domain"
	"spoor/store"
)

// DefaultMaxAttempts is how often a command is tried when appends conflict.
const DefaultMaxAttempts = 8

// DefaultBackoff is the wait before attempt n+1 after n conflicting
// attempts: 2 ms doubling up to 100 ms, with up to 50% random jitter. A
// wait is needed, not only politeness: a store serves reads up to its
// durable head, so the competing append that caused the conflict may take a
// disk sync to become visible.
func DefaultBackoff(n int) time.Duration {
	d := 2 * time.Millisecond << min(n-1, 6)
	d = min(d, 100*time.Millisecond)
	return d/2 + rand.N(d/2+1)
}

// Options configure a Service. Zero fields take defaults.
type Options struct {
	// MaxAttempts bounds the load-decide-append cycles of one command on
	// version conflicts. Default DefaultMaxAttempts.
	MaxAttempts int
	// Backoff is the wait after the n-th conflicting attempt. Default
	// DefaultBackoff.
	Backoff func(n int) time.Duration
	// Instruments is the instrument catalogue; default
	// domain.BuiltinCatalogue().
	Instruments *domain.Catalogue
}

// Service executes commands and loads streams. It is safe for concurrent
// use; it holds no state of its own beyond its dependencies.
type Service struct {
	st          store.Store
	sealer      *store.Sealer
	clock       func() time.Time
	newID       func() string
	instruments *domain.Catalogue
	maxAttempts int
	backoff     func(int) time.Duration
}

// New returns a Service over st that seals personal data with sealer,
// reads the time from clock (the instant in the team's time zone: the
// domain's "today" is its calendar date) and names new events with newID
// (UUIDs). Errors: a nil dependency, or a built-in instrument that does not
// parse.
func New(st store.Store, sealer *store.Sealer, clock func() time.Time, newID func() string, opts Options) (*Service, error) {
	if st == nil || sealer == nil || clock == nil || newID == nil {
		return nil, errors.New("ledger: store, sealer, clock and id generator are required")
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.Instruments == nil {
		cat, err := domain.BuiltinCatalogue()
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		opts.Instruments = cat
	}
	return &Service{st: st, sealer: sealer, clock: clock, newID: newID, instruments: opts.Instruments, maxAttempts: opts.MaxAttempts, backoff: opts.Backoff}, nil
}

// Meta is who executes a command and under which correlation id; both are
// stored in every event's envelope.
type Meta struct {
	Actor         store.Actor
	CorrelationID string
}

// SealedState says what became of an event's sealed part when it was read.
type SealedState int

const (
	// SealedNone: the event has no sealed part.
	SealedNone SealedState = iota
	// SealedOpen: the sealed part was opened; the event's Sealed field holds it.
	SealedOpen
	// SealedWithheld: the sealed part was not opened (a public-only read).
	SealedWithheld
	// SealedErased: the stream's data key was destroyed; the personal data
	// is gone for good ("gewist").
	SealedErased
)

// String names the state.
func (s SealedState) String() string {
	switch s {
	case SealedOpen:
		return "open"
	case SealedWithheld:
		return "withheld"
	case SealedErased:
		return "erased"
	}
	return "none"
}

// Record is one event as read: its envelope (Data is the stored payload),
// the decoded event, and what became of its sealed part.
type Record struct {
	Envelope store.Envelope
	Event    domain.Event
	Sealed   SealedState
}

// Result is what an executed command appended.
type Result struct {
	Stream        string
	Version       uint64 // the stream's version after the append
	FirstPosition uint64
	LastPosition  uint64
	EventIDs      []string
	Events        []domain.Event
	Attempts      int // load-decide-append cycles it took
}

// readStream reads every event of stream. With open, sealed parts are
// opened with the sealer; without, only public parts are decoded. A stream
// without events returns no records and version 0.
func (s *Service) readStream(ctx context.Context, stream string, open bool) ([]Record, uint64, error) {
	var recs []Record
	for env, err := range s.st.ReadStream(ctx, stream, 1) {
		if errors.Is(err, store.ErrStreamNotFound) {
			return nil, 0, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read %s: %w", stream, err)
		}
		rec, err := s.decode(ctx, env, open)
		if err != nil {
			return nil, 0, err
		}
		recs = append(recs, rec)
	}
	var version uint64
	if n := len(recs); n > 0 {
		version = recs[n-1].Envelope.Version
	}
	return recs, version, nil
}

func (s *Service) decode(ctx context.Context, env store.Envelope, open bool) (Record, error) {
	rec := Record{Envelope: env}
	var public, secret []byte
	if open {
		o, err := s.sealer.Open(ctx, env.Data)
		if err != nil {
			return Record{}, fmt.Errorf("open %s version %d: %w", env.Stream, env.Version, err)
		}
		public, secret = o.Public, o.Secret
		switch {
		case o.Erased:
			rec.Sealed = SealedErased
		case o.Scope != "":
			rec.Sealed = SealedOpen
		}
	} else {
		pub, sealed, err := store.SplitPayload(env.Data)
		if err != nil {
			return Record{}, fmt.Errorf("read %s version %d: %w", env.Stream, env.Version, err)
		}
		public = pub
		if sealed {
			rec.Sealed = SealedWithheld
		}
	}
	ev, err := domain.Decode(env.Type, public, secret)
	if err != nil {
		return Record{}, fmt.Errorf("%s version %d: %w", env.Stream, env.Version, err)
	}
	rec.Event = ev
	return rec, nil
}

// seal encodes events and seals their personal data under scope.
func (s *Service) seal(ctx context.Context, scope string, meta Meta, now time.Time, evs []domain.Event) ([]store.Event, error) {
	return SealEvents(ctx, s.sealer, scope, meta, now, s.newID, evs)
}

// SealEvents turns evs into store events, in order: each encoded by the
// domain, its personal data sealed under scope with sealer, named by
// newID, with meta's actor and correlation id and recordedAt in UTC. It is
// what every append of a Service writes; a bulk loader (demo.Bulk) calls it
// to write the same bytes. Errors: the domain's encoding errors, and the
// sealer's (store.ErrKeyDestroyed once scope was shredded) wrapped with the
// event type.
func SealEvents(ctx context.Context, sealer *store.Sealer, scope string, meta Meta, recordedAt time.Time, newID func() string, evs []domain.Event) ([]store.Event, error) {
	out := make([]store.Event, 0, len(evs))
	for _, e := range evs {
		enc, err := domain.Encode(e)
		if err != nil {
			return nil, err
		}
		data, err := sealer.Seal(ctx, scope, enc.Public, enc.Sealed)
		if err != nil {
			return nil, fmt.Errorf("seal %s: %w", enc.Type, err)
		}
		out = append(out, store.Event{ID: newID(), Type: enc.Type, Actor: meta.Actor, CorrelationID: meta.CorrelationID, RecordedAt: recordedAt.UTC(), Data: data})
	}
	return out, nil
}

// execute runs the load-decide-append cycle on stream, retrying on version
// conflicts. decide loads what it needs and returns the events for the
// stream's current version.
func (s *Service) execute(ctx context.Context, stream, scope string, meta Meta, decide func(now time.Time) ([]domain.Event, uint64, error)) (Result, error) {
	var lastErr error
	for attempt := 1; attempt <= s.maxAttempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		now := s.clock()
		evs, version, err := decide(now)
		if err != nil {
			return Result{}, err
		}
		batch, err := s.seal(ctx, scope, meta, now, evs)
		if err != nil {
			return Result{}, err
		}
		res, err := s.st.Append(ctx, stream, store.ExactVersion(version), batch)
		if errors.Is(err, store.ErrVersionConflict) {
			lastErr = err
			if attempt < s.maxAttempts {
				if err := sleep(ctx, s.backoff(attempt)); err != nil {
					return Result{}, err
				}
			}
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		ids := make([]string, len(batch))
		for i, b := range batch {
			ids[i] = b.ID
		}
		return Result{Stream: stream, Version: res.Version, FirstPosition: res.FirstPosition, LastPosition: res.LastPosition, EventIDs: ids, Events: evs, Attempts: attempt}, nil
	}
	return Result{}, fmt.Errorf("append to %s: gave up after %d attempts: %w", stream, s.maxAttempts, lastErr)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Team loads the team stream (public parts; the team stream holds no
// personal data) and returns its state and version (0 and the default
// state before the first team event). Errors: the store's read errors and
// decoding errors, wrapped with the stream and version.
func (s *Service) Team(ctx context.Context) (*domain.Team, uint64, error) {
	recs, version, err := s.readStream(ctx, domain.TeamStream, false)
	if err != nil {
		return nil, 0, err
	}
	t := domain.NewTeam()
	for _, r := range recs {
		t.Apply(r.Event)
	}
	return t, version, nil
}

// Staff loads a staff member. With open, the sealed parts (display name,
// e-mail, password hash) are opened. A staff member never registered is
// returned empty (Exists false) with version 0.
func (s *Service) Staff(ctx context.Context, id domain.StaffID, open bool) (*domain.Staff, uint64, error) {
	recs, version, err := s.readStream(ctx, domain.StaffStream(id), open)
	if err != nil {
		return nil, 0, err
	}
	st := domain.NewStaff(id)
	for _, r := range recs {
		st.Apply(r.Event)
	}
	return st, version, nil
}

// FamilyView is a family as loaded: the folded state, every record of its
// stream in order, and whether its personal data was erased.
type FamilyView struct {
	Family  *domain.Family
	Records []Record
	Version uint64
	// Erased reports that the family's data key is destroyed: sealed parts
	// read as SealedErased.
	Erased bool
}

// Family loads a family's stream. With open, sealed parts are opened (for
// callers allowed to read personal data; the caller records the access);
// without, only public parts are decoded. Errors: domain.ErrNotFound when
// the family was never referred; store and decoding errors.
func (s *Service) Family(ctx context.Context, id domain.FamilyID, open bool) (FamilyView, error) {
	recs, version, err := s.readStream(ctx, domain.FamilyStream(id), open)
	if err != nil {
		return FamilyView{}, err
	}
	if version == 0 {
		return FamilyView{}, fmt.Errorf("family %s: %w", id, domain.ErrNotFound)
	}
	f := domain.NewFamily(id)
	v := FamilyView{Family: f, Records: recs, Version: version}
	for _, r := range recs {
		f.Apply(r.Event)
		if r.Sealed == SealedErased {
			v.Erased = true
		}
	}
	v.Erased = v.Erased || f.Erased
	return v, nil
}

// Access loads the access stream of a family in version order (public
// parts only: who, role, part, purpose, outcome; break-the-glass notes stay
// sealed). A family without access events gives no records and no error.
// Errors: the store's read errors and decoding errors, wrapped.
func (s *Service) Access(ctx context.Context, id domain.FamilyID) ([]Record, error) {
	recs, _, err := s.readStream(ctx, domain.AccessStream(id), false)
	return recs, err
}

// env gathers what a decision needs: the clock's instant, the team's
// settings, the instruments and the staff members cmd names.
func (s *Service) env(ctx context.Context, now time.Time, cmd any) (domain.Env, error) {
	team, _, err := s.Team(ctx)
	if err != nil {
		return domain.Env{}, err
	}
	env := domain.Env{Now: now, Settings: team.Settings, Instruments: s.instruments, Staff: map[domain.StaffID]*domain.Staff{}}
	if r, ok := cmd.(domain.StaffReferrer); ok {
		for _, id := range r.StaffRefs() {
			if id == "" || !domain.ValidID(string(id)) {
				continue // the decision reports the malformed field
			}
			st, _, err := s.Staff(ctx, id, false)
			if err != nil {
				return domain.Env{}, err
			}
			env.Staff[id] = st
		}
	}
	return env, nil
}

// ExecFamily executes a command on family id's stream and returns what it
// appended. A refused command returns the domain's *domain.RuleError
// (errors.Is ErrRule, ErrNotFound or ErrConflict) and appends nothing.
// After a FamilyErased event it destroys the family's data key; if that
// fails the event stands and the error says so: call Erase again to finish.
func (s *Service) ExecFamily(ctx context.Context, id domain.FamilyID, meta Meta, cmd domain.FamilyCommand) (Result, error) {
	if !domain.ValidID(string(id)) {
		return Result{}, &domain.RuleError{Rule: "field.invalid_id", Field: "family_id", Message: "identifiers are 1 to 100 characters of A-Z a-z 0-9 . _ : -", Kind: domain.ErrRule}
	}
	stream := domain.FamilyStream(id)
	res, err := s.execute(ctx, stream, stream, meta, func(now time.Time) ([]domain.Event, uint64, error) {
		recs, version, err := s.readStream(ctx, stream, false)
		if err != nil {
			return nil, 0, err
		}
		f := domain.NewFamily(id)
		for _, r := range recs {
			f.Apply(r.Event)
		}
		env, err := s.env(ctx, now, cmd)
		if err != nil {
			return nil, 0, err
		}
		evs, err := f.Decide(cmd, env)
		return evs, version, err
	})
	if err != nil {
		return Result{}, err
	}
	for _, e := range res.Events {
		if _, erased := e.(domain.FamilyErased); erased {
			if err := s.sealer.Destroy(ctx, stream); err != nil {
				return res, fmt.Errorf("family %s: erasure recorded but its data key is not destroyed yet (call Erase again): %w", id, err)
			}
		}
	}
	return res, nil
}

// Erase destroys the data key of a family whose stream records its erasure
// (FamilyErased). It is idempotent. Errors: domain.ErrRule when the family
// was not erased by a decision.
func (s *Service) Erase(ctx context.Context, id domain.FamilyID) error {
	v, err := s.Family(ctx, id, false)
	if err != nil {
		return err
	}
	if !v.Family.Erased {
		return fmt.Errorf("family %s: %w: its stream records no erasure", id, domain.ErrRule)
	}
	return s.sealer.Destroy(ctx, domain.FamilyStream(id))
}

// ExecTeam executes a command on the team stream, retrying on version
// conflicts as ExecFamily does. A refused command returns the domain's
// *domain.RuleError and appends nothing.
func (s *Service) ExecTeam(ctx context.Context, meta Meta, cmd domain.TeamCommand) (Result, error) {
	return s.execute(ctx, domain.TeamStream, domain.TeamStream, meta, func(now time.Time) ([]domain.Event, uint64, error) {
		t, version, err := s.Team(ctx)
		if err != nil {
			return nil, 0, err
		}
		evs, err := t.Decide(cmd, domain.Env{Now: now, Settings: t.Settings, Instruments: s.instruments})
		return evs, version, err
	})
}

// ExecStaff executes a command on staff member id's stream, retrying on
// version conflicts as ExecFamily does; personal data is sealed under the
// scope staff-<id>. A malformed id or a refused command returns a
// *domain.RuleError and appends nothing.
func (s *Service) ExecStaff(ctx context.Context, id domain.StaffID, meta Meta, cmd domain.StaffCommand) (Result, error) {
	if !domain.ValidID(string(id)) {
		return Result{}, &domain.RuleError{Rule: "field.invalid_id", Field: "staff_id", Message: "identifiers are 1 to 100 characters of A-Z a-z 0-9 . _ : -", Kind: domain.ErrRule}
	}
	stream := domain.StaffStream(id)
	return s.execute(ctx, stream, stream, meta, func(now time.Time) ([]domain.Event, uint64, error) {
		st, version, err := s.Staff(ctx, id, false)
		if err != nil {
			return nil, 0, err
		}
		evs, err := st.Decide(cmd, domain.Env{Now: now, Instruments: s.instruments})
		return evs, version, err
	})
}

// appendAccess appends one access event to the family's access stream with
// AnyVersion; a sealed part (a break-the-glass note) is sealed under the
// family's scope, so it is shredded with the family.
func (s *Service) appendAccess(ctx context.Context, fam domain.FamilyID, meta Meta, e domain.Event) (Result, error) {
	now := s.clock()
	batch, err := s.seal(ctx, domain.FamilyStream(fam), meta, now, []domain.Event{e})
	if err != nil {
		return Result{}, err
	}
	stream := domain.AccessStream(fam)
	res, err := s.st.Append(ctx, stream, store.AnyVersion, batch)
	if err != nil {
		return Result{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	return Result{Stream: stream, Version: res.Version, FirstPosition: res.FirstPosition, LastPosition: res.LastPosition, EventIDs: []string{batch[0].ID}, Events: []domain.Event{e}, Attempts: 1}, nil
}

// RecordView appends a RecordViewed event (an allowed access) to the
// family's access stream. The HTTP layer calls it before it returns the
// data and returns nothing if it fails.
func (s *Service) RecordView(ctx context.Context, meta Meta, v domain.ViewRecord) (Result, error) {
	e, err := domain.DecideView(v)
	if err != nil {
		return Result{}, err
	}
	return s.appendAccess(ctx, v.FamilyID, meta, e)
}

// RecordRefusal appends a RecordAccessRefused event (a refused access,
// with its outcome) to the family's access stream, as RecordView does. A
// malformed record returns the domain's *domain.RuleError and appends
// nothing.
func (s *Service) RecordRefusal(ctx context.Context, meta Meta, r domain.RefuseAccess) (Result, error) {
	e, err := domain.DecideRefusal(r)
	if err != nil {
		return Result{}, err
	}
	return s.appendAccess(ctx, r.FamilyID, meta, e)
}

// RecordExport appends an ExportMade event to the family's access stream,
// as RecordView does. A malformed record returns the domain's
// *domain.RuleError and appends nothing.
func (s *Service) RecordExport(ctx context.Context, meta Meta, x domain.MakeExport) (Result, error) {
	e, err := domain.DecideExport(x)
	if err != nil {
		return Result{}, err
	}
	return s.appendAccess(ctx, x.FamilyID, meta, e)
}
