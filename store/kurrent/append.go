package kurrent

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"spoor/store"
)

// maxAppendAttempts bounds how often one Append re-reads the stream and
// tries again after losing a race (only AnyVersion and StreamExists appends
// retry; an exact expectation that no longer holds is a conflict).
const maxAppendAttempts = 50

// tail is what an append needs of a stream: its last version and hash, and
// its latest events by id (the idempotency window).
type tail struct {
	version uint64
	hash    store.Hash
	byID    map[string]store.Envelope
}

// Append writes events to stream if it satisfies expected (see
// store.Appender).
//
// Every append first reads the stream's latest IdempotencyWindow+len(events)
// events backwards, in one call: the last one gives the version and hash
// the new events chain onto, and all of them are checked for the ids being
// appended (a retry returns the original result, store.ErrDuplicateEventID
// for the same id with other content); a retry expecting an exact version
// that the stream has passed is also looked up right after that version.
// Then the events are written with
// KurrentDB's exact expected revision of that last event, so that a
// concurrent append in between fails on the server (wrong expected version)
// and this one re-reads and decides again: the hash chain never forks.
func (s *Store) Append(ctx context.Context, stream string, expected store.ExpectedVersion, events []store.Event) (store.AppendResult, error) {
	if err := store.ValidateAppend(stream, expected, events); err != nil {
		return store.AppendResult{}, err
	}
	ids := make([]uuid.UUID, len(events))
	for i, ev := range events {
		if strings.HasPrefix(ev.Type, "$") {
			return store.AppendResult{}, fmt.Errorf("%w: event %d: type starts with '$', which KurrentDB reserves for system events", store.ErrInvalidEvent, i)
		}
		id, err := parseID(i, ev.ID)
		if err != nil {
			return store.AppendResult{}, err
		}
		ids[i] = id
	}
	if s.isClosed() {
		return store.AppendResult{}, fmt.Errorf("kurrent: append %s: %w", stream, store.ErrClosed)
	}
	for i, ev := range events {
		if other, ok := s.recent.stream(ev.ID); ok && other != stream {
			return store.AppendResult{}, fmt.Errorf("kurrent: append %s: %w: event %d (id %s) was appended to another stream", stream, store.ErrDuplicateEventID, i, ev.ID)
		}
	}
	now := s.cfg.Now().UTC()
	name := s.cfg.StreamPrefix + stream
	for attempt := 0; ; attempt++ {
		t, err := s.readTail(ctx, name, stream, len(events))
		if err != nil {
			return store.AppendResult{}, err
		}
		if res, found, err := prior(t, stream, events); found || err != nil {
			return res, err
		}
		if !expected.Allows(t.version) {
			// A retry with an exact expectation is recognised however deep
			// its events now lie: they are right after the version it
			// expected.
			if e := uint64(expected); expected >= 0 && t.version > e {
				at, err := s.readAt(ctx, name, stream, e, len(events))
				if err != nil {
					return store.AppendResult{}, err
				}
				if res, found, err := prior(at, stream, events); found || err != nil {
					return res, err
				}
			}
			return store.AppendResult{}, fmt.Errorf("kurrent: append %s: %w: expected %s, stream is at version %d",
				stream, store.ErrVersionConflict, expected, t.version)
		}
		res, err := s.write(ctx, name, stream, t, ids, events, now)
		if err == nil {
			idStrings := make([]string, len(events))
			for i, ev := range events {
				idStrings[i] = ev.ID
			}
			s.recent.add(stream, idStrings)
			return res, nil
		}
		if status.Code(err) == codes.InvalidArgument {
			// The server refused the request as such (the cluster's
			// MaxAppendSize, for instance); it wrote nothing.
			return store.AppendResult{}, fmt.Errorf("kurrent: append %s: %w: the cluster refused it: %v", stream, store.ErrInvalidEvent, status.Convert(err).Message())
		}
		code, _ := esdbCode(err)
		if code != esdb.ErrorCodeWrongExpectedVersion || attempt+1 >= maxAppendAttempts {
			return store.AppendResult{}, s.mapErr("append", stream, err)
		}
		// Lost a race with another writer: back off a little and decide
		// again on the new tail.
		sleep := time.Duration(rand.Int64N(int64(time.Millisecond) * int64(attempt+1)))
		select {
		case <-ctx.Done():
			return store.AppendResult{}, fmt.Errorf("kurrent: append %s: %w", stream, ctx.Err())
		case <-time.After(sleep):
		}
	}
}

// readTail reads the latest events of a stream (see Append).
func (s *Store) readTail(ctx context.Context, name, stream string, n int) (tail, error) {
	page, err := s.readPage(ctx, name, esdb.Backwards, esdb.End{}, s.cfg.IdempotencyWindow+n)
	if err != nil {
		if code, ok := esdbCode(err); ok && code == esdb.ErrorCodeResourceNotFound {
			return tail{}, nil // no stream yet
		}
		return tail{}, s.mapErr("append: read stream tail", stream, err)
	}
	t := tail{byID: make(map[string]store.Envelope, len(page))}
	for i := range page {
		env, err := decode(&page[i], s.cfg.StreamPrefix)
		if err != nil {
			return tail{}, fmt.Errorf("kurrent: append %s: %w", stream, err)
		}
		if i == 0 {
			t.version, t.hash = env.Version, env.Hash
		}
		t.byID[env.ID] = env
	}
	return t, nil
}

