package privacy_test

import (
	"encoding/json"
	"errors"
	"flag"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/privacy"
	"spoor/projections/projtest"
)

var _ = flag.Bool("update", false, "rewrite golden files")

// testOptions are the defaults with a volume threshold of 1, so that a
// coach seeing two families on one day is flagged.
func testOptions(t testing.TB) privacy.Options {
	t.Helper()
	o := privacy.DefaultOptions()
	if o.Location.String() != "Europe/Brussels" {
		t.Skip("no time zone database on this machine")
	}
	o.VolumeThreshold = 1
	return o
}

func loaded(t testing.TB) (*privacy.Model, []projections.Fact) {
	t.Helper()
	m := privacy.New(testOptions(t))
	facts := projtest.LoadFacts(t, "testdata/scenario.jsonl")
	projtest.Feed(facts, m)
	return m, facts
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

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

// answers are every query of the scenario, for the golden files and the
// snapshot round trip.
func answers(t testing.TB, m *privacy.Model) map[string]any {
	t.Helper()
	var now time.Time
	return map[string]any{
		"who_saw_f1":         must(m.WhoSaw("f1", privacy.Page{}, now))(t),
		"what_c2_saw":        must(m.WhatUserSaw("c2", privacy.Page{}, now))(t),
		"flagged":            must(m.Flagged(privacy.FlagQuery{}, now))(t),
		"register":           must(m.Register(privacy.RegisterQuery{}, now))(t),
		"consent_violations": must(m.ConsentViolations(privacy.RegisterQuery{}, now))(t),
		"not_informed":       must(m.NotInformed(domain.MustDate("2026-02-10"), 14, now))(t),
		"info_requests":      must(m.InfoRequests(privacy.RegisterQuery{}, now))(t),
		"art15_f1":           must(m.Art15("f1", now))(t),
		"unusual_volume":     must(m.UnusualVolume(domain.MustDate("2026-01-01"), domain.MustDate("2026-01-31"), now))(t),
	}
}

// TestGolden compares every answer of the scenario with its reviewed golden
// file.
func TestGolden(t *testing.T) {
	m, _ := loaded(t)
	for name, got := range answers(t, m) {
		t.Run(name, func(t *testing.T) { projtest.Golden(t, name, got) })
	}
}

func flagsOf(p privacy.AccessPage) [][]privacy.Flag {
	out := [][]privacy.Flag{}
	for _, e := range p.Entries {
		out = append(out, e.Flags)
	}
	return out
}

// TestWhoSawFlags checks, newest first, the flags of f1's eight accesses as
// derived by hand from the scenario comments.
func TestWhoSawFlags(t *testing.T) {
	m, _ := loaded(t)
	p := must(m.WhoSaw("f1", privacy.Page{}, time.Time{}))(t)
	if p.Total != 8 {
		t.Fatalf("total = %d, want 8", p.Total)
	}
	want := [][]privacy.Flag{
		{},                         // p1 export, Thursday 10:00
		{privacy.FlagOutsideHours}, // k1, Wednesday 19:30
		{privacy.FlagRefused},      // c2 refused
		{privacy.FlagOutsideCaseload, privacy.FlagBreakGlass}, // c2 after the cover
		{privacy.FlagUnusualVolume},                           // c2 covering, 2 families that day
		{privacy.FlagOutsideHours},                            // c1 on Saturday night
		{privacy.FlagOutsideCaseload},                         // c2 before the cover
		{},                                                    // c1, own family
	}
	if got := flagsOf(p); !reflect.DeepEqual(got, want) {
		t.Errorf("flags = %v, want %v", got, want)
	}
	users := []domain.StaffID{}
	for _, e := range p.Entries {
		users = append(users, e.UserID)
	}
	if want := []domain.StaffID{"p1", "k1", "c2", "c2", "c2", "c1", "c2", "c1"}; !slices.Equal(users, want) {
		t.Errorf("users = %v, want %v", users, want)
	}
	if p.Entries[2].Outcome != domain.AccessRefused || p.Entries[0].Outcome != domain.AccessAllowed {
		t.Errorf("outcomes: %s, %s", p.Entries[2].Outcome, p.Entries[0].Outcome)
	}

	// Paging: entries 3 and 4 (0-based 2, 3).
	pg := must(m.WhoSaw("f1", privacy.Page{Offset: 2, Limit: 2}, time.Time{}))(t)
	if pg.Total != 8 || len(pg.Entries) != 2 || pg.Entries[0].Position != p.Entries[2].Position || pg.Entries[1].Position != p.Entries[3].Position {
		t.Errorf("page 2x2 = %+v", pg)
	}
	if _, err := m.WhoSaw("f1", privacy.Page{Limit: 5000}, time.Time{}); !errors.Is(err, privacy.ErrBadQuery) {
		t.Errorf("limit 5000: err = %v, want ErrBadQuery", err)
	}
}

// TestFlagCounts checks the review counts and filters.
func TestFlagCounts(t *testing.T) {
	m, _ := loaded(t)
	rep := must(m.Flagged(privacy.FlagQuery{}, time.Time{}))(t)
	want := map[privacy.Flag]int{
		privacy.FlagOutsideCaseload: 2, privacy.FlagBreakGlass: 1, privacy.FlagOutsideHours: 2,
		privacy.FlagUnusualVolume: 2, privacy.FlagRefused: 1,
	}
	if !reflect.DeepEqual(rep.Counts, want) {
		t.Errorf("counts = %v, want %v", rep.Counts, want)
	}
	if rep.Total != 7 {
		t.Errorf("flagged total = %d, want 7", rep.Total)
	}
	tests := []struct {
		name  string
		q     privacy.FlagQuery
		total int
	}{
		{"break glass", privacy.FlagQuery{Flag: privacy.FlagBreakGlass}, 1},
		{"refused", privacy.FlagQuery{Flag: privacy.FlagRefused}, 1},
		{"outside caseload", privacy.FlagQuery{Flag: privacy.FlagOutsideCaseload}, 2},
		{"c1 only", privacy.FlagQuery{UserID: "c1"}, 1},
		{"unknown user", privacy.FlagQuery{UserID: "nobody"}, 0},
		{"window 13th-20th", privacy.FlagQuery{From: at("2026-01-13T00:00:00Z"), To: at("2026-01-20T00:00:00Z")}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := must(m.Flagged(tt.q, time.Time{}))(t)
			if r.Total != tt.total || len(r.Entries) != tt.total {
				t.Errorf("total = %d (%d entries), want %d", r.Total, len(r.Entries), tt.total)
			}
		})
	}
	if _, err := m.Flagged(privacy.FlagQuery{Flag: "nosy"}, time.Time{}); !errors.Is(err, privacy.ErrBadQuery) {
		t.Errorf("unknown flag: err = %v", err)
	}
	vol := must(m.UnusualVolume(domain.MustDate("2026-01-01"), domain.MustDate("2026-01-31"), time.Time{}))(t)
	if len(vol) != 1 || vol[0] != (privacy.VolumeDay{UserID: "c2", Day: domain.MustDate("2026-01-13"), Families: 2, Accesses: 2}) {
		t.Errorf("unusual volume = %+v", vol)
	}
}

