package pebble

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"spoor/store"
)

// Append implements store.Appender.
//
// The commit path: outside the lock, validate and stamp the events, look
// their ids up (idempotency), and, if the stream's state is known, chain the
// hashes and encode the records on the assumption that the stream does not
// move before the lock is taken. Under s.mu: catch up on ids committed since
// the lookup, check the stream's version, redo the hashes if the stream
// moved, assign positions and hand the batch to Pebble with ApplyNoSyncWait
// (WAL buffer and memtable, in position order). After the lock, wait for the
// WAL sync that covers the batch (Pebble groups the syncs of concurrent
// appends) and only then acknowledge and move the durable head.
//
// A failed id check, version check or staging leaves the in-memory state as
// it was. A failed WAL write or sync fails the store (every later Append
// returns that error; reads still serve the durable head): Pebble cannot
// take back what it put in the memtable, and the only safe recovery is a
// reopen, which replays what the WAL holds.
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

	p, err := s.prepare(stream, expected, events)
	if err != nil {
		return store.AppendResult{}, err
	}
	b := s.db.NewBatchWithSize(p.batchSize())
	defer b.Close()

	res, retry, err := s.commit(p, b)
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
		return store.AppendResult{}, fmt.Errorf("pebble: stream %s: append of version %d..%d: %w",
			stream, res.Version-uint64(len(events))+1, res.Version, err)
	}
	s.advanceDurable(res.LastPosition)
	return res, nil
}

// representable reports whether t fits in int64 Unix nanoseconds.
func representable(t time.Time) bool {
	return time.Unix(0, t.UnixNano()).Equal(t)
}

// prepared is an append made ready outside the lock.
type prepared struct {
	stream   string
	expected store.ExpectedVersion
	envs     []store.Envelope
	found    int    // ids found stored (their positions in envs[i].Position)
	seen     uint64 // s.applied before the id lookup
	recs     []byte // the encoded records, back to back
	offs     []int  // offset of each record in recs; offs[len(envs)] = len(recs)
	// The stream's version and last hash the hashes were chained on;
	// chained is false if they were not computed.
	chained  bool
	baseVer  uint64
	baseHash store.Hash
}

func (p *prepared) batchSize() int {
	n := len(p.recs) + 64
	for i := range p.envs {
		n += 3*(len(prefixEvent)+8+binary.MaxVarintLen64) + len(p.stream) + len(p.envs[i].ID) + 32
	}
	return n
}

// prepare stamps, looks up and (when it can) chains and encodes the events
// without holding s.mu.
func (s *Store) prepare(stream string, expected store.ExpectedVersion, events []store.Event) (*prepared, error) {
	now := time.Unix(0, s.opts.Clock().UnixNano()).UTC()
	p := &prepared{stream: stream, expected: expected, envs: make([]store.Envelope, len(events)), offs: make([]int, len(events)+1)}
	size := 0
	for i, ev := range events {
		at := now
		if !ev.RecordedAt.IsZero() {
			at = time.Unix(0, ev.RecordedAt.UnixNano()).UTC()
		}
		p.envs[i] = store.Envelope{
			ID: ev.ID, Type: ev.Type, Stream: stream, RecordedAt: at,
			Actor: ev.Actor, CorrelationID: ev.CorrelationID, Data: ev.Data,
		}
		size += recordSize(&p.envs[i])
	}
	if !s.idsReady.Load() {
		// Look the ids up here, outside the lock; commit catches up on
		// what was committed in between.
		p.seen = s.applied.Load()
		found, err := s.lookupIDs(p.envs, false)
		if err != nil {
			return nil, err
		}
		p.found = found
	}
	if p.found == 0 {
		// Chain on the stream's state as it is now; commit checks that it
		// still is.
		switch st, known := s.streams.Load(stream); {
		case expected == store.NoStream:
			p.chained = true
		case known:
			tip := st.(*streamState).tip.Load()
			if expected.Allows(tip.version) {
				p.chained, p.baseVer, p.baseHash = true, tip.version, tip.hash
			}
		}
	}
	p.recs = make([]byte, 0, size)
	p.chain()
	return p, nil
}

// chain sets versions and hashes on p's envelopes from its base and encodes
// the records. Without a base (chained false) it only encodes.
func (p *prepared) chain() {
	version, prev := p.baseVer, p.baseHash
	p.recs = p.recs[:0]
	for i := range p.envs {
		e := &p.envs[i]
		if p.chained {
			version++
			e.Version, e.PrevHash = version, prev
			e.Hash = store.ComputeHash(e, prev)
			prev = e.Hash
		}
		p.offs[i] = len(p.recs)
		p.recs = appendRecord(p.recs, e)
	}
	p.offs[len(p.envs)] = len(p.recs)
}

// fail puts the store in the failed state (first error wins) and returns
// the error appends now get.
func (s *Store) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failLocked(err)
}

func (s *Store) failLocked(err error) error {
	if s.failed == nil {
		s.failed = fmt.Errorf("pebble: store failed, reopen it: %w", err)
		s.log.Error("event store failed; appends refused until reopen", "err", err)
	}
	s.advance.broadcast()
	return s.failed
}

