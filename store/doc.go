// Package store is Spoor's event-store contract: the envelope every event is
// kept in, the interfaces every backend implements, the sentinel errors callers
// test with errors.Is, the per-stream hash chain, the RFC 6962 Merkle tree over
// the global order with signed checkpoints, Verify, and the sealing of personal
// data under per-family keys that can be destroyed (crypto-shredding).
//
// # Design
//
// The store sees bytes. It does not know what a ContactLogged or a
// SpendRecorded is; the domain package does, and encodes its events to
// (type, data) pairs before they reach a backend. A backend keeps, per
// event, the envelope below and guarantees:
//
//   - Streams. Every event belongs to one stream (family-<id>, access-<id>,
//     staff-<id>, team, ...). Versions within a stream start at 1 and have no
//     gaps. Appends name the version they expect the stream to be at
//     (ExpectedVersion); a mismatch fails the whole append with
//     ErrVersionConflict and writes nothing.
//   - The global order. Every event has a position that is strictly greater
//     than the position of every event appended before it. Positions need not
//     be dense (KurrentDB's are not), but Pebble's are: 1, 2, 3, ...
//   - Idempotency. Every event carries an id chosen by the caller (a UUID). An
//     append whose events all exist already, with the same content and in the
//     same stream, returns the original AppendResult and writes nothing. The
//     same id with other content is ErrDuplicateEventID.
//   - Durability. When Append returns nil the events survive a crash of the
//     process or the machine.
//   - Tamper evidence. Each event's Hash covers its id, stream, version, type,
//     recorded-at, actor, correlation id, the exact stored bytes of its data,
//     and the Hash of the previous event in the same stream (PrevHash; zero
//     for version 1). The global order is the leaf order of an RFC 6962 Merkle
//     tree whose heads are signed as checkpoints (see Checkpointer) and kept
//     in the log itself, in the stream CheckpointStream. Verify recomputes all
//     of it and names the first event that does not match.
//
// # Personal data
//
// An event's data is a Payload: a public part (identifiers, dates, amounts,
// codes: everything statistics need) and an optional sealed part encrypted
// with AES-256-GCM under a data key that belongs to one family. Data keys are
// wrapped with a key-encryption key and kept in a KeyStore, outside the
// immutable log. Destroying a family's key (crypto-shredding) makes every copy
// of its sealed data unreadable, backups of the log included, while the public
// parts, the hash chains and the Merkle tree stay intact: Verify still passes.
package store
