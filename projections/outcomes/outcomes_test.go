package outcomes

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"reflect"
	"strings"
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

func catalogue(t testing.TB) *domain.Catalogue {
	t.Helper()
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func seven(t testing.TB) *Model {
	t.Helper()
	m := New(catalogue(t))
	projtest.Feed(projtest.LoadFacts(t, "testdata/seven.jsonl"), m)
	return m
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func period(from, to string) Period {
	return Period{From: domain.MustDate(from), To: domain.MustDate(to)}
}

func dec(d *Decimal) string {
	if d == nil {
		return "null"
	}
	return d.String()
}

// rowLine renders a domain row as "domain: c1/c2/c3/c4/c5 n=N missing=M
// mean=X pct=p1/p2/p3/p4/p5", levels worst (score 10) first.
func rowLine(r DomainRow) string {
	var counts, pcts []string
	for _, l := range r.Levels {
		counts = append(counts, fmt.Sprint(l.Count))
		pcts = append(pcts, dec(l.Percent))
	}
	return fmt.Sprintf("%s: %s n=%d missing=%d mean=%s pct=%s", r.Domain, strings.Join(counts, "/"), r.N, r.Missing, dec(r.Mean), strings.Join(pcts, "/"))
}

func tableLines(t MomentTable) []string {
	out := []string{fmt.Sprintf("families=%d", t.Families)}
	for _, r := range t.Domains {
		out = append(out, rowLine(r))
	}
	return out
}

func distLine(rows []CountRow) string {
	var parts []string
	for _, r := range rows {
		if r.Families > 0 {
			parts = append(parts, fmt.Sprintf("%d:%d(%s)", r.Domains, r.Families, dec(r.Percent)))
		}
	}
	return strings.Join(parts, " ")
}

func diff(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d lines, want %d\n got %s\nwant %s", what, len(got), len(want), strings.Join(got, "\n    "), strings.Join(want, "\n    "))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s line %d\n got %s\nwant %s", what, i, got[i], want[i])
		}
	}
}

