package assessments

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/projtest"
)

var _ = flag.Bool("update", false, "rewrite golden files")

var (
	_ projections.Model       = (*Model)(nil)
	_ projections.Snapshotter = (*Model)(nil)
)

const (
	leef  = domain.LeefsituatieID
	cebud = "cebud_sociale_balans"
)

func catalogue(t testing.TB) *domain.Catalogue {
	t.Helper()
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func load(t testing.TB) *Model {
	t.Helper()
	m := New(catalogue(t), DefaultOptions())
	projtest.Feed(projtest.LoadFacts(t, "testdata/year.jsonl"), m)
	return m
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// brief is an item reduced to what the hand-computed tables state.
type brief struct {
	Item   string
	Member domain.MemberID
	Status domain.AnswerStatus
	Level  int
	Score  float64 // -1: no score
	SetBy  domain.AssessmentID
}

func briefs(items []ItemState) []brief {
	out := make([]brief, len(items))
	for i, it := range items {
		s := -1.0
		if it.Score != nil {
			s = *it.Score
		}
		out[i] = brief{it.Item, it.Member, it.Status, it.Level, s, it.SetBy}
	}
	return out
}

const (
	scored = domain.AnswerScored
	na     = domain.AnswerNotAssessed
	napp   = domain.AnswerNotApplicable
)

func TestCurrentCarriesForward(t *testing.T) {
	m := load(t)
	tests := []struct {
		name         string
		family       domain.FamilyID
		instrument   string
		asOf         time.Time
		assessment   domain.AssessmentID
		registration int
		changed      int
		want         []brief
	}{
		{
			// as-a1-1 (t0), as-a1-3 (review: housing, work), as-a1-4 (t1: safety).
			name: "leefsituatie now", family: "a1", instrument: leef,
			assessment: "as-a1-4", registration: 3, changed: 1,
			want: []brief{
				{"safety", "", scored, 5, 0, "as-a1-4"},
				{"housing", "", scored, 3, 5, "as-a1-3"},
				{"parents_health", "", scored, 3, 5, "as-a1-1"},
				{"work", "", scored, 4, 2.5, "as-a1-3"},
			},
		},
		{
			name: "leefsituatie before the review", family: "a1", instrument: leef,
			asOf:       at("2026-04-15T09:59:59Z"),
			assessment: "as-a1-1", registration: 1, changed: 4,
			want: []brief{
				{"safety", "", scored, 1, 10, "as-a1-1"},
				{"housing", "", scored, 2, 7.5, "as-a1-1"},
				{"parents_health", "", scored, 3, 5, "as-a1-1"},
				{"work", "", na, 0, -1, "as-a1-1"},
			},
		},
		{
			name: "leefsituatie at the review's instant", family: "a1", instrument: leef,
			asOf:       at("2026-04-15T10:00:00Z"),
			assessment: "as-a1-3", registration: 2, changed: 2,
			want: []brief{
				{"safety", "", scored, 1, 10, "as-a1-1"},
				{"housing", "", scored, 3, 5, "as-a1-3"},
				{"parents_health", "", scored, 3, 5, "as-a1-1"},
				{"work", "", scored, 4, 2.5, "as-a1-3"},
			},
		},
		{
			// Household items first in the instrument's order (income before
			// food), then members by id (k1 before p1); CEBUD scores 1..5.
			name: "cebud with members", family: "a1", instrument: cebud,
			assessment: "as-a1-2", registration: 1, changed: 4,
			want: []brief{
				{"income", "", scored, 2, 2, "as-a1-2"},
				{"food", "", napp, 0, -1, "as-a1-2"},
				{"school", "k1", scored, 3, 3, "as-a1-2"},
				{"employment", "p1", scored, 1, 1, "as-a1-2"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := m.Current(tc.family, tc.instrument, tc.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if p.AssessmentID != tc.assessment || p.Registrations != tc.registration || p.Changed != tc.changed {
				t.Errorf("picture at %s (%d registrations, %d changed), want %s (%d, %d)", p.AssessmentID, p.Registrations, p.Changed, tc.assessment, tc.registration, tc.changed)
			}
			if got := briefs(p.Items); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("items\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestNoRegistration(t *testing.T) {
	m := load(t)
	for _, tc := range []struct {
		family     domain.FamilyID
		instrument string
		asOf       time.Time
	}{
		{"b2", cebud, time.Time{}},                  // only a leefsituatie
		{"zz", leef, time.Time{}},                   // unknown family
		{"a1", leef, at("2026-01-20T09:59:59Z")},    // before its t0 was recorded
		{"a1", cebud, at("2026-02-10T09:00:00.0Z")}, // before the CEBUD t0
	} {
		if _, err := m.Current(tc.family, tc.instrument, tc.asOf); !errors.Is(err, ErrNoRegistration) {
			t.Errorf("Current(%s, %s, %v): %v, want ErrNoRegistration", tc.family, tc.instrument, tc.asOf, err)
		}
		if _, err := m.History(tc.family, tc.instrument, tc.asOf); !errors.Is(err, ErrNoRegistration) {
			t.Errorf("History(%s, %s, %v): %v, want ErrNoRegistration", tc.family, tc.instrument, tc.asOf, err)
		}
	}
}

func TestHistory(t *testing.T) {
	m := load(t)
	h, err := m.History("a1", leef, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// The picture after each registration: t0, review, t1.
	want := [][]brief{
		{{"safety", "", scored, 1, 10, "as-a1-1"}, {"housing", "", scored, 2, 7.5, "as-a1-1"}, {"parents_health", "", scored, 3, 5, "as-a1-1"}, {"work", "", na, 0, -1, "as-a1-1"}},
		{{"safety", "", scored, 1, 10, "as-a1-1"}, {"housing", "", scored, 3, 5, "as-a1-3"}, {"parents_health", "", scored, 3, 5, "as-a1-1"}, {"work", "", scored, 4, 2.5, "as-a1-3"}},
		{{"safety", "", scored, 5, 0, "as-a1-4"}, {"housing", "", scored, 3, 5, "as-a1-3"}, {"parents_health", "", scored, 3, 5, "as-a1-1"}, {"work", "", scored, 4, 2.5, "as-a1-3"}},
	}
	moments := []domain.AssessmentMoment{domain.MomentT0, domain.MomentReview, domain.MomentT1}
	if len(h) != len(want) {
		t.Fatalf("%d pictures, want %d", len(h), len(want))
	}
	for i := range h {
		if h[i].Moment != moments[i] || h[i].Registrations != i+1 {
			t.Errorf("picture %d: moment %s after %d registrations", i, h[i].Moment, h[i].Registrations)
		}
		if got := briefs(h[i].Items); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("picture %d\n got %+v\nwant %+v", i, got, want[i])
		}
	}
	// Time travel: as of June only the first two were recorded.
	h, err = m.History("a1", leef, at("2026-06-01T00:00:00Z"))
	if err != nil || len(h) != 2 || h[1].AssessmentID != "as-a1-3" {
		t.Fatalf("history as of June: %d pictures, %v", len(h), err)
	}
	// Queries return copies: changing a result does not change the model.
	h[0].Items[0].Level = 99
	again, _ := m.History("a1", leef, at("2026-06-01T00:00:00Z"))
	if again[0].Items[0].Level != 1 {
		t.Fatal("a query result shares state with the model")
	}
	var got []string
	for _, p := range m.Pictures("a1", time.Time{}) {
		got = append(got, fmt.Sprintf("%s@%s/%d", p.InstrumentID, p.AssessmentID, len(p.Items)))
	}
	if want := []string{cebud + "@as-a1-2/4", leef + "@as-a1-4/4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pictures of a1: %v, want %v", got, want)
	}
	if p := m.Pictures("c3", time.Time{}); p == nil || len(p) != 0 {
		t.Errorf("pictures of c3: %v", p)
	}
	if got := m.Instruments("a1", time.Time{}); !reflect.DeepEqual(got, []string{cebud, leef}) {
		t.Errorf("instruments of a1: %v", got)
	}
	if got := m.Instruments("a1", at("2026-02-01T00:00:00Z")); !reflect.DeepEqual(got, []string{leef}) {
		t.Errorf("instruments of a1 in January: %v", got)
	}
}

type overdueBrief struct {
	Family domain.FamilyID
	Due    string
	Days   int
}

func TestOverdue(t *testing.T) {
	m := load(t)
	tests := []struct {
		name       string
		today      string
		instrument string
		asOf       time.Time
		want       []overdueBrief
	}{
		{
			// a1: last registration 2026-07-01, due 2026-10-01: in time.
			// b2: t0 2026-02-01 -> due 2026-05-01; 40 days late on 10 June.
			// c3: no registration, guidance 2026-03-01 -> due 2026-06-01: 9 days.
			// d4: reopened; guidance 2026-05-11 restarts the clock -> due 2026-08-11.
			name: "June, any instrument", today: "2026-06-10",
			want: []overdueBrief{{"b2", "2026-05-01", 40}, {"c3", "2026-06-01", 9}},
		},
		{
			// a1's last CEBUD registration is 2026-02-10 -> due 2026-05-10: 31 days.
			// b2 has no CEBUD registration: from guidance 2026-02-01, 40 days.
			name: "June, CEBUD only", today: "2026-06-10", instrument: cebud,
			want: []overdueBrief{{"b2", "2026-05-01", 40}, {"a1", "2026-05-10", 31}, {"c3", "2026-06-01", 9}},
		},
		{
			// The due day itself is still in time.
			name: "due day", today: "2026-06-01", want: []overdueBrief{{"b2", "2026-05-01", 31}},
		},
		{
			// As the ledger stood on 19 March d4 was still in guidance (closed
			// on the 20th): t0 2026-01-15 -> due 2026-04-15, 16 days on 1 May.
			// a1's last then was 2026-02-10 (due 2026-05-10); b2 due 2026-05-01.
			name: "time travel before d4's closure", today: "2026-05-01", asOf: at("2026-03-19T12:00:00Z"),
			want: []overdueBrief{{"d4", "2026-04-15", 16}},
		},
		{
			// Now d4 is in its second trajectory (guidance 2026-05-11).
			name: "same day, now", today: "2026-05-01", want: []overdueBrief{},
		},
		{
			// Between closure (20 March) and the reopened guidance (11 May) d4
			// is not in guidance, so never overdue.
			name: "closed family", today: "2026-05-01", asOf: at("2026-04-01T00:00:00Z"), want: []overdueBrief{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := []overdueBrief{}
			for _, o := range m.Overdue(domain.MustDate(tc.today), tc.instrument, tc.asOf) {
				got = append(got, overdueBrief{o.FamilyID, o.DueOn.String(), o.DaysOverdue})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestOverdueMonthsOption(t *testing.T) {
	m := New(nil, Options{OverdueAfterMonths: 1})
	projtest.Feed(projtest.LoadFacts(t, "testdata/year.jsonl"), m)
	// With one month, as the ledger stood on 10 March:
	// a1: last 2026-02-10 -> due 2026-03-10, still in time.
	// b2: t0 2026-02-01 -> due 2026-03-01: 9 days late.
	// c3: guidance 2026-03-01 -> due 2026-04-01.
	// d4: still in guidance (closed 20 March), t0 2026-01-15 -> due
	// 2026-02-15: 13 + 10 = 23 days late.
	got := m.Overdue(domain.MustDate("2026-03-10"), "", at("2026-03-10T00:00:00Z"))
	if len(got) != 2 || got[0].FamilyID != "d4" || got[0].DaysOverdue != 23 || got[1].FamilyID != "b2" || got[1].DaysOverdue != 9 {
		t.Fatalf("got %+v", got)
	}
	// Scores need the catalogue; without it they are left out.
	p, err := m.Current("a1", leef, time.Time{})
	if err != nil || p.Items[0].Score != nil {
		t.Fatalf("score without a catalogue: %+v %v", p.Items[0], err)
	}
}

// answers gathers every query's answer, for golden files and round trips.
func answers(t *testing.T, m *Model) map[string]any {
	t.Helper()
	cur, err := m.Current("a1", leef, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := m.History("a1", cebud, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	march, err := m.Current("a1", leef, at("2026-03-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"current_a1_leefsituatie":       cur,
		"current_a1_leefsituatie_march": march,
		"history_a1_cebud":              hist,
		"overdue_2026_06_10":            m.Overdue(domain.MustDate("2026-06-10"), "", time.Time{}),
		"overdue_2026_05_01_asof_march": m.Overdue(domain.MustDate("2026-05-01"), "", at("2026-03-19T12:00:00Z")),
	}
}

func TestGolden(t *testing.T) {
	projtest.Golden(t, "year", answers(t, load(t)))
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := load(t)
	b, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := New(catalogue(t), DefaultOptions())
	if err := r.UnmarshalSnapshot(b); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(answers(t, m))
	got, _ := json.Marshal(answers(t, r))
	if string(got) != string(want) {
		t.Fatalf("answers differ after a snapshot round trip:\n got %s\nwant %s", got, want)
	}
	if err := r.UnmarshalSnapshot([]byte("{not json")); err == nil {
		t.Fatal("a corrupt snapshot was accepted")
	}
	if _, err := r.Current("a1", leef, time.Time{}); err != nil {
		t.Fatalf("a refused snapshot changed the state: %v", err)
	}
}

func TestConcurrentQueries(t *testing.T) {
	facts := projtest.LoadFacts(t, "testdata/year.jsonl")
	m := New(catalogue(t), DefaultOptions())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		projtest.Feed(facts, m)
	}()
	for i := 0; i < 200; i++ {
		m.Current("a1", leef, time.Time{})
		m.Overdue(domain.MustDate("2026-06-10"), "", time.Time{})
	}
	wg.Wait()
	if p, err := m.Current("a1", leef, time.Time{}); err != nil || p.AssessmentID != "as-a1-4" {
		t.Fatalf("after concurrent feed: %v %v", p.AssessmentID, err)
	}
}

func BenchmarkApply(b *testing.B) {
	facts := projtest.LoadFacts(b, "testdata/year.jsonl")
	m := New(nil, DefaultOptions())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Apply(&facts[i%len(facts)])
	}
}

// BenchmarkQueries: Current and Overdue over 5,000 families with a t0, two
// reviews and a t1 each.
func BenchmarkQueries(b *testing.B) {
	m := New(catalogue(b), DefaultOptions())
	start := domain.MustDate("2026-01-05")
	pos := uint64(0)
	apply := func(fam domain.FamilyID, d domain.Date, e domain.Event) {
		pos++
		m.Apply(&projections.Fact{Position: pos, Stream: domain.FamilyStream(fam), RecordedAt: d.Time(), Event: e})
	}
	for i := range 5000 {
		fam := domain.FamilyID(fmt.Sprintf("fam-%05d", i))
		d := start.AddDays(i % 300)
		apply(fam, d, domain.GuidanceStarted{Date: d, Trajectory: 1})
		for k, mo := range []domain.AssessmentMoment{domain.MomentT0, domain.MomentReview, domain.MomentReview, domain.MomentT1} {
			var items []domain.ItemAnswer
			for j, ld := range domain.LifeDomains() {
				if k == 0 || j%3 == k%3 {
					items = append(items, domain.ItemAnswer{Item: string(ld), Status: domain.AnswerScored, Level: 1 + (i+j+k)%5})
				}
			}
			day := d.AddDays(80 * k)
			apply(fam, day, domain.AssessmentRegistered{AssessmentID: domain.AssessmentID(fmt.Sprint(k)), Date: day, InstrumentID: leef, InstrumentVersion: 1, Moment: mo, Items: items})
		}
	}
	today := domain.MustDate("2027-01-01")
	b.Run("Current", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if p, err := m.Current(domain.FamilyID(fmt.Sprintf("fam-%05d", i%5000)), leef, time.Time{}); err != nil || len(p.Items) != 9 {
				b.Fatal(err)
			}
		}
	})
	b.Run("Overdue", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Overdue(today, "", time.Time{})
		}
	})
}
