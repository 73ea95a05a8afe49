package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"spoor/store"
)

// readPage reads up to count events of one KurrentDB stream, or of $all
// when name is "", into memory. Each page is one call with its own
// OperationTimeout.
func (s *Store) readPage(ctx context.Context, name string, dir esdb.Direction, from any, count int) ([]esdb.RecordedEvent, error) {
	var page []esdb.RecordedEvent
	err := s.do(ctx, func(c *esdb.Client) error {
		page = page[:0]
		octx, cancel := s.opContext(ctx, true)
		defer cancel()
		var rs *esdb.ReadStream
		var err error
		if name == "" {
			rs, err = c.ReadAll(octx, esdb.ReadAllOptions{Direction: dir, From: from.(esdb.AllPosition)}, uint64(count))
		} else {
			rs, err = c.ReadStream(octx, name, esdb.ReadStreamOptions{Direction: dir, From: from.(esdb.StreamPosition)}, uint64(count))
		}
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if rec := ev.OriginalEvent(); rec != nil {
				page = append(page, *rec)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// ReadStream yields the events of stream from version from (see
// store.Reader). It reads PageSize events per call.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		name := s.cfg.StreamPrefix + stream
		next := max(from, 1) - 1 // KurrentDB revisions are 0-based
		for first := true; ; first = false {
			page, err := s.readPage(ctx, name, esdb.Forwards, esdb.Revision(next), s.cfg.PageSize)
			if err != nil {
				err = s.mapErr("read stream", stream, err)
				if errors.Is(err, store.ErrStreamNotFound) && !first {
					return // deleted while we read: what was read stands
				}
				yield(store.Envelope{}, err)
				return
			}
			for i := range page {
				env, err := decode(&page[i], s.cfg.StreamPrefix)
				if err != nil {
					yield(store.Envelope{}, err)
					return
				}
				s.noteHead(env.Position)
				if !yield(env, nil) {
					return
				}
			}
			if len(page) < s.cfg.PageSize {
				return
			}
			next = page[len(page)-1].EventNumber + 1
		}
	}
}

// StreamVersion returns the last version of stream, 0 if it has none.
func (s *Store) StreamVersion(ctx context.Context, stream string) (uint64, error) {
	page, err := s.readPage(ctx, s.cfg.StreamPrefix+stream, esdb.Backwards, esdb.End{}, 1)
	if err != nil {
		err = s.mapErr("stream version", stream, err)
		if errors.Is(err, store.ErrStreamNotFound) {
			return 0, nil
		}
		return 0, err
	}
	if len(page) == 0 {
		return 0, nil
	}
	return page[0].EventNumber + 1, nil
}

// lastRecord returns the position of the last record in $all, whatever its
// stream (0 if $all is empty).
func (s *Store) lastRecord(ctx context.Context) (uint64, error) {
	page, err := s.readPage(ctx, "", esdb.Backwards, esdb.End{}, 1)
	if err != nil || len(page) == 0 {
		return 0, err
	}
	return page[0].Position.Commit, nil
}

// headMark is what a Store knows of the end of the ledger: every record
// of $all at or before seen has been accounted for, and the last Spoor
// event among them is at last (0: none). Spoor events are never removed,
// so Head need not look back past seen.
type headMark struct {
	mu   sync.Mutex
	last uint64
	seen uint64
}

// get returns last and seen.
func (m *headMark) get() (last, seen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last, m.seen
}

// raise records that the last Spoor event at or before seen is at last.
func (m *headMark) raise(last, seen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seen > m.seen {
		m.seen = seen
	}
	if last > m.last {
		m.last = last
	}
}

// noteHead records a Spoor event at pos: no Spoor event at or before pos
// comes later than it.
func (s *Store) noteHead(pos uint64) { s.head.raise(pos, pos) }

// Head returns the position of the last Spoor event: it reads $all
// backwards from its end, skipping system events and other programs'
// streams, down to the first Spoor event or to what this Store has already
// accounted for. So an idle ledger in a busy cluster costs a long scan once,
// not at every call.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	last, seen := s.head.get()
	var from esdb.AllPosition = esdb.End{}
	var end uint64 // the first record read: the end of $all at this call
	for first := true; ; first = false {
		page, err := s.readPage(ctx, "", esdb.Backwards, from, s.cfg.PageSize)
		if err != nil {
			return 0, s.mapErr("head", "", err)
		}
		if first && len(page) > 0 {
			end = page[0].Position.Commit
		}
		for i := range page {
			ev := &page[i]
			pos := ev.Position.Commit
			if pos <= seen {
				s.head.raise(last, end)
				return last, nil
			}
			if isOurs(ev, s.cfg.StreamPrefix) {
				s.head.raise(pos, end)
				return pos, nil
			}
		}
		if len(page) < s.cfg.PageSize {
			s.head.raise(last, end)
			return last, nil
		}
		p := page[len(page)-1].Position
		from = esdb.Position{Commit: p.Commit, Prepare: p.Prepare}
	}
}

// ReadAll yields every Spoor event with Position >= from in global order.
// KurrentDB positions are byte offsets in its log and the server reads $all
// only from the start of a record; see scanAll for how from is placed.
func (s *Store) ReadAll(ctx context.Context, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		stopped := errors.New("stopped")
		_, err := s.scanAll(ctx, from, func(env store.Envelope) error {
			if !yield(env, nil) {
				return stopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, stopped) {
			yield(store.Envelope{}, err)
		}
	}
}

// scanAll reads $all forward from the first record at or after from, page
// by page, and calls fn for each Spoor event with Position >= from. It
// returns the position of the last record it read (any stream), or of the
// last record in $all if it read none (0 if $all is empty): every Spoor
// event at or before that position and at or after from has been passed
// to fn.
//
// The $all read is filtered on the client: the client library (v4.2.0)
// offers server-side filters only on subscriptions. Where to start: from 0
// is the start of $all; a from that is the position of an event (what the
// store returns) or one past it (what a caller resuming after an event
// passes) is placed exactly; any other from costs a scan of $all from its
// start, skipping what lies before from.
func (s *Store) scanAll(ctx context.Context, from uint64, fn func(store.Envelope) error) (uint64, error) {
	if s.isClosed() {
		return 0, fmt.Errorf("kurrent: read all: %w", store.ErrClosed)
	}
	var start esdb.AllPosition = esdb.Start{}
	var page []esdb.RecordedEvent
	var err error
	if from > 0 {
		placed := false
		for _, p := range []uint64{from, from - 1} {
			if p == 0 {
				continue
			}
			start = esdb.Position{Commit: p, Prepare: p}
			page, err = s.readPage(ctx, "", esdb.Forwards, start, s.cfg.PageSize)
			if err == nil {
				placed = true
				break
			}
			if !invalidPosition(err) {
				return 0, s.mapErr("read all", "", err)
			}
		}
		if !placed {
			end, err := s.lastRecord(ctx)
			if err != nil {
				return 0, s.mapErr("read all", "", err)
			}
			if from > end {
				return end, nil
			}
			s.cfg.Logger.Warn("kurrentdb: position is not the start of a record; reading $all from its start", "position", from)
			start = esdb.Start{}
			page = nil
		}
	}
	var last uint64 // last record read
	readAny := false
	for {
		if page == nil {
			page, err = s.readPage(ctx, "", esdb.Forwards, start, s.cfg.PageSize)
			if err != nil {
				return last, s.mapErr("read all", "", err)
			}
		}
		for i := range page {
			ev := &page[i]
			pos := ev.Position.Commit
			if readAny && pos <= last {
				continue // the page starts with the previous page's last record
			}
			last, readAny = pos, true
			if pos < from || !isOurs(ev, s.cfg.StreamPrefix) {
				continue
			}
			env, err := decode(ev, s.cfg.StreamPrefix)
			if err != nil {
				return last, err
			}
			s.noteHead(env.Position)
			if err := fn(env); err != nil {
				return last, err
			}
		}
		if len(page) < s.cfg.PageSize {
			break
		}
		p := page[len(page)-1].Position
		start = esdb.Position{Commit: p.Commit, Prepare: p.Prepare}
		page = nil
	}
	if !readAny {
		end, err := s.lastRecord(ctx)
		if err != nil {
			return 0, s.mapErr("read all", "", err)
		}
		return end, nil
	}
	return last, nil
}