// The seven families of testdata/seven.jsonl (levels 1..5 score 10, 7.5, 5,
// 2.5, 0; "-" not assessed; "." never answered), domains in the order
// safety, housing, parents_health, work, income, debts, social_capital,
// cultural_capital, children:
//
//	     T0 (date)               T1 (latest in 2026)      source
//	f1   1 2 3 4 5 1 2 3 4  02-02  5 1 3 5 5 3 2 3 4  08-03  police (review 05-04: debts 3)
//	f2   2 2 2 2 2 2 2 2 2  02-03  3 3 3 3 3 3 3 3 3  09-30  police (t1 06-30: safety 1)
//	f3   5 5 5 5 5 5 5 5 5  02-04  4 5 5 5 - 5 5 5 5  08-04  police (erased 10-01)
//	f4   3 - 3 3 3 3 3 3 3  02-05  3 2 3 3 3 3 3 3 3  08-05  school
//	f5   1 1 . . . . . . .  02-06  (t1 2027-01-10)           school
//	f6   4 4 4 4 4 4 4 4 -  02-09  (none)                   kind_en_gezin
//	f7   (t0 2025-12-15: 2 3 4 5 1 2 3 4 5)  1 3 4 5 1 2 3 4 5  08-07  police
var (
	// Period 2026: T0 table f1..f6 (f7's t0 lies in 2025).
	wantT0 = []string{
		"families=6",
		// 10+7.5+0+5+10+2.5 = 35 / 6 = 5.83; 2/6 = 33.3, 1/6 = 16.7
		"safety: 2/1/1/1/1 n=6 missing=0 mean=5.8 pct=33.3/16.7/16.7/16.7/16.7",
		// f4 not assessed, f5 scored 10: 7.5+7.5+0+10+2.5 = 27.5 / 5
		"housing: 1/2/0/1/1 n=5 missing=1 mean=5.5 pct=20.0/40.0/0.0/20.0/20.0",
		// f5 never answered: 5+7.5+0+5+2.5 = 20 / 5
		"parents_health: 0/1/2/1/1 n=5 missing=1 mean=4.0 pct=0.0/20.0/40.0/20.0/20.0",
		"work: 0/1/1/2/1 n=5 missing=1 mean=3.5 pct=0.0/20.0/20.0/40.0/20.0",
		"income: 0/1/1/1/2 n=5 missing=1 mean=3.0 pct=0.0/20.0/20.0/20.0/40.0",
		"debts: 1/1/1/1/1 n=5 missing=1 mean=5.0 pct=20.0/20.0/20.0/20.0/20.0",
		"social_capital: 0/2/1/1/1 n=5 missing=1 mean=4.5 pct=0.0/40.0/20.0/20.0/20.0",
		"cultural_capital: 0/1/2/1/1 n=5 missing=1 mean=4.0 pct=0.0/20.0/40.0/20.0/20.0",
		// f5 and f6 missing: 2.5+7.5+0+5 = 15 / 4 = 3.75, half up to 3.8
		"children: 0/1/1/1/1 n=4 missing=2 mean=3.8 pct=0.0/25.0/25.0/25.0/25.0",
	}
	// Period 2026: T1 table f1, f2 (its 09-30 t1), f3, f4, f7 (f5's t1 is in 2027).
	wantT1 = []string{
		"families=5",
		// 0+5+2.5+5+10 = 22.5 / 5
		"safety: 1/0/2/1/1 n=5 missing=0 mean=4.5 pct=20.0/0.0/40.0/20.0/20.0",
		"housing: 1/1/2/0/1 n=5 missing=0 mean=5.5 pct=20.0/20.0/40.0/0.0/20.0",
		"parents_health: 0/0/3/1/1 n=5 missing=0 mean=3.5 pct=0.0/0.0/60.0/20.0/20.0",
		"work: 0/0/2/0/3 n=5 missing=0 mean=2.0 pct=0.0/0.0/40.0/0.0/60.0",
		// f3 not assessed at T1: 0+5+5+10 = 20 / 4
		"income: 1/0/2/0/1 n=4 missing=1 mean=5.0 pct=25.0/0.0/50.0/0.0/25.0",
		"debts: 0/1/3/0/1 n=5 missing=0 mean=4.5 pct=0.0/20.0/60.0/0.0/20.0",
		"social_capital: 0/1/3/0/1 n=5 missing=0 mean=4.5 pct=0.0/20.0/60.0/0.0/20.0",
		"cultural_capital: 0/0/3/1/1 n=5 missing=0 mean=3.5 pct=0.0/0.0/60.0/20.0/20.0",
		"children: 0/0/2/1/2 n=5 missing=0 mean=2.5 pct=0.0/0.0/40.0/20.0/40.0",
	}
)