// TestWorkingHours checks the hours rule at its edges, in Brussels time
// (UTC+1 in winter, UTC+2 in summer).
func TestWorkingHours(t *testing.T) {
	tests := []struct {
		at      string
		outside bool
	}{
		{"2026-01-14T05:59:59Z", true},  // Wed 06:59:59
		{"2026-01-14T06:00:00Z", false}, // Wed 07:00
		{"2026-01-14T17:59:59Z", false}, // Wed 18:59:59
		{"2026-01-14T18:00:00Z", true},  // Wed 19:00
		{"2026-07-15T05:00:00Z", false}, // Wed 07:00 summer time
		{"2026-07-15T04:59:00Z", true},  // Wed 06:59 summer time
		{"2026-01-17T10:00:00Z", true},  // Saturday
		{"2026-01-18T10:00:00Z", true},  // Sunday
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			o := testOptions(t)
			o.VolumeThreshold = 100
			m := privacy.New(o)
			facts, err := projtest.ParseFacts([]byte(`{"stream":"access-f9","type":"RecordViewed","at":"` + tt.at + `","data":{"family_id":"f9","user_id":"k1","role":"coordinator","part":"budget","purpose":"team_review"}}`))
			if err != nil {
				t.Fatal(err)
			}
			projtest.Feed(facts, m)
			p := must(m.WhoSaw("f9", privacy.Page{}, time.Time{}))(t)
			got := slices.Contains(p.Entries[0].Flags, privacy.FlagOutsideHours)
			if got != tt.outside {
				t.Errorf("outside hours = %v, want %v", got, tt.outside)
			}
		})
	}
}

