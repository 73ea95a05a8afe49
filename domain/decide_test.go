package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

type familyCase struct {
	name  string
	given []Event
	cmd   FamilyCommand
	env   func(*Env)
	want  []Event // on success
	rule  string  // on failure
	field string
	kind  error // ErrRule when nil
}

// exercised collects every rule code a table test expected, for
// TestEveryRuleIsTested.
var exercised = map[string]bool{}

func runFamilyCases(t *testing.T, cases []familyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			if tc.env != nil {
				tc.env(&env)
			}
			f := fold(tc.given)
			before := f.Version
			got, err := f.Decide(tc.cmd, env)
			if f.Version != before {
				t.Fatalf("Decide changed the state")
			}
			checkOutcome(t, got, err, tc.want, tc.rule, tc.field, tc.kind)
			if err == nil {
				// The events fold without surprise and encode.
				for _, e := range got {
					if _, err := Encode(e); err != nil {
						t.Fatal(err)
					}
					f.Apply(e)
				}
			}
		})
	}
}

func checkOutcome(t *testing.T, got []Event, err error, want []Event, rule, field string, kind error) {
	t.Helper()
	if rule == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("events:\n got %#v\nwant %#v", got, want)
		}
		return
	}
	exercised[rule] = true
	if err == nil {
		t.Fatalf("want rule %s (field %s), got events %#v", rule, field, got)
	}
	var re *RuleError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *RuleError", err)
	}
	if re.Rule != rule || re.Field != field {
		t.Fatalf("got rule %s field %q (%v), want rule %s field %q", re.Rule, re.Field, err, rule, field)
	}
	if kind == nil {
		kind = ErrRule
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %v does not wrap %v", err, kind)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("error message leaks personal data: %v", err)
	}
	if got != nil {
		t.Fatalf("events returned with an error")
	}
}

