package domain

import "slices"

// CaseStatus is where a family's case stands.
type CaseStatus string

// Case statuses.
const (
	StatusNone     CaseStatus = ""         // no FamilyReferred yet
	StatusReferred CaseStatus = "referred" // referred, not (yet) in guidance
	StatusWaiting  CaseStatus = "waiting"  // on the waiting list
	StatusActive   CaseStatus = "active"   // guidance started
	StatusClosed   CaseStatus = "closed"
)

// Family is the state of a family's case folded from its stream: what the
// decisions need, and what a caller shows about one family. Build it with
// NewFamily and Apply every event of the stream in order. Fields are
// read-only for callers; only Apply changes them. A Family is not safe for
// concurrent mutation.
type Family struct {
	ID      FamilyID
	Version uint64 // events applied (the stream's version after folding)

	Status       CaseStatus
	Source       ReferralSource
	ReferredOn   Date
	Children     int
	Adults       int
	Trajectory   int  // 1 after the referral, +1 per reopening
	PoliceFileIn bool // false once the police put the file "op af"

	IntakeHeld        bool // in the current trajectory
	IntakeOn          Date
	DefinitiveConsent bool // given at an intake of the current trajectory
	GuidanceStartedOn Date // zero until guidance starts in this trajectory
	ClosedOn          Date
	ClosureReason     ClosureReason
	Coach             StaffID
	Covers            map[CoverID]*Cover
	CoachRequests     map[CoachRequestID]*CoachRequest

	Members       map[MemberID]*Member
	Professionals map[ProfessionalID]*Professional
	Contacts      map[ContactID]*Contact
	LastContactOn Date
	Questions     map[QuestionID]*Question

	AssessmentIDs map[AssessmentID]bool
	Assessments   map[string]*AssessmentState // by instrument id

	Consents     map[ConsentID]*Consent
	Disclosures  map[DisclosureID]*Disclosure
	InfoRequests map[InfoRequestID]*InfoRequest

	Parket            ParketState
	ParketHistory     []ParketStep
	OpenParketReq     ParketRequestID
	ParketRequests    map[ParketRequestID]bool
	PoliceFactRecords int // number of PoliceFactsRecorded events

	Allocations map[AllocationID]BudgetAllocated
	Allocated   map[int]int64 // cents per trajectory
	Spent       map[int]int64 // net maatbudget cents per trajectory (reversals subtracted)
	Proposals   map[SpendID]*Proposal
	Spends      map[SpendID]*Spend
	Approvals   map[ApprovalID]*OverspendApproved
	CostRecords map[CostRecordID]bool

	RetentionUntil Date
	Holds          map[HoldID]bool // active legal holds
	Erased         bool
}

// Cover is a cover arrangement of the family.
type Cover struct {
	CoverArranged
	EndedOn Date // set by CoverEnded
}

// Last returns the last day covered.
func (c Cover) Last() Date {
	if !c.EndedOn.IsZero() {
		return c.EndedOn
	}
	return c.Until
}

// CoachRequest is a request for another coach.
type CoachRequest struct {
	Date    Date
	Handled bool
	Verdict Verdict
}

// Member is a family member.
type Member struct {
	Role      MemberRole
	BirthYear int
	Left      bool
	Sealed    MemberSealed
}

// Professional is a professional of another organisation.
type Professional struct {
	ProfessionalAdded
	Removed bool
}

// Contact is a logged contact with its corrections applied.
type Contact struct {
	Date            Date
	Kind            ContactKind
	DurationMinutes int
	LifeDomains     []LifeDomain
	CoachID         StaffID
	Members         []MemberID
	InConfidenceOf  MemberID
	Cancelled       bool
	Corrections     int
	Sealed          ContactSealed
}

// Question is a hulpvraag.
type Question struct {
	Date       Date
	LifeDomain LifeDomain
	Answered   bool
	Outcome    QuestionOutcome
}

// ItemKey identifies an item answer within an instrument: the item and, for
// adult and child parts, the member.
type ItemKey struct {
	Item   string
	Member MemberID
}

// AssessmentState is the current picture of a family with one instrument:
// every item's latest answer, carried forward across registrations.
type AssessmentState struct {
	InstrumentID  string
	LastVersion   int
	LastDate      Date
	T0Trajectory  int // trajectory of the last t0, 0 if none
	Registrations int
	Items         map[ItemKey]ItemAnswer
}