func register(t *testing.T, m *privacy.Model, asOf time.Time) map[domain.DisclosureID]privacy.DisclosureEntry {
	t.Helper()
	out := map[domain.DisclosureID]privacy.DisclosureEntry{}
	for _, e := range must(m.Register(privacy.RegisterQuery{}, asOf))(t) {
		out[e.DisclosureID] = e
	}
	return out
}

// TestRegister checks the register's lines and the consent rule by hand.
func TestRegister(t *testing.T) {
	m, _ := loaded(t)
	reg := register(t, m, time.Time{})
	if len(reg) != 7 {
		t.Fatalf("register has %d lines, want 7 (d1-d6 and the supplier of s1)", len(reg))
	}
	tests := []struct {
		id       domain.DisclosureID
		problem  string
		informed bool
		basisRef string
	}{
		{"d1", "", true, "k-caw"},
		{"d2", "data_categories", false, "k-caw"},
		{"d3", "withdrawn", false, "k-caw"},
		{"d4", "", false, "art. 458bis Sw."},
		{"d5", "", true, "vordering parket"},
		{"d6", "unknown_consent", false, "k-missing"},
		{"spend:s1", "", false, "betaling steun (OCMW)"},
	}
	for _, tt := range tests {
		e := reg[tt.id]
		if e.ConsentProblem != tt.problem || e.Informed != tt.informed || e.BasisRef != tt.basisRef {
			t.Errorf("%s: problem %q informed %v ref %q, want %q %v %q", tt.id, e.ConsentProblem, e.Informed, e.BasisRef, tt.problem, tt.informed, tt.basisRef)
		}
	}
	s := reg["spend:s1"]
	if !s.Implied || s.SpendID != "s1" || s.RecipientOrg != "Brico Gent" || s.RecipientCategory != domain.RecipientSupplier ||
		!slices.Equal(s.DataCategories, []domain.DataCategory{domain.DataAidReceived}) || s.LegalBasis != domain.BasisAidPayment {
		t.Errorf("implied supplier disclosure = %+v", s)
	}
	if d4 := reg["d4"]; !d4.Confidential || d4.LiftedOn != domain.MustDate("2026-02-02") {
		t.Errorf("d4 = %+v", d4)
	}
	viol := must(m.ConsentViolations(privacy.RegisterQuery{}, time.Time{}))(t)
	ids := []domain.DisclosureID{}
	for _, e := range viol {
		ids = append(ids, e.DisclosureID)
	}
	if want := []domain.DisclosureID{"d3", "d2", "d6"}; !slices.Equal(ids, want) {
		t.Errorf("violations = %v, want %v (newest first)", ids, want)
	}
	f2 := must(m.Register(privacy.RegisterQuery{FamilyID: "f2"}, time.Time{}))(t)
	if len(f2) != 1 || f2[0].DisclosureID != "d6" {
		t.Errorf("f2 register = %+v", f2)
	}
	noImplied := must(m.Register(privacy.RegisterQuery{WithoutImplied: true, From: domain.MustDate("2026-01-14"), To: domain.MustDate("2026-01-16")}, time.Time{}))(t)
	if len(noImplied) != 2 || noImplied[0].DisclosureID != "d3" || noImplied[1].DisclosureID != "d2" {
		t.Errorf("14th-16th without implied = %+v", noImplied)
	}
}

