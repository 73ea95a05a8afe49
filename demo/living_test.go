package demo_test

import (
	"context"
	"testing"
	"time"

	"spoor/auth"
	"spoor/demo"
	"spoor/domain"
	"spoor/projections"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/projections/staff"
)

// TestSeededYearLooksAlive seeds a year through the ledger and checks, with
// the real read models, that a new user sees a living system that respects
// the team's rules: nobody over capacity, a waiting list, every closure
// reason, flags for the privacy officer, parket steps, budget with one
// reversal, outcome tables, and working demo logins.
func TestSeededYearLooksAlive(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a year through the ledger")
	}
	ctx := context.Background()
	e := newEnv(t)
	const pw = "demo-wachtwoord-2025"
	sum, err := demo.Seed(ctx, e.svc, demo.Options{Clock: e.clock, Start: domain.MustDate("2025-01-06"), Argon2: fastArgon2, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	cl, pk, pv, bu, oc, sf := caseload.New(domain.DefaultTeamSettings()), parket.New(), privacy.New(privacy.DefaultOptions()), budget.New(), outcomes.New(cat), staff.New()
	r, err := projections.NewRunner(e.st, []projections.Model{cl, pk, pv, bu, oc, sf}, projections.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.Rebuild(ctx)
	if err != nil || n != sum.Events {
		t.Fatalf("rebuilt %d facts of %d: %v", n, sum.Events, err)
	}

	waitedSomeMonth := false
	for m := sum.From; m.Before(sum.To); m = m.AddDays(30) {
		at := time.Date(m.Year(), m.Month(), m.Day(), 23, 0, 0, 0, time.UTC)
		for _, c := range cl.Coaches(at, m) {
			if c.OverCapacity {
				t.Errorf("%s: coach %s over capacity (%.1f of %.1f)", m, c.CoachID, c.Load, c.Capacity)
			}
		}
		if len(cl.WaitingList(at, m)) > 0 {
			waitedSomeMonth = true
		}
	}
	if !waitedSomeMonth {
		t.Error("no family ever waited")
	}
	s := cl.Summary(time.Time{})
	t.Logf("end of year: %v; load %.1f", s.ByStatus, s.Load)
	if s.ByStatus[caseload.StatusClosed] < 5 || s.ByStatus[caseload.StatusGuidance] < 20 || s.ByStatus[caseload.StatusNotTakenIn] != 1 {
		t.Errorf("statuses at the end %v", s.ByStatus)
	}

	flags, err := pv.Flagged(privacy.FlagQuery{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("privacy flags %v", flags.Counts)
	if flags.Counts[privacy.FlagBreakGlass] != 1 || flags.Counts[privacy.FlagRefused] != 1 || flags.Counts[privacy.FlagOutsideHours] < 1 || flags.Counts[privacy.FlagOutsideCaseload] < 1 {
		t.Errorf("flags %v; want one break glass (at night, outside the caseload) and one refusal", flags.Counts)
	}
	reg, err := pv.Register(privacy.RegisterQuery{WithoutImplied: true}, time.Time{})
	if err != nil || len(reg) < 10 {
		t.Errorf("disclosure register: %d entries, %v", len(reg), err)
	}

	counts := pk.Counts(time.Time{})
	t.Logf("parket %v", counts)
	if counts[domain.ParketStateKnown] == 0 || counts[domain.ParketStateStatusReported] == 0 || counts[domain.ParketStateReferredOCJ] != 1 || counts[domain.ParketStateStatusRequested] == 0 {
		t.Errorf("parket counts %v", counts)
	}

	rep, err := bu.CouncilReport(sum.From, sum.To, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("budget: %d spends, net EUR %.2f, %d families, %d children", rep.Total.Spends, float64(rep.Total.NetCents)/100, rep.Total.Families, rep.Total.Children)
	var delegated int64
	for _, f := range rep.ByInstrument {
		if f.Key == string(domain.InstrumentDelegatedDecision) {
			delegated = f.NetCents
		}
	}
	if rep.Total.Reversals != 1 || delegated == 0 || rep.Total.NetCents < 500_000 || rep.Total.NetCents > 4_000_000 {
		t.Errorf("budget: %d reversals, delegated %d, net %d", rep.Total.Reversals, delegated, rep.Total.NetCents)
	}

	out, err := oc.Report(outcomes.Period{From: sum.From, To: sum.To}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("outcomes: T0 %d families, T1 %d, improved mean %v", out.Overall.T0.Families, out.Overall.T1.Families, out.Overall.Change.MeanImproved)
	if out.Overall.T0.Families < 25 || out.Overall.T1.Families < 5 {
		t.Errorf("outcomes T0 %d, T1 %d", out.Overall.T0.Families, out.Overall.T1.Families)
	}
	cebud, ok := cat.Get("cebud_sociale_balans", 1)
	if !ok {
		t.Fatal("no CEBUD instrument")
	}
	mp, err := outcomes.MappingFromInstrument(cebud)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := oc.Deprivation(outcomes.DeprivationQuery{Mapping: mp, Baseline: outcomes.Period{From: sum.From, To: sum.To}, FollowUpMonths: 3}, time.Time{})
	if err != nil || dep.Families == 0 {
		t.Errorf("deprivation: %d families classified, %v", dep.Families, err)
	}

	members := sf.List(time.Time{})
	if len(members) != len(sum.Staff) {
		t.Errorf("%d staff members; want %d", len(members), len(sum.Staff))
	}
	st, _, err := e.svc.Staff(ctx, sum.Staff[1].ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.VerifyPassword(st.PasswordHash, pw); !ok || err != nil || st.Login != "coach1" {
		t.Errorf("coach1 cannot log in with the demo password: %v %v", ok, err)
	}
}
