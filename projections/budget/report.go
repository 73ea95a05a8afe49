package budget

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"spoor/domain"
)

// LineKind tells a spend line from a reversal line.
type LineKind string

// Line kinds.
const (
	LineSpend    LineKind = "spend"
	LineReversal LineKind = "reversal"
)

// Decision is how a spend was authorised, as known at the query's asOf.
type Decision struct {
	// Path is team_decision (decided before the purchase) or urgent
	// (bought first, reviewed afterwards).
	Path      domain.SpendPath    `json:"path"`
	Body      domain.DecidingBody `json:"body,omitempty"`
	DecidedOn domain.Date         `json:"decided_on,omitzero"`
	DecidedBy domain.StaffID      `json:"decided_by,omitempty"`
	// Reviewed is set once the team reviewed an urgent purchase.
	Reviewed      bool           `json:"reviewed"`
	ReviewedOn    domain.Date    `json:"reviewed_on,omitzero"`
	ReviewVerdict domain.Verdict `json:"review_verdict,omitempty"`
	ReviewedBy    domain.StaffID `json:"reviewed_by,omitempty"`
}

// Line is a spend, or the reversal of one, with everything the council may
// ask about it. Family ids, never names.
type Line struct {
	Kind     LineKind        `json:"kind"`
	SpendID  domain.SpendID  `json:"spend_id"`
	FamilyID domain.FamilyID `json:"family_id"`
	// Date is the line's date: the spend date, or the reversal date.
	Date domain.Date `json:"date"`
	// AmountCents is negative on a reversal line.
	AmountCents int64 `json:"amount_cents"`
	// SpendDate is the reversed spend's date (reversal lines only).
	SpendDate     domain.Date            `json:"spend_date,omitzero"`
	Trajectory    int                    `json:"trajectory"`
	Category      string                 `json:"category"`
	Instrument    domain.SpendInstrument `json:"instrument"`
	FundingSource string                 `json:"funding_source"`
	ReferralType  domain.ReferralSource  `json:"referral_type"`
	CoachID       domain.StaffID         `json:"coach_id,omitempty"`
	Supplier      string                 `json:"supplier"`
	ReceiptRef    string                 `json:"receipt_ref,omitempty"`
	Decision      Decision               `json:"decision"`
	ProposedBy    domain.StaffID         `json:"proposed_by"`
	ApprovalID    domain.ApprovalID      `json:"approval_id,omitempty"`
	// Reversed, ReversedOn and ReversalReason say whether (as known at
	// asOf) the spend was reversed; on a reversal line they describe it.
	Reversed       bool                  `json:"reversed"`
	ReversedOn     domain.Date           `json:"reversed_on,omitzero"`
	ReversalReason domain.ReversalReason `json:"reversal_reason,omitempty"`
}

// line builds the line of spend s (its reversal line with reversal) as
// known at cut.
func (m *Model) line(s *Spend, reversal bool, cut time.Time) Line {
	l := Line{
		Kind: LineSpend, SpendID: s.SpendID, FamilyID: s.FamilyID, Date: s.Date, AmountCents: s.AmountCents,
		Trajectory: s.Trajectory, Category: s.Category, Instrument: s.Instrument, FundingSource: s.FundingSource,
		ReferralType: s.ReferralType, CoachID: s.CoachID, Supplier: s.Supplier, ReceiptRef: s.ReceiptRef,
		ProposedBy: s.ProposedBy, ApprovalID: s.ApprovalID,
		Decision: Decision{Path: s.Path, Body: s.Body, DecidedOn: s.DecidedOn},
	}
	if i, ok := m.decIdx[key(s.FamilyID, s.SpendID)]; ok && !m.st.Decisions[i].At.After(cut) && m.st.Decisions[i].Verdict == domain.VerdictApproved {
		d := &m.st.Decisions[i]
		l.Decision.DecidedBy = d.DecidedBy
		if l.Decision.DecidedOn.IsZero() {
			l.Decision.DecidedOn = d.Date
		}
		if l.Decision.Body == "" {
			l.Decision.Body = d.Body
		}
	}
	if r := s.Review; r != nil && !r.At.After(cut) {
		l.Decision.Reviewed, l.Decision.ReviewedOn, l.Decision.ReviewVerdict, l.Decision.ReviewedBy = true, r.Date, r.Verdict, r.ReviewedBy
	}
	if r := s.Reversal; r != nil && !r.At.After(cut) {
		l.Reversed, l.ReversedOn, l.ReversalReason = true, r.Date, r.Reason
	}
	if reversal {
		l.Kind, l.SpendDate, l.Date, l.AmountCents = LineReversal, s.Date, s.Reversal.Date, -s.AmountCents
	}
	return l
}

