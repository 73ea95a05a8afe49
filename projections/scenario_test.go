package projections_test

// A scripted (not random) year of a 7-coach, 50-family team, played through
// the ledger on a real Pebble store with a real key file store and Sealer,
// then folded by every read model through a Runner. Every expected value
// below is computed by hand from the script; the comments show how.
//
// The script (all dates 2025; family i = 1..50 is "fNN"):
//   - source: police when i%5 is 1 or 2 (20 families), clb when 3 (10),
//     school when 4 (10), kind_en_gezin when 0 (10). Children = 1 + i%3.
//   - referred on Jan 1 + 2(i-1) days (f01 Jan 1 .. f50 Apr 9).
//   - families 1..45: intake ref+7 and guidance ref+14 (so start_i =
//     Jan 15 + 2(i-1)) with coach c((i-1)%7+1).
//   - families 46..50 wait from ref+1; on Jun 3 46, 47, 48 are taken in
//     (intake Jun 5, guidance Jun 12), 49 leaves for the OCJ (MANO), 50
//     still waits at the end of the year.
//   - closures: 1..6 positive, 7..8 unsuccessful, 9..10 handed over, all on
//     Sep 30 (T1 registered Sep 29); 11 positive Jun 30 (T1 Jun 27),
//     reopened Aug 1 (intake Aug 5, guidance Aug 12); 12 positive Oct 31
//     (T1 Oct 30) and erased on Dec 30, the script's last step.
//   - leefsituatie T0 at start+7 for families 1..40: domain k (0..8) at
//     level 1 + (i+k)%3. T1 level: T0+1 for 1..6, 11, 12; T0 for 7, 8;
//     T0+2 for 9, 10.
//   - contacts: a home visit every 14 days from start+7 while the case is
//     open; families 13 and 14 have none after Oct 31.
//   - budget (trajectory 1): police: furniture EUR 250 at start+21 (team
//     decision) and cleaning supplies EUR 100 at start+28 (urgent, reviewed
//     start+35); others: school bills EUR 75 at start+21. Delegated
//     decision (energy bill EUR 200) for 3, 13, 23, 33, 43: proposed
//     start+30, decided by the coordinator start+31, paid start+32. The
//     furniture of f01 (Feb 5) is reversed on Mar 1.
//   - parket: every police family is made known at the start of guidance.
//     f01 and f02: status requested May 1 (due May 31), reported May 20;
//     f01 told on May 20 before the report, f02 told on May 25. f07: a
//     confidential worry report (art. 458bis) on Apr 1. f16: status
//     requested Dec 1, due Dec 20, still open.
//   - privacy: i%4==0 (12 families): consent to share income and debts with
//     the Sociaal Huis at start+3, disclosure on it at start+4, the family
//     told the same day except f08 and f16. On Jun 2 f24's withdrawal is
//     recorded, dated start+4 (Mar 6): the day of the disclosure.
//     Views: each coach views its family's timeline on the first working
//     day after start+1 at 10:30; c2 breaks the glass on f01 on Saturday
//     Mar 8 at 22:00; the back office is refused f03 on Mar 10; c1 is on
//     holiday Jul 14..25 and c2 covers c1's seven open families (arranged
//     Jul 7); on Jul 16 c2 views f08 (cover) and c3 views f15 (no cover).

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"spoor/demo"
	"spoor/domain"
	"spoor/ledger"
	"spoor/projections"
	"spoor/projections/assessments"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/projections/staff"
	"spoor/projections/timeline"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

func brussels() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

func day(m time.Month, d int) domain.Date { return domain.NewDate(2025, m, d) }

// script builds the year's steps (see the file comment).
type script struct {
	loc   *time.Location
	steps []demo.Step
}

func (s *script) add(d domain.Date, hh, mm int, by store.Actor, fam domain.FamilyID, cmd any) {
	s.steps = append(s.steps, demo.Step{At: time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, s.loc), Actor: by, Family: fam, Cmd: cmd})
}

func famID(i int) domain.FamilyID  { return domain.FamilyID(fmt.Sprintf("f%02d", i)) }
func coachOf(i int) domain.StaffID { return domain.StaffID(fmt.Sprintf("c%d", (i-1)%7+1)) }
func police(i int) bool            { return i%5 == 1 || i%5 == 2 }

func sourceOf(i int) domain.ReferralSource {
	switch i % 5 {
	case 1, 2:
		return domain.SourcePolice
	case 3:
		return domain.SourceCLB
	case 4:
		return domain.SourceSchool
	}
	return domain.SourceKindEnGezin
}

func refOf(i int) domain.Date { return day(time.January, 1).AddDays(2 * (i - 1)) }

func startOf(i int) domain.Date {
	if i >= 46 {
		return day(time.June, 12)
	}
	return refOf(i).AddDays(14)
}

// workday is the first Monday..Friday on or after d.
func workday(d domain.Date) domain.Date {
	for d.Time().Weekday() == time.Saturday || d.Time().Weekday() == time.Sunday {
		d = d.AddDays(1)
	}
	return d
}

func closeOf(i int) (domain.Date, domain.ClosureReason) {
	switch {
	case i <= 6:
		return day(time.September, 30), domain.ClosurePositive
	case i <= 8:
		return day(time.September, 30), domain.ClosureUnsuccessful
	case i <= 10:
		return day(time.September, 30), domain.ClosureHandedOver
	case i == 11:
		return day(time.June, 30), domain.ClosurePositive
	case i == 12:
		return day(time.October, 31), domain.ClosurePositive
	}
	return domain.Date{}, ""
}

func t0Level(i, k int) int { return 1 + (i+k)%3 }

func t1Delta(i int) int {
	switch {
	case i == 7 || i == 8:
		return 0
	case i == 9 || i == 10:
		return 2
	}
	return 1
}

