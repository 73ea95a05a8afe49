package domain

import (
	"errors"
	"fmt"
	"strings"
)

// FamilyCommand is a command on a family's stream. The set is closed: only
// the command types of this package implement it.
type FamilyCommand interface {
	decideFamily(f *Family, env Env) ([]Event, error)
}

// StaffReferrer is implemented by commands whose rules need staff members'
// state (a coach to assign, a coordinator who decides): the caller folds
// each named staff stream into Env.Staff before calling Decide.
type StaffReferrer interface {
	StaffRefs() []StaffID
}

// allowedAfterErasure lists the commands an erased family still takes:
// public-only statistics that hold no personal data.
func allowedAfterErasure(cmd FamilyCommand) bool {
	switch cmd.(type) {
	case RecordCostAvoidance, RecordPoliceFacts:
		return true
	}
	return false
}

// Decide validates cmd against the family's state and env and returns the
// events to append (in order), or an error: a *RuleError wrapping ErrRule,
// ErrNotFound or ErrConflict. Decide never changes f. Env.Settings with no
// weights (the zero value) stands for DefaultTeamSettings; a nil
// Env.Instruments knows no instrument.
func (f *Family) Decide(cmd FamilyCommand, env Env) ([]Event, error) {
	if env.Now.IsZero() {
		return nil, errors.New("decide: env.Now is not set")
	}
	if env.Settings.Weights == nil {
		env.Settings = DefaultTeamSettings()
	}
	if _, refer := cmd.(Refer); !refer && !f.Exists() {
		return nil, notFound("family.not_found", "family_id", "the family has not been referred")
	}
	if f.Erased && !allowedAfterErasure(cmd) {
		return nil, ruleErr("family.erased", "", "the family was erased; it takes no new case events")
	}
	return cmd.decideFamily(f, env)
}

func (f *Family) notClosed() *RuleError {
	if f.Status == StatusClosed {
		return ruleErr("case.closed", "", "the case is closed; reopen it first")
	}
	return nil
}

// Refer records a referral and opens the family's stream.
type Refer struct {
	FamilyID     FamilyID
	Date         Date
	Source       ReferralSource
	ReferringOrg string
	ConsentGiven bool
	ConsentForm  ConsentForm
	Problems     []LifeDomain
	Children     int
	Adults       int
	Municipality string
	Sealed       FamilyReferredSealed
}

func (c Refer) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	if f.Exists() {
		return nil, conflict("family.exists", "family_id", "the family was already referred")
	}
	k.id("family_id", string(c.FamilyID))
	if k.ok() && c.FamilyID != f.ID {
		k.fail(ruleErr("family.id", "family_id", "the command names another family than its stream"))
	}
	k.date("date", c.Date, env)
	k.valid("source", c.Source.Valid(), string(c.Source))
	k.org("referring_org", c.ReferringOrg, true)
	if k.ok() && !c.ConsentGiven {
		k.fail(ruleErr("referral.consent", "consent_given", "the family must consent to the referral"))
	}
	k.valid("consent_form", c.ConsentForm.Valid(), string(c.ConsentForm))
	k.domains("problems", c.Problems, false)
	k.count("children", c.Children, MaxChildren)
	k.count("adults", c.Adults, MaxChildren)
	k.org("municipality", c.Municipality, false)
	for field, v := range map[string]string{"family_name": c.Sealed.FamilyName, "address": c.Sealed.Address, "phone": c.Sealed.Phone, "email": c.Sealed.Email, "referrer_name": c.Sealed.ReferrerName} {
		k.sealedText(field, v, MaxShortText)
	}
	k.sealedText("summary", c.Sealed.Summary, MaxSealedText)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{FamilyReferred{FamilyID: c.FamilyID, Date: c.Date, Source: c.Source, ReferringOrg: strings.TrimSpace(c.ReferringOrg), ConsentGiven: true, ConsentForm: c.ConsentForm, Problems: nonNil(c.Problems), Children: c.Children, Adults: c.Adults, Municipality: c.Municipality, Sealed: c.Sealed}}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// EnterWaitingList puts a referred family on the waiting list.
