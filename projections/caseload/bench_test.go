package caseload

import (
	"fmt"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
)

// synthetic returns n facts over fams families: referral, intake with one
// of 7 coaches, guidance, then contacts with an assessment every 30 events
// and a few access events (ignored by the model).
func synthetic(n, fams int) []projections.Fact {
	facts := make([]projections.Fact, 0, n)
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		f, round := i%fams, i/fams
		id := domain.FamilyID(fmt.Sprintf("fam-%05d", f))
		date := domain.DateOf(start).AddDays(round)
		stream := domain.FamilyStream(id)
		var ev domain.Event
		switch {
		case round == 0:
			ev = domain.FamilyReferred{FamilyID: id, Date: date, Source: domain.ReferralSources()[f%7]}
		case round == 1:
			ev = domain.IntakeHeld{Date: date, CoachID: domain.StaffID(fmt.Sprintf("c%d", f%7))}
		case round == 2:
			ev = domain.GuidanceStarted{Date: date, Trajectory: 1}
		case round%30 == 0:
			ev = domain.AssessmentRegistered{AssessmentID: domain.AssessmentID(fmt.Sprint(i)), Date: date, Moment: domain.MomentReview}
		case round%5 == 0:
			stream = domain.AccessStream(id)
			ev = domain.RecordViewed{FamilyID: id, UserID: "c1", Part: domain.PartTimeline}
		default:
			ev = domain.ContactLogged{ContactID: domain.ContactID(fmt.Sprint(i)), Date: date, Kind: domain.ContactPhone}
		}
		facts = append(facts, projections.Fact{Position: uint64(i + 1), Stream: stream, RecordedAt: start.Add(time.Duration(i) * time.Second), Event: ev})
	}
	return facts
}

// BenchmarkApply measures folding one realistic fact.
func BenchmarkApply(b *testing.B) {
	facts := synthetic(200_000, 1000)
	b.ReportAllocs()
	m := New(domain.DefaultTeamSettings())
	i := 0
	for b.Loop() {
		if i == len(facts) {
			m, i = New(domain.DefaultTeamSettings()), 0
		}
		m.Apply(&facts[i])
		i++
	}
}

// BenchmarkQueries runs the team-wide queries and the per-family lookup on
// a model fed 1,000,000 events (5,000 families of 200 events).
func BenchmarkQueries(b *testing.B) {
	facts := synthetic(1_000_000, 5000)
	m := New(domain.DefaultTeamSettings())
	for i := range facts {
		m.Apply(&facts[i])
	}
	today := domain.MustDate("2025-07-20")
	b.Run("Coaches", func(b *testing.B) {
		for b.Loop() {
			if len(m.Coaches(time.Time{}, today)) != 7 {
				b.Fatal("want 7 coaches")
			}
		}
	})
	b.Run("NoContact", func(b *testing.B) {
		for b.Loop() {
			m.NoContact(time.Time{}, today, 0)
		}
	})
	b.Run("Family", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Family("fam-01234", time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSnapshot writes and restores the snapshot of a model fed
// 1,000,000 events and reports the seconds of each step and the size.
func BenchmarkSnapshot(b *testing.B) {
	facts := synthetic(1_000_000, 5000)
	m := New(domain.DefaultTeamSettings())
	for i := range facts {
		m.Apply(&facts[i])
	}
	for b.Loop() {
		t0 := time.Now()
		data, err := m.MarshalSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		marshal := time.Since(t0)
		t0 = time.Now()
		if err := New(domain.DefaultTeamSettings()).UnmarshalSnapshot(data); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(marshal.Seconds(), "marshal-s")
		b.ReportMetric(time.Since(t0).Seconds(), "restore-s")
		b.ReportMetric(float64(len(data))/(1<<20), "MB")
	}
}
