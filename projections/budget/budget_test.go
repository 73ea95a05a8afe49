package budget_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"reflect"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/budget"
	"spoor/projections/projtest"
)

var _ = flag.Bool("update", false, "rewrite golden files")

// must fails the test on err: must(call(...))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var d = domain.MustDate

func loaded(t testing.TB) (*budget.Model, []projections.Fact) {
	t.Helper()
	m := budget.New()
	facts := projtest.LoadFacts(t, "testdata/scenario.jsonl")
	projtest.Feed(facts, m)
	return m, facts
}

func answers(t testing.TB, m *budget.Model) map[string]any {
	t.Helper()
	return answersFor(t, m, "f3")
}

// answersFor is every query's answer now, with fam as the one family asked.
func answersFor(t testing.TB, m *budget.Model, fam domain.FamilyID) map[string]any {
	t.Helper()
	var now time.Time
	return map[string]any{
		"council_2026":          must(m.CouncilReport(d("2026-01-01"), d("2026-12-31"), now))(t),
		"totals_q1_2026":        must(m.Totals(d("2026-01-01"), d("2026-03-31"), now))(t),
		"family_" + string(fam): must(m.Family(fam, now))(t),
		"families":              m.Families(now),
		"envelopes":             must(m.Envelopes(0, now))(t),
		"cost_avoidance":        must(m.CostAvoidance(domain.Date{}, domain.Date{}, now))(t),
	}
}

// TestGolden compares the scenario's answers with their reviewed golden
// files.
func TestGolden(t *testing.T) {
	m, _ := loaded(t)
	for name, got := range answers(t, m) {
		t.Run(name, func(t *testing.T) { projtest.Golden(t, name, got) })
	}
}

// figure is the hand-checked part of a Figure.
type figure struct {
	key                     string
	spent, reversed, net    int64
	spends, reversals, fams int
	children                int
}

func fig(f budget.Figure) figure {
	return figure{f.Key, f.SpentCents, f.ReversedCents, f.NetCents, f.Spends, f.Reversals, f.Families, f.Children}
}

func figs(fs []budget.Figure) []figure {
	out := []figure{}
	for _, f := range fs {
		out = append(out, fig(f))
	}
	return out
}

// TestCouncilReport checks the 2026 report against sums computed by hand
// from the scenario's header.
func TestCouncilReport(t *testing.T) {
	m, _ := loaded(t)
	r := must(m.CouncilReport(d("2026-01-01"), d("2026-12-31"), time.Time{}))(t)
	// Spent 12.50 + 80.00 + 7.25 + 45.00 + 30.00 + 300.00 = 474.75; reversed 20.00 (s6, of 2025) + 80.00 (s2).
	if got, want := fig(r.Total), (figure{"total", 47475, 10000, 37475, 6, 2, 3, 6}); got != want {
		t.Errorf("total = %+v, want %+v", got, want)
	}
	tests := []struct {
		name string
		got  []budget.Figure
		want []figure
	}{
		{"category", r.ByCategory, []figure{
			{"bus_pass", 3000, 0, 3000, 1, 0, 1, 1},
			{"cleaning_supplies", 1250, 0, 1250, 1, 0, 1, 3},
			{"energy_bill", 4500, 0, 4500, 1, 0, 1, 2},
			{"furniture", 8000, 8000, 0, 1, 1, 0, 0},
			{"lice_shampoo", 725, 0, 725, 1, 0, 1, 2},
			{"school_bills_and_supplies", 0, 2000, -2000, 0, 1, 0, 0},
			{"washing_machine", 30000, 0, 30000, 1, 0, 1, 1},
		}},
		{"instrument", r.ByInstrument, []figure{
			{"delegated_decision", 4500, 0, 4500, 1, 0, 1, 2},
			{"maatbudget", 42975, 10000, 32975, 5, 2, 3, 6},
		}},
		{"funding", r.ByFunding, []figure{
			{"bcsd_delegated", 4500, 0, 4500, 1, 0, 1, 2},
			{"maatbudget", 42975, 10000, 32975, 5, 2, 3, 6},
		}},
		{"referral type", r.ByReferralType, []figure{
			{"clb", 33000, 2000, 31000, 2, 1, 1, 1},
			{"police", 9250, 8000, 1250, 2, 1, 1, 3},
			{"school", 5225, 0, 5225, 2, 0, 1, 2},
		}},
		{"coach", r.ByCoach, []figure{
			{"c1", 42250, 10000, 32250, 4, 2, 2, 4},
			{"c2", 5225, 0, 5225, 2, 0, 1, 2},
		}},
	}
	for _, tt := range tests {
		if got := figs(tt.got); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	// Every figure's lines add up to it, and the reversals are lines of their own.
	for _, f := range append(append([]budget.Figure{r.Total}, r.ByCategory...), r.ByCoach...) {
		var net int64
		for _, l := range f.Lines {
			net += l.AmountCents
		}
		if net != f.NetCents || len(f.Lines) != f.Spends+f.Reversals {
			t.Errorf("%s: lines sum to %d in %d lines, figure says %d in %d", f.Key, net, len(f.Lines), f.NetCents, f.Spends+f.Reversals)
		}
	}
	kinds := []string{}
	for _, l := range r.Total.Lines {
		kinds = append(kinds, fmt.Sprintf("%s %s %s %d", l.Date, l.Kind, l.SpendID, l.AmountCents))
	}
	want := []string{
		"2026-01-05 reversal s6 -2000", "2026-02-03 spend s1 1250", "2026-02-10 spend s2 8000", "2026-03-05 spend s3 725",
		"2026-03-20 spend s4 4500", "2026-04-02 spend s5 3000", "2026-04-10 reversal s2 -8000", "2026-05-01 spend s8 30000",
	}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("lines:\n%q\nwant\n%q", kinds, want)
	}
	s1, s2 := r.Total.Lines[1], r.Total.Lines[2]
	if s1.Decision.Path != domain.PathTeamDecision || s1.Decision.DecidedOn != d("2026-02-02") || s1.Decision.DecidedBy != "k1" || s1.Reversed {
		t.Errorf("s1 decision = %+v reversed %v", s1.Decision, s1.Reversed)
	}
	if s2.Decision.Path != domain.PathUrgent || !s2.Decision.Reviewed || s2.Decision.ReviewedOn != d("2026-02-16") || !s2.Reversed || s2.ReversedOn != d("2026-04-10") {
		t.Errorf("s2 = %+v", s2)
	}
	if rev := r.Total.Lines[0]; rev.SpendDate != d("2025-12-20") || rev.ReversalReason != domain.ReversalError {
		t.Errorf("s6 reversal line = %+v", rev)
	}
}

