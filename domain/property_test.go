package domain

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"testing"
)

// gen makes random commands, valid and invalid, from small pools of ids and
// dates around the fixture's "today" (2026-06-01), so that duplicates,
// unknown references, future dates and dates before the referral all occur.
type gen struct{ r *rand.Rand }

func (g gen) pick(n int) int { return g.r.Intn(n) }

func (g gen) date() Date {
	// 2025-12-20 .. 2026-06-10: some before the referral, some in the future.
	return d("2025-12-20").AddDays(g.pick(173))
}

func (g gen) lateDate() Date { return d("2026-01-12").AddDays(g.pick(150)) }

func (g gen) id(prefix string, n int) string { return fmt.Sprintf("%s-%d", prefix, g.pick(n)) }

func (g gen) amount() int64 {
	switch g.pick(10) {
	case 0:
		return -int64(g.pick(1000))
	case 1:
		return 0
	case 2:
		return 150000 + int64(g.pick(100000))
	}
	return 1000 + int64(g.pick(40000))
}

func (g gen) member() MemberID { return MemberID(g.id("mem", 4)) }

func (g gen) staff() StaffID {
	return []StaffID{"c1", "c2", "cx", "b1", "k1", "p1"}[g.pick(6)]
}

func (g gen) scope() ConsentScope {
	orgs := []string{"", "CLB Gent", "School X"}
	cats := []RecipientCategory{RecipientCLB, RecipientSchool, RecipientParket}
	purposes := []Purpose{PurposeSchool, PurposeHealth, PurposeReferral}
	from := g.lateDate()
	s := ConsentScope{Action: []ConsentAction{ActionShare, ActionRefer}[g.pick(2)], RecipientOrg: orgs[g.pick(3)], RecipientCategory: cats[g.pick(3)], Purpose: purposes[g.pick(3)], From: from}
	for _, c := range []DataCategory{DataHealth, DataSchool, DataChildStatements} {
		if g.pick(2) == 0 {
			s.DataCategories = append(s.DataCategories, c)
		}
	}
	if g.pick(2) == 0 {
		s.Until = from.AddDays(g.pick(120) - 10)
	}
	return s
}

