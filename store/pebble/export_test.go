package pebble

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/pebble/v2"

	"spoor/store"
)

// Test hooks: they change the stored data behind the store's back, as an
// attacker or a failing disk would, so that tests can check that
// store.Verify, CheckIndex or Pebble's checksums notice.

// RewriteData replaces the stored data bytes of the event at pos, keeping
// its hashes, and syncs the change.
func (s *Store) RewriteData(pos uint64, data []byte) error {
	key := eventKey(pos)
	v, closer, err := s.db.Get(key)
	if err != nil {
		return fmt.Errorf("rewrite position %d: %w", pos, err)
	}
	var e store.Envelope
	err = decodeEnvelope(pos, v, &e)
	closer.Close()
	if err != nil {
		return err
	}
	e.Data = data
	return s.db.Set(key, appendRecord(nil, &e), pebble.Sync)
}

// DeleteStreamIndexEntry removes the stream index entry of stream's
// version.
func (s *Store) DeleteStreamIndexEntry(stream string, version uint64) error {
	return s.db.Delete(appendStreamKey(nil, stream, version), pebble.Sync)
}

// Flush writes the memtable to an sstable.
func (s *Store) Flush() error { return s.db.Flush() }

// CorruptFile flips one byte in the middle of the largest file in dir whose
// name ends in suffix (".sst" for sstables, ".log" for WAL files) and
// returns the file's path. The store must be closed.
func CorruptFile(dir, suffix string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var best string
	var size int64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return "", err
		}
		if info.Size() > size {
			best, size = filepath.Join(dir, e.Name()), info.Size()
		}
	}
	if best == "" {
		return "", fmt.Errorf("no %s file in %s", suffix, dir)
	}
	f, err := os.OpenFile(best, os.O_RDWR, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b := make([]byte, 1)
	off := size / 2
	if _, err := f.ReadAt(b, off); err != nil {
		return "", err
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		return "", err
	}
	return best, f.Sync()
}

// WaitIDsLoaded waits for the background load of the id set and reports
// whether it completed.
func (s *Store) WaitIDsLoaded() bool {
	<-s.idsLoaded
	return s.idsReady.Load()
}

// WithoutIDSet returns o with the id set disabled: appends look every id up
// in Pebble.
func WithoutIDSet(o Options) Options {
	o.noIDSet = true
	return o
}

// CorruptAll flips one byte in the middle of every sstable and WAL file in
// dir and returns their paths. The store must be closed.
func CorruptAll(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sst") && !strings.HasSuffix(e.Name(), ".log") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := flipMiddle(path); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no sstable or WAL file in %s", dir)
	}
	return paths, nil
}

func flipMiddle(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return err
	}
	b := make([]byte, 1)
	off := info.Size() / 2
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		return err
	}
	return f.Sync()
}

// NextPosition is the position the next append gets: it moves when a
// batch is handed to Pebble, before its WAL sync.
func (s *Store) NextPosition() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}
