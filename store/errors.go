package store

import "errors"

// Sentinel errors. Backends wrap them with context (the stream, the versions
// involved) and callers test them with errors.Is. Error texts never contain
// personal data: streams are named by opaque identifiers only.
var (
	// ErrVersionConflict: the stream was not at the expected version. Nothing
	// was written. Callers reload the stream, decide again and retry.
	ErrVersionConflict = errors.New("version conflict")

	// ErrStreamNotFound: the stream has no events.
	ErrStreamNotFound = errors.New("stream not found")

	// ErrDuplicateEventID: an event id that is already stored was appended
	// again with other content, in another stream, or mixed with new events.
	ErrDuplicateEventID = errors.New("event id already used with other content")

	// ErrInvalidEvent: an event or an append request is malformed (empty type,
	// empty stream name, missing id, no events, data too large). Nothing was
	// written.
	ErrInvalidEvent = errors.New("invalid event")

	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")

	// ErrTampered: Verify found an event, a link or a checkpoint that does not
	// match what was recomputed. Returned wrapped in a *VerifyError.
	ErrTampered = errors.New("ledger does not verify")

	// ErrKeyDestroyed: the data key of this sealing scope was destroyed
	// (crypto-shredding); sealed data under it can no longer be read or written.
	ErrKeyDestroyed = errors.New("data key destroyed")

	// ErrKeyNotFound: the key store holds no key for this scope.
	ErrKeyNotFound = errors.New("data key not found")

	// ErrBadKey: a key-encryption key or a wrapped key is malformed or does
	// not decrypt (wrong key-encryption key).
	ErrBadKey = errors.New("bad key")

	// ErrBadPayload: event data is not a well-formed Payload, or its sealed
	// part does not authenticate (tampered, moved from another event or
	// scope, or sealed under another data key). Error texts never contain
	// the data.
	ErrBadPayload = errors.New("bad payload")

	// ErrInvalidScope: a sealing scope name is empty, too long, or holds a
	// character outside [A-Za-z0-9._:-]. Nothing was written.
	ErrInvalidScope = errors.New("invalid sealing scope")
)
