package storetest_test

import (
	"testing"
	"time"

	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/storetest"
)

// TestSuiteOnMemStore runs the suite against the in-memory fixture, so the
// suite's own logic is checked without a backend.
func TestSuiteOnMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Instance {
		l := newMemLog()
		cur := openMem(l, time.Now)
		keysDir := t.TempDir()
		keys, err := keyfile.Open(keysDir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { keys.Close() })
		return storetest.Instance{
			Store: cur,
			Reopen: func() (store.Store, error) {
				cur.Close()
				cur = openMem(l, time.Now)
				return cur, nil
			},
			RewriteData: l.rewrite,
			Keys:        keys,
			KeysDir:     keysDir,
		}
	})
}
