package domain

import "testing"

// BenchmarkDecodePublic decodes the public part of a ContactLogged, the
// most frequent event, as read models do on a rebuild.
func BenchmarkDecodePublic(b *testing.B) {
	enc, err := Encode(ContactLogged{ContactID: "0b6f4f7e-6a53-4c59-9e1a-2f1f6c1d2a11", Date: d("2026-02-03"), Kind: ContactHomeVisitUnannounced, DurationMinutes: 75, LifeDomains: []LifeDomain{DomainHousing, DomainChildren}, CoachID: "7d3c1b7e-9a1f-4d55-8a0e-3c2b1a0f9e88"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(enc.Type, enc.Public, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFoldFamily folds a year of a busy family (about 200 events).
func BenchmarkFoldFamily(b *testing.B) {
	evs := active()
	for i := range 200 {
		evs = append(evs, ContactLogged{ContactID: ContactID("con-" + string(rune('a'+i%26)) + string(rune('a'+i/26))), Date: d("2026-02-01").AddDays(i % 100), Kind: ContactPhone, DurationMinutes: 10, CoachID: "c1"})
	}
	b.ReportAllocs()
	for b.Loop() {
		fold(evs)
	}
}
