package caseload

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"spoor/domain"
)

// Sentinel errors of the queries, tested with errors.Is.
var (
	// ErrUnknownSource: a query named a referral source that is not one of
	// domain.ReferralSources.
	ErrUnknownSource = errors.New("caseload: unknown referral source")

	// ErrUnknownFamily: the model holds no referral of the family (as of
	// the query's instant).
	ErrUnknownFamily = errors.New("caseload: unknown family")
)

// ActiveFamily is one family on a coach's caseload.
type ActiveFamily struct {
	FamilyID domain.FamilyID       `json:"family_id"`
	Source   domain.ReferralSource `json:"source"`
	// Phase is "intake" or "guidance".
	Phase string `json:"phase"`
	// Since is the guidance start, or the intake date in the intake phase.
	Since  domain.Date `json:"since"`
	Weight float64     `json:"weight"`
}

// CoverFamily is a family a coach covers for a colleague on the day asked.
type CoverFamily struct {
	FamilyID domain.FamilyID `json:"family_id"`
	CoverID  domain.CoverID  `json:"cover_id"`
	ForCoach domain.StaffID  `json:"for_coach_id"`
	From     domain.Date     `json:"from"`
	Until    domain.Date     `json:"until"` // the last day covered (an early end included)
}

// CoachLoad is one coach's caseload.
type CoachLoad struct {
	CoachID domain.StaffID `json:"coach_id"`
	// Registered is false for a coach id that only occurs in family
	// events (not registered as a coach by the "as of" instant).
	Registered bool `json:"registered"`
	// Active is false for a deactivated staff member or one whose coach
	// role was revoked: their families must move.
	Active   bool           `json:"active"`
	Families []ActiveFamily `json:"families"`
	Load     float64        `json:"load"`
	Capacity float64        `json:"capacity"`
	Left     float64        `json:"left"` // capacity minus load; negative when over
	// OverCapacity: the load exceeds the capacity.
	OverCapacity bool `json:"over_capacity"`
	// FullFor lists the referral sources for which one more family would
	// take the load above capacity (in domain.ReferralSources order).
	FullFor       []domain.ReferralSource `json:"full_for"`
	CoverFamilies []CoverFamily           `json:"cover_families"`
}

// Coaches returns every coach's caseload as the ledger stood at asOf (zero:
// now): the staff members holding the coach role then, and anyone named as
// the coach of an active family or as a covering coach. Cover families are
// those covered on day today. Coaches are ordered by id, their families by
// Since and then family id.
func (m *Model) Coaches(asOf time.Time, today domain.Date) []CoachLoad {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	set := m.settings(cut)
	fams := m.families(cut)
	loads := map[domain.StaffID]*CoachLoad{}
	get := func(id domain.StaffID) *CoachLoad {
		if l, ok := loads[id]; ok {
			return l
		}
		l := &CoachLoad{CoachID: id, Families: []ActiveFamily{}, CoverFamilies: []CoverFamily{}, FullFor: []domain.ReferralSource{}}
		loads[id] = l
		return l
	}
	for id := range m.st.Staff {
		if coach, _, _ := m.coachOn(id, cut); coach {
			get(id)
		}
	}
	for _, f := range fams {
		if af, ok := m.active(f, set); ok {
			l := get(f.coach)
			l.Families = append(l.Families, af)
		}
		for _, c := range f.covers {
			if !today.IsZero() && !today.Before(c.from) && !today.After(c.last()) {
				l := get(c.coach)
				l.CoverFamilies = append(l.CoverFamilies, CoverFamily{FamilyID: f.id, CoverID: domain.CoverID(c.id), ForCoach: c.for_, From: c.from, Until: c.last()})
			}
		}
	}
	out := make([]CoachLoad, 0, len(loads))
	for _, l := range loads {
		m.finish(l, set, cut)
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b CoachLoad) int { return strings.Compare(string(a.CoachID), string(b.CoachID)) })
	return out
}

