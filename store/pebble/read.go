package pebble

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/cockroachdb/pebble/v2"

	"spoor/store"
)

// Reads go in chunks: each chunk opens a Pebble iterator, decodes up to
// chunkEvents events (or chunkBytes of data) into a slice, closes the
// iterator and only then hands the events to the caller. So a slow consumer
// pins no memtable or sstable, holds nothing Close waits for, and never
// delays a writer.
const (
	chunkEvents = 512
	chunkBytes  = 4 << 20
)

// readEvents appends to dst the events at positions from..to (to must be
// durable), at most one chunk. Positions are dense: a missing one is
// reported as corruption, since everything up to the durable head was
// acknowledged.
func (s *Store) readEvents(from, to uint64, dst []store.Envelope, d *decoder) ([]store.Envelope, error) {
	if err := s.enter(); err != nil {
		return dst, err
	}
	defer s.leave()
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: eventKey(from), UpperBound: eventKey(to + 1)})
	if err != nil {
		return dst, fmt.Errorf("pebble: read from position %d: %w", from, err)
	}
	want, bytes := from, 0
	for ok := it.First(); ok && len(dst) < chunkEvents && bytes < chunkBytes; ok = it.Next() {
		pos, err := positionOfEventKey(it.Key())
		if err != nil {
			return dst, errors.Join(err, it.Close())
		}
		if pos != want {
			return dst, errors.Join(fmt.Errorf("pebble: position %d is missing (next stored is %d): %w", want, pos, ErrCorrupt), it.Close())
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return dst, errors.Join(fmt.Errorf("pebble: read position %d: %w", pos, err), it.Close())
		}
		dst = append(dst, store.Envelope{})
		if err := d.decode(pos, v, dst, len(dst)-1); err != nil {
			dst = dst[:len(dst)-1]
			d.finish(dst)
			return dst, errors.Join(fmt.Errorf("pebble: %w", err), it.Close())
		}
		bytes += len(v)
		want++
	}
	d.finish(dst)
	if err := it.Close(); err != nil {
		return dst, fmt.Errorf("pebble: read from position %d: %w", from, err)
	}
	if len(dst) == 0 && from <= to {
		return dst, fmt.Errorf("pebble: position %d is missing: %w", from, ErrCorrupt)
	}
	return dst, nil
}

// ReadAll implements store.Reader. It reads up to the durable head as it
// was when the sequence started: every event it yields was acknowledged,
// and none is skipped. Errors: store.ErrClosed, ctx.Err(), Pebble's read
// errors (a checksum mismatch names the file), or a missing or malformed
// record (named by position).
func (s *Store) ReadAll(ctx context.Context, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		from := max(from, 1) // per walk: the sequence can be walked again
		head := s.durable.Load()
		var d decoder
		var buf []store.Envelope
		for from <= head {
			if err := ctx.Err(); err != nil {
				yield(store.Envelope{}, err)
				return
			}
			var err error
			buf, err = s.readEvents(from, head, buf[:0], &d)
			for i := range buf {
				if !yield(buf[i], nil) {
					return
				}
			}
			if err != nil {
				yield(store.Envelope{}, err)
				return
			}
			from = buf[len(buf)-1].Position + 1
		}
	}
}

// Head implements store.Reader: the durable head.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.isClosed() {
		return 0, store.ErrClosed
	}
	return s.durable.Load(), nil
}

// StreamVersion implements store.Reader. It counts durable events only.
func (s *Store) StreamVersion(ctx context.Context, stream string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	head := s.durable.Load()
	if st, ok := s.streams.Load(stream); ok {
		if tip := st.(*streamState).tip.Load(); tip.lastPos <= head {
			return tip.version, nil
		}
	}
	version, _, err := s.lastIndexed(stream, head)
	return version, err
}

// ReadStream implements store.Reader. Like ReadAll it yields durable events
// only, up to the durable head as it was when the sequence started.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		from := max(from, 1) // per walk: the sequence can be walked again
		head := s.durable.Load()
		var d decoder
		var buf []store.Envelope
		first := true
		for {
			if err := ctx.Err(); err != nil {
				yield(store.Envelope{}, err)
				return
			}
			var err error
			buf, err = s.readStreamChunk(stream, from, head, buf[:0], &d)
			if err == nil && first && len(buf) == 0 {
				var v uint64
				if v, _, err = s.lastIndexedEntered(stream, head); err == nil && v == 0 {
					err = fmt.Errorf("pebble: stream %s: %w", stream, store.ErrStreamNotFound)
				}
			}
			first = false
			for i := range buf {
				if !yield(buf[i], nil) {
					return
				}
			}
			if err != nil {
				yield(store.Envelope{}, err)
				return
			}
			if len(buf) < chunkEvents {
				return
			}
			from = buf[len(buf)-1].Version + 1
		}
	}
}

