// Package assessments is the read model of a family's registrations with
// assessment instruments (the leefsituatie, CEBUD's Sociale Balans, ...).
//
// A registration (domain.AssessmentRegistered) is a snapshot that names its
// instrument id and version and its moment (t0, review, t1) and holds only
// the items that changed: every other item carries forward from the family's
// previous registration with the same instrument id, across instrument
// versions and across trajectories (as domain.Family does). The model keeps
// every registration with the instant it was recorded, so it can answer:
//
//   - Current: a family's picture with one instrument (every item's latest
//     answer and the registration that set it);
//   - History: the picture right after each registration;
//   - Overdue: the active families whose last registration is more than
//     three months old (the practice asks for one at least every three
//     months).
//
// Every query takes asOf (zero: now) and answers from the facts recorded at
// or before that instant (Fact.RecordedAt). Only public parts are read (item
// levels and statuses are public; the open texts are sealed and never seen),
// so the answers survive crypto-shredding.
package assessments

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
)

// ErrNoRegistration is returned by Current and History when the family has
// no registration with the instrument as of the instant asked.
var ErrNoRegistration = errors.New("assessments: no registration")

// Name is the model's stable name (snapshot file, metrics).
const Name = "assessments"

// snapshotVersion changes whenever State's encoding or meaning changes.
const snapshotVersion = 2

// Options are the model's settings.
type Options struct {
	// OverdueAfterMonths: a family is overdue when its last registration
	// (or the start of its guidance, when later) lies more than this many
	// calendar months before the reference day.
	OverdueAfterMonths int
}

// DefaultOptions returns three months (DOMAIN.md: at least one registration
// per family every three months).
func DefaultOptions() Options { return Options{OverdueAfterMonths: 3} }

// Model is the assessments read model. Apply takes the write lock, queries
// the read lock; queries return fresh copies.
type Model struct {
	mu   sync.RWMutex
	cat  *domain.Catalogue
	opts Options
	st   State
}

// State is the model's whole state (the snapshot's content).
type State struct {
	Families map[domain.FamilyID]*Family `json:"families"`
}

// Family is what the model keeps of one family.
type Family struct {
	// Trajectory is the family's current trajectory (1 after the referral,
	// the CaseReopened's number after a reopening).
	Trajectory    int            `json:"trajectory"`
	Registrations []Registration `json:"registrations"`
	// Status holds every change of the guidance status, in fact order.
	Status []StatusChange `json:"status"`
}

// Registration is one AssessmentRegistered with the instant it was recorded
// and the trajectory it belongs to.
type Registration struct {
	At                time.Time               `json:"at"`
	Trajectory        int                     `json:"trajectory"`
	AssessmentID      domain.AssessmentID     `json:"assessment_id"`
	Date              domain.Date             `json:"date"`
	InstrumentID      string                  `json:"instrument_id"`
	InstrumentVersion int                     `json:"instrument_version"`
	Moment            domain.AssessmentMoment `json:"moment"`
	Items             []domain.ItemAnswer     `json:"items"`
	CoachID           domain.StaffID          `json:"coach_id"`
}

// StatusChange records that guidance started (Active) or ended (closure,
// reopening, erasure) at At.
type StatusChange struct {
	At                time.Time   `json:"at"`
	Active            bool        `json:"active"`
	Trajectory        int         `json:"trajectory"`
	GuidanceStartedOn domain.Date `json:"guidance_started_on,omitzero"`
}

// New returns an empty model. cat (may be nil) supplies the instruments so
// that answers carry their score and items come in the instrument's order;
// without it (or for an instrument it lacks) scores are omitted and items
// are ordered by id. Options with OverdueAfterMonths < 1 use the default.
func New(cat *domain.Catalogue, opts Options) *Model {
	if opts.OverdueAfterMonths < 1 {
		opts.OverdueAfterMonths = DefaultOptions().OverdueAfterMonths
	}
	return &Model{cat: cat, opts: opts, st: State{Families: map[domain.FamilyID]*Family{}}}
}

// Name returns "assessments".
func (m *Model) Name() string { return Name }

