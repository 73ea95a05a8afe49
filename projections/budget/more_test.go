package budget_test

import (
	"sync"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/budget"
)

// TestReopenedCase: the maatbudget is per trajectory; a reopened case has
// its own allocation, and its later spends carry the new referral type and
// coach.
func TestReopenedCase(t *testing.T) {
	m := budget.New()
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var pos uint64
	feed := func(e domain.Event) {
		pos++
		f := projections.Fact{Position: pos, Stream: "family-r", RecordedAt: t0.Add(time.Duration(pos) * 24 * time.Hour), Event: e}
		m.Apply(&f)
	}
	feed(domain.FamilyReferred{FamilyID: "r", Date: d("2026-01-02"), Source: domain.SourceSchool, Children: 2})
	feed(domain.CoachAssigned{Date: d("2026-01-03"), CoachID: "c1", Reason: domain.AssignStart})
	feed(domain.BudgetAllocated{AllocationID: "a1", Date: d("2026-01-04"), Trajectory: 1, AmountCents: 30000, FundingSource: "maatbudget"})
	feed(domain.SpendRecorded{SpendID: "x1", Date: d("2026-01-05"), Trajectory: 1, AmountCents: 10000, Instrument: domain.InstrumentMaatbudget, Category: "paint", Supplier: "Shop", Path: domain.PathUrgent, ProposedBy: "c1"})
	feed(domain.CaseClosed{Date: d("2026-01-06"), Reason: domain.ClosurePositive, DecidedBy: "k1"})
	feed(domain.CaseReopened{Date: d("2026-01-07"), Source: domain.SourcePolice, Trajectory: 2})
	feed(domain.IntakeHeld{Date: d("2026-01-08"), CoachID: "c2", DefinitiveConsent: true})
	feed(domain.BudgetAllocated{AllocationID: "a2", Date: d("2026-01-09"), Trajectory: 2, AmountCents: 200000, FundingSource: "maatbudget"})
	feed(domain.SpendRecorded{SpendID: "x2", Date: d("2026-01-10"), Trajectory: 2, AmountCents: 2500, Instrument: domain.InstrumentMaatbudget, Category: "paint", Supplier: "Shop", Path: domain.PathUrgent, ProposedBy: "c2"})
	feed(domain.SpendRecorded{SpendID: "x3", Date: d("2026-01-11"), Trajectory: 2, AmountCents: 900, Instrument: domain.InstrumentDelegatedDecision, Category: "school_meals", Supplier: "School", Path: domain.PathTeamDecision, Body: domain.BodyCoordinator, DecidedOn: d("2026-01-11"), ProposedBy: "c2"})

	fb := must(m.Family("r", time.Time{}))(t)
	if fb.Trajectory != 2 || fb.AllocatedCents != 200000 || fb.SpentCents != 2500 || fb.LeftCents != 197500 || fb.DelegatedCents != 900 {
		t.Errorf("current trajectory = %+v", fb.TrajectoryBudget)
	}
	if len(fb.Trajectories) != 2 || fb.Trajectories[0] != (budget.TrajectoryBudget{Trajectory: 1, AllocatedCents: 30000, SpentCents: 10000, LeftCents: 20000}) {
		t.Errorf("trajectories = %+v", fb.Trajectories)
	}
	// As of the day after the reopening, trajectory 2 has nothing yet.
	early := must(m.Family("r", t0.Add(6*24*time.Hour)))(t)
	if early.Trajectory != 2 || early.AllocatedCents != 0 || early.LeftCents != 0 {
		t.Errorf("as of the reopening = %+v", early.TrajectoryBudget)
	}
	r := must(m.Totals(d("2026-01-01"), d("2026-01-31"), time.Time{}))(t)
	got := map[string]int64{}
	for _, f := range append(r.ByReferralType, r.ByCoach...) {
		got[f.Key] = f.NetCents
	}
	want := map[string]int64{"school": 10000, "police": 3400, "c1": 10000, "c2": 3400}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (all %v)", k, got[k], v, got)
		}
	}
	if r.Total.Families != 1 || r.Total.Children != 2 {
		t.Errorf("reached: %d families, %d children; want 1 and 2", r.Total.Families, r.Total.Children)
	}
}

// TestConcurrentQueries runs reports while facts are applied (run with
// -race).
func TestConcurrentQueries(t *testing.T) {
	m := budget.New()
	facts := yearOfTeam()
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := m.CouncilReport(d("2026-01-01"), d("2026-12-31"), time.Time{}); err != nil {
				t.Error(err)
				return
			}
			_ = m.Families(time.Time{})
			if _, err := m.Envelopes(2026, time.Time{}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range facts {
		m.Apply(&facts[i])
	}
	close(done)
	wg.Wait()
	if r := must(m.Totals(d("2026-01-01"), d("2026-12-31"), time.Time{}))(t); r.Total.Spends != 2000 {
		t.Errorf("spends = %d, want 2000", r.Total.Spends)
	}
}
