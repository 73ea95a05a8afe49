package storetest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/storetest"
)

// memInstance opens the in-memory fixture with bug (see memStore.bug).
func memInstance(t *testing.T, bug string) storetest.Instance {
	l := newMemLog()
	open := func() *memStore {
		s := openMem(l, time.Now)
		s.bug = bug
		return s
	}
	cur := open()
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
			cur = open()
			return cur, nil
		},
		RewriteData: l.rewrite,
		Keys:        keys,
		KeysDir:     keysDir,
	}
}

// TestSuiteOnMemStore runs the suite against the in-memory fixture, so the
// suite's own logic is checked without a backend.
func TestSuiteOnMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Instance { return memInstance(t, "") })
}

// bugEnv names the bug TestSuiteOnBrokenStore plants.
const bugEnv = "SPOOR_STORETEST_BUG"

// TestSuiteOnBrokenStore runs the suite against a fixture with one planted
// bug; it only runs as the child process of TestSuiteCatchesBrokenStores.
func TestSuiteOnBrokenStore(t *testing.T) {
	bug := os.Getenv(bugEnv)
	if bug == "" {
		t.Skip("runs only as a child of TestSuiteCatchesBrokenStores")
	}
	storetest.Run(t, func(t *testing.T) storetest.Instance { return memInstance(t, bug) })
}

// TestSuiteCatchesBrokenStores checks that the suite can fail: each planted
// bug must fail the subtest that guards the broken promise.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cases := []struct{ bug, failing string }{
		{"no-idempotency", "Idempotency"},
		{"ignore-expected-version", "ConcurrentAppendSameVersion"},
		{"ignore-expected-version", "ExpectedVersion"},
		{"unchained", "HashChain"},
		{"local-time", "RoundTrip"},
		{"local-time", "RecordedAtStamped"},
		{"subscribe-duplicate", "SubscribeCatchUpToLive"},
		{"silent-close", "Closed"},
		{"readall-skips", "ReadAllFrom"},
		{"walk-once", "ReadAllFrom"},
	}
	outputs := map[string]string{}
	for _, c := range cases {
		out, ok := outputs[c.bug]
		if !ok {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteOnBrokenStore$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), bugEnv+"="+c.bug)
			b, err := cmd.CombinedOutput()
			if err == nil {
				t.Errorf("bug %s: the suite passed", c.bug)
			}
			out = string(b)
			outputs[c.bug] = out
		}
		if !strings.Contains(out, "--- FAIL: TestSuiteOnBrokenStore/"+c.failing+" ") {
			t.Errorf("bug %s: subtest %s did not fail; output:\n%s", c.bug, c.failing, out)
		}
	}
}
