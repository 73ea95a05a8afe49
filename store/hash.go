package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// Hash is a SHA-256 digest.
type Hash [32]byte

// IsZero reports whether h is the zero hash (the PrevHash of version 1).
func (h Hash) IsZero() bool { return h == Hash{} }

// String is the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// hashDomain separates Spoor's event hashes from any other SHA-256 use.
const hashDomain = "spoor-event-v1"

// ComputeHash returns the chain hash of an event: SHA-256 over a
// length-prefixed encoding of a domain tag, the event id, stream, version,
// type, recorded-at (Unix nanoseconds, UTC), actor user and role, correlation
// id, the stored data bytes, and prev (the hash of the previous event in the
// stream, zero for version 1). Position is not covered: the Merkle tree over
// the global order covers it. Every backend stores exactly this value in
// Envelope.Hash, and Verify recomputes it.
func ComputeHash(e *Envelope, prev Hash) Hash {
	h := sha256.New()
	var buf [8]byte
	writeField := func(b []byte) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(b)))
		h.Write(buf[:])
		h.Write(b)
	}
	writeString := func(s string) { writeField([]byte(s)) }
	writeString(hashDomain)
	writeString(e.ID)
	writeString(e.Stream)
	writeUint(h, e.Version)
	writeString(e.Type)
	writeUint(h, uint64(e.RecordedAt.UnixNano()))
	writeString(e.Actor.UserID)
	writeString(e.Actor.Role)
	writeString(e.CorrelationID)
	writeField(e.Data)
	h.Write(prev[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

func writeUint(h hash.Hash, v uint64) {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	h.Write(buf[:])
}
