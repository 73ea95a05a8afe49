package budget_test

import (
	"fmt"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/budget"
)

// yearOfTeam is a year of a 50-family team: 7 coaches, a third of the
// families police-referred, about 2,000 spends spread over the year (one in
// fifty reversed: all of family f07's), with proposals, decisions and reviews.
func yearOfTeam() []projections.Fact {
	var facts []projections.Fact
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	add := func(stream string, at time.Time, e domain.Event) {
		facts = append(facts, projections.Fact{Position: uint64(len(facts) + 1), Stream: stream, RecordedAt: at, Event: e})
	}
	add("team", t0, domain.BudgetEnvelopeSet{Year: 2026, FundingLine: "maatbudget", Instrument: domain.InstrumentMaatbudget, AmountCents: 1_000_000, Date: domain.DateOf(t0), By: "k1"})
	cats := domain.DefaultSpendCategories()
	for f := range 50 {
		id := domain.FamilyID(fmt.Sprintf("f%02d", f))
		src := domain.SourceSchool
		if f%3 == 0 {
			src = domain.SourcePolice
		}
		s := domain.FamilyStream(id)
		add(s, t0, domain.FamilyReferred{FamilyID: id, Date: domain.DateOf(t0), Source: src, Children: 1 + f%4})
		add(s, t0, domain.CoachAssigned{Date: domain.DateOf(t0), CoachID: domain.StaffID(fmt.Sprintf("c%d", f%7)), Reason: domain.AssignStart})
		add(s, t0, domain.BudgetAllocated{AllocationID: "a", Date: domain.DateOf(t0), Trajectory: 1, AmountCents: 200_000, Source: src, FundingSource: "maatbudget"})
	}
	for i := range 2000 {
		day := t0.Add(time.Duration(i) * 4 * time.Hour) // 2,000 spends over ~333 days
		id := domain.FamilyID(fmt.Sprintf("f%02d", i%50))
		s := domain.FamilyStream(id)
		sid := domain.SpendID(fmt.Sprintf("s%d", i))
		ins, fund, path := domain.InstrumentMaatbudget, "maatbudget", domain.PathTeamDecision
		if i%4 == 0 {
			ins, fund = domain.InstrumentDelegatedDecision, "bcsd_delegated"
		}
		if i%5 == 0 {
			path = domain.PathUrgent
		}
		if path == domain.PathTeamDecision {
			add(s, day, domain.SpendDecided{SpendID: sid, Date: domain.DateOf(day), Verdict: domain.VerdictApproved, Body: domain.BodyTeam, DecidedBy: "k1"})
		}
		add(s, day, domain.SpendRecorded{SpendID: sid, Date: domain.DateOf(day), Trajectory: 1, AmountCents: int64(500 + i%97*100), Instrument: ins,
			Category: cats[i%len(cats)], Supplier: "Shop", ReceiptRef: "R", FundingSource: fund, Path: path, ProposedBy: "c1"})
		if path == domain.PathUrgent {
			add(s, day.Add(time.Hour), domain.SpendReviewed{SpendID: sid, Date: domain.DateOf(day), Verdict: domain.VerdictApproved, ReviewedBy: "k1"})
		}
		if i%50 == 7 {
			add(s, day.Add(2*time.Hour), domain.SpendReversed{SpendID: sid, Date: domain.DateOf(day.Add(2 * time.Hour)), Reason: domain.ReversalError})
		}
	}
	return facts
}

// BenchmarkCouncilReport: the council report with all its lines over a
// year of a 50-family team (issue 5 target: under 50 ms).
func BenchmarkCouncilReport(b *testing.B) {
	m := budget.New()
	facts := yearOfTeam()
	for i := range facts {
		m.Apply(&facts[i])
	}
	from, to := domain.MustDate("2026-01-01"), domain.MustDate("2026-12-31")
	r, err := m.CouncilReport(from, to, time.Time{})
	if err != nil || r.Total.Spends != 2000 || r.Total.Reversals != 40 || r.Total.Families != 49 { // f07 has every spend reversed
		b.Fatalf("report: %d spends, %d reversals, %d families, err %v", r.Total.Spends, r.Total.Reversals, r.Total.Families, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := m.CouncilReport(from, to, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms")
}

// BenchmarkApply: folding the budget events of the year (per fact).
func BenchmarkApply(b *testing.B) {
	facts := yearOfTeam()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		m := budget.New()
		for i := range facts {
			m.Apply(&facts[i])
		}
		n += len(facts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/fact")
}