func (g gen) command() FamilyCommand {
	switch g.pick(30) {
	case 0:
		return Refer{FamilyID: fam, Date: g.date(), Source: []ReferralSource{SourcePolice, SourceSchool}[g.pick(2)], ReferringOrg: "Org", ConsentGiven: g.pick(5) > 0, ConsentForm: FormWritten, Children: g.pick(4)}
	case 1:
		return EnterWaitingList{Date: g.date()}
	case 2:
		return LeaveWaitingList{Date: g.date(), Outcome: WaitingTakenIn}
	case 3:
		return HoldIntake{Date: g.date(), Attendees: []Attendee{AttendeeParent}, CoachID: "c1", DefinitiveConsent: g.pick(3) > 0, ConsentForm: FormVerbal}
	case 4:
		return StartGuidance{Date: g.date(), AllocationID: AllocationID(g.id("alc", 6))}
	case 5:
		return AssignCoach{Date: g.date(), CoachID: g.staff(), Reason: AssignWorkload}
	case 6, 7:
		return LogContact{ContactID: ContactID(g.id("con", 50)), Date: g.date(), Kind: ContactPhone, DurationMinutes: g.pick(100), CoachID: "c1"}
	case 8:
		return CloseCase{Date: g.date(), Reason: ClosurePositive, DecidedBy: "k1"}
	case 9:
		return ReopenCase{Date: g.date()}
	case 10:
		return AddMember{MemberID: g.member(), Date: g.date(), Role: []MemberRole{MemberParent, MemberChild}[g.pick(2)]}
	case 11:
		return GiveConsent{ConsentID: ConsentID(g.id("cst", 8)), Date: g.date(), GrantorID: g.member(), Scope: g.scope(), Form: FormVerbal}
	case 12:
		return WithdrawConsent{ConsentID: ConsentID(g.id("cst", 8)), Date: g.date(), Form: FormVerbal}
	case 13:
		return ExpireConsent{ConsentID: ConsentID(g.id("cst", 8)), Date: g.date()}
	case 14, 15:
		s := g.scope()
		basis := []LegalBasis{BasisConsent, BasisConsent, BasisParketRequest}[g.pick(3)]
		c := Disclose{DisclosureID: DisclosureID(g.id("dis", 10)), Date: g.date(), RecipientOrg: []string{"CLB Gent", "School X"}[g.pick(2)], RecipientRole: "r", RecipientCategory: s.RecipientCategory, DataCategories: s.DataCategories, Purpose: s.Purpose, LegalBasis: basis, DecidedBy: "c1", Confidential: g.pick(3) == 0}
		if basis == BasisConsent {
			c.ConsentID = ConsentID(g.id("cst", 8))
		}
		if len(c.DataCategories) == 0 {
			c.DataCategories = []DataCategory{DataHealth}
		}
		return c
	case 16:
		return InformFamily{DisclosureID: DisclosureID(g.id("dis", 10)), Date: g.date(), Form: FormVerbal}
	case 17, 18:
		steps := []string{TypeParketInformed, TypeParketStatusRequested, TypeParketStatusReported, TypeParketWorryReported, TypeReferredToOCJ, TypeYouthCourtInvolved, TypeParketClosed}
		c := RecordParketStep{Step: steps[g.pick(len(steps))], Date: g.date(), RequestID: ParketRequestID(g.id("prq", 2))}
		if g.pick(3) > 0 {
			c.DisclosureID = DisclosureID(g.id("dis", 10))
		}
		if c.Step == TypeParketStatusRequested {
			c.DisclosureID, c.DueDate = "", c.Date.AddDays(30)
		}
		return c
	case 19:
		return AllocateBudget{AllocationID: AllocationID(g.id("alc", 6)), Date: g.date(), AmountCents: []int64{0, 5000, -5}[g.pick(3)]}
	case 20:
		return ProposeSpend{SpendID: SpendID(g.id("sp", 20)), Date: g.date(), AmountCents: g.amount(), Instrument: InstrumentMaatbudget, Category: "furniture", ProposedBy: "c1"}
	case 21:
		return DecideSpend{SpendID: SpendID(g.id("sp", 20)), Date: g.date(), Verdict: []Verdict{VerdictApproved, VerdictRefused}[g.pick(2)], Body: BodyTeam, DecidedBy: "k1"}
	case 22, 23, 24:
		c := RecordSpend{SpendID: SpendID(g.id("sp", 20)), Date: g.date(), AmountCents: g.amount(), Instrument: InstrumentMaatbudget, Category: "furniture", Supplier: "Shop", Path: PathUrgent, ProposedBy: "c1"}
		if g.pick(2) == 0 {
			c.Path, c.DecidedOn, c.Body = PathTeamDecision, c.Date.AddDays(-g.pick(3)), BodyTeam
		}
		return c
	case 25:
		return ApproveOverspend{ApprovalID: ApprovalID(g.id("apr", 10)), SpendID: SpendID(g.id("sp", 20)), Date: g.date(), AmountCents: g.amount(), ApprovedBy: []StaffID{"k1", "c1"}[g.pick(2)]}
	case 26:
		return ReverseSpend{SpendID: SpendID(g.id("sp", 20)), Date: g.date(), Reason: ReversalError}
	case 27:
		return []FamilyCommand{SetLegalHold{HoldID: HoldID(g.id("h", 2)), Date: g.date(), Reason: "court", SetBy: "p1"}, LiftLegalHold{HoldID: HoldID(g.id("h", 2)), Date: g.date(), LiftedBy: "p1"}}[g.pick(2)]
	case 28:
		if g.pick(4) > 0 {
			return LogContact{ContactID: ContactID(g.id("con", 50)), Date: g.date(), Kind: ContactOffice, CoachID: "c2"}
		}
		return EraseFamily{Date: g.date(), Reason: ErasureRequest, ApprovedBy: []StaffID{"p1", "k1"}[g.pick(2)]}
	default:
		return ReviewSpend{SpendID: SpendID(g.id("sp", 20)), Date: g.date(), Verdict: VerdictApproved, ReviewedBy: "k1"}
	}
}