type EnterWaitingList struct{ Date Date }

func (c EnterWaitingList) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	switch {
	case !k.ok():
	case f.Status == StatusClosed:
		k.fail(f.notClosed())
	case f.Status == StatusWaiting:
		k.fail(conflict("case.waiting", "", "the family is already on the waiting list"))
	case f.Status == StatusActive:
		k.fail(ruleErr("case.guidance_started", "", "guidance has started; the family cannot wait"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{WaitingListEntered{Date: c.Date}}, nil
}

// LeaveWaitingList takes a family off the waiting list.
type LeaveWaitingList struct {
	Date    Date
	Outcome WaitingListOutcome
}

func (c LeaveWaitingList) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.valid("outcome", c.Outcome.Valid(), string(c.Outcome))
	if k.ok() && f.Status != StatusWaiting {
		k.fail(conflict("case.not_waiting", "", "the family is not on the waiting list"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{WaitingListLeft{Date: c.Date, Outcome: c.Outcome}}, nil
}

// HoldIntake records the intake conversation.
type HoldIntake struct {
	Date              Date
	Attendees         []Attendee
	CoachID           StaffID
	DefinitiveConsent bool
	ConsentForm       ConsentForm
	Sealed            NoteSealed
}

func (c HoldIntake) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	if len(c.Attendees) == 0 {
		k.fail(ruleErr("field.required", "attendees", "at least one attendee is required"))
	}
	seen := map[Attendee]bool{}
	for i, a := range c.Attendees {
		if !a.Valid() {
			k.fail(ruleErr("field.invalid", "attendees", "entry %d is not a known attendee", i))
		} else if seen[a] {
			k.fail(ruleErr("field.duplicate", "attendees", "attendee %q given twice", string(a)))
		}
		seen[a] = true
	}
	k.id("coach_id", string(c.CoachID))
	if c.DefinitiveConsent {
		k.valid("consent_form", c.ConsentForm.Valid(), string(c.ConsentForm))
	} else if c.ConsentForm != "" {
		k.fail(ruleErr("field.invalid", "consent_form", "a consent form is given only with definitive consent"))
	}
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	switch {
	case !k.ok():
	case f.Status == StatusClosed:
		k.fail(f.notClosed())
	case f.Status == StatusWaiting:
		k.fail(ruleErr("intake.waiting", "", "the family is on the waiting list; take it off first"))
	case f.Status == StatusActive:
		k.fail(ruleErr("case.guidance_started", "", "guidance has already started"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{IntakeHeld{Date: c.Date, Attendees: c.Attendees, CoachID: c.CoachID, DefinitiveConsent: c.DefinitiveConsent, ConsentForm: c.ConsentForm, Sealed: c.Sealed}}, nil
}

// StartGuidance starts guidance after an intake with definitive consent. If
// the trajectory has no budget allocation yet, it also allocates the team's
// default maatbudget for the family's referral source (AllocationID names
// that allocation). CoachID, when set and not yet the family's coach, is
// assigned too (CoachAssigned, reason start; an active coach, see
// AssignCoach).
type StartGuidance struct {
	Date         Date
	AllocationID AllocationID
	CoachID      StaffID
}

// StaffRefs names the coach, if any.
func (c StartGuidance) StaffRefs() []StaffID {
	if c.CoachID == "" {
		return nil
	}
	return []StaffID{c.CoachID}
}

func (c StartGuidance) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.id("allocation_id", string(c.AllocationID))
	switch {
	case !k.ok():
	case f.Status == StatusClosed:
		k.fail(f.notClosed())
	case f.Status == StatusActive:
		k.fail(conflict("case.guidance_started", "", "guidance has already started"))
	case f.Status == StatusWaiting:
		k.fail(ruleErr("case.waiting", "", "the family is on the waiting list; take it off first"))
	case !f.IntakeHeld:
		k.fail(ruleErr("guidance.no_intake", "", "guidance starts only after an intake"))
	case !f.DefinitiveConsent:
		k.fail(ruleErr("guidance.no_consent", "", "guidance starts only after the family's definitive consent at intake"))
	}
	k.notBefore("date", c.Date, f.IntakeOn, "the intake")
	if _, dup := f.Allocations[c.AllocationID]; k.ok() && dup {
		k.fail(conflict("budget.allocation_exists", "allocation_id", "the allocation id is already used"))
	}
	k.optID("coach_id", string(c.CoachID))
	if c.CoachID != "" && c.CoachID != f.Coach {
		checkCoach(&k, "coach_id", c.CoachID, env)
	}
	if !k.ok() {
		return nil, k.result()
	}
	evs := []Event{GuidanceStarted{Date: c.Date, Trajectory: f.Trajectory}}
	if f.Allocated[f.Trajectory] == 0 {
		amount := env.Settings.Allocations[f.Source]
		if amount > 0 {
			evs = append(evs, BudgetAllocated{AllocationID: c.AllocationID, Date: c.Date, Trajectory: f.Trajectory, AmountCents: amount, Source: f.Source, FundingSource: env.Settings.MaatbudgetFunding})
		}
	}
	if c.CoachID != "" && c.CoachID != f.Coach {
		evs = append(evs, CoachAssigned{Date: c.Date, CoachID: c.CoachID, PreviousCoachID: f.Coach, Reason: AssignStart})
	}
	return evs, nil
}

// AssignCoach makes CoachID the family's coach. The coach must be an active
// staff member with the coach role (Env.Staff).
type AssignCoach struct {
	Date      Date
	CoachID   StaffID
	Reason    AssignmentReason
	RequestID CoachRequestID
}

// StaffRefs names the coach.
func (c AssignCoach) StaffRefs() []StaffID { return []StaffID{c.CoachID} }

func checkCoach(k *checker, field string, id StaffID, env Env) {
	s, ok := env.Staff[id]
	switch {
	case !k.ok():
	case !ok || s == nil || !s.Exists():
		k.fail(notFound("coach.not_found", field, "no such staff member"))
	case !s.Active:
		k.fail(ruleErr("coach.not_coach", field, "the staff member is not active"))
	case !s.Roles[RoleCoach]:
		k.fail(ruleErr("coach.not_coach", field, "the staff member does not have the coach role"))
	}
}

func (c AssignCoach) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.id("coach_id", string(c.CoachID))
	k.valid("reason", c.Reason.Valid(), string(c.Reason))
	k.optID("request_id", string(c.RequestID))
	if k.ok() {
		k.fail(f.notClosed())
	}
	checkCoach(&k, "coach_id", c.CoachID, env)
	if k.ok() && c.CoachID == f.Coach {
		k.fail(conflict("coach.same", "coach_id", "this coach is already the family's coach"))
	}
	if k.ok() && c.RequestID != "" {
		r, ok := f.CoachRequests[c.RequestID]
		if !ok {
			k.fail(notFound("coach_request.unknown", "request_id", "no such request for another coach"))
		} else if r.Handled && r.Verdict == VerdictRefused {
			k.fail(conflict("coach_request.handled", "request_id", "the request was refused"))
		}
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CoachAssigned{Date: c.Date, CoachID: c.CoachID, PreviousCoachID: f.Coach, Reason: c.Reason, RequestID: c.RequestID}}, nil
}

// ArrangeCover lets CoachID cover for ForCoachID from From until Until.
type ArrangeCover struct {
	CoverID    CoverID
	CoachID    StaffID
	ForCoachID StaffID
	From       Date
	Until      Date
	Reason     CoverReason
}

// StaffRefs names the covering coach.
func (c ArrangeCover) StaffRefs() []StaffID { return []StaffID{c.CoachID} }

func (c ArrangeCover) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("cover_id", string(c.CoverID))
	k.id("coach_id", string(c.CoachID))
	k.id("for_coach_id", string(c.ForCoachID))
	if c.From.IsZero() {
		k.fail(ruleErr("date.required", "from", "a date is required"))
	}
	if c.Until.IsZero() {
		k.fail(ruleErr("date.required", "until", "a date is required"))
	}
	k.notBefore("until", c.Until, c.From, "the start of the cover")
	if k.ok() && c.From.Before(f.ReferredOn) {
		k.fail(ruleErr("date.before_referral", "from", "the date %s lies before the referral on %s", c.From, f.ReferredOn))
	}
	if k.ok() && c.Until.After(env.Today().AddDays(366)) {
		k.fail(ruleErr("date.future", "until", "a cover is arranged for at most a year ahead"))
	}
	k.valid("reason", c.Reason.Valid(), string(c.Reason))
	if k.ok() && c.CoachID == c.ForCoachID {
		k.fail(ruleErr("cover.same_coach", "coach_id", "a coach cannot cover for themselves"))
	}
	if k.ok() {
		k.fail(f.notClosed())
	}
	if _, dup := f.Covers[c.CoverID]; k.ok() && dup {
		k.fail(conflict("cover.exists", "cover_id", "the cover id is already used"))
	}
	checkCoach(&k, "coach_id", c.CoachID, env)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CoverArranged{CoverID: c.CoverID, CoachID: c.CoachID, ForCoachID: c.ForCoachID, From: c.From, Until: c.Until, Reason: c.Reason}}, nil
}

// EndCover ends a cover early; Date is the last day covered.
type EndCover struct {
	CoverID CoverID
	Date    Date
}

func (c EndCover) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("cover_id", string(c.CoverID))
	k.caseDate("date", c.Date, f, env)
	cv, ok := f.Covers[c.CoverID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("cover.unknown", "cover_id", "no such cover"))
	case !c.Date.Before(cv.Last()):
		k.fail(conflict("cover.ended", "date", "the cover ends on %s anyway", cv.Last()))
	}
	if k.ok() {
		k.notBefore("date", c.Date, cv.From.AddDays(-1), "the day before the cover starts")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CoverEnded{CoverID: c.CoverID, Date: c.Date}}, nil
}

