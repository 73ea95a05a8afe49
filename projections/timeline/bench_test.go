package timeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/store"
)

// synthetic returns n facts spread round-robin over fams families: a
// referral, then contacts (most), spends, questions and disclosures.
func synthetic(n, fams int) []projections.Fact {
	facts := make([]projections.Fact, 0, n)
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	domains := domain.LifeDomains()
	for i := 0; i < n; i++ {
		f := i % fams
		round := i / fams
		id := domain.FamilyID(fmt.Sprintf("fam-%05d", f))
		date := domain.DateOf(start).AddDays(round)
		var ev domain.Event
		switch {
		case round == 0:
			ev = domain.FamilyReferred{FamilyID: id, Date: date, Source: domain.SourcePolice, ReferringOrg: "Politie", Problems: []domain.LifeDomain{domain.DomainSafety}}
		case round%10 == 3:
			ev = domain.SpendRecorded{SpendID: domain.SpendID(fmt.Sprintf("s-%d", i)), Date: date, Trajectory: 1, AmountCents: 1234, Instrument: domain.InstrumentMaatbudget, Category: "furniture", Supplier: "Kringwinkel", FundingSource: "maatbudget", Path: domain.PathTeamDecision}
		case round%10 == 5:
			ev = domain.QuestionRaised{QuestionID: domain.QuestionID(fmt.Sprintf("q-%d", i)), Date: date, LifeDomain: domains[round%9]}
		case round%10 == 7:
			ev = domain.DisclosureMade{DisclosureID: domain.DisclosureID(fmt.Sprintf("d-%d", i)), Date: date, RecipientOrg: "OCMW", RecipientCategory: domain.RecipientOCMW, DataCategories: []domain.DataCategory{domain.DataIncome}, Purpose: domain.PurposeDebtMediation, LegalBasis: domain.BasisConsent}
		default:
			ev = domain.ContactLogged{ContactID: domain.ContactID(fmt.Sprintf("k-%d", i)), Date: date, Kind: domain.ContactPhone, DurationMinutes: 20, LifeDomains: []domain.LifeDomain{domains[round%9], domains[(round+4)%9]}, CoachID: "c1"}
		}
		facts = append(facts, projections.Fact{
			Position: uint64(i + 1), Stream: domain.FamilyStream(id), Version: uint64(round + 1), EventID: fmt.Sprintf("ev-%d", i+1),
			RecordedAt: start.Add(time.Duration(i) * time.Second), Actor: store.Actor{UserID: "c1", Role: "coach"}, Event: ev,
		})
	}
	return facts
}

// BenchmarkApply measures folding one fact (the facts are decoded up front).
func BenchmarkApply(b *testing.B) {
	facts := synthetic(200_000, 1000)
	b.ReportAllocs()
	m := New()
	i := 0
	for b.Loop() {
		if i == len(facts) {
			m, i = New(), 0
		}
		m.Apply(&facts[i])
		i++
	}
}

// BenchmarkTimelineQuery queries random families' timelines in a model
// holding 1,000,000 events (5,000 families of 200 events) and reports the
// 99th percentile latency per query shape.
func BenchmarkTimelineQuery(b *testing.B) {
	facts := synthetic(1_000_000, 5000)
	m := New()
	for i := range facts {
		m.Apply(&facts[i])
	}
	facts = nil
	shapes := []struct {
		name string
		q    Query
	}{
		{"newest50", Query{}},
		{"contacts_debts", Query{Kinds: []Kind{KindContact}, LifeDomain: domain.DomainDebts}},
		{"page3_range", Query{Before: 900_000, From: domain.MustDate("2025-02-01"), Until: domain.MustDate("2025-05-01"), Limit: 20}},
		{"asof", Query{AsOf: time.Date(2025, 1, 4, 0, 0, 0, 0, time.UTC)}},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			ctx := context.Background()
			var lat []time.Duration
			for b.Loop() {
				id := domain.FamilyID(fmt.Sprintf("fam-%05d", rng.IntN(5000)))
				t0 := time.Now()
				p, err := m.Family(ctx, id, s.q, nil)
				lat = append(lat, time.Since(t0))
				if err != nil || len(p.Entries) == 0 {
					b.Fatalf("%s: %d entries, %v", id, len(p.Entries), err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