// CarryForward applies a registration to the current answers of an
// instrument: the registration's items replace the earlier answers of the
// same item and member; all others carry forward. It returns a new map and
// leaves current unchanged. Read models use it to rebuild a family's
// picture at any moment.
func CarryForward(current map[ItemKey]ItemAnswer, reg AssessmentRegistered) map[ItemKey]ItemAnswer {
	out := make(map[ItemKey]ItemAnswer, len(current)+len(reg.Items))
	for k, v := range current {
		out[k] = v
	}
	for _, it := range reg.Items {
		out[ItemKey{it.Item, it.Member}] = it
	}
	return out
}

// Consent is a consent given or refused, with its later withdrawal or
// expiry.
type Consent struct {
	ConsentID   ConsentID
	Date        Date
	GrantorID   MemberID
	Scope       ConsentScope
	Refused     bool
	WithdrawnOn Date
	ExpiredOn   Date
}

// Disclosure is a disclosure with what followed it.
type Disclosure struct {
	DisclosureMade
	InformedOn            Date
	ConfidentialityLifted Date
}

// InfoRequest is an information request received.
type InfoRequest struct {
	InfoRequestReceived
	AnsweredBy DisclosureID
	RefusedOn  Date
}

// Open reports whether the request was neither answered nor refused.
func (r InfoRequest) Open() bool { return r.AnsweredBy == "" && r.RefusedOn.IsZero() }

// ParketStep is one step of the parket history.
type ParketStep struct {
	Type         string // the event type, e.g. TypeParketWorryReported
	Date         Date
	State        ParketState // the state after the step
	DisclosureID DisclosureID
	RequestID    ParketRequestID
	DueDate      Date
}

// Proposal is a proposed spend and its decision.
type Proposal struct {
	SpendProposed
	Decided  bool
	Decision SpendDecided
}

// Spend is a recorded spend with its review and reversal.
type Spend struct {
	SpendRecorded
	Reviewed   bool
	Review     SpendReviewed
	Reversed   bool
	ReversedOn Date
}

// NewFamily returns the empty state of family id (no events applied).
func NewFamily(id FamilyID) *Family {
	return &Family{
		ID:             id,
		Parket:         ParketStateNotKnown,
		Covers:         map[CoverID]*Cover{},
		CoachRequests:  map[CoachRequestID]*CoachRequest{},
		Members:        map[MemberID]*Member{},
		Professionals:  map[ProfessionalID]*Professional{},
		Contacts:       map[ContactID]*Contact{},
		Questions:      map[QuestionID]*Question{},
		AssessmentIDs:  map[AssessmentID]bool{},
		Assessments:    map[string]*AssessmentState{},
		Consents:       map[ConsentID]*Consent{},
		Disclosures:    map[DisclosureID]*Disclosure{},
		InfoRequests:   map[InfoRequestID]*InfoRequest{},
		ParketRequests: map[ParketRequestID]bool{},
		Allocations:    map[AllocationID]BudgetAllocated{},
		Allocated:      map[int]int64{},
		Spent:          map[int]int64{},
		Proposals:      map[SpendID]*Proposal{},
		Spends:         map[SpendID]*Spend{},
		Approvals:      map[ApprovalID]*OverspendApproved{},
		CostRecords:    map[CostRecordID]bool{},
		Holds:          map[HoldID]bool{},
	}
}

// Exists reports whether the family was referred (its stream has begun).
func (f *Family) Exists() bool { return f.Status != StatusNone }

// BudgetLeft returns the maatbudget left in the current trajectory in cents:
// allocated minus spent (reversed spends not counted). It is negative only
// after a spend approved by the coordinator beyond what was left.
func (f *Family) BudgetLeft() int64 {
	return f.Allocated[f.Trajectory] - f.Spent[f.Trajectory]
}

// CoveredBy reports whether staff member s covers this family on day d.
func (f *Family) CoveredBy(s StaffID, d Date) bool {
	for _, c := range f.Covers {
		if c.CoachID == s && !d.Before(c.From) && !d.After(c.Last()) {
			return true
		}
	}
	return false
}

