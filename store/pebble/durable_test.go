package pebble_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"spoor/store"
	"spoor/store/pebble"
)

// gatedFS holds every WAL sync while its gate is shut, so a test can look
// at the store while an append is in Pebble's memtable but not yet durable.
type gatedFS struct {
	vfs.FS
	mu   sync.Mutex
	open chan struct{} // closed while syncs may pass
}

func newGatedFS() *gatedFS {
	g := &gatedFS{FS: vfs.Default, open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gatedFS) shut() {
	g.mu.Lock()
	g.open = make(chan struct{})
	g.mu.Unlock()
}

// release opens the gate (if shut).
func (g *gatedFS) release() {
	g.mu.Lock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
	g.mu.Unlock()
}

func (g *gatedFS) wait() {
	g.mu.Lock()
	c := g.open
	g.mu.Unlock()
	<-c
}

func (g *gatedFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return gatedFile{File: f, g: g}, nil
}

func (g *gatedFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := g.FS.Create(name, c)
	return g.wrap(name, f, err)
}

func (g *gatedFS) ReuseForWrite(oldname, newname string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := g.FS.ReuseForWrite(oldname, newname, c)
	return g.wrap(newname, f, err)
}

type gatedFile struct {
	vfs.File
	g *gatedFS
}

func (f gatedFile) Sync() error     { f.g.wait(); return f.File.Sync() }
func (f gatedFile) SyncData() error { f.g.wait(); return f.File.SyncData() }
func (f gatedFile) SyncTo(n int64) (bool, error) {
	f.g.wait()
	return f.File.SyncTo(n)
}

// TestNotDurableIsInvisible holds the WAL sync of an append (its batch is
// then in Pebble's memtable, visible to Pebble's iterators) and checks that
// nothing reads it until the sync is done: Head, StreamVersion, ReadAll,
// ReadStream and Subscribe stay at the durable head, and the append has not
// returned. A retry of the same append waits as well.
func TestNotDurableIsInvisible(t *testing.T) {
	ctx := context.Background()
	g := newGatedFS()
	o := testOptions()
	o.Tune = func(po *pebbledb.Options) { po.FS = g }
	s, err := pebble.Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(ctx, "family-1", store.NoStream, []store.Event{ev("durable", "T", "1")}); err != nil {
		t.Fatal(err)
	}
	delivered := make(chan store.Envelope, 10)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.Subscribe(sctx, 0, func(e store.Envelope) error { delivered <- e; return nil })
	if e := <-delivered; e.ID != "durable" {
		t.Fatalf("first delivered %s", e.ID)
	}

	g.shut()
	defer g.release() // before Close, if the test fails early
	pending := []store.Event{ev("pending", "T", "2")}
	done := make(chan error, 2)
	go func() {
		_, err := s.Append(ctx, "family-1", store.ExactVersion(1), pending)
		done <- err
	}()
	// Wait until the batch is in the memtable (positions moved on).
	deadline := time.Now().Add(10 * time.Second)
	for s.NextPosition() != 3 {
		if time.Now().After(deadline) {
			t.Fatal("the pending append never reached the memtable")
		}
		time.Sleep(time.Millisecond)
	}
	go func() {
		_, err := s.Append(ctx, "family-1", store.ExactVersion(1), pending) // a retry
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("an append returned (%v) before its WAL sync", err)
	case e := <-delivered:
		t.Fatalf("subscription delivered %s before its WAL sync", e.ID)
	default:
	}
	if h, _ := s.Head(ctx); h != 1 {
		t.Fatalf("Head %d before the sync", h)
	}
	if v, _ := s.StreamVersion(ctx, "family-1"); v != 1 {
		t.Fatalf("StreamVersion %d before the sync", v)
	}
	if all := readAll(t, s, 0); len(all) != 1 {
		t.Fatalf("ReadAll yields %d events before the sync", len(all))
	}
	if got, err := readStream(s, "family-1", 0); err != nil || len(got) != 1 {
		t.Fatalf("ReadStream yields %d events (%v) before the sync", len(got), err)
	}

	g.release()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	select {
	case e := <-delivered:
		if e.ID != "pending" || e.Position != 2 {
			t.Fatalf("delivered %s at %d", e.ID, e.Position)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the durable event was not delivered")
	}
	if h, _ := s.Head(ctx); h != 2 {
		t.Fatalf("Head %d after the sync", h)
	}
}