// TestNotInformed: on 10 February with 14 days allowed, d6 (31 days), d2
// (27) and d3 (25) are overdue; d4 was lifted on 2 February (8 days), the
// supplier disclosure is left out, d1 and d5 were told.
func TestNotInformed(t *testing.T) {
	m, _ := loaded(t)
	tests := []struct {
		days int
		want []domain.DisclosureID
		n    []int
	}{
		{14, []domain.DisclosureID{"d6", "d2", "d3"}, []int{31, 27, 25}},
		{7, []domain.DisclosureID{"d6", "d2", "d3", "d4"}, []int{31, 27, 25, 8}},
		{25, []domain.DisclosureID{"d6", "d2"}, []int{31, 27}},
		{31, []domain.DisclosureID{}, []int{}},
	}
	for _, tt := range tests {
		got := must(m.NotInformed(domain.MustDate("2026-02-10"), tt.days, time.Time{}))(t)
		ids, ns := []domain.DisclosureID{}, []int{}
		for _, e := range got {
			ids, ns = append(ids, e.DisclosureID), append(ns, e.DaysUntold)
		}
		if !slices.Equal(ids, tt.want) || !slices.Equal(ns, tt.n) {
			t.Errorf("days %d: %v %v, want %v %v", tt.days, ids, ns, tt.want, tt.n)
		}
	}
}

// TestTimeTravel asks the questions as the ledger stood earlier.
func TestTimeTravel(t *testing.T) {
	m, _ := loaded(t)
	// Before FamilyInformed of d1 (recorded on the 12th): not told.
	before := register(t, m, at("2026-01-11T12:00:00Z"))
	if len(before) != 2 || before["d1"].Informed || !before["d1"].InformedOn.IsZero() {
		t.Errorf("as of the 11th: %+v", before)
	}
	if after := register(t, m, at("2026-01-12T09:00:00Z")); !after["d1"].Informed || after["d1"].InformedOn != domain.MustDate("2026-01-12") {
		t.Errorf("as of the 12th 09:00: d1 = %+v", after["d1"])
	}
	// d3 looked valid until the withdrawal (dated the 15th) was recorded on the 17th.
	if e := register(t, m, at("2026-01-16T12:00:00Z"))["d3"]; e.ConsentProblem != "" {
		t.Errorf("d3 as of the 16th: problem %q, want none", e.ConsentProblem)
	}
	// Not-informed as of the 20th, judged on the 20th with 3 days: d2 (6 days) and d3 (4 days); d6 (10).
	ni := must(m.NotInformed(domain.MustDate("2026-01-20"), 3, at("2026-01-20T00:00:00Z")))(t)
	ids := []domain.DisclosureID{}
	for _, e := range ni {
		ids = append(ids, e.DisclosureID)
	}
	if want := []domain.DisclosureID{"d6", "d2", "d3"}; !slices.Equal(ids, want) {
		t.Errorf("not informed as of the 20th = %v, want %v", ids, want)
	}
	// Who saw f1 as of the 13th noon: four accesses; c2 had seen one family that day by 10:00Z... and f2 at 11:00Z.
	p := must(m.WhoSaw("f1", privacy.Page{}, at("2026-01-13T10:30:00Z")))(t)
	if p.Total != 4 || len(p.Entries[0].Flags) != 0 {
		t.Errorf("as of 13th 10:30: total %d, newest flags %v (the second family was not seen yet)", p.Total, p.Entries[0].Flags)
	}
	// The art. 15 report before the lift leaves the confidential d4 out.
	r := must(m.Art15("f1", at("2026-01-31T00:00:00Z")))(t)
	for _, d := range r.Disclosures {
		if d.Organisation == "Jeugdparket Gent" && d.Date == domain.MustDate("2026-01-19") {
			t.Errorf("confidential d4 in the art. 15 report before its lift")
		}
	}
	if len(r.Disclosures) != 5 {
		t.Errorf("art. 15 disclosures as of the 31st: %d, want 5 (d1, d2, s1, d3, d5)", len(r.Disclosures))
	}
	if _, err := m.Art15("f1", at("2026-01-01T00:00:00Z")); !errors.Is(err, privacy.ErrUnknownFamily) {
		t.Errorf("art. 15 before the referral: err = %v, want ErrUnknownFamily", err)
	}
}

