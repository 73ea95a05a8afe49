package keyfile_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"spoor/store"
	"spoor/store/keyfile"
)

func openT(t *testing.T, dir string) *keyfile.Store {
	t.Helper()
	s, err := keyfile.Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 61)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// scanFor reports which files under root (recursively) contain needle in
// raw form, base64 (standard or URL, padded or not) or hex.
func scanFor(t *testing.T, root string, needle []byte) []string {
	t.Helper()
	forms := [][]byte{
		needle,
		[]byte(base64.StdEncoding.EncodeToString(needle)),
		[]byte(base64.RawURLEncoding.EncodeToString(needle)),
		[]byte(hex.EncodeToString(needle)),
	}
	var hits []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, f := range forms {
			if bytes.Contains(raw, f) {
				hits = append(hits, path)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", root, err)
	}
	return hits
}

func TestDestroyLeavesNoCopyInFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys")
	s := openT(t, dir)
	keys := map[string][]byte{}
	for i := range 5 {
		scope := fmt.Sprintf("family-%d", i)
		keys[scope] = randomKey(t)
		got, err := s.PutIfAbsent(ctx, scope, keys[scope])
		if err != nil {
			t.Fatalf("PutIfAbsent(%s): %v", scope, err)
		}
		if !bytes.Equal(got, keys[scope]) {
			t.Fatalf("PutIfAbsent(%s) returned another key", scope)
		}
	}
	// The scan must be able to see a key, or its "not found" proves nothing.
	for scope, k := range keys {
		if hits := scanFor(t, dir, k); len(hits) == 0 {
			t.Fatalf("before Destroy the scan does not find the key of %s", scope)
		}
	}

	const victim = "family-2"
	if err := s.Destroy(ctx, victim); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if hits := scanFor(t, dir, keys[victim]); len(hits) != 0 {
		t.Fatalf("destroyed key still found in %v", hits)
	}
	if _, err := s.Get(ctx, victim); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("Get(destroyed) = %v, want ErrKeyDestroyed", err)
	}
	for scope, k := range keys {
		if scope == victim {
			continue
		}
		if hits := scanFor(t, dir, k); len(hits) == 0 {
			t.Errorf("key of %s lost from the files", scope)
		}
		got, err := s.Get(ctx, scope)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("Get(%s) = %x, %v; want the stored key", scope, got, err)
		}
	}

	// Still true after close and reopen.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openT(t, dir)
	if hits := scanFor(t, dir, keys[victim]); len(hits) != 0 {
		t.Fatalf("destroyed key found after reopen in %v", hits)
	}
	if _, err := s2.Get(ctx, victim); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("Get(destroyed) after reopen = %v, want ErrKeyDestroyed", err)
	}
}

func TestReopenKeepsKeysAndTombstones(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openT(t, dir)
	a, b := randomKey(t), randomKey(t)
	mustPut(t, s, "family-a", a)
	mustPut(t, s, "family-b", b)
	if err := s.Destroy(ctx, "family-b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "family-never-keyed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openT(t, dir)
	got, err := s2.Get(ctx, "family-a")
	if err != nil || !bytes.Equal(got, a) {
		t.Fatalf("Get(family-a) after reopen = %x, %v", got, err)
	}
	for _, scope := range []string{"family-b", "family-never-keyed"} {
		if _, err := s2.Get(ctx, scope); !errors.Is(err, store.ErrKeyDestroyed) {
			t.Errorf("Get(%s) after reopen = %v, want ErrKeyDestroyed", scope, err)
		}
		if _, err := s2.PutIfAbsent(ctx, scope, randomKey(t)); !errors.Is(err, store.ErrKeyDestroyed) {
			t.Errorf("PutIfAbsent(%s) after reopen = %v, want ErrKeyDestroyed", scope, err)
		}
	}
	if _, err := s2.Get(ctx, "family-c"); !errors.Is(err, store.ErrKeyNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrKeyNotFound", err)
	}
}

func mustPut(t *testing.T, s *keyfile.Store, scope string, k []byte) {
	t.Helper()
	got, err := s.PutIfAbsent(context.Background(), scope, k)
	if err != nil {
		t.Fatalf("PutIfAbsent(%s): %v", scope, err)
	}
	if !bytes.Equal(got, k) {
		t.Fatalf("PutIfAbsent(%s) kept another key", scope)
	}
}

func TestDestroyIsIdempotentAndFinal(t *testing.T) {
	ctx := context.Background()
	s := openT(t, t.TempDir())
	mustPut(t, s, "family-x", randomKey(t))
	for range 2 {
		if err := s.Destroy(ctx, "family-x"); err != nil {
			t.Fatalf("Destroy: %v", err)
		}
	}
	if _, err := s.PutIfAbsent(ctx, "family-x", randomKey(t)); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("PutIfAbsent after Destroy = %v, want ErrKeyDestroyed", err)
	}
}