func (s *Store) lastIndexedEntered(stream string, maxPos uint64) (version, pos uint64, err error) {
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	defer s.leave()
	return s.lastIndexed(stream, maxPos)
}

// readStreamChunk appends to dst up to chunkEvents events of stream from
// version from, stopping at the first one past head.
func (s *Store) readStreamChunk(stream string, from, head uint64, dst []store.Envelope, d *decoder) ([]store.Envelope, error) {
	if err := s.enter(); err != nil {
		return dst, err
	}
	defer s.leave()
	p := streamPrefix(stream)
	idx, err := s.db.NewIter(&pebble.IterOptions{LowerBound: appendStreamKey(nil, stream, from), UpperBound: prefixEnd(p)})
	if err != nil {
		return dst, fmt.Errorf("pebble: stream %s: %w", stream, err)
	}
	events, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixEvent), UpperBound: prefixEnd(prefixEvent)})
	if err != nil {
		return dst, errors.Join(fmt.Errorf("pebble: stream %s: %w", stream, err), idx.Close())
	}
	err = func() error {
		want := from
		var key []byte
		for ok := idx.First(); ok && len(dst) < chunkEvents; ok = idx.Next() {
			_, version, err := decodeStreamKey(idx.Key())
			if err != nil {
				return err
			}
			pos, err := decodePosition(idx.Value())
			if err != nil {
				return fmt.Errorf("version %d: %w", version, err)
			}
			if pos > head {
				return nil
			}
			if version != want {
				return fmt.Errorf("version %d is missing from the index: %w", want, ErrCorrupt)
			}
			key = appendEventKey(key[:0], pos)
			if !events.SeekGE(key) || !bytesEqual(events.Key(), key) {
				if err := events.Error(); err != nil {
					return fmt.Errorf("version %d at position %d: %w", version, pos, err)
				}
				return fmt.Errorf("version %d: position %d is missing: %w", version, pos, ErrCorrupt)
			}
			v, err := events.ValueAndErr()
			if err != nil {
				return fmt.Errorf("version %d at position %d: %w", version, pos, err)
			}
			dst = append(dst, store.Envelope{})
			if err := d.decode(pos, v, dst, len(dst)-1); err != nil {
				dst = dst[:len(dst)-1]
				return err
			}
			if e := &dst[len(dst)-1]; e.Stream != stream || e.Version != version {
				dst = dst[:len(dst)-1]
				return fmt.Errorf("index entry version %d points at position %d, which holds version %d of another or the same stream: %w",
					version, pos, dst[len(dst)-1].Version, ErrCorrupt)
			}
			want++
		}
		return idx.Error()
	}()
	d.finish(dst)
	err = errors.Join(err, idx.Close(), events.Close())
	if err != nil {
		return dst, fmt.Errorf("pebble: stream %s: %w", stream, err)
	}
	return dst, nil
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// Subscribe implements store.Subscriber. It reads in chunks up to the
// durable head; when it has caught up it waits for the head to move. Each
// event is handed over once, in position order, and only once durable.
func (s *Store) Subscribe(ctx context.Context, from uint64, handle func(store.Envelope) error) error {
	from = max(from, 1)
	var d decoder
	var buf []store.Envelope
	for {
		if s.isClosed() {
			return store.ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		moved := s.advance.wait()
		head := s.durable.Load()
		if from > head {
			select {
			case <-moved:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-s.done:
				return store.ErrClosed
			}
		}
		var err error
		buf, err = s.readEvents(from, head, buf[:0], &d)
		for i := range buf {
			if s.isClosed() {
				return store.ErrClosed
			}
			if herr := handle(buf[i]); herr != nil {
				return fmt.Errorf("pebble: subscription handler at position %d: %w", buf[i].Position, herr)
			}
			from = buf[i].Position + 1
		}
		if err != nil {
			return err
		}
	}
}
