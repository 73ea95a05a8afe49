package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spoor/store"
	"spoor/store/keyfile"
)

func newKEK(t *testing.T) []byte {
	t.Helper()
	text, err := store.GenerateKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kek, err := store.ParseKEK([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return kek
}

func openKeys(t *testing.T, dir string) *keyfile.Store {
	t.Helper()
	ks, err := keyfile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	return ks
}

func newSealer(t *testing.T, kek []byte, ks store.KeyStore) *store.Sealer {
	t.Helper()
	s, err := store.NewSealer(kek, ks, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustSeal(t *testing.T, s *store.Sealer, scope, public, secret string) []byte {
	t.Helper()
	var sec []byte
	if secret != "" {
		sec = []byte(secret)
	}
	data, err := s.Seal(context.Background(), scope, []byte(public), sec)
	if err != nil {
		t.Fatalf("Seal(%s): %v", scope, err)
	}
	return data
}

const secretNote = `{"name":"Jana Peeters","note":"moeder belde over de huur"}`

func TestSealOpenRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, newKEK(t), openKeys(t, t.TempDir()))
	data := mustSeal(t, s, "family-1", `{ "family": "1", "amount": 120 }`, secretNote)

	if bytes.Contains(data, []byte("Peeters")) || bytes.Contains(data, []byte("huur")) {
		t.Fatalf("sealed payload shows the secret in the clear: %s", data)
	}
	var shape struct {
		Public map[string]any `json:"public"`
		Sealed struct {
			Scope string `json:"scope"`
			Nonce string `json:"nonce"`
			Box   string `json:"box"`
		} `json:"sealed"`
	}
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if shape.Sealed.Scope != "family-1" || shape.Public["family"] != "1" {
		t.Fatalf("payload shape: %s", data)
	}
	if n, err := base64.StdEncoding.DecodeString(shape.Sealed.Nonce); err != nil || len(n) != 12 {
		t.Fatalf("nonce %q: %v", shape.Sealed.Nonce, err)
	}

	o, err := s.Open(ctx, data)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if string(o.Public) != `{"family":"1","amount":120}` {
		t.Errorf("Public = %s, want the compacted public part", o.Public)
	}
	if string(o.Secret) != secretNote || o.Scope != "family-1" || o.Erased {
		t.Errorf("Open = %+v", o)
	}

	// Two seals of the same secret differ (fresh nonce).
	if again := mustSeal(t, s, "family-1", `{"family":"1","amount":120}`, secretNote); bytes.Equal(again, data) {
		t.Error("sealing twice gave identical bytes")
	}

}

func TestOpenAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir, kek := t.TempDir(), newKEK(t)
	ks, err := keyfile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := mustSeal(t, newSealer(t, kek, ks), "family-1", `{"family":"1"}`, secretNote)
	ks.Close()

	o, err := newSealer(t, kek, openKeys(t, dir)).Open(ctx, data)
	if err != nil || string(o.Secret) != secretNote {
		t.Fatalf("Open after restart = %+v, %v", o, err)
	}
}

func TestSealWithoutSecret(t *testing.T) {
	ctx := context.Background()
	ks := openKeys(t, t.TempDir())
	s := newSealer(t, newKEK(t), ks)
	data, err := s.Seal(ctx, "family-1", []byte(`{"team":"noord"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"public":{"team":"noord"}}` {
		t.Fatalf("payload = %s", data)
	}
	if _, err := ks.Get(ctx, "family-1"); !errors.Is(err, store.ErrKeyNotFound) {
		t.Fatalf("a payload without secret created a key: %v", err)
	}
	o, err := s.Open(ctx, data)
	if err != nil || string(o.Public) != `{"team":"noord"}` || o.Secret != nil || o.Scope != "" || o.Erased {
		t.Fatalf("Open = %+v, %v", o, err)
	}
	pub, sealed, err := store.SplitPayload(data)
	if err != nil || sealed || string(pub) != `{"team":"noord"}` {
		t.Fatalf("SplitPayload = %s, %v, %v", pub, sealed, err)
	}

	// An empty, non-nil secret is sealed and reads back empty, not nil.
	data, err = s.Seal(ctx, "family-1", []byte(`{"team":"noord"}`), []byte{})
	if err != nil {
		t.Fatal(err)
	}
	o, err = s.Open(ctx, data)
	if err != nil || o.Secret == nil || len(o.Secret) != 0 || o.Scope != "family-1" {
		t.Fatalf("Open(empty secret) = %+v, %v", o, err)
	}
}

func TestErasedAfterDestroy(t *testing.T) {
	ctx := context.Background()
	dir, kek := t.TempDir(), newKEK(t)
	ks, err := keyfile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := newSealer(t, kek, ks)
	gone := mustSeal(t, s, "family-gone", `{"family":"gone","amount":5}`, secretNote)
	kept := mustSeal(t, s, "family-kept", `{"family":"kept"}`, secretNote)
	if _, err := s.Open(ctx, gone); err != nil { // warm the cache
		t.Fatal(err)
	}

	if err := s.Destroy(ctx, "family-gone"); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if err := s.Destroy(ctx, "family-gone"); err != nil {
		t.Fatalf("second Destroy: %v", err)
	}
	check := func(s *store.Sealer, when string) {
		t.Helper()
		o, err := s.Open(ctx, gone)
		if err != nil {
			t.Fatalf("%s: Open(shredded) = %v, want no error", when, err)
		}
		if !o.Erased || o.Secret != nil || o.Scope != "family-gone" || string(o.Public) != `{"family":"gone","amount":5}` {
			t.Fatalf("%s: Open(shredded) = %+v", when, o)
		}
		o, err = s.Open(ctx, kept)
		if err != nil || o.Erased || string(o.Secret) != secretNote {
			t.Fatalf("%s: Open(kept) = %+v, %v", when, o, err)
		}
		pub, sealed, err := store.SplitPayload(gone)
		if err != nil || !sealed || string(pub) != `{"family":"gone","amount":5}` {
			t.Fatalf("%s: SplitPayload = %s, %v, %v", when, pub, sealed, err)
		}
	}
	check(s, "same sealer")
	ks.Close()
	check(newSealer(t, kek, openKeys(t, dir)), "after restart")
}

func TestSealAfterDestroyFails(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, newKEK(t), openKeys(t, t.TempDir()))
	mustSeal(t, s, "family-1", `{"a":1}`, secretNote)
	if err := s.Destroy(ctx, "family-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seal(ctx, "family-1", []byte(`{"a":1}`), []byte("x")); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("Seal after Destroy = %v, want ErrKeyDestroyed", err)
	}
	// A scope destroyed before it ever had a key never gets one.
	if err := s.Destroy(ctx, "family-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seal(ctx, "family-2", []byte(`{"a":1}`), []byte("x")); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("Seal for a pre-destroyed scope = %v, want ErrKeyDestroyed", err)
	}
	// Public-only events may still be written for a shredded family.
	if _, err := s.Seal(ctx, "family-1", []byte(`{"closed":true}`), nil); err != nil {
		t.Fatalf("public-only Seal after Destroy: %v", err)
	}
}

// rewrite returns a payload with the given public bytes and sealed part,
// laid out as Seal lays it out.
func rewrite(public []byte, sealed json.RawMessage) []byte {
	return []byte(fmt.Sprintf(`{"public":%s,"sealed":%s}`, public, sealed))
}

func parts(t *testing.T, data []byte) (json.RawMessage, json.RawMessage) {
	t.Helper()
	var p struct {
		Public json.RawMessage `json:"public"`
		Sealed json.RawMessage `json:"sealed"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return p.Public, p.Sealed
}

func TestMovedOrTamperedBoxFails(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, newKEK(t), openKeys(t, t.TempDir()))
	a := mustSeal(t, s, "family-1", `{"event":"a","family":"1"}`, secretNote)
	b := mustSeal(t, s, "family-1", `{"event":"b","family":"1"}`, `{"name":"Wouters"}`)
	c := mustSeal(t, s, "family-2", `{"event":"c","family":"2"}`, `{"name":"Claes"}`)
	pubA, sealedA := parts(t, a)
	pubB, _ := parts(t, b)
	_, sealedC := parts(t, c)

	flipped := bytes.Clone(a)
	i := bytes.Index(flipped, []byte(`"box":"`)) + len(`"box":"`)
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}

	cases := []struct {
		name string
		data []byte
	}{
		{"box moved to another event of the same scope", rewrite(pubB, sealedA)},
		{"box moved to another scope's event", rewrite(pubA, sealedC)},
		{"scope relabelled", rewrite(pubA, bytes.Replace(sealedA, []byte("family-1"), []byte("family-2"), 1))},
		{"public part edited", rewrite(bytes.Replace(pubA, []byte(`"a"`), []byte(`"x"`), 1), sealedA)},
		{"public part reformatted", rewrite(bytes.Replace(pubA, []byte(`,`), []byte(`, `), 1), sealedA)},
		{"box byte changed", flipped},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := s.Open(ctx, tc.data)
			if !errors.Is(err, store.ErrBadPayload) {
				t.Fatalf("Open = %+v, %v; want ErrBadPayload", o, err)
			}
			if strings.Contains(err.Error(), "Peeters") || strings.Contains(err.Error(), "Wouters") || strings.Contains(err.Error(), "Claes") {
				t.Fatalf("error shows data: %v", err)
			}
		})
	}
	// The untouched payload still opens: the failures above are the edits.
	if o, err := s.Open(ctx, a); err != nil || string(o.Secret) != secretNote {
		t.Fatalf("Open(original) = %+v, %v", o, err)
	}
}

func TestWrongKEKFails(t *testing.T) {
	ctx := context.Background()
	ks := openKeys(t, t.TempDir())
	data := mustSeal(t, newSealer(t, newKEK(t), ks), "family-1", `{"a":1}`, secretNote)
	wrong := newSealer(t, newKEK(t), ks)
	if o, err := wrong.Open(ctx, data); !errors.Is(err, store.ErrBadKey) {
		t.Fatalf("Open with the wrong KEK = %+v, %v; want ErrBadKey", o, err)
	}
	if _, err := wrong.Seal(ctx, "family-1", []byte(`{"a":1}`), []byte("x")); !errors.Is(err, store.ErrBadKey) {
		t.Fatalf("Seal with the wrong KEK = %v, want ErrBadKey", err)
	}
}

func TestWrappedKeyMovedToAnotherScopeFails(t *testing.T) {
	ctx := context.Background()
	ks := openKeys(t, t.TempDir())
	s := newSealer(t, newKEK(t), ks)
	mustSeal(t, s, "family-1", `{"a":1}`, secretNote)
	w, err := ks.Get(ctx, "family-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.PutIfAbsent(ctx, "family-2", w); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seal(ctx, "family-2", []byte(`{"a":1}`), []byte("x")); !errors.Is(err, store.ErrBadKey) {
		t.Fatalf("Seal under a key wrapped for another scope = %v, want ErrBadKey", err)
	}
}

func TestConcurrentFirstSealMakesOneKey(t *testing.T) {
	ctx := context.Background()
	dir, kek := t.TempDir(), newKEK(t)
	ks := openKeys(t, dir)
	sealers := []*store.Sealer{newSealer(t, kek, ks), newSealer(t, kek, ks)}
	const n = 16
	out := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out[i], errs[i] = sealers[i%2].Seal(ctx, "family-new", []byte(fmt.Sprintf(`{"i":%d}`, i)), []byte(secretNote))
		})
	}
	wg.Wait()
	// A Sealer with an empty cache reads the one stored key: every payload
	// must open with it, whichever goroutine created the key.
	fresh := newSealer(t, kek, ks)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Seal %d: %v", i, errs[i])
		}
		o, err := fresh.Open(ctx, out[i])
		if err != nil || string(o.Secret) != secretNote {
			t.Fatalf("payload %d does not open under the stored key: %v", i, err)
		}
	}
}

func TestSealerCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, newKEK(t), openKeys(t, t.TempDir()))
	store.SetSealerCacheCap(s, 3)
	var sealed [][]byte
	for i := range 6 {
		sealed = append(sealed, mustSeal(t, s, fmt.Sprintf("family-%d", i), `{"a":1}`, secretNote))
		if got := store.SealerCacheLen(s); got > 3 {
			t.Fatalf("cache holds %d keys, cap 3", got)
		}
	}
	if got := store.SealerCacheLen(s); got != 3 {
		t.Fatalf("cache holds %d keys, want 3", got)
	}
	for i, data := range sealed { // evicted keys are reloaded
		if o, err := s.Open(ctx, data); err != nil || string(o.Secret) != secretNote {
			t.Fatalf("Open %d after eviction: %v", i, err)
		}
	}
	if err := s.Destroy(ctx, "family-5"); err != nil {
		t.Fatal(err)
	}
	if o, err := s.Open(ctx, sealed[5]); err != nil || !o.Erased {
		t.Fatalf("Open after Destroy of a cached key = %+v, %v", o, err)
	}
}

func TestSealBadInput(t *testing.T) {
	ctx := context.Background()
	ks := openKeys(t, t.TempDir())
	s := newSealer(t, newKEK(t), ks)
	for _, pub := range []string{``, `not json`, `[1,2]`, `"text"`, `{"a":1} {"b":2}`, `null`} {
		if _, err := s.Seal(ctx, "family-1", []byte(pub), []byte("x")); !errors.Is(err, store.ErrBadPayload) {
			t.Errorf("Seal(public %q) = %v, want ErrBadPayload", pub, err)
		}
	}
	for _, scope := range []string{"", "family 1", `family"1`, strings.Repeat("f", 201)} {
		if _, err := s.Seal(ctx, scope, []byte(`{}`), []byte("x")); !errors.Is(err, store.ErrInvalidScope) {
			t.Errorf("Seal(scope %q) = %v, want ErrInvalidScope", scope, err)
		}
	}
	if _, err := ks.Get(ctx, "family-1"); !errors.Is(err, store.ErrKeyNotFound) {
		t.Errorf("bad input created a key: %v", err)
	}
	if _, err := store.NewSealer(make([]byte, 16), ks, nil); !errors.Is(err, store.ErrBadKey) {
		t.Errorf("NewSealer with a 16-byte KEK = %v, want ErrBadKey", err)
	}
}

func TestSplitPayloadRejectsMalformed(t *testing.T) {
	nonce := base64.StdEncoding.EncodeToString(make([]byte, 12))
	box := base64.StdEncoding.EncodeToString(make([]byte, 20))
	cases := []string{
		``,
		`{}`,
		`{"public":[1]}`,
		`{"public":{},"extra":1}`,
		`{"public":{}} trailing`,
		`{"public":{},"sealed":{"scope":"","nonce":"` + nonce + `","box":"` + box + `"}}`,
		`{"public":{},"sealed":{"scope":"family-1","nonce":"AAAA","box":"` + box + `"}}`,
		`{"public":{},"sealed":{"scope":"family-1","nonce":"` + nonce + `","box":"AAAA"}}`,
		`{"public":{},"sealed":{"scope":"family-1","nonce":"` + nonce + `","box":"` + box + `","x":1}}`,
	}
	for _, c := range cases {
		if _, _, err := store.SplitPayload([]byte(c)); !errors.Is(err, store.ErrBadPayload) {
			t.Errorf("SplitPayload(%s) = %v, want ErrBadPayload", c, err)
		}
	}
	ok := `{"public":{"a":1},"sealed":{"scope":"family-1","nonce":"` + nonce + `","box":"` + box + `"}}`
	if pub, sealed, err := store.SplitPayload([]byte(ok)); err != nil || !sealed || string(pub) != `{"a":1}` {
		t.Errorf("SplitPayload(valid) = %s, %v, %v", pub, sealed, err)
	}
}

func TestParseKEK(t *testing.T) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"hex":            hex.EncodeToString(key),
		"hex upper":      strings.ToUpper(hex.EncodeToString(key)),
		"base64 std":     base64.StdEncoding.EncodeToString(key),
		"base64 raw std": base64.RawStdEncoding.EncodeToString(key),
		"base64 url":     base64.URLEncoding.EncodeToString(key),
		"base64 raw url": base64.RawURLEncoding.EncodeToString(key),
		"with newline":   hex.EncodeToString(key) + "\n",
	}
	for name, text := range good {
		got, err := store.ParseKEK([]byte(text))
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("%s: ParseKEK = %x, %v", name, got, err)
		}
	}
	bad := map[string]string{
		"empty":           "  \n",
		"31 bytes":        base64.StdEncoding.EncodeToString(key[:31]),
		"33 bytes hex":    hex.EncodeToString(append(bytes.Clone(key), 1)),
		"not an encoding": "correct horse battery staple!!",
	}
	for name, text := range bad {
		_, err := store.ParseKEK([]byte(text))
		if !errors.Is(err, store.ErrBadKey) {
			t.Errorf("%s: ParseKEK = %v, want ErrBadKey", name, err)
			continue
		}
		if trimmed := strings.TrimSpace(text); trimmed != "" && strings.Contains(err.Error(), trimmed[:8]) {
			t.Errorf("%s: error shows the key text: %v", name, err)
		}
	}
	if _, err := store.GenerateKEK(io.LimitReader(rand.Reader, 10)); err == nil {
		t.Error("GenerateKEK with a short random source gave no error")
	}
	a, _ := store.GenerateKEK(rand.Reader)
	b, _ := store.GenerateKEK(rand.Reader)
	if a == b || len(a) != 64 {
		t.Errorf("GenerateKEK = %q, %q", a, b)
	}
}