func TestReportSevenFamilies(t *testing.T) {
	m := seven(t)
	r, err := m.Report(period("2026-01-01", "2026-12-31"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "T0", tableLines(r.Overall.T0), wantT0)
	diff(t, "T1", tableLines(r.Overall.T1), wantT1)

	// Change T0 -> T1 (compared / improved / worsened):
	// f1 9/3/1 (safety, work, debts better; housing worse), f2 9/9/0,
	// f3 8/0/1 (income missing at T1), f4 8/0/0 (housing missing at T0),
	// f7 9/0/1.
	c := r.Overall.Change
	if c.Families != 5 || c.NotComparable != 0 {
		t.Errorf("change: %d families, %d not comparable", c.Families, c.NotComparable)
	}
	if got, want := distLine(c.Improved), "0:3(60.0) 3:1(20.0) 9:1(20.0)"; got != want {
		t.Errorf("improved distribution %q, want %q", got, want)
	}
	if got, want := distLine(c.Worsened), "0:2(40.0) 1:3(60.0)"; got != want {
		t.Errorf("worsened distribution %q, want %q", got, want)
	}
	// (3+9)/5 = 2.4; 3/5 = 0.6
	if dec(c.MeanImproved) != "2.4" || dec(c.MeanWorsened) != "0.6" {
		t.Errorf("means improved %s worsened %s", dec(c.MeanImproved), dec(c.MeanWorsened))
	}

	// Problems at T0 over f1 (8), f2 (9), f3 (0); f4, f5, f6 not scored on
	// all nine. Mean 17/3 = 5.67.
	p0 := r.Overall.ProblemsT0
	if p0.Families != 3 || p0.Excluded != 3 || distLine(p0.Distribution) != "0:1(33.3) 8:1(33.3) 9:1(33.3)" || dec(p0.Mean) != "5.7" {
		t.Errorf("problems T0: %d families, %d excluded, %s, mean %s", p0.Families, p0.Excluded, distLine(p0.Distribution), dec(p0.Mean))
	}
	// Problems at T1 over f1 (6), f2 (9), f4 (9), f7 (7); f3 excluded.
	// Mean 31/4 = 7.75, half up to 7.8.
	p1 := r.Overall.ProblemsT1
	if p1.Families != 4 || p1.Excluded != 1 || distLine(p1.Distribution) != "6:1(25.0) 7:1(25.0) 9:2(50.0)" || dec(p1.Mean) != "7.8" {
		t.Errorf("problems T1: %d families, %d excluded, %s, mean %s", p1.Families, p1.Excluded, distLine(p1.Distribution), dec(p1.Mean))
	}

	// Per source, in domain.ReferralSources order.
	var sources []string
	for _, s := range r.BySource {
		sources = append(sources, fmt.Sprintf("%s:%d/%d", s.Source, s.T0.Families, s.T1.Families))
	}
	if got, want := strings.Join(sources, " "), "police:3/4 school:2/1 kind_en_gezin:1/0"; got != want {
		t.Errorf("sources %q, want %q", got, want)
	}
	police, school, kg := r.BySource[0], r.BySource[1], r.BySource[2]
	// Police T0 safety: f1 10, f2 7.5, f3 0 -> 17.5 / 3 = 5.83.
	if got, want := rowLine(police.T0.Domains[0]), "safety: 1/1/0/0/1 n=3 missing=0 mean=5.8 pct=33.3/33.3/0.0/0.0/33.3"; got != want {
		t.Errorf("police T0 safety\n got %s\nwant %s", got, want)
	}
	// Police T1 safety: f1 0, f2 5, f3 2.5, f7 10 -> 17.5 / 4 = 4.375 -> 4.4.
	if got, want := rowLine(police.T1.Domains[0]), "safety: 1/0/1/1/1 n=4 missing=0 mean=4.4 pct=25.0/0.0/25.0/25.0/25.0"; got != want {
		t.Errorf("police T1 safety\n got %s\nwant %s", got, want)
	}
	// School T0 housing: f4 not assessed, f5 10.
	if got, want := rowLine(school.T0.Domains[1]), "housing: 1/0/0/0/0 n=1 missing=1 mean=10.0 pct=100.0/0.0/0.0/0.0/0.0"; got != want {
		t.Errorf("school T0 housing\n got %s\nwant %s", got, want)
	}
	// Kind & Gezin has no T1: no percentages, no mean.
	if got, want := rowLine(kg.T1.Domains[0]), "safety: 0/0/0/0/0 n=0 missing=0 mean=null pct=null/null/null/null/null"; got != want {
		t.Errorf("kind_en_gezin T1 safety\n got %s\nwant %s", got, want)
	}

	// The trajectories behind the tables.
	var rows []string
	for _, f := range r.Families {
		p0, p1 := "-", "-"
		if f.ProblemsT0 != nil {
			p0 = fmt.Sprint(*f.ProblemsT0)
		}
		if f.ProblemsT1 != nil {
			p1 = fmt.Sprint(*f.ProblemsT1)
		}
		rows = append(rows, fmt.Sprintf("%s/%d %s t0=%s t1=%s c=%d i=%d w=%d p0=%s p1=%s", f.FamilyID, f.Trajectory, f.Source, f.T0Date, f.T1Date, f.Compared, f.Improved, f.Worsened, p0, p1))
	}
	diff(t, "families", rows, []string{
		"f1/1 police t0=2026-02-02 t1=2026-08-03 c=9 i=3 w=1 p0=8 p1=6",
		"f2/1 police t0=2026-02-03 t1=2026-09-30 c=9 i=9 w=0 p0=9 p1=9",
		"f3/1 police t0=2026-02-04 t1=2026-08-04 c=8 i=0 w=1 p0=0 p1=-",
		"f4/1 school t0=2026-02-05 t1=2026-08-05 c=8 i=0 w=0 p0=- p1=9",
		"f5/1 school t0=2026-02-06 t1= c=0 i=0 w=0 p0=- p1=-",
		"f6/1 kind_en_gezin t0=2026-02-09 t1= c=0 i=0 w=0 p0=- p1=-",
		"f7/1 police t0= t1=2026-08-07 c=9 i=0 w=1 p0=- p1=7",
	})
	if s := r.Families[0].T1Scores; dec(s[0]) != "0.0" || dec(s[1]) != "10.0" || dec(s[5]) != "5.0" {
		t.Errorf("f1 T1 scores %s %s %s", dec(s[0]), dec(s[1]), dec(s[5]))
	}
	if s := r.Families[2].T1Scores; s[4] != nil {
		t.Errorf("f3 T1 income %s, want missing", dec(s[4]))
	}
}

func TestReportPeriods(t *testing.T) {
	m := seven(t)
	// First half of 2026: the T1 table holds only f2's t1 of 30 June (the
	// period's last day counts): safety 1, everything else still 2.
	r, err := m.Report(period("2026-01-01", "2026-06-30"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall.T0.Families != 6 || r.Overall.T1.Families != 1 {
		t.Fatalf("H1: %d at T0, %d at T1", r.Overall.T0.Families, r.Overall.T1.Families)
	}
	if got, want := rowLine(r.Overall.T1.Domains[0]), "safety: 1/0/0/0/0 n=1 missing=0 mean=10.0 pct=100.0/0.0/0.0/0.0/0.0"; got != want {
		t.Errorf("H1 T1 safety\n got %s\nwant %s", got, want)
	}
	if got, want := rowLine(r.Overall.T1.Domains[8]), "children: 0/1/0/0/0 n=1 missing=0 mean=7.5 pct=0.0/100.0/0.0/0.0/0.0"; got != want {
		t.Errorf("H1 T1 children\n got %s\nwant %s", got, want)
	}
	if c := r.Overall.Change; c.Families != 1 || distLine(c.Worsened) != "1:1(100.0)" || distLine(c.Improved) != "0:1(100.0)" {
		t.Errorf("H1 change: %+v", c)
	}

	// Second half: no t0, and f2 at its 30 September t1 (f5's t1 of 2027
	// lies after the period).
	r, err = m.Report(period("2026-07-01", "2026-12-31"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall.T0.Families != 0 || r.Overall.T1.Families != 5 || r.Overall.T0.Domains[0].Mean != nil {
		t.Fatalf("H2: %d at T0, %d at T1", r.Overall.T0.Families, r.Overall.T1.Families)
	}
	diff(t, "H2 T1", tableLines(r.Overall.T1), wantT1)

	// Open period: every t0 (f7's too) and the latest t1 of each (f5's in 2027).
	r, err = m.Report(Period{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall.T0.Families != 7 || r.Overall.T1.Families != 6 {
		t.Fatalf("open: %d at T0, %d at T1", r.Overall.T0.Families, r.Overall.T1.Families)
	}

	_, err = m.Report(period("2026-07-01", "2026-06-30"), time.Time{})
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "period") {
		t.Fatalf("reversed period: %v", err)
	}
}

func TestReportTimeTravel(t *testing.T) {
	m := seven(t)
	year := period("2026-01-01", "2026-12-31")
	// On 1 September f2's second t1 was not yet recorded: its T1 is the
	// one of 30 June (safety 1 = 10, rest 7.5).
	r, err := m.Report(year, at("2026-09-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	// safety: f1 0, f2 10, f3 2.5, f4 5, f7 10 -> 27.5 / 5
	if got, want := rowLine(r.Overall.T1.Domains[0]), "safety: 2/0/1/1/1 n=5 missing=0 mean=5.5 pct=40.0/0.0/20.0/20.0/20.0"; got != want {
		t.Errorf("T1 safety on 1 September\n got %s\nwant %s", got, want)
	}
	// f2 now worsened on safety only; improved: f1 3, others 0.
	if got, want := distLine(r.Overall.Change.Improved), "0:4(80.0) 3:1(20.0)"; got != want {
		t.Errorf("improved on 1 September %q, want %q", got, want)
	}
	if got, want := distLine(r.Overall.Change.Worsened), "0:1(20.0) 1:4(80.0)"; got != want {
		t.Errorf("worsened on 1 September %q, want %q", got, want)
	}
	// On 1 April no t1 was recorded yet; the T0 table is complete.
	r, err = m.Report(year, at("2026-04-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "T0 on 1 April", tableLines(r.Overall.T0), wantT0)
	if r.Overall.T1.Families != 0 || r.Overall.Change.Families != 0 || len(r.Families) != 6 {
		t.Errorf("1 April: %d at T1, %d compared, %d rows", r.Overall.T1.Families, r.Overall.Change.Families, len(r.Families))
	}
	// Before any registration: empty tables, no error.
	r, err = m.Report(year, at("2025-01-01T00:00:00Z"))
	if err != nil || r.Overall.T0.Families != 0 || len(r.BySource) != 0 {
		t.Fatalf("2025: %+v %v", r.Overall.T0.Families, err)
	}
}

func TestReopenedTrajectory(t *testing.T) {
	// A family referred by the CLB, closed and reopened via the OCMW: its
	// second trajectory counts under ocmw, with a picture carried forward
	// from the first trajectory (only safety changed at the new t0).
	facts, err := projtest.ParseFacts([]byte(`
{"stream":"family-r1","type":"FamilyReferred","at":"2025-06-01T10:00:00Z","data":{"family_id":"r1","date":"2025-06-01","source":"clb","referring_org":"CLB","consent_given":true,"consent_form":"written","problems":["safety"],"children":1,"adults":1}}
{"stream":"family-r1","type":"AssessmentRegistered","at":"2025-06-10T10:00:00Z","data":{"assessment_id":"r1-a","date":"2025-06-10","instrument_id":"go_team_leefsituatie","instrument_version":1,"moment":"t0","items":[{"item":"safety","status":"scored","level":1},{"item":"housing","status":"scored","level":2}],"coach_id":"c1"}}
{"stream":"family-r1","type":"CaseClosed","at":"2025-12-01T10:00:00Z","data":{"date":"2025-12-01","reason":"unsuccessful","decided_by":"co"}}
{"stream":"family-r1","type":"CaseReopened","at":"2026-03-01T10:00:00Z","data":{"date":"2026-03-01","source":"ocmw","trajectory":2}}
{"stream":"family-r1","type":"AssessmentRegistered","at":"2026-03-15T10:00:00Z","data":{"assessment_id":"r1-b","date":"2026-03-15","instrument_id":"go_team_leefsituatie","instrument_version":1,"moment":"t0","items":[{"item":"safety","status":"scored","level":3}],"coach_id":"c1"}}
{"stream":"family-r1","type":"AssessmentRegistered","at":"2026-09-15T10:00:00Z","data":{"assessment_id":"r1-c","date":"2026-09-15","instrument_id":"go_team_leefsituatie","instrument_version":1,"moment":"t1","items":[{"item":"housing","status":"scored","level":5}],"coach_id":"c1"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	m := New(nil)
	projtest.Feed(facts, m)
	r, err := m.Report(period("2026-01-01", "2026-12-31"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Families) != 1 || len(r.BySource) != 1 || r.BySource[0].Source != domain.SourceOCMW {
		t.Fatalf("rows %+v, sources %d", r.Families, len(r.BySource))
	}
	f := r.Families[0]
	// T0 (trajectory 2): safety 5, housing 7.5 carried; T1: housing 0.
	if f.Trajectory != 2 || dec(f.T0Scores[0]) != "5.0" || dec(f.T0Scores[1]) != "7.5" || dec(f.T1Scores[1]) != "0.0" || f.Compared != 2 || f.Improved != 1 {
		t.Fatalf("row %+v", f)
	}
	// Over both years both trajectories count, each under its own source.
	r, _ = m.Report(Period{}, time.Time{})
	if len(r.Families) != 2 || r.BySource[0].Source != domain.SourceCLB || r.BySource[1].Source != domain.SourceOCMW {
		t.Fatalf("open period: %d rows, %+v", len(r.Families), r.BySource)
	}
}

func TestDecimalRounding(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  *Decimal
		want string
	}{
		{"2/3", Percent(2, 3), "66.7"},
		{"1/3", Percent(1, 3), "33.3"},
		{"1/6", Percent(1, 6), "16.7"},
		{"1/8", Percent(1, 8), "12.5"},
		{"3/8", Percent(3, 8), "37.5"},
		{"0.05% rounds up", Percent(1, 2000), "0.1"},
		{"0.04998% rounds down", Percent(1, 2001), "0.0"},
		{"0/5", Percent(0, 5), "0.0"},
		{"5/5", Percent(5, 5), "100.0"},
		{"over nobody", Percent(0, 0), "null"},
		{"mean 0.05", meanOfHundredths(5, 1), "0.1"},
		{"mean 0.04", meanOfHundredths(4, 1), "0.0"},
		{"mean 0.15 (a float would say 0.1)", meanOfHundredths(15, 1), "0.2"},
		{"mean 3.75", meanOfHundredths(1500, 4), "3.8"},
		{"mean 8.75", meanOfHundredths(1750, 2), "8.8"},
		{"mean of nobody", meanOfHundredths(0, 0), "null"},
		{"17/3", meanOfCounts(17, 3), "5.7"},
		{"31/4", meanOfCounts(31, 4), "7.8"},
	} {
		if got := dec(tc.got); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestDecimalJSON(t *testing.T) {
	for _, tc := range []struct {
		d    Decimal
		json string
	}{{667, "66.7"}, {0, "0.0"}, {100, "10.0"}, {-5, "-0.5"}, {1000, "100.0"}} {
		b, err := json.Marshal(tc.d)
		if err != nil || string(b) != tc.json {
			t.Errorf("marshal %d: %s %v, want %s", tc.d, b, err, tc.json)
		}
		var back Decimal
		if err := json.Unmarshal(b, &back); err != nil || back != tc.d {
			t.Errorf("unmarshal %s: %d %v", b, back, err)
		}
	}
	var d Decimal
	if err := json.Unmarshal([]byte("12"), &d); err != nil || d != 120 {
		t.Errorf("unmarshal 12: %d %v", d, err)
	}
	for _, bad := range []string{"1.25", `"1.2"`, "1.", ".5", "1.x", "--1"} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
}

func TestGoldenReport(t *testing.T) {
	r, err := seven(t).Report(period("2026-01-01", "2026-12-31"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	projtest.Golden(t, "seven_2026", r)
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := seven(t)
	dep := deprivationModel(t)
	for _, src := range []*Model{m, dep} {
		b, err := src.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		r := New(catalogue(t))
		if err := r.UnmarshalSnapshot(b); err != nil {
			t.Fatal(err)
		}
		for _, asOf := range []time.Time{{}, at("2026-09-01T00:00:00Z")} {
			a, _ := src.Report(period("2026-01-01", "2026-12-31"), asOf)
			b, _ := r.Report(period("2026-01-01", "2026-12-31"), asOf)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("report differs after a snapshot round trip (as of %v)", asOf)
			}
			q := sixMonths(t)
			da, errA := src.Deprivation(q, asOf)
			db, errB := r.Deprivation(q, asOf)
			if errA != nil || errB != nil || !reflect.DeepEqual(da, db) {
				t.Fatalf("deprivation differs after a snapshot round trip: %v %v", errA, errB)
			}
		}
	}
	if err := m.UnmarshalSnapshot([]byte(`{"families":`)); err == nil {
		t.Fatal("a truncated snapshot was accepted")
	}
	if r, _ := m.Report(Period{}, time.Time{}); r.Overall.T0.Families != 7 {
		t.Fatal("a refused snapshot changed the state")
	}
}

func TestConcurrentQueries(t *testing.T) {
	facts := projtest.LoadFacts(t, "testdata/seven.jsonl")
	m := New(catalogue(t))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		projtest.Feed(facts, m)
	}()
	for i := 0; i < 100; i++ {
		if _, err := m.Report(Period{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	r, _ := m.Report(period("2026-01-01", "2026-12-31"), time.Time{})
	diff(t, "T0 after concurrent feed", tableLines(r.Overall.T0), wantT0)
}

func BenchmarkApply(b *testing.B) {
	facts := projtest.LoadFacts(b, "testdata/seven.jsonl")
	m := New(nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Apply(&facts[i%len(facts)])
	}
}

// teamFacts builds n families, each referred, with a t0 (nine domains), a
// review (three) and a t1 (nine) in 2026.
func teamFacts(n int) []projections.Fact {
	var facts []projections.Fact
	day := domain.MustDate("2026-01-05")
	add := func(fam domain.FamilyID, d domain.Date, e domain.Event) {
		facts = append(facts, projections.Fact{Position: uint64(len(facts) + 1), Stream: domain.FamilyStream(fam), RecordedAt: d.Time().Add(10 * time.Hour), Event: e})
	}
	items := func(seed, k int) []domain.ItemAnswer {
		var out []domain.ItemAnswer
		for i, d := range domain.LifeDomains()[:k] {
			out = append(out, domain.ItemAnswer{Item: string(d), Status: domain.AnswerScored, Level: 1 + (seed+i)%5})
		}
		return out
	}
	sources := domain.ReferralSources()
	for i := range n {
		fam := domain.FamilyID(fmt.Sprintf("fam-%05d", i))
		d := day.AddDays(i % 200)
		add(fam, d, domain.FamilyReferred{FamilyID: fam, Date: d, Source: sources[i%len(sources)]})
		add(fam, d.AddDays(10), domain.AssessmentRegistered{AssessmentID: "a", Date: d.AddDays(10), InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: domain.MomentT0, Items: items(i, 9)})
		add(fam, d.AddDays(90), domain.AssessmentRegistered{AssessmentID: "b", Date: d.AddDays(90), InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: domain.MomentReview, Items: items(i+1, 3)})
		add(fam, d.AddDays(160), domain.AssessmentRegistered{AssessmentID: "c", Date: d.AddDays(160), InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: domain.MomentT1, Items: items(i+2, 9)})
	}
	return facts
}

// BenchmarkReport: the full report (overall, per source, per family) for
// 50 families (a team's year) and for 5,000.
func BenchmarkReport(b *testing.B) {
	for _, n := range []int{50, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := New(catalogue(b))
			projtest.Feed(teamFacts(n), m)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if r, err := m.Report(Period{}, time.Time{}); err != nil || r.Overall.T0.Families != n {
					b.Fatalf("%d families at T0, %v", r.Overall.T0.Families, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
		})
	}
}

func BenchmarkDeprivation(b *testing.B) {
	m := deprivationModel(b)
	q := sixMonths(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Deprivation(q, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}
