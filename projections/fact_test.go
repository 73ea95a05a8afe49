package projections

import (
	"bytes"
	"context"
	"crypto/rand"
	"reflect"
	"testing"

	"spoor/domain"
	"spoor/store"
	"spoor/store/keyfile"
)

// TestDecodePayloadLayouts decodes payloads sealed by the real Sealer, with
// and without a sealed part and with public parts ending in a string or a
// number, and checks the Fact's event against domain.Decode of the public
// part, and that every payload is read in place.
func TestDecodePayloadLayouts(t *testing.T) {
	ks, err := keyfile.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	kek := make([]byte, store.KEKSize)
	sealer, err := store.NewSealer(kek, ks, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	events := []domain.Event{
		domain.RoleGranted{Role: domain.RoleCoach, Date: domain.MustDate("2025-01-06"), GrantedBy: "staff-admin"}, // ends in a string
		domain.ContactLogged{ContactID: "c1", Date: domain.MustDate("2025-02-03"), Kind: domain.ContactPhone, DurationMinutes: 15, CoachID: "coach-1",
			Sealed: domain.ContactSealed{Note: `a "quoted" note`}},
		domain.ContactLogged{ContactID: "c2", Date: domain.MustDate("2025-02-04"), Kind: domain.ContactPhone, DurationMinutes: 5, CoachID: "coach-1"},
		domain.WaitingListEntered{Date: domain.MustDate("2025-03-01")},
	}
	for i, e := range events {
		enc, err := domain.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		data, err := sealer.Seal(context.Background(), "family-f1", enc.Public, enc.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		// Every layout the Sealer writes is read in place (no copy).
		pub, err := store.PublicPart(data)
		if err != nil {
			t.Fatal(err)
		}
		if off := bytes.Index(data, pub); off < 0 || &data[off] != &pub[0] {
			t.Errorf("%s (%d): public part copied, not read in place", enc.Type, i)
		}
		env := store.Envelope{Position: uint64(i + 1), Stream: "family-f1", Type: enc.Type, Data: data}
		f, ok, err := Decode(&env)
		if err != nil || !ok {
			t.Fatalf("%s: ok %v, %v", enc.Type, ok, err)
		}
		want, err := domain.Decode(enc.Type, enc.Public, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(f.Event, want) {
			t.Errorf("%s: got %#v, want %#v", enc.Type, f.Event, want)
		}
	}
	// A payload that only looks unsealed falls back to store.PublicPart and
	// its error.
	bad := store.Envelope{Position: 9, Stream: "family-f1", Type: domain.TypeWaitingListEntered, Data: []byte(`{"public":{"date":"2025-03-01"},"x":{}}`)}
	if _, _, err := Decode(&bad); err == nil {
		t.Fatal("a payload with an unknown member decoded")
	}
}