// benchPublic and benchSecret make a payload of about 500 bytes, the size of
// BenchmarkAppendParallel64's events.
const (
	benchPublic = `{"family":"5f0c6a52-2b1e-4c55-9d8e-0a4f3a3b9e11","kind":"contact","date":"2026-11-23","minutes":45,"domain":"housing","coach":"staff-17"}`
	benchSecret = `{"note":"Gesprek met moeder over de huurachterstand; afspraak met het OCMW volgende week, dochter gaat weer naar school, vader werkt sinds maandag opnieuw bij de bakkerij in de Stationsstraat."}`
)

func BenchmarkSeal(b *testing.B) {
	ctx := context.Background()
	ks, err := keyfile.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ks.Close()
	s, err := store.NewSealer(make([]byte, 32), ks, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			data, err := s.Seal(ctx, "family-bench", []byte(benchPublic), []byte(benchSecret))
			if err != nil {
				b.Error(err)
				return
			}
			n = len(data)
		}
	})
	b.ReportMetric(float64(n), "payload-bytes")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seals/s")
}

func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	ks, err := keyfile.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ks.Close()
	s, err := store.NewSealer(make([]byte, 32), ks, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	data, err := s.Seal(ctx, "family-bench", []byte(benchPublic), []byte(benchSecret))
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Open(ctx, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "opens/s")
}

