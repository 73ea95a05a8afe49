package storetest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"spoor/store"
)

// testShredding: crypto-shredding with store.Sealer over Instance.Keys.
// Events of two families are appended with sealed personal data; no file
// under Dir or KeysDir ever holds that data in the clear. Family A's data
// key is destroyed. Then: its sealed parts open as Erased with the public
// part intact, family B's still open, the stored bytes are unchanged, Seal
// and the key store refuse family A with store.ErrKeyDestroyed, Verify
// passes, and no file under Dir or KeysDir holds family A's wrapped key (raw,
// hex or base64) while family B's is still found (so the scan can see the
// key store). All of it holds again after Reopen with a new Sealer.
//
// Skipped when Instance.Keys is nil. The file scans are skipped (and logged)
// when both Dir and KeysDir are "".
func testShredding(h *harness) {
	t := h.t
	if h.inst.Keys == nil {
		t.Skip("Instance.Keys is nil: this backend has no key store wired, so crypto-shredding is not tested")
	}
	kekText, err := store.GenerateKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kek, err := store.ParseKEK([]byte(kekText))
	if err != nil {
		t.Fatal(err)
	}
	newSealer := func() *store.Sealer {
		s, err := store.NewSealer(kek, h.inst.Keys, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sealer := newSealer()

	type written struct {
		stream string
		public []byte
		secret []byte // nil: no sealed part
		data   []byte
	}
	famA, famB := "family-"+uuid.NewString(), "family-"+uuid.NewString()
	var all []written
	add := func(stream string, i int, sealed bool) {
		w := written{stream: stream, public: fmt.Appendf(nil, `{"kind":"contact","n":%d}`, i)}
		if sealed {
			w.secret = fmt.Appendf(nil, "Naam: An Peeters-%s, Kerkstraat %d, Gent", uuid.NewString(), i)
		}
		data, err := sealer.Seal(h.ctx, stream, w.public, w.secret)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		w.data = data
		h.append(stream, store.AnyVersion, h.event("ContactLogged", data))
		all = append(all, w)
	}
	for i := 0; i < 3; i++ {
		add(famA, i, true)
		add(famB, i, i != 1)
	}
	add(famA, 3, false)

	wrappedA, err := h.inst.Keys.Get(h.ctx, famA)
	if err != nil {
		t.Fatalf("key of family A: %v", err)
	}
	wrappedB, err := h.inst.Keys.Get(h.ctx, famB)
	if err != nil {
		t.Fatalf("key of family B: %v", err)
	}
	var dirs []string
	for _, d := range []string{h.inst.Dir, h.inst.KeysDir} {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		t.Log("Instance.Dir and KeysDir are empty: raw file scans skipped")
	} else {
		for _, w := range all {
			if w.secret != nil {
				if f := findInFiles(t, dirs, w.secret); f != "" {
					t.Fatalf("personal data found in the clear in %s", f)
				}
			}
		}
		if findInFiles(t, dirs, wrappedA) == "" {
			t.Fatalf("the wrapped key of a live scope is in no file under %v: set Instance.KeysDir to the key store's directory", dirs)
		}
	}

	if err := sealer.Destroy(h.ctx, famA); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if _, err := h.inst.Keys.Get(h.ctx, famA); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("key store Get after Destroy: %v, want ErrKeyDestroyed", err)
	}
	if _, err := sealer.Seal(h.ctx, famA, []byte(`{}`), []byte("x")); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("Seal for a destroyed scope: %v, want ErrKeyDestroyed", err)
	}

	check := func(when string, s *store.Sealer) {
		t.Helper()
		i := map[string]int{}
		for _, stream := range []string{famA, famB} {
			for _, env := range h.readStream(stream, 1) {
				var w written
				for n := i[stream]; ; n++ {
					if all[n].stream == stream {
						w, i[stream] = all[n], n+1
						break
					}
				}
				if !bytes.Equal(env.Data, w.data) {
					t.Fatalf("%s: %s@%d: stored bytes changed", when, stream, env.Version)
				}
				o, err := s.Open(h.ctx, env.Data)
				if err != nil {
					t.Fatalf("%s: Open %s@%d: %v", when, stream, env.Version, err)
				}
				if !bytes.Equal(o.Public, w.public) {
					t.Fatalf("%s: %s@%d: public part changed", when, stream, env.Version)
				}
				wantErased := stream == famA && w.secret != nil
				switch {
				case o.Erased != wantErased:
					t.Fatalf("%s: %s@%d: Erased = %v, want %v", when, stream, env.Version, o.Erased, wantErased)
				case wantErased && o.Secret != nil:
					t.Fatalf("%s: %s@%d: erased event still returns a secret", when, stream, env.Version)
				case !wantErased && !bytes.Equal(o.Secret, w.secret):
					t.Fatalf("%s: %s@%d: sealed part does not open to what was sealed", when, stream, env.Version)
				}
			}
		}
		if _, err := store.Verify(h.ctx, h.s, store.VerifyOptions{}); err != nil {
			t.Fatalf("%s: Verify after shredding: %v", when, err)
		}
		if len(dirs) > 0 {
			if f := findInFiles(t, dirs, wrappedA); f != "" {
				t.Fatalf("%s: the destroyed wrapped key is still in %s", when, f)
			}
			if findInFiles(t, dirs, wrappedB) == "" {
				t.Fatalf("%s: the live wrapped key of family B is in no file: the scan does not see the key store", when)
			}
		}
	}
	check("after Destroy", sealer)
	h.reopen()
	check("after Reopen with a new Sealer", newSealer())
}

// findInFiles returns the first regular file under dirs that contains
// needle raw, in hex or in base64, or "".
func findInFiles(t testing.TB, dirs []string, needle []byte) string {
	t.Helper()
	forms := [][]byte{
		needle,
		[]byte(hex.EncodeToString(needle)),
		[]byte(base64.StdEncoding.EncodeToString(needle)),
		[]byte(base64.RawURLEncoding.EncodeToString(needle)),
	}
	for _, dir := range dirs {
		found := ""
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil // removed while walking (a temporary file)
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			for _, f := range forms {
				if bytes.Contains(b, f) {
					found = path
					return fs.SkipAll
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("scan %s: %v", dir, err)
		}
		if found != "" {
			return found
		}
	}
	return ""
}
