// Package outcomes is the read model of the teams' evaluation tables: the
// leefsituatie tables of DOMAIN.md at T0 and T1, and the classification of
// families on Kind & Gezin's deprivation index (kansarmoede-index) from an
// instrument such as CEBUD's Sociale Balans.
//
// # What is folded
//
// Every AssessmentRegistered (public part: item, member, status, level),
// the referral source of each trajectory (FamilyReferred.Source for the
// first; CaseReopened.Source, or the earlier source when it is empty, for
// later ones) and the members' roles and departures (MemberAdded,
// MemberCorrected, MemberLeft). Nothing sealed is read, so the tables stay
// the same after a family is erased.
//
// # Pictures
//
// A registration holds only the items that changed; the picture of a family
// right after a registration is every item's latest answer over the
// family's registrations with the same instrument id so far (in the order
// they were recorded, across versions and trajectories), as in
// domain.CarryForward. An item is "scored" when its latest answer has status
// scored and a level on the scale; "not assessed", "not applicable" and
// items never answered are missing, never a level.
//
// # Units and periods
//
// The unit of every table is a family's trajectory (a family counts once per
// trajectory; only a reopened case can count twice). A period is a range
// of calendar dates, both ends included, judged by the registrations' dates
// (not when they were recorded). See Report and Deprivation for which
// registrations a period selects.
//
// # Time travel
//
// Every query takes asOf (zero: now) and uses only the facts recorded at or
// before it (Fact.RecordedAt).
package outcomes

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
)

// ErrBadQuery is wrapped by the errors of queries with invalid parameters
// (a period that ends before it starts, an invalid mapping); the message
// names the parameter.
var ErrBadQuery = errors.New("outcomes: bad query")

// Name is the model's stable name (snapshot file, metrics).
const Name = "outcomes"

// snapshotVersion changes whenever State's encoding or meaning changes.
const snapshotVersion = 2

// Model is the outcomes read model. Apply takes the write lock, queries the
// read lock; results are fresh values.
type Model struct {
	mu  sync.RWMutex
	cat *domain.Catalogue
	// leef is the built-in leefsituatie, used for versions the catalogue
	// lacks; domains maps a life domain code to its index in the tables.
	leef    domain.Instrument
	domains map[string]int
	st      State
}

// State is the model's whole state (the snapshot's content).
type State struct {
	Families map[domain.FamilyID]*Family `json:"families"`
}

// Family is what the model keeps of one family.
type Family struct {
	Trajectory int `json:"trajectory"`
	// Sources is the referral source of each trajectory.
	Sources       map[int]domain.ReferralSource `json:"sources"`
	Members       map[domain.MemberID]*Member   `json:"members"`
	Registrations []Registration                `json:"registrations"`
}

// Member is a family member's role and departure.
type Member struct {
	Role   domain.MemberRole `json:"role"`
	LeftOn domain.Date       `json:"left_on,omitzero"`
	LeftAt time.Time         `json:"left_at,omitzero"`
}

// Registration is one AssessmentRegistered with the instant it was
// recorded, its trajectory, and each answer's subject.
type Registration struct {
	At                time.Time               `json:"at"`
	Trajectory        int                     `json:"trajectory"`
	AssessmentID      domain.AssessmentID     `json:"assessment_id"`
	Date              domain.Date             `json:"date"`
	InstrumentID      string                  `json:"instrument_id"`
	InstrumentVersion int                     `json:"instrument_version"`
	Moment            domain.AssessmentMoment `json:"moment"`
	Answers           []Answer                `json:"answers"`
}

// Answer is one item answer. Subject is household for answers without a
// member, child or adult from the member's role when the registration was
// recorded, and empty for a member the model never saw added.
type Answer struct {
	Item    string              `json:"item"`
	Member  domain.MemberID     `json:"member,omitempty"`
	Subject domain.Subject      `json:"subject,omitempty"`
	Status  domain.AnswerStatus `json:"status"`
	Level   int                 `json:"level,omitempty"`
}