// model is an independent, naive re-statement of the invariants, folded
// from the accepted events only.
type model struct {
	referredOn Date
	status     string // "", "open", "closed", "erased"
	traj       int
	alloc      map[int]int64
	spent      map[int]int64
	approved   map[int]int64 // overspend approvals used by recorded spends
	spends     map[SpendID]SpendRecorded
	reversed   map[SpendID]bool
	approvals  map[SpendID]int64
	consents   map[ConsentID]*Consent
	parket     ParketState
	openReq    ParketRequestID
	events     int
}

func newModel() *model {
	return &model{alloc: map[int]int64{}, spent: map[int]int64{}, approved: map[int]int64{}, spends: map[SpendID]SpendRecorded{}, reversed: map[SpendID]bool{}, approvals: map[SpendID]int64{}, consents: map[ConsentID]*Consent{}, parket: ParketStateNotKnown}
}

// naiveCovers restates the consent rule without ConsentCovers.
func naiveCovers(c *Consent, e DisclosureMade) bool {
	if c == nil || c.Refused || e.Date.Before(c.Scope.From) || e.Date.Before(c.Date) {
		return false
	}
	if (!c.WithdrawnOn.IsZero() && !e.Date.Before(c.WithdrawnOn)) || (!c.ExpiredOn.IsZero() && !e.Date.Before(c.ExpiredOn)) {
		return false
	}
	if !c.Scope.Until.IsZero() && c.Scope.Until.Before(e.Date) {
		return false
	}
	want := ActionShare
	if e.Purpose == PurposeReferral {
		want = ActionRefer
	}
	if c.Scope.Action != want || c.Scope.Purpose != e.Purpose || c.Scope.RecipientCategory != e.RecipientCategory {
		return false
	}
	if c.Scope.RecipientOrg != "" && !sameOrg(c.Scope.RecipientOrg, e.RecipientOrg) {
		return false
	}
	for _, dc := range e.DataCategories {
		if !slices.Contains(c.Scope.DataCategories, dc) {
			return false
		}
	}
	return true
}

// allowedParket is the test's own copy of the parket transition table.
func allowedParket(from ParketState, step string) (ParketState, bool) {
	known := map[ParketState]bool{ParketStateKnown: true, ParketStateStatusRequested: true, ParketStateStatusReported: true, ParketStateWorryReported: true, ParketStateReferredOCJ: true, ParketStateYouthCourt: true}
	table := map[string]struct {
		to        ParketState
		fromKnown bool
		fromOther bool // from not_known and closed
	}{
		TypeParketInformed:        {ParketStateKnown, false, true},
		TypeParketStatusRequested: {ParketStateStatusRequested, true, false},
		TypeParketStatusReported:  {ParketStateStatusReported, true, false},
		TypeParketWorryReported:   {ParketStateWorryReported, true, true},
		TypeReferredToOCJ:         {ParketStateReferredOCJ, true, true},
		TypeYouthCourtInvolved:    {ParketStateYouthCourt, true, false},
		TypeParketClosed:          {ParketStateClosed, true, false},
	}
	t := table[step]
	if known[from] {
		return t.to, t.fromKnown
	}
	return t.to, t.fromOther
}

