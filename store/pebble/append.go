package pebble

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"spoor/store"
)

// Append implements store.Appender.
//
// The commit path: outside the lock, validate and stamp the events; under
// s.mu, look their ids up (idempotency), check the stream's version, chain
// the hashes, assign positions and hand the batch to Pebble with
// ApplyNoSyncWait (WAL buffer and memtable, in position order); after the
// lock, wait for the WAL sync that covers the batch (Pebble groups the syncs
// of concurrent appends) and only then acknowledge and move the durable
// head. A failed version check, id check or Pebble apply leaves the
// in-memory state as it was. A failed WAL write or sync fails the store
// (every later Append returns that error; reads still serve the durable
// head): Pebble cannot take back what it put in the memtable, and the only
// safe recovery is a reopen, which replays what the WAL holds.
func (s *Store) Append(ctx context.Context, stream string, expected store.ExpectedVersion, events []store.Event) (store.AppendResult, error) {
	if err := store.ValidateAppend(stream, expected, events); err != nil {
		return store.AppendResult{}, err
	}
	for i := range events {
		if t := events[i].RecordedAt; !t.IsZero() && !representable(t) {
			return store.AppendResult{}, fmt.Errorf("%w: event %d: recorded-at outside the years 1678..2262", store.ErrInvalidEvent, i)
		}
	}
	if err := ctx.Err(); err != nil {
		return store.AppendResult{}, err
	}
	if err := s.enter(); err != nil {
		return store.AppendResult{}, err
	}
	defer s.leave()

	now := time.Unix(0, s.opts.Clock().UnixNano()).UTC()
	envs := make([]store.Envelope, len(events))
	size := 0
	for i, ev := range events {
		at := now
		if !ev.RecordedAt.IsZero() {
			at = time.Unix(0, ev.RecordedAt.UnixNano()).UTC()
		}
		envs[i] = store.Envelope{
			ID: ev.ID, Type: ev.Type, Stream: stream, RecordedAt: at,
			Actor: ev.Actor, CorrelationID: ev.CorrelationID, Data: ev.Data,
		}
		size += recordSize(&envs[i]) + 3*len(prefixStream) + 24 + len(stream) + len(ev.ID) + binary.MaxVarintLen64
	}
	b := s.db.NewBatchWithSize(size + 64)
	defer b.Close()

	res, retry, err := s.commit(stream, expected, envs, b)
	if err != nil {
		return store.AppendResult{}, err
	}
	if retry {
		// The original append may still be waiting for its sync.
		if err := s.waitDurable(ctx, res.LastPosition); err != nil {
			return store.AppendResult{}, fmt.Errorf("pebble: stream %s: retried append waits for the original: %w", stream, err)
		}
		return res, nil
	}
	if err := b.SyncWait(); err != nil {
		err = s.fail(fmt.Errorf("pebble: WAL sync: %w", err))
		return store.AppendResult{}, fmt.Errorf("pebble: stream %s: append of version %d..%d: %w", stream, res.Version-uint64(len(envs))+1, res.Version, err)
	}
	s.advanceDurable(res.LastPosition)
	return res, nil
}

// representable reports whether t fits in int64 Unix nanoseconds.
func representable(t time.Time) bool {
	return time.Unix(0, t.UnixNano()).Equal(t)
}

// fail puts the store in the failed state (first error wins) and returns
// the error appends now get.
func (s *Store) fail(err error) error {
	s.mu.Lock()
	if s.failed == nil {
		s.failed = fmt.Errorf("pebble: store failed, reopen it: %w", err)
		s.log.Error("event store failed; appends refused until reopen", "err", err)
	}
	err = s.failed
	s.mu.Unlock()
	s.advance.broadcast()
	return err
}

// commit runs the locked part of Append. It returns retry=true with the
// original result when every event id is already stored with the same
// content; then nothing was written.
func (s *Store) commit(stream string, expected store.ExpectedVersion, envs []store.Envelope, b *pebble.Batch) (res store.AppendResult, retry bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return res, false, s.failed
	}

	// Idempotency: under the lock, so that a concurrent append of the same
	// ids is either fully visible (applied to the memtable) or not started.
	found, err := s.lookupIDs(envs)
	if err != nil {
		return res, false, err
	}
	if found > 0 {
		res, err := s.original(stream, envs, found)
		return res, err == nil, err
	}

	st, err := s.streamLocked(stream)
	if err != nil {
		return res, false, err
	}
	if !expected.Allows(st.version) {
		return res, false, fmt.Errorf("pebble: stream %s: expected %s, stream is at version %d: %w",
			stream, expected, st.version, store.ErrVersionConflict)
	}

	pos, version, prev := s.next, st.version, st.hash
	var key, val []byte
	var posBuf [8]byte
	for i := range envs {
		e := &envs[i]
		version++
		e.Version, e.Position, e.PrevHash = version, pos, prev
		e.Hash = store.ComputeHash(e, prev)
		prev = e.Hash
		binary.BigEndian.PutUint64(posBuf[:], pos)
		val = appendRecord(val[:0], e)
		key = appendEventKey(key[:0], pos)
		if err := b.Set(key, val, nil); err != nil {
			return res, false, fmt.Errorf("pebble: stream %s: stage version %d: %w", stream, version, err)
		}
		key = appendStreamKey(key[:0], stream, version)
		if err := b.Set(key, posBuf[:], nil); err != nil {
			return res, false, fmt.Errorf("pebble: stream %s: stage version %d: %w", stream, version, err)
		}
		key = appendIDKey(key[:0], e.ID)
		if err := b.Set(key, posBuf[:], nil); err != nil {
			return res, false, fmt.Errorf("pebble: stream %s: stage version %d: %w", stream, version, err)
		}
		pos++
	}
	if err := s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		// Unknown how much of the batch reached the WAL: fail the store.
		// (s.mu is held: set the state directly.)
		s.failed = fmt.Errorf("pebble: store failed, reopen it: WAL write: %w", err)
		s.log.Error("event store failed; appends refused until reopen", "err", err)
		s.advance.broadcast()
		return res, false, fmt.Errorf("pebble: stream %s: append of version %d..%d: %w", stream, st.version+1, version, s.failed)
	}
	st.version, st.hash, st.lastPos = version, prev, pos-1
	first := s.next
	s.next = pos
	return store.AppendResult{Version: version, FirstPosition: first, LastPosition: pos - 1}, false, nil
}

