package budget

import (
	"errors"
	"math"
	"sort"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
)

// Sentinel errors of the queries.
var (
	// ErrBadQuery: a query parameter is out of range; the message names it.
	ErrBadQuery = errors.New("budget: bad query")
	// ErrUnknownFamily: the family's referral was not recorded by asOf.
	ErrUnknownFamily = errors.New("budget: unknown family")
)

// Model is the budget read model. Make it with New; it is safe for
// concurrent queries while one goroutine applies facts.
type Model struct {
	mu     sync.RWMutex
	st     State
	lines  []lineRef          // every spend and reversal line, sorted by (day, position)
	spends map[spendKey]int32 // index into st.Spends
	decIdx map[spendKey]int32 // index of the latest decision in st.Decisions
	famSp  map[domain.FamilyID][]int32
}

// lineRef points at a spend (or its reversal) in date order.
type lineRef struct {
	day      int32 // yyyymmdd
	pos      uint64
	spend    int32
	reversal bool
}

// State is the model's whole state, exported for snapshots.
type State struct {
	Settings  domain.TeamSettings         `json:"settings"`
	Families  map[domain.FamilyID]*Family `json:"families"`
	Spends    []Spend                     `json:"spends"`
	Decisions []Decided                   `json:"decisions"`
	Envelopes []Envelope                  `json:"envelopes"`
}

// Family is what the model keeps of one family.
type Family struct {
	ReferredAt time.Time             `json:"referred_at"`
	Source     domain.ReferralSource `json:"source"`
	Children   int                   `json:"children"`
	Coach      domain.StaffID        `json:"coach,omitempty"`
	// Trajectories are the trajectory numbers with when each began to be
	// the current one (1 at referral, then each reopening).
	Trajectories []Mark       `json:"trajectories"`
	Allocations  []Allocation `json:"allocations,omitempty"`
	Overspends   []Overspend  `json:"overspends,omitempty"`
	Costs        []CostRecord `json:"costs,omitempty"`
}

// Mark is a trajectory number and when it became current.
type Mark struct {
	Trajectory int       `json:"trajectory"`
	At         time.Time `json:"at"`
}

// Allocation is a BudgetAllocated.
type Allocation struct {
	AllocationID  domain.AllocationID   `json:"allocation_id"`
	Date          domain.Date           `json:"date"`
	Trajectory    int                   `json:"trajectory"`
	AmountCents   int64                 `json:"amount_cents"`
	Source        domain.ReferralSource `json:"source"`
	FundingSource string                `json:"funding_source"`
	At            time.Time             `json:"at"`
}

// Overspend is a coordinator's approval of a maatbudget spend beyond what
// was left.
type Overspend struct {
	ApprovalID  domain.ApprovalID `json:"approval_id"`
	SpendID     domain.SpendID    `json:"spend_id"`
	Date        domain.Date       `json:"date"`
	AmountCents int64             `json:"amount_cents"`
	ApprovedBy  domain.StaffID    `json:"approved_by"`
	At          time.Time         `json:"at"`
}

// CostRecord is a CostAvoidanceRecorded.
type CostRecord struct {
	RecordID        domain.CostRecordID `json:"record_id"`
	Date            domain.Date         `json:"date"`
	PeriodFrom      domain.Date         `json:"period_from"`
	PeriodUntil     domain.Date         `json:"period_until"`
	Category        domain.CostCategory `json:"category"`
	ActualCents     int64               `json:"actual_cents"`
	ComparisonCents int64               `json:"comparison_cents"`
	AvoidedCents    int64               `json:"avoided_cents"`
	Basis           string              `json:"basis"`
	Interventions   int                 `json:"interventions"`
	InitialReports  int                 `json:"initial_reports"`
	FollowUpReports int                 `json:"follow_up_reports"`
	Kantschriften   int                 `json:"kantschriften"`
	At              time.Time           `json:"at"`
}

// Decided is a team or coordinator decision on a proposed spend.
type Decided struct {
	FamilyID  domain.FamilyID     `json:"family_id"`
	SpendID   domain.SpendID      `json:"spend_id"`
	Date      domain.Date         `json:"date"`
	Verdict   domain.Verdict      `json:"verdict"`
	Body      domain.DecidingBody `json:"body"`
	DecidedBy domain.StaffID      `json:"decided_by"`
	At        time.Time           `json:"at"`
}

// Spend is a recorded spend with what followed it.
type Spend struct {
	FamilyID      domain.FamilyID        `json:"family_id"`
	SpendID       domain.SpendID         `json:"spend_id"`
	Date          domain.Date            `json:"date"`
	Trajectory    int                    `json:"trajectory"`
	AmountCents   int64                  `json:"amount_cents"`
	Instrument    domain.SpendInstrument `json:"instrument"`
	Category      string                 `json:"category"`
	Supplier      string                 `json:"supplier"`
	ReceiptRef    string                 `json:"receipt_ref,omitempty"`
	FundingSource string                 `json:"funding_source"`
	Path          domain.SpendPath       `json:"path"`
	DecidedOn     domain.Date            `json:"decided_on,omitzero"`
	Body          domain.DecidingBody    `json:"body,omitempty"`
	ProposedBy    domain.StaffID         `json:"proposed_by"`
	ApprovalID    domain.ApprovalID      `json:"approval_id,omitempty"`
	ReferralType  domain.ReferralSource  `json:"referral_type"`
	CoachID       domain.StaffID         `json:"coach_id,omitempty"`
	Position      uint64                 `json:"position"`
	At            time.Time              `json:"at"`

	Review   *Review   `json:"review,omitempty"`
	Reversal *Reversal `json:"reversal,omitempty"`
}

