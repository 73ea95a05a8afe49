package api

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/projections"
	"spoor/projections/caseload"
)

func TestFactsOf(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip(err)
	}
	f := domain.NewFamily("f-1")
	f.Apply(domain.FamilyReferred{Date: domain.MustDate("2026-01-05")})
	f.Apply(domain.CoachAssigned{CoachID: "c-ann"})
	f.Apply(domain.CoverArranged{CoverID: "cv-1", CoachID: "c-bart", ForCoachID: "c-ann",
		From: domain.MustDate("2026-03-02"), Until: domain.MustDate("2026-03-06")})
	facts := FactsOf(f, loc)
	if facts.ID != "f-1" || facts.AssignedCoach != "c-ann" || facts.Closed || len(facts.Covers) != 1 {
		t.Fatalf("facts %+v", facts)
	}
	c := facts.Covers[0]
	if c.CoachID != "c-bart" || !c.From.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, loc)) || !c.Until.Equal(time.Date(2026, 3, 7, 0, 0, 0, 0, loc)) {
		t.Fatalf("cover %+v", c)
	}
	// The policy sees the cover on its last day, not the day after.
	pol := auth.Policy{Hours: auth.DefaultWorkingHours(loc)}
	bart := auth.User{ID: "c-bart", Roles: []auth.Role{auth.RoleCoach}}
	for day, want := range map[int]bool{1: false, 2: true, 6: true, 7: false} {
		d := pol.Decide(auth.AccessRequest{User: bart, Family: &facts, Part: auth.PartTimeline, At: time.Date(2026, 3, day, 18, 0, 0, 0, loc)})
		if d.Allowed != want {
			t.Errorf("March %d: allowed %v, want %v", day, d.Allowed, want)
		}
	}
	f.Apply(domain.CaseClosed{Date: domain.MustDate("2026-03-04")})
	facts = FactsOf(f, loc)
	if !facts.Closed || !facts.Covers[0].Until.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, loc)) {
		t.Fatalf("closed facts %+v", facts)
	}
}

// TestCaseloadFamiliesAgreesWithLedger feeds one family's events to the
// caseload read model and checks that it gives the policy the same facts as
// folding the stream.
func TestCaseloadFamiliesAgreesWithLedger(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip(err)
	}
	events := []domain.Event{
		domain.FamilyReferred{FamilyID: "f-1", Date: domain.MustDate("2026-01-05"), Source: domain.ReferralSources()[0], Children: 2, Adults: 1},
		domain.CoachAssigned{CoachID: "c-ann"},
		domain.CoverArranged{CoverID: "cv-1", CoachID: "c-bart", ForCoachID: "c-ann", From: domain.MustDate("2026-03-02"), Until: domain.MustDate("2026-03-06")},
	}
	model := caseload.New(domain.DefaultTeamSettings())
	fam := domain.NewFamily("f-1")
	for i, ev := range events {
		fam.Apply(ev)
		model.Apply(&projections.Fact{Position: uint64(i + 1), Stream: "family-f-1", Version: uint64(i + 1),
			EventID: fmt.Sprint(i), RecordedAt: time.Date(2026, 1, 5+i, 9, 0, 0, 0, time.UTC), Event: ev})
	}
	cf := CaseloadFamilies{Model: model, Location: loc}
	got, err := cf.FamilyFacts(context.Background(), "f-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := FactsOf(fam, loc); !reflect.DeepEqual(got, want) {
		t.Fatalf("caseload facts %+v\nledger facts   %+v", got, want)
	}
	if _, err := cf.FamilyFacts(context.Background(), "f-none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown family: %v", err)
	}
}