// lookupIDs fills each envelope's Position with the position its id is
// stored at (0: not stored) and returns how many are stored.
func (s *Store) lookupIDs(envs []store.Envelope) (int, error) {
	var key []byte
	found := 0
	for i := range envs {
		key = appendIDKey(key[:0], envs[i].ID)
		v, closer, err := s.db.Get(key)
		if err == pebble.ErrNotFound {
			envs[i].Position = 0
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("pebble: look up event id %s: %w", envs[i].ID, err)
		}
		pos, err := decodePosition(v)
		closer.Close()
		if err != nil {
			return 0, fmt.Errorf("pebble: id index of event %s: %w", envs[i].ID, err)
		}
		envs[i].Position = pos
		found++
	}
	return found, nil
}

// original checks that a retried append (found of whose len(envs) ids are
// stored, positions in envs[i].Position) is the same append as the stored
// one, and returns the stored result.
func (s *Store) original(stream string, envs []store.Envelope, found int) (store.AppendResult, error) {
	if found < len(envs) {
		for i := range envs {
			if envs[i].Position != 0 {
				return store.AppendResult{}, fmt.Errorf("pebble: stream %s: event %d (id %s) is already stored, with new events in the same append: %w",
					stream, i, envs[i].ID, store.ErrDuplicateEventID)
			}
		}
	}
	var res store.AppendResult
	var r rawRecord
	var key []byte
	for i := range envs {
		e := &envs[i]
		key = appendEventKey(key[:0], e.Position)
		v, closer, err := s.db.Get(key)
		if err != nil {
			return res, fmt.Errorf("pebble: event %s indexed at position %d: %w", e.ID, e.Position, err)
		}
		err = splitRecord(v, &r)
		same := err == nil && string(r.fields[fieldStream]) == stream &&
			string(r.fields[fieldType]) == e.Type && bytes.Equal(r.data, e.Data) &&
			(i == 0 || (e.Position > envs[i-1].Position && r.version == res.Version+1))
		version := r.version
		closer.Close()
		if err != nil {
			return res, fmt.Errorf("pebble: event %s at position %d: %w", e.ID, e.Position, err)
		}
		if !same {
			return res, fmt.Errorf("pebble: stream %s: event %d (id %s) is already stored with other content, stream or order: %w",
				stream, i, e.ID, store.ErrDuplicateEventID)
		}
		if i == 0 {
			res.FirstPosition = e.Position
		}
		res.Version, res.LastPosition = version, e.Position
	}
	return res, nil
}

// streamLocked returns the commit path's state of stream, reading it from
// the index the first time the stream is used. s.mu must be held.
func (s *Store) streamLocked(stream string) (*streamState, error) {
	if st, ok := s.streams[stream]; ok {
		return st, nil
	}
	st := &streamState{}
	version, pos, err := s.lastIndexed(stream, ^uint64(0))
	if err != nil {
		return nil, err
	}
	if version > 0 {
		v, closer, err := s.db.Get(eventKey(pos))
		if err != nil {
			return nil, fmt.Errorf("pebble: stream %s: version %d at position %d: %w", stream, version, pos, err)
		}
		var r rawRecord
		err = splitRecord(v, &r)
		if err == nil && (r.version != version || string(r.fields[fieldStream]) != stream) {
			err = fmt.Errorf("%w: index says stream %s version %d, event says version %d", ErrCorrupt, stream, version, r.version)
		}
		if err == nil {
			copy(st.hash[:], r.hash)
		}
		closer.Close()
		if err != nil {
			return nil, fmt.Errorf("pebble: stream %s at position %d: %w", stream, pos, err)
		}
	}
	st.version, st.lastPos = version, pos
	s.streams[stream] = st
	return st, nil
}

// lastIndexed returns the stream's highest version whose position is at
// most maxPos, and that position; 0, 0 if there is none.
func (s *Store) lastIndexed(stream string, maxPos uint64) (version, pos uint64, err error) {
	p := streamPrefix(stream)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: p, UpperBound: prefixEnd(p)})
	if err != nil {
		return 0, 0, fmt.Errorf("pebble: stream %s: %w", stream, err)
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		if pos, err = decodePosition(it.Value()); err != nil {
			break
		}
		if pos <= maxPos {
			_, version, err = decodeStreamKey(it.Key())
			break
		}
		pos = 0
	}
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, fmt.Errorf("pebble: stream %s index: %w", stream, err)
	}
	return version, pos, nil
}
