package projections_test

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"testing"

	"spoor/projections"
)

// TestCatchUpGCPercent checks that a rebuild with CatchUpGCPercent puts the
// process's garbage collector target back as it found it, and that the
// defaults a server uses set it.
func TestCatchUpGCPercent(t *testing.T) {
	if got := projections.DefaultRunnerOptions("x").CatchUpGCPercent; got != 400 {
		t.Fatalf("DefaultRunnerOptions: CatchUpGCPercent %d, want 400", got)
	}
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "log"))
	defer s.Close()
	appendContacts(t, s, "f1", 50)

	old := debug.SetGCPercent(123)
	defer debug.SetGCPercent(old)
	m := newCounter()
	r, err := projections.NewRunner(s, []projections.Model{m}, projections.RunnerOptions{CatchUpGCPercent: 700})
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.Rebuild(context.Background())
	if err != nil || n != 50 {
		t.Fatalf("rebuild: %d facts, %v", n, err)
	}
	if got := debug.SetGCPercent(123); got != 123 {
		t.Fatalf("GC percent after the rebuild = %d, want 123 as before", got)
	}
}