// visible reports whether the line of ref was recorded by cut.
func (m *Model) visible(ref lineRef, cut time.Time) (*Spend, bool) {
	s := &m.st.Spends[ref.spend]
	if ref.reversal {
		return s, !s.Reversal.At.After(cut)
	}
	return s, !s.At.After(cut)
}

// Figure is a total with what it is made of. SpentCents is the sum of the
// spend lines (gross), ReversedCents of the reversal lines (as a positive
// amount), NetCents their difference.
type Figure struct {
	Key           string `json:"key"`
	SpentCents    int64  `json:"spent_cents"`
	ReversedCents int64  `json:"reversed_cents"`
	NetCents      int64  `json:"net_cents"`
	Spends        int    `json:"spends"`
	Reversals     int    `json:"reversals"`
	// Families and Children count the families reached (a spend line not
	// reversed) and their children.
	Families int `json:"families"`
	Children int `json:"children"`
	// Lines are the spends and reversals behind the figure, by date (only
	// in the council report).
	Lines []Line `json:"lines,omitempty"`
}

// Report is the budget over a period, in total and broken down; every
// breakdown is sorted by key. Coach "" means no coach was assigned.
type Report struct {
	From           domain.Date `json:"from"`
	To             domain.Date `json:"to"`
	Total          Figure      `json:"total"`
	ByCategory     []Figure    `json:"by_category"`
	ByInstrument   []Figure    `json:"by_instrument"`
	ByFunding      []Figure    `json:"by_funding"`
	ByReferralType []Figure    `json:"by_referral_type"`
	ByCoach        []Figure    `json:"by_coach"`
}

type figAcc struct {
	f    Figure
	fams map[domain.FamilyID]struct{}
}

// add counts l into the figure, or, with withLines, only appends it (the
// second pass).
func (a *figAcc) add(l *Line, children int, withLines bool) {
	if withLines {
		a.f.Lines = append(a.f.Lines, *l)
		return
	}
	if l.Kind == LineReversal {
		a.f.ReversedCents -= l.AmountCents
		a.f.Reversals++
	} else {
		a.f.SpentCents += l.AmountCents
		a.f.Spends++
		if !l.Reversed {
			if _, seen := a.fams[l.FamilyID]; !seen {
				a.fams[l.FamilyID] = struct{}{}
				a.f.Families++
				a.f.Children += children
			}
		}
	}
	a.f.NetCents += l.AmountCents
}

func newAcc(k string) *figAcc {
	return &figAcc{f: Figure{Key: k}, fams: map[domain.FamilyID]struct{}{}}
}

type breakdown map[string]*figAcc

func (b breakdown) add(k string, l *Line, children int, withLines bool) {
	a, ok := b[k]
	if !ok {
		a = newAcc(k)
		b[k] = a
	}
	a.add(l, children, withLines)
}

func (b breakdown) figures() []Figure {
	out := make([]Figure, 0, len(b))
	for _, k := range slices.Sorted(maps.Keys(b)) {
		out = append(out, b[k].f)
	}
	return out
}

// Totals returns the budget from from to to (inclusive line dates) as the
// ledger stood at asOf, without the lines behind the figures. Errors:
// ErrBadQuery when a date is missing or from is after to.
func (m *Model) Totals(from, to domain.Date, asOf time.Time) (Report, error) {
	return m.report(from, to, asOf, false)
}

// CouncilReport is Totals with, for every figure, the spends and reversals
// behind it in date order: a reversal is a line of its own, never netted
// away.
func (m *Model) CouncilReport(from, to domain.Date, asOf time.Time) (Report, error) {
	return m.report(from, to, asOf, true)
}

func checkPeriod(from, to domain.Date) error {
	if from.IsZero() || to.IsZero() {
		return fmt.Errorf("%w: from and to are required", ErrBadQuery)
	}
	if from.After(to) {
		return fmt.Errorf("%w: from is after to", ErrBadQuery)
	}
	return nil
}