// Coach returns one coach's caseload (see Coaches); a coach with no
// families and no role gives an empty load with Registered false.
func (m *Model) Coach(id domain.StaffID, asOf time.Time, today domain.Date) CoachLoad {
	for _, l := range m.Coaches(asOf, today) {
		if l.CoachID == id {
			return l
		}
	}
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	l := CoachLoad{CoachID: id, Families: []ActiveFamily{}, CoverFamilies: []CoverFamily{}, FullFor: []domain.ReferralSource{}}
	m.finish(&l, m.settings(cut), cut)
	return l
}

// active returns f as an active family of its coach, if it is one.
func (m *Model) active(f famView, set domain.TeamSettings) (ActiveFamily, bool) {
	if f.coach == "" {
		return ActiveFamily{}, false
	}
	af := ActiveFamily{FamilyID: f.id, Source: f.source, Weight: m.weight(set, f.source)}
	switch f.status {
	case StatusGuidance:
		af.Phase, af.Since = "guidance", f.guidanceOn
	case StatusIntake:
		af.Phase, af.Since = "intake", f.intakeOn
	default:
		return ActiveFamily{}, false
	}
	return af, true
}

// finish computes the totals and flags of l. Caller holds the read lock.
func (m *Model) finish(l *CoachLoad, set domain.TeamSettings, cut int64) {
	slices.SortFunc(l.Families, func(a, b ActiveFamily) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return strings.Compare(string(a.FamilyID), string(b.FamilyID))
	})
	slices.SortFunc(l.CoverFamilies, func(a, b CoverFamily) int {
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return strings.Compare(string(a.FamilyID), string(b.FamilyID))
	})
	load := 0.0
	for _, f := range l.Families {
		load += f.Weight
	}
	coach, active, known := m.coachOn(l.CoachID, cut)
	l.Registered = known && coach
	l.Active = coach && active
	l.Load = round3(load)
	l.Capacity = set.CoachCapacity
	l.Left = round3(set.CoachCapacity - load)
	l.OverCapacity = exceeds(load, set.CoachCapacity)
	for _, src := range domain.ReferralSources() {
		if exceeds(load+m.weight(set, src), set.CoachCapacity) {
			l.FullFor = append(l.FullFor, src)
		}
	}
}

// CapacityCheck answers whether a coach can take one more family.
type CapacityCheck struct {
	CoachID  domain.StaffID        `json:"coach_id"`
	Source   domain.ReferralSource `json:"source"`
	Load     float64               `json:"load"`   // before the new family
	Weight   float64               `json:"weight"` // of the new family
	After    float64               `json:"after"`  // load with the new family
	Capacity float64               `json:"capacity"`
	// Exceeds: After is above Capacity; the coordinator should be warned
	// before assigning.
	Exceeds bool `json:"exceeds"`
}

// WouldExceed reports whether one more family referred by source would take
// coach's load above capacity, with the weights and capacity in force at
// asOf (zero: now). It fails with ErrUnknownSource for a source outside
// domain.ReferralSources.
func (m *Model) WouldExceed(coach domain.StaffID, source domain.ReferralSource, asOf time.Time) (CapacityCheck, error) {
	if !source.Valid() {
		// The input is not echoed: it is not a code and may hold anything.
		return CapacityCheck{}, fmt.Errorf("source: %w", ErrUnknownSource)
	}
	l := m.Coach(coach, asOf, domain.Date{})
	m.mu.RLock()
	w := m.weight(m.settings(nanos(asOf)), source)
	m.mu.RUnlock()
	return CapacityCheck{
		CoachID: coach, Source: source, Load: l.Load, Weight: w,
		After: round3(l.Load + w), Capacity: l.Capacity, Exceeds: exceeds(l.Load+w, l.Capacity),
	}, nil
}

