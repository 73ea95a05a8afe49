package caseload

import (
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/projtest"
)

var _ = flag.Bool("update", false, "rewrite golden files")

func d(s string) domain.Date { return domain.MustDate(s) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func load(t *testing.T) *Model {
	t.Helper()
	m := New(domain.DefaultTeamSettings())
	projtest.Feed(projtest.LoadFacts(t, "testdata/scenario.jsonl"), m)
	return m
}

// answers is everything the golden file holds.
func answers(m *Model) map[string]any {
	return map[string]any{
		"coaches_now_0320":        m.Coaches(time.Time{}, d("2026-03-20")),
		"coaches_asof_0215":       m.Coaches(at("2026-02-15T23:00:00Z"), d("2026-02-15")),
		"coaches_asof_0305":       m.Coaches(at("2026-03-05T23:00:00Z"), d("2026-03-05")),
		"waiting_now_0320":        m.WaitingList(time.Time{}, d("2026-03-20")),
		"waiting_asof_0205":       m.WaitingList(at("2026-02-05T23:00:00Z"), d("2026-02-05")),
		"covers_all":              m.Covers(time.Time{}, domain.Date{}),
		"no_contact_now_0320":     m.NoContact(time.Time{}, d("2026-03-20"), 0),
		"contacts_now_0320":       m.Contacts(time.Time{}, d("2026-03-20")),
		"reviews_now_0325_w14":    m.ReviewsDue(time.Time{}, d("2026-03-25"), 14),
		"reviews_asof_0215_0325":  m.ReviewsDue(at("2026-02-15T23:00:00Z"), d("2026-03-25"), 14),
		"summary_now":             m.Summary(time.Time{}),
		"would_exceed_c1_police":  must(m.WouldExceed("c1", domain.SourcePolice, time.Time{})),
		"would_exceed_c1_school":  must(m.WouldExceed("c1", domain.SourceSchool, time.Time{})),
		"would_exceed_c2_k_and_g": must(m.WouldExceed("c2", domain.SourceKindEnGezin, at("2026-02-15T23:00:00Z"))),
	}
}

func must(c CapacityCheck, err error) CapacityCheck {
	if err != nil {
		panic(err)
	}
	return c
}

func TestGolden(t *testing.T) {
	projtest.Golden(t, "scenario", answers(load(t)))
}

// TestHandComputed checks the scenario's answers against values computed
// by hand from DOMAIN.md's rules (see testdata/scenario.jsonl).
func TestHandComputed(t *testing.T) {
	m := load(t)
	loads := map[domain.StaffID]CoachLoad{}
	for _, l := range m.Coaches(time.Time{}, d("2026-03-20")) {
		loads[l.CoachID] = l
	}
	tests := []struct {
		coach        domain.StaffID
		families     []domain.FamilyID
		load, left   float64
		over, active bool
		fullFor      []domain.ReferralSource
	}{
		// f1 police 1.5 + f3 clb 0.5 (f5 closed on 03-15).
		{"c1", []domain.FamilyID{"f1", "f3"}, 2.0, 1.0, false, true, []domain.ReferralSource{domain.SourcePolice}},
		// f4 police intake 1.5 + f7 police 1.5 + f8 school 0.5 = 3.5 > 3.
		{"c2", []domain.FamilyID{"f4", "f7", "f8"}, 3.5, -0.5, true, true, domain.ReferralSources()},
		{"c3", nil, 0, 3, false, false, nil},
	}
	for _, tc := range tests {
		l, ok := loads[tc.coach]
		if !ok {
			t.Fatalf("coach %s missing", tc.coach)
		}
		var fams []domain.FamilyID
		for _, f := range l.Families {
			fams = append(fams, f.FamilyID)
		}
		if !reflect.DeepEqual(fams, tc.families) || l.Load != tc.load || l.Left != tc.left || l.OverCapacity != tc.over || l.Active != tc.active || l.Capacity != 3 {
			t.Errorf("%s: families %v load %v left %v over %v active %v cap %v; want %v %v %v %v %v 3", tc.coach, fams, l.Load, l.Left, l.OverCapacity, l.Active, l.Capacity, tc.families, tc.load, tc.left, tc.over, tc.active)
		}
		if len(l.FullFor) != len(tc.fullFor) || (len(tc.fullFor) > 0 && !reflect.DeepEqual(l.FullFor, tc.fullFor)) {
			t.Errorf("%s: full for %v, want %v", tc.coach, l.FullFor, tc.fullFor)
		}
	}

	w := m.WaitingList(time.Time{}, d("2026-03-20"))
	if len(w) != 1 || w[0].FamilyID != "f2" || w[0].DaysWaiting != 72 {
		t.Errorf("waiting list %+v, want f2 waiting 72 days (2026-01-07 to 2026-03-20)", w)
	}

	nc := m.NoContact(time.Time{}, d("2026-03-20"), 0)
	want := []ContactRecency{
		// k2 (02-20) was cancelled: last contact 01-15, 64 days.
		{FamilyID: "f1", CoachID: "c1", GuidanceStarted: d("2026-01-12"), LastContact: d("2026-01-15"), DaysWithoutContact: 64},
		// no contact since guidance started 02-14: 34 days.
		{FamilyID: "f7", CoachID: "c2", GuidanceStarted: d("2026-02-14"), DaysWithoutContact: 34},
	}
	if !reflect.DeepEqual(nc, want) {
		t.Errorf("no contact (threshold 30 from the settings) = %+v, want %+v", nc, want)
	}
	if got := m.NoContact(time.Time{}, d("2026-03-20"), 60); len(got) != 1 || got[0].FamilyID != "f1" {
		t.Errorf("no contact over 60 days = %+v, want f1 only", got)
	}

	rd := m.ReviewsDue(time.Time{}, d("2026-03-25"), 14)
	wantRD := []ReviewDue{
		// t0 on 01-20 + 60 days = 03-21, 4 days overdue on 03-25.
		{FamilyID: "f1", CoachID: "c1", GuidanceStarted: d("2026-01-12"), LastRegistration: d("2026-01-20"), Due: d("2026-03-21"), DaysOverdue: 4},
		// guidance 02-05 + 60 = 04-06, within 14 days of 03-25.
		{FamilyID: "f3", CoachID: "c1", GuidanceStarted: d("2026-02-05"), Due: d("2026-04-06"), DaysOverdue: -12},
	}
	if !reflect.DeepEqual(rd, wantRD) {
		t.Errorf("reviews due = %+v, want %+v", rd, wantRD)
	}

	s := m.Summary(time.Time{})
	wantStatus := map[string]int{StatusReferred: 0, StatusWaiting: 1, StatusNotTakenIn: 1, StatusIntake: 1, StatusGuidance: 4, StatusClosed: 1}
	if s.Families != 8 || !reflect.DeepEqual(s.ByStatus, wantStatus) || s.Load != 5.5 {
		t.Errorf("summary %+v, want 8 families, %v, load 5.5", s, wantStatus)
	}
	if p := s.BySource[domain.SourcePolice]; p[StatusGuidance] != 2 || p[StatusIntake] != 1 {
		t.Errorf("police families by status %v, want 2 in guidance and 1 at intake", p)
	}
}

func TestTimeTravel(t *testing.T) {
	m := load(t)
	// Before the settings change (defaults: police 1.0, others 0.5, capacity 6).
	c := m.Coach("c1", at("2026-02-15T23:00:00Z"), d("2026-02-15"))
	if c.Load != 2.0 || c.Capacity != 6 || len(c.Families) != 3 {
		t.Errorf("c1 on 02-15: %+v, want f5, f1, f3 with load 2.0 of 6", c)
	}
	// The contact of 02-20 counted until its cancellation was recorded on 02-21.
	before := m.Contacts(at("2026-02-21T08:00:00Z"), d("2026-02-21"))
	after := m.Contacts(at("2026-02-21T10:00:00Z"), d("2026-02-21"))
	find := func(rs []ContactRecency, id domain.FamilyID) ContactRecency {
		for _, r := range rs {
			if r.FamilyID == id {
				return r
			}
		}
		t.Fatalf("family %s not listed", id)
		return ContactRecency{}
	}
	if r := find(before, "f1"); r.LastContact != d("2026-02-20") || r.DaysWithoutContact != 1 {
		t.Errorf("before the correction: %+v, want last contact 02-20, 1 day", r)
	}
	if r := find(after, "f1"); r.LastContact != d("2026-01-15") || r.DaysWithoutContact != 37 {
		t.Errorf("after the correction: %+v, want last contact 01-15, 37 days", r)
	}
	// The cover as arranged (until 03-14) before its early end was recorded.
	if cv := m.Covers(at("2026-03-05T12:00:00Z"), d("2026-03-12")); len(cv) != 1 || cv[0].Until != d("2026-03-14") || cv[0].EndedEarly {
		t.Errorf("covers on 03-12 as known on 03-05: %+v", cv)
	}
	if cv := m.Covers(time.Time{}, d("2026-03-12")); len(cv) != 0 {
		t.Errorf("covers on 03-12 now: %+v, want none (ended 03-10)", cv)
	}
	if l := m.Coach("c2", at("2026-03-05T12:00:00Z"), d("2026-03-05")); len(l.CoverFamilies) != 1 || l.CoverFamilies[0].FamilyID != "f1" || l.CoverFamilies[0].ForCoach != "c1" {
		t.Errorf("c2 cover families on 03-05: %+v", l.CoverFamilies)
	}
	// Before anything: nothing.
	if s := m.Summary(at("2025-12-31T00:00:00Z")); s.Families != 0 {
		t.Errorf("summary before the first event: %+v", s)
	}
	// Review rule under the default interval (91 days): f5 due 01-04 + 91 = 04-05.
	rd := m.ReviewsDue(at("2026-02-15T23:00:00Z"), d("2026-03-25"), 14)
	if len(rd) != 1 || rd[0].FamilyID != "f5" || rd[0].Due != d("2026-04-05") {
		t.Errorf("reviews due as of 02-15: %+v, want f5 due 04-05", rd)
	}
}

func TestWouldExceed(t *testing.T) {
	m := load(t)
	tests := []struct {
		coach  domain.StaffID
		src    domain.ReferralSource
		asOf   time.Time
		after  float64
		exceed bool
	}{
		{"c1", domain.SourcePolice, time.Time{}, 3.5, true},
		{"c1", domain.SourceSchool, time.Time{}, 2.5, false},
		{"c1", domain.SourceKindEnGezin, time.Time{}, 2.25, false},
		// c2 before f8 and the settings change: f4 + f7 police = 2.0 of 6.
		{"c2", domain.SourcePolice, at("2026-02-15T23:00:00Z"), 3.0, false},
		// An unknown coach carries nothing.
		{"nobody", domain.SourcePolice, time.Time{}, 1.5, false},
	}
	for _, tc := range tests {
		got, err := m.WouldExceed(tc.coach, tc.src, tc.asOf)
		if err != nil || got.After != tc.after || got.Exceeds != tc.exceed {
			t.Errorf("WouldExceed(%s, %s) = %+v, %v; want after %v exceeds %v", tc.coach, tc.src, got, err, tc.after, tc.exceed)
		}
	}
	if _, err := m.WouldExceed("c1", "SECRET Ann", time.Time{}); !errors.Is(err, ErrUnknownSource) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("unknown source: %v", err)
	}
}