// period returns the index range of m.lines dated from..to.
func (m *Model) period(from, to domain.Date) (int, int) {
	lo := sort.Search(len(m.lines), func(i int) bool { return m.lines[i].day >= dayKey(from) })
	hi := sort.Search(len(m.lines), func(i int) bool { return m.lines[i].day > dayKey(to) })
	return lo, hi
}

func (m *Model) report(from, to domain.Date, asOf time.Time, withLines bool) (Report, error) {
	if err := checkPeriod(from, to); err != nil {
		return Report{}, err
	}
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	total := newAcc("total")
	cat, ins, fund, ref, coach := breakdown{}, breakdown{}, breakdown{}, breakdown{}, breakdown{}
	lo, hi := m.period(from, to)
	all := make([]Line, 0, hi-lo)
	kids := make([]int, 0, hi-lo)
	for _, r := range m.lines[lo:hi] {
		s, ok := m.visible(r, cut)
		if !ok {
			continue
		}
		children := 0
		if fam := m.st.Families[s.FamilyID]; fam != nil {
			children = fam.Children
		}
		all = append(all, m.line(s, r.reversal, cut))
		kids = append(kids, children)
	}
	// Two passes: the figures first, then (for the council report) each
	// figure's lines in a slice of the exact size.
	for pass := range 2 {
		if pass == 1 && !withLines {
			break
		}
		if pass == 1 {
			for _, b := range []breakdown{{"": total}, cat, ins, fund, ref, coach} {
				for _, a := range b {
					a.f.Lines = make([]Line, 0, a.f.Spends+a.f.Reversals)
				}
			}
		}
		lines := pass == 1
		for i := range all {
			l := &all[i]
			total.add(l, kids[i], lines)
			cat.add(l.Category, l, kids[i], lines)
			ins.add(string(l.Instrument), l, kids[i], lines)
			fund.add(l.FundingSource, l, kids[i], lines)
			ref.add(string(l.ReferralType), l, kids[i], lines)
			coach.add(string(l.CoachID), l, kids[i], lines)
		}
	}
	return Report{
		From: from, To: to, Total: total.f,
		ByCategory: cat.figures(), ByInstrument: ins.figures(), ByFunding: fund.figures(),
		ByReferralType: ref.figures(), ByCoach: coach.figures(),
	}, nil
}

// TrajectoryBudget is a family's budget in one trajectory.
type TrajectoryBudget struct {
	Trajectory     int   `json:"trajectory"`
	AllocatedCents int64 `json:"allocated_cents"`
	// SpentCents is the maatbudget spent, net of reversals.
	SpentCents    int64 `json:"spent_cents"`
	ReversedCents int64 `json:"reversed_cents"`
	LeftCents     int64 `json:"left_cents"`
	// DelegatedCents is spent by delegated decisions, net of reversals (it
	// does not draw on the maatbudget).
	DelegatedCents int64 `json:"delegated_cents"`
}

// FamilyBudget is a family's budget: its current trajectory's figures
// first, then every trajectory, the allocations, the approved overspends
// and the lines (newest first; only from Family).
type FamilyBudget struct {
	FamilyID domain.FamilyID `json:"family_id"`
	// TrajectoryBudget holds the current trajectory's number and figures.
	TrajectoryBudget
	// OverspendApprovedCents sums the overspends approved in every
	// trajectory (not only the current one), as Overspends lists them.
	OverspendApprovedCents int64              `json:"overspend_approved_cents"`
	Trajectories           []TrajectoryBudget `json:"trajectories"`
	Allocations            []Allocation       `json:"allocations"`
	Overspends             []Overspend        `json:"overspends"`
	Lines                  []Line             `json:"lines,omitempty"`
}

// Family returns the budget of family as the ledger stood at asOf.
// Errors: ErrUnknownFamily when its referral was not recorded by asOf.
func (m *Model) Family(id domain.FamilyID, asOf time.Time) (FamilyBudget, error) {
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	fam, ok := m.st.Families[id]
	if !ok || fam.ReferredAt.After(cut) {
		return FamilyBudget{}, fmt.Errorf("%w: %s", ErrUnknownFamily, id)
	}
	fb := m.family(id, fam, cut)
	fb.Lines = []Line{}
	idx := m.famSp[id]
	for i := len(idx) - 1; i >= 0; i-- {
		s := &m.st.Spends[idx[i]]
		if s.At.After(cut) {
			continue
		}
		if s.Reversal != nil && !s.Reversal.At.After(cut) {
			fb.Lines = append(fb.Lines, m.line(s, true, cut))
		}
		fb.Lines = append(fb.Lines, m.line(s, false, cut))
	}
	slices.SortStableFunc(fb.Lines, func(a, b Line) int { return b.Date.Compare(a.Date) })
	return fb, nil
}

