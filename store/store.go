package store

import (
	"context"
	"iter"
)

// Appender appends events to one stream.
type Appender interface {
	// Append writes events to stream, in order, if the stream satisfies
	// expected, and returns where they landed. It is all or nothing: on any
	// error nothing was written. When it returns nil the events are durable.
	//
	// Errors: ErrInvalidEvent (see ValidateAppend), ErrVersionConflict
	// (wrapped with the stream, the expected and the actual version),
	// ErrDuplicateEventID, ErrClosed, or the backend's I/O error.
	//
	// Idempotency: if every event's id is already stored, in this stream, with
	// the same type and data, Append returns the AppendResult of the original
	// append (Version is the version of the last of these events) and writes
	// nothing, whatever expected says.
	//
	// Append is safe for concurrent use. Appends to different streams proceed
	// in parallel and share disk syncs; appends to one stream are serialised
	// by the version check.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events []Event) (AppendResult, error)
}

// Reader reads stored events. The sequences ReadStream and ReadAll return
// can be walked more than once (each walk reads afresh from its from) and
// by several goroutines at a time.
type Reader interface {
	// ReadStream yields the events of stream in version order, starting at
	// version from (1 for the beginning; 0 is read as 1). A stream without
	// events yields one ErrStreamNotFound and stops. A from past the end
	// yields nothing. Errors end the sequence.
	ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[Envelope, error]

	// ReadAll yields every event with Position >= from in global order
	// (0 for the beginning). It reads a consistent prefix: it never yields an
	// event while an earlier position is still missing. Errors end the
	// sequence.
	ReadAll(ctx context.Context, from uint64) iter.Seq2[Envelope, error]

	// StreamVersion returns the last version of stream, 0 if it has none.
	StreamVersion(ctx context.Context, stream string) (uint64, error)

	// Head returns the position of the last durable event, 0 if the store is
	// empty.
	Head(ctx context.Context) (uint64, error)
}

// Subscriber follows the global order.
type Subscriber interface {
	// Subscribe calls handle for every event with Position >= from, in global
	// order, first the stored ones (catch-up) and then, without a gap or a
	// duplicate, each new one once it is durable (live). It blocks until ctx
	// is done (returning ctx.Err()), handle returns an error (returned
	// wrapped), or the store is closed (ErrClosed). handle runs on the
	// subscription's goroutine; a slow handler slows only its subscription.
	Subscribe(ctx context.Context, from uint64, handle func(Envelope) error) error
}

// Store is what every backend implements.
type Store interface {
	Appender
	Reader
	Subscriber
	// Close releases the backend. Appends after Close return ErrClosed;
	// running subscriptions end with ErrClosed.
	Close() error
}
