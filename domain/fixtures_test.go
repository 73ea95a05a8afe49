package domain

import (
	"time"
)

// The fixtures: one family ("fam-1", police-referred on 2026-01-12), a
// team with default settings, and staff: c1 and c2 active coaches, cx an
// inactive coach, b1 back office, k1 coordinator, p1 privacy officer.
// "Today" is 2026-06-01. Every sealed text contains "SECRET" so tests can
// check that no error message leaks personal data.

const fam = FamilyID("fam-1")

var d = MustDate

func testEnv() Env {
	cat, err := BuiltinCatalogue()
	if err != nil {
		panic(err)
	}
	staff := map[StaffID]*Staff{}
	add := func(id StaffID, active bool, roles ...Role) {
		s := NewStaff(id)
		s.Apply(StaffRegistered{StaffID: id, Date: d("2025-01-01"), Login: string(id)})
		for _, r := range roles {
			s.Apply(RoleGranted{Role: r, Date: d("2025-01-01"), GrantedBy: "a1"})
		}
		if !active {
			s.Apply(StaffDeactivated{Date: d("2025-06-01"), By: "a1"})
		}
		staff[id] = s
	}
	add("c1", true, RoleCoach)
	add("c2", true, RoleCoach)
	add("cx", false, RoleCoach)
	add("b1", true, RoleBackOffice)
	add("k1", true, RoleCoordinator)
	add("p1", true, RolePrivacyOfficer)
	return Env{
		Now:         time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC),
		Settings:    DefaultTeamSettings(),
		Instruments: cat,
		Staff:       staff,
	}
}

func referred() []Event {
	return []Event{FamilyReferred{FamilyID: fam, Date: d("2026-01-12"), Source: SourcePolice, ReferringOrg: "Politie Gent", ConsentGiven: true, ConsentForm: FormWritten, Problems: []LifeDomain{DomainSafety}, Children: 2, Adults: 1, Sealed: FamilyReferredSealed{FamilyName: "SECRET Janssens"}}}
}

func withMembers() []Event {
	return plus(referred(),
		MemberAdded{MemberID: "mem-p", Date: d("2026-01-12"), Role: MemberParent, BirthYear: 1990, Sealed: MemberSealed{Name: "SECRET An"}},
		MemberAdded{MemberID: "mem-c", Date: d("2026-01-12"), Role: MemberChild, BirthYear: 2015, Sealed: MemberSealed{Name: "SECRET Tom"}},
	)
}

func intake() []Event {
	return plus(withMembers(), IntakeHeld{Date: d("2026-01-20"), Attendees: []Attendee{AttendeeParent, AttendeeCoach}, CoachID: "c1", DefinitiveConsent: true, ConsentForm: FormWritten})
}

func active() []Event {
	return plus(intake(),
		GuidanceStarted{Date: d("2026-01-21"), Trajectory: 1},
		BudgetAllocated{AllocationID: "alc-1", Date: d("2026-01-21"), Trajectory: 1, AmountCents: 200000, Source: SourcePolice, FundingSource: "maatbudget"},
		CoachAssigned{Date: d("2026-01-21"), CoachID: "c1", Reason: AssignStart},
	)
}

func closed() []Event {
	return plus(active(), CaseClosed{Date: d("2026-05-01"), Reason: ClosurePositive, DecidedBy: "k1"})
}

// plus returns a new history: base followed by more (base is not shared).
func plus(base []Event, more ...Event) []Event {
	out := make([]Event, 0, len(base)+len(more))
	return append(append(out, base...), more...)
}

func fold(evs []Event) *Family {
	f := NewFamily(fam)
	for _, e := range evs {
		f.Apply(e)
	}
	return f
}

// with returns v changed by mod: a valid command made invalid in one field.
func with[T any](v T, mod func(*T)) T {
	mod(&v)
	return v
}

func consentScope() ConsentScope {
	return ConsentScope{Action: ActionShare, RecipientOrg: "CLB Gent", RecipientCategory: RecipientCLB, Purpose: PurposeSchool, DataCategories: []DataCategory{DataSchool, DataHealth}, From: d("2026-02-01"), Until: d("2026-12-31")}
}

func consentGiven() Event {
	return ConsentGiven{ConsentID: "cst-1", Date: d("2026-02-01"), GrantorID: "mem-p", Scope: consentScope(), Form: FormWritten}
}

func disclose() Disclose {
	return Disclose{DisclosureID: "dis-1", Date: d("2026-03-01"), RecipientOrg: "CLB Gent", RecipientRole: "CLB-medewerker", RecipientCategory: RecipientCLB, DataCategories: []DataCategory{DataHealth}, Purpose: PurposeSchool, LegalBasis: BasisConsent, ConsentID: "cst-1", DecidedBy: "c1", Sealed: DisclosureSealed{Summary: "SECRET allergy"}}
}

func disclosed(id DisclosureID, cat RecipientCategory, confidential bool) Event {
	return DisclosureMade{DisclosureID: id, Date: d("2026-03-01"), RecipientOrg: "Org", RecipientRole: "role", RecipientCategory: cat, DataCategories: []DataCategory{DataGuidanceProgress}, Purpose: PurposeParketStatus, LegalBasis: BasisParketRequest, DecidedBy: "c1", Confidential: confidential}
}

func recordSpend() RecordSpend {
	return RecordSpend{SpendID: "sp-1", Date: d("2026-03-10"), AmountCents: 35000, Instrument: InstrumentMaatbudget, Category: "washing_machine", Supplier: "Elektro bv", ReceiptRef: "INV-1", Path: PathTeamDecision, DecidedOn: d("2026-03-09"), Body: BodyTeam, ProposedBy: "c1", Sealed: JustificationSealed{Justification: "SECRET five people"}}
}

func spent(id SpendID, cents int64, path SpendPath) Event {
	e := SpendRecorded{SpendID: id, Date: d("2026-03-10"), Trajectory: 1, AmountCents: cents, Instrument: InstrumentMaatbudget, Category: "furniture", Supplier: "Shop", FundingSource: "maatbudget", Path: path, ProposedBy: "c1"}
	if path == PathTeamDecision {
		e.DecidedOn, e.Body = d("2026-03-09"), BodyTeam
	}
	return e
}

func assess(moment AssessmentMoment, items ...ItemAnswer) RegisterAssessment {
	return RegisterAssessment{AssessmentID: AssessmentID("as-" + string(moment)), Date: d("2026-02-10"), InstrumentID: LeefsituatieID, InstrumentVersion: 1, Moment: moment, Items: items, CoachID: "c1"}
}

func scored(item string, level int) ItemAnswer {
	return ItemAnswer{Item: item, Status: AnswerScored, Level: level}
}
