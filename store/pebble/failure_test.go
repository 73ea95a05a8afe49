package pebble_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"spoor/store"
	"spoor/store/pebble"
)

// failingFS fails every WAL sync once broken is set.
type failingFS struct {
	vfs.FS
	broken atomic.Bool
}

var errDiskGone = errors.New("disk gone")

func (f *failingFS) wrap(file vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return file, err
	}
	return failingFile{File: file, fs: f}, nil
}

func (f *failingFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	return f.wrap(f.FS.Create(name, c))
}

func (f *failingFS) ReuseForWrite(oldname, newname string, c vfs.DiskWriteCategory) (vfs.File, error) {
	return f.wrap(f.FS.ReuseForWrite(oldname, newname, c))
}

type failingFile struct {
	vfs.File
	fs *failingFS
}

func (f failingFile) err() error {
	if f.fs.broken.Load() {
		return errDiskGone
	}
	return nil
}

func (f failingFile) Sync() error {
	if err := f.err(); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f failingFile) SyncData() error {
	if err := f.err(); err != nil {
		return err
	}
	return f.File.SyncData()
}

func (f failingFile) SyncTo(n int64) (bool, error) {
	if err := f.err(); err != nil {
		return false, err
	}
	return f.File.SyncTo(n)
}

// TestWALSyncFailureFailsTheStore: when a WAL sync fails, the append
// returns the error, every later append is refused, reads stay at the
// durable head, Close does not panic, and a reopen serves what is durable.
func TestWALSyncFailureFailsTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fs := &failingFS{FS: vfs.Default}
	o := testOptions()
	o.Tune = func(po *pebbledb.Options) { po.FS = fs }
	s, err := pebble.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "family-1", store.NoStream, []store.Event{ev("ok", "T", "1")}); err != nil {
		t.Fatal(err)
	}
	fs.broken.Store(true)
	if _, err := s.Append(ctx, "family-1", store.ExactVersion(1), []store.Event{ev("lost", "T", "2")}); !errors.Is(err, errDiskGone) {
		t.Fatalf("append during a failing sync: %v", err)
	}
	fs.broken.Store(false)
	if _, err := s.Append(ctx, "family-2", store.NoStream, []store.Event{ev("after", "T", "3")}); !errors.Is(err, errDiskGone) {
		t.Fatalf("append after the failure: %v, want the store's failure", err)
	}
	if all := readAll(t, s, 0); len(all) != 1 || all[0].ID != "ok" {
		t.Fatalf("reads after the failure: %d events", len(all))
	}
	if h, _ := s.Head(ctx); h != 1 {
		t.Fatalf("Head %d after the failure", h)
	}
	s.Close()
	s = openTest(t, dir)
	all := readAll(t, s, 0)
	if len(all) == 0 || all[0].ID != "ok" {
		t.Fatalf("after reopen: %d events", len(all))
	}
	checkChains(t, all)
	res, err := s.Append(ctx, "family-3", store.NoStream, []store.Event{ev("new", "T", "4")})
	if err != nil || res.LastPosition != uint64(len(all))+1 {
		t.Fatalf("append after reopen: %+v %v", res, err)
	}
}