// TestArt15 checks the family's report by hand and that it names no staff.
func TestArt15(t *testing.T) {
	m, _ := loaded(t)
	r := must(m.Art15("f1", time.Time{}))(t)
	wantCats := []domain.DataCategory{"identity", "contact_details", "family_composition", "health", "income", "debts", "housing", "safety", "guidance_progress", "aid_received"}
	if !slices.Equal(r.Categories, wantCats) {
		t.Errorf("categories = %v, want %v", r.Categories, wantCats)
	}
	rec := map[privacy.RecordKind]int{}
	for _, h := range r.Records {
		rec[h.Kind] = h.Count
	}
	if want := map[privacy.RecordKind]int{"budget": 1, "coach_and_cover": 1, "consents": 1, "contacts": 1, "disclosures": 5, "guidance": 1, "intake": 1, "members": 2, "referral": 1}; !reflect.DeepEqual(rec, want) {
		t.Errorf("records = %v, want %v", rec, want)
	}
	if len(r.Disclosures) != 6 || len(r.Recipients) != 3 || r.Recipients[1].Organisation != "CAW Oost" || r.Recipients[1].Disclosures != 3 {
		t.Errorf("disclosures %d, recipients %+v", len(r.Disclosures), r.Recipients)
	}
	n := 0
	for _, c := range r.Consultations {
		n += c.Count
	}
	if n != 7 || len(r.Consultations) != 6 {
		t.Errorf("consultations: %d in %d lines, want 7 (the refused attempt is not one) in 6", n, len(r.Consultations))
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, staff := range []string{`"c1"`, `"c2"`, `"k1"`, `"p1"`, "user_id", "decided_by"} {
		if strings.Contains(string(raw), staff) {
			t.Errorf("the art. 15 report contains %s", staff)
		}
	}
}

// TestSnapshotRoundTrip restores a snapshot into a fresh model and expects
// identical answers, also after more facts.
func TestSnapshotRoundTrip(t *testing.T) {
	m, facts := loaded(t)
	data, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := privacy.New(testOptions(t))
	if err := r.UnmarshalSnapshot(data); err != nil {
		t.Fatal(err)
	}
	a, b := answers(t, m), answers(t, r)
	for k := range a {
		ja, _ := json.Marshal(a[k])
		jb, _ := json.Marshal(b[k])
		if string(ja) != string(jb) {
			t.Errorf("%s differs after the round trip:\n%s\n%s", k, ja, jb)
		}
	}
	// Both go on folding the same way (indexes were rebuilt).
	more := facts[len(facts)-1]
	more.Position++
	more.RecordedAt = more.RecordedAt.Add(time.Hour)
	more.Event = domain.FamilyInformed{DisclosureID: "d2", Date: domain.MustDate("2026-02-03"), Form: domain.FormVerbal}
	m.Apply(&more)
	r.Apply(&more)
	if !register(t, r, time.Time{})["d2"].Informed || !register(t, m, time.Time{})["d2"].Informed {
		t.Errorf("FamilyInformed after restore not folded")
	}
	for _, bad := range [][]byte{[]byte("{"), data[:len(data)-3], append(slices.Clone(data), 0)} {
		if err := r.UnmarshalSnapshot(bad); err == nil {
			t.Errorf("a corrupt snapshot of %d bytes was accepted", len(bad))
		}
	}
	// A refused snapshot leaves the model as it was.
	if !register(t, r, time.Time{})["d2"].Informed {
		t.Errorf("the model changed after a refused snapshot")
	}
}