// Waiting is a family on the waiting list.
type Waiting struct {
	FamilyID   domain.FamilyID       `json:"family_id"`
	Source     domain.ReferralSource `json:"source"`
	Weight     float64               `json:"weight"`
	ReferredOn domain.Date           `json:"referred_on"`
	Since      domain.Date           `json:"since"`
	// DaysWaiting is today minus Since.
	DaysWaiting int `json:"days_waiting"`
}

// WaitingList returns the families on the waiting list at asOf (zero: now)
// in waiting order: longest waiting first (Since, then referral date, then
// family id). DaysWaiting counts up to today.
func (m *Model) WaitingList(asOf time.Time, today domain.Date) []Waiting {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	set := m.settings(cut)
	out := []Waiting{}
	for _, f := range m.families(cut) {
		if f.status != StatusWaiting {
			continue
		}
		out = append(out, Waiting{FamilyID: f.id, Source: f.source, Weight: m.weight(set, f.source),
			ReferredOn: f.referredOn, Since: f.waitingSince, DaysWaiting: today.DaysSince(f.waitingSince)})
	}
	slices.SortFunc(out, func(a, b Waiting) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		if c := a.ReferredOn.Compare(b.ReferredOn); c != 0 {
			return c
		}
		return strings.Compare(string(a.FamilyID), string(b.FamilyID))
	})
	return out
}

// Cover is a cover arrangement: CoachID covers for ForCoach on FamilyID.
type Cover struct {
	CoverID  domain.CoverID  `json:"cover_id"`
	FamilyID domain.FamilyID `json:"family_id"`
	CoachID  domain.StaffID  `json:"coach_id"`
	ForCoach domain.StaffID  `json:"for_coach_id"`
	From     domain.Date     `json:"from"`
	// Until is the last day covered: the arranged end, or an earlier end
	// (CoverEnded, or the case's closure).
	Until      domain.Date `json:"until"`
	Arranged   domain.Date `json:"arranged_until"`
	EndedEarly bool        `json:"ended_early"`
	Reason     string      `json:"reason"`
}

// Covers returns the cover arrangements known at asOf (zero: now): those
// running on day on, or all of them when on is zero; ordered by From,
// family id and cover id.
func (m *Model) Covers(asOf time.Time, on domain.Date) []Cover {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []Cover{}
	for _, f := range m.families(cut) {
		for _, c := range f.covers {
			if !on.IsZero() && (on.Before(c.from) || on.After(c.last())) {
				continue
			}
			out = append(out, Cover{CoverID: domain.CoverID(c.id), FamilyID: f.id, CoachID: c.coach, ForCoach: c.for_,
				From: c.from, Until: c.last(), Arranged: c.until, EndedEarly: c.last() != c.until, Reason: c.reason})
		}
	}
	slices.SortFunc(out, func(a, b Cover) int {
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.FamilyID), string(b.FamilyID)); c != 0 {
			return c
		}
		return strings.Compare(string(a.CoverID), string(b.CoverID))
	})
	return out
}

// ContactRecency is how long a family in guidance has gone without contact.
type ContactRecency struct {
	FamilyID        domain.FamilyID `json:"family_id"`
	CoachID         domain.StaffID  `json:"coach_id"`
	GuidanceStarted domain.Date     `json:"guidance_started"`
	// LastContact is the date of the last contact not cancelled ("" when
	// there was none).
	LastContact domain.Date `json:"last_contact"`
	// DaysWithoutContact is today minus the later of LastContact and the
	// guidance start (a contact before guidance, at intake or in an earlier
	// trajectory, does not make a just-started family overdue).
	DaysWithoutContact int `json:"days_without_contact"`
}

// Contacts returns, for every family in guidance at asOf (zero: now), the
// days without contact up to today; longest without contact first, then by
// family id.
func (m *Model) Contacts(asOf time.Time, today domain.Date) []ContactRecency {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.contacts(cut, today, -1)
}