func TestReferralAndLifecycle(t *testing.T) {
	refer := Refer{FamilyID: fam, Date: d("2026-01-12"), Source: SourcePolice, ReferringOrg: "Politie Gent", ConsentGiven: true, ConsentForm: FormWritten, Problems: []LifeDomain{DomainSafety}, Children: 2, Adults: 1, Sealed: FamilyReferredSealed{FamilyName: "SECRET Janssens"}}
	waiting := plus(withMembers(), WaitingListEntered{Date: d("2026-01-13")})
	runFamilyCases(t, []familyCase{
		{name: "refer", cmd: refer, want: referred()},
		{name: "refer without problems gets an empty list", cmd: with(refer, func(c *Refer) { c.Problems = nil }), want: []Event{with(referred()[0].(FamilyReferred), func(e *FamilyReferred) { e.Problems = []LifeDomain{} })}},
		{name: "refer twice", given: referred(), cmd: refer, rule: "family.exists", field: "family_id", kind: ErrConflict},
		{name: "refer other family", cmd: with(refer, func(c *Refer) { c.FamilyID = "fam-2" }), rule: "family.id", field: "family_id"},
		{name: "refer bad id", cmd: with(refer, func(c *Refer) { c.FamilyID = "a b" }), rule: "field.invalid_id", field: "family_id"},
		{name: "refer no id", cmd: with(refer, func(c *Refer) { c.FamilyID = "" }), rule: "field.required", field: "family_id"},
		{name: "refer without consent", cmd: with(refer, func(c *Refer) { c.ConsentGiven = false }), rule: "referral.consent", field: "consent_given"},
		{name: "refer future date", cmd: with(refer, func(c *Refer) { c.Date = d("2026-06-02") }), rule: "date.future", field: "date"},
		{name: "refer no date", cmd: with(refer, func(c *Refer) { c.Date = Date{} }), rule: "date.required", field: "date"},
		{name: "refer unknown source", cmd: with(refer, func(c *Refer) { c.Source = "neighbour" }), rule: "field.invalid", field: "source"},
		{name: "refer no org", cmd: with(refer, func(c *Refer) { c.ReferringOrg = " " }), rule: "field.required", field: "referring_org"},
		{name: "refer org too long", cmd: with(refer, func(c *Refer) { c.ReferringOrg = strings.Repeat("x", MaxOrgLen+1) }), rule: "field.too_long", field: "referring_org"},
		{name: "refer duplicate problem", cmd: with(refer, func(c *Refer) { c.Problems = []LifeDomain{DomainDebts, DomainDebts} }), rule: "field.duplicate", field: "problems"},
		{name: "refer negative children", cmd: with(refer, func(c *Refer) { c.Children = -1 }), rule: "count.range", field: "children"},
		{name: "refer note too long", cmd: with(refer, func(c *Refer) { c.Sealed.Summary = strings.Repeat("SECRET", MaxSealedText) }), rule: "field.too_long", field: "summary"},
		{name: "command before referral", cmd: EnterWaitingList{Date: d("2026-01-13")}, rule: "family.not_found", field: "family_id", kind: ErrNotFound},

		{name: "enter waiting list", given: withMembers(), cmd: EnterWaitingList{Date: d("2026-01-13")}, want: []Event{WaitingListEntered{Date: d("2026-01-13")}}},
		{name: "enter waiting list before referral", given: withMembers(), cmd: EnterWaitingList{Date: d("2026-01-11")}, rule: "date.before_referral", field: "date"},
		{name: "enter waiting list twice", given: waiting, cmd: EnterWaitingList{Date: d("2026-01-14")}, rule: "case.waiting", field: "", kind: ErrConflict},
		{name: "enter waiting list when active", given: active(), cmd: EnterWaitingList{Date: d("2026-02-14")}, rule: "case.guidance_started", field: ""},
		{name: "enter waiting list when closed", given: closed(), cmd: EnterWaitingList{Date: d("2026-05-14")}, rule: "case.closed", field: ""},
		{name: "leave waiting list", given: waiting, cmd: LeaveWaitingList{Date: d("2026-01-19"), Outcome: WaitingTakenIn}, want: []Event{WaitingListLeft{Date: d("2026-01-19"), Outcome: WaitingTakenIn}}},
		{name: "leave waiting list not waiting", given: withMembers(), cmd: LeaveWaitingList{Date: d("2026-01-19"), Outcome: WaitingTakenIn}, rule: "case.not_waiting", kind: ErrConflict},
		{name: "leave waiting list bad outcome", given: waiting, cmd: LeaveWaitingList{Date: d("2026-01-19"), Outcome: "bored"}, rule: "field.invalid", field: "outcome"},

		{name: "intake", given: withMembers(), cmd: HoldIntake{Date: d("2026-01-20"), Attendees: []Attendee{AttendeeParent, AttendeeCoach}, CoachID: "c1", DefinitiveConsent: true, ConsentForm: FormWritten}, want: intake()[3:]},
		{name: "intake while waiting", given: waiting, cmd: HoldIntake{Date: d("2026-01-20"), Attendees: []Attendee{AttendeeParent}, CoachID: "c1"}, rule: "intake.waiting"},
		{name: "intake without attendees", given: withMembers(), cmd: HoldIntake{Date: d("2026-01-20"), CoachID: "c1"}, rule: "field.required", field: "attendees"},
		{name: "intake unknown attendee", given: withMembers(), cmd: HoldIntake{Date: d("2026-01-20"), Attendees: []Attendee{"neighbour"}, CoachID: "c1"}, rule: "field.invalid", field: "attendees"},
		{name: "intake attendee twice", given: withMembers(), cmd: HoldIntake{Date: d("2026-01-20"), Attendees: []Attendee{AttendeeCoach, AttendeeCoach}, CoachID: "c1"}, rule: "field.duplicate", field: "attendees"},
		{name: "intake consent form without consent", given: withMembers(), cmd: HoldIntake{Date: d("2026-01-20"), Attendees: []Attendee{AttendeeCoach}, CoachID: "c1", ConsentForm: FormVerbal}, rule: "field.invalid", field: "consent_form"},
		{name: "intake after start", given: active(), cmd: HoldIntake{Date: d("2026-02-20"), Attendees: []Attendee{AttendeeCoach}, CoachID: "c1"}, rule: "case.guidance_started"},

		{name: "start guidance allocates the police default", given: intake(), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, want: active()[4:6]},
		{name: "start guidance other source allocates 300", given: with(intake(), func(es *[]Event) {
			r := (*es)[0].(FamilyReferred)
			r.Source = SourceSchool
			(*es)[0] = r
		}), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, want: []Event{GuidanceStarted{Date: d("2026-01-21"), Trajectory: 1}, BudgetAllocated{AllocationID: "alc-1", Date: d("2026-01-21"), Trajectory: 1, AmountCents: 30000, Source: SourceSchool, FundingSource: "maatbudget"}}},
		{name: "start guidance with team settings", given: intake(), env: func(e *Env) { e.Settings.Allocations[SourcePolice] = 250000 }, cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, want: []Event{GuidanceStarted{Date: d("2026-01-21"), Trajectory: 1}, BudgetAllocated{AllocationID: "alc-1", Date: d("2026-01-21"), Trajectory: 1, AmountCents: 250000, Source: SourcePolice, FundingSource: "maatbudget"}}},
		{name: "start guidance with its coach", given: intake(), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1", CoachID: "c1"}, want: []Event{active()[4], active()[5], CoachAssigned{Date: d("2026-01-21"), CoachID: "c1", Reason: AssignStart}}},
		{name: "start guidance with an inactive coach", given: intake(), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1", CoachID: "cx"}, rule: "coach.not_coach", field: "coach_id"},
		{name: "start guidance without intake", given: withMembers(), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, rule: "guidance.no_intake"},
		{name: "start guidance without definitive consent", given: plus(withMembers(), IntakeHeld{Date: d("2026-01-20"), Attendees: []Attendee{AttendeeParent}, CoachID: "c1"}), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, rule: "guidance.no_consent"},
		{name: "start guidance before intake", given: intake(), cmd: StartGuidance{Date: d("2026-01-19"), AllocationID: "alc-1"}, rule: "date.order", field: "date"},
		{name: "start guidance twice", given: active(), cmd: StartGuidance{Date: d("2026-01-22"), AllocationID: "alc-2"}, rule: "case.guidance_started", kind: ErrConflict},
		{name: "start guidance while waiting", given: plus(intake(), WaitingListEntered{Date: d("2026-01-20")}), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, rule: "case.waiting"},
		{name: "start guidance allocation id used", given: plus(intake(), BudgetAllocated{AllocationID: "alc-1", Date: d("2026-01-20"), Trajectory: 1, AmountCents: 100, Source: SourcePolice, FundingSource: "maatbudget"}), cmd: StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, rule: "budget.allocation_exists", field: "allocation_id", kind: ErrConflict},

		{name: "assign coach", given: active(), cmd: AssignCoach{Date: d("2026-02-01"), CoachID: "c2", Reason: AssignWorkload}, want: []Event{CoachAssigned{Date: d("2026-02-01"), CoachID: "c2", PreviousCoachID: "c1", Reason: AssignWorkload}}},
		{name: "assign unknown coach", given: active(), cmd: AssignCoach{Date: d("2026-02-01"), CoachID: "zz", Reason: AssignWorkload}, rule: "coach.not_found", field: "coach_id", kind: ErrNotFound},
		{name: "assign inactive coach", given: active(), cmd: AssignCoach{Date: d("2026-02-01"), CoachID: "cx", Reason: AssignWorkload}, rule: "coach.not_coach", field: "coach_id"},
		{name: "assign non-coach", given: active(), cmd: AssignCoach{Date: d("2026-02-01"), CoachID: "b1", Reason: AssignWorkload}, rule: "coach.not_coach", field: "coach_id"},
		{name: "assign same coach", given: active(), cmd: AssignCoach{Date: d("2026-02-01"), CoachID: "c1", Reason: AssignWorkload}, rule: "coach.same", field: "coach_id", kind: ErrConflict},
		{name: "assign on closed case", given: closed(), cmd: AssignCoach{Date: d("2026-05-02"), CoachID: "c2", Reason: AssignWorkload}, rule: "case.closed"},
		{name: "assign unknown request", given: active(), cmd: AssignCoach{Date: d("2026-02-01"), CoachID: "c2", Reason: AssignFamilyRequest, RequestID: "ccr-9"}, rule: "coach_request.unknown", field: "request_id", kind: ErrNotFound},
		{name: "assign on refused request", given: plus(active(), CoachChangeRequested{RequestID: "ccr-1", Date: d("2026-02-01")}, CoachChangeHandled{RequestID: "ccr-1", Date: d("2026-02-02"), Verdict: VerdictRefused, DecidedBy: "k1"}), cmd: AssignCoach{Date: d("2026-02-03"), CoachID: "c2", Reason: AssignFamilyRequest, RequestID: "ccr-1"}, rule: "coach_request.handled", field: "request_id", kind: ErrConflict},

		{name: "arrange cover", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-07-01"), Until: d("2026-07-21"), Reason: CoverHoliday}, want: []Event{CoverArranged{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-07-01"), Until: d("2026-07-21"), Reason: CoverHoliday}}},
		{name: "cover for oneself", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c1", ForCoachID: "c1", From: d("2026-07-01"), Until: d("2026-07-21"), Reason: CoverHoliday}, rule: "cover.same_coach", field: "coach_id"},
		{name: "cover ends before it starts", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-07-21"), Until: d("2026-07-01"), Reason: CoverHoliday}, rule: "date.order", field: "until"},
		{name: "cover without start", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", Until: d("2026-07-01"), Reason: CoverHoliday}, rule: "date.required", field: "from"},
		{name: "cover without end", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-07-01"), Reason: CoverHoliday}, rule: "date.required", field: "until"},
		{name: "cover before referral", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2025-07-01"), Until: d("2026-07-01"), Reason: CoverHoliday}, rule: "date.before_referral", field: "from"},
		{name: "cover too far ahead", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-07-01"), Until: d("2027-07-01"), Reason: CoverHoliday}, rule: "date.future", field: "until"},
		{name: "cover by inactive coach", given: active(), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "cx", ForCoachID: "c1", From: d("2026-07-01"), Until: d("2026-07-21"), Reason: CoverIllness}, rule: "coach.not_coach", field: "coach_id"},
		{name: "cover id used", given: plus(active(), CoverArranged{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-07-01"), Until: d("2026-07-21"), Reason: CoverHoliday}), cmd: ArrangeCover{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-08-01"), Until: d("2026-08-21"), Reason: CoverHoliday}, rule: "cover.exists", field: "cover_id", kind: ErrConflict},
		{name: "end cover", given: plus(active(), CoverArranged{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-05-20"), Until: d("2026-06-21"), Reason: CoverIllness}), cmd: EndCover{CoverID: "cov-1", Date: d("2026-05-30")}, want: []Event{CoverEnded{CoverID: "cov-1", Date: d("2026-05-30")}}},
		{name: "end unknown cover", given: active(), cmd: EndCover{CoverID: "cov-1", Date: d("2026-05-30")}, rule: "cover.unknown", field: "cover_id", kind: ErrNotFound},
		{name: "end cover after its end", given: plus(active(), CoverArranged{CoverID: "cov-1", CoachID: "c2", ForCoachID: "c1", From: d("2026-05-01"), Until: d("2026-05-21"), Reason: CoverIllness}), cmd: EndCover{CoverID: "cov-1", Date: d("2026-05-30")}, rule: "cover.ended", field: "date", kind: ErrConflict},

		{name: "request another coach", given: active(), cmd: RequestCoachChange{RequestID: "ccr-1", Date: d("2026-02-01"), MemberID: "mem-p", Sealed: NoteSealed{Note: "SECRET"}}, want: []Event{CoachChangeRequested{RequestID: "ccr-1", Date: d("2026-02-01"), MemberID: "mem-p", Sealed: NoteSealed{Note: "SECRET"}}}},
		{name: "request another coach unknown member", given: active(), cmd: RequestCoachChange{RequestID: "ccr-1", Date: d("2026-02-01"), MemberID: "mem-x"}, rule: "member.unknown", field: "member_id", kind: ErrNotFound},
		{name: "request id used", given: plus(active(), CoachChangeRequested{RequestID: "ccr-1", Date: d("2026-02-01")}), cmd: RequestCoachChange{RequestID: "ccr-1", Date: d("2026-02-01")}, rule: "coach_request.exists", field: "request_id", kind: ErrConflict},
		{name: "handle request", given: plus(active(), CoachChangeRequested{RequestID: "ccr-1", Date: d("2026-02-01")}), cmd: HandleCoachChange{RequestID: "ccr-1", Date: d("2026-02-02"), Verdict: VerdictRefused, DecidedBy: "k1"}, want: []Event{CoachChangeHandled{RequestID: "ccr-1", Date: d("2026-02-02"), Verdict: VerdictRefused, DecidedBy: "k1"}}},
		{name: "handle request twice", given: plus(active(), CoachChangeRequested{RequestID: "ccr-1", Date: d("2026-02-01")}, CoachChangeHandled{RequestID: "ccr-1", Date: d("2026-02-02"), Verdict: VerdictRefused, DecidedBy: "k1"}), cmd: HandleCoachChange{RequestID: "ccr-1", Date: d("2026-02-02"), Verdict: VerdictApproved, DecidedBy: "k1"}, rule: "coach_request.handled", field: "request_id", kind: ErrConflict},
		{name: "handle unknown request", given: active(), cmd: HandleCoachChange{RequestID: "ccr-1", Date: d("2026-02-02"), Verdict: VerdictApproved, DecidedBy: "k1"}, rule: "coach_request.unknown", field: "request_id", kind: ErrNotFound},
		{name: "handle request before it was made", given: plus(active(), CoachChangeRequested{RequestID: "ccr-1", Date: d("2026-02-01")}), cmd: HandleCoachChange{RequestID: "ccr-1", Date: d("2026-01-30"), Verdict: VerdictApproved, DecidedBy: "k1"}, rule: "date.order", field: "date"},

		{name: "close case", given: active(), cmd: CloseCase{Date: d("2026-05-01"), Reason: ClosurePositive, DecidedBy: "k1"}, want: closed()[len(active()):]},
		{name: "close case handed over", given: active(), cmd: CloseCase{Date: d("2026-05-01"), Reason: ClosureHandedOver, HandedOverTo: "OCMW sociale dienst", DecidedBy: "k1"}, want: []Event{CaseClosed{Date: d("2026-05-01"), Reason: ClosureHandedOver, HandedOverTo: "OCMW sociale dienst", DecidedBy: "k1"}}},
		{name: "close handed over without service", given: active(), cmd: CloseCase{Date: d("2026-05-01"), Reason: ClosureHandedOver, DecidedBy: "k1"}, rule: "field.required", field: "handed_over_to"},
		{name: "close positive naming a service", given: active(), cmd: CloseCase{Date: d("2026-05-01"), Reason: ClosurePositive, HandedOverTo: "OCMW", DecidedBy: "k1"}, rule: "field.invalid", field: "handed_over_to"},
		{name: "close twice", given: closed(), cmd: CloseCase{Date: d("2026-05-02"), Reason: ClosurePositive, DecidedBy: "k1"}, rule: "case.closed"},
		{name: "close before guidance started", given: active(), cmd: CloseCase{Date: d("2026-01-20"), Reason: ClosurePositive, DecidedBy: "k1"}, rule: "date.order", field: "date"},
		{name: "reopen", given: closed(), cmd: ReopenCase{Date: d("2026-05-20"), Source: SourceOCMW}, want: []Event{CaseReopened{Date: d("2026-05-20"), Source: SourceOCMW, Trajectory: 2}}},
		{name: "reopen open case", given: active(), cmd: ReopenCase{Date: d("2026-05-20")}, rule: "case.not_closed", kind: ErrConflict},
		{name: "reopen before closure", given: closed(), cmd: ReopenCase{Date: d("2026-04-20")}, rule: "date.order", field: "date"},
		{name: "reopened case needs a new intake", given: plus(closed(), CaseReopened{Date: d("2026-05-20"), Trajectory: 2}), cmd: StartGuidance{Date: d("2026-05-21"), AllocationID: "alc-2"}, rule: "guidance.no_intake"},
		{name: "reopened case gets a new allocation", given: plus(closed(), CaseReopened{Date: d("2026-05-20"), Trajectory: 2}, IntakeHeld{Date: d("2026-05-21"), Attendees: []Attendee{AttendeeParent}, CoachID: "c1", DefinitiveConsent: true, ConsentForm: FormVerbal}), cmd: StartGuidance{Date: d("2026-05-22"), AllocationID: "alc-2"}, want: []Event{GuidanceStarted{Date: d("2026-05-22"), Trajectory: 2}, BudgetAllocated{AllocationID: "alc-2", Date: d("2026-05-22"), Trajectory: 2, AmountCents: 200000, Source: SourcePolice, FundingSource: "maatbudget"}}},

		{name: "police file op af", given: active(), cmd: ClosePoliceFile{Date: d("2026-05-01")}, want: []Event{PoliceFileClosed{Date: d("2026-05-01")}}},
		{name: "police file op af twice", given: plus(active(), PoliceFileClosed{Date: d("2026-05-01")}), cmd: ClosePoliceFile{Date: d("2026-05-02")}, rule: "police_file.state", kind: ErrConflict},
		{name: "police file op in", given: plus(active(), PoliceFileClosed{Date: d("2026-05-01")}), cmd: ReopenPoliceFile{Date: d("2026-05-02")}, want: []Event{PoliceFileReopened{Date: d("2026-05-02")}}},
		{name: "police file op in when in", given: active(), cmd: ReopenPoliceFile{Date: d("2026-05-02")}, rule: "police_file.state", kind: ErrConflict},
	})
}

func TestMembersContactsQuestions(t *testing.T) {
	contact := LogContact{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactHomeVisitUnannounced, DurationMinutes: 60, LifeDomains: []LifeDomain{DomainHousing}, CoachID: "c1", Sealed: ContactSealed{WithWhom: "SECRET mother", Note: "SECRET note"}}
	logged := ContactLogged{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactHomeVisitUnannounced, DurationMinutes: 60, LifeDomains: []LifeDomain{DomainHousing}, CoachID: "c1", Sealed: ContactSealed{WithWhom: "SECRET mother", Note: "SECRET note"}}
	correct := CorrectContact{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactPhone, DurationMinutes: 10, Sealed: ContactSealed{Note: "SECRET fixed"}}
	runFamilyCases(t, []familyCase{
		{name: "add member", given: referred(), cmd: AddMember{MemberID: "mem-p", Date: d("2026-01-12"), Role: MemberParent, BirthYear: 1990, Sealed: MemberSealed{Name: "SECRET An"}}, want: withMembers()[1:2]},
		{name: "add member twice", given: withMembers(), cmd: AddMember{MemberID: "mem-p", Date: d("2026-01-12"), Role: MemberParent}, rule: "member.exists", field: "member_id", kind: ErrConflict},
		{name: "add member bad role", given: referred(), cmd: AddMember{MemberID: "mem-p", Date: d("2026-01-12"), Role: "uncle"}, rule: "field.invalid", field: "role"},
		{name: "add member born in the future", given: referred(), cmd: AddMember{MemberID: "mem-p", Date: d("2026-01-12"), Role: MemberChild, BirthYear: 2027}, rule: "count.range", field: "birth_year"},
		{name: "correct member", given: withMembers(), cmd: CorrectMember{MemberID: "mem-p", Date: d("2026-02-01"), Role: MemberParent, BirthYear: 1991, Sealed: MemberSealed{Name: "SECRET Ann"}}, want: []Event{MemberCorrected{MemberID: "mem-p", Date: d("2026-02-01"), Role: MemberParent, BirthYear: 1991, Sealed: MemberSealed{Name: "SECRET Ann"}}}},
		{name: "correct unknown member", given: withMembers(), cmd: CorrectMember{MemberID: "mem-x", Date: d("2026-02-01"), Role: MemberParent}, rule: "member.unknown", field: "member_id", kind: ErrNotFound},
		{name: "member leaves", given: withMembers(), cmd: RemoveMember{MemberID: "mem-p", Date: d("2026-02-01")}, want: []Event{MemberLeft{MemberID: "mem-p", Date: d("2026-02-01")}}},
		{name: "member leaves twice", given: plus(withMembers(), MemberLeft{MemberID: "mem-p", Date: d("2026-02-01")}), cmd: RemoveMember{MemberID: "mem-p", Date: d("2026-02-02")}, rule: "member.left", field: "member_id", kind: ErrConflict},

		{name: "add professional", given: active(), cmd: AddProfessional{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientDebtService, Role: "schuldbemiddelaar", Sealed: ProfessionalSealed{Name: "SECRET Piet", Phone: "SECRET 09"}}, want: []Event{ProfessionalAdded{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientDebtService, Role: "schuldbemiddelaar", Sealed: ProfessionalSealed{Name: "SECRET Piet", Phone: "SECRET 09"}}}},
		{name: "add professional without role", given: active(), cmd: AddProfessional{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientDebtService}, rule: "field.required", field: "role"},
		{name: "add professional with a line break", given: active(), cmd: AddProfessional{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW\nSECRET", Category: RecipientDebtService, Role: "x"}, rule: "field.invalid", field: "organisation"},
		{name: "add professional twice", given: plus(active(), ProfessionalAdded{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientOther, Role: "x"}), cmd: AddProfessional{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientOther, Role: "x"}, rule: "professional.exists", field: "professional_id", kind: ErrConflict},
		{name: "remove professional", given: plus(active(), ProfessionalAdded{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientOther, Role: "x"}), cmd: RemoveProfessional{ProfessionalID: "pro-1", Date: d("2026-03-01")}, want: []Event{ProfessionalRemoved{ProfessionalID: "pro-1", Date: d("2026-03-01")}}},
		{name: "remove unknown professional", given: active(), cmd: RemoveProfessional{ProfessionalID: "pro-1", Date: d("2026-03-01")}, rule: "professional.unknown", field: "professional_id", kind: ErrNotFound},
		{name: "remove professional twice", given: plus(active(), ProfessionalAdded{ProfessionalID: "pro-1", Date: d("2026-02-01"), Organisation: "CAW", Category: RecipientOther, Role: "x"}, ProfessionalRemoved{ProfessionalID: "pro-1", Date: d("2026-03-01")}), cmd: RemoveProfessional{ProfessionalID: "pro-1", Date: d("2026-03-01")}, rule: "professional.removed", field: "professional_id", kind: ErrConflict},

		{name: "log contact", given: active(), cmd: contact, want: []Event{logged}},
		{name: "log contact while referred", given: withMembers(), cmd: contact, want: []Event{logged}},
		{name: "log contact on closed case", given: closed(), cmd: with(contact, func(c *LogContact) { c.Date = d("2026-05-02") }), rule: "case.closed"},
		{name: "log contact in the future", given: active(), cmd: with(contact, func(c *LogContact) { c.Date = d("2026-06-02") }), rule: "date.future", field: "date"},
		{name: "log contact before referral", given: active(), cmd: with(contact, func(c *LogContact) { c.Date = d("2026-01-11") }), rule: "date.before_referral", field: "date"},
		{name: "log contact bad kind", given: active(), cmd: with(contact, func(c *LogContact) { c.Kind = "letter" }), rule: "field.invalid", field: "kind"},
		{name: "log contact too long", given: active(), cmd: with(contact, func(c *LogContact) { c.DurationMinutes = MaxDurationMinutes + 1 }), rule: "count.range", field: "duration_minutes"},
		{name: "log contact unknown domain", given: active(), cmd: with(contact, func(c *LogContact) { c.LifeDomains = []LifeDomain{"hobbies"} }), rule: "field.invalid", field: "life_domains"},
		{name: "log contact without coach", given: active(), cmd: with(contact, func(c *LogContact) { c.CoachID = "" }), rule: "field.required", field: "coach_id"},
		{name: "log contact in confidence of a child", given: active(), cmd: with(contact, func(c *LogContact) { c.Members, c.InConfidenceOf = []MemberID{"mem-c"}, "mem-c" }), want: []Event{with(logged, func(e *ContactLogged) { e.Members, e.InConfidenceOf = []MemberID{"mem-c"}, "mem-c" })}},
		{name: "log contact unknown confidant", given: active(), cmd: with(contact, func(c *LogContact) { c.InConfidenceOf = "mem-x" }), rule: "member.unknown", field: "in_confidence_of", kind: ErrNotFound},
		{name: "log contact member twice", given: active(), cmd: with(contact, func(c *LogContact) { c.Members = []MemberID{"mem-c", "mem-c"} }), rule: "field.duplicate", field: "members"},
		{name: "log contact unknown member", given: active(), cmd: with(contact, func(c *LogContact) { c.Members = []MemberID{"mem-x"} }), rule: "member.unknown", field: "members", kind: ErrNotFound},
		{name: "log contact twice", given: plus(active(), logged), cmd: contact, rule: "contact.exists", field: "contact_id", kind: ErrConflict},
		{name: "log contact invalid utf8 note", given: active(), cmd: with(contact, func(c *LogContact) { c.Sealed.Note = "\xff" }), rule: "field.invalid", field: "note"},
		{name: "correct contact", given: plus(active(), logged), cmd: correct, want: []Event{ContactCorrected{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactPhone, DurationMinutes: 10, LifeDomains: []LifeDomain{}, Sealed: ContactSealed{Note: "SECRET fixed"}}}},
		{name: "correct contact on a closed case", given: plus(closed(), logged), cmd: correct, want: []Event{ContactCorrected{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactPhone, DurationMinutes: 10, LifeDomains: []LifeDomain{}, Sealed: ContactSealed{Note: "SECRET fixed"}}}},
		{name: "correct unknown contact", given: active(), cmd: correct, rule: "contact.unknown", field: "contact_id", kind: ErrNotFound},
		{name: "correct cancelled contact", given: plus(active(), logged, ContactCorrected{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactPhone, Cancelled: true}), cmd: correct, rule: "contact.cancelled", field: "contact_id", kind: ErrConflict},

		{name: "raise question", given: active(), cmd: RaiseQuestion{QuestionID: "q-1", Date: d("2026-02-01"), LifeDomain: DomainDebts, MemberID: "mem-p"}, want: []Event{QuestionRaised{QuestionID: "q-1", Date: d("2026-02-01"), LifeDomain: DomainDebts, MemberID: "mem-p"}}},
		{name: "raise question twice", given: plus(active(), QuestionRaised{QuestionID: "q-1", Date: d("2026-02-01"), LifeDomain: DomainDebts}), cmd: RaiseQuestion{QuestionID: "q-1", Date: d("2026-02-01"), LifeDomain: DomainDebts}, rule: "question.exists", field: "question_id", kind: ErrConflict},
		{name: "raise question no domain", given: active(), cmd: RaiseQuestion{QuestionID: "q-1", Date: d("2026-02-01")}, rule: "field.required", field: "life_domain"},
		{name: "answer question", given: plus(active(), QuestionRaised{QuestionID: "q-1", Date: d("2026-02-01"), LifeDomain: DomainDebts}), cmd: AnswerQuestion{QuestionID: "q-1", Date: d("2026-03-01"), Outcome: OutcomeAnswered}, want: []Event{QuestionAnswered{QuestionID: "q-1", Date: d("2026-03-01"), Outcome: OutcomeAnswered}}},
		{name: "answer unknown question", given: active(), cmd: AnswerQuestion{QuestionID: "q-1", Date: d("2026-03-01"), Outcome: OutcomeAnswered}, rule: "question.unknown", field: "question_id", kind: ErrNotFound},
		{name: "answer question twice", given: plus(active(), QuestionRaised{QuestionID: "q-1", Date: d("2026-02-01"), LifeDomain: DomainDebts}, QuestionAnswered{QuestionID: "q-1", Date: d("2026-03-01"), Outcome: OutcomeAnswered}), cmd: AnswerQuestion{QuestionID: "q-1", Date: d("2026-03-01"), Outcome: OutcomeAnswered}, rule: "question.answered", field: "question_id", kind: ErrConflict},
	})
}

func TestAssessments(t *testing.T) {
	t0 := plus(active(), AssessmentRegistered{AssessmentID: "as-t0", Date: d("2026-02-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: MomentT0, Items: []ItemAnswer{scored("safety", 1), scored("housing", 2)}, CoachID: "c1"})
	cebud := RegisterAssessment{AssessmentID: "as-c", Date: d("2026-02-10"), InstrumentID: "cebud_sociale_balans", InstrumentVersion: 1, Moment: MomentT0, CoachID: "c1",
		Items:  []ItemAnswer{scored("income", 2), {Item: "dutch", Member: "mem-p", Status: AnswerScored, Level: 4}, {Item: "baby_outfit", Member: "mem-c", Status: AnswerNotApplicable}},
		Sealed: AssessmentSealed{Texts: []ItemText{{Item: "income", Text: "SECRET"}}}}
	runFamilyCases(t, []familyCase{
		{name: "t0 leefsituatie", given: active(), cmd: assess(MomentT0, scored("safety", 1), scored("housing", 2)), want: t0[len(active()):]},
		{name: "t0 not assessed", given: active(), cmd: assess(MomentT0, ItemAnswer{Item: "work", Status: AnswerNotAssessed}), want: []Event{AssessmentRegistered{AssessmentID: "as-t0", Date: d("2026-02-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: MomentT0, Items: []ItemAnswer{{Item: "work", Status: AnswerNotAssessed}}, CoachID: "c1"}}},
		{name: "t0 cebud with members and text", given: active(), cmd: cebud, want: []Event{AssessmentRegistered{AssessmentID: "as-c", Date: d("2026-02-10"), InstrumentID: "cebud_sociale_balans", InstrumentVersion: 1, Moment: MomentT0, Items: cebud.Items, CoachID: "c1", Sealed: cebud.Sealed}}},
		{name: "review carries forward", given: t0, cmd: with(assess(MomentReview, scored("housing", 4)), func(c *RegisterAssessment) { c.Date = d("2026-05-10") }), want: []Event{AssessmentRegistered{AssessmentID: "as-review", Date: d("2026-05-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: MomentReview, Items: []ItemAnswer{scored("housing", 4)}, CoachID: "c1"}}},
		{name: "t1 without changes", given: t0, cmd: with(assess(MomentT1), func(c *RegisterAssessment) { c.Date = d("2026-05-10") }), want: []Event{AssessmentRegistered{AssessmentID: "as-t1", Date: d("2026-05-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: MomentT1, Items: []ItemAnswer{}, CoachID: "c1"}}},
		{name: "t1 on closed case", given: plus(t0, CaseClosed{Date: d("2026-05-01"), Reason: ClosurePositive, DecidedBy: "k1"}), cmd: with(assess(MomentT1, scored("safety", 5)), func(c *RegisterAssessment) { c.Date = d("2026-05-10") }), want: []Event{AssessmentRegistered{AssessmentID: "as-t1", Date: d("2026-05-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: MomentT1, Items: []ItemAnswer{scored("safety", 5)}, CoachID: "c1"}}},
		{name: "review on closed case", given: plus(t0, CaseClosed{Date: d("2026-05-01"), Reason: ClosurePositive, DecidedBy: "k1"}), cmd: with(assess(MomentReview, scored("safety", 5)), func(c *RegisterAssessment) { c.Date = d("2026-05-10") }), rule: "case.closed"},
		{name: "second t0", given: t0, cmd: with(assess(MomentT0, scored("safety", 2)), func(c *RegisterAssessment) { c.AssessmentID = "as-x" }), rule: "assessment.t0_exists", field: "moment", kind: ErrConflict},
		{name: "review without t0", given: active(), cmd: assess(MomentReview, scored("safety", 2)), rule: "assessment.no_t0", field: "moment"},
		{name: "empty t0", given: active(), cmd: assess(MomentT0), rule: "assessment.empty", field: "items"},
		{name: "id used", given: t0, cmd: assess(MomentReview, scored("safety", 2)), env: nil, rule: "", want: []Event{AssessmentRegistered{AssessmentID: "as-review", Date: d("2026-02-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: MomentReview, Items: []ItemAnswer{scored("safety", 2)}, CoachID: "c1"}}},
		{name: "assessment id used", given: t0, cmd: with(assess(MomentReview, scored("safety", 2)), func(c *RegisterAssessment) { c.AssessmentID = "as-t0" }), rule: "assessment.exists", field: "assessment_id", kind: ErrConflict},
		{name: "unknown instrument", given: active(), cmd: with(assess(MomentT0, scored("safety", 2)), func(c *RegisterAssessment) { c.InstrumentVersion = 9 }), rule: "assessment.instrument", field: "instrument_id", kind: ErrNotFound},
		{name: "unknown item", given: active(), cmd: assess(MomentT0, scored("hobbies", 2)), rule: "assessment.item", field: "items.item"},
		{name: "household item for a member", given: active(), cmd: assess(MomentT0, ItemAnswer{Item: "safety", Member: "mem-p", Status: AnswerScored, Level: 2}), rule: "assessment.item", field: "items.item"},
		{name: "unknown member", given: active(), cmd: assess(MomentT0, ItemAnswer{Item: "safety", Member: "mem-x", Status: AnswerScored, Level: 2}), rule: "member.unknown", field: "items.member", kind: ErrNotFound},
		{name: "level out of range", given: active(), cmd: assess(MomentT0, scored("safety", 6)), rule: "assessment.level", field: "items.level"},
		{name: "level zero", given: active(), cmd: assess(MomentT0, scored("safety", 0)), rule: "assessment.level", field: "items.level"},
		{name: "level on a non-score", given: active(), cmd: assess(MomentT0, ItemAnswer{Item: "safety", Status: AnswerNotAssessed, Level: 3}), rule: "assessment.level", field: "items.level"},
		{name: "not applicable not allowed", given: active(), cmd: assess(MomentT0, ItemAnswer{Item: "safety", Status: AnswerNotApplicable}), rule: "assessment.status", field: "items.status"},
		{name: "unknown status", given: active(), cmd: assess(MomentT0, ItemAnswer{Item: "safety", Status: "maybe"}), rule: "assessment.status", field: "items.status"},
		{name: "item twice", given: active(), cmd: assess(MomentT0, scored("safety", 2), scored("safety", 3)), rule: "assessment.duplicate_item", field: "items"},
		{name: "instrument id that is not a code", given: active(), cmd: with(assess(MomentT0, scored("safety", 2)), func(c *RegisterAssessment) { c.InstrumentID = "SECRET Ann" }), rule: "assessment.instrument", field: "instrument_id", kind: ErrNotFound},
		{name: "text on leefsituatie", given: active(), cmd: with(assess(MomentT0, scored("safety", 2)), func(c *RegisterAssessment) { c.Sealed.Texts = []ItemText{{Item: "safety", Text: "SECRET"}} }), rule: "assessment.text", field: "texts"},
		{name: "text on an item never scored", given: active(), cmd: with(cebud, func(c *RegisterAssessment) { c.Sealed.Texts = []ItemText{{Item: "debts", Text: "SECRET"}} }), rule: "assessment.text", field: "texts.item"},
		{name: "registration before the last", given: t0, cmd: with(assess(MomentReview, scored("safety", 2)), func(c *RegisterAssessment) { c.Date = d("2026-02-09") }), rule: "date.order", field: "date"},
	})
}

func TestConsentAndDisclosure(t *testing.T) {
	give := GiveConsent{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: consentScope(), Form: FormWritten}
	withConsent := plus(active(), consentGiven())
	childConsent := ConsentGiven{ConsentID: "cst-c", Date: d("2026-02-01"), GrantorID: "mem-c", Scope: with(consentScope(), func(s *ConsentScope) { s.DataCategories = []DataCategory{DataChildStatements} }), Form: FormVerbal}
	parentConsentChild := ConsentGiven{ConsentID: "cst-pc", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: with(consentScope(), func(s *ConsentScope) { s.DataCategories = []DataCategory{DataChildStatements} }), Form: FormVerbal}
	made := DisclosureMade{DisclosureID: "dis-1", Date: d("2026-03-01"), RecipientOrg: "CLB Gent", RecipientRole: "CLB-medewerker", RecipientCategory: RecipientCLB, DataCategories: []DataCategory{DataHealth}, Purpose: PurposeSchool, LegalBasis: BasisConsent, ConsentID: "cst-1", DecidedBy: "c1", Sealed: DisclosureSealed{Summary: "SECRET allergy"}}
	request := InfoRequestReceived{RequestID: "irq-1", Date: d("2026-02-20"), FromOrg: "CLB Gent", FromRole: "CLB-medewerker", FromCategory: RecipientCLB, DataCategories: []DataCategory{DataHealth}, Purpose: PurposeSchool}
	runFamilyCases(t, []familyCase{
		{name: "give consent", given: active(), cmd: give, want: []Event{consentGiven()}},
		{name: "refuse consent", given: active(), cmd: RefuseConsent(give), want: []Event{ConsentRefused{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: consentScope(), Form: FormWritten}}},
		{name: "consent id used", given: withConsent, cmd: give, rule: "consent.exists", field: "consent_id", kind: ErrConflict},
		{name: "consent by unknown member", given: active(), cmd: with(give, func(c *GiveConsent) { c.GrantorID = "mem-x" }), rule: "member.unknown", field: "grantor_id", kind: ErrNotFound},
		{name: "consent by member who left", given: plus(active(), MemberLeft{MemberID: "mem-p", Date: d("2026-01-30")}), cmd: give, rule: "consent.grantor", field: "grantor_id"},
		{name: "consent without data categories", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.DataCategories = nil }), rule: "field.required", field: "scope.data_categories"},
		{name: "consent unknown data category", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.DataCategories = []DataCategory{"everything"} }), rule: "field.invalid", field: "scope.data_categories"},
		{name: "consent data category twice", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.DataCategories = []DataCategory{DataHealth, DataHealth} }), rule: "field.duplicate", field: "scope.data_categories"},
		{name: "consent without start", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.From = Date{} }), rule: "date.required", field: "scope.from"},
		{name: "open-ended consent", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.Until = Date{} }), want: []Event{ConsentGiven{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: with(consentScope(), func(s *ConsentScope) { s.Until = Date{} }), Form: FormWritten}}},
		{name: "consent ends before it starts", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.Until = d("2026-01-01") }), rule: "date.order", field: "scope.until"},
		{name: "consent bad action", given: active(), cmd: with(give, func(c *GiveConsent) { c.Scope.Action = "sell" }), rule: "field.invalid", field: "scope.action"},
		{name: "withdraw consent", given: withConsent, cmd: WithdrawConsent{ConsentID: "cst-1", Date: d("2026-04-01"), Form: FormVerbal}, want: []Event{ConsentWithdrawn{ConsentID: "cst-1", Date: d("2026-04-01"), Form: FormVerbal}}},
		{name: "withdraw twice", given: plus(withConsent, ConsentWithdrawn{ConsentID: "cst-1", Date: d("2026-04-01"), Form: FormVerbal}), cmd: WithdrawConsent{ConsentID: "cst-1", Date: d("2026-04-02"), Form: FormVerbal}, rule: "consent.withdrawn", field: "consent_id", kind: ErrConflict},
		{name: "withdraw expired", given: plus(withConsent, ConsentExpired{ConsentID: "cst-1", Date: d("2026-04-01")}), cmd: WithdrawConsent{ConsentID: "cst-1", Date: d("2026-04-02"), Form: FormVerbal}, rule: "consent.expired", field: "consent_id", kind: ErrConflict},
		{name: "withdraw refused", given: plus(active(), ConsentRefused{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: consentScope(), Form: FormVerbal}), cmd: WithdrawConsent{ConsentID: "cst-1", Date: d("2026-04-02"), Form: FormVerbal}, rule: "consent.refused", field: "consent_id"},
		{name: "withdraw unknown", given: active(), cmd: WithdrawConsent{ConsentID: "cst-1", Date: d("2026-04-02"), Form: FormVerbal}, rule: "consent.unknown", field: "consent_id", kind: ErrNotFound},
		{name: "withdraw before given", given: withConsent, cmd: WithdrawConsent{ConsentID: "cst-1", Date: d("2026-01-30"), Form: FormVerbal}, rule: "date.order", field: "date"},
		{name: "expire consent", given: withConsent, cmd: ExpireConsent{ConsentID: "cst-1", Date: d("2026-05-01")}, want: []Event{ConsentExpired{ConsentID: "cst-1", Date: d("2026-05-01")}}},
		{name: "expire withdrawn", given: plus(withConsent, ConsentWithdrawn{ConsentID: "cst-1", Date: d("2026-04-01"), Form: FormVerbal}), cmd: ExpireConsent{ConsentID: "cst-1", Date: d("2026-05-01")}, rule: "consent.withdrawn", field: "consent_id", kind: ErrConflict},

		{name: "disclose on consent", given: withConsent, cmd: disclose(), want: []Event{made}},
		{name: "disclose on consent of any organisation of the category", given: plus(active(), ConsentGiven{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: with(consentScope(), func(s *ConsentScope) { s.RecipientOrg = "" }), Form: FormWritten}), cmd: with(disclose(), func(c *Disclose) { c.RecipientOrg = "CLB Antwerpen" }), want: []Event{with(made, func(e *DisclosureMade) { e.RecipientOrg = "CLB Antwerpen" })}},
		{name: "disclose organisation name in other case", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.RecipientOrg = " clb gent" }), want: []Event{with(made, func(e *DisclosureMade) { e.RecipientOrg = " clb gent" })}},
		{name: "disclose without consent id", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.ConsentID = "" }), rule: "disclosure.consent_required", field: "consent_id"},
		{name: "disclose unknown consent", given: active(), cmd: disclose(), rule: "consent.unknown", field: "consent_id", kind: ErrNotFound},
		{name: "disclose other recipient", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.RecipientOrg = "School X" }), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose other category", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.RecipientCategory = RecipientSchool }), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose other purpose", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.Purpose = PurposeHealth }), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose more data", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.DataCategories = []DataCategory{DataHealth, DataIncome} }), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose before consent period", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.Date = d("2026-01-31") }), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose after withdrawal", given: plus(withConsent, ConsentWithdrawn{ConsentID: "cst-1", Date: d("2026-02-15"), Form: FormVerbal}), cmd: disclose(), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose before withdrawal (back-dated)", given: plus(withConsent, ConsentWithdrawn{ConsentID: "cst-1", Date: d("2026-03-15"), Form: FormVerbal}), cmd: disclose(), want: []Event{made}},
		{name: "disclose after expiry", given: plus(withConsent, ConsentExpired{ConsentID: "cst-1", Date: d("2026-02-15")}), cmd: disclose(), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose after the period", given: plus(active(), ConsentGiven{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: with(consentScope(), func(s *ConsentScope) { s.Until = d("2026-02-28") }), Form: FormWritten}), cmd: disclose(), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose on refused consent", given: plus(active(), ConsentRefused{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: consentScope(), Form: FormWritten}), cmd: disclose(), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose referral needs refer consent", given: plus(active(), ConsentGiven{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: with(consentScope(), func(s *ConsentScope) { s.Purpose = PurposeReferral }), Form: FormWritten}), cmd: with(disclose(), func(c *Disclose) { c.Purpose = PurposeReferral }), rule: "disclosure.consent_invalid", field: "consent_id"},
		{name: "disclose child statements with child's consent", given: plus(active(), childConsent), cmd: with(disclose(), func(c *Disclose) {
			c.ConsentID, c.DataCategories = "cst-c", []DataCategory{DataChildStatements}
		}), want: []Event{with(made, func(e *DisclosureMade) { e.ConsentID, e.DataCategories = "cst-c", []DataCategory{DataChildStatements} })}},
		{name: "disclose child statements with a parent's consent", given: plus(active(), parentConsentChild), cmd: with(disclose(), func(c *Disclose) {
			c.ConsentID, c.DataCategories = "cst-pc", []DataCategory{DataChildStatements}
		}), rule: "disclosure.child_consent", field: "data_categories"},
		{name: "disclose on parket request", given: active(), cmd: with(disclose(), func(c *Disclose) {
			c.LegalBasis, c.ConsentID, c.RecipientCategory, c.Purpose, c.Confidential = BasisParketRequest, "", RecipientParket, PurposeParketStatus, true
		}), want: []Event{with(made, func(e *DisclosureMade) {
			e.LegalBasis, e.ConsentID, e.RecipientCategory, e.Purpose, e.Confidential = BasisParketRequest, "", RecipientParket, PurposeParketStatus, true
		})}},
		{name: "disclose statutory basis naming a consent", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.LegalBasis = BasisDanger458bis }), rule: "field.invalid", field: "consent_id"},
		{name: "disclose aid_payment basis is implied only", given: active(), cmd: with(disclose(), func(c *Disclose) { c.LegalBasis, c.ConsentID = BasisAidPayment, "" }), rule: "field.invalid", field: "legal_basis"},
		{name: "disclose unknown member", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.Members = []MemberID{"mem-x"} }), rule: "member.unknown", field: "members", kind: ErrNotFound},
		{name: "disclosure id used", given: plus(withConsent, made), cmd: disclose(), rule: "disclosure.exists", field: "disclosure_id", kind: ErrConflict},
		{name: "disclose without decider", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.DecidedBy = "" }), rule: "field.required", field: "decided_by"},
		{name: "disclose answering a request", given: plus(withConsent, request), cmd: with(disclose(), func(c *Disclose) { c.InfoRequestID = "irq-1" }), want: []Event{with(made, func(e *DisclosureMade) { e.InfoRequestID = "irq-1" }), InfoRequestAnswered{RequestID: "irq-1", Date: d("2026-03-01"), DisclosureID: "dis-1"}}},
		{name: "disclose answering unknown request", given: withConsent, cmd: with(disclose(), func(c *Disclose) { c.InfoRequestID = "irq-1" }), rule: "info_request.unknown", field: "info_request_id", kind: ErrNotFound},
		{name: "disclose answering refused request", given: plus(withConsent, request, InfoRequestRefused{RequestID: "irq-1", Date: d("2026-02-21"), Reason: RefusalNoConsent, DecidedBy: "c1"}), cmd: with(disclose(), func(c *Disclose) { c.InfoRequestID = "irq-1" }), rule: "info_request.closed", field: "info_request_id", kind: ErrConflict},

		{name: "inform family", given: plus(withConsent, made), cmd: InformFamily{DisclosureID: "dis-1", Date: d("2026-03-02"), Form: FormVerbal}, want: []Event{FamilyInformed{DisclosureID: "dis-1", Date: d("2026-03-02"), Form: FormVerbal}}},
		{name: "inform family twice", given: plus(withConsent, made, FamilyInformed{DisclosureID: "dis-1", Date: d("2026-03-02"), Form: FormVerbal}), cmd: InformFamily{DisclosureID: "dis-1", Date: d("2026-03-03"), Form: FormVerbal}, rule: "disclosure.informed", field: "disclosure_id", kind: ErrConflict},
		{name: "inform family of unknown disclosure", given: active(), cmd: InformFamily{DisclosureID: "dis-1", Date: d("2026-03-02"), Form: FormVerbal}, rule: "disclosure.unknown", field: "disclosure_id", kind: ErrNotFound},
		{name: "inform family of confidential", given: plus(active(), disclosed("dis-2", RecipientParket, true)), cmd: InformFamily{DisclosureID: "dis-2", Date: d("2026-03-02"), Form: FormVerbal}, rule: "disclosure.confidential", field: "disclosure_id"},
		{name: "inform family after lifting", given: plus(active(), disclosed("dis-2", RecipientParket, true), ConfidentialityLifted{DisclosureID: "dis-2", Date: d("2026-03-05"), DecidedBy: "k1"}), cmd: InformFamily{DisclosureID: "dis-2", Date: d("2026-03-06"), Form: FormWritten}, want: []Event{FamilyInformed{DisclosureID: "dis-2", Date: d("2026-03-06"), Form: FormWritten}}},
		{name: "inform family before disclosure", given: plus(withConsent, made), cmd: InformFamily{DisclosureID: "dis-1", Date: d("2026-02-28"), Form: FormVerbal}, rule: "date.order", field: "date"},
		{name: "lift confidentiality", given: plus(active(), disclosed("dis-2", RecipientParket, true)), cmd: LiftConfidentiality{DisclosureID: "dis-2", Date: d("2026-03-05"), DecidedBy: "k1"}, want: []Event{ConfidentialityLifted{DisclosureID: "dis-2", Date: d("2026-03-05"), DecidedBy: "k1"}}},
		{name: "lift non-confidential", given: plus(active(), disclosed("dis-2", RecipientParket, false)), cmd: LiftConfidentiality{DisclosureID: "dis-2", Date: d("2026-03-05"), DecidedBy: "k1"}, rule: "disclosure.not_confidential", field: "disclosure_id", kind: ErrConflict},
		{name: "lift twice", given: plus(active(), disclosed("dis-2", RecipientParket, true), ConfidentialityLifted{DisclosureID: "dis-2", Date: d("2026-03-05"), DecidedBy: "k1"}), cmd: LiftConfidentiality{DisclosureID: "dis-2", Date: d("2026-03-06"), DecidedBy: "k1"}, rule: "disclosure.lifted", field: "disclosure_id", kind: ErrConflict},

		{name: "receive request", given: active(), cmd: ReceiveInfoRequest{RequestID: "irq-1", Date: d("2026-02-20"), FromOrg: "CLB Gent", FromRole: "CLB-medewerker", FromCategory: RecipientCLB, DataCategories: []DataCategory{DataHealth}, Purpose: PurposeSchool}, want: []Event{request}},
		{name: "receive request twice", given: plus(active(), request), cmd: ReceiveInfoRequest{RequestID: "irq-1", Date: d("2026-02-20"), FromOrg: "CLB Gent", FromRole: "x", FromCategory: RecipientCLB, DataCategories: []DataCategory{DataHealth}, Purpose: PurposeSchool}, rule: "info_request.exists", field: "request_id", kind: ErrConflict},
		{name: "refuse request", given: plus(active(), request), cmd: RefuseInfoRequest{RequestID: "irq-1", Date: d("2026-02-21"), Reason: RefusalProfessionalSecrecy, DecidedBy: "c1"}, want: []Event{InfoRequestRefused{RequestID: "irq-1", Date: d("2026-02-21"), Reason: RefusalProfessionalSecrecy, DecidedBy: "c1"}}},
		{name: "refuse unknown request", given: active(), cmd: RefuseInfoRequest{RequestID: "irq-1", Date: d("2026-02-21"), Reason: RefusalProfessionalSecrecy, DecidedBy: "c1"}, rule: "info_request.unknown", field: "request_id", kind: ErrNotFound},
		{name: "refuse answered request", given: plus(withConsent, request, with(made, func(e *DisclosureMade) { e.InfoRequestID = "irq-1" }), InfoRequestAnswered{RequestID: "irq-1", Date: d("2026-03-01"), DisclosureID: "dis-1"}), cmd: RefuseInfoRequest{RequestID: "irq-1", Date: d("2026-03-02"), Reason: RefusalOther, DecidedBy: "c1"}, rule: "info_request.closed", field: "request_id", kind: ErrConflict},
	})
}

func TestParket(t *testing.T) {
	toParket := disclosed("dis-p", RecipientParket, false)
	toOCJ := disclosed("dis-o", RecipientOCJ, false)
	known := plus(active(), toParket, toOCJ, ParketInformed{Date: d("2026-01-22")})
	requested := plus(known, ParketStatusRequested{RequestID: "prq-1", Date: d("2026-03-01"), DueDate: d("2026-03-31")})
	step := func(s string) RecordParketStep { return RecordParketStep{Step: s, Date: d("2026-03-10")} }
	runFamilyCases(t, []familyCase{
		{name: "inform parket", given: active(), cmd: RecordParketStep{Step: TypeParketInformed, Date: d("2026-01-22")}, want: []Event{ParketInformed{Date: d("2026-01-22")}}},
		{name: "inform parket twice", given: known, cmd: step(TypeParketInformed), rule: "parket.transition", field: "step"},
		{name: "status request", given: known, cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-03-01"), RequestID: "prq-1", DueDate: d("2026-03-31")}, want: requested[len(known):]},
		{name: "status request when not known", given: active(), cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-03-01"), RequestID: "prq-1", DueDate: d("2026-03-31")}, rule: "parket.transition", field: "step"},
		{name: "status request without due date", given: known, cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-03-01"), RequestID: "prq-1"}, rule: "date.required", field: "due_date"},
		{name: "status request due before request", given: known, cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-03-01"), RequestID: "prq-1", DueDate: d("2026-02-01")}, rule: "date.order", field: "due_date"},
		{name: "status request while one is open", given: requested, cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-03-02"), RequestID: "prq-2", DueDate: d("2026-03-31")}, rule: "parket.open_request", field: "request_id", kind: ErrConflict},
		{name: "status request id reused", given: plus(requested, ParketStatusReported{RequestID: "prq-1", Date: d("2026-03-10"), DisclosureID: "dis-p"}), cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-04-02"), RequestID: "prq-1", DueDate: d("2026-04-30")}, rule: "parket.request_exists", field: "request_id", kind: ErrConflict},
		{name: "status request with disclosure", given: known, cmd: RecordParketStep{Step: TypeParketStatusRequested, Date: d("2026-03-01"), RequestID: "prq-1", DueDate: d("2026-03-31"), DisclosureID: "dis-p"}, rule: "field.invalid", field: "disclosure_id"},
		{name: "status report", given: requested, cmd: RecordParketStep{Step: TypeParketStatusReported, Date: d("2026-03-10"), RequestID: "prq-1", DisclosureID: "dis-p"}, want: []Event{ParketStatusReported{RequestID: "prq-1", Date: d("2026-03-10"), DisclosureID: "dis-p"}}},
		{name: "status report without request", given: known, cmd: RecordParketStep{Step: TypeParketStatusReported, Date: d("2026-03-10"), RequestID: "prq-1", DisclosureID: "dis-p"}, rule: "parket.no_open_request", field: "request_id"},
		{name: "status report without disclosure", given: requested, cmd: RecordParketStep{Step: TypeParketStatusReported, Date: d("2026-03-10"), RequestID: "prq-1"}, rule: "field.required", field: "disclosure_id"},
		{name: "status report unknown disclosure", given: requested, cmd: RecordParketStep{Step: TypeParketStatusReported, Date: d("2026-03-10"), RequestID: "prq-1", DisclosureID: "dis-x"}, rule: "disclosure.unknown", field: "disclosure_id", kind: ErrNotFound},
		{name: "status report by disclosure to OCJ", given: requested, cmd: RecordParketStep{Step: TypeParketStatusReported, Date: d("2026-03-10"), RequestID: "prq-1", DisclosureID: "dis-o"}, rule: "parket.disclosure_recipient", field: "disclosure_id"},
		{name: "status report before the disclosure", given: requested, cmd: RecordParketStep{Step: TypeParketStatusReported, Date: d("2026-02-28"), RequestID: "prq-1", DisclosureID: "dis-p"}, rule: "date.order", field: "date"},
		{name: "worry report from not known", given: plus(active(), toParket), cmd: RecordParketStep{Step: TypeParketWorryReported, Date: d("2026-03-10"), DisclosureID: "dis-p"}, want: []Event{ParketWorryReported{Date: d("2026-03-10"), DisclosureID: "dis-p"}}},
		{name: "OCJ referral", given: known, cmd: RecordParketStep{Step: TypeReferredToOCJ, Date: d("2026-03-10"), DisclosureID: "dis-o"}, want: []Event{ReferredToOCJ{Date: d("2026-03-10"), DisclosureID: "dis-o"}}},
		{name: "OCJ referral by disclosure to parket", given: known, cmd: RecordParketStep{Step: TypeReferredToOCJ, Date: d("2026-03-10"), DisclosureID: "dis-p"}, rule: "parket.disclosure_recipient", field: "disclosure_id"},
		{name: "youth court", given: known, cmd: step(TypeYouthCourtInvolved), want: []Event{YouthCourtInvolved{Date: d("2026-03-10")}}},
		{name: "youth court when not known", given: active(), cmd: step(TypeYouthCourtInvolved), rule: "parket.transition", field: "step"},
		{name: "parket closes", given: requested, cmd: step(TypeParketClosed), want: []Event{ParketClosed{Date: d("2026-03-10")}}},
		{name: "parket closes twice", given: plus(known, ParketClosed{Date: d("2026-03-01")}), cmd: step(TypeParketClosed), rule: "parket.transition", field: "step"},
		{name: "parket close with disclosure", given: known, cmd: with(step(TypeParketClosed), func(c *RecordParketStep) { c.DisclosureID = "dis-p" }), rule: "field.invalid", field: "disclosure_id"},
		{name: "parket unknown step", given: known, cmd: step("ParketAmused"), rule: "field.invalid", field: "step"},
		{name: "parket informed again after closing", given: plus(known, ParketClosed{Date: d("2026-03-01")}), cmd: step(TypeParketInformed), want: []Event{ParketInformed{Date: d("2026-03-10")}}},
		{name: "police facts", given: active(), cmd: RecordPoliceFacts{Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Interventions: 2, InitialReports: 1}, want: []Event{PoliceFactsRecorded{Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Interventions: 2, InitialReports: 1}}},
		{name: "police facts negative", given: active(), cmd: RecordPoliceFacts{Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Kantschriften: -1}, rule: "count.range", field: "kantschriften"},
	})
}

func TestBudget(t *testing.T) {
	rec := recordSpend()
	recorded := SpendRecorded{SpendID: "sp-1", Date: d("2026-03-10"), Trajectory: 1, AmountCents: 35000, Instrument: InstrumentMaatbudget, Category: "washing_machine", Supplier: "Elektro bv", ReceiptRef: "INV-1", FundingSource: "maatbudget", Path: PathTeamDecision, DecidedOn: d("2026-03-09"), Body: BodyTeam, ProposedBy: "c1", Sealed: JustificationSealed{Justification: "SECRET five people"}}
	proposed := SpendProposed{SpendID: "sp-1", Date: d("2026-03-01"), AmountCents: 40000, Instrument: InstrumentMaatbudget, Category: "washing_machine", ProposedBy: "c2"}
	approvedBy := func(v Verdict) Event {
		return SpendDecided{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: v, Body: BodyTeam, DecidedBy: "k1"}
	}
	delegated := SpendProposed{SpendID: "sp-1", Date: d("2026-03-01"), AmountCents: 12000, Instrument: InstrumentDelegatedDecision, Category: "energy_bill", ProposedBy: "c1"}
	nearlySpent := plus(active(), spent("sp-0", 190000, PathTeamDecision)) // 10000 left
	runFamilyCases(t, []familyCase{
		{name: "allocate default", given: active(), cmd: AllocateBudget{AllocationID: "alc-2", Date: d("2026-03-01")}, want: []Event{BudgetAllocated{AllocationID: "alc-2", Date: d("2026-03-01"), Trajectory: 1, AmountCents: 200000, Source: SourcePolice, FundingSource: "maatbudget"}}},
		{name: "allocate amount and line", given: active(), cmd: AllocateBudget{AllocationID: "alc-2", Date: d("2026-03-01"), AmountCents: 5000, FundingSource: "bcsd_delegated"}, want: []Event{BudgetAllocated{AllocationID: "alc-2", Date: d("2026-03-01"), Trajectory: 1, AmountCents: 5000, Source: SourcePolice, FundingSource: "bcsd_delegated"}}},
		{name: "allocate negative", given: active(), cmd: AllocateBudget{AllocationID: "alc-2", Date: d("2026-03-01"), AmountCents: -5}, rule: "amount.positive", field: "amount_cents"},
		{name: "allocate unknown funding", given: active(), cmd: AllocateBudget{AllocationID: "alc-2", Date: d("2026-03-01"), FundingSource: "lottery"}, rule: "budget.funding_source", field: "funding_source"},
		{name: "allocate funding not a code", given: active(), cmd: AllocateBudget{AllocationID: "alc-2", Date: d("2026-03-01"), FundingSource: "SECRET Name"}, rule: "field.invalid", field: "funding_source"},
		{name: "allocate id used", given: active(), cmd: AllocateBudget{AllocationID: "alc-1", Date: d("2026-03-01")}, rule: "budget.allocation_exists", field: "allocation_id", kind: ErrConflict},
		{name: "allocate on closed", given: closed(), cmd: AllocateBudget{AllocationID: "alc-2", Date: d("2026-05-03")}, rule: "case.closed"},

		{name: "propose", given: active(), cmd: ProposeSpend{SpendID: "sp-1", Date: d("2026-03-01"), AmountCents: 40000, Instrument: InstrumentMaatbudget, Category: "washing_machine", ProposedBy: "c2"}, want: []Event{proposed}},
		{name: "propose unknown category", given: active(), cmd: ProposeSpend{SpendID: "sp-1", Date: d("2026-03-01"), AmountCents: 40000, Instrument: InstrumentMaatbudget, Category: "holiday", ProposedBy: "c2"}, rule: "budget.category", field: "category"},
		{name: "propose zero", given: active(), cmd: ProposeSpend{SpendID: "sp-1", Date: d("2026-03-01"), Instrument: InstrumentMaatbudget, Category: "furniture", ProposedBy: "c2"}, rule: "amount.positive", field: "amount_cents"},
		{name: "propose huge", given: active(), cmd: ProposeSpend{SpendID: "sp-1", Date: d("2026-03-01"), AmountCents: MaxAmountCents + 1, Instrument: InstrumentMaatbudget, Category: "furniture", ProposedBy: "c2"}, rule: "amount.too_large", field: "amount_cents"},
		{name: "propose id used", given: plus(active(), proposed), cmd: ProposeSpend{SpendID: "sp-1", Date: d("2026-03-01"), AmountCents: 1, Instrument: InstrumentMaatbudget, Category: "furniture", ProposedBy: "c2"}, rule: "spend.exists", field: "spend_id", kind: ErrConflict},
		{name: "propose on closed", given: closed(), cmd: ProposeSpend{SpendID: "sp-1", Date: d("2026-05-03"), AmountCents: 1, Instrument: InstrumentMaatbudget, Category: "furniture", ProposedBy: "c2"}, rule: "case.closed"},
		{name: "decide", given: plus(active(), proposed), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: VerdictApproved, Body: BodyTeam, DecidedBy: "k1"}, want: []Event{approvedBy(VerdictApproved)}},
		{name: "decide unproposed", given: active(), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: VerdictApproved, Body: BodyTeam, DecidedBy: "k1"}, rule: "spend.not_proposed", field: "spend_id", kind: ErrNotFound},
		{name: "decide twice", given: plus(active(), proposed, approvedBy(VerdictApproved)), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: VerdictRefused, Body: BodyTeam, DecidedBy: "k1"}, rule: "spend.decided", field: "spend_id", kind: ErrConflict},
		{name: "decide maatbudget by coordinator", given: plus(active(), proposed), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: VerdictApproved, Body: BodyCoordinator, DecidedBy: "k1"}, rule: "spend.body", field: "body"},
		{name: "decide delegated by team", given: plus(active(), delegated), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: VerdictApproved, Body: BodyTeam, DecidedBy: "k1"}, rule: "spend.body", field: "body"},
		{name: "decide delegated by a coach", given: plus(active(), delegated), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-03-05"), Verdict: VerdictApproved, Body: BodyCoordinator, DecidedBy: "c1"}, rule: "spend.decided_by", field: "decided_by"},
		{name: "decide before proposal", given: plus(active(), proposed), cmd: DecideSpend{SpendID: "sp-1", Date: d("2026-02-28"), Verdict: VerdictApproved, Body: BodyTeam, DecidedBy: "k1"}, rule: "date.order", field: "date"},

		{name: "record decided inline", given: active(), cmd: rec, want: []Event{recorded}},
		{name: "record from approved proposal", given: plus(active(), proposed, approvedBy(VerdictApproved)), cmd: with(rec, func(c *RecordSpend) { c.DecidedOn, c.Body = Date{}, "" }), want: []Event{with(recorded, func(e *SpendRecorded) { e.DecidedOn, e.ProposedBy = d("2026-03-05"), "c2" })}},
		{name: "record refused proposal", given: plus(active(), proposed, approvedBy(VerdictRefused)), cmd: rec, rule: "spend.not_approved", field: "spend_id"},
		{name: "record undecided proposal", given: plus(active(), proposed), cmd: rec, rule: "spend.not_approved", field: "spend_id"},
		{name: "record more than decided", given: plus(active(), proposed, approvedBy(VerdictApproved)), cmd: with(rec, func(c *RecordSpend) { c.AmountCents = 40001 }), rule: "spend.exceeds_decision", field: "amount_cents"},
		{name: "record decided proposal as urgent", given: plus(active(), proposed, approvedBy(VerdictApproved)), cmd: with(rec, func(c *RecordSpend) { c.Path = PathUrgent }), rule: "spend.path", field: "path"},
		{name: "record other instrument than decided", given: plus(active(), proposed, approvedBy(VerdictApproved)), cmd: with(rec, func(c *RecordSpend) { c.Instrument = InstrumentDelegatedDecision }), rule: "field.invalid", field: "instrument"},
		{name: "record urgent", given: active(), cmd: with(rec, func(c *RecordSpend) { c.Path, c.DecidedOn, c.Body = PathUrgent, Date{}, "" }), want: []Event{with(recorded, func(e *SpendRecorded) { e.Path, e.DecidedOn, e.Body = PathUrgent, Date{}, "" })}},
		{name: "record urgent with a decision", given: active(), cmd: with(rec, func(c *RecordSpend) { c.Path = PathUrgent }), rule: "spend.path", field: "decided_on"},
		{name: "record decided without decision date", given: active(), cmd: with(rec, func(c *RecordSpend) { c.DecidedOn = Date{} }), rule: "date.required", field: "decided_on"},
		{name: "record decided after purchase", given: active(), cmd: with(rec, func(c *RecordSpend) { c.DecidedOn = d("2026-03-11") }), rule: "date.order", field: "decided_on"},
		{name: "record without supplier", given: active(), cmd: with(rec, func(c *RecordSpend) { c.Supplier = "" }), rule: "spend.supplier", field: "supplier"},
		{name: "record zero amount", given: active(), cmd: with(rec, func(c *RecordSpend) { c.AmountCents = 0 }), rule: "amount.positive", field: "amount_cents"},
		{name: "record negative amount", given: active(), cmd: with(rec, func(c *RecordSpend) { c.AmountCents = -100 }), rule: "amount.positive", field: "amount_cents"},
		{name: "record on closed case", given: closed(), cmd: with(rec, func(c *RecordSpend) { c.Date = d("2026-05-02") }), rule: "case.closed"},
		{name: "record twice", given: plus(active(), recorded), cmd: rec, rule: "spend.recorded", field: "spend_id", kind: ErrConflict},
		{name: "record unknown funding", given: active(), cmd: with(rec, func(c *RecordSpend) { c.FundingSource = "lottery" }), rule: "budget.funding_source", field: "funding_source"},
		{name: "record maatbudget by coordinator", given: active(), cmd: with(rec, func(c *RecordSpend) { c.Body = BodyCoordinator }), rule: "spend.body", field: "body"},
		{name: "record delegated decision", given: active(), cmd: with(rec, func(c *RecordSpend) {
			c.Instrument, c.Category, c.Body = InstrumentDelegatedDecision, "energy_bill", BodyCoordinator
		}), want: []Event{with(recorded, func(e *SpendRecorded) {
			e.Instrument, e.Category, e.Body, e.FundingSource = InstrumentDelegatedDecision, "energy_bill", BodyCoordinator, "bcsd_delegated"
		})}},
		{name: "record delegated decision urgent", given: active(), cmd: with(rec, func(c *RecordSpend) {
			c.Instrument, c.Path, c.DecidedOn, c.Body = InstrumentDelegatedDecision, PathUrgent, Date{}, ""
		}), rule: "spend.body", field: "body"},
		{name: "delegated decision does not use the maatbudget", given: nearlySpent, cmd: with(rec, func(c *RecordSpend) {
			c.Instrument, c.Body, c.AmountCents = InstrumentDelegatedDecision, BodyCoordinator, 50000
		}), want: []Event{with(recorded, func(e *SpendRecorded) {
			e.Instrument, e.Body, e.AmountCents, e.FundingSource = InstrumentDelegatedDecision, BodyCoordinator, 50000, "bcsd_delegated"
		})}},
		{name: "spend exactly what is left", given: nearlySpent, cmd: with(rec, func(c *RecordSpend) { c.AmountCents = 10000 }), want: []Event{with(recorded, func(e *SpendRecorded) { e.AmountCents = 10000 })}},
		{name: "overspend refused", given: nearlySpent, cmd: with(rec, func(c *RecordSpend) { c.AmountCents = 10001 }), rule: "budget.overspend", field: "amount_cents"},
		{name: "overspend without allocation", given: plus(intake(), GuidanceStarted{Date: d("2026-01-21"), Trajectory: 1}), cmd: rec, rule: "budget.overspend", field: "amount_cents"},
		{name: "overspend with approval", given: plus(nearlySpent, OverspendApproved{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 25000, ApprovedBy: "k1"}), cmd: rec, want: []Event{with(recorded, func(e *SpendRecorded) { e.ApprovalID = "apr-1" })}},
		{name: "overspend beyond approval", given: plus(nearlySpent, OverspendApproved{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 24999, ApprovedBy: "k1"}), cmd: rec, rule: "budget.overspend", field: "amount_cents"},
		{name: "approval of another spend does not count", given: plus(nearlySpent, OverspendApproved{ApprovalID: "apr-1", SpendID: "sp-9", Date: d("2026-03-09"), AmountCents: 99999, ApprovedBy: "k1"}), cmd: rec, rule: "budget.overspend", field: "amount_cents"},
		{name: "reversal gives budget back", given: plus(nearlySpent, SpendReversed{SpendID: "sp-0", Date: d("2026-03-11"), Reason: ReversalRefunded}), cmd: with(rec, func(c *RecordSpend) { c.Date = d("2026-03-12") }), want: []Event{with(recorded, func(e *SpendRecorded) { e.Date = d("2026-03-12") })}},

		{name: "approve overspend", given: active(), cmd: ApproveOverspend{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 5000, ApprovedBy: "k1"}, want: []Event{OverspendApproved{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 5000, ApprovedBy: "k1"}}},
		{name: "approve overspend by a coach", given: active(), cmd: ApproveOverspend{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 5000, ApprovedBy: "c1"}, rule: "approval.decided_by", field: "approved_by"},
		{name: "approve overspend id used", given: plus(active(), OverspendApproved{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 5000, ApprovedBy: "k1"}), cmd: ApproveOverspend{ApprovalID: "apr-1", SpendID: "sp-2", Date: d("2026-03-09"), AmountCents: 5000, ApprovedBy: "k1"}, rule: "approval.exists", field: "approval_id", kind: ErrConflict},
		{name: "approve overspend of a recorded spend", given: plus(active(), recorded), cmd: ApproveOverspend{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 5000, ApprovedBy: "k1"}, rule: "spend.recorded", field: "spend_id", kind: ErrConflict},

		{name: "review urgent", given: plus(active(), spent("sp-u", 5000, PathUrgent)), cmd: ReviewSpend{SpendID: "sp-u", Date: d("2026-03-12"), Verdict: VerdictApproved, ReviewedBy: "k1"}, want: []Event{SpendReviewed{SpendID: "sp-u", Date: d("2026-03-12"), Verdict: VerdictApproved, ReviewedBy: "k1"}}},
		{name: "review a decided spend", given: plus(active(), recorded), cmd: ReviewSpend{SpendID: "sp-1", Date: d("2026-03-12"), Verdict: VerdictApproved, ReviewedBy: "k1"}, rule: "spend.not_urgent", field: "spend_id"},
		{name: "review twice", given: plus(active(), spent("sp-u", 5000, PathUrgent), SpendReviewed{SpendID: "sp-u", Date: d("2026-03-12"), Verdict: VerdictApproved, ReviewedBy: "k1"}), cmd: ReviewSpend{SpendID: "sp-u", Date: d("2026-03-13"), Verdict: VerdictApproved, ReviewedBy: "k1"}, rule: "spend.reviewed", field: "spend_id", kind: ErrConflict},
		{name: "review unknown", given: active(), cmd: ReviewSpend{SpendID: "sp-u", Date: d("2026-03-13"), Verdict: VerdictApproved, ReviewedBy: "k1"}, rule: "spend.unknown", field: "spend_id", kind: ErrNotFound},
		{name: "review before purchase", given: plus(active(), spent("sp-u", 5000, PathUrgent)), cmd: ReviewSpend{SpendID: "sp-u", Date: d("2026-03-09"), Verdict: VerdictApproved, ReviewedBy: "k1"}, rule: "date.order", field: "date"},
		{name: "review on closed case", given: plus(active(), spent("sp-u", 5000, PathUrgent), CaseClosed{Date: d("2026-05-01"), Reason: ClosurePositive, DecidedBy: "k1"}), cmd: ReviewSpend{SpendID: "sp-u", Date: d("2026-05-02"), Verdict: VerdictApproved, ReviewedBy: "k1"}, want: []Event{SpendReviewed{SpendID: "sp-u", Date: d("2026-05-02"), Verdict: VerdictApproved, ReviewedBy: "k1"}}},

		{name: "reverse", given: plus(active(), recorded), cmd: ReverseSpend{SpendID: "sp-1", Date: d("2026-03-20"), Reason: ReversalError}, want: []Event{SpendReversed{SpendID: "sp-1", Date: d("2026-03-20"), Reason: ReversalError}}},
		{name: "reverse twice", given: plus(active(), recorded, SpendReversed{SpendID: "sp-1", Date: d("2026-03-20"), Reason: ReversalError}), cmd: ReverseSpend{SpendID: "sp-1", Date: d("2026-03-21"), Reason: ReversalError}, rule: "spend.reversed", field: "spend_id", kind: ErrConflict},
		{name: "reverse unknown", given: active(), cmd: ReverseSpend{SpendID: "sp-1", Date: d("2026-03-21"), Reason: ReversalError}, rule: "spend.unknown", field: "spend_id", kind: ErrNotFound},
		{name: "reverse a proposal", given: plus(active(), proposed), cmd: ReverseSpend{SpendID: "sp-1", Date: d("2026-03-21"), Reason: ReversalError}, rule: "spend.unknown", field: "spend_id", kind: ErrNotFound},
		{name: "reverse before spend", given: plus(active(), recorded), cmd: ReverseSpend{SpendID: "sp-1", Date: d("2026-03-09"), Reason: ReversalError}, rule: "date.order", field: "date"},
		{name: "reverse bad reason", given: plus(active(), recorded), cmd: ReverseSpend{SpendID: "sp-1", Date: d("2026-03-20"), Reason: "whim"}, rule: "field.invalid", field: "reason"},

		{name: "cost avoidance", given: active(), cmd: RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, ActualCents: 198300, ComparisonCents: 579200, Basis: "matched_family_study", InitialReports: 3, FollowUpReports: 2}, want: []Event{CostAvoidanceRecorded{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, ActualCents: 198300, ComparisonCents: 579200, Basis: "matched_family_study", InitialReports: 3, FollowUpReports: 2}}},
		{name: "cost avoidance negative", given: active(), cmd: RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, ActualCents: -1, Basis: "estimate"}, rule: "amount.range", field: "actual_cents"},
		{name: "cost avoidance negative comparison", given: active(), cmd: RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, ComparisonCents: -1, Basis: "estimate"}, rule: "amount.range", field: "comparison_cents"},
		{name: "cost avoidance period reversed", given: active(), cmd: RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-04-01"), PeriodUntil: d("2026-01-30"), Category: CostPolice, Basis: "estimate"}, rule: "date.order", field: "period_until"},
		{name: "cost avoidance id used", given: plus(active(), CostAvoidanceRecorded{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, Basis: "estimate"}), cmd: RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-01"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, Basis: "estimate"}, rule: "cost.exists", field: "record_id", kind: ErrConflict},
	})
}

func TestErasure(t *testing.T) {
	retained := plus(closed(), RetentionSet{Date: d("2026-05-01"), Until: d("2026-05-20"), Basis: "short"})
	erased := plus(retained, FamilyErased{Date: d("2026-05-21"), Reason: ErasureRetentionExpired, ApprovedBy: "p1"})
	runFamilyCases(t, []familyCase{
		{name: "set retention", given: closed(), cmd: SetRetention{Date: d("2026-05-01"), Until: d("2031-05-01"), Basis: "closure_plus_5y"}, want: []Event{RetentionSet{Date: d("2026-05-01"), Until: d("2031-05-01"), Basis: "closure_plus_5y"}}},
		{name: "set retention without end", given: closed(), cmd: SetRetention{Date: d("2026-05-01"), Basis: "x"}, rule: "date.required", field: "until"},
		{name: "set retention free-text basis", given: closed(), cmd: SetRetention{Date: d("2026-05-01"), Until: d("2031-05-01"), Basis: "SECRET court case of Tom"}, rule: "field.invalid", field: "basis"},
		{name: "set hold", given: closed(), cmd: SetLegalHold{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}, want: []Event{LegalHoldSet{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}}},
		{name: "set hold twice", given: plus(closed(), LegalHoldSet{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}), cmd: SetLegalHold{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}, rule: "hold.exists", field: "hold_id", kind: ErrConflict},
		{name: "lift hold", given: plus(closed(), LegalHoldSet{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}), cmd: LiftLegalHold{HoldID: "h-1", Date: d("2026-05-03"), LiftedBy: "p1"}, want: []Event{LegalHoldLifted{HoldID: "h-1", Date: d("2026-05-03"), LiftedBy: "p1"}}},
		{name: "lift unknown hold", given: closed(), cmd: LiftLegalHold{HoldID: "h-1", Date: d("2026-05-03"), LiftedBy: "p1"}, rule: "hold.unknown", field: "hold_id", kind: ErrNotFound},
		{name: "erase on request", given: closed(), cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRequest, ApprovedBy: "p1"}, want: []Event{FamilyErased{Date: d("2026-05-21"), Reason: ErasureRequest, ApprovedBy: "p1"}}},
		{name: "erase after retention", given: retained, cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRetentionExpired, ApprovedBy: "p1"}, want: erased[len(retained):]},
		{name: "erase during retention", given: retained, cmd: EraseFamily{Date: d("2026-05-20"), Reason: ErasureRetentionExpired, ApprovedBy: "p1"}, rule: "erasure.retention_running", field: "reason"},
		{name: "erase without retention", given: closed(), cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRetentionExpired, ApprovedBy: "p1"}, rule: "erasure.retention_running", field: "reason"},
		{name: "erase under hold", given: plus(retained, LegalHoldSet{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}), cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRetentionExpired, ApprovedBy: "p1"}, rule: "erasure.legal_hold"},
		{name: "erase after hold lifted", given: plus(retained, LegalHoldSet{HoldID: "h-1", Date: d("2026-05-02"), Reason: "youth_court", SetBy: "p1"}, LegalHoldLifted{HoldID: "h-1", Date: d("2026-05-03"), LiftedBy: "p1"}), cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRetentionExpired, ApprovedBy: "p1"}, want: erased[len(retained):]},
		{name: "erase open case", given: active(), cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRequest, ApprovedBy: "p1"}, rule: "erasure.open_case"},
		{name: "erase approved by coordinator", given: closed(), cmd: EraseFamily{Date: d("2026-05-21"), Reason: ErasureRequest, ApprovedBy: "k1"}, rule: "erasure.approver", field: "approved_by"},
		{name: "erased family takes no contact", given: erased, cmd: LogContact{ContactID: "con-9", Date: d("2026-05-22"), Kind: ContactPhone, CoachID: "c1"}, rule: "family.erased"},
		{name: "erased family cannot be erased again", given: erased, cmd: EraseFamily{Date: d("2026-05-22"), Reason: ErasureRequest, ApprovedBy: "p1"}, rule: "family.erased"},
		{name: "erased family takes cost records", given: erased, cmd: RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-22"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, Basis: "estimate"}, want: []Event{CostAvoidanceRecorded{RecordID: "cost-1", Date: d("2026-05-22"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: CostPolice, Basis: "estimate"}}},
	})
}

func TestErasedFamilyForgetsSealedState(t *testing.T) {
	f := fold(plus(closed(), ContactLogged{ContactID: "con-1", Date: d("2026-03-01"), Kind: ContactPhone, CoachID: "c1", Sealed: ContactSealed{Note: "SECRET"}}, FamilyErased{Date: d("2026-05-21"), Reason: ErasureRequest, ApprovedBy: "p1"}))
	if !f.Erased || f.Contacts["con-1"].Sealed.Note != "" || f.Members["mem-p"].Sealed.Name != "" {
		t.Fatalf("erased family still holds personal data: %+v", f.Contacts["con-1"])
	}
	if f.Contacts["con-1"].Kind != ContactPhone || f.Members["mem-c"].Role != MemberChild {
		t.Fatalf("erasure lost public state")
	}
}

func TestDecideNeedsNow(t *testing.T) {
	_, err := fold(active()).Decide(EnterWaitingList{Date: d("2026-01-13")}, Env{})
	if err == nil || errors.Is(err, ErrRule) {
		t.Fatalf("want a programming error for a zero Env.Now, got %v", err)
	}
}

func TestZeroSettingsMeanDefaults(t *testing.T) {
	env := testEnv()
	env.Settings = TeamSettings{}
	evs, err := fold(intake()).Decide(StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1].(BudgetAllocated).AmountCents != 200000 {
		t.Fatalf("got %#v", evs)
	}
}
