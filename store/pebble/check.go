package pebble

import (
	"context"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// CheckIndex checks the store's own structure, beyond what store.Verify
// checks (hashes and the Merkle tree): positions run 1..head without a gap;
// every record decodes; each stream's versions run 1, 2, 3... in position
// order; every event has a stream index entry and an id index entry that
// point at it; and no index entry (up to the head) points anywhere else. It
// reads a snapshot up to the durable head while appends go on, and returns
// the first problem found: an error wrapping ErrCorrupt that names the
// position (and stream and version, or event id), Pebble's read error (a
// checksum mismatch names the file), store.ErrClosed or ctx.Err(). Memory
// grows with the number of streams, not of events.
func (s *Store) CheckIndex(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	return s.checkIndex(ctx, s.durable.Load())
}

func (s *Store) checkIndex(ctx context.Context, head uint64) error {
	snap := s.db.NewSnapshot()
	defer snap.Close()
	newIter := func(prefix string) (*pebble.Iterator, error) {
		return snap.NewIter(&pebble.IterOptions{LowerBound: []byte(prefix), UpperBound: prefixEnd(prefix)})
	}
	events, err := newIter(prefixEvent)
	if err != nil {
		return fmt.Errorf("pebble: check index: %w", err)
	}
	defer events.Close()
	index, err := newIter(prefixStream)
	if err != nil {
		return fmt.Errorf("pebble: check index: %w", err)
	}
	defer index.Close()
	ids, err := newIter(prefixID)
	if err != nil {
		return fmt.Errorf("pebble: check index: %w", err)
	}
	defer ids.Close()

	last := map[string]uint64{} // last version seen per stream
	var key []byte
	var r rawRecord
	var n uint64
	pointsAt := func(it *pebble.Iterator, k []byte, pos uint64) bool {
		if !it.SeekGE(k) || !bytesEqual(it.Key(), k) {
			return false
		}
		p, err := decodePosition(it.Value())
		return err == nil && p == pos
	}
	for ok := events.First(); ok; ok = events.Next() {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		pos, err := positionOfEventKey(events.Key())
		if err != nil {
			return fmt.Errorf("pebble: check index: %w", err)
		}
		if pos > head {
			break
		}
		n++
		if pos != n {
			return fmt.Errorf("pebble: check index: position %d is missing (next stored is %d): %w", n, pos, ErrCorrupt)
		}
		v, err := events.ValueAndErr()
		if err != nil {
			return fmt.Errorf("pebble: check index: position %d: %w", pos, err)
		}
		if err := splitRecord(v, &r); err != nil {
			return fmt.Errorf("pebble: check index: position %d: %w", pos, err)
		}
		stream := string(r.fields[fieldStream])
		if r.version != last[stream]+1 {
			return fmt.Errorf("pebble: check index: position %d: stream %s version %d follows version %d: %w",
				pos, stream, r.version, last[stream], ErrCorrupt)
		}
		last[stream] = r.version
		key = appendStreamKey(key[:0], stream, r.version)
		if !pointsAt(index, key, pos) {
			return fmt.Errorf("pebble: check index: position %d: stream %s version %d is not indexed at this position: %w",
				pos, stream, r.version, errors.Join(ErrCorrupt, index.Error()))
		}
		key = appendIDKey(key[:0], string(r.fields[fieldID]))
		if !pointsAt(ids, key, pos) {
			return fmt.Errorf("pebble: check index: position %d: event id %s is not indexed at this position: %w",
				pos, r.fields[fieldID], errors.Join(ErrCorrupt, ids.Error()))
		}
	}
	if err := events.Error(); err != nil {
		return fmt.Errorf("pebble: check index: %w", err)
	}
	if n != head {
		return fmt.Errorf("pebble: check index: %d events stored up to the head %d: %w", n, head, ErrCorrupt)
	}
	// Every event has its two entries; any further entry up to the head is
	// one too many.
	for name, it := range map[string]*pebble.Iterator{"stream index": index, "id index": ids} {
		var entries uint64
		for ok := it.First(); ok; ok = it.Next() {
			pos, err := decodePosition(it.Value())
			if err != nil {
				return fmt.Errorf("pebble: check index: %s entry: %w", name, err)
			}
			if pos <= head {
				entries++
			}
		}
		if err := it.Error(); err != nil {
			return fmt.Errorf("pebble: check index: %w", err)
		}
		if entries != n {
			return fmt.Errorf("pebble: check index: %d %s entries for %d events: %w", entries, name, n, ErrCorrupt)
		}
	}
	return nil
}