// Apply folds one fact; it ignores everything but the referral, guidance
// start, closure, reopening, erasure and assessment registrations.
func (m *Model) Apply(f *projections.Fact) {
	switch e := f.Event.(type) {
	case domain.FamilyReferred:
		m.mu.Lock()
		m.family(f).Trajectory = 1
		m.mu.Unlock()
	case domain.GuidanceStarted:
		m.mu.Lock()
		fam := m.family(f)
		if e.Trajectory > 0 {
			fam.Trajectory = e.Trajectory
		}
		fam.Status = append(fam.Status, StatusChange{At: f.RecordedAt, Active: true, Trajectory: fam.Trajectory, GuidanceStartedOn: e.Date})
		m.mu.Unlock()
	case domain.CaseClosed, domain.FamilyErased:
		m.mu.Lock()
		fam := m.family(f)
		fam.Status = append(fam.Status, StatusChange{At: f.RecordedAt, Trajectory: fam.Trajectory})
		m.mu.Unlock()
	case domain.CaseReopened:
		m.mu.Lock()
		fam := m.family(f)
		fam.Trajectory = e.Trajectory
		fam.Status = append(fam.Status, StatusChange{At: f.RecordedAt, Trajectory: fam.Trajectory})
		m.mu.Unlock()
	case domain.AssessmentRegistered:
		m.mu.Lock()
		fam := m.family(f)
		fam.Registrations = append(fam.Registrations, Registration{
			At: f.RecordedAt, Trajectory: fam.Trajectory, AssessmentID: e.AssessmentID, Date: e.Date,
			InstrumentID: e.InstrumentID, InstrumentVersion: e.InstrumentVersion, Moment: e.Moment,
			Items: e.Items, CoachID: e.CoachID,
		})
		m.mu.Unlock()
	}
}

// family returns the family of the fact's stream, creating it. Caller holds
// the write lock.
func (m *Model) family(f *projections.Fact) *Family {
	id, _ := f.Family()
	fam := m.st.Families[id]
	if fam == nil {
		fam = &Family{}
		m.st.Families[id] = fam
	}
	return fam
}

// visible reports whether a fact recorded at at is part of the ledger as it
// stood at asOf (zero: now).
func visible(at, asOf time.Time) bool { return asOf.IsZero() || !at.After(asOf) }

// ItemState is one item of a picture: its latest answer and the
// registration that gave it.
type ItemState struct {
	Item   string              `json:"item"`
	Member domain.MemberID     `json:"member,omitempty"`
	Status domain.AnswerStatus `json:"status"`
	Level  int                 `json:"level,omitempty"`
	// Score is the level's score in the version that set it; absent when the
	// item is not scored or the instrument version is not in the catalogue.
	Score             *float64            `json:"score,omitempty"`
	SetBy             domain.AssessmentID `json:"set_by"`
	SetOn             domain.Date         `json:"set_on"`
	InstrumentVersion int                 `json:"instrument_version"`
}

// Picture is a family's picture with one instrument right after a
// registration: every item answered so far with its latest answer.
type Picture struct {
	FamilyID     domain.FamilyID `json:"family_id"`
	InstrumentID string          `json:"instrument_id"`
	// The registration the picture stands at.
	AssessmentID      domain.AssessmentID     `json:"assessment_id"`
	Date              domain.Date             `json:"date"`
	Moment            domain.AssessmentMoment `json:"moment"`
	InstrumentVersion int                     `json:"instrument_version"`
	Trajectory        int                     `json:"trajectory"`
	RecordedAt        time.Time               `json:"recorded_at"`
	// Registrations counts the registrations folded into the picture.
	Registrations int `json:"registrations"`
	// Changed is the number of items the registration itself gave.
	Changed int `json:"changed"`
	// Items: household items first, then each member's (by member id); within
	// one subject in the instrument's order (by item id if unknown).
	Items []ItemState `json:"items"`
}