func TestCorruptFileDetected(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"byte flipped in a key", func(b []byte) []byte { b[40] ^= 0x01; return b }},
		{"byte flipped in the checksum", func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }},
		{"torn: second half missing", func(b []byte) []byte { return b[:len(b)/2] }},
		{"torn: last byte missing", func(b []byte) []byte { return b[:len(b)-1] }},
		{"trailing garbage", func(b []byte) []byte { return append(b, 0) }},
		{"empty", func([]byte) []byte { return nil }},
		{"not a key file", func(b []byte) []byte { copy(b, "NOTAKEYS"); return b }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := keyfile.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			mustPut(t, s, "family-a", randomKey(t))
			mustPut(t, s, "family-b", randomKey(t))
			if err := s.Destroy(ctx, "family-c"); err != nil {
				t.Fatal(err)
			}
			s.Close()
			path := filepath.Join(dir, "keys")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.mangle(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			s2, err := keyfile.Open(dir)
			if err == nil {
				s2.Close()
				t.Fatal("Open accepted a damaged keys file")
			}
			if !errors.Is(err, keyfile.ErrCorrupt) {
				t.Fatalf("Open error = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestConcurrentPutIfAbsentFirstWriterWins(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openT(t, dir)
	const n = 16
	offered := make([][]byte, n)
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		offered[i] = randomKey(t)
		wg.Go(func() { got[i], errs[i] = s.PutIfAbsent(ctx, "family-race", offered[i]) })
	}
	wg.Wait()
	winner := -1
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("PutIfAbsent %d: %v", i, errs[i])
		}
		if bytes.Equal(got[i], offered[i]) {
			if winner >= 0 {
				t.Fatalf("writers %d and %d both stored their key", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no writer's key was stored")
	}
	for i := range n {
		if !bytes.Equal(got[i], offered[winner]) {
			t.Fatalf("writer %d was told another key than the winner's", i)
		}
	}
	s.Close()
	s2 := openT(t, dir)
	k, err := s2.Get(ctx, "family-race")
	if err != nil || !bytes.Equal(k, offered[winner]) {
		t.Fatalf("after reopen Get = %x, %v; want the winner's key", k, err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if s2, err := keyfile.Open(dir); !errors.Is(err, keyfile.ErrLocked) {
		if err == nil {
			s2.Close()
		}
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s3, err := keyfile.Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s3.Close()
}

func TestOpenRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	k := randomKey(t)
	mustPut(t, s, "family-a", k)
	s.Close()
	stale := filepath.Join(dir, "keys.tmp-12345")
	if err := os.WriteFile(stale, k, 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := openT(t, dir)
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale temporary file still there: %v", err)
	}
	if got, err := s2.Get(context.Background(), "family-a"); err != nil || !bytes.Equal(got, k) {
		t.Fatalf("Get = %x, %v", got, err)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openT(t, dir)
	for _, scope := range []string{"", "family x", "family/../x", string(make([]byte, 201))} {
		if _, err := s.PutIfAbsent(ctx, scope, randomKey(t)); !errors.Is(err, store.ErrInvalidScope) {
			t.Errorf("PutIfAbsent(%q) = %v, want ErrInvalidScope", scope, err)
		}
		if err := s.Destroy(ctx, scope); !errors.Is(err, store.ErrInvalidScope) {
			t.Errorf("Destroy(%q) = %v, want ErrInvalidScope", scope, err)
		}
	}
	for _, k := range [][]byte{nil, make([]byte, 1025)} {
		if _, err := s.PutIfAbsent(ctx, "family-a", k); !errors.Is(err, store.ErrBadKey) {
			t.Errorf("PutIfAbsent with a %d-byte key = %v, want ErrBadKey", len(k), err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("bad input wrote the keys file: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.PutIfAbsent(cctx, "family-a", randomKey(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("PutIfAbsent with a done context = %v", err)
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, err := keyfile.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "family-a", randomKey(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Get(ctx, "family-a"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if _, err := s.PutIfAbsent(ctx, "family-b", randomKey(t)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("PutIfAbsent after Close = %v, want ErrClosed", err)
	}
	if err := s.Destroy(ctx, "family-a"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Destroy after Close = %v, want ErrClosed", err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := openT(t, t.TempDir())
	a, b := randomKey(t), randomKey(t)
	mustPut(t, s, "family-a", a)
	mustPut(t, s, "family-b", b)
	if err := s.Destroy(ctx, "family-c"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup")
	if err := s.Backup(backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := s.Backup(backup); err == nil {
		t.Fatal("Backup over an existing key store succeeded")
	}
	// Changes after the backup do not reach it.
	if err := s.Destroy(ctx, "family-a"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "family-d", randomKey(t))

	c := openT(t, backup)
	for scope, want := range map[string][]byte{"family-a": a, "family-b": b} {
		if got, err := c.Get(ctx, scope); err != nil || !bytes.Equal(got, want) {
			t.Errorf("backup Get(%s) = %x, %v", scope, got, err)
		}
	}
	if _, err := c.Get(ctx, "family-c"); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Errorf("backup lost the tombstone: %v", err)
	}
	if _, err := c.Get(ctx, "family-d"); !errors.Is(err, store.ErrKeyNotFound) {
		t.Errorf("backup has a key made after it: %v", err)
	}
}

// TestEntries: the keys and tombstones come back as stored (copies: a
// caller's change does not reach the store), and not after Close.
func TestEntries(t *testing.T) {
	s := openT(t, t.TempDir())
	ctx := context.Background()
	a, b := randomKey(t), randomKey(t)
	mustPut(t, s, "family-a", a)
	mustPut(t, s, "family-b", b)
	mustPut(t, s, "family-c", randomKey(t))
	if err := s.Destroy(ctx, "family-c"); err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "family-never"); err != nil {
		t.Fatal(err)
	}
	keys, destroyed, err := s.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !bytes.Equal(keys["family-a"], a) || !bytes.Equal(keys["family-b"], b) {
		t.Fatalf("keys = %v", keys)
	}
	if fmt.Sprint(destroyed) != "[family-c family-never]" {
		t.Fatalf("destroyed = %v", destroyed)
	}
	keys["family-a"][0] ^= 0xff
	if got, err := s.Get(ctx, "family-a"); err != nil || !bytes.Equal(got, a) {
		t.Fatalf("changing the returned key changed the store: %v", err)
	}
	s.Close()
	if _, _, err := s.Entries(); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Entries after Close: %v", err)
	}
}
