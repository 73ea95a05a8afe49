package privacy

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"spoor/domain"
)

// TestFamiliesCodecFields fails when a field is added to (or removed from)
// a type the binary families form writes field by field: snapfam.go must
// then be updated, and SnapshotVersion raised.
func TestFamiliesCodecFields(t *testing.T) {
	for _, c := range []struct {
		typ    reflect.Type
		fields int
	}{
		{reflect.TypeFor[Family](), 15},
		{reflect.TypeFor[Cover](), 4},
		{reflect.TypeFor[Consent](), 11},
		{reflect.TypeFor[domain.ConsentScope](), 7},
		{reflect.TypeFor[Disclosure](), 11},
		{reflect.TypeFor[domain.DisclosureMade](), 14}, // Sealed is not written
		{reflect.TypeFor[InfoRequest](), 9},
		{reflect.TypeFor[domain.InfoRequestReceived](), 8}, // Sealed is not written
		{reflect.TypeFor[Held](), 2},
	} {
		if n := c.typ.NumField(); n != c.fields {
			t.Errorf("%s has %d fields, the snapshot's binary form knows %d: update snapfam.go and SnapshotVersion", c.typ, n, c.fields)
		}
	}
}

// fullFamilies is a state with every field of every written type set, in
// several zones, with nil and empty slices.
func fullFamilies() map[domain.FamilyID]*Family {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2025, 3, 4, 10, 11, 12, 13, time.UTC)
	d := domain.MustDate("2025-03-04")
	scope := domain.ConsentScope{Action: domain.ConsentAction("share"), RecipientOrg: "OCMW", RecipientCategory: domain.RecipientCategory("cpas"),
		Purpose: domain.Purpose("guidance"), DataCategories: []domain.DataCategory{domain.DataIncome, domain.DataDebts}, From: d, Until: d.AddDays(90)}
	return map[domain.FamilyID]*Family{
		"f1": {
			Coach: "c1", Closed: true,
			Covers:   []Cover{{ID: "cv1", CoachID: "c2", From: d, Last: d.AddDays(7)}, {ID: "cv2", CoachID: "c3", From: d}},
			Members:  map[domain.MemberID]domain.MemberRole{"m1": domain.MemberRole("parent"), "m2": domain.MemberRole("child")},
			Consents: map[domain.ConsentID]*Consent{"k1": {ID: "k1", Date: d, At: at, GrantorID: "m1", Scope: scope, Form: domain.FormVerbal, Refused: true, WithdrawnOn: d.AddDays(1), WithdrawnAt: at.Add(time.Hour).In(cet), ExpiredOn: d.AddDays(2), ExpiredAt: at.Add(2 * time.Hour)}},
			Disclosures: []*Disclosure{
				{DisclosureMade: domain.DisclosureMade{DisclosureID: "d1", Date: d, RecipientOrg: "School", RecipientRole: "CLB", RecipientCategory: domain.RecipientCategory("school"),
					DataCategories: []domain.DataCategory{}, Purpose: domain.Purpose("care"), LegalBasis: domain.LegalBasis("consent"), ConsentID: "k1", Members: []domain.MemberID{"m2"},
					DecidedBy: "c1", Confidential: true, InfoRequestID: "r1"}, Position: 42, At: at, Implied: true, SpendID: "s1",
					InformedOn: d, InformedAt: at.In(cet), InformForm: domain.FormVerbal, LiftedOn: d, LiftedAt: at, LiftedBy: "c9"},
				{DisclosureMade: domain.DisclosureMade{DisclosureID: "d2", Members: []domain.MemberID{}}, At: at},
			},
			InfoRequests: []*InfoRequest{{InfoRequestReceived: domain.InfoRequestReceived{RequestID: "r1", Date: d, FromOrg: "Court", FromRole: "judge", FromCategory: domain.RecipientCategory("justice"),
				DataCategories: []domain.DataCategory{domain.DataSafety}, Purpose: domain.Purpose("care")}, At: at, AnsweredBy: "d1", AnsweredOn: d, AnsweredAt: at,
				RefusedOn: d, RefusedAt: at, Refusal: domain.RefusalReason("no_basis"), RefusedBy: "c1"}},
			Held:     map[RecordKind]*Held{RecContacts: {Days: []int32{20250304, 20250301, 20250310}, Ats: []int64{at.UnixNano(), at.UnixNano() - 5, at.UnixNano() + 99}}},
			CatSince: map[domain.DataCategory]time.Time{domain.DataIdentity: at, domain.DataHealth: at.In(cet)},
			FirstAt:  at, ErasedAt: at.Add(time.Minute), ErasedOn: d.AddDays(3),
		},
		"f2": {FirstAt: at},
	}
}

// TestFamiliesCodecLikeJSON checks that the binary form restores what the
// JSON form (version 2) restored, field for field as JSON shows it, and
// that every truncation of it is refused.
func TestFamiliesCodecLikeJSON(t *testing.T) {
	fams := fullFamilies()
	data := appendFamilies(nil, fams)
	got, err := readFamilies(data)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(fams)
	if err != nil {
		t.Fatal(err)
	}
	var viaJSON map[domain.FamilyID]*Family
	if err := json.Unmarshal(js, &viaJSON); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(viaJSON)
	if string(a) != string(b) || string(a) != string(js) {
		t.Fatalf("binary round trip:\n%s\nJSON round trip:\n%s\noriginal:\n%s", a, b, js)
	}
	// Slices: nil and empty as JSON gives them back.
	if got["f1"].Disclosures[1].DataCategories != nil || got["f1"].Disclosures[0].DataCategories == nil || got["f1"].Disclosures[1].Members != nil {
		t.Error("nil and empty slices not restored as encoding/json restores them")
	}
	if !got["f1"].Consents["k1"].At.Equal(fams["f1"].Consents["k1"].At) || got["f1"].FirstAt.Location() != time.UTC {
		t.Error("instants not restored")
	}
	for n := range len(data) {
		if _, err := readFamilies(data[:n]); err == nil {
			t.Fatalf("a truncation to %d of %d bytes was accepted", n, len(data))
		}
	}
}

// TestSnapshotHugeCountsRefused feeds snapshots whose string table or
// access count promises far more entries than there are bytes: they are
// refused with errSnapshot (not a panic or a huge allocation) and leave the
// model as it was.
func TestSnapshotHugeCountsRefused(t *testing.T) {
	fams := appendFamilies(nil, nil)
	head := binary.AppendUvarint([]byte(snapshotMagic), uint64(len(fams)))
	head = append(head, fams...)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"table count", binary.AppendUvarint(append([]byte{}, head...), 1<<62)},
		{"table count int overflow", binary.AppendUvarint(append([]byte{}, head...), 1<<63+5)},
		{"access count", binary.AppendUvarint(binary.AppendUvarint(append([]byte{}, head...), 0), 1<<40)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := New(DefaultOptions())
			if err := m.UnmarshalSnapshot(tt.data); !errors.Is(err, errSnapshot) {
				t.Fatalf("err %v, want errSnapshot", err)
			}
		})
	}
	// The same framing with counts that fit is accepted, so the cases
	// above fail for their counts.
	ok := binary.AppendUvarint(binary.AppendUvarint(append([]byte{}, head...), 0), 0)
	if err := New(DefaultOptions()).UnmarshalSnapshot(ok); err != nil {
		t.Fatalf("empty snapshot refused: %v", err)
	}
}
