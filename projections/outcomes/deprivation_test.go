package outcomes

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections/projtest"
)

func mapping(t testing.TB) Mapping {
	t.Helper()
	b, err := os.ReadFile("testdata/kansarmoede.json")
	if err != nil {
		t.Fatal(err)
	}
	mp, err := ParseMapping(b)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

func sixMonths(t testing.TB) DeprivationQuery {
	return DeprivationQuery{Mapping: mapping(t), Baseline: period("2026-01-01", "2026-03-31"), FollowUpMonths: 6}
}

// dimItem is the item each test family uses for a dimension: its member
// ("" household, "p" the parent, "k" the child) and item id.
var dimItems = []struct{ dim, member, item string }{
	{"income", "", "income"},
	{"work", "p", "employment"},
	{"education", "p", "education"},
	{"housing", "", "place_of_residence"},
	{"health", "p", "physical_health"},
	{"stimulation", "k", "school"},
}

// group is a set of families with the same dimensions short at baseline
// and at the follow-up (short: level 2; not short: level 4).
type group struct {
	name     string
	n        int
	baseline []string
	followUp []string
}

// The DOMAIN.md example: of 56 families, 22 improved (4 of them left
// deprivation), 11 worsened, 4 stayed not deprived, 19 stayed deprived
// (deprived: short on at least 3 of 6 dimensions).
var groups = []group{
	{"A", 4, []string{"income", "work", "education"}, []string{"income", "work"}},                                               // 3 -> 2: improved, left deprivation
	{"B", 10, []string{"income", "work", "education", "housing", "health"}, []string{"income", "work", "education"}},            // 5 -> 3: improved, still deprived
	{"C", 8, []string{"income", "work"}, []string{}},                                                                            // 2 -> 0: improved, never deprived
	{"D", 5, []string{"income", "work"}, []string{"income", "work", "education"}},                                               // 2 -> 3: worsened, entered deprivation
	{"E", 6, []string{"income", "work", "education"}, []string{"income", "work", "education", "housing"}},                       // 3 -> 4: worsened
	{"F", 4, []string{"income"}, []string{"work"}},                                                                              // 1 -> 1: positive status quo (another dimension)
	{"G", 19, []string{"work", "education", "housing", "stimulation"}, []string{"work", "education", "housing", "stimulation"}}, // 4 -> 4: negative status quo
}

func answer(member, item string, level int) string {
	m := ""
	if member != "" {
		m = fmt.Sprintf(`"member":%q,`, member)
	}
	return fmt.Sprintf(`{"item":%q,%s"status":"scored","level":%d}`, item, m, level)
}

func level(short bool) int {
	if short {
		return 2
	}
	return 4
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func line(fam, typ string, day domain.Date, data string) string {
	return fmt.Sprintf(`{"stream":"family-%s","type":%q,"at":"%sT10:00:00Z","data":%s}`+"\n", fam, typ, day, data)
}

func registration(fam, id string, day domain.Date, moment string, answers []string) string {
	return line(fam, "AssessmentRegistered", day, fmt.Sprintf(`{"assessment_id":%q,"date":"%s","instrument_id":"cebud_sociale_balans","instrument_version":1,"moment":%q,"items":[%s],"coach_id":"c1"}`, id, day, moment, strings.Join(answers, ",")))
}

func family(fam string, day domain.Date) string { return familyFrom(fam, day, "police") }

func familyFrom(fam string, day domain.Date, source string) string {
	return line(fam, "FamilyReferred", day, fmt.Sprintf(`{"family_id":%q,"date":"%s","source":%q,"referring_org":"Politie","consent_given":true,"consent_form":"written","problems":["income"],"children":1,"adults":1}`, fam, day, source)) +
		line(fam, "MemberAdded", day, fmt.Sprintf(`{"member_id":"p","date":"%s","role":"parent"}`, day)) +
		line(fam, "MemberAdded", day, fmt.Sprintf(`{"member_id":"k","date":"%s","role":"child"}`, day))
}

// deprivationScenario returns the 56 families of groups, each with a t0
// between 5 January and 1 March 2026 and a review 150 days later, plus xH
// (no registration within six months) and xI (t0 before the baseline
// period). Group C was referred by schools, all others by the police.
func deprivationScenario() string {
	var b strings.Builder
	start := domain.MustDate("2026-01-05")
	k := 0
	for _, g := range groups {
		for i := 1; i <= g.n; i++ {
			fam := fmt.Sprintf("g%s%02d", g.name, i)
			t0 := start.AddDays(k)
			k++
			source := "police"
			if g.name == "C" {
				source = "school"
			}
			b.WriteString(familyFrom(fam, t0.AddDays(-3), source))
			var base, follow []string
			for _, d := range dimItems {
				s0, s1 := contains(g.baseline, d.dim), contains(g.followUp, d.dim)
				base = append(base, answer(d.member, d.item, level(s0)))
				if s0 != s1 {
					follow = append(follow, answer(d.member, d.item, level(s1)))
				}
			}
			if g.name == "G" {
				// Worse within "short" (2 -> 1) and an item outside the
				// mapping: still 4 dimensions short.
				follow = append(follow, answer("p", "employment", 1), answer("", "food", 1))
			}
			if g.name == "C" {
				// Not applicable is never short.
				base = append(base, `{"item":"development","member":"k","status":"not_applicable"}`)
			}
			b.WriteString(registration(fam, fam+"-t0", t0, "t0", base))
			b.WriteString(registration(fam, fam+"-fu", t0.AddDays(150), "review", follow))
		}
	}
	h := domain.MustDate("2026-03-10")
	b.WriteString(family("xH", h))
	b.WriteString(registration("xH", "xH-t0", h, "t0", []string{answer("", "income", 1)}))
	b.WriteString(registration("xH", "xH-late", domain.MustDate("2026-10-15"), "review", []string{answer("", "income", 4)}))
	i0 := domain.MustDate("2025-11-01")
	b.WriteString(family("xI", i0))
	b.WriteString(registration("xI", "xI-t0", i0, "t0", []string{answer("", "income", 1)}))
	b.WriteString(registration("xI", "xI-fu", domain.MustDate("2026-02-01"), "review", []string{answer("", "income", 4)}))
	return b.String()
}

func deprivationModel(t testing.TB) *Model {
	t.Helper()
	facts, err := projtest.ParseFacts([]byte(deprivationScenario()))
	if err != nil {
		t.Fatal(err)
	}
	m := New(catalogue(t))
	projtest.Feed(facts, m)
	return m
}

func TestDeprivationDomainExample(t *testing.T) {
	m := deprivationModel(t)
	rep, err := m.Deprivation(sixMonths(t), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("families=%d improved=%d left=%d worsened=%d entered=%d positive=%d negative=%d no_follow_up=%d deprived=%d->%d",
		rep.Families, rep.Improved, rep.LeftDeprivation, rep.Worsened, rep.EnteredDeprivation, rep.PositiveStatusQuo, rep.NegativeStatusQuo, rep.NoFollowUp, rep.DeprivedAtBaseline, rep.DeprivedAtFollowUp)
	// Improved A4+B10+C8 = 22 (A left deprivation); worsened D5+E6 = 11
	// (D entered); F4 positive, G19 negative; xH has no follow-up; xI is
	// outside the baseline period. Deprived at baseline A+B+E+G = 39, at
	// follow-up B+D+E+G = 40.
	want := "families=56 improved=22 left=4 worsened=11 entered=5 positive=4 negative=19 no_follow_up=1 deprived=39->40"
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	// Per dimension (baseline / follow-up):
	// income A+B+C+D+E+F = 37 / A+B+D+E = 25; work A+B+C+D+E+G = 52 /
	// A+B+D+E+F+G = 48; education A+B+E+G = 39 / B+D+E+G = 40; housing
	// B+G = 29 / E+G = 25; health B = 10 / 0; stimulation G = 19 / 19.
	wantDims := []DimensionCount{{"income", 37, 25}, {"work", 52, 48}, {"education", 39, 40}, {"housing", 29, 25}, {"health", 10, 0}, {"stimulation", 19, 19}}
	if !reflect.DeepEqual(rep.Dimensions, wantDims) {
		t.Errorf("dimensions\n got %+v\nwant %+v", rep.Dimensions, wantDims)
	}
	// Per source: the school-referred group C (8 improved, never deprived);
	// the police the rest: A4+B10 improved, D5+E6 worsened, F4, G19, and
	// xH without follow-up.
	wantSources := []SourceDeprivation{
		{domain.SourcePolice, DeprivationCounts{Families: 48, Improved: 14, LeftDeprivation: 4, Worsened: 11, EnteredDeprivation: 5, PositiveStatusQuo: 4, NegativeStatusQuo: 19, NoFollowUp: 1, DeprivedAtBaseline: 39, DeprivedAtFollowUp: 40}},
		{domain.SourceSchool, DeprivationCounts{Families: 8, Improved: 8}},
	}
	if !reflect.DeepEqual(rep.BySource, wantSources) {
		t.Errorf("by source\n got %+v\nwant %+v", rep.BySource, wantSources)
	}
	byFamily := map[domain.FamilyID]DeprivationRow{}
	for _, r := range rep.Rows {
		byFamily[r.FamilyID] = r
	}
	if len(rep.Rows) != 57 {
		t.Errorf("%d rows, want 57", len(rep.Rows))
	}
	for _, tc := range []struct {
		fam           domain.FamilyID
		class         string
		base, follow  string
		left, entered bool
	}{
		{"gA01", ClassImproved, "income,work,education", "income,work", true, false},
		{"gB10", ClassImproved, "income,work,education,housing,health", "income,work,education", false, false},
		{"gC01", ClassImproved, "income,work", "", false, false},
		{"gD05", ClassWorsened, "income,work", "income,work,education", false, true},
		{"gE01", ClassWorsened, "income,work,education", "income,work,education,housing", false, false},
		{"gF02", ClassPositiveStatusQuo, "income", "work", false, false},
		{"gG19", ClassNegativeStatusQuo, "work,education,housing,stimulation", "work,education,housing,stimulation", false, false},
		{"xH", ClassNoFollowUp, "income", "", false, false},
	} {
		r, ok := byFamily[tc.fam]
		if !ok {
			t.Errorf("%s: no row", tc.fam)
			continue
		}
		got := fmt.Sprintf("%s %s | %s left=%v entered=%v", r.Class, strings.Join(r.ShortAtBaseline, ","), strings.Join(r.ShortAtFollowUp, ","), r.LeftDeprivation, r.EnteredDeprivation)
		want := fmt.Sprintf("%s %s | %s left=%v entered=%v", tc.class, tc.base, tc.follow, tc.left, tc.entered)
		if got != want {
			t.Errorf("%s\n got %s\nwant %s", tc.fam, got, want)
		}
	}
	// gA01: t0 2026-01-05, follow-up day 2026-07-05, review 2026-06-04.
	if r := byFamily["gA01"]; r.BaselineDate.String() != "2026-01-05" || r.FollowUpDay.String() != "2026-07-05" || r.FollowUpRegistration.String() != "2026-06-04" {
		t.Errorf("gA01 dates %s %s %s", r.BaselineDate, r.FollowUpDay, r.FollowUpRegistration)
	}
	if _, ok := byFamily["xI"]; ok {
		t.Error("xI's t0 lies before the baseline period but it was classified")
	}
}

func TestDeprivationFollowUpWindow(t *testing.T) {
	m := deprivationModel(t)
	// With four months nobody's review (150 days later) is in time: all
	// 56 + xH have no follow-up.
	q := sixMonths(t)
	q.FollowUpMonths = 4
	rep, err := m.Deprivation(q, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Families != 0 || rep.NoFollowUp != 57 {
		t.Errorf("four months: %d classified, %d without follow-up", rep.Families, rep.NoFollowUp)
	}
	// An open baseline period takes xI as well (t0 2025-11-01, review
	// 2026-02-01: income 1 -> 4, one dimension less: improved).
	q = sixMonths(t)
	q.Baseline = Period{}
	rep, err = m.Deprivation(q, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Families != 57 || rep.Improved != 23 {
		t.Errorf("open baseline: %d classified, %d improved", rep.Families, rep.Improved)
	}
}

func TestDeprivationTimeTravel(t *testing.T) {
	m := deprivationModel(t)
	// On 5 March every t0 but xH's was recorded and no review yet.
	rep, err := m.Deprivation(sixMonths(t), at("2026-03-05T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Families != 0 || rep.NoFollowUp != 56 {
		t.Errorf("5 March: %d classified, %d without follow-up", rep.Families, rep.NoFollowUp)
	}
	// On 1 July the reviews up to that day were recorded: group A to G's
	// t0s run from 5 January (review 4 June) on, one a day, so reviews up
	// to 1 July cover t0s up to 1 February: 28 families (A4, B10, C8, D5,
	// E1).
	rep, err = m.Deprivation(sixMonths(t), at("2026-07-01T23:59:59Z"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Families != 28 || rep.Improved != 22 || rep.Worsened != 6 || rep.LeftDeprivation != 4 {
		t.Errorf("1 July: %d classified, %d improved, %d worsened", rep.Families, rep.Improved, rep.Worsened)
	}
}

func TestDeprivationMemberLeft(t *testing.T) {
	day := domain.MustDate
	src := family("m1", day("2026-01-05")) +
		registration("m1", "m1-t0", day("2026-01-10"), "t0", []string{
			answer("", "income", 2), answer("p", "employment", 2), answer("p", "education", 2), answer("p", "physical_health", 1), answer("k", "school", 4),
		}) +
		registration("m1", "m1-rv", day("2026-02-15"), "review", []string{answer("", "food", 3)}) +
		line("m1", "MemberLeft", day("2026-03-01"), `{"member_id":"p","date":"2026-03-01"}`)
	facts, err := projtest.ParseFacts([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := New(catalogue(t))
	projtest.Feed(facts, m)
	for _, tc := range []struct {
		asOf time.Time
		want string
	}{
		// The parent left before the follow-up day (10 July): only income
		// is still short.
		{time.Time{}, "improved income,work,education,health | income left=true"},
		// Before the departure was recorded the parent still counted.
		{at("2026-02-20T00:00:00Z"), "negative_status_quo income,work,education,health | income,work,education,health left=false"},
	} {
		rep, err := m.Deprivation(sixMonths(t), tc.asOf)
		if err != nil || len(rep.Rows) != 1 {
			t.Fatalf("%v: %d rows, %v", tc.asOf, len(rep.Rows), err)
		}
		r := rep.Rows[0]
		got := fmt.Sprintf("%s %s | %s left=%v", r.Class, strings.Join(r.ShortAtBaseline, ","), strings.Join(r.ShortAtFollowUp, ","), r.LeftDeprivation)
		if got != tc.want {
			t.Errorf("as of %v\n got %s\nwant %s", tc.asOf, got, tc.want)
		}
	}
}

func TestMappingFromInstrument(t *testing.T) {
	cat := catalogue(t)
	in, ok := cat.Get("cebud_sociale_balans", 1)
	if !ok {
		t.Fatal("CEBUD instrument missing from the catalogue")
	}
	got, err := MappingFromInstrument(in)
	if err != nil {
		t.Fatal(err)
	}
	// The testdata mapping is the instrument's index written out by hand.
	if want := mapping(t); !reflect.DeepEqual(got, want) {
		t.Errorf("instrument mapping\n got %+v\nwant %+v", got, want)
	}
	if _, err := MappingFromInstrument(domain.Leefsituatie()); !errors.Is(err, ErrBadQuery) {
		t.Errorf("leefsituatie has no index: %v", err)
	}
}

func TestMappingValidation(t *testing.T) {
	cat := catalogue(t)
	cebud, _ := cat.Get("cebud_sociale_balans", 1)
	for _, tc := range []struct {
		name, json, field string
		check             bool // against the instrument too
	}{
		{"no instrument", `{"min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":["income"],"short_at_or_below":2}]}`, "instrument_id", false},
		{"no dimensions", `{"instrument_id":"x","min_dimensions":1,"dimensions":[]}`, "dimensions", false},
		{"min too high", `{"instrument_id":"x","min_dimensions":2,"dimensions":[{"id":"a","subject":"household","items":["income"],"short_at_or_below":2}]}`, "min_dimensions", false},
		{"repeated id", `{"instrument_id":"x","min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":["income"],"short_at_or_below":2},{"id":"a","subject":"adult","items":["education"],"short_at_or_below":2}]}`, "dimensions[1].id", false},
		{"bad subject", `{"instrument_id":"x","min_dimensions":1,"dimensions":[{"id":"a","subject":"pet","items":["income"],"short_at_or_below":2}]}`, "dimensions[0].subject", false},
		{"no items", `{"instrument_id":"x","min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":[],"short_at_or_below":2}]}`, "dimensions[0].items", false},
		{"threshold 0", `{"instrument_id":"x","min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":["income"],"short_at_or_below":0}]}`, "dimensions[0].short_at_or_below", false},
		{"unknown field", `{"instrument_id":"x","min":1}`, "unknown field", false},
		{"item of another subject", `{"instrument_id":"cebud_sociale_balans","min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":["employment"],"short_at_or_below":2}]}`, "employment", true},
		{"threshold beyond scale", `{"instrument_id":"cebud_sociale_balans","min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":["income"],"short_at_or_below":6}]}`, "short_at_or_below", true},
		{"other instrument", `{"instrument_id":"go_team_leefsituatie","min_dimensions":1,"dimensions":[{"id":"a","subject":"household","items":["income"],"short_at_or_below":2}]}`, "instrument_id", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp, err := ParseMapping([]byte(tc.json))
			if tc.check && err == nil {
				err = mp.Check(cebud)
			}
			if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %v, want ErrBadQuery naming %s", err, tc.field)
			}
		})
	}
	// A query with a mapping that does not fit the registered instrument is
	// refused; so are a reversed period and a zero follow-up.
	m := deprivationModel(t)
	q := sixMonths(t)
	q.Mapping.Dimensions[0].Items = []string{"no_such_item"}
	if _, err := m.Deprivation(q, time.Time{}); !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "no_such_item") {
		t.Errorf("unknown item: %v", err)
	}
	q = sixMonths(t)
	q.FollowUpMonths = 0
	if _, err := m.Deprivation(q, time.Time{}); !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "follow_up_months") {
		t.Errorf("zero months: %v", err)
	}
	q = sixMonths(t)
	q.Baseline = period("2026-03-31", "2026-01-01")
	if _, err := m.Deprivation(q, time.Time{}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("reversed period: %v", err)
	}
}

func TestGoldenDeprivation(t *testing.T) {
	rep, err := deprivationModel(t).Deprivation(sixMonths(t), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// The counts only (the 57 rows are checked in
	// TestDeprivationDomainExample).
	rep.Rows = rep.Rows[:0]
	projtest.Golden(t, "deprivation_56", rep)
}