// Families returns the budget figures (without lines) of every family
// referred by asOf, by family id.
func (m *Model) Families(asOf time.Time) []FamilyBudget {
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []FamilyBudget{}
	for _, id := range slices.Sorted(maps.Keys(m.st.Families)) {
		if fam := m.st.Families[id]; !fam.ReferredAt.After(cut) {
			out = append(out, m.family(id, fam, cut))
		}
	}
	return out
}

func (m *Model) family(id domain.FamilyID, fam *Family, cut time.Time) FamilyBudget {
	fb := FamilyBudget{FamilyID: id, Allocations: []Allocation{}, Overspends: []Overspend{}}
	current := 1
	for _, t := range fam.Trajectories {
		if !t.At.After(cut) {
			current = t.Trajectory
		}
	}
	per := map[int]*TrajectoryBudget{current: {Trajectory: current}}
	tb := func(n int) *TrajectoryBudget {
		t, ok := per[n]
		if !ok {
			t = &TrajectoryBudget{Trajectory: n}
			per[n] = t
		}
		return t
	}
	for _, a := range fam.Allocations {
		if !a.At.After(cut) {
			fb.Allocations = append(fb.Allocations, a)
			tb(a.Trajectory).AllocatedCents += a.AmountCents
		}
	}
	for _, o := range fam.Overspends {
		if !o.At.After(cut) {
			fb.Overspends = append(fb.Overspends, o)
			fb.OverspendApprovedCents += o.AmountCents
		}
	}
	for _, i := range m.famSp[id] {
		s := &m.st.Spends[i]
		if s.At.After(cut) {
			continue
		}
		t := tb(s.Trajectory)
		net := s.AmountCents
		if s.Reversal != nil && !s.Reversal.At.After(cut) {
			net = 0
			if s.Instrument == domain.InstrumentMaatbudget {
				t.ReversedCents += s.AmountCents
			}
		}
		if s.Instrument == domain.InstrumentMaatbudget {
			t.SpentCents += net
		} else {
			t.DelegatedCents += net
		}
	}
	for _, n := range slices.Sorted(maps.Keys(per)) {
		t := per[n]
		t.LeftCents = t.AllocatedCents - t.SpentCents
		fb.Trajectories = append(fb.Trajectories, *t)
	}
	fb.TrajectoryBudget = *per[current]
	return fb
}

// EnvelopeStatus is a team envelope (or a funding line spent on without an
// envelope: NoEnvelope) for a year against the net of the lines dated in
// that year with that funding source.
type EnvelopeStatus struct {
	Year        int                    `json:"year"`
	FundingLine string                 `json:"funding_line"`
	Instrument  domain.SpendInstrument `json:"instrument,omitempty"`
	AmountCents int64                  `json:"amount_cents"`
	SpentCents  int64                  `json:"spent_cents"`
	LeftCents   int64                  `json:"left_cents"`
	SetOn       domain.Date            `json:"set_on,omitzero"`
	SetBy       domain.StaffID         `json:"set_by,omitempty"`
	NoEnvelope  bool                   `json:"no_envelope"`
}

