package pebble_test

import (
	"path/filepath"
	"testing"

	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
	"spoor/store/storetest"
)

// TestConformance runs the store contract's suite. Stores open with
// ColdWAL (the suite reopens them about a dozen times per subtest);
// TestWALWarmUp and the crash test cover the warm-up.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Instance {
		dir := t.TempDir()
		logDir := filepath.Join(dir, "log")
		opts := pebble.DefaultOptions()
		opts.ColdWAL = true
		s, err := pebble.Open(logDir, opts)
		if err != nil {
			t.Fatal(err)
		}
		cur := s
		keys, err := keyfile.Open(filepath.Join(dir, "keys"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { keys.Close() })
		return storetest.Instance{
			Store: s,
			Reopen: func() (store.Store, error) {
				cur.Close()
				var err error
				cur, err = pebble.Open(logDir, opts)
				return cur, err
			},
			RewriteData: func(pos uint64, data []byte) error { return cur.RewriteData(pos, data) },
			CorruptFiles: func() error {
				// Close flushes: every event is then in an sstable.
				if err := cur.Close(); err != nil {
					return err
				}
				paths, err := pebble.CorruptAll(logDir)
				t.Logf("flipped a byte in %d files", len(paths))
				return err
			},
			Dir:  dir,
			Keys: keys,
			Now:  opts.Clock,
		}
	})
}