// Current returns family's picture with instrument instrumentID as of asOf:
// the carried-forward answers of every registration recorded by then. It
// returns an error wrapping ErrNoRegistration when there is none.
func (m *Model) Current(family domain.FamilyID, instrumentID string, asOf time.Time) (Picture, error) {
	h, err := m.pictures(family, instrumentID, asOf, false)
	if err != nil {
		return Picture{}, err
	}
	return h[0], nil
}

// History returns the picture right after each of the family's registrations
// with the instrument recorded by asOf, oldest first (in the order they were
// recorded). It returns an error wrapping ErrNoRegistration when there is
// none.
func (m *Model) History(family domain.FamilyID, instrumentID string, asOf time.Time) ([]Picture, error) {
	return m.pictures(family, instrumentID, asOf, true)
}

// Pictures returns the family's current picture with every instrument it
// has registrations with as of asOf, ordered by instrument id (empty, not
// nil, when there are none).
func (m *Model) Pictures(family domain.FamilyID, asOf time.Time) []Picture {
	out := []Picture{}
	for _, id := range m.Instruments(family, asOf) {
		if p, err := m.Current(family, id, asOf); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Instruments returns the ids of the instruments the family has
// registrations with as of asOf, sorted.
func (m *Model) Instruments(family domain.FamilyID, asOf time.Time) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fam := m.st.Families[family]
	if fam == nil {
		return []string{}
	}
	seen := map[string]bool{}
	out := []string{}
	for i := range fam.Registrations {
		r := &fam.Registrations[i]
		if visible(r.At, asOf) && !seen[r.InstrumentID] {
			seen[r.InstrumentID] = true
			out = append(out, r.InstrumentID)
		}
	}
	sort.Strings(out)
	return out
}

func (m *Model) pictures(family domain.FamilyID, instrumentID string, asOf time.Time, all bool) ([]Picture, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fam := m.st.Families[family]
	var (
		items = map[domain.ItemKey]ItemState{}
		out   []Picture
		n     int
		last  *Registration
	)
	if fam != nil {
		for i := range fam.Registrations {
			r := &fam.Registrations[i]
			if r.InstrumentID != instrumentID || !visible(r.At, asOf) {
				continue
			}
			n++
			last = r
			in, known := m.cat.Get(r.InstrumentID, r.InstrumentVersion)
			for _, it := range r.Items {
				items[domain.ItemKey{Item: it.Item, Member: it.Member}] = ItemState{
					Item: it.Item, Member: it.Member, Status: it.Status, Level: it.Level,
					Score: score(in, known, it), SetBy: r.AssessmentID, SetOn: r.Date,
					InstrumentVersion: r.InstrumentVersion,
				}
			}
			if all {
				out = append(out, m.picture(family, r, n, items))
			}
		}
	}
	if last == nil {
		return nil, fmt.Errorf("assessments: family %s, instrument %q: %w", family, instrumentID, ErrNoRegistration)
	}
	if !all {
		out = append(out, m.picture(family, last, n, items))
	}
	return out, nil
}

// score returns the score of a scored answer in instrument in (when
// known), or nil.
func score(in domain.Instrument, known bool, it domain.ItemAnswer) *float64 {
	if !known || it.Status != domain.AnswerScored {
		return nil
	}
	s, ok := in.Score(it.Level)
	if !ok {
		return nil
	}
	return &s
}

// picture copies the current items into a Picture ordered as documented.
func (m *Model) picture(family domain.FamilyID, r *Registration, n int, items map[domain.ItemKey]ItemState) Picture {
	p := Picture{
		FamilyID: family, InstrumentID: r.InstrumentID, AssessmentID: r.AssessmentID, Date: r.Date,
		Moment: r.Moment, InstrumentVersion: r.InstrumentVersion, Trajectory: r.Trajectory, RecordedAt: r.At,
		Registrations: n, Changed: len(r.Items), Items: make([]ItemState, 0, len(items)),
	}
	for _, it := range items {
		p.Items = append(p.Items, it)
	}
	order := map[string]int{}
	if in, ok := m.cat.Get(r.InstrumentID, r.InstrumentVersion); ok {
		k := 0
		for _, part := range in.Parts {
			for _, it := range part.Items {
				if _, dup := order[it.ID]; !dup {
					order[it.ID] = k
					k++
				}
			}
		}
	}
	rank := func(id string) int {
		if k, ok := order[id]; ok {
			return k
		}
		return len(order)
	}
	sort.Slice(p.Items, func(i, j int) bool {
		a, b := p.Items[i], p.Items[j]
		if a.Member != b.Member {
			return a.Member < b.Member // "" (household) sorts first
		}
		if ra, rb := rank(a.Item), rank(b.Item); ra != rb {
			return ra < rb
		}
		return a.Item < b.Item
	})
	return p
}

// OverdueFamily is an active family whose registrations are overdue.
type OverdueFamily struct {
	FamilyID          domain.FamilyID `json:"family_id"`
	Trajectory        int             `json:"trajectory"`
	GuidanceStartedOn domain.Date     `json:"guidance_started_on"`
	// LastRegistration is the date of the last registration considered
	// (zero when the family has none), LastInstrumentID its instrument.
	LastRegistration domain.Date `json:"last_registration,omitzero"`
	LastInstrumentID string      `json:"last_instrument_id,omitempty"`
	// DueOn is the last day that was still in time: the later of
	// LastRegistration and GuidanceStartedOn plus OverdueAfterMonths
	// calendar months.
	DueOn       domain.Date `json:"due_on"`
	DaysOverdue int         `json:"days_overdue"`
}

// Overdue returns the families that were in guidance as of asOf (their last
// GuidanceStarted recorded by then is not followed by a closure, reopening
// or erasure recorded by then) and whose registrations are overdue on the
// reference day today: today lies after DueOn, which is the later of the
// family's last registration date (with instrumentID, or with any instrument
// when instrumentID is "") and its guidance start date, plus
// OverdueAfterMonths calendar months (the same day of the month, normalised
// as time.Date does: 30 November + 3 months is 2 March). Registrations of
// earlier trajectories count too, but the guidance start of the current one
// restarts the clock. The result is ordered by DaysOverdue, most overdue
// first, then by family id.
func (m *Model) Overdue(today domain.Date, instrumentID string, asOf time.Time) []OverdueFamily {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []OverdueFamily{}
	for id, fam := range m.st.Families {
		var cur *StatusChange
		for i := range fam.Status {
			if visible(fam.Status[i].At, asOf) {
				cur = &fam.Status[i]
			}
		}
		if cur == nil || !cur.Active {
			continue
		}
		o := OverdueFamily{FamilyID: id, Trajectory: cur.Trajectory, GuidanceStartedOn: cur.GuidanceStartedOn}
		for i := range fam.Registrations {
			r := &fam.Registrations[i]
			if !visible(r.At, asOf) || instrumentID != "" && r.InstrumentID != instrumentID {
				continue
			}
			if !r.Date.Before(o.LastRegistration) {
				o.LastRegistration, o.LastInstrumentID = r.Date, r.InstrumentID
			}
		}
		from := o.LastRegistration
		if from.Before(cur.GuidanceStartedOn) {
			from = cur.GuidanceStartedOn
		}
		o.DueOn = from.AddMonths(m.opts.OverdueAfterMonths)
		if !today.After(o.DueOn) {
			continue
		}
		o.DaysOverdue = today.DaysSince(o.DueOn)
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DaysOverdue != out[j].DaysOverdue {
			return out[i].DaysOverdue > out[j].DaysOverdue
		}
		return out[i].FamilyID < out[j].FamilyID
	})
	return out
}

// SnapshotVersion implements projections.Snapshotter.
func (m *Model) SnapshotVersion() int { return snapshotVersion }

// MarshalSnapshot encodes the whole state in the binary form of
// snapcodec.go.
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return appendState(nil, &m.st), nil
}

// UnmarshalSnapshot replaces the state with a snapshot made by
// MarshalSnapshot; a torn or malformed snapshot gives an error and leaves
// the state unchanged. The state keeps no reference to data.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	st, err := readState(data)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	return nil
}