func BenchmarkSplitPayload(b *testing.B) {
	ctx := context.Background()
	ks, err := keyfile.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ks.Close()
	s, err := store.NewSealer(make([]byte, 32), ks, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	data, err := s.Seal(ctx, "family-bench", []byte(benchPublic), []byte(benchSecret))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := store.SplitPayload(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "splits/s")
}

// FuzzPayloadParsers checks that the fast parser of the canonical layout
// never accepts what the general JSON decoder rejects or reads otherwise.
func FuzzPayloadParsers(f *testing.F) {
	ks, err := keyfile.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer ks.Close()
	s, err := store.NewSealer(make([]byte, 32), ks, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	for _, pub := range []string{`{}`, `{"a":1}`, benchPublic, `{"x":{"sealed":{"scope":"a"}}}`, `{"s":"\",\"sealed\":{\"scope\":\""}`} {
		for _, secret := range [][]byte{nil, {}, []byte(benchSecret)} {
			data, err := s.Seal(ctx, "family-fuzz", []byte(pub), secret)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"public":{"a":1}}}`))
	f.Add([]byte(`{"public":{"a":1},"sealed":null}`))
	f.Add([]byte(`{"public":{"a":1} }`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := store.ComparePayloadParsers(data); err != nil {
			t.Fatalf("%s\ninput: %q", err, data)
		}
	})
}

func TestSealOutputTakesFastPath(t *testing.T) {
	s := newSealer(t, newKEK(t), openKeys(t, t.TempDir()))
	for _, secret := range []string{"", secretNote} {
		data := mustSeal(t, s, "family-1", benchPublic, secret)
		if !store.CanonicalPayload(data) {
			t.Errorf("Seal's output (secret %t) is not read by the fast parser: %s", secret != "", data)
		}
		if err := store.ComparePayloadParsers(data); err != nil {
			t.Error(err)
		}
	}
}

// slowGet delays the key store's Get after reading the key, widening the
// window in which a key read before a Destroy arrives after it.
type slowGet struct{ store.KeyStore }

func (k slowGet) Get(ctx context.Context, scope string) ([]byte, error) {
	w, err := k.KeyStore.Get(ctx, scope)
	time.Sleep(time.Millisecond)
	return w, err
}

// TestDestroyRacesWithSeal: once Destroy has returned, no Seal may succeed
// for the scope and no Open may read it, even when keys were being loaded
// into the cache while Destroy ran (cache cap 1 with two scopes in turn
// forces a reload on nearly every call).
func TestDestroyRacesWithSeal(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, newKEK(t), slowGet{openKeys(t, t.TempDir())})
	store.SetSealerCacheCap(s, 1)
	old := mustSeal(t, s, "family-a", `{"a":1}`, secretNote)
	mustSeal(t, s, "family-b", `{"b":1}`, secretNote)

	var destroyed atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var violations atomic.Int64
	for g := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				scope := "family-a"
				if (n+g)%2 == 1 {
					scope = "family-b"
				}
				after := destroyed.Load()
				_, err := s.Seal(ctx, scope, []byte(`{"x":1}`), []byte("secret"))
				if scope == "family-a" && after && !errors.Is(err, store.ErrKeyDestroyed) {
					violations.Add(1)
				}
				if scope == "family-b" && err != nil {
					t.Errorf("Seal(family-b): %v", err)
				}
				if after {
					if o, err := s.Open(ctx, old); err != nil || !o.Erased {
						violations.Add(1)
					}
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	if err := s.Destroy(ctx, "family-a"); err != nil {
		t.Fatal(err)
	}
	destroyed.Store(true)
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if v := violations.Load(); v != 0 {
		t.Fatalf("%d Seal or Open calls used the key after Destroy returned", v)
	}
}

func TestPublicPartAgreesWithSplitPayload(t *testing.T) {
	ctx := context.Background()
	keys, err := keyfile.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	s, err := store.NewSealer(bytes.Repeat([]byte{7}, 32), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal(ctx, "family-1", []byte(`{"a":1,"b":{"sealed":{"scope":"x"}}}`), []byte(`{"note":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.Seal(ctx, "family-1", []byte(`{"a":2}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"sealed":        sealed,
		"public only":   plain,
		"other layout":  []byte(`{ "public" : {"a":3} }`),
		"reordered":     []byte(`{"sealed":null,"public":{"a":4}}`),
		"not a payload": []byte(`[1,2]`),
		"truncated":     sealed[:len(sealed)-5],
		"empty":         nil,
	}
	for name, data := range cases {
		want, _, wantErr := store.SplitPayload(data)
		got, gotErr := store.PublicPart(data)
		if (wantErr == nil) != (gotErr == nil) {
			t.Errorf("%s: PublicPart error %v, SplitPayload error %v", name, gotErr, wantErr)
			continue
		}
		if gotErr != nil && !errors.Is(gotErr, store.ErrBadPayload) {
			t.Errorf("%s: error %v does not wrap ErrBadPayload", name, gotErr)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: PublicPart = %s, SplitPayload = %s", name, got, want)
		}
	}
	// The layouts Seal writes take the fast path, which returns a slice of
	// the input rather than a copy.
	plainString, err := s.Seal(ctx, "family-1", []byte(`{"a":"ends in a string"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"sealed": sealed, "public only": plain, "public only, ends in a string": plainString} {
		got, err := store.PublicPart(data)
		if err != nil || len(got) == 0 {
			t.Fatalf("%s: %v", name, err)
		}
		if off := bytes.Index(data, got); off < 0 || &data[off] != &got[0] {
			t.Errorf("%s: PublicPart copied instead of taking the fast path", name)
		}
	}
}

func BenchmarkPublicPart(b *testing.B) {
	keys, err := keyfile.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer keys.Close()
	s, err := store.NewSealer(bytes.Repeat([]byte{7}, 32), keys, nil)
	if err != nil {
		b.Fatal(err)
	}
	data, err := s.Seal(context.Background(), "family-1", []byte(`{"k":"`+strings.Repeat("v", 300)+`"}`), []byte(`{"note":"hallo"}`))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := store.PublicPart(data); err != nil {
			b.Fatal(err)
		}
	}
}