// Apply folds one event into the state. It never fails: events are facts
// already decided; an event that refers to something unknown changes
// nothing beyond the version. Apply increments Version.
func (f *Family) Apply(e Event) {
	f.Version++
	switch e := e.(type) {
	case FamilyReferred:
		f.Status = StatusReferred
		f.Source, f.ReferredOn = e.Source, e.Date
		f.Children, f.Adults = e.Children, e.Adults
		f.Trajectory = 1
		f.PoliceFileIn = e.Source == SourcePolice
	case WaitingListEntered:
		f.Status = StatusWaiting
	case WaitingListLeft:
		if f.Status == StatusWaiting {
			f.Status = StatusReferred
		}
	case IntakeHeld:
		f.IntakeHeld, f.IntakeOn = true, e.Date
		f.DefinitiveConsent = f.DefinitiveConsent || e.DefinitiveConsent
	case GuidanceStarted:
		f.Status = StatusActive
		f.GuidanceStartedOn = e.Date
	case CoachAssigned:
		f.Coach = e.CoachID
		if r, ok := f.CoachRequests[e.RequestID]; ok && !r.Handled {
			r.Handled, r.Verdict = true, VerdictApproved
		}
	case CoverArranged:
		f.Covers[e.CoverID] = &Cover{CoverArranged: e}
	case CoverEnded:
		if c, ok := f.Covers[e.CoverID]; ok {
			c.EndedOn = e.Date
		}
	case CoachChangeRequested:
		f.CoachRequests[e.RequestID] = &CoachRequest{Date: e.Date}
	case CoachChangeHandled:
		if r, ok := f.CoachRequests[e.RequestID]; ok {
			r.Handled, r.Verdict = true, e.Verdict
		}
	case CaseClosed:
		f.Status = StatusClosed
		f.ClosedOn, f.ClosureReason = e.Date, e.Reason
		f.OpenCoversEnd(e.Date)
	case CaseReopened:
		f.Status = StatusReferred
		f.Trajectory = e.Trajectory
		f.ClosedOn, f.ClosureReason = Date{}, ""
		f.IntakeHeld, f.IntakeOn, f.DefinitiveConsent = false, Date{}, false
		f.GuidanceStartedOn = Date{}
		f.Coach = ""
		if e.Source != "" {
			f.Source = e.Source
		}
	case PoliceFileClosed:
		f.PoliceFileIn = false
	case PoliceFileReopened:
		f.PoliceFileIn = true
	case MemberAdded:
		f.Members[e.MemberID] = &Member{Role: e.Role, BirthYear: e.BirthYear, Sealed: e.Sealed}
	case MemberCorrected:
		if m, ok := f.Members[e.MemberID]; ok {
			m.Role, m.BirthYear, m.Sealed = e.Role, e.BirthYear, e.Sealed
		}
	case MemberLeft:
		if m, ok := f.Members[e.MemberID]; ok {
			m.Left = true
		}
	case ProfessionalAdded:
		f.Professionals[e.ProfessionalID] = &Professional{ProfessionalAdded: e}
	case ProfessionalRemoved:
		if p, ok := f.Professionals[e.ProfessionalID]; ok {
			p.Removed = true
		}
	case ContactLogged:
		f.Contacts[e.ContactID] = &Contact{Date: e.Date, Kind: e.Kind, DurationMinutes: e.DurationMinutes, LifeDomains: e.LifeDomains, CoachID: e.CoachID, Members: e.Members, InConfidenceOf: e.InConfidenceOf, Sealed: e.Sealed}
		if e.Date.After(f.LastContactOn) {
			f.LastContactOn = e.Date
		}
	case ContactCorrected:
		if c, ok := f.Contacts[e.ContactID]; ok {
			c.Date, c.Kind, c.DurationMinutes, c.LifeDomains = e.Date, e.Kind, e.DurationMinutes, e.LifeDomains
			c.Members, c.InConfidenceOf = e.Members, e.InConfidenceOf
			c.Cancelled, c.Sealed = e.Cancelled, e.Sealed
			c.Corrections++
			f.recomputeLastContact()
		}
	case QuestionRaised:
		f.Questions[e.QuestionID] = &Question{Date: e.Date, LifeDomain: e.LifeDomain}
	case QuestionAnswered:
		if q, ok := f.Questions[e.QuestionID]; ok {
			q.Answered, q.Outcome = true, e.Outcome
		}
	case AssessmentRegistered:
		f.AssessmentIDs[e.AssessmentID] = true
		st, ok := f.Assessments[e.InstrumentID]
		if !ok {
			st = &AssessmentState{InstrumentID: e.InstrumentID, Items: map[ItemKey]ItemAnswer{}}
			f.Assessments[e.InstrumentID] = st
		}
		st.Items = CarryForward(st.Items, e)
		st.LastVersion, st.LastDate = e.InstrumentVersion, e.Date
		st.Registrations++
		if e.Moment == MomentT0 {
			st.T0Trajectory = f.Trajectory
		}
	case ConsentGiven:
		f.Consents[e.ConsentID] = &Consent{ConsentID: e.ConsentID, Date: e.Date, GrantorID: e.GrantorID, Scope: e.Scope}
	case ConsentRefused:
		f.Consents[e.ConsentID] = &Consent{ConsentID: e.ConsentID, Date: e.Date, GrantorID: e.GrantorID, Scope: e.Scope, Refused: true}
	case ConsentWithdrawn:
		if c, ok := f.Consents[e.ConsentID]; ok {
			c.WithdrawnOn = e.Date
		}
	case ConsentExpired:
		if c, ok := f.Consents[e.ConsentID]; ok {
			c.ExpiredOn = e.Date
		}
	case DisclosureMade:
		f.Disclosures[e.DisclosureID] = &Disclosure{DisclosureMade: e}
		if r, ok := f.InfoRequests[e.InfoRequestID]; ok && r.Open() {
			r.AnsweredBy = e.DisclosureID
		}
	case FamilyInformed:
		if d, ok := f.Disclosures[e.DisclosureID]; ok {
			d.InformedOn = e.Date
		}
	case ConfidentialityLifted:
		if d, ok := f.Disclosures[e.DisclosureID]; ok {
			d.ConfidentialityLifted = e.Date
		}
	case InfoRequestReceived:
		f.InfoRequests[e.RequestID] = &InfoRequest{InfoRequestReceived: e}
	case InfoRequestAnswered:
		if r, ok := f.InfoRequests[e.RequestID]; ok {
			r.AnsweredBy = e.DisclosureID
		}
	case InfoRequestRefused:
		if r, ok := f.InfoRequests[e.RequestID]; ok {
			r.RefusedOn = e.Date
		}
	case ParketInformed, ParketStatusRequested, ParketStatusReported, ParketWorryReported, ReferredToOCJ, YouthCourtInvolved, ParketClosed:
		f.applyParket(e)
	case PoliceFactsRecorded:
		f.PoliceFactRecords++
	case BudgetAllocated:
		f.Allocations[e.AllocationID] = e
		f.Allocated[e.Trajectory] += e.AmountCents
	case SpendProposed:
		f.Proposals[e.SpendID] = &Proposal{SpendProposed: e}
	case SpendDecided:
		if p, ok := f.Proposals[e.SpendID]; ok {
			p.Decided, p.Decision = true, e
		}
	case SpendRecorded:
		f.Spends[e.SpendID] = &Spend{SpendRecorded: e}
		if e.Instrument == InstrumentMaatbudget {
			f.Spent[e.Trajectory] += e.AmountCents
		}
	case SpendReviewed:
		if s, ok := f.Spends[e.SpendID]; ok {
			s.Reviewed, s.Review = true, e
		}
	case SpendReversed:
		if s, ok := f.Spends[e.SpendID]; ok && !s.Reversed {
			s.Reversed, s.ReversedOn = true, e.Date
			if s.Instrument == InstrumentMaatbudget {
				f.Spent[s.Trajectory] -= s.AmountCents
			}
		}
	case OverspendApproved:
		a := e
		f.Approvals[e.ApprovalID] = &a
	case CostAvoidanceRecorded:
		f.CostRecords[e.RecordID] = true
	case RetentionSet:
		f.RetentionUntil = e.Until
	case LegalHoldSet:
		f.Holds[e.HoldID] = true
	case LegalHoldLifted:
		delete(f.Holds, e.HoldID)
	case FamilyErased:
		f.Erased = true
		for _, m := range f.Members {
			m.Sealed = MemberSealed{}
		}
		for _, c := range f.Contacts {
			c.Sealed = ContactSealed{}
		}
		for _, p := range f.Professionals {
			p.Sealed = ProfessionalSealed{}
		}
		for _, d := range f.Disclosures {
			d.Sealed = DisclosureSealed{}
		}
	}
}

