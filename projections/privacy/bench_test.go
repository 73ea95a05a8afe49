package privacy_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/privacy"
)

// manyFacts is n facts of a team over several years: 500 families with 7
// coaches, each family's referral, coach and members first, then a mix of
// one access event in three and contacts, questions, consents and
// disclosures, one every 30 seconds.
func manyFacts(n int) []projections.Fact {
	rng := rand.New(rand.NewPCG(1, 2))
	facts := make([]projections.Fact, 0, n)
	t := time.Date(2022, 1, 3, 7, 0, 0, 0, time.UTC)
	add := func(stream string, e domain.Event) {
		t = t.Add(30 * time.Second)
		facts = append(facts, projections.Fact{Position: uint64(len(facts) + 1), Stream: stream, RecordedAt: t, Event: e})
	}
	const fams = 500
	day := domain.DateOf(t)
	for f := range fams {
		id := domain.FamilyID(fmt.Sprintf("fam-%03d", f))
		s := domain.FamilyStream(id)
		add(s, domain.FamilyReferred{FamilyID: id, Date: day, Source: domain.SourcePolice, Children: 2, Problems: []domain.LifeDomain{domain.DomainHousing}})
		add(s, domain.CoachAssigned{Date: day, CoachID: domain.StaffID(fmt.Sprintf("c%d", f%7)), Reason: domain.AssignStart})
		add(s, domain.MemberAdded{MemberID: "m1", Date: day, Role: domain.MemberParent})
		add(s, domain.ConsentGiven{ConsentID: "k1", Date: day, GrantorID: "m1", Scope: domain.ConsentScope{Action: domain.ActionShare, RecipientCategory: domain.RecipientDebtService, Purpose: domain.PurposeDebtMediation, DataCategories: []domain.DataCategory{domain.DataDebts}, From: day}})
	}
	domains := []domain.LifeDomain{domain.DomainIncome, domain.DomainDebts}
	for i := 0; len(facts) < n; i++ {
		f := rng.IntN(fams)
		id := domain.FamilyID(fmt.Sprintf("fam-%03d", f))
		d := domain.DateOf(t)
		switch r := rng.IntN(30); {
		case r < 10:
			user := domain.StaffID(fmt.Sprintf("c%d", rng.IntN(7)))
			add(domain.AccessStream(id), domain.RecordViewed{FamilyID: id, UserID: user, Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeGuidance})
		case r < 27:
			add(domain.FamilyStream(id), domain.ContactLogged{ContactID: domain.ContactID(fmt.Sprint("ct", i)), Date: d, Kind: domain.ContactPhone, DurationMinutes: 10, LifeDomains: domains, CoachID: "c1"})
		case r < 29:
			add(domain.FamilyStream(id), domain.QuestionRaised{QuestionID: domain.QuestionID(fmt.Sprint("q", i)), Date: d, LifeDomain: domain.DomainHousing})
		default:
			add(domain.FamilyStream(id), domain.DisclosureMade{DisclosureID: domain.DisclosureID(fmt.Sprint("d", i)), Date: d, RecipientOrg: "CAW", RecipientRole: "schuldbemiddelaar",
				RecipientCategory: domain.RecipientDebtService, DataCategories: []domain.DataCategory{domain.DataDebts}, Purpose: domain.PurposeDebtMediation, LegalBasis: domain.BasisConsent, ConsentID: "k1", DecidedBy: "c1"})
		}
	}
	return facts
}

// BenchmarkApply folds 1,000,000 facts (a third of them accesses) and
// reports the cost per fact (the rebuild budget is 5 s for every model
// together).
func BenchmarkApply(b *testing.B) {
	facts := manyFacts(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		m := privacy.New(privacy.DefaultOptions())
		for i := range facts {
			m.Apply(&facts[i])
		}
		n += len(facts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/fact")
}

// BenchmarkWhoSaw asks who saw a random family (the newest 50 accesses,
// with flags) with 1,000,000 facts folded and reports the 99th percentile
// (target: under 5 ms).
func BenchmarkWhoSaw(b *testing.B) {
	facts := manyFacts(1_000_000)
	m := privacy.New(privacy.DefaultOptions())
	for i := range facts {
		m.Apply(&facts[i])
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		id := domain.FamilyID(fmt.Sprintf("fam-%03d", rng.IntN(500)))
		start := time.Now()
		p, err := m.WhoSaw(id, privacy.Page{}, time.Time{})
		lat = append(lat, time.Since(start))
		if err != nil || len(p.Entries) != 50 {
			b.Fatalf("who saw %s: %d entries, %v", id, len(p.Entries), err)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkSnapshot writes and restores the state after 1,000,000 facts
// (a restart with snapshots must take under a second for all models).
func BenchmarkSnapshot(b *testing.B) {
	facts := manyFacts(1_000_000)
	m := privacy.New(privacy.DefaultOptions())
	for i := range facts {
		m.Apply(&facts[i])
	}
	b.ResetTimer()
	var size int
	for b.Loop() {
		data, err := m.MarshalSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
		if err := privacy.New(privacy.DefaultOptions()).UnmarshalSnapshot(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}