func TestAtCapacityIsNotOver(t *testing.T) {
	set := domain.DefaultTeamSettings()
	set.CoachCapacity = 2
	m := New(set)
	facts, err := projtest.ParseFacts([]byte(`
{"stream":"family-a","type":"FamilyReferred","data":{"family_id":"a","date":"2026-01-02","source":"school"}}
{"stream":"family-a","type":"IntakeHeld","data":{"date":"2026-01-03","coach_id":"c"}}
{"stream":"family-a","type":"GuidanceStarted","data":{"date":"2026-01-04","trajectory":1}}
{"stream":"family-a","type":"CaseClosed","data":{"date":"2026-02-01","reason":"positive"}}
{"stream":"family-a","type":"CaseReopened","data":{"date":"2026-03-01","source":"police","trajectory":2}}
{"stream":"family-a","type":"IntakeHeld","data":{"date":"2026-03-02","coach_id":"c"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	projtest.Feed(facts, m)
	// Reopened with source police: the intake-phase family now weighs 1.0.
	l := m.Coach("c", time.Time{}, d("2026-03-02"))
	if len(l.Families) != 1 || l.Families[0].Weight != 1.0 || l.Families[0].Phase != "intake" || l.Registered {
		t.Fatalf("after reopening: %+v", l)
	}
	// 1.0 + 1.0 = 2.0: exactly the capacity of 2 is allowed.
	chk, err := m.WouldExceed("c", domain.SourcePolice, time.Time{})
	if err != nil || chk.Load != 1 || chk.After != 2 || chk.Capacity != 2 || chk.Exceeds {
		t.Errorf("police check at capacity: %+v, %v", chk, err)
	}
	if l.OverCapacity || !reflect.DeepEqual(l.FullFor, []domain.ReferralSource{}) || l.Left != 1 {
		t.Errorf("load 1 of 2: over %v, full for %v, left %v; want not over, room for any source, 1 left", l.OverCapacity, l.FullFor, l.Left)
	}
	// Closed between 02-01 and the reopening: no active family then.
	if l := m.Coach("c", facts[3].RecordedAt, d("2026-02-01")); len(l.Families) != 0 || l.Left != 2 {
		t.Errorf("while closed: %+v", l)
	}
	s := m.Summary(facts[3].RecordedAt)
	if s.ByStatus[StatusClosed] != 1 || s.BySource[domain.SourceSchool][StatusClosed] != 1 {
		t.Errorf("summary while closed: %+v", s)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := load(t)
	data, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	n := New(domain.DefaultTeamSettings())
	if err := n.UnmarshalSnapshot(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(answers(m), answers(n)) {
		t.Error("answers differ after a snapshot round trip")
	}
	for _, bad := range [][]byte{[]byte("{"), data[:len(data)-2], data[:len(snapMagic)+3]} {
		if err := n.UnmarshalSnapshot(bad); err == nil {
			t.Errorf("a torn snapshot of %d bytes was accepted", len(bad))
		}
	}
	if !reflect.DeepEqual(answers(m), answers(n)) {
		t.Error("a failed restore changed the state")
	}
	var _ projections.Snapshotter = n
}

func TestQueriesReturnCopies(t *testing.T) {
	m := load(t)
	s := m.Settings(time.Time{})
	s.Weights[domain.SourcePolice] = 99
	if m.Settings(time.Time{}).Weights[domain.SourcePolice] != 1.5 {
		t.Error("Settings returned the model's own map")
	}
}

func TestFamilyFacts(t *testing.T) {
	m := load(t)
	f1, err := m.Family("f1", time.Time{})
	if err != nil || f1.Coach != "c1" || f1.Closed || f1.Status != StatusGuidance || f1.Weight != 1.5 || len(f1.Covers) != 1 ||
		f1.Covers[0].CoachID != "c2" || f1.Covers[0].Until != d("2026-03-10") || f1.LastContact != d("2026-01-15") {
		t.Errorf("f1 = %+v, %v", f1, err)
	}
	if f5, _ := m.Family("f5", time.Time{}); !f5.Closed || f5.Coach != "c1" {
		t.Errorf("f5 = %+v, want closed (last coach c1)", f5)
	}
	if f5, _ := m.Family("f5", at("2026-03-01T00:00:00Z")); f5.Closed || f5.Weight != 0.5 {
		t.Errorf("f5 on 03-01 = %+v, want open, weight 0.5 under the defaults", f5)
	}
	if f2, _ := m.Family("f2", time.Time{}); f2.Coach != "" || f2.Status != StatusWaiting {
		t.Errorf("f2 = %+v, want waiting, no coach", f2)
	}
	for _, tc := range []struct {
		id   domain.FamilyID
		asOf time.Time
	}{{"nobody", time.Time{}}, {"f8", at("2026-03-01T00:00:00Z")}} {
		if _, err := m.Family(tc.id, tc.asOf); !errors.Is(err, ErrUnknownFamily) {
			t.Errorf("Family(%s, %v): %v, want ErrUnknownFamily", tc.id, tc.asOf, err)
		}
	}
}