// OpenCoversEnd ends, on d, every cover still running after d.
func (f *Family) OpenCoversEnd(d Date) {
	for _, c := range f.Covers {
		if c.Last().After(d) {
			c.EndedOn = d
		}
	}
}

func (f *Family) recomputeLastContact() {
	var last Date
	for _, c := range f.Contacts {
		if !c.Cancelled && c.Date.After(last) {
			last = c.Date
		}
	}
	f.LastContactOn = last
}

func (f *Family) applyParket(e Event) {
	step := ParketStep{Type: e.EventType()}
	switch e := e.(type) {
	case ParketInformed:
		step.Date, step.DisclosureID = e.Date, e.DisclosureID
	case ParketStatusRequested:
		step.Date, step.RequestID, step.DueDate = e.Date, e.RequestID, e.DueDate
		f.OpenParketReq = e.RequestID
		f.ParketRequests[e.RequestID] = true
	case ParketStatusReported:
		step.Date, step.RequestID, step.DisclosureID = e.Date, e.RequestID, e.DisclosureID
		if f.OpenParketReq == e.RequestID {
			f.OpenParketReq = ""
		}
	case ParketWorryReported:
		step.Date, step.DisclosureID = e.Date, e.DisclosureID
	case ReferredToOCJ:
		step.Date, step.DisclosureID = e.Date, e.DisclosureID
	case YouthCourtInvolved:
		step.Date, step.DisclosureID = e.Date, e.DisclosureID
	case ParketClosed:
		step.Date = e.Date
		f.OpenParketReq = ""
	}
	if next, ok := ParketNext(f.Parket, step.Type); ok {
		f.Parket = next
	}
	step.State = f.Parket
	f.ParketHistory = append(f.ParketHistory, step)
}