func (m *model) check(t *testing.T, e Event, today Date) {
	t.Helper()
	m.events++
	if m.status == "erased" && e.EventType() != TypeCostAvoidanceRecorded && e.EventType() != TypePoliceFactsRecorded {
		t.Fatalf("%s accepted after erasure", e.EventType())
	}
	if dv := reflect.ValueOf(e).FieldByName("Date"); dv.IsValid() {
		date := dv.Interface().(Date)
		if date.After(today) {
			t.Fatalf("%s dated %s, after today", e.EventType(), date)
		}
		if !m.referredOn.IsZero() && date.Before(m.referredOn) {
			t.Fatalf("%s dated %s, before the referral", e.EventType(), date)
		}
	}
	switch e := e.(type) {
	case FamilyReferred:
		if m.status != "" {
			t.Fatalf("second referral")
		}
		m.status, m.referredOn, m.traj = "open", e.Date, 1
	case CaseClosed:
		if m.status != "open" {
			t.Fatalf("closed a %s case", m.status)
		}
		m.status = "closed"
	case CaseReopened:
		if m.status != "closed" {
			t.Fatalf("reopened a %s case", m.status)
		}
		m.status, m.traj = "open", m.traj+1
		if e.Trajectory != m.traj {
			t.Fatalf("trajectory %d, want %d", e.Trajectory, m.traj)
		}
	case FamilyErased:
		if m.status != "closed" {
			t.Fatalf("erased a %s case", m.status)
		}
		m.status = "erased"
	case ContactLogged, SpendProposed, BudgetAllocated:
		if m.status != "open" {
			t.Fatalf("%s on a %s case", e.EventType(), m.status)
		}
	}
	switch e := e.(type) {
	case BudgetAllocated:
		if e.AmountCents <= 0 || e.Trajectory != m.traj {
			t.Fatalf("allocation %+v", e)
		}
		m.alloc[e.Trajectory] += e.AmountCents
	case OverspendApproved:
		m.approvals[e.SpendID] = max(m.approvals[e.SpendID], e.AmountCents)
	case SpendRecorded:
		if m.status != "open" || e.AmountCents <= 0 || e.Trajectory != m.traj {
			t.Fatalf("spend %+v on %s case", e, m.status)
		}
		if _, dup := m.spends[e.SpendID]; dup {
			t.Fatalf("spend %s recorded twice", e.SpendID)
		}
		m.spends[e.SpendID] = e
		left := m.alloc[m.traj] - m.spent[m.traj]
		if excess := e.AmountCents - left; excess > 0 {
			if e.ApprovalID == "" || m.approvals[e.SpendID] < excess {
				t.Fatalf("spend of %d with %d left and no sufficient approval", e.AmountCents, left)
			}
			m.approved[m.traj] += excess
		}
		m.spent[m.traj] += e.AmountCents
	case SpendReversed:
		s, ok := m.spends[e.SpendID]
		if !ok || m.reversed[e.SpendID] {
			t.Fatalf("reversal of unknown or reversed spend %s", e.SpendID)
		}
		m.reversed[e.SpendID] = true
		m.spent[s.Trajectory] -= s.AmountCents
	case ConsentGiven:
		m.consents[e.ConsentID] = &Consent{ConsentID: e.ConsentID, Date: e.Date, GrantorID: e.GrantorID, Scope: e.Scope}
	case ConsentRefused:
		m.consents[e.ConsentID] = &Consent{Refused: true}
	case ConsentWithdrawn:
		c := m.consents[e.ConsentID]
		if c == nil || c.Refused || !c.WithdrawnOn.IsZero() || !c.ExpiredOn.IsZero() {
			t.Fatalf("withdrawal of a consent that was not active")
		}
		c.WithdrawnOn = e.Date
	case ConsentExpired:
		c := m.consents[e.ConsentID]
		if c == nil || c.Refused || !c.WithdrawnOn.IsZero() || !c.ExpiredOn.IsZero() {
			t.Fatalf("expiry of a consent that was not active")
		}
		c.ExpiredOn = e.Date
	case DisclosureMade:
		if e.LegalBasis == BasisConsent && !naiveCovers(m.consents[e.ConsentID], e) {
			t.Fatalf("disclosure %s on consent %s that did not cover it on %s", e.DisclosureID, e.ConsentID, e.Date)
		}
	case ParketInformed, ParketStatusRequested, ParketStatusReported, ParketWorryReported, ReferredToOCJ, YouthCourtInvolved, ParketClosed:
		to, ok := allowedParket(m.parket, e.EventType())
		if !ok {
			t.Fatalf("parket step %s from %s", e.EventType(), m.parket)
		}
		switch e := e.(type) {
		case ParketStatusRequested:
			if m.openReq != "" {
				t.Fatalf("second open status request")
			}
			m.openReq = e.RequestID
		case ParketStatusReported:
			if m.openReq != e.RequestID {
				t.Fatalf("status report without its open request")
			}
			m.openReq = ""
		case ParketClosed:
			m.openReq = ""
		}
		m.parket = to
	}
	// Budget: never spent beyond allocations plus approved excess.
	for traj, s := range m.spent {
		if s > m.alloc[traj]+m.approved[traj] {
			t.Fatalf("trajectory %d: spent %d > allocated %d + approved %d", traj, s, m.alloc[traj], m.approved[traj])
		}
	}
}