// NoContact returns the families in guidance at asOf (zero: now) whose days
// without contact up to today exceed thresholdDays; thresholdDays <= 0 uses
// the team's NoContactDays in force at asOf. Ordered as Contacts.
func (m *Model) NoContact(asOf time.Time, today domain.Date, thresholdDays int) []ContactRecency {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	if thresholdDays <= 0 {
		thresholdDays = m.settings(cut).NoContactDays
	}
	return m.contacts(cut, today, thresholdDays)
}

func (m *Model) contacts(cut int64, today domain.Date, over int) []ContactRecency {
	out := []ContactRecency{}
	for _, f := range m.families(cut) {
		if f.status != StatusGuidance {
			continue
		}
		from := f.lastContact
		if from.Before(f.guidanceOn) {
			from = f.guidanceOn
		}
		r := ContactRecency{FamilyID: f.id, CoachID: f.coach, GuidanceStarted: f.guidanceOn, LastContact: f.lastContact, DaysWithoutContact: today.DaysSince(from)}
		if over >= 0 && r.DaysWithoutContact <= over {
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b ContactRecency) int {
		if a.DaysWithoutContact != b.DaysWithoutContact {
			return b.DaysWithoutContact - a.DaysWithoutContact
		}
		return strings.Compare(string(a.FamilyID), string(b.FamilyID))
	})
	return out
}

// ReviewDue is a family due (or overdue) for its quarterly review.
type ReviewDue struct {
	FamilyID        domain.FamilyID `json:"family_id"`
	CoachID         domain.StaffID  `json:"coach_id"`
	GuidanceStarted domain.Date     `json:"guidance_started"`
	// LastRegistration is the last assessment registration of the current
	// trajectory ("" when none).
	LastRegistration domain.Date `json:"last_registration"`
	Due              domain.Date `json:"due"`
	// DaysOverdue is today minus Due: negative while the review is still
	// ahead.
	DaysOverdue int `json:"days_overdue"`
}

// ReviewsDue returns the families in guidance at asOf (zero: now) whose
// quarterly review falls on or before today plus withinDays (see the
// package documentation for the rule), most overdue first, then by family
// id. withinDays < 0 is treated as 0.
func (m *Model) ReviewsDue(asOf time.Time, today domain.Date, withinDays int) []ReviewDue {
	cut := nanos(asOf)
	if withinDays < 0 {
		withinDays = 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	interval := m.settings(cut).ReviewIntervalDays
	if interval <= 0 {
		interval = domain.DefaultTeamSettings().ReviewIntervalDays
	}
	limit := today.AddDays(withinDays)
	out := []ReviewDue{}
	for _, f := range m.families(cut) {
		if f.status != StatusGuidance {
			continue
		}
		base := f.guidanceOn
		if f.lastAssessment.After(base) {
			base = f.lastAssessment
		}
		due := base.AddDays(interval)
		if due.After(limit) {
			continue
		}
		out = append(out, ReviewDue{FamilyID: f.id, CoachID: f.coach, GuidanceStarted: f.guidanceOn,
			LastRegistration: f.lastAssessment, Due: due, DaysOverdue: today.DaysSince(due)})
	}
	slices.SortFunc(out, func(a, b ReviewDue) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(string(a.FamilyID), string(b.FamilyID))
	})
	return out
}

// Summary counts the team's families at an instant.
type Summary struct {
	Families int `json:"families"`
	// ByStatus has every status of Statuses (zero counts included).
	ByStatus map[string]int `json:"by_status"`
	// BySource has, per referral source with at least one family, the
	// count per status (every status present).
	BySource map[domain.ReferralSource]map[string]int `json:"by_source"`
	// Load is the sum of the weights of every coach's active families;
	// Capacity the capacity per coach in force.
	Load     float64 `json:"load"`
	Capacity float64 `json:"capacity_per_coach"`
}