// RequestCoachChange records the family's request for another coach.
type RequestCoachChange struct {
	RequestID CoachRequestID
	Date      Date
	MemberID  MemberID
	Sealed    NoteSealed
}

func (c RequestCoachChange) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("request_id", string(c.RequestID))
	k.caseDate("date", c.Date, f, env)
	k.optID("member_id", string(c.MemberID))
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	if k.ok() {
		k.fail(f.notClosed())
	}
	if _, dup := f.CoachRequests[c.RequestID]; k.ok() && dup {
		k.fail(conflict("coach_request.exists", "request_id", "the request id is already used"))
	}
	if k.ok() && c.MemberID != "" {
		k.fail(f.knownMember("member_id", c.MemberID))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CoachChangeRequested{RequestID: c.RequestID, Date: c.Date, MemberID: c.MemberID, Sealed: c.Sealed}}, nil
}

func (f *Family) knownMember(field string, id MemberID) *RuleError {
	if _, ok := f.Members[id]; !ok {
		return notFound("member.unknown", field, "no such family member")
	}
	return nil
}

// HandleCoachChange records the coordinator's verdict on a request for
// another coach (a grant is then carried out with AssignCoach).
type HandleCoachChange struct {
	RequestID CoachRequestID
	Date      Date
	Verdict   Verdict
	DecidedBy StaffID
}