// TestReversalTable: three spends of 12.50, 80.00 and 7.25 euro and the
// reversal of the 80.00 one, fed as facts built here; the table checks each
// period by hand.
func TestReversalTable(t *testing.T) {
	m := budget.New()
	t0 := at("2026-03-01T09:00:00Z")
	var pos uint64
	feed := func(stream string, e domain.Event) {
		pos++
		f := projections.Fact{Position: pos, Stream: stream, RecordedAt: t0.Add(time.Duration(pos) * time.Hour), Event: e}
		m.Apply(&f)
	}
	feed("family-x", domain.FamilyReferred{FamilyID: "x", Date: d("2026-03-01"), Source: domain.SourceSchool, Children: 4})
	feed("family-x", domain.BudgetAllocated{AllocationID: "a", Date: d("2026-03-01"), Trajectory: 1, AmountCents: 30000, FundingSource: "maatbudget"})
	for _, s := range []struct {
		id     domain.SpendID
		day    string
		amount int64
	}{{"a", "2026-03-02", 1250}, {"b", "2026-03-03", 8000}, {"c", "2026-03-04", 725}} {
		feed("family-x", domain.SpendRecorded{SpendID: s.id, Date: d(s.day), Trajectory: 1, AmountCents: s.amount, Instrument: domain.InstrumentMaatbudget, Category: "other", Supplier: "Shop", Path: domain.PathUrgent, ProposedBy: "c"})
	}
	feed("family-x", domain.SpendReversed{SpendID: "b", Date: d("2026-03-05"), Reason: domain.ReversalDuplicate})
	tests := []struct {
		from, to string
		want     figure
	}{
		{"2026-03-01", "2026-03-31", figure{"total", 9975, 8000, 1975, 3, 1, 1, 4}},
		{"2026-03-02", "2026-03-04", figure{"total", 9975, 0, 9975, 3, 0, 1, 4}},
		{"2026-03-03", "2026-03-03", figure{"total", 8000, 0, 8000, 1, 0, 0, 0}}, // only the reversed spend: nobody reached
		{"2026-03-05", "2026-03-05", figure{"total", 0, 8000, -8000, 0, 1, 0, 0}},
		{"2026-04-01", "2026-04-30", figure{"total", 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		r := must(m.Totals(d(tt.from), d(tt.to), time.Time{}))(t)
		if got := fig(r.Total); got != tt.want {
			t.Errorf("%s..%s: %+v, want %+v", tt.from, tt.to, got, tt.want)
		}
		if r.Total.Lines != nil {
			t.Errorf("Totals returned lines")
		}
	}
	fb := must(m.Family("x", time.Time{}))(t)
	if fb.AllocatedCents != 30000 || fb.SpentCents != 1975 || fb.ReversedCents != 8000 || fb.LeftCents != 28025 {
		t.Errorf("family x = %+v", fb.TrajectoryBudget)
	}
	if len(fb.Lines) != 4 || fb.Lines[0].Kind != budget.LineReversal || fb.Lines[0].AmountCents != -8000 {
		t.Errorf("family lines = %+v", fb.Lines)
	}
}

// TestFamilies checks allocated / spent / left per family by hand.
func TestFamilies(t *testing.T) {
	m, _ := loaded(t)
	type row struct {
		id                                          domain.FamilyID
		allocated, spent, reversed, left, delegated int64
		overspend                                   int64
	}
	got := []row{}
	for _, f := range m.Families(time.Time{}) {
		got = append(got, row{f.FamilyID, f.AllocatedCents, f.SpentCents, f.ReversedCents, f.LeftCents, f.DelegatedCents, f.OverspendApprovedCents})
	}
	want := []row{
		{"f1", 200000, 1250, 8000, 198750, 0, 0},
		{"f2", 30000, 725, 0, 29275, 4500, 0},
		{"f3", 30000, 33000, 2000, -3000, 0, 3000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("families:\n got %+v\nwant %+v", got, want)
	}
	if _, err := m.Family("nope", time.Time{}); !errors.Is(err, budget.ErrUnknownFamily) {
		t.Errorf("unknown family: %v", err)
	}
}

// TestEnvelopes: 2026 maatbudget 10,000.00 against 329.75 net; delegated
// 4,000.00 against 45.00; 2025 has a spend but no envelope.
func TestEnvelopes(t *testing.T) {
	m, _ := loaded(t)
	got := must(m.Envelopes(0, time.Time{}))(t)
	type row struct {
		year          int
		line          string
		amount, spent int64
		left          int64
		none          bool
	}
	rows := []row{}
	for _, e := range got {
		rows = append(rows, row{e.Year, e.FundingLine, e.AmountCents, e.SpentCents, e.LeftCents, e.NoEnvelope})
	}
	want := []row{
		{2025, "maatbudget", 0, 2000, -2000, true},
		{2026, "bcsd_delegated", 400000, 4500, 395500, false},
		{2026, "maatbudget", 1000000, 32975, 967025, false},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("envelopes:\n got %+v\nwant %+v", rows, want)
	}
	// As of February the first envelope (8,000.00) was in force.
	feb := must(m.Envelopes(2026, at("2026-02-01T00:00:00Z")))(t)
	if len(feb) != 2 || feb[1].FundingLine != "maatbudget" || feb[1].AmountCents != 800000 || feb[1].SpentCents != -2000 {
		t.Errorf("envelopes as of February = %+v", feb)
	}
}

// TestCostAvoidance: DOMAIN.md's study, 5,792 - 1,983 = 3,809 euro avoided.
func TestCostAvoidance(t *testing.T) {
	m, _ := loaded(t)
	r := must(m.CostAvoidance(domain.Date{}, domain.Date{}, time.Time{}))(t)
	if r.Total.ActualCents != 198300 || r.Total.ComparisonCents != 729200 || r.Total.AvoidedCents != 530900 || r.Total.Records != 2 {
		t.Errorf("team = %+v", r.Total)
	}
	if len(r.Families) != 2 || r.Families[0].Key != "f1" || r.Families[0].AvoidedCents != 380900 || r.Families[0].InitialReports != 3 {
		t.Errorf("families = %+v", r.Families)
	}
	if len(r.ByCategory) != 2 || r.ByCategory[0].Key != "police" || r.ByCategory[1].AvoidedCents != 150000 {
		t.Errorf("categories = %+v", r.ByCategory)
	}
	y := must(m.CostAvoidance(d("2026-01-01"), d("2026-12-31"), time.Time{}))(t)
	if y.Total.Records != 1 || y.Total.AvoidedCents != 150000 {
		t.Errorf("2026 = %+v", y.Total)
	}
	early := must(m.CostAvoidance(domain.Date{}, domain.Date{}, at("2026-06-01T00:00:00Z")))(t)
	if early.Total.Records != 1 || early.Total.AvoidedCents != 380900 {
		t.Errorf("as of June = %+v", early.Total)
	}
}

// TestTimeTravel asks the 2026 report and f1's budget as the ledger stood
// earlier.
func TestTimeTravel(t *testing.T) {
	m, _ := loaded(t)
	// 12 February: s6's reversal, s1 and s2 (not yet reviewed) are recorded.
	r := must(m.CouncilReport(d("2026-01-01"), d("2026-12-31"), at("2026-02-12T00:00:00Z")))(t)
	if got, want := fig(r.Total), (figure{"total", 9250, 2000, 7250, 2, 1, 1, 3}); got != want {
		t.Errorf("as of 12 Feb: %+v, want %+v", got, want)
	}
	if s2 := r.Total.Lines[2]; s2.SpendID != "s2" || s2.Decision.Reviewed || s2.Reversed {
		t.Errorf("s2 as of 12 Feb = %+v", s2)
	}
	// 1 April: s2 reviewed, not yet reversed.
	f1 := must(m.Family("f1", at("2026-04-01T00:00:00Z")))(t)
	if f1.SpentCents != 9250 || f1.LeftCents != 190750 || f1.ReversedCents != 0 {
		t.Errorf("f1 as of 1 April = %+v", f1.TrajectoryBudget)
	}
	if _, err := m.Family("f1", at("2026-01-01T00:00:00Z")); !errors.Is(err, budget.ErrUnknownFamily) {
		t.Errorf("f1 before its referral: %v", err)
	}
	if _, err := m.Totals(d("2026-02-01"), d("2026-01-01"), time.Time{}); !errors.Is(err, budget.ErrBadQuery) {
		t.Errorf("from after to: %v", err)
	}
	if _, err := m.Totals(domain.Date{}, d("2026-01-01"), time.Time{}); !errors.Is(err, budget.ErrBadQuery) {
		t.Errorf("no from: %v", err)
	}
}

// TestOutOfOrderDates: a spend recorded late with an earlier date lands in
// its own period.
func TestOutOfOrderDates(t *testing.T) {
	m, facts := loaded(t)
	late := facts[len(facts)-1]
	late.Position++
	late.RecordedAt = late.RecordedAt.Add(time.Hour)
	late.Stream = "family-f2"
	late.Event = domain.SpendRecorded{SpendID: "s9", Date: d("2026-01-20"), Trajectory: 1, AmountCents: 999, Instrument: domain.InstrumentMaatbudget, Category: "other", Supplier: "Shop", Path: domain.PathUrgent, ProposedBy: "c2"}
	m.Apply(&late)
	jan := must(m.CouncilReport(d("2026-01-01"), d("2026-01-31"), time.Time{}))(t)
	if len(jan.Total.Lines) != 2 || jan.Total.Lines[1].SpendID != "s9" || jan.Total.Lines[1].FundingSource != "maatbudget" {
		t.Errorf("January lines = %+v", jan.Total.Lines)
	}
}

// TestSnapshotRoundTrip restores a snapshot into a fresh model and expects
// identical answers, for the scenario and for a year of a 50-family team.
func TestSnapshotRoundTrip(t *testing.T) {
	m, _ := loaded(t)
	year := budget.New()
	projtest.Feed(yearOfTeam(), year)
	for name, c := range map[string]struct {
		src *budget.Model
		fam domain.FamilyID
	}{"scenario": {m, "f3"}, "year": {year, "f07"}} {
		src := c.src
		data, err := src.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		r := budget.New()
		if err := r.UnmarshalSnapshot(data); err != nil {
			t.Fatal(err)
		}
		a, b := answersFor(t, src, c.fam), answersFor(t, r, c.fam)
		for _, asOf := range []time.Time{at("2026-03-01T00:00:00Z"), at("2026-09-15T12:00:00Z")} {
			for _, q := range []struct {
				name string
				a, b any
			}{
				{"council", must(src.CouncilReport(d("2026-01-01"), d("2026-12-31"), asOf))(t), must(r.CouncilReport(d("2026-01-01"), d("2026-12-31"), asOf))(t)},
				{"families", src.Families(asOf), r.Families(asOf)},
				{"envelopes", must(src.Envelopes(2026, asOf))(t), must(r.Envelopes(2026, asOf))(t)},
			} {
				a[fmt.Sprintf("%s_%s", q.name, asOf)], b[fmt.Sprintf("%s_%s", q.name, asOf)] = q.a, q.b
			}
		}
		for k := range a {
			ja, _ := json.Marshal(a[k])
			jb, _ := json.Marshal(b[k])
			if string(ja) != string(jb) {
				t.Errorf("%s: %s differs after the round trip", name, k)
			}
		}
	}
	if err := m.UnmarshalSnapshot([]byte("[")); err == nil {
		t.Errorf("a corrupt snapshot was accepted")
	}
}
