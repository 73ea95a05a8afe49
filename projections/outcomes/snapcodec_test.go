package outcomes

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"spoor/domain"
)

// TestSnapshotCodecFields fails when a field is added to (or removed from)
// a type the binary snapshot writes field by field: snapcodec.go must then
// be updated, and snapshotVersion raised.
func TestSnapshotCodecFields(t *testing.T) {
	for _, c := range []struct {
		typ    reflect.Type
		fields int
	}{
		{reflect.TypeFor[State](), 1},
		{reflect.TypeFor[Family](), 4},
		{reflect.TypeFor[Member](), 3},
		{reflect.TypeFor[Registration](), 8},
		{reflect.TypeFor[Answer](), 5},
	} {
		if n := c.typ.NumField(); n != c.fields {
			t.Errorf("%s has %d fields, the snapshot's binary form knows %d: update snapcodec.go and snapshotVersion", c.typ, n, c.fields)
		}
	}
}

// fullState has every field of every written type set, in several zones.
func fullState() State {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2026, 3, 4, 10, 11, 12, 13, time.UTC)
	d := domain.MustDate("2026-03-04")
	return State{Families: map[domain.FamilyID]*Family{
		"f1": {
			Trajectory: 2,
			Sources:    map[int]domain.ReferralSource{1: domain.ReferralSources()[0], 2: domain.ReferralSources()[1]},
			Members: map[domain.MemberID]*Member{
				"m1": {Role: domain.MemberChild, LeftOn: d.AddDays(3), LeftAt: at.In(cet)},
				"m2": {Role: domain.MemberRole("parent")},
			},
			Registrations: []Registration{
				{At: at, Trajectory: 1, AssessmentID: "a1", Date: d, InstrumentID: domain.LeefsituatieID, InstrumentVersion: 3, Moment: domain.MomentT0,
					Answers: []Answer{
						{Item: "housing", Subject: domain.SubjectHousehold, Status: domain.AnswerScored, Level: 4},
						{Item: "health", Member: "m1", Subject: domain.SubjectChild, Status: domain.AnswerStatus("not_assessed")},
						{Item: "work", Member: "m9", Status: domain.AnswerScored, Level: -1},
					}},
				{At: at.Add(time.Hour).In(cet), Trajectory: 2, AssessmentID: "a2", Date: d.AddDays(200), InstrumentID: "cebud", Moment: domain.MomentT1},
			},
		},
		"f2": {Sources: map[int]domain.ReferralSource{}, Members: map[domain.MemberID]*Member{}},
	}}
}

// TestSnapshotCodec checks that the binary form restores every field (as
// JSON shows it), that every truncation or extension of it is refused and
// leaves the model unchanged.
func TestSnapshotCodec(t *testing.T) {
	st := fullState()
	data := appendState(nil, &st)
	got, err := readState(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(st)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Fatalf("restored state differs:\n got %s\nwant %s", have, want)
	}
	if got.Families["f1"].Registrations[1].At.Equal(st.Families["f1"].Registrations[1].At) == false {
		t.Fatal("an instant in another zone moved")
	}
	m := seven(t)
	before, _ := m.Report(Period{}, time.Time{})
	for n := range len(data) {
		if err := m.UnmarshalSnapshot(data[:n]); err == nil {
			t.Fatalf("a snapshot cut to %d of %d bytes was accepted", n, len(data))
		}
	}
	if err := m.UnmarshalSnapshot(append(append([]byte{}, data...), 0)); err == nil {
		t.Fatal("a snapshot with a trailing byte was accepted")
	}
	if after, _ := m.Report(Period{}, time.Time{}); !reflect.DeepEqual(before, after) {
		t.Fatal("a refused snapshot changed the state")
	}
}

// TestSnapshotTeamRoundTrip restores a 300-family team (three trajectories'
// worth of registrations each) and compares every query at several instants.
func TestSnapshotTeamRoundTrip(t *testing.T) {
	src := New(catalogue(t))
	for _, f := range teamFacts(300) {
		src.Apply(&f)
	}
	b, err := src.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := New(catalogue(t))
	if err := r.UnmarshalSnapshot(b); err != nil {
		t.Fatal(err)
	}
	q := sixMonths(t)
	for _, asOf := range []time.Time{{}, at("2026-03-01T00:00:00Z"), at("2026-07-01T00:00:00Z")} {
		for _, p := range []Period{{}, period("2026-01-01", "2026-06-30")} {
			a, errA := src.Report(p, asOf)
			c, errC := r.Report(p, asOf)
			if errA != nil || errC != nil || !reflect.DeepEqual(a, c) {
				t.Fatalf("report differs after a round trip (as of %v): %v %v", asOf, errA, errC)
			}
		}
		a, errA := src.Deprivation(q, asOf)
		c, errC := r.Deprivation(q, asOf)
		if errA != nil || errC != nil || !reflect.DeepEqual(a, c) {
			t.Fatalf("deprivation differs after a round trip (as of %v): %v %v", asOf, errA, errC)
		}
	}
	if rep, _ := r.Report(Period{}, time.Time{}); rep.Overall.T0.Families != 300 {
		t.Fatalf("%d families at T0 after the round trip, want 300", rep.Overall.T0.Families)
	}
}
