package store

import (
	"fmt"
	"time"
)

// Actor is who caused an event: a user id and the role they acted in. System
// processes use UserID "system".
type Actor struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

// Event is an event proposed for appending. ID is the idempotency key (a UUID
// string chosen by the caller). Type is a stable name such as
// "ContactLogged". Data is stored byte for byte. RecordedAt may be left zero,
// in which case the store stamps it with its clock; it is stored in UTC with
// nanosecond precision.
type Event struct {
	ID            string
	Type          string
	Actor         Actor
	CorrelationID string
	RecordedAt    time.Time
	Data          []byte
}

// Envelope is a stored event as every backend returns it. Data is a copy that
// the caller owns.
type Envelope struct {
	ID            string
	Type          string
	Stream        string
	Version       uint64 // 1-based, no gaps within a stream
	Position      uint64 // global order, strictly increasing, > 0
	RecordedAt    time.Time
	Actor         Actor
	CorrelationID string
	Data          []byte
	PrevHash      Hash // Hash of the previous event in the stream; zero for version 1
	Hash          Hash // see ComputeHash
}

// ExpectedVersion is what an append requires of the stream: AnyVersion,
// NoStream (the stream has no events), or ExactVersion(v) (the stream's last
// version is v, v >= 1).
type ExpectedVersion int64

const (
	// AnyVersion appends whatever the stream's version is.
	AnyVersion ExpectedVersion = -1
	// NoStream requires that the stream has no events yet.
	NoStream ExpectedVersion = 0
	// StreamExists requires that the stream has at least one event.
	StreamExists ExpectedVersion = -2
)

// ExactVersion requires the stream's last version to be v. ExactVersion(0)
// equals NoStream.
func ExactVersion(v uint64) ExpectedVersion { return ExpectedVersion(v) }

// Allows reports whether a stream whose last version is current (0: no
// events) satisfies e.
func (e ExpectedVersion) Allows(current uint64) bool {
	switch {
	case e == AnyVersion:
		return true
	case e == StreamExists:
		return current > 0
	case e >= 0:
		return uint64(e) == current
	default:
		return false
	}
}

// String names the expectation for error messages.
func (e ExpectedVersion) String() string {
	switch {
	case e == AnyVersion:
		return "any"
	case e == StreamExists:
		return "stream exists"
	case e == NoStream:
		return "no stream"
	default:
		return fmt.Sprintf("version %d", int64(e))
	}
}

// AppendResult says where an append's events landed: the stream's last version
// after the append and the global positions of its first and last event.
type AppendResult struct {
	Version       uint64
	FirstPosition uint64
	LastPosition  uint64
}

// MaxEventData bounds an event's data. Larger events are ErrInvalidEvent.
const MaxEventData = 1 << 20

// MaxAppendEvents bounds how many events one append may carry.
const MaxAppendEvents = 1000

// MaxAppendBytes bounds the data of all events of one append together, so
// that a backend never holds more than this (twice, at most) in memory for
// one call.
const MaxAppendBytes = 16 << 20

// ValidateAppend checks an append request for what every backend refuses
// alike: an empty stream name, no events, too many events, an event without
// id or type, data over MaxEventData, more than MaxAppendBytes of data in
// all, an id repeated within the request.
// Errors wrap ErrInvalidEvent and name the field, never the data.
func ValidateAppend(stream string, expected ExpectedVersion, events []Event) error {
	if stream == "" {
		return fmt.Errorf("%w: stream name is empty", ErrInvalidEvent)
	}
	if len(stream) > 200 {
		return fmt.Errorf("%w: stream name longer than 200 bytes", ErrInvalidEvent)
	}
	if expected < StreamExists {
		return fmt.Errorf("%w: expected version %d is not valid", ErrInvalidEvent, int64(expected))
	}
	if len(events) == 0 {
		return fmt.Errorf("%w: no events to append", ErrInvalidEvent)
	}
	if len(events) > MaxAppendEvents {
		return fmt.Errorf("%w: %d events in one append, at most %d", ErrInvalidEvent, len(events), MaxAppendEvents)
	}
	seen := make(map[string]struct{}, len(events))
	total := 0
	for i, ev := range events {
		total += len(ev.Data)
		if total > MaxAppendBytes {
			return fmt.Errorf("%w: the events' data exceeds %d bytes in one append", ErrInvalidEvent, MaxAppendBytes)
		}
		switch {
		case ev.ID == "":
			return fmt.Errorf("%w: event %d has no id", ErrInvalidEvent, i)
		case len(ev.ID) > 100:
			return fmt.Errorf("%w: event %d: id longer than 100 bytes", ErrInvalidEvent, i)
		case ev.Type == "":
			return fmt.Errorf("%w: event %d has no type", ErrInvalidEvent, i)
		case len(ev.Type) > 100:
			return fmt.Errorf("%w: event %d: type longer than 100 bytes", ErrInvalidEvent, i)
		case len(ev.Data) > MaxEventData:
			return fmt.Errorf("%w: event %d: data is %d bytes, at most %d", ErrInvalidEvent, i, len(ev.Data), MaxEventData)
		}
		if _, dup := seen[ev.ID]; dup {
			return fmt.Errorf("%w: event %d repeats id %s within one append", ErrInvalidEvent, i, ev.ID)
		}
		seen[ev.ID] = struct{}{}
	}
	return nil
}