func TestPropertyRandomCommandSequences(t *testing.T) {
	env := testEnv()
	today := env.Today()
	accepted := map[string]int{}
	refused := map[string]int{}
	for seed := int64(1); seed <= 60; seed++ {
		g := gen{rand.New(rand.NewSource(seed))}
		f := NewFamily(fam)
		m := newModel()
		var history []Event
		for step := 0; step < 600; step++ {
			cmd := g.command()
			if step == 0 {
				cmd = Refer{FamilyID: fam, Date: d("2026-01-12"), Source: SourcePolice, ReferringOrg: "Org", ConsentGiven: true, ConsentForm: FormWritten}
			}
			before := f.Version
			evs, err := f.Decide(cmd, env)
			if f.Version != before {
				t.Fatalf("seed %d step %d: Decide changed the state", seed, step)
			}
			if err != nil {
				var re *RuleError
				if !errorsAs(err, &re) {
					t.Fatalf("seed %d step %d: %T %v is not a rule error", seed, step, cmd, err)
				}
				refused[re.Rule]++
				continue
			}
			for _, e := range evs {
				enc, err := Encode(e)
				if err != nil {
					t.Fatal(err)
				}
				back, err := Decode(enc.Type, enc.Public, enc.Sealed)
				if err != nil || !reflect.DeepEqual(back, e) {
					t.Fatalf("seed %d: %s does not round-trip: %v", seed, enc.Type, err)
				}
				m.check(t, e, today)
				f.Apply(e)
				history = append(history, e)
				accepted[e.EventType()]++
			}
			if f.Version != uint64(len(history)) {
				t.Fatalf("version %d after %d events", f.Version, len(history))
			}
			if f.Parket != m.parket || f.OpenParketReq != m.openReq {
				t.Fatalf("seed %d: parket state %s/%s, model %s/%s", seed, f.Parket, f.OpenParketReq, m.parket, m.openReq)
			}
			if left := f.BudgetLeft(); left < 0 && m.approved[f.Trajectory] < -left {
				t.Fatalf("seed %d: budget left %d without approval", seed, left)
			}
		}
		// Folding the whole history again gives the same state.
		if again := fold(history); !reflect.DeepEqual(again, f) {
			t.Fatalf("seed %d: refolding the history gives another state", seed)
		}
	}
	// The generator must reach the interesting places, or the invariants
	// were never put to the test.
	for _, typ := range []string{TypeSpendRecorded, TypeSpendReversed, TypeOverspendApproved, TypeDisclosureMade, TypeConsentWithdrawn, TypeParketStatusReported, TypeParketClosed, TypeCaseReopened, TypeFamilyErased, TypeContactLogged} {
		if accepted[typ] == 0 {
			t.Errorf("no %s was ever accepted", typ)
		}
	}
	for _, rule := range []string{"budget.overspend", "disclosure.consent_invalid", "parket.transition", "parket.no_open_request", "case.closed", "date.future", "date.before_referral", "family.erased", "consent.withdrawn", "spend.reversed", "erasure.legal_hold"} {
		if refused[rule] == 0 {
			t.Errorf("rule %s was never hit", rule)
		}
	}
	t.Logf("accepted %v", accepted)
}

func errorsAs(err error, re **RuleError) bool { return errors.As(err, re) }
