package projections_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

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

// TestCatchUpSnapshot checks that Run snapshots after a catch-up of at
// least SnapshotEvery facts (while it follows the store live), and not
// after a short one.
func TestCatchUpSnapshot(t *testing.T) {
	for _, c := range []struct {
		facts int
		want  bool
	}{{300, true}, {50, false}} {
		dir := t.TempDir()
		snaps := filepath.Join(dir, "snapshots")
		s := openStore(t, filepath.Join(dir, "log"))
		appendContacts(t, s, "f1", c.facts)
		r, err := projections.NewRunner(s, []projections.Model{newCounter()}, projections.RunnerOptions{SnapshotDir: snaps, SnapshotEvery: 100, SnapshotInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		deadline := time.Now().Add(10 * time.Second)
		found := false
		for time.Now().Before(deadline) {
			if _, err := os.Stat(filepath.Join(snaps, "contacts.snap")); err == nil {
				found = true
				break
			}
			if r.Ready() && !c.want && time.Now().After(deadline.Add(-9*time.Second)) {
				break // ready for a second and still no snapshot
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("run: %v", err)
		}
		s.Close()
		if found != c.want || !r.Ready() {
			t.Errorf("%d facts: snapshot while running %v, want %v (ready %v)", c.facts, found, c.want, r.Ready())
		}
	}
}