// Review is the team's review of an urgent purchase.
type Review struct {
	Date       domain.Date    `json:"date"`
	Verdict    domain.Verdict `json:"verdict"`
	ReviewedBy domain.StaffID `json:"reviewed_by"`
	At         time.Time      `json:"at"`
}

// Reversal cancels a spend.
type Reversal struct {
	Date     domain.Date           `json:"date"`
	Reason   domain.ReversalReason `json:"reason"`
	Position uint64                `json:"position"`
	At       time.Time             `json:"at"`
}

// Envelope is a BudgetEnvelopeSet.
type Envelope struct {
	Year        int                    `json:"year"`
	FundingLine string                 `json:"funding_line"`
	Instrument  domain.SpendInstrument `json:"instrument"`
	AmountCents int64                  `json:"amount_cents"`
	Date        domain.Date            `json:"date"`
	By          domain.StaffID         `json:"by"`
	At          time.Time              `json:"at"`
}

// New returns an empty model; before any TeamSettingsChanged the team's
// settings are domain.DefaultTeamSettings.
func New() *Model {
	m := &Model{}
	m.reset(State{Settings: domain.DefaultTeamSettings()})
	return m
}

func (m *Model) reset(st State) {
	if st.Families == nil {
		st.Families = map[domain.FamilyID]*Family{}
	}
	m.st = st
	m.spends = make(map[spendKey]int32, len(st.Spends))
	m.decIdx = make(map[spendKey]int32, len(st.Decisions))
	for i, d := range st.Decisions {
		m.decIdx[spendKey{d.FamilyID, d.SpendID}] = int32(i)
	}
	m.famSp = map[domain.FamilyID][]int32{}
	m.lines = m.lines[:0]
	for i := range st.Spends {
		s := &st.Spends[i]
		m.spends[key(s.FamilyID, s.SpendID)] = int32(i)
		m.famSp[s.FamilyID] = append(m.famSp[s.FamilyID], int32(i))
		m.insertLine(lineRef{day: dayKey(s.Date), pos: s.Position, spend: int32(i)})
		if s.Reversal != nil {
			m.insertLine(lineRef{day: dayKey(s.Reversal.Date), pos: s.Reversal.Position, spend: int32(i), reversal: true})
		}
	}
}

// insertLine keeps m.lines sorted by (day, position); lines usually come
// in date order, so the common case appends.
func (m *Model) insertLine(l lineRef) {
	n := len(m.lines)
	if n == 0 || !l.less(m.lines[n-1]) {
		m.lines = append(m.lines, l)
		return
	}
	i := sort.Search(n, func(i int) bool { return l.less(m.lines[i]) })
	m.lines = append(m.lines, lineRef{})
	copy(m.lines[i+1:], m.lines[i:])
	m.lines[i] = l
}

func (l lineRef) less(o lineRef) bool {
	if l.day != o.day {
		return l.day < o.day
	}
	return l.pos < o.pos
}

// spendKey names a spend: spend ids are unique within a family's stream.
type spendKey struct {
	family domain.FamilyID
	spend  domain.SpendID
}

func key(f domain.FamilyID, s domain.SpendID) spendKey { return spendKey{f, s} }

func dayKey(d domain.Date) int32 { return int32(d.Year()*10000 + int(d.Month())*100 + d.Day()) }

// Name returns "budget".
func (m *Model) Name() string { return "budget" }

// SnapshotVersion is 2 (the binary form of snapcodec.go; 1 was JSON).
func (m *Model) SnapshotVersion() int { return 2 }

// MarshalSnapshot returns the state in the binary form of snapcodec.go.
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return appendState(nil, &m.st)
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
	defer m.mu.Unlock()
	m.reset(st)
	return nil
}

// cutoff turns asOf into the last instant a query sees.
func cutoff(asOf time.Time) time.Time {
	if asOf.IsZero() {
		return time.Unix(0, math.MaxInt64)
	}
	return asOf
}