func buildScript() []demo.Step {
	s := &script{loc: brussels()}
	act := func(id domain.StaffID, r domain.Role) store.Actor {
		return store.Actor{UserID: string(id), Role: string(r)}
	}
	admin := act("admin", domain.RoleAdmin)
	co := act("co", domain.RoleCoordinator)
	coach := func(id domain.StaffID) store.Actor { return act(id, domain.RoleCoach) }
	jan1 := day(time.January, 1)
	staffIDs := []domain.StaffID{"admin", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "co", "po", "bo"}
	roles := []domain.Role{domain.RoleAdmin, domain.RoleCoach, domain.RoleCoach, domain.RoleCoach, domain.RoleCoach, domain.RoleCoach, domain.RoleCoach, domain.RoleCoach, domain.RoleCoordinator, domain.RolePrivacyOfficer, domain.RoleBackOffice}
	for k, id := range staffIDs {
		at := time.Date(2025, 1, 1, 7, 0, k, 0, s.loc)
		s.steps = append(s.steps,
			demo.Step{At: at, Actor: admin, Staff: id, Cmd: domain.RegisterStaff{StaffID: id, Date: jan1, Login: "user-" + string(id), DisplayName: "Medewerker " + string(id)}},
			demo.Step{At: at, Actor: admin, Staff: id, Cmd: domain.GrantRole{Role: roles[k], Date: jan1, By: "admin"}})
	}
	for i := 1; i <= 50; i++ {
		f := famID(i)
		c := coachOf(i)
		ref := refOf(i)
		s.add(ref, 8, 0, co, f, domain.Refer{FamilyID: f, Date: ref, Source: sourceOf(i), ReferringOrg: "Verwijzer " + string(sourceOf(i)), ConsentGiven: true, ConsentForm: domain.FormWritten,
			Problems: []domain.LifeDomain{domain.DomainHousing}, Children: 1 + i%3, Adults: 1, Sealed: domain.FamilyReferredSealed{FamilyName: fmt.Sprintf("Familie Test%02d", i)}})
		s.add(ref, 8, 1, co, f, domain.AddMember{MemberID: "m1", Date: ref, Role: domain.MemberParent, BirthYear: 1990, Sealed: domain.MemberSealed{Name: "Ouder"}})
		s.add(ref, 8, 2, co, f, domain.AddMember{MemberID: "m2", Date: ref, Role: domain.MemberChild, BirthYear: 2018, Sealed: domain.MemberSealed{Name: "Kind"}})
		intake := ref.AddDays(7)
		if i >= 46 {
			s.add(ref.AddDays(1), 8, 5, co, f, domain.EnterWaitingList{Date: ref.AddDays(1)})
			switch i {
			case 49:
				s.add(day(time.June, 3), 8, 5, co, f, domain.LeaveWaitingList{Date: day(time.June, 3), Outcome: domain.WaitingReferredOCJ})
				continue
			case 50:
				continue
			}
			s.add(day(time.June, 3), 8, 5, co, f, domain.LeaveWaitingList{Date: day(time.June, 3), Outcome: domain.WaitingTakenIn})
			intake = day(time.June, 5)
		}
		start := startOf(i)
		s.add(intake, 8, 10, coach(c), f, domain.HoldIntake{Date: intake, Attendees: []domain.Attendee{domain.AttendeeParent, domain.AttendeeCoach}, CoachID: c, DefinitiveConsent: true, ConsentForm: domain.FormWritten})
		s.add(start, 8, 15, co, f, domain.StartGuidance{Date: start, AllocationID: domain.AllocationID("a1-" + string(f)), CoachID: c})
		if police(i) {
			s.add(start, 8, 16, co, f, domain.RecordParketStep{Step: domain.TypeParketInformed, Date: start})
		}
		vd := workday(start.AddDays(1))
		s.add(vd, 10, 30, coach(c), f, domain.ViewRecord{FamilyID: f, UserID: c, Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeGuidance})
		if i <= 40 {
			var items []domain.ItemAnswer
			for k, d := range domain.LifeDomains() {
				items = append(items, domain.ItemAnswer{Item: string(d), Status: domain.AnswerScored, Level: t0Level(i, k)})
			}
			t0 := start.AddDays(7)
			s.add(t0, 8, 20, coach(c), f, domain.RegisterAssessment{AssessmentID: "t0-" + domain.AssessmentID(f), Date: t0, InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: domain.MomentT0, Items: items, CoachID: c})
		}
		closeOn, reason := closeOf(i)
		lastContact := day(time.December, 31)
		if !closeOn.IsZero() {
			lastContact = closeOn.AddDays(-1)
		}
		if i == 13 || i == 14 {
			lastContact = day(time.October, 31)
		}
		n := 0
		for d := start.AddDays(7); !d.After(lastContact); d = d.AddDays(14) {
			n++
			s.add(d, 9, 0, coach(c), f, domain.LogContact{ContactID: domain.ContactID(fmt.Sprintf("k%d", n)), Date: d, Kind: domain.ContactHomeVisitAnnounced, DurationMinutes: 60, LifeDomains: []domain.LifeDomain{domain.DomainHousing}, CoachID: c,
				Sealed: domain.ContactSealed{Note: "Huisbezoek, woning opgeruimd."}})
		}
		// budget
		s1 := start.AddDays(21)
		if police(i) {
			s.add(s1, 9, 30, coach(c), f, domain.RecordSpend{SpendID: "s1", Date: s1, AmountCents: 25000, Instrument: domain.InstrumentMaatbudget, Category: "furniture", Supplier: "Kringwinkel", Path: domain.PathTeamDecision, DecidedOn: s1, Body: domain.BodyTeam, ProposedBy: c})
			s2 := start.AddDays(28)
			s.add(s2, 9, 30, coach(c), f, domain.RecordSpend{SpendID: "s2", Date: s2, AmountCents: 10000, Instrument: domain.InstrumentMaatbudget, Category: "cleaning_supplies", Supplier: "Supermarkt", Path: domain.PathUrgent, ProposedBy: c})
			s.add(start.AddDays(35), 9, 30, co, f, domain.ReviewSpend{SpendID: "s2", Date: start.AddDays(35), Verdict: domain.VerdictApproved, ReviewedBy: "co"})
		} else {
			s.add(s1, 9, 30, coach(c), f, domain.RecordSpend{SpendID: "s1", Date: s1, AmountCents: 7500, Instrument: domain.InstrumentMaatbudget, Category: "school_bills_and_supplies", Supplier: "Basisschool", Path: domain.PathTeamDecision, DecidedOn: s1, Body: domain.BodyTeam, ProposedBy: c})
		}
		if i%10 == 3 {
			s.add(start.AddDays(30), 9, 40, coach(c), f, domain.ProposeSpend{SpendID: "d1", Date: start.AddDays(30), AmountCents: 20000, Instrument: domain.InstrumentDelegatedDecision, Category: "energy_bill", ProposedBy: c})
			s.add(start.AddDays(31), 9, 40, co, f, domain.DecideSpend{SpendID: "d1", Date: start.AddDays(31), Verdict: domain.VerdictApproved, Body: domain.BodyCoordinator, DecidedBy: "co"})
			s.add(start.AddDays(32), 9, 40, coach(c), f, domain.RecordSpend{SpendID: "d1", Date: start.AddDays(32), AmountCents: 20000, Instrument: domain.InstrumentDelegatedDecision, Category: "energy_bill", Supplier: "Energieleverancier", Path: domain.PathTeamDecision, ProposedBy: c})
		}
		// consent and disclosure
		if i%4 == 0 {
			cd, dd := start.AddDays(3), start.AddDays(4)
			cid := domain.ConsentID("cons-" + string(f))
			s.add(cd, 10, 0, coach(c), f, domain.GiveConsent{ConsentID: cid, Date: cd, GrantorID: "m1", Form: domain.FormWritten, Scope: domain.ConsentScope{Action: domain.ActionShare, RecipientOrg: "Sociaal Huis Demostad",
				RecipientCategory: domain.RecipientOCMW, Purpose: domain.PurposeDebtMediation, DataCategories: []domain.DataCategory{domain.DataIncome, domain.DataDebts}, From: cd, Until: cd.AddDays(365)}})
			did := domain.DisclosureID("disc-" + string(f))
			s.add(dd, 10, 5, coach(c), f, domain.Disclose{DisclosureID: did, Date: dd, RecipientOrg: "Sociaal Huis Demostad", RecipientRole: "schuldbemiddelaar", RecipientCategory: domain.RecipientOCMW,
				DataCategories: []domain.DataCategory{domain.DataIncome, domain.DataDebts}, Purpose: domain.PurposeDebtMediation, LegalBasis: domain.BasisConsent, ConsentID: cid, DecidedBy: c})
			if i != 8 && i != 16 {
				s.add(dd, 10, 6, coach(c), f, domain.InformFamily{DisclosureID: did, Date: dd, Form: domain.FormVerbal})
			}
			if i == 24 {
				s.add(day(time.June, 2), 10, 0, coach(c), f, domain.WithdrawConsent{ConsentID: cid, Date: dd, Form: domain.FormVerbal})
			}
		}
		// closure, T1, reopening
		if !closeOn.IsZero() {
			var items []domain.ItemAnswer
			for k, d := range domain.LifeDomains() {
				items = append(items, domain.ItemAnswer{Item: string(d), Status: domain.AnswerScored, Level: t0Level(i, k) + t1Delta(i)})
			}
			t1 := closeOn.AddDays(-1)
			if i == 11 {
				t1 = day(time.June, 27)
			}
			s.add(t1, 8, 20, coach(c), f, domain.RegisterAssessment{AssessmentID: "t1-" + domain.AssessmentID(f), Date: t1, InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: domain.MomentT1, Items: items, CoachID: c})
			ho := ""
			if reason == domain.ClosureHandedOver {
				ho = "Sociaal Huis Demostad"
			}
			s.add(closeOn, 16, 0, co, f, domain.CloseCase{Date: closeOn, Reason: reason, HandedOverTo: ho, DecidedBy: "co"})
		}
		if i == 11 {
			s.add(day(time.August, 1), 8, 0, co, f, domain.ReopenCase{Date: day(time.August, 1)})
			s.add(day(time.August, 5), 8, 10, coach(c), f, domain.HoldIntake{Date: day(time.August, 5), Attendees: []domain.Attendee{domain.AttendeeParent, domain.AttendeeCoach}, CoachID: c, DefinitiveConsent: true, ConsentForm: domain.FormWritten})
			s.add(day(time.August, 12), 8, 15, co, f, domain.StartGuidance{Date: day(time.August, 12), AllocationID: "a2-f11"})
			n := 100
			for d := day(time.August, 19); !d.After(day(time.December, 31)); d = d.AddDays(14) {
				n++
				s.add(d, 9, 0, coach(c), f, domain.LogContact{ContactID: domain.ContactID(fmt.Sprintf("k%d", n)), Date: d, Kind: domain.ContactPhone, DurationMinutes: 15, CoachID: c})
			}
		}
	}
	// the reversal of f01's furniture
	s.add(day(time.March, 1), 11, 0, co, famID(1), domain.ReverseSpend{SpendID: "s1", Date: day(time.March, 1), Reason: domain.ReversalRefunded})
	// parket
	for _, i := range []int{1, 2} {
		f := famID(i)
		s.add(day(time.May, 1), 11, 0, co, f, domain.RecordParketStep{Step: domain.TypeParketStatusRequested, Date: day(time.May, 1), RequestID: "r1", DueDate: day(time.May, 31)})
		did := domain.DisclosureID("parket-" + string(f))
		s.add(day(time.May, 20), 11, 0, coach(coachOf(i)), f, domain.Disclose{DisclosureID: did, Date: day(time.May, 20), RecipientOrg: "Parket Demostad", RecipientRole: "jeugdmagistraat", RecipientCategory: domain.RecipientParket,
			DataCategories: []domain.DataCategory{domain.DataGuidanceProgress}, Purpose: domain.PurposeParketStatus, LegalBasis: domain.BasisParketRequest, DecidedBy: coachOf(i)})
		if i == 1 {
			s.add(day(time.May, 20), 11, 1, coach(coachOf(i)), f, domain.InformFamily{DisclosureID: did, Date: day(time.May, 20), Form: domain.FormVerbal})
		} else {
			s.add(day(time.May, 25), 11, 1, coach(coachOf(i)), f, domain.InformFamily{DisclosureID: did, Date: day(time.May, 25), Form: domain.FormVerbal})
		}
		s.add(day(time.May, 20), 11, 2, co, f, domain.RecordParketStep{Step: domain.TypeParketStatusReported, Date: day(time.May, 20), RequestID: "r1", DisclosureID: did})
	}
	s.add(day(time.April, 1), 11, 0, co, famID(7), domain.Disclose{DisclosureID: "worry-f07", Date: day(time.April, 1), RecipientOrg: "Parket Demostad", RecipientRole: "procureur des Konings", RecipientCategory: domain.RecipientParket,
		DataCategories: []domain.DataCategory{domain.DataSafety}, Purpose: domain.PurposeChildSafety, LegalBasis: domain.BasisDanger458bis, DecidedBy: "co", Confidential: true})
	s.add(day(time.April, 1), 11, 1, co, famID(7), domain.RecordParketStep{Step: domain.TypeParketWorryReported, Date: day(time.April, 1), DisclosureID: "worry-f07"})
	s.add(day(time.December, 1), 11, 0, co, famID(16), domain.RecordParketStep{Step: domain.TypeParketStatusRequested, Date: day(time.December, 1), RequestID: "r1", DueDate: day(time.December, 20)})
	// accesses beyond the coaches' first views
	s.add(day(time.March, 8), 22, 0, coach("c2"), famID(1), domain.ViewRecord{FamilyID: famID(1), UserID: "c2", Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeChildSafety, BreakGlass: true, Reason: domain.GlassUrgentSafety})
	s.add(day(time.March, 10), 10, 0, act("bo", domain.RoleBackOffice), famID(3), domain.RefuseAccess{FamilyID: famID(3), UserID: "bo", Role: domain.RoleBackOffice, Part: domain.PartTimeline, Purpose: domain.PurposeDebtMediation, Rule: "role.back_office"})
	for _, i := range []int{1, 8, 15, 22, 29, 36, 43} {
		s.add(day(time.July, 7), 12, 0, co, famID(i), domain.ArrangeCover{CoverID: "holiday-c1", CoachID: "c2", ForCoachID: "c1", From: day(time.July, 14), Until: day(time.July, 25), Reason: domain.CoverHoliday})
	}
	s.add(day(time.July, 16), 10, 30, coach("c2"), famID(8), domain.ViewRecord{FamilyID: famID(8), UserID: "c2", Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeCover})
	s.add(day(time.July, 16), 10, 40, coach("c3"), famID(15), domain.ViewRecord{FamilyID: famID(15), UserID: "c3", Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeGuidance})
	// the erasure of f12 is the last step
	s.add(day(time.December, 30), 15, 0, act("po", domain.RolePrivacyOfficer), famID(12), domain.EraseFamily{Date: day(time.December, 30), Reason: domain.ErasureRequest, ApprovedBy: "po"})
	slices.SortStableFunc(s.steps, func(a, b demo.Step) int { return a.At.Compare(b.At) })
	return s.steps
}