func (c HandleCoachChange) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("request_id", string(c.RequestID))
	k.caseDate("date", c.Date, f, env)
	k.valid("verdict", c.Verdict.Valid(), string(c.Verdict))
	k.id("decided_by", string(c.DecidedBy))
	r, ok := f.CoachRequests[c.RequestID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("coach_request.unknown", "request_id", "no such request for another coach"))
	case r.Handled:
		k.fail(conflict("coach_request.handled", "request_id", "the request was already handled"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, r.Date, "the request")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CoachChangeHandled{RequestID: c.RequestID, Date: c.Date, Verdict: c.Verdict, DecidedBy: c.DecidedBy}}, nil
}

// CloseCase closes the case (the team's decision).
type CloseCase struct {
	Date         Date
	Reason       ClosureReason
	HandedOverTo string
	DecidedBy    StaffID
}

func (c CloseCase) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.valid("reason", c.Reason.Valid(), string(c.Reason))
	k.org("handed_over_to", c.HandedOverTo, c.Reason == ClosureHandedOver)
	if k.ok() && c.Reason != ClosureHandedOver && c.HandedOverTo != "" {
		k.fail(ruleErr("field.invalid", "handed_over_to", "only a case handed over names the service it went to"))
	}
	k.id("decided_by", string(c.DecidedBy))
	if k.ok() {
		k.fail(f.notClosed())
	}
	k.notBefore("date", c.Date, f.GuidanceStartedOn, "the start of guidance")
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CaseClosed{Date: c.Date, Reason: c.Reason, HandedOverTo: c.HandedOverTo, DecidedBy: c.DecidedBy}}, nil
}

