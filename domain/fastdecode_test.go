package domain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fastTypes are the types DecodePublic decodes by hand.
var fastTypes = []string{TypeContactLogged, TypeRecordViewed, TypeMemberAdded, TypeAssessmentRegistered, TypeQuestionRaised, TypeQuestionAnswered, TypeSpendRecorded,
	TypeFamilyReferred, TypeCoachAssigned, TypeGuidanceStarted, TypeProfessionalAdded, TypeBudgetAllocated, TypeCoverArranged, TypeCaseClosed,
	TypeWaitingListEntered, TypeWaitingListLeft, TypeFamilyInformed, TypeSpendDecided, TypeSpendProposed}

// samePublic checks that DecodePublic(typ, public) gives exactly what
// Decode(typ, public, nil) gives: the same event (reflect.DeepEqual, so
// nil and empty slices differ) or the same error.
func samePublic(t *testing.T, typ string, public []byte) {
	t.Helper()
	want, werr := Decode(typ, public, nil)
	got, gerr := DecodePublic(typ, public)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%s %q: error %v, encoding/json's %v", typ, public, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %q:\n got %#v\nwant %#v", typ, public, got, want)
	}
	if _, ok := fastDecode(typ, public); ok && werr != nil {
		t.Fatalf("%s %q: the fast decoder accepted what encoding/json refuses (%v)", typ, public, werr)
	}
}

// TestDecodePublicGolden decodes every golden event's public part both ways
// and checks that the hand-written decoders read the golden layout
// themselves (rather than leaving it to encoding/json).
func TestDecodePublicGolden(t *testing.T) {
	fast := map[string]bool{}
	for _, typ := range fastTypes {
		fast[typ] = true
	}
	for _, typ := range EventTypes() {
		t.Run(typ, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "events", typ+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var g struct {
				Type   string          `json:"type"`
				Public json.RawMessage `json:"public"`
			}
			if err := json.Unmarshal(data, &g); err != nil || g.Type != typ {
				t.Fatalf("golden file: type %q, %v", g.Type, err)
			}
			samePublic(t, typ, g.Public)
			if _, ok := fastDecode(typ, g.Public); ok != fast[typ] {
				t.Fatalf("fast decoder used %v, want %v", ok, fast[typ])
			}
		})
	}
}

