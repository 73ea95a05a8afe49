package assessments

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
		{reflect.TypeFor[Family](), 3},
		{reflect.TypeFor[Registration](), 9},
		{reflect.TypeFor[domain.ItemAnswer](), 4},
		{reflect.TypeFor[StatusChange](), 4},
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
			Registrations: []Registration{
				{At: at, Trajectory: 1, AssessmentID: "a1", Date: d, InstrumentID: leef, InstrumentVersion: 3, Moment: domain.MomentT0,
					Items: []domain.ItemAnswer{
						{Item: "housing", Status: domain.AnswerScored, Level: 4},
						{Item: "health", Member: "m1", Status: domain.AnswerStatus("not_assessed")},
						{Item: "work", Member: "m9", Status: domain.AnswerScored, Level: -1},
					}, CoachID: "c1"},
				{At: at.Add(time.Hour).In(cet), Trajectory: 2, AssessmentID: "a2", Date: d.AddDays(200), InstrumentID: "cebud", Moment: domain.MomentT1},
			},
			Status: []StatusChange{
				{At: at.Add(-time.Hour), Active: true, Trajectory: 1, GuidanceStartedOn: d.AddDays(-2)},
				{At: at.Add(time.Minute).In(cet), Trajectory: 1},
			},
		},
		"f2": {},
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
	m := load(t)
	before, _ := json.Marshal(answers(t, m))
	for n := range len(data) {
		if err := m.UnmarshalSnapshot(data[:n]); err == nil {
			t.Fatalf("a snapshot cut to %d of %d bytes was accepted", n, len(data))
		}
	}
	if err := m.UnmarshalSnapshot(append(append([]byte{}, data...), 0)); err == nil {
		t.Fatal("a snapshot with a trailing byte was accepted")
	}
	if after, _ := json.Marshal(answers(t, m)); string(before) != string(after) {
		t.Fatal("a refused snapshot changed the state")
	}
}