// New returns an empty model. cat (may be nil) supplies the leefsituatie's
// scores for each version; a version it lacks uses the built-in scale
// (domain.Leefsituatie: levels 1..5 scored 10, 7.5, 5, 2.5, 0).
func New(cat *domain.Catalogue) *Model {
	m := &Model{cat: cat, leef: domain.Leefsituatie(), domains: map[string]int{}, st: State{Families: map[domain.FamilyID]*Family{}}}
	for i, d := range domain.LifeDomains() {
		m.domains[string(d)] = i
	}
	return m
}

// Name returns "outcomes".
func (m *Model) Name() string { return Name }

// Apply folds one fact; it ignores every event it does not need.
func (m *Model) Apply(f *projections.Fact) {
	switch e := f.Event.(type) {
	case domain.FamilyReferred:
		m.mu.Lock()
		fam := m.family(f)
		fam.Trajectory = 1
		fam.Sources[1] = e.Source
		m.mu.Unlock()
	case domain.CaseReopened:
		m.mu.Lock()
		fam := m.family(f)
		src := e.Source
		if src == "" {
			src = fam.Sources[fam.Trajectory]
		}
		fam.Trajectory = e.Trajectory
		fam.Sources[e.Trajectory] = src
		m.mu.Unlock()
	case domain.MemberAdded:
		m.mu.Lock()
		m.family(f).Members[e.MemberID] = &Member{Role: e.Role}
		m.mu.Unlock()
	case domain.MemberCorrected:
		m.mu.Lock()
		if mem := m.family(f).Members[e.MemberID]; mem != nil {
			mem.Role = e.Role
		}
		m.mu.Unlock()
	case domain.MemberLeft:
		m.mu.Lock()
		if mem := m.family(f).Members[e.MemberID]; mem != nil {
			mem.LeftOn, mem.LeftAt = e.Date, f.RecordedAt
		}
		m.mu.Unlock()
	case domain.AssessmentRegistered:
		m.mu.Lock()
		fam := m.family(f)
		ans := make([]Answer, len(e.Items))
		for i, it := range e.Items {
			ans[i] = Answer{Item: it.Item, Member: it.Member, Status: it.Status, Level: it.Level, Subject: domain.SubjectHousehold}
			if it.Member != "" {
				ans[i].Subject = ""
				if mem := fam.Members[it.Member]; mem != nil {
					ans[i].Subject = domain.SubjectAdult
					if mem.Role == domain.MemberChild {
						ans[i].Subject = domain.SubjectChild
					}
				}
			}
		}
		fam.Registrations = append(fam.Registrations, Registration{
			At: f.RecordedAt, Trajectory: fam.Trajectory, AssessmentID: e.AssessmentID, Date: e.Date,
			InstrumentID: e.InstrumentID, InstrumentVersion: e.InstrumentVersion, Moment: e.Moment, Answers: ans,
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
		fam = &Family{Sources: map[int]domain.ReferralSource{}, Members: map[domain.MemberID]*Member{}}
		m.st.Families[id] = fam
	}
	return fam
}

// visible reports whether a fact recorded at at is part of the ledger as it
// stood at asOf (zero: now).
func visible(at, asOf time.Time) bool { return asOf.IsZero() || !at.After(asOf) }

// familyIDs returns the family ids in ascending order. Caller holds a lock.
func (m *Model) familyIDs() []domain.FamilyID {
	ids := make([]domain.FamilyID, 0, len(m.st.Families))
	for id := range m.st.Families {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Period is a range of calendar dates, both ends included; a zero From or
// To leaves that end open.
type Period struct {
	From domain.Date `json:"from,omitzero"`
	To   domain.Date `json:"to,omitzero"`
}

// Contains reports whether d lies in the period.
func (p Period) Contains(d domain.Date) bool {
	return (p.From.IsZero() || !d.Before(p.From)) && (p.To.IsZero() || !d.After(p.To))
}

// Validate returns an error wrapping ErrBadQuery when To lies before From.
func (p Period) Validate() error {
	if !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
		return fmt.Errorf("%w: period: to (%s) lies before from (%s)", ErrBadQuery, p.To, p.From)
	}
	return nil
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