// commit runs the locked part of Append. It returns retry=true with the
// original result when every event id is already stored with the same
// content; then nothing was written.
func (s *Store) commit(p *prepared, b *pebble.Batch) (res store.AppendResult, retry bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return res, false, s.failed
	}
	stream, envs := p.stream, p.envs

	// Idempotency. With the id set loaded: a map lookup per id, and a Get
	// for the rare hit. Otherwise prepare looked the ids up in Pebble, ids
	// committed since are in the recent window, and if the window no longer
	// reaches back that far, look them all up again.
	if s.ids.ready {
		p.found = 0
		for i := range envs {
			envs[i].Position = 0
			if _, maybe := s.ids.hashes[s.ids.hash(envs[i].ID)]; maybe {
				n, err := s.lookupIDs(envs[i:i+1], false)
				if err != nil {
					return res, false, err
				}
				p.found += n
			}
		}
	} else if !s.recent.covers(p.seen) {
		if p.found, err = s.lookupIDs(envs, true); err != nil {
			return res, false, err
		}
	} else {
		for i := range envs {
			if envs[i].Position == 0 {
				if pos, ok := s.recent.ids[envs[i].ID]; ok {
					envs[i].Position = pos
					p.found++
				}
			}
		}
	}
	if p.found > 0 {
		res, err := s.original(stream, envs, p.found)
		return res, err == nil, err
	}

	st, err := s.streamLocked(stream)
	if err != nil {
		return res, false, err
	}
	tip := st.tip.Load()
	if !p.expected.Allows(tip.version) {
		return res, false, fmt.Errorf("pebble: stream %s: expected %s, stream is at version %d: %w",
			stream, p.expected, tip.version, store.ErrVersionConflict)
	}
	if !p.chained || p.baseVer != tip.version || p.baseHash != tip.hash {
		p.chained, p.baseVer, p.baseHash = true, tip.version, tip.hash
		p.chain()
	}

	first := s.next
	var key []byte
	var posBuf [8]byte
	for i := range envs {
		e := &envs[i]
		pos := first + uint64(i)
		binary.BigEndian.PutUint64(posBuf[:], pos)
		key = appendEventKey(key[:0], pos)
		err := b.Set(key, p.recs[p.offs[i]:p.offs[i+1]], nil)
		if err == nil {
			key = appendStreamKey(key[:0], stream, e.Version)
			err = b.Set(key, posBuf[:], nil)
		}
		if err == nil {
			key = appendIDKey(key[:0], e.ID)
			err = b.Set(key, posBuf[:], nil)
		}
		if err != nil {
			return res, false, fmt.Errorf("pebble: stream %s: stage version %d: %w", stream, e.Version, err)
		}
	}
	last := envs[len(envs)-1]
	if err := s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		// Unknown how much of the batch reached the WAL: fail the store.
		return res, false, fmt.Errorf("pebble: stream %s: append of version %d..%d: %w",
			stream, tip.version+1, last.Version, s.failLocked(fmt.Errorf("WAL write: %w", err)))
	}
	lastPos := first + uint64(len(envs)) - 1
	st.tip.Store(&streamTip{version: last.Version, hash: last.Hash, lastPos: lastPos})
	s.next = lastPos + 1
	for i := range envs {
		s.ids.hashes[s.ids.hash(envs[i].ID)] = struct{}{}
	}
	if !s.ids.ready {
		s.recent.add(s.applied.Add(1), envs, first)
	}
	return store.AppendResult{Version: last.Version, FirstPosition: first, LastPosition: lastPos}, false, nil
}

// recentIDs remembers the ids of the last batches handed to Pebble, so that
// commit can catch up on ids committed after prepare looked them up
// without reading Pebble under the lock. Guarded by Store.mu.
type recentIDs struct {
	ids     map[string]uint64 // id -> position
	batches []recentBatch     // oldest first
	floor   uint64            // every batch numbered >= floor is in ids
}

type recentBatch struct {
	seq uint64
	ids []string
}

// recentMaxIDs bounds the window.
const recentMaxIDs = 8192

// covers reports whether every batch numbered above seen is in the window.
func (r *recentIDs) covers(seen uint64) bool { return r.floor <= seen+1 }

func (r *recentIDs) add(seq uint64, envs []store.Envelope, first uint64) {
	if r.ids == nil {
		r.ids = make(map[string]uint64, recentMaxIDs)
		r.floor = seq
	}
	ids := make([]string, len(envs))
	for i := range envs {
		ids[i] = envs[i].ID
		r.ids[envs[i].ID] = first + uint64(i)
	}
	r.batches = append(r.batches, recentBatch{seq: seq, ids: ids})
	for len(r.ids) > recentMaxIDs && len(r.batches) > 1 {
		for _, id := range r.batches[0].ids {
			delete(r.ids, id)
		}
		r.batches[0] = recentBatch{}
		r.batches = r.batches[1:]
		r.floor = r.batches[0].seq
	}
}

// lookupIDs sets each envelope's Position to the position its id is stored
// at (0: not stored) and returns how many are stored. With onlyMissing, it
// keeps positions already set.
func (s *Store) lookupIDs(envs []store.Envelope, onlyMissing bool) (int, error) {
	var key []byte
	found := 0
	for i := range envs {
		if onlyMissing && envs[i].Position != 0 {
			found++
			continue
		}
		key = appendIDKey(key[:0], envs[i].ID)
		v, closer, err := s.db.Get(key)
		if errors.Is(err, pebble.ErrNotFound) {
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
	if st, ok := s.streams.Load(stream); ok {
		return st.(*streamState), nil
	}
	tip := &streamTip{}
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
			copy(tip.hash[:], r.hash)
		}
		closer.Close()
		if err != nil {
			return nil, fmt.Errorf("pebble: stream %s at position %d: %w", stream, pos, err)
		}
	}
	tip.version, tip.lastPos = version, pos
	st := &streamState{}
	st.tip.Store(tip)
	s.streams.Store(stream, st)
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