// Apply folds one fact; it ignores what the model does not need.
func (m *Model) Apply(f *projections.Fact) {
	switch f.Event.(type) {
	case domain.TeamSettingsChanged, domain.BudgetEnvelopeSet, domain.FamilyReferred, domain.CaseReopened,
		domain.IntakeHeld, domain.CoachAssigned, domain.BudgetAllocated, domain.SpendDecided, domain.SpendRecorded,
		domain.SpendReviewed, domain.SpendReversed, domain.OverspendApproved, domain.CostAvoidanceRecorded:
	default:
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	at := f.RecordedAt
	switch e := f.Event.(type) {
	case domain.TeamSettingsChanged:
		m.st.Settings = e.Settings
		return
	case domain.BudgetEnvelopeSet:
		m.st.Envelopes = append(m.st.Envelopes, Envelope{Year: e.Year, FundingLine: e.FundingLine, Instrument: e.Instrument, AmountCents: e.AmountCents, Date: e.Date, By: e.By, At: at})
		return
	}
	id, ok := f.Family()
	if !ok {
		return
	}
	fam := m.st.Families[id]
	if fam == nil {
		fam = &Family{ReferredAt: at, Trajectories: []Mark{{1, at}}}
		m.st.Families[id] = fam
	}
	switch e := f.Event.(type) {
	case domain.FamilyReferred:
		fam.Source, fam.Children, fam.ReferredAt = e.Source, e.Children, at
	case domain.CaseReopened:
		fam.Trajectories = append(fam.Trajectories, Mark{e.Trajectory, at})
		fam.Coach = ""
		if e.Source != "" {
			fam.Source = e.Source
		}
	case domain.IntakeHeld:
		if fam.Coach == "" {
			fam.Coach = e.CoachID
		}
	case domain.CoachAssigned:
		fam.Coach = e.CoachID
	case domain.BudgetAllocated:
		fam.Allocations = append(fam.Allocations, Allocation{AllocationID: e.AllocationID, Date: e.Date, Trajectory: e.Trajectory, AmountCents: e.AmountCents, Source: e.Source, FundingSource: e.FundingSource, At: at})
	case domain.OverspendApproved:
		fam.Overspends = append(fam.Overspends, Overspend{ApprovalID: e.ApprovalID, SpendID: e.SpendID, Date: e.Date, AmountCents: e.AmountCents, ApprovedBy: e.ApprovedBy, At: at})
	case domain.CostAvoidanceRecorded:
		fam.Costs = append(fam.Costs, CostRecord{RecordID: e.RecordID, Date: e.Date, PeriodFrom: e.PeriodFrom, PeriodUntil: e.PeriodUntil,
			Category: e.Category, ActualCents: e.ActualCents, ComparisonCents: e.ComparisonCents, AvoidedCents: e.ComparisonCents - e.ActualCents,
			Basis: e.Basis, Interventions: e.Interventions, InitialReports: e.InitialReports, FollowUpReports: e.FollowUpReports, Kantschriften: e.Kantschriften, At: at})
	case domain.SpendDecided:
		m.decIdx[key(id, e.SpendID)] = int32(len(m.st.Decisions))
		m.st.Decisions = append(m.st.Decisions, Decided{FamilyID: id, SpendID: e.SpendID, Date: e.Date, Verdict: e.Verdict, Body: e.Body, DecidedBy: e.DecidedBy, At: at})
	case domain.SpendRecorded:
		m.record(f, id, fam, e)
	case domain.SpendReviewed:
		if i, ok := m.spends[key(id, e.SpendID)]; ok && m.st.Spends[i].Review == nil {
			m.st.Spends[i].Review = &Review{Date: e.Date, Verdict: e.Verdict, ReviewedBy: e.ReviewedBy, At: at}
		}
	case domain.SpendReversed:
		if i, ok := m.spends[key(id, e.SpendID)]; ok && m.st.Spends[i].Reversal == nil {
			m.st.Spends[i].Reversal = &Reversal{Date: e.Date, Reason: e.Reason, Position: f.Position, At: at}
			m.insertLine(lineRef{day: dayKey(e.Date), pos: f.Position, spend: i, reversal: true})
		}
	}
}

func (m *Model) record(f *projections.Fact, id domain.FamilyID, fam *Family, e domain.SpendRecorded) {
	k := key(id, e.SpendID)
	if _, dup := m.spends[k]; dup {
		return
	}
	funding := e.FundingSource
	if funding == "" {
		funding = m.st.Settings.MaatbudgetFunding
		if e.Instrument == domain.InstrumentDelegatedDecision {
			funding = m.st.Settings.DelegatedFunding
		}
	}
	i := int32(len(m.st.Spends))
	m.st.Spends = append(m.st.Spends, Spend{
		FamilyID: id, SpendID: e.SpendID, Date: e.Date, Trajectory: e.Trajectory, AmountCents: e.AmountCents,
		Instrument: e.Instrument, Category: e.Category, Supplier: e.Supplier, ReceiptRef: e.ReceiptRef,
		FundingSource: funding, Path: e.Path, DecidedOn: e.DecidedOn, Body: e.Body, ProposedBy: e.ProposedBy,
		ApprovalID: e.ApprovalID, ReferralType: fam.Source, CoachID: fam.Coach, Position: f.Position, At: f.RecordedAt,
	})
	m.spends[k] = i
	m.famSp[id] = append(m.famSp[id], i)
	m.insertLine(lineRef{day: dayKey(e.Date), pos: f.Position, spend: i})
}