// ReopenCase reopens a closed case: a new trajectory starts (intake,
// definitive consent and guidance again). Source, when set, is the new
// referral source.
type ReopenCase struct {
	Date   Date
	Source ReferralSource
}

func (c ReopenCase) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	if c.Source != "" {
		k.valid("source", c.Source.Valid(), string(c.Source))
	}
	if k.ok() && f.Status != StatusClosed {
		k.fail(conflict("case.not_closed", "", "only a closed case can be reopened"))
	}
	k.notBefore("date", c.Date, f.ClosedOn, "the closure")
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CaseReopened{Date: c.Date, Source: c.Source, Trajectory: f.Trajectory + 1}}, nil
}

// ClosePoliceFile records that the police put the file "op af".
type ClosePoliceFile struct{ Date Date }

func (c ClosePoliceFile) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	if k.ok() && !f.PoliceFileIn {
		k.fail(conflict("police_file.state", "", "the police file is not open (op in)"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{PoliceFileClosed{Date: c.Date}}, nil
}

// ReopenPoliceFile records that the police put the file "op in" again.
type ReopenPoliceFile struct{ Date Date }

func (c ReopenPoliceFile) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	if k.ok() && f.PoliceFileIn {
		k.fail(conflict("police_file.state", "", "the police file is already open (op in)"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{PoliceFileReopened{Date: c.Date}}, nil
}

// AddMember records a family member.
type AddMember struct {
	MemberID  MemberID
	Date      Date
	Role      MemberRole
	BirthYear int
	Sealed    MemberSealed
}

func checkMember(k *checker, role MemberRole, birthYear int, s MemberSealed, env Env) {
	k.valid("role", role.Valid(), string(role))
	if birthYear != 0 && (birthYear < 1900 || birthYear > env.Today().Year()) {
		k.fail(ruleErr("count.range", "birth_year", "the birth year must lie between 1900 and this year"))
	}
	k.sealedText("name", s.Name, MaxShortText)
	k.sealedText("phone", s.Phone, MaxShortText)
	k.sealedText("email", s.Email, MaxShortText)
}

func (c AddMember) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("member_id", string(c.MemberID))
	k.caseDate("date", c.Date, f, env)
	checkMember(&k, c.Role, c.BirthYear, c.Sealed, env)
	if _, dup := f.Members[c.MemberID]; k.ok() && dup {
		k.fail(conflict("member.exists", "member_id", "the member id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{MemberAdded{MemberID: c.MemberID, Date: c.Date, Role: c.Role, BirthYear: c.BirthYear, Sealed: c.Sealed}}, nil
}

// CorrectMember corrects a member's role, birth year and personal data.
type CorrectMember struct {
	MemberID  MemberID
	Date      Date
	Role      MemberRole
	BirthYear int
	Sealed    MemberSealed
}

func (c CorrectMember) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("member_id", string(c.MemberID))
	k.caseDate("date", c.Date, f, env)
	checkMember(&k, c.Role, c.BirthYear, c.Sealed, env)
	if k.ok() {
		k.fail(f.knownMember("member_id", c.MemberID))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{MemberCorrected{MemberID: c.MemberID, Date: c.Date, Role: c.Role, BirthYear: c.BirthYear, Sealed: c.Sealed}}, nil
}

// RemoveMember records that a person left the household.
type RemoveMember struct {
	MemberID MemberID
	Date     Date
}

func (c RemoveMember) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("member_id", string(c.MemberID))
	k.caseDate("date", c.Date, f, env)
	if k.ok() {
		k.fail(f.knownMember("member_id", c.MemberID))
	}
	if k.ok() && f.Members[c.MemberID].Left {
		k.fail(conflict("member.left", "member_id", "the member already left"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{MemberLeft{MemberID: c.MemberID, Date: c.Date}}, nil
}

// AddProfessional records a professional of another organisation.
type AddProfessional struct {
	ProfessionalID ProfessionalID
	Date           Date
	Organisation   string
	Category       RecipientCategory
	Role           string
	Sealed         ProfessionalSealed
}

func (c AddProfessional) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("professional_id", string(c.ProfessionalID))
	k.caseDate("date", c.Date, f, env)
	k.org("organisation", c.Organisation, true)
	k.valid("category", c.Category.Valid(), string(c.Category))
	k.org("role", c.Role, true)
	k.sealedText("name", c.Sealed.Name, MaxShortText)
	k.sealedText("phone", c.Sealed.Phone, MaxShortText)
	k.sealedText("email", c.Sealed.Email, MaxShortText)
	if _, dup := f.Professionals[c.ProfessionalID]; k.ok() && dup {
		k.fail(conflict("professional.exists", "professional_id", "the professional id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ProfessionalAdded{ProfessionalID: c.ProfessionalID, Date: c.Date, Organisation: c.Organisation, Category: c.Category, Role: c.Role, Sealed: c.Sealed}}, nil
}

// RemoveProfessional records that a professional is no longer involved.
type RemoveProfessional struct {
	ProfessionalID ProfessionalID
	Date           Date
}

func (c RemoveProfessional) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("professional_id", string(c.ProfessionalID))
	k.caseDate("date", c.Date, f, env)
	p, ok := f.Professionals[c.ProfessionalID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("professional.unknown", "professional_id", "no such professional"))
	case p.Removed:
		k.fail(conflict("professional.removed", "professional_id", "the professional was already removed"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ProfessionalRemoved{ProfessionalID: c.ProfessionalID, Date: c.Date}}, nil
}

// LogContact records a contact. A closed case takes no contacts.
type LogContact struct {
	ContactID       ContactID
	Date            Date
	Kind            ContactKind
	DurationMinutes int
	LifeDomains     []LifeDomain
	CoachID         StaffID
	Members         []MemberID
	InConfidenceOf  MemberID
	Sealed          ContactSealed
}

func (f *Family) checkContact(k *checker, kind ContactKind, minutes int, domains []LifeDomain, members []MemberID, confidant MemberID, s ContactSealed) {
	k.valid("kind", kind.Valid(), string(kind))
	seen := map[MemberID]bool{}
	for _, m := range members {
		if k.ok() {
			k.fail(f.knownMember("members", m))
		}
		if k.ok() && seen[m] {
			k.fail(ruleErr("field.duplicate", "members", "a member is named twice"))
		}
		seen[m] = true
	}
	if k.ok() && confidant != "" {
		k.fail(f.knownMember("in_confidence_of", confidant))
	}
	if minutes < 0 || minutes > MaxDurationMinutes {
		k.fail(ruleErr("count.range", "duration_minutes", "must be between 0 and %d", MaxDurationMinutes))
	}
	k.domains("life_domains", domains, false)
	k.sealedText("with_whom", s.WithWhom, MaxShortText)
	k.sealedText("note", s.Note, MaxSealedText)
}

func (c LogContact) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("contact_id", string(c.ContactID))
	k.caseDate("date", c.Date, f, env)
	f.checkContact(&k, c.Kind, c.DurationMinutes, c.LifeDomains, c.Members, c.InConfidenceOf, c.Sealed)
	k.id("coach_id", string(c.CoachID))
	if k.ok() {
		k.fail(f.notClosed())
	}
	if _, dup := f.Contacts[c.ContactID]; k.ok() && dup {
		k.fail(conflict("contact.exists", "contact_id", "the contact id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ContactLogged{ContactID: c.ContactID, Date: c.Date, Kind: c.Kind, DurationMinutes: c.DurationMinutes, LifeDomains: nonNil(c.LifeDomains), CoachID: c.CoachID, Members: c.Members, InConfidenceOf: c.InConfidenceOf, Sealed: c.Sealed}}, nil
}

// CorrectContact replaces what was logged about a contact, or cancels it.
// Corrections are allowed on a closed case (families can correct what was
// written).
type CorrectContact struct {
	ContactID       ContactID
	Date            Date
	Kind            ContactKind
	DurationMinutes int
	LifeDomains     []LifeDomain
	Members         []MemberID
	InConfidenceOf  MemberID
	Cancelled       bool
	Sealed          ContactSealed
}

func (c CorrectContact) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("contact_id", string(c.ContactID))
	k.caseDate("date", c.Date, f, env)
	f.checkContact(&k, c.Kind, c.DurationMinutes, c.LifeDomains, c.Members, c.InConfidenceOf, c.Sealed)
	ct, ok := f.Contacts[c.ContactID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("contact.unknown", "contact_id", "no such contact"))
	case ct.Cancelled:
		k.fail(conflict("contact.cancelled", "contact_id", "the contact was cancelled"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ContactCorrected{ContactID: c.ContactID, Date: c.Date, Kind: c.Kind, DurationMinutes: c.DurationMinutes, LifeDomains: nonNil(c.LifeDomains), Members: c.Members, InConfidenceOf: c.InConfidenceOf, Cancelled: c.Cancelled, Sealed: c.Sealed}}, nil
}

// RaiseQuestion records a hulpvraag.
type RaiseQuestion struct {
	QuestionID QuestionID
	Date       Date
	LifeDomain LifeDomain
	MemberID   MemberID
	Sealed     NoteSealed
}

func (c RaiseQuestion) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("question_id", string(c.QuestionID))
	k.caseDate("date", c.Date, f, env)
	k.valid("life_domain", c.LifeDomain.Valid(), string(c.LifeDomain))
	k.optID("member_id", string(c.MemberID))
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	if k.ok() {
		k.fail(f.notClosed())
	}
	if k.ok() && c.MemberID != "" {
		k.fail(f.knownMember("member_id", c.MemberID))
	}
	if _, dup := f.Questions[c.QuestionID]; k.ok() && dup {
		k.fail(conflict("question.exists", "question_id", "the question id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{QuestionRaised{QuestionID: c.QuestionID, Date: c.Date, LifeDomain: c.LifeDomain, MemberID: c.MemberID, Sealed: c.Sealed}}, nil
}

// AnswerQuestion records how a hulpvraag ended.
type AnswerQuestion struct {
	QuestionID QuestionID
	Date       Date
	Outcome    QuestionOutcome
	Sealed     NoteSealed
}

func (c AnswerQuestion) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("question_id", string(c.QuestionID))
	k.caseDate("date", c.Date, f, env)
	k.valid("outcome", c.Outcome.Valid(), string(c.Outcome))
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	q, ok := f.Questions[c.QuestionID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("question.unknown", "question_id", "no such question"))
	case q.Answered:
		k.fail(conflict("question.answered", "question_id", "the question was already answered"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, q.Date, "the question")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{QuestionAnswered{QuestionID: c.QuestionID, Date: c.Date, Outcome: c.Outcome, Sealed: c.Sealed}}, nil
}

// RegisterAssessment registers a snapshot with an instrument: only the items
// that changed. A t0 opens the instrument's registrations for the
// trajectory; review and t1 need an earlier t0. A closed case takes only a
// t1.
type RegisterAssessment struct {
	AssessmentID      AssessmentID
	Date              Date
	InstrumentID      string
	InstrumentVersion int
	Moment            AssessmentMoment
	Items             []ItemAnswer
	CoachID           StaffID
	Sealed            AssessmentSealed
}

func (c RegisterAssessment) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("assessment_id", string(c.AssessmentID))
	k.caseDate("date", c.Date, f, env)
	k.valid("moment", c.Moment.Valid(), string(c.Moment))
	k.id("coach_id", string(c.CoachID))
	if k.ok() && f.Status == StatusClosed && c.Moment != MomentT1 {
		k.fail(f.notClosed())
	}
	if k.ok() && f.AssessmentIDs[c.AssessmentID] {
		k.fail(conflict("assessment.exists", "assessment_id", "the assessment id is already used"))
	}
	in, ok := env.Instruments.Get(c.InstrumentID, c.InstrumentVersion)
	if k.ok() && !ok {
		k.fail(notFound("assessment.instrument", "instrument_id", "no instrument %s version %d", shownCode(c.InstrumentID), c.InstrumentVersion))
	}
	st := f.Assessments[c.InstrumentID]
	hasT0 := st != nil && st.T0Trajectory == f.Trajectory
	switch {
	case !k.ok():
	case c.Moment == MomentT0 && hasT0:
		k.fail(conflict("assessment.t0_exists", "moment", "the trajectory already has a t0 with this instrument"))
	case c.Moment != MomentT0 && !hasT0:
		k.fail(ruleErr("assessment.no_t0", "moment", "register a t0 with this instrument first"))
	case c.Moment == MomentT0 && len(c.Items) == 0:
		k.fail(ruleErr("assessment.empty", "items", "a t0 scores at least one item"))
	}
	if k.ok() && st != nil && c.Date.Before(st.LastDate) {
		k.fail(ruleErr("date.order", "date", "the date %s lies before the last registration (%s)", c.Date, st.LastDate))
	}
	seen := map[ItemKey]bool{}
	for _, it := range c.Items {
		if !k.ok() {
			break
		}
		key := ItemKey{it.Item, it.Member}
		if seen[key] {
			k.fail(ruleErr("assessment.duplicate_item", "items", "item %s is given twice for the same subject", it.Item))
			break
		}
		seen[key] = true
		subject := SubjectHousehold
		if it.Member != "" {
			m, ok := f.Members[it.Member]
			if !ok {
				k.fail(notFound("member.unknown", "items.member", "no such family member"))
				break
			}
			subject = SubjectAdult
			if m.Role == MemberChild {
				subject = SubjectChild
			}
		}
		if _, ok := in.ItemFor(it.Item, subject); !ok {
			k.fail(ruleErr("assessment.item", "items.item", "instrument %s has no such item for the %s", in.Key(), subject))
			break
		}
		switch it.Status {
		case AnswerScored:
			if _, ok := in.Score(it.Level); !ok {
				k.fail(ruleErr("assessment.level", "items.level", "item %s: level %d is outside 1..%d", it.Item, it.Level, len(in.Levels)))
			}
		case AnswerNotAssessed, AnswerNotApplicable:
			if it.Level != 0 {
				k.fail(ruleErr("assessment.level", "items.level", "item %s: an item that is not scored has no level", it.Item))
			} else if it.Status == AnswerNotAssessed && !in.AllowNotAssessed || it.Status == AnswerNotApplicable && !in.AllowNotApplicable {
				k.fail(ruleErr("assessment.status", "items.status", "instrument %s does not allow %s", in.Key(), it.Status))
			}
		default:
			k.fail(ruleErr("assessment.status", "items.status", "unknown status"))
		}
	}
	for _, tx := range c.Sealed.Texts {
		if !k.ok() {
			break
		}
		if !in.AllowText {
			k.fail(ruleErr("assessment.text", "texts", "instrument %s has no open texts", in.Key()))
		} else if !seen[ItemKey{tx.Item, tx.Member}] && (st == nil || !hasItem(st.Items, ItemKey{tx.Item, tx.Member})) {
			k.fail(ruleErr("assessment.text", "texts.item", "an open text belongs to an item of this or an earlier registration"))
		}
		k.sealedText("texts.text", tx.Text, MaxSealedText)
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{AssessmentRegistered{AssessmentID: c.AssessmentID, Date: c.Date, InstrumentID: c.InstrumentID, InstrumentVersion: c.InstrumentVersion, Moment: c.Moment, Items: nonNil(c.Items), CoachID: c.CoachID, Sealed: c.Sealed}}, nil
}

func hasItem(m map[ItemKey]ItemAnswer, k ItemKey) bool {
	_, ok := m[k]
	return ok
}

// String names the subject for messages.
func (s Subject) String() string { return fmt.Sprintf("%s part", string(s)) }