// TestDecodePublicEdges covers what the fast decoders read themselves and
// what they must leave to encoding/json.
func TestDecodePublicEdges(t *testing.T) {
	cases := []struct {
		typ, public string
		fast        bool // read by the fast decoder
	}{
		{TypeContactLogged, `{}`, true},
		{TypeContactLogged, `null`, true},
		{TypeContactLogged, `{"contact_id":"c1","date":"2026-02-03","kind":"phone","duration_minutes":0,"life_domains":null,"coach_id":"k"}`, true},
		{TypeContactLogged, `{"contact_id":"c1","life_domains":[],"members":["m1","m2"]}`, true},
		{TypeContactLogged, `{"contact_id":null,"date":null,"duration_minutes":null,"members":null}`, true},
		{TypeContactLogged, `{"date":""}`, true},
		{TypeContactLogged, `{"date":"2024-02-29"}`, true},
		{TypeContactLogged, `{"date":"2025-02-29"}`, false}, // no such day: an error
		{TypeContactLogged, `{"date":"2025-13-01"}`, false},
		{TypeContactLogged, `{"date":"0000-01-01"}`, false},
		{TypeContactLogged, `{"date":"2025-1-01"}`, false},
		{TypeContactLogged, `{"date":"2025-01-01T00:00:00Z"}`, false},
		{TypeContactLogged, `{"date":20250101}`, false},
		{TypeContactLogged, `{"duration_minutes":-15}`, true},
		{TypeContactLogged, `{"duration_minutes":-0}`, true},
		{TypeContactLogged, `{"duration_minutes":1.5}`, false},
		{TypeContactLogged, `{"duration_minutes":1e2}`, false},
		{TypeContactLogged, `{"duration_minutes":01}`, false},
		{TypeContactLogged, `{"duration_minutes":99999999999999999999}`, false},
		{TypeContactLogged, `{"duration_minutes":"15"}`, false},
		{TypeContactLogged, `{"contact_id":"a","contact_id":"b"}`, false}, // last wins in encoding/json
		{TypeContactLogged, `{"Contact_ID":"a"}`, false},                  // case-insensitive match
		{TypeContactLogged, `{"newer_field":1,"contact_id":"a"}`, false},  // ignored by encoding/json
		{TypeContactLogged, `{"contact_id":"a\"b"}`, false},
		{TypeContactLogged, `{"contact_id":"a\u00e9"}`, false},
		{TypeContactLogged, `{"contact_id":"Ménage"}`, true},
		{TypeContactLogged, "{\"contact_id\":\"a\xff\"}", false},
		{TypeContactLogged, "{\"contact_id\":\"a\tb\"}", false},
		{TypeContactLogged, `{"contact_id": "a"}`, false},
		{TypeContactLogged, `{"contact_id":"a"} `, false},
		{TypeContactLogged, `{"contact_id":"a"`, false},
		{TypeContactLogged, `{"contact_id":"a",}`, false},
		{TypeContactLogged, `{"members":["a",null]}`, false},
		{TypeContactLogged, `{"members":["a",]}`, false},
		{TypeContactLogged, `{"members":"a"}`, false},
		{TypeContactLogged, `[]`, false},
		{TypeContactLogged, ``, false},
		{TypeRecordViewed, `{"family_id":"f","user_id":"u","role":"coach","part":"contacts","purpose":"guidance","break_glass":true,"reason":"safety"}`, true},
		{TypeRecordViewed, `{"break_glass":false}`, true},
		{TypeRecordViewed, `{"break_glass":null}`, true},
		{TypeRecordViewed, `{"break_glass":1}`, false},
		{TypeRecordViewed, `{"break_glass":tru}`, false},
		{TypeAssessmentRegistered, `{"assessment_id":"a","items":[{"item":"housing","status":"scored","level":3},{"item":"x","member":"m","status":"not_asked"}],"instrument_version":2}`, true},
		{TypeAssessmentRegistered, `{"items":[]}`, true},
		{TypeAssessmentRegistered, `{"items":[{}]}`, true},
		{TypeAssessmentRegistered, `{"items":[null]}`, false},
		{TypeAssessmentRegistered, `{"items":[{"item":"a","item":"b"}]}`, false},
		{TypeAssessmentRegistered, `{"items":[{"level":2.0}]}`, false},
		{TypeMemberAdded, `{"member_id":"m","date":"2025-01-01","role":"child","birth_year":2019}`, true},
		{TypeQuestionRaised, `{"question_id":"q","life_domain":"debts","member_id":"m"}`, true},
		{TypeQuestionAnswered, `{"question_id":"q","outcome":"answered","date":"2025-12-31"}`, true},
		{TypeSpendRecorded, `{"spend_id":"s","amount_cents":-1250,"decided_on":"","trajectory":1,"supplier":"Bakkerij Peeters"}`, true},
		{TypeWaitingListEntered, `{"date":"2025-01-01"}`, true},
		{TypeWaitingListEntered, `{"date":"2025-01-01","outcome":"x"}`, false},
		{TypeCoverArranged, `{"cover_id":"c","from":"2025-01-01","until":""}`, true},
		{TypeFamilyReferred, `{"family_id":"f","problems":["debts","housing"],"consent_given":true,"children":2,"adults":1}`, true},
		{TypeIntakeHeld, `{"date":"2025-01-01"}`, false}, // not a fast type
	}
	for _, c := range cases {
		samePublic(t, c.typ, []byte(c.public))
		if _, ok := fastDecode(c.typ, []byte(c.public)); ok != c.fast {
			t.Errorf("%s %q: fast decoder used %v, want %v", c.typ, c.public, ok, c.fast)
		}
	}
}

// FuzzDecodePublic checks DecodePublic against Decode on any input for the
// fast types, seeded with the sample events' public parts.
func FuzzDecodePublic(f *testing.F) {
	for _, e := range sampleEvents() {
		enc, err := Encode(e)
		if err != nil {
			f.Fatal(err)
		}
		for i, typ := range fastTypes {
			if typ == enc.Type {
				f.Add(uint8(i), enc.Public)
			}
		}
	}
	f.Add(uint8(0), []byte(`{"contact_id":"c","life_domains":[],"members":null,"date":"2024-02-29"}`))
	f.Add(uint8(3), []byte(`{"items":[{"item":"a","level":-0},{}]}`))
	f.Fuzz(func(t *testing.T, typ uint8, public []byte) {
		samePublic(t, fastTypes[int(typ)%len(fastTypes)], public)
	})
}

// BenchmarkDecodePublicFast decodes the public part of a ContactLogged, the
// most frequent event, with DecodePublic (compare BenchmarkDecodePublic,
// encoding/json).
func BenchmarkDecodePublicFast(b *testing.B) {
	enc, err := Encode(ContactLogged{ContactID: "0b6f4f7e-6a53-4c59-9e1a-2f1f6c1d2a11", Date: MustDate("2026-02-03"), Kind: ContactHomeVisitUnannounced, DurationMinutes: 75, LifeDomains: []LifeDomain{DomainHousing, DomainChildren}, CoachID: "7d3c1b7e-9a1f-4d55-8a0e-3c2b1a0f9e88"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePublic(enc.Type, enc.Public); err != nil {
			b.Fatal(err)
		}
	}
}
