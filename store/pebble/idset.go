package pebble

import (
	"context"
	"fmt"
	"hash/maphash"

	"github.com/cockroachdb/pebble/v2"
)

// idSet holds a 64-bit hash of every stored event id, so that the
// idempotency check of an append costs a map lookup instead of a Pebble Get
// (a Get misses through every memtable and level: about 4 µs, a sixth of
// the CPU of an append). A hit is confirmed with a Get; a miss is certain.
// It costs about 11 bytes of memory per stored event.
//
// Open starts it empty and fills it in the background from the id index
// (see loadIDs); until it is complete, appends look ids up in Pebble.
// Guarded by Store.mu, except seed, which is fixed.
type idSet struct {
	seed   maphash.Seed
	hashes map[uint64]struct{}
	ready  bool // every id stored before the load's snapshot is in hashes
}

func newIDSet() idSet {
	return idSet{seed: maphash.MakeSeed(), hashes: make(map[uint64]struct{})}
}

func (s *idSet) hash(id string) uint64 { return maphash.String(s.seed, id) }

// loadIDs fills s.ids from the id index, in chunks that take s.mu briefly,
// while appends go on (they add their own ids, before and after the load).
// It ends early, leaving the set not ready, if the store closes or a read
// fails (then appends keep using Pebble lookups).
func (s *Store) loadIDs(ctx context.Context) {
	defer close(s.idsLoaded)
	snap, err := s.snapshotEntered()
	if err != nil {
		return
	}
	defer s.leaveAfter(snap.Close)
	const chunk = 4096
	hashes := make([]uint64, 0, chunk)
	flush := func() {
		s.mu.Lock()
		for _, h := range hashes {
			s.ids.hashes[h] = struct{}{}
		}
		s.mu.Unlock()
		hashes = hashes[:0]
	}
	it, err := snap.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixID), UpperBound: prefixEnd(prefixID)})
	if err != nil {
		s.log.Error("loading event ids failed; appends look ids up in Pebble", "err", err)
		return
	}
	for ok := it.First(); ok; ok = it.Next() {
		if s.isClosed() || ctx.Err() != nil {
			it.Close()
			return
		}
		hashes = append(hashes, s.ids.hash(string(it.Key()[len(prefixID):])))
		if len(hashes) == chunk {
			flush()
		}
	}
	if err := it.Close(); err != nil {
		s.log.Error("loading event ids failed; appends look ids up in Pebble", "err", fmt.Errorf("pebble: id index: %w", err))
		return
	}
	flush()
	s.mu.Lock()
	s.ids.ready = true
	s.idsReady.Store(true)
	s.mu.Unlock()
}

// snapshotEntered enters an operation and takes a snapshot; leaveAfter
// ends both.
func (s *Store) snapshotEntered() (*pebble.Snapshot, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	return s.db.NewSnapshot(), nil
}

func (s *Store) leaveAfter(f func() error) {
	_ = f()
	s.leave()
}
