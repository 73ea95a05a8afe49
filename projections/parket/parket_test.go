package parket

import (
	"flag"
	"reflect"
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
	m := New()
	projtest.Feed(projtest.LoadFacts(t, "testdata/scenario.jsonl"), m)
	return m
}

func family(t *testing.T, m *Model, id domain.FamilyID, asOf time.Time) Family {
	t.Helper()
	f, ok := m.Family(id, asOf)
	if !ok {
		t.Fatalf("family %s unknown", id)
	}
	return f
}

func answers(m *Model) map[string]any {
	p1, _ := m.Family("p1", time.Time{})
	p2, _ := m.Family("p2", time.Time{})
	p2then, _ := m.Family("p2", at("2026-02-15T00:00:00Z"))
	return map[string]any{
		"p1_now":              p1,
		"p2_now":              p2,
		"p2_asof_0215":        p2then,
		"states_now":          m.States(time.Time{}),
		"counts_now":          m.Counts(time.Time{}),
		"open_now_0310_w7":    m.OpenRequests(time.Time{}, d("2026-03-10"), 7),
		"open_asof_0210_0210": m.OpenRequests(at("2026-02-10T00:00:00Z"), d("2026-02-10"), 7),
		"disclosures_now":     m.Disclosures(time.Time{}, domain.Date{}, domain.Date{}),
	}
}

func TestGolden(t *testing.T) {
	projtest.Golden(t, "scenario", answers(load(t)))
}

// TestHandComputed checks the scenario against DOMAIN.md's parket states
// and the package's rules, computed by hand.
func TestHandComputed(t *testing.T) {
	m := load(t)
	p1 := family(t, m, "p1", time.Time{})
	var states []domain.ParketState
	for _, s := range p1.History {
		states = append(states, s.State)
	}
	want := []domain.ParketState{domain.ParketStateKnown, domain.ParketStateStatusRequested, domain.ParketStateStatusReported, domain.ParketStateStatusRequested}
	if !reflect.DeepEqual(states, want) || p1.State != domain.ParketStateStatusRequested || p1.Since != d("2026-03-01") {
		t.Errorf("p1 history %v state %s since %s; want %v, status_requested since 2026-03-01", states, p1.State, p1.Since, want)
	}
	if p1.OpenRequest == nil || p1.OpenRequest.RequestID != "r2" || p1.OpenRequest.DueDate != d("2026-03-15") {
		t.Errorf("p1 open request %+v, want r2 due 2026-03-15", p1.OpenRequest)
	}
	if r := p1.Requests[0]; r.Open || r.ReportedOn != d("2026-02-14") || r.DisclosureID != "d2" {
		t.Errorf("r1 %+v, want reported on 02-14 by d2", r)
	}
	told := map[domain.DisclosureID]Told{}
	for _, x := range p1.Disclosures {
		told[x.DisclosureID] = x.Told
	}
	// d1: told 01-10, reported 01-10 (same day counts as before);
	// d2: reported 02-14, told 02-16.
	if told["d1"] != ToldBefore || told["d2"] != ToldAfter || len(told) != 2 {
		t.Errorf("p1 told %v", told)
	}
	pol := p1.Police
	if pol.Interventions != 4 || pol.InitialReports != 2 || pol.FollowUpReports != 5 || pol.Kantschriften != 1 || len(pol.Records) != 2 || pol.File != "af" {
		t.Errorf("p1 police %+v, want 4/2/5/1 over 2 records, file af", pol)
	}

	p2 := family(t, m, "p2", time.Time{})
	states = nil
	for _, s := range p2.History {
		states = append(states, s.State)
	}
	want = []domain.ParketState{domain.ParketStateWorryReported, domain.ParketStateReferredOCJ, domain.ParketStateYouthCourt, domain.ParketStateClosed}
	if !reflect.DeepEqual(states, want) || p2.Police.File != "none" {
		t.Errorf("p2 history %v file %s, want %v and no police file", states, p2.Police.File, want)
	}
	// d4 went to the OCJ, not the parket; d3 (confidential, lifted 02-20, never told) is listed.
	if len(p2.Disclosures) != 1 || p2.Disclosures[0].DisclosureID != "d3" || p2.Disclosures[0].Told != NotTold {
		t.Errorf("p2 disclosures %+v, want d3 not told", p2.Disclosures)
	}

	p3 := family(t, m, "p3", time.Time{})
	if p3.State != domain.ParketStateNotKnown || len(p3.History) != 1 || p3.History[0].Allowed || len(p3.Disclosures) != 0 {
		t.Errorf("p3 %+v: a request in state not_known changes nothing and is shown as not allowed; d5 went to the police", p3)
	}

	open := m.OpenRequests(time.Time{}, d("2026-03-10"), 7)
	wantOpen := []OpenRequest{
		{FamilyID: "p3", RequestID: "r3", RequestedOn: d("2026-02-02"), DueDate: d("2026-02-20"), DaysLeft: -18, Overdue: true},
		{FamilyID: "p1", RequestID: "r2", RequestedOn: d("2026-03-01"), DueDate: d("2026-03-15"), DaysLeft: 5},
	}
	if !reflect.DeepEqual(open, wantOpen) {
		t.Errorf("open requests %+v, want %+v", open, wantOpen)
	}
	if got := m.OpenRequests(time.Time{}, d("2026-03-10"), 0); len(got) != 1 || got[0].RequestID != "r3" {
		t.Errorf("open requests due by 03-10: %+v, want r3 only", got)
	}
	c := m.Counts(time.Time{})
	if c[domain.ParketStateStatusRequested] != 1 || c[domain.ParketStateClosed] != 1 || c[domain.ParketStateNotKnown] != 1 || len(c) != len(domain.ParketStates()) {
		t.Errorf("counts %v", c)
	}
	if ds := m.Disclosures(time.Time{}, d("2026-02-01"), d("2026-02-28")); len(ds) != 2 || ds[0].DisclosureID != "d3" || ds[1].DisclosureID != "d2" {
		t.Errorf("disclosures in February: %+v, want d3 (02-10) then d2 (02-14)", ds)
	}
}