// ParketNext is the parket state machine: the state after an event of type
// step (one of the parket event types) in state from, and whether the step
// is allowed there at all. Allowed transitions:
//
//	ParketInformed         from not_known, closed                 -> known
//	ParketStatusRequested  from any state but not_known, closed    -> status_requested
//	ParketStatusReported   from any state but not_known, closed    -> status_reported
//	                       (and only with an open request: see Family.OpenParketReq)
//	ParketWorryReported    from any state                         -> worry_reported
//	ReferredToOCJ          from any state                         -> referred_ocj
//	YouthCourtInvolved     from any state but not_known, closed    -> youth_court
//	ParketClosed           from any state but not_known, closed    -> closed
//
// A worry report or an OCJ referral makes a family known to the parket (the
// report goes to the procureur), also after the parket closed its file.
func ParketNext(from ParketState, step string) (ParketState, bool) {
	known := from != ParketStateNotKnown && from != ParketStateClosed
	switch step {
	case TypeParketInformed:
		return ParketStateKnown, !known
	case TypeParketStatusRequested:
		return ParketStateStatusRequested, known
	case TypeParketStatusReported:
		return ParketStateStatusReported, known
	case TypeParketWorryReported:
		return ParketStateWorryReported, true
	case TypeReferredToOCJ:
		return ParketStateReferredOCJ, true
	case TypeYouthCourtInvolved:
		return ParketStateYouthCourt, known
	case TypeParketClosed:
		return ParketStateClosed, known
	}
	return from, false
}

// ConsentCovers reports whether consent c, as it stood on date d, covers an
// action towards a recipient (organisation and category) for a purpose and
// data categories. It is the rule the decisions apply to a disclosure on
// consent and the check the privacy audit repeats. It returns "" when
// covered, or a short code of the first reason it is not: "refused",
// "not_yet_valid", "withdrawn", "expired", "action", "recipient", "purpose",
// "data_categories".
func ConsentCovers(c Consent, d Date, action ConsentAction, org string, cat RecipientCategory, purpose Purpose, data []DataCategory) string {
	switch {
	case c.Refused:
		return "refused"
	case d.Before(c.Scope.From) || d.Before(c.Date):
		return "not_yet_valid"
	case !c.WithdrawnOn.IsZero() && !d.Before(c.WithdrawnOn):
		return "withdrawn"
	case !c.ExpiredOn.IsZero() && !d.Before(c.ExpiredOn):
		return "expired"
	case !c.Scope.Until.IsZero() && d.After(c.Scope.Until):
		return "expired"
	case c.Scope.Action != action:
		return "action"
	case c.Scope.RecipientOrg != "" && !sameOrg(c.Scope.RecipientOrg, org):
		return "recipient"
	case c.Scope.RecipientCategory != cat:
		return "recipient"
	case c.Scope.Purpose != purpose:
		return "purpose"
	}
	for _, dc := range data {
		if !slices.Contains(c.Scope.DataCategories, dc) {
			return "data_categories"
		}
	}
	return ""
}

// ActionFor is the consent action a disclosure for purpose needs: refer for
// a referral, share otherwise.
func ActionFor(p Purpose) ConsentAction {
	if p == PurposeReferral {
		return ActionRefer
	}
	return ActionShare
}
