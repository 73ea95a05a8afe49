package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/store"
	"spoor/store/pebble"
)

// contactCounter is a small real read model: contacts per family, with the
// position it last saw, so tests can check order and completeness.
type contactCounter struct {
	mu       sync.RWMutex
	Counts   map[domain.FamilyID]int `json:"counts"`
	LastSeen uint64                  `json:"last_seen"`
	Gaps     int                     `json:"gaps"`
	version  int
}

func newCounter() *contactCounter {
	return &contactCounter{Counts: map[domain.FamilyID]int{}, version: 1}
}

func (c *contactCounter) Name() string { return "contacts" }

func (c *contactCounter) Apply(f *projections.Fact) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.Position <= c.LastSeen {
		c.Gaps++ // out of order or duplicate
	}
	c.LastSeen = f.Position
	if _, ok := f.Event.(domain.ContactLogged); ok {
		id, _ := f.Family()
		c.Counts[id]++
	}
}

func (c *contactCounter) count(id domain.FamilyID) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.Counts[id]
}

func (c *contactCounter) SnapshotVersion() int { return c.version }

func (c *contactCounter) MarshalSnapshot() ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return json.Marshal(c)
}

func (c *contactCounter) UnmarshalSnapshot(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return json.Unmarshal(b, c)
}

func openStore(t *testing.T, dir string) *pebble.Store {
	t.Helper()
	s, err := pebble.Open(dir, pebble.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var seq int

func appendContacts(t *testing.T, s store.Store, fam domain.FamilyID, n int) uint64 {
	t.Helper()
	var last uint64
	for range n {
		seq++
		enc, err := domain.Encode(domain.ContactLogged{
			ContactID: domain.ContactID(fmt.Sprintf("c%d", seq)), Date: domain.NewDate(2026, 3, 2),
			Kind: domain.ContactPhone, DurationMinutes: 10, CoachID: "coach-1",
		})
		if err != nil {
			t.Fatal(err)
		}
		data := []byte(`{"public":` + string(enc.Public) + `}`)
		res, err := s.Append(context.Background(), domain.FamilyStream(fam), store.AnyVersion, []store.Event{{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", seq), Type: enc.Type,
			Actor: store.Actor{UserID: "coach-1", Role: "coach"}, Data: data,
		}})
		if err != nil {
			t.Fatal(err)
		}
		last = res.LastPosition
	}
	return last
}

func TestRunnerCatchUpLiveSnapshotAndRestore(t *testing.T) {
	dir := t.TempDir()
	snaps := filepath.Join(dir, "snapshots")
	s := openStore(t, filepath.Join(dir, "log"))
	defer s.Close()

	appendContacts(t, s, "f1", 3000) // more than one decode batch
	appendContacts(t, s, "f2", 5)

	run := func(m *contactCounter) (*projections.Runner, context.CancelFunc, chan error) {
		r, err := projections.NewRunner(s, []projections.Model{m}, projections.RunnerOptions{SnapshotDir: snaps, SnapshotEvery: 1000})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		return r, cancel, done
	}

	m := newCounter()
	r, cancel, done := run(m)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := r.WaitFor(wctx, 3005); err != nil {
		t.Fatalf("catch-up: %v", err)
	}
	if got := m.count("f1"); got != 3000 {
		t.Fatalf("f1 contacts after catch-up = %d, want 3000", got)
	}
	// Live: a new append becomes visible through WaitFor.
	last := appendContacts(t, s, "f2", 2)
	if err := r.WaitFor(wctx, last); err != nil {
		t.Fatalf("live: %v", err)
	}
	if got := m.count("f2"); got != 7 {
		t.Fatalf("f2 contacts live = %d, want 7", got)
	}
	if m.Gaps != 0 {
		t.Fatalf("model saw %d out-of-order or repeated facts", m.Gaps)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run ended with %v, want context.Canceled", err)
	}

	// Restart: the snapshot written at stop is restored, so the model starts
	// at the last position, then catches up the events appended meanwhile.
	appendContacts(t, s, "f3", 4)
	m2 := newCounter()
	r2, cancel2, done2 := run(m2)
	if err := r2.WaitFor(wctx, last+4); err != nil {
		t.Fatal(err)
	}
	if m2.count("f1") != 3000 || m2.count("f2") != 7 || m2.count("f3") != 4 {
		t.Fatalf("after restore: f1=%d f2=%d f3=%d, want 3000 7 4", m2.count("f1"), m2.count("f2"), m2.count("f3"))
	}
	if m2.Gaps != 0 {
		t.Fatalf("restored model saw %d out-of-order or repeated facts", m2.Gaps)
	}
	cancel2()
	<-done2

	// A snapshot of another model version is discarded: full rebuild, same answer.
	m3 := newCounter()
	m3.version = 2
	r3, cancel3, done3 := run(m3)
	if err := r3.WaitFor(wctx, last+4); err != nil {
		t.Fatal(err)
	}
	if m3.count("f1") != 3000 || m3.LastSeen != last+4 {
		t.Fatalf("after version change: f1=%d last=%d", m3.count("f1"), m3.LastSeen)
	}
	cancel3()
	<-done3

	// A corrupt snapshot file is detected by its checksum and rebuilt from 0.
	path := filepath.Join(snaps, "contacts.snap")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-2] ^= 0xff
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	m4 := newCounter()
	m4.version = 2
	r4, cancel4, done4 := run(m4)
	if err := r4.WaitFor(wctx, last+4); err != nil {
		t.Fatal(err)
	}
	if m4.count("f1") != 3000 || m4.Gaps != 0 {
		t.Fatalf("after corrupt snapshot: f1=%d gaps=%d", m4.count("f1"), m4.Gaps)
	}
	cancel4()
	<-done4
}

func TestRunnerRejectsForeignSnapshot(t *testing.T) {
	dir := t.TempDir()
	snaps := filepath.Join(dir, "snapshots")
	a := openStore(t, filepath.Join(dir, "a"))
	defer a.Close()
	appendContacts(t, a, "f1", 10)
	m := newCounter()
	r, err := projections.NewRunner(a, []projections.Model{m}, projections.RunnerOptions{SnapshotDir: snaps})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Rebuild(context.Background()); err != nil || n != 10 {
		t.Fatalf("Rebuild = %d, %v; want 10 facts", n, err)
	}
	// Another log with different events at the same positions must not
	// inherit a's snapshot.
	b := openStore(t, filepath.Join(dir, "b"))
	defer b.Close()
	appendContacts(t, b, "f9", 12)
	m2 := newCounter()
	r2, err := projections.NewRunner(b, []projections.Model{m2}, projections.RunnerOptions{SnapshotDir: snaps})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r2.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := r2.WaitFor(wctx, 12); err != nil {
		t.Fatal(err)
	}
	if m2.count("f1") != 0 || m2.count("f9") != 12 {
		t.Fatalf("foreign snapshot leaked: f1=%d f9=%d", m2.count("f1"), m2.count("f9"))
	}
	cancel()
	<-done
}

func TestNewRunnerRejectsDuplicateNames(t *testing.T) {
	if _, err := projections.NewRunner(nil, []projections.Model{newCounter(), newCounter()}, projections.RunnerOptions{}); err == nil {
		t.Fatal("two models with one name were accepted")
	}
}