// Summary counts the families per status and per referral source as the
// ledger stood at asOf (zero: now). A family counts under its current
// source (a reopening may name a new one).
func (m *Model) Summary(asOf time.Time) Summary {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	set := m.settings(cut)
	zero := func() map[string]int {
		z := map[string]int{}
		for _, s := range Statuses() {
			z[s] = 0
		}
		return z
	}
	s := Summary{ByStatus: zero(), BySource: map[domain.ReferralSource]map[string]int{}, Capacity: set.CoachCapacity}
	load := 0.0
	for _, f := range m.families(cut) {
		s.Families++
		s.ByStatus[f.status]++
		bs := s.BySource[f.source]
		if bs == nil {
			bs = zero()
			s.BySource[f.source] = bs
		}
		bs[f.status]++
		if af, ok := m.active(f, set); ok {
			load += af.Weight
		}
	}
	s.Load = round3(load)
	return s
}

// Settings returns the team settings in force at asOf (zero: now).
func (m *Model) Settings(asOf time.Time) domain.TeamSettings {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return cloneSettings(m.settings(nanos(asOf)))
}

func cloneSettings(s domain.TeamSettings) domain.TeamSettings {
	w := make(map[domain.ReferralSource]float64, len(s.Weights))
	for k, v := range s.Weights {
		w[k] = v
	}
	a := make(map[domain.ReferralSource]int64, len(s.Allocations))
	for k, v := range s.Allocations {
		a[k] = v
	}
	s.Weights, s.Allocations = w, a
	s.FundingSources = slices.Clone(s.FundingSources)
	s.SpendCategories = slices.Clone(s.SpendCategories)
	return s
}

// FamilyFacts is one family's place in the caseload: what the access
// policy needs (who is assigned, who covers when, whether the case is
// closed) and the figures of the coordinator's views.
type FamilyFacts struct {
	FamilyID domain.FamilyID       `json:"family_id"`
	Status   string                `json:"status"`
	Source   domain.ReferralSource `json:"source"`
	Weight   float64               `json:"weight"`
	// Coach is the assigned coach: set by the intake or a CoachAssigned,
	// cleared by a reopening. A closed family keeps its last coach here;
	// Closed tells the policy that it is on nobody's caseload.
	Coach  domain.StaffID `json:"coach_id,omitempty"`
	Closed bool           `json:"closed"`
	// Covers are all the family's cover arrangements, each with its last
	// day covered (inclusive), ordered by From.
	Covers          []Cover     `json:"covers"`
	GuidanceStarted domain.Date `json:"guidance_started,omitzero"`
	LastContact     domain.Date `json:"last_contact,omitzero"`
}

// Family returns family id's caseload facts as the ledger stood at asOf
// (zero: now). It folds that family only, so it is cheap enough to call on
// every request (the access policy does). Errors: ErrUnknownFamily.
func (m *Model) Family(id domain.FamilyID, asOf time.Time) (FamilyFacts, error) {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	fl, ok := m.st.Families[id]
	if !ok {
		return FamilyFacts{}, fmt.Errorf("family %s: %w", id, ErrUnknownFamily)
	}
	s := fl.fold(cut)
	if !s.exists {
		return FamilyFacts{}, fmt.Errorf("family %s: %w", id, ErrUnknownFamily)
	}
	ff := FamilyFacts{FamilyID: id, Status: s.status, Source: s.source, Weight: m.weight(m.settings(cut), s.source),
		Coach: s.coach, Closed: s.status == StatusClosed, Covers: []Cover{}, GuidanceStarted: s.guidanceOn, LastContact: s.lastContact}
	for _, c := range s.covers {
		ff.Covers = append(ff.Covers, Cover{CoverID: domain.CoverID(c.id), FamilyID: id, CoachID: c.coach, ForCoach: c.for_,
			From: c.from, Until: c.last(), Arranged: c.until, EndedEarly: c.last() != c.until, Reason: c.reason})
	}
	slices.SortFunc(ff.Covers, func(a, b Cover) int {
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return strings.Compare(string(a.CoverID), string(b.CoverID))
	})
	return ff, nil
}
