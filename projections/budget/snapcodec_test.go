package budget

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"spoor/domain"
)

// TestSnapshotCodecFields fails when a field is added to (or removed from)
// a type the binary snapshot writes field by field: snapcodec.go must then
// be updated, and SnapshotVersion raised. (Settings and envelopes are
// written as JSON.)
func TestSnapshotCodecFields(t *testing.T) {
	for _, c := range []struct {
		typ    reflect.Type
		fields int
	}{
		{reflect.TypeFor[State](), 5},
		{reflect.TypeFor[Family](), 8},
		{reflect.TypeFor[Mark](), 2},
		{reflect.TypeFor[Allocation](), 7},
		{reflect.TypeFor[Overspend](), 6},
		{reflect.TypeFor[CostRecord](), 14},
		{reflect.TypeFor[Decided](), 7},
		{reflect.TypeFor[Spend](), 21},
		{reflect.TypeFor[Review](), 4},
		{reflect.TypeFor[Reversal](), 4},
	} {
		if n := c.typ.NumField(); n != c.fields {
			t.Errorf("%s has %d fields, the snapshot's binary form knows %d: update snapcodec.go and SnapshotVersion", c.typ, n, c.fields)
		}
	}
}

// fullState has every field of every written type set, in several zones.
func fullState() State {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2026, 3, 4, 10, 11, 12, 13, time.UTC)
	d := domain.MustDate("2026-03-04")
	settings := domain.DefaultTeamSettings()
	settings.FundingSources = append(settings.FundingSources, "extra")
	return State{
		Settings: settings,
		Families: map[domain.FamilyID]*Family{
			"f1": {
				ReferredAt: at, Source: domain.ReferralSource("police"), Children: 3, Coach: "c1",
				Trajectories: []Mark{{Trajectory: 1, At: at}, {Trajectory: 2, At: at.Add(time.Hour).In(cet)}},
				Allocations:  []Allocation{{AllocationID: "al1", Date: d, Trajectory: 2, AmountCents: 200000, Source: domain.ReferralSource("police"), FundingSource: "maatbudget", At: at}},
				Overspends:   []Overspend{{ApprovalID: "ap1", SpendID: "s1", Date: d.AddDays(1), AmountCents: -5, ApprovedBy: "co1", At: at.In(cet)}},
				Costs: []CostRecord{{RecordID: "r1", Date: d, PeriodFrom: d.AddDays(-90), PeriodUntil: d, Category: domain.CostCategory("placement"),
					ActualCents: 1, ComparisonCents: 1 << 40, AvoidedCents: -3, Basis: "estimate", Interventions: 4, InitialReports: 5, FollowUpReports: 6, Kantschriften: 7, At: at}},
			},
			"f2": {ReferredAt: at},
		},
		Spends: []Spend{
			{FamilyID: "f1", SpendID: "s1", Date: d, Trajectory: 2, AmountCents: 12345, Instrument: domain.InstrumentMaatbudget, Category: "food", Supplier: "Shop",
				ReceiptRef: "R-1", FundingSource: "maatbudget", Path: domain.PathUrgent, DecidedOn: d.AddDays(2), Body: domain.DecidingBody("team"), ProposedBy: "c1",
				ApprovalID: "ap1", ReferralType: domain.ReferralSource("police"), CoachID: "c2", Position: 77, At: at,
				Review:   &Review{Date: d.AddDays(5), Verdict: domain.Verdict("approved"), ReviewedBy: "c3", At: at.In(cet)},
				Reversal: &Reversal{Date: d.AddDays(9), Reason: domain.ReversalReason("error"), Position: 99, At: at.Add(time.Minute)}},
			{FamilyID: "f2", SpendID: "s2", Position: 78, At: at},
		},
		Decisions: []Decided{{FamilyID: "f1", SpendID: "s1", Date: d, Verdict: domain.Verdict("approved"), Body: domain.DecidingBody("coordinator"), DecidedBy: "co1", At: at.In(cet)}},
		Envelopes: []Envelope{{Year: 2026, FundingLine: "maatbudget", Instrument: domain.InstrumentMaatbudget, AmountCents: 5000000, Date: d, By: "co1", At: at}},
	}
}

// TestSnapshotCodec checks that the binary form restores every field (as
// JSON shows it), that every truncation or extension of it is refused and
// leaves the model unchanged.
func TestSnapshotCodec(t *testing.T) {
	st := fullState()
	data, err := appendState(nil, &st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readState(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(st)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Fatalf("restored state differs:\n got %s\nwant %s", have, want)
	}
	m := New()
	if err := m.UnmarshalSnapshot(data); err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(m.Families(time.Time{}))
	for n := range len(data) {
		if err := m.UnmarshalSnapshot(data[:n]); err == nil {
			t.Fatalf("a snapshot cut to %d of %d bytes was accepted", n, len(data))
		}
	}
	if err := m.UnmarshalSnapshot(append(append([]byte{}, data...), 0)); err == nil {
		t.Fatal("a snapshot with a trailing byte was accepted")
	}
	after, _ := json.Marshal(m.Families(time.Time{}))
	if string(before) != string(after) || len(m.st.Spends) != 2 {
		t.Fatal("a refused snapshot changed the state")
	}
}