// Envelopes returns the team's envelopes of year (0: every year with an
// envelope or a line) as set by asOf (a later BudgetEnvelopeSet for the
// same year and line replaces an earlier one), each against what was spent;
// by year, then funding line. Errors: ErrBadQuery for a negative year.
func (m *Model) Envelopes(year int, asOf time.Time) ([]EnvelopeStatus, error) {
	if year < 0 {
		return nil, fmt.Errorf("%w: year must not be negative", ErrBadQuery)
	}
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	type ek struct {
		year int
		line string
	}
	st := map[ek]*EnvelopeStatus{}
	for _, e := range m.st.Envelopes {
		if e.At.After(cut) || (year != 0 && e.Year != year) {
			continue
		}
		st[ek{e.Year, e.FundingLine}] = &EnvelopeStatus{Year: e.Year, FundingLine: e.FundingLine, Instrument: e.Instrument, AmountCents: e.AmountCents, SetOn: e.Date, SetBy: e.By}
	}
	lines := m.lines
	if year != 0 {
		lo, hi := m.period(domain.NewDate(year, 1, 1), domain.NewDate(year, 12, 31))
		lines = lines[lo:hi]
	}
	for _, r := range lines {
		s, ok := m.visible(r, cut)
		if !ok {
			continue
		}
		k := ek{int(r.day / 10000), s.FundingSource}
		e, ok := st[k]
		if !ok {
			e = &EnvelopeStatus{Year: k.year, FundingLine: k.line, NoEnvelope: true}
			st[k] = e
		}
		if r.reversal {
			e.SpentCents -= s.AmountCents
		} else {
			e.SpentCents += s.AmountCents
		}
	}
	out := make([]EnvelopeStatus, 0, len(st))
	for _, e := range st {
		e.LeftCents = e.AmountCents - e.SpentCents
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b EnvelopeStatus) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.FundingLine, b.FundingLine))
	})
	return out, nil
}

// CostTotal sums cost-avoidance records: avoided = comparison - actual.
type CostTotal struct {
	Key             string `json:"key"`
	Records         int    `json:"records"`
	ActualCents     int64  `json:"actual_cents"`
	ComparisonCents int64  `json:"comparison_cents"`
	AvoidedCents    int64  `json:"avoided_cents"`
	Interventions   int    `json:"interventions"`
	InitialReports  int    `json:"initial_reports"`
	FollowUpReports int    `json:"follow_up_reports"`
	Kantschriften   int    `json:"kantschriften"`
}

func (t *CostTotal) add(r CostRecord) {
	t.Records++
	t.ActualCents += r.ActualCents
	t.ComparisonCents += r.ComparisonCents
	t.AvoidedCents += r.AvoidedCents
	t.Interventions += r.Interventions
	t.InitialReports += r.InitialReports
	t.FollowUpReports += r.FollowUpReports
	t.Kantschriften += r.Kantschriften
}

// FamilyCost is one family's cost-avoidance records and their sum.
type FamilyCost struct {
	CostTotal
	Records []CostRecord `json:"records"`
}

// CostReport sums cost-avoidance records for the team (Total, Key "team"),
// per category and per family (Key the family id).
type CostReport struct {
	From       domain.Date  `json:"from,omitzero"`
	To         domain.Date  `json:"to,omitzero"`
	Total      CostTotal    `json:"total"`
	ByCategory []CostTotal  `json:"by_category"`
	Families   []FamilyCost `json:"families"`
}

// CostAvoidance sums the cost-avoidance records recorded by asOf whose
// period overlaps from..to (zero bounds: unbounded); categories and
// families by key, each family's records by date. Errors: ErrBadQuery when
// from is after to.
func (m *Model) CostAvoidance(from, to domain.Date, asOf time.Time) (CostReport, error) {
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		return CostReport{}, fmt.Errorf("%w: from is after to", ErrBadQuery)
	}
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	rep := CostReport{From: from, To: to, Total: CostTotal{Key: "team"}, ByCategory: []CostTotal{}, Families: []FamilyCost{}}
	cats := map[string]*CostTotal{}
	for _, id := range slices.Sorted(maps.Keys(m.st.Families)) {
		fc := FamilyCost{CostTotal: CostTotal{Key: string(id)}, Records: []CostRecord{}}
		for _, r := range m.st.Families[id].Costs {
			if r.At.After(cut) || (!from.IsZero() && r.PeriodUntil.Before(from)) || (!to.IsZero() && r.PeriodFrom.After(to)) {
				continue
			}
			fc.add(r)
			fc.Records = append(fc.Records, r)
			rep.Total.add(r)
			c, ok := cats[string(r.Category)]
			if !ok {
				c = &CostTotal{Key: string(r.Category)}
				cats[string(r.Category)] = c
			}
			c.add(r)
		}
		if len(fc.Records) > 0 {
			slices.SortStableFunc(fc.Records, func(a, b CostRecord) int { return a.Date.Compare(b.Date) })
			rep.Families = append(rep.Families, fc)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cats)) {
		rep.ByCategory = append(rep.ByCategory, *cats[k])
	}
	return rep, nil
}
