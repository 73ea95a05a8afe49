package storetest_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"spoor/store"
)

// memLog is the data of memStore: a test fixture that checks the suite
// itself (that a correct store passes it and that its tamper checks see a
// rewrite). It keeps everything in memory, with sparse positions (steps of 3,
// as KurrentDB's are not dense), so "reopen" means a new memStore over the
// same memLog.
type memLog struct {
	mu      sync.Mutex
	envs    []store.Envelope
	streams map[string][]int // stream -> indexes into envs
	ids     map[string]memID
	changed chan struct{} // closed and replaced on every append
}

type memID struct {
	index  int
	result store.AppendResult
}

func newMemLog() *memLog {
	return &memLog{streams: map[string][]int{}, ids: map[string]memID{}, changed: make(chan struct{})}
}

type memStore struct {
	log   *memLog
	clock func() time.Time
	// bug, if not "", makes the store break one promise (see
	// TestSuiteCatchesBrokenStores).
	bug    string
	closed chan struct{}
	once   sync.Once
}

func openMem(l *memLog, clock func() time.Time) *memStore {
	return &memStore{log: l, clock: clock, closed: make(chan struct{})}
}

func (s *memStore) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

func (s *memStore) Append(ctx context.Context, stream string, expected store.ExpectedVersion, events []store.Event) (store.AppendResult, error) {
	if err := store.ValidateAppend(stream, expected, events); err != nil {
		return store.AppendResult{}, err
	}
	if s.isClosed() {
		return store.AppendResult{}, store.ErrClosed
	}
	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()

	known := 0
	var first memID
	for i, ev := range events {
		id, ok := l.ids[ev.ID]
		if !ok {
			continue
		}
		e := l.envs[id.index]
		if e.Stream != stream || e.Type != ev.Type || !bytes.Equal(e.Data, ev.Data) {
			return store.AppendResult{}, fmt.Errorf("event %d: %w", i, store.ErrDuplicateEventID)
		}
		if known == 0 {
			first = id
		}
		known++
	}
	if known == len(events) && s.bug != "no-idempotency" {
		return first.result, nil
	}
	if known > 0 {
		return store.AppendResult{}, fmt.Errorf("old and new ids mixed: %w", store.ErrDuplicateEventID)
	}

	idx := l.streams[stream]
	var version uint64
	var prev store.Hash
	if n := len(idx); n > 0 {
		version, prev = l.envs[idx[n-1]].Version, l.envs[idx[n-1]].Hash
	}
	if !expected.Allows(version) && s.bug != "ignore-expected-version" {
		return store.AppendResult{}, fmt.Errorf("stream %s at version %d, expected %s: %w", stream, version, expected, store.ErrVersionConflict)
	}
	var pos uint64
	if n := len(l.envs); n > 0 {
		pos = l.envs[n-1].Position
	}
	now := s.clock().UTC()
	res := store.AppendResult{Version: version + uint64(len(events)), FirstPosition: pos + 3, LastPosition: pos + 3*uint64(len(events))}
	for _, ev := range events {
		pos += 3
		version++
		at := ev.RecordedAt.UTC()
		if ev.RecordedAt.IsZero() {
			at = now
		}
		if s.bug == "local-time" {
			at = at.Local()
		}
		e := store.Envelope{ID: ev.ID, Type: ev.Type, Stream: stream, Version: version, Position: pos, RecordedAt: at,
			Actor: ev.Actor, CorrelationID: ev.CorrelationID, Data: bytes.Clone(ev.Data), PrevHash: prev}
		e.Hash = store.ComputeHash(&e, prev)
		if s.bug == "unchained" {
			e.PrevHash = store.Hash{}
			e.Hash = store.ComputeHash(&e, store.Hash{})
		}
		prev = e.Hash
		l.ids[ev.ID] = memID{index: len(l.envs), result: res}
		l.streams[stream] = append(l.streams[stream], len(l.envs))
		l.envs = append(l.envs, e)
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return res, nil
}

func clone(e store.Envelope) store.Envelope {
	e.Data = bytes.Clone(e.Data)
	return e
}

func (s *memStore) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		s.log.mu.Lock()
		var out []store.Envelope
		for _, i := range s.log.streams[stream] {
			if e := s.log.envs[i]; e.Version >= from {
				out = append(out, clone(e))
			}
		}
		found := len(s.log.streams[stream]) > 0
		s.log.mu.Unlock()
		if !found {
			yield(store.Envelope{}, fmt.Errorf("stream %s: %w", stream, store.ErrStreamNotFound))
			return
		}
		for _, e := range out {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// after returns copies of the events with Position >= from and the channel
// closed on the next append.
func (l *memLog) after(from uint64) ([]store.Envelope, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []store.Envelope
	for _, e := range l.envs {
		if e.Position >= from {
			out = append(out, clone(e))
		}
	}
	return out, l.changed
}

func (s *memStore) ReadAll(ctx context.Context, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		out, _ := s.log.after(from)
		for i, e := range out {
			if s.bug == "readall-skips" && i == 1 {
				continue
			}
			if s.bug == "walk-once" {
				from = e.Position + 1 // the captured cursor moves: a second walk starts past the first
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (s *memStore) StreamVersion(ctx context.Context, stream string) (uint64, error) {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	idx := s.log.streams[stream]
	if len(idx) == 0 {
		return 0, nil
	}
	return s.log.envs[idx[len(idx)-1]].Version, nil
}

func (s *memStore) Head(ctx context.Context) (uint64, error) {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	if len(s.log.envs) == 0 {
		return 0, nil
	}
	return s.log.envs[len(s.log.envs)-1].Position, nil
}

func (s *memStore) Subscribe(ctx context.Context, from uint64, handle func(store.Envelope) error) error {
	for {
		batch, changed := s.log.after(from)
		for i, e := range batch {
			if s.bug == "subscribe-duplicate" && i == 0 && from > 0 {
				_ = handle(e)
			}
			if err := handle(e); err != nil {
				return fmt.Errorf("subscription handler at position %d: %w", e.Position, err)
			}
			from = e.Position + 1
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			if s.bug == "silent-close" {
				return nil
			}
			return store.ErrClosed
		case <-changed:
		}
	}
}

func (s *memStore) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

// rewrite replaces the data of the event at pos, keeping its hashes.
func (l *memLog) rewrite(pos uint64, data []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.envs {
		if l.envs[i].Position == pos {
			l.envs[i].Data = bytes.Clone(data)
			return nil
		}
	}
	return fmt.Errorf("no event at position %d", pos)
}