func TestTimeTravel(t *testing.T) {
	m := load(t)
	// On 02-15 p2's worry report was confidential and not lifted.
	p2 := family(t, m, "p2", at("2026-02-15T00:00:00Z"))
	if p2.State != domain.ParketStateWorryReported || len(p2.Disclosures) != 1 || p2.Disclosures[0].Told != NotToldConfident {
		t.Errorf("p2 on 02-15: %+v", p2)
	}
	// On 02-15 p1's d2 was reported but the family not yet told.
	p1 := family(t, m, "p1", at("2026-02-15T00:00:00Z"))
	if p1.State != domain.ParketStateStatusReported || p1.OpenRequest != nil || p1.Disclosures[1].Told != NotTold || p1.Police.File != "in" {
		t.Errorf("p1 on 02-15: %+v", p1)
	}
	// r1 was open and due within 7 days on 02-10.
	if o := m.OpenRequests(at("2026-02-10T00:00:00Z"), d("2026-02-10"), 7); len(o) != 1 || o[0].RequestID != "r1" || o[0].DaysLeft != 5 {
		t.Errorf("open on 02-10: %+v", o)
	}
	if _, ok := m.Family("p1", at("2026-01-01T00:00:00Z")); ok {
		t.Error("p1 known before its referral")
	}
	// Between the recording of the disclosure and of the parket step that
	// names it, d1 already counts as to the parket by its recipient.
	if f := family(t, m, "p1", at("2026-01-10T10:01:00Z")); len(f.Disclosures) != 1 || f.Disclosures[0].Step != "" || f.State != domain.ParketStateNotKnown {
		t.Errorf("p1 at 10:01 on 01-10: %+v", f)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := load(t)
	data, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	n := New()
	if err := n.UnmarshalSnapshot(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(answers(m), answers(n)) {
		t.Error("answers differ after a snapshot round trip")
	}
	if err := n.UnmarshalSnapshot([]byte(`{"families":`)); err == nil {
		t.Error("a torn snapshot was accepted")
	}
	var _ projections.Snapshotter = n
}

func TestQueriesReturnCopies(t *testing.T) {
	m := load(t)
	f := family(t, m, "p1", time.Time{})
	f.Disclosures[0].DataCategories[0] = "identity"
	if g := family(t, m, "p1", time.Time{}); g.Disclosures[0].DataCategories[0] != domain.DataGuidanceProgress {
		t.Error("a query result shares the model's slices")
	}
}
