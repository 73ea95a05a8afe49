package domain

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden is the bytes of a golden file: the type, the public part and the
// sealed part (null when none), each exactly as Encode returned them.
func golden(enc Encoded) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"` + enc.Type + `",` + "\n" + `"public":`)
	b.Write(enc.Public)
	b.WriteString(",\n" + `"sealed":`)
	if enc.Sealed == nil {
		b.WriteString("null")
	} else {
		b.Write(enc.Sealed)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func TestGoldenEveryEventType(t *testing.T) {
	samples := map[string]Event{}
	for _, e := range sampleEvents() {
		if _, dup := samples[e.EventType()]; dup {
			t.Fatalf("two samples of %s", e.EventType())
		}
		samples[e.EventType()] = e
	}
	for _, typ := range EventTypes() {
		t.Run(typ, func(t *testing.T) {
			e, ok := samples[typ]
			if !ok {
				t.Fatalf("no sample event of type %s", typ)
			}
			enc, err := Encode(e)
			if err != nil {
				t.Fatal(err)
			}
			if enc.Type != typ {
				t.Fatalf("Encode type %q, want %q", enc.Type, typ)
			}
			if HasSealedPart(typ) != (enc.Sealed != nil) {
				t.Fatalf("HasSealedPart %v but sealed part %q (samples fill their sealed part)", HasSealedPart(typ), enc.Sealed)
			}
			path := filepath.Join("testdata", "events", typ+".json")
			got := golden(enc)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding of %s changed:\n got: %s\nwant: %s", typ, got, want)
			}
			back, err := Decode(enc.Type, enc.Public, enc.Sealed)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, e) {
				t.Fatalf("round trip:\n got %#v\nwant %#v", back, e)
			}
			// Without the sealed part (erased, or not allowed): public fields
			// survive, the sealed part is zero.
			pub, err := Decode(enc.Type, enc.Public, nil)
			if err != nil {
				t.Fatal(err)
			}
			if HasSealedPart(typ) {
				v := reflect.ValueOf(pub)
				if !v.FieldByName("Sealed").IsZero() {
					t.Fatalf("sealed part not zero after decoding without it")
				}
				again, _ := Encode(pub)
				if !bytes.Equal(again.Public, enc.Public) {
					t.Fatalf("public part changed after decoding without the sealed part")
				}
			} else if !reflect.DeepEqual(pub, e) {
				t.Fatalf("decode without sealed part differs")
			}
		})
	}
	if len(samples) != len(EventTypes()) {
		t.Fatalf("%d samples for %d types", len(samples), len(EventTypes()))
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := Decode("NoSuchEvent", []byte(`{}`), nil); !errors.Is(err, ErrUnknownEventType) {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := Decode(TypeContactLogged, []byte(`{"date":"2026-13-45"}`), nil); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("bad date: %v", err)
	}
	if _, err := Decode(TypeContactLogged, []byte(`[`), nil); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("bad json: %v", err)
	}
	if _, err := Decode(TypeWaitingListEntered, []byte(`{"date":"2026-01-01"}`), []byte(`{"note":"x"}`)); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("sealed part on a public-only type: %v", err)
	}
	for _, typ := range EventTypes() {
		if _, ok := StreamKindOf(typ); !ok {
			t.Fatalf("%s has no stream kind", typ)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, e := range sampleEvents() {
		enc, _ := Encode(e)
		f.Add(enc.Type, enc.Public, enc.Sealed)
	}
	f.Fuzz(func(t *testing.T, typ string, public, sealed []byte) {
		e, err := Decode(typ, public, sealed)
		if err != nil {
			return
		}
		enc, err := Encode(e)
		if err != nil {
			t.Fatalf("decoded event does not encode: %v", err)
		}
		e2, err := Decode(enc.Type, enc.Public, enc.Sealed)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("unstable round trip")
		}
	})
}