// readModels is one of each read model, fed together by a Runner.
type readModels struct {
	caseload    *caseload.Model
	parket      *parket.Model
	privacy     *privacy.Model
	budget      *budget.Model
	outcomes    *outcomes.Model
	timeline    *timeline.Model
	assessments *assessments.Model
	staff       *staff.Model
}

func newReadModels(t testing.TB) *readModels {
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return &readModels{
		caseload: caseload.New(domain.DefaultTeamSettings()), parket: parket.New(), privacy: privacy.New(privacy.DefaultOptions()),
		budget: budget.New(), outcomes: outcomes.New(cat), timeline: timeline.New(), assessments: assessments.New(cat, assessments.DefaultOptions()), staff: staff.New(),
	}
}

func (m *readModels) list() []projections.Model {
	return []projections.Model{m.caseload, m.parket, m.privacy, m.budget, m.outcomes, m.timeline, m.assessments, m.staff}
}

// rebuild feeds fresh read models from st with a Runner.
func rebuild(t testing.TB, st projections.Source) *readModels {
	t.Helper()
	m := newReadModels(t)
	r, err := projections.NewRunner(st, m.list(), projections.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

// statistics are the answers that must survive crypto-shredding.
func statistics(t *testing.T, m *readModels) string {
	t.Helper()
	council, err := m.budget.CouncilReport(day(time.January, 1), day(time.December, 31), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	report, err := m.outcomes.Report(outcomes.Period{From: day(time.January, 1), To: day(time.December, 31)}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"council": council, "outcomes": report, "parket": m.parket.Counts(time.Time{}), "families": m.budget.Families(time.Time{})})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestScenarioTeamYear(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a year through the ledger")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := pebble.Open(filepath.Join(dir, "log"), pebble.Options{ColdWAL: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := keyfile.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	kek := make([]byte, store.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	sealer, err := store.NewSealer(kek, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := demo.NewClock(nil)
	var n atomic.Int64
	svc, err := ledger.New(st, sealer, clock.Now, func() string { return fmt.Sprintf("ev-%07d", n.Add(1)) }, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps := buildScript()
	if _, err := demo.Play(ctx, svc, clock, steps[:len(steps)-1]); err != nil {
		t.Fatal(err)
	}
	before := statistics(t, rebuild(t, st))
	if _, err := demo.Play(ctx, svc, clock, steps[len(steps)-1:]); err != nil {
		t.Fatal(err)
	}
	m := rebuild(t, st)
	loc := brussels()
	endOf := func(d domain.Date) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, loc) }
	dec31 := day(time.December, 31)

	t.Run("caseload", func(t *testing.T) {
		// Mar 31: guidance for i <= 38 (start Jan 15 + 2(i-1) <= Mar 31),
		// intake for 39..42 (intake Jan 8 + 2(i-1)), referred 43..45; 46..50
		// not referred yet. Load: 18 police families among 1..42 (i%5 in
		// {1,2}) at 1.0 and 24 others at 0.5 = 30.
		sum := m.caseload.Summary(endOf(day(time.March, 31)))
		want := map[string]int{caseload.StatusReferred: 3, caseload.StatusWaiting: 0, caseload.StatusNotTakenIn: 0, caseload.StatusIntake: 4, caseload.StatusGuidance: 38, caseload.StatusClosed: 0}
		if sum.Families != 45 || !reflect.DeepEqual(sum.ByStatus, want) || sum.Load != 30 {
			t.Errorf("Mar 31: %d families, %v, load %v; want 45, %v, 30", sum.Families, sum.ByStatus, sum.Load, want)
		}
		// c1 on Mar 31: 1 (police), 8 (clb), 15 (kind_en_gezin), 22 (police),
		// 29 (school), 36 (police) = 3 x 1.0 + 3 x 0.5 = 4.5; 43 is referred only.
		c1 := m.caseload.Coach("c1", endOf(day(time.March, 31)), day(time.March, 31))
		if c1.Load != 4.5 || len(c1.Families) != 6 || c1.Left != 1.5 {
			t.Errorf("c1 on Mar 31: load %v, %d families, left %v; want 4.5, 6, 1.5", c1.Load, len(c1.Families), c1.Left)
		}
		// End of year: closed 1..10 and 12; guidance 11 (reopened) and 13..48;
		// 49 not taken in; 50 waiting. Load: police among {11, 13..48} = 15,
		// others 22: 15 + 11 = 26.
		sum = m.caseload.Summary(time.Time{})
		want = map[string]int{caseload.StatusReferred: 0, caseload.StatusWaiting: 1, caseload.StatusNotTakenIn: 1, caseload.StatusIntake: 0, caseload.StatusGuidance: 37, caseload.StatusClosed: 11}
		if sum.Families != 50 || !reflect.DeepEqual(sum.ByStatus, want) || sum.Load != 26 {
			t.Errorf("end: %d families, %v, load %v; want 50, %v, 26", sum.Families, sum.ByStatus, sum.Load, want)
		}
		// c1 at the end: 15 (0.5), 22 (1), 29 (0.5), 36 (1), 43 (0.5) = 3.5.
		if c1 := m.caseload.Coach("c1", time.Time{}, dec31); c1.Load != 3.5 || len(c1.Families) != 5 {
			t.Errorf("c1 at the end: load %v, %d families; want 3.5, 5", c1.Load, len(c1.Families))
		}
		// Waiting list: f50 since Apr 10 (ref Apr 9 + 1): Apr 10 .. Dec 31 is
		// 20+31+30+31+31+30+31+30+31 = 265 days. On May 1: 46..50.
		wl := m.caseload.WaitingList(time.Time{}, dec31)
		if len(wl) != 1 || wl[0].FamilyID != "f50" || wl[0].DaysWaiting != 265 {
			t.Errorf("waiting list at the end: %+v; want f50 for 265 days", wl)
		}
		if wl := m.caseload.WaitingList(endOf(day(time.May, 1)), day(time.May, 1)); len(wl) != 5 || wl[0].FamilyID != "f46" {
			t.Errorf("waiting list on May 1: %+v; want f46..f50", wl)
		}
		// No contact for more than 21 days on Dec 31: f13's last visit is
		// Feb 15 + 18 x 14 days = Oct 25 (67 days), f14's Feb 17 + 252 days =
		// Oct 27 (65 days); everybody else has a visit every 14 days.
		nc := m.caseload.NoContact(time.Time{}, dec31, 21)
		var got []string
		for _, c := range nc {
			got = append(got, fmt.Sprintf("%s:%d", c.FamilyID, c.DaysWithoutContact))
		}
		if !reflect.DeepEqual(got, []string{"f13:67", "f14:65"}) {
			t.Errorf("no contact: %v; want [f13:67 f14:65]", got)
		}
		// Quarterly review (every 91 days after the later of the guidance
		// start and the last registration of the trajectory): on Dec 31 all
		// 37 families in guidance are overdue; the most overdue is f13
		// (T0 Feb 15, due May 17: 228 days late).
		rd := m.caseload.ReviewsDue(time.Time{}, dec31, 0)
		if len(rd) != 37 || rd[0].FamilyID != "f13" || rd[0].Due != day(time.May, 17) || rd[0].DaysOverdue != 228 {
			t.Errorf("reviews due: %d, first %+v; want 37, f13 due 2025-05-17, 228 days", len(rd), rd[0])
		}
		// One more police family for c1 at the end: 3.5 + 1.0 <= 6.
		if chk, err := m.caseload.WouldExceed("c1", domain.SourcePolice, time.Time{}); err != nil || chk.After != 4.5 || chk.Exceeds {
			t.Errorf("c1 with one more police family: %+v, %v; want 4.5, not exceeding", chk, err)
		}
		// c2 covers c1's seven open families during Jul 14..25.
		if cv := m.caseload.Covers(time.Time{}, day(time.July, 16)); len(cv) != 7 {
			t.Errorf("covers on Jul 16: %d; want 7", len(cv))
		}
	})

	t.Run("parket", func(t *testing.T) {
		// 20 police families made known; f01, f02 reported, f07 worry, f16
		// open request: known 16; 30 other families not known.
		want := map[domain.ParketState]int{domain.ParketStateNotKnown: 30, domain.ParketStateKnown: 16, domain.ParketStateStatusRequested: 1, domain.ParketStateStatusReported: 2,
			domain.ParketStateWorryReported: 1, domain.ParketStateReferredOCJ: 0, domain.ParketStateYouthCourt: 0, domain.ParketStateClosed: 0}
		if got := m.parket.Counts(time.Time{}); !reflect.DeepEqual(got, want) {
			t.Errorf("counts %v; want %v", got, want)
		}
		told := map[domain.FamilyID]parket.Told{}
		for _, d := range m.parket.Disclosures(time.Time{}, domain.Date{}, domain.Date{}) {
			told[d.FamilyID] = d.Told
		}
		if want := map[domain.FamilyID]parket.Told{"f01": parket.ToldBefore, "f02": parket.ToldAfter, "f07": parket.NotToldConfident}; !reflect.DeepEqual(told, want) {
			t.Errorf("told %v; want %v", told, want)
		}
		// Dec 15: f16's request is due Dec 20, 5 days left. May 10: f01 and
		// f02's requests are open (due May 31, 21 days left).
		open := m.parket.OpenRequests(time.Time{}, day(time.December, 15), 7)
		if len(open) != 1 || open[0].FamilyID != "f16" || open[0].DaysLeft != 5 {
			t.Errorf("open on Dec 15: %+v; want f16 with 5 days left", open)
		}
		open = m.parket.OpenRequests(endOf(day(time.May, 10)), day(time.May, 10), 30)
		if len(open) != 2 || open[0].FamilyID != "f01" || open[1].FamilyID != "f02" || open[0].DaysLeft != 21 {
			t.Errorf("open on May 10: %+v; want f01 and f02 with 21 days left", open)
		}
	})

	t.Run("privacy", func(t *testing.T) {
		// Flags over the year: c2's break-glass view of f01 (Saturday 22:00:
		// break_glass, outside_hours, outside_caseload), c3's view of f15 on
		// Jul 16 (outside_caseload: c2 covers it, not c3), the back office
		// refused on f03. c2's view of f08 on Jul 16 is a cover: no flag.
		rep, err := m.privacy.Flagged(privacy.FlagQuery{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[privacy.Flag]int{privacy.FlagOutsideCaseload: 2, privacy.FlagBreakGlass: 1, privacy.FlagOutsideHours: 1, privacy.FlagUnusualVolume: 0, privacy.FlagRefused: 1}
		if !reflect.DeepEqual(rep.Counts, want) || rep.Total != 3 {
			t.Errorf("flags %v (%d accesses); want %v (3)", rep.Counts, rep.Total, want)
		}
		// As of Mar 9 only the break-glass view is flagged.
		rep, err = m.privacy.Flagged(privacy.FlagQuery{}, endOf(day(time.March, 9)))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total != 1 || rep.Counts[privacy.FlagBreakGlass] != 1 || rep.Counts[privacy.FlagRefused] != 0 {
			t.Errorf("flags on Mar 9: %v (%d); want only the break glass", rep.Counts, rep.Total)
		}
		// Who saw f01: c2 (break glass, Mar 8), then c1 (Jan 16), newest first.
		page, err := m.privacy.WhoSaw("f01", privacy.Page{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || page.Entries[0].UserID != "c2" || !page.Entries[0].BreakGlass || page.Entries[1].UserID != "c1" {
			t.Errorf("who saw f01: %+v", page)
		}
		// f24's withdrawal, recorded Jun 2 and dated Mar 6 (the disclosure's
		// day), leaves its disclosure without a valid consent; before Jun 2
		// the register knew no problem.
		v, err := m.privacy.ConsentViolations(privacy.RegisterQuery{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != 1 || v[0].FamilyID != "f24" || v[0].ConsentProblem != "withdrawn" {
			t.Errorf("consent violations: %+v; want f24 withdrawn", v)
		}
		if v, _ := m.privacy.ConsentViolations(privacy.RegisterQuery{}, endOf(day(time.June, 1))); len(v) != 0 {
			t.Errorf("consent violations on Jun 1: %+v; want none", v)
		}
		// Not told after 30 days on Dec 31: f08 (disclosed Feb 2: 332 days)
		// and f16 (Feb 18: 316 days); f07's worry report is confidential.
		ni, err := m.privacy.NotInformed(dec31, 30, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range ni {
			got = append(got, fmt.Sprintf("%s:%d", e.FamilyID, e.DaysUntold))
		}
		if !reflect.DeepEqual(got, []string{"f08:332", "f16:316"}) {
			t.Errorf("not informed: %v; want [f08:332 f16:316]", got)
		}
		// f04's art. 15 report: the Sociaal Huis (on consent) and the school
		// paid for the school bills (implied by the spend), by name; one
		// consultation: c4's view of the timeline for guidance, by role only.
		a15, err := m.privacy.Art15("f04", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var orgs []string
		for _, r := range a15.Recipients {
			orgs = append(orgs, r.Organisation)
		}
		if !reflect.DeepEqual(orgs, []string{"Basisschool", "Sociaal Huis Demostad"}) || len(a15.Disclosures) != 2 || len(a15.Consultations) != 1 ||
			a15.Consultations[0].Role != domain.RoleCoach || a15.Consultations[0].Count != 1 || a15.Consultations[0].Purpose != domain.PurposeGuidance {
			t.Errorf("art. 15 of f04: recipients %v, %d disclosures, consultations %+v", orgs, len(a15.Disclosures), a15.Consultations)
		}
		// f12 was erased.
		if a, err := m.privacy.Art15("f12", time.Time{}); err != nil || !a.Erased {
			t.Errorf("art. 15 of f12: erased %v, %v", a.Erased, err)
		}
	})

	t.Run("budget", func(t *testing.T) {
		// Year: police 20 x (25,000 + 10,000) = 700,000; 28 other families
		// taken in x 7,500 = 210,000; delegated 5 x 20,000 = 100,000: gross
		// 1,010,000 cents in 73 spends; f01's furniture reversed: 25,000 net
		// 985,000. Every one of the 48 families taken in keeps a spend: 48
		// families, children sum(1 + i%3, i=1..48) = 48 + 16 x 3 = 96.
		rep, err := m.budget.CouncilReport(day(time.January, 1), dec31, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		tot := rep.Total
		if tot.SpentCents != 1_010_000 || tot.ReversedCents != 25_000 || tot.NetCents != 985_000 || tot.Spends != 73 || tot.Reversals != 1 || tot.Families != 48 || tot.Children != 96 || len(tot.Lines) != 74 {
			t.Errorf("year total %+v", figure(tot))
		}
		byKey := func(fs []budget.Figure) map[string]int64 {
			out := map[string]int64{}
			for _, f := range fs {
				out[f.Key] = f.NetCents
			}
			return out
		}
		// Categories: furniture 20 x 25,000 - 25,000; cleaning 20 x 10,000;
		// school bills 28 x 7,500; energy 5 x 20,000.
		if got, want := byKey(rep.ByCategory), map[string]int64{"furniture": 475_000, "cleaning_supplies": 200_000, "school_bills_and_supplies": 210_000, "energy_bill": 100_000}; !reflect.DeepEqual(got, want) {
			t.Errorf("by category %v; want %v", got, want)
		}
		// Referral types: police 700,000 - 25,000; clb 10 x 7,500 + 100,000;
		// school and kind_en_gezin 9 x 7,500 each (49 and 50 not taken in).
		if got, want := byKey(rep.ByReferralType), map[string]int64{"police": 675_000, "clb": 175_000, "school": 67_500, "kind_en_gezin": 67_500}; !reflect.DeepEqual(got, want) {
			t.Errorf("by referral type %v; want %v", got, want)
		}
		if got, want := byKey(rep.ByInstrument), map[string]int64{"maatbudget": 885_000, "delegated_decision": 100_000}; !reflect.DeepEqual(got, want) {
			t.Errorf("by instrument %v; want %v", got, want)
		}
		// Q1: furniture for the 12 police families with i <= 28 (Feb 5 +
		// 2(i-1) <= Mar 31), cleaning for the 10 with i <= 24 (Feb 12 + ...),
		// school bills for the 16 others with i <= 28, energy for 3 and 13
		// (Feb 16 + 2(i-1) <= Mar 31 for i <= 22): 300,000 + 100,000 +
		// 120,000 + 40,000 = 560,000; the reversal on Mar 1.
		q1, err := m.budget.Totals(day(time.January, 1), day(time.March, 31), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if q1.Total.SpentCents != 560_000 || q1.Total.ReversedCents != 25_000 || q1.Total.NetCents != 535_000 {
			t.Errorf("Q1 %+v", figure(q1.Total))
		}
		// Time travel: as of Feb 28 the reversal was not recorded yet.
		q1, err = m.budget.Totals(day(time.January, 1), day(time.March, 31), endOf(day(time.February, 28)))
		if err != nil {
			t.Fatal(err)
		}
		if q1.Total.ReversedCents != 0 {
			t.Errorf("Q1 as of Feb 28: reversed %d; want 0", q1.Total.ReversedCents)
		}
		// f01: EUR 2,000 allocated, 350 - 250 reversed = 100 spent.
		fb, err := m.budget.Family("f01", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if fb.AllocatedCents != 200_000 || fb.SpentCents != 10_000 || fb.LeftCents != 190_000 || fb.ReversedCents != 25_000 {
			t.Errorf("f01 budget %+v", fb.TrajectoryBudget)
		}
		// f11's second trajectory has its own EUR 2,000 and spent nothing.
		if fb, err := m.budget.Family("f11", time.Time{}); err != nil || fb.Trajectory != 2 || fb.AllocatedCents != 200_000 || fb.SpentCents != 0 {
			t.Errorf("f11 budget %+v, %v", fb.TrajectoryBudget, err)
		}
	})

	t.Run("outcomes", func(t *testing.T) {
		rep, err := m.outcomes.Report(outcomes.Period{From: day(time.January, 1), To: dec31}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		// T0: families 1..40. For domain k the levels 1 + (i+k)%3 over 40
		// consecutive i: the residue of k+1 occurs 14 times, the others 13.
		// Safety (k=0): residue 1 (level 2) 14, level 1 13, level 3 13:
		// mean (13x10 + 14x7.5 + 13x5)/40 = 7.5. Housing (k=1): level 3 14:
		// 297.5/40 = 7.4375 -> 7.4. Parents' health (k=2): level 1 14:
		// 302.5/40 = 7.5625 -> 7.6.
		t0 := rep.Overall.T0
		if t0.Families != 40 {
			t.Fatalf("T0 families %d; want 40", t0.Families)
		}
		wantT0 := []struct {
			levels []int
			mean   string
		}{{[]int{13, 14, 13, 0, 0}, "7.5"}, {[]int{13, 13, 14, 0, 0}, "7.4"}, {[]int{14, 13, 13, 0, 0}, "7.6"}}
		for k := range 9 {
			row := t0.Domains[k]
			w := wantT0[k%3]
			if got := levelCounts(row); !reflect.DeepEqual(got, w.levels) || row.Mean == nil || row.Mean.String() != w.mean || row.N != 40 {
				t.Errorf("T0 %s: levels %v mean %v N %d; want %v %s 40", row.Domain, got, row.Mean, row.N, w.levels, w.mean)
			}
		}
		if p := *t0.Domains[0].Levels[1].Percent; p.String() != "35.0" {
			t.Errorf("T0 safety level 2 percent %s; want 35.0 (14 of 40)", p)
		}
		// T1: families 1..12. Safety T0 levels 2,3,1,2,3,1,2,3,1,2,3,1 plus
		// 1 (1..6, 11, 12), 0 (7, 8), 2 (9, 10): 3,4,2,3,4,2,2,3,3,4,4,2:
		// four each at levels 2, 3, 4: mean (30 + 20 + 10)/12 = 5.0.
		t1 := rep.Overall.T1
		if t1.Families != 12 {
			t.Fatalf("T1 families %d; want 12", t1.Families)
		}
		if got := levelCounts(t1.Domains[0]); !reflect.DeepEqual(got, []int{0, 4, 4, 4, 0}) || t1.Domains[0].Mean.String() != "5.0" {
			t.Errorf("T1 safety %v mean %v; want [0 4 4 4 0] 5.0", got, t1.Domains[0].Mean)
		}
		// Change: 10 families improved on all 9 domains, 7 and 8 on none;
		// nobody worsened. Mean improved 90/12 = 7.5.
		ch := rep.Overall.Change
		imp := map[int]int{}
		for _, r := range ch.Improved {
			if r.Families > 0 {
				imp[r.Domains] = r.Families
			}
		}
		if ch.Families != 12 || !reflect.DeepEqual(imp, map[int]int{9: 10, 0: 2}) || ch.MeanImproved.String() != "7.5" || ch.MeanWorsened.String() != "0.0" {
			t.Errorf("change: %d families, improved %v, means %v %v", ch.Families, imp, ch.MeanImproved, ch.MeanWorsened)
		}
		// Police among 1..40: i%5 in {1,2}: 16 families at T0.
		for _, s := range rep.BySource {
			if s.Source == domain.SourcePolice && s.T0.Families != 16 {
				t.Errorf("police T0 families %d; want 16", s.T0.Families)
			}
		}
	})

	t.Run("timeline", func(t *testing.T) {
		// f01's budget entries: the allocation, two spends, the review and
		// the reversal, newest first.
		p, err := m.timeline.Family(ctx, "f01", timeline.Query{Kinds: []timeline.Kind{timeline.KindBudget}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range p.Entries {
			types = append(types, e.Type)
		}
		if want := []string{"SpendReversed", "SpendReviewed", "SpendRecorded", "SpendRecorded", "BudgetAllocated"}; !reflect.DeepEqual(types, want) {
			t.Errorf("f01 budget timeline %v; want %v", types, want)
		}
	})

	t.Run("timeline text", func(t *testing.T) {
		// The note "woning opgeruimd" is in every home visit: f01 has 18
		// (Jan 22 + 14k days up to Sep 29, the day before its closure). After
		// the erasure f12's notes are gone: nothing matches.
		opener := timeline.SealedOpenerFunc(func(ctx context.Context, id domain.FamilyID) (map[string]domain.Event, error) {
			v, err := svc.Family(ctx, id, true)
			if err != nil {
				return nil, err
			}
			out := map[string]domain.Event{}
			for _, r := range v.Records {
				out[r.Envelope.ID] = r.Event
			}
			return out, nil
		})
		p, err := m.timeline.Family(ctx, "f01", timeline.Query{Text: "woning opgeruimd"}, opener)
		if err != nil || len(p.Entries) != 18 {
			t.Errorf("f01 notes with the text: %d, %v; want 18", len(p.Entries), err)
		}
		p, err = m.timeline.Family(ctx, "f12", timeline.Query{Text: "woning opgeruimd"}, opener)
		if err != nil || len(p.Entries) != 0 {
			t.Errorf("erased f12 notes with the text: %d, %v; want none", len(p.Entries), err)
		}
		if _, err := m.timeline.Family(ctx, "f01", timeline.Query{Text: "woning"}, nil); !errors.Is(err, timeline.ErrNotesNotAllowed) {
			t.Errorf("text filter without an opener: %v", err)
		}
	})

	t.Run("crypto-shredding", func(t *testing.T) {
		v, err := svc.Family(ctx, "f12", true)
		if err != nil {
			t.Fatal(err)
		}
		erased := 0
		for _, r := range v.Records {
			if r.Sealed == ledger.SealedErased {
				erased++
			}
		}
		if !v.Erased || erased == 0 {
			t.Fatalf("f12 after erasure: erased %v, %d sealed parts gone", v.Erased, erased)
		}
		// The statistics folded from public parts are the same before and
		// after the erasure (the models were rebuilt from the shredded log).
		if after := statistics(t, m); after != before {
			t.Errorf("statistics changed by the erasure:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func levelCounts(r outcomes.DomainRow) []int {
	var out []int
	for _, l := range r.Levels {
		out = append(out, l.Count)
	}
	return out
}

func figure(f budget.Figure) string {
	return fmt.Sprintf("spent %d reversed %d net %d spends %d reversals %d families %d children %d lines %d", f.SpentCents, f.ReversedCents, f.NetCents, f.Spends, f.Reversals, f.Families, f.Children, len(f.Lines))
}