// readAt reads n events of a stream from our version v+1 on, by id.
func (s *Store) readAt(ctx context.Context, name, stream string, v uint64, n int) (tail, error) {
	page, err := s.readPage(ctx, name, esdb.Forwards, esdb.Revision(v), n)
	if err != nil {
		return tail{}, s.mapErr("append: read stream", stream, err)
	}
	t := tail{byID: make(map[string]store.Envelope, len(page))}
	for i := range page {
		env, err := decode(&page[i], s.cfg.StreamPrefix)
		if err != nil {
			return tail{}, fmt.Errorf("kurrent: append %s: %w", stream, err)
		}
		t.byID[env.ID] = env
	}
	return t, nil
}

// prior checks the tail for the ids of events. found is true when the
// append is a retry of one already stored (res is its result) or when the
// ids clash (err is store.ErrDuplicateEventID).
func prior(t tail, stream string, events []store.Event) (store.AppendResult, bool, error) {
	var res store.AppendResult
	seen := 0
	for i, ev := range events {
		old, ok := t.byID[ev.ID]
		if !ok {
			continue
		}
		seen++
		if old.Type != ev.Type || !bytes.Equal(old.Data, ev.Data) {
			return res, true, fmt.Errorf("kurrent: append %s: %w: event %d (id %s) is stored with another type or data", stream, store.ErrDuplicateEventID, i, ev.ID)
		}
		if i == 0 {
			res.FirstPosition = old.Position
		}
		if i == len(events)-1 {
			res.LastPosition = old.Position
			res.Version = old.Version
		}
	}
	switch {
	case seen == 0:
		return res, false, nil
	case seen < len(events):
		return store.AppendResult{}, true, fmt.Errorf("kurrent: append %s: %w: %d of %d event ids are stored already, mixed with new ones", stream, store.ErrDuplicateEventID, seen, len(events))
	}
	return res, true, nil
}

// write chains events onto t, appends them with the exact expected revision
// of t's last event, and returns where they landed. Errors are the
// client's, unmapped.
func (s *Store) write(ctx context.Context, name, stream string, t tail, ids []uuid.UUID, events []store.Event, now time.Time) (store.AppendResult, error) {
	data := make([]esdb.EventData, len(events))
	prev := t.hash
	for i, ev := range events {
		env := store.Envelope{
			ID:            ev.ID,
			Type:          ev.Type,
			Stream:        stream,
			Version:       t.version + uint64(i) + 1,
			RecordedAt:    ev.RecordedAt.UTC(),
			Actor:         ev.Actor,
			CorrelationID: ev.CorrelationID,
			Data:          ev.Data,
			PrevHash:      prev,
		}
		if ev.RecordedAt.IsZero() {
			env.RecordedAt = now
		}
		env.Hash = store.ComputeHash(&env, prev)
		prev = env.Hash
		meta, err := encodeMeta(&env)
		if err != nil {
			return store.AppendResult{}, err
		}
		data[i] = esdb.EventData{
			EventID:     ids[i],
			EventType:   ev.Type,
			ContentType: contentType(ev.Data),
			Data:        ev.Data,
			Metadata:    meta,
		}
	}
	var rev esdb.ExpectedRevision = esdb.NoStream{}
	if t.version > 0 {
		rev = esdb.Revision(t.version - 1)
	}
	var wr *esdb.WriteResult
	err := s.do(ctx, func(c *esdb.Client) error {
		octx, cancel := s.opContext(ctx, true)
		defer cancel()
		var err error
		wr, err = c.AppendToStream(octx, name, esdb.AppendToStreamOptions{ExpectedRevision: rev}, data...)
		return err
	})
	if err != nil {
		return store.AppendResult{}, err
	}
	last := t.version + uint64(len(events)) // our version of the last event
	res := store.AppendResult{Version: last}
	if wr.NextExpectedVersion != last-1 {
		return store.AppendResult{}, fmt.Errorf("kurrent: append %s: server reports revision %d after the append, want %d", stream, wr.NextExpectedVersion, last-1)
	}
	if len(events) == 1 && wr.CommitPosition != 0 && wr.CommitPosition != positionUnknown {
		res.FirstPosition, res.LastPosition = wr.CommitPosition, wr.CommitPosition
		s.noteHead(res.LastPosition)
		return res, nil
	}
	// The write result holds one position; read the events back (by
	// revision, so later appends do not matter) for each one's position.
	page, err := s.readPage(ctx, name, esdb.Backwards, esdb.Revision(last-1), len(events))
	if err != nil {
		return store.AppendResult{}, s.mapErr("append: read back positions", stream, err)
	}
	if len(page) != len(events) {
		return store.AppendResult{}, fmt.Errorf("kurrent: append %s: read back %d of %d appended events", stream, len(page), len(events))
	}
	for i := range page {
		ev := &page[len(page)-1-i]
		if ev.EventID != ids[i] {
			return store.AppendResult{}, fmt.Errorf("kurrent: append %s: read back event %d with id %s, want %s", stream, i, ev.EventID, ids[i])
		}
		if ev.Position.Commit == 0 || ev.Position.Commit == positionUnknown {
			return store.AppendResult{}, fmt.Errorf("kurrent: append %s: the server did not report the event's position (Spoor needs EventStoreDB 22.10 or later / KurrentDB)", stream)
		}
	}
	res.FirstPosition = page[len(page)-1].Position.Commit
	res.LastPosition = page[0].Position.Commit
	s.noteHead(res.LastPosition)
	return res, nil
}
