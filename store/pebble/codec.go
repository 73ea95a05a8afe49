package pebble

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"spoor/store"
)

// Key ranges. Every key starts with a one-letter range tag and a slash.
const (
	// prefixEvent + position (8 bytes, big-endian) -> record (see appendRecord).
	prefixEvent = "e/"
	// prefixStream + uvarint(len(stream)) + stream + version (8 bytes,
	// big-endian) -> position (8 bytes, big-endian).
	prefixStream = "s/"
	// prefixID + event id -> position (8 bytes, big-endian).
	prefixID = "i/"
)

// recordFormat1 is the first byte of every record written by this package.
// A later layout gets a new number; decodeRecord refuses numbers it does not
// know.
const recordFormat1 = 1

// recordFixed is the size of a record's fixed-width head: format byte,
// version, recorded-at nanoseconds, previous hash, hash.
const recordFixed = 1 + 8 + 8 + 32 + 32

// ErrCorrupt: a stored record, key or index entry is malformed or missing,
// or the indexes disagree with the events. The error that wraps it names the
// position, stream and version. (Pebble's own checksum errors are returned
// as Pebble reports them, naming the file.)
var ErrCorrupt = errors.New("stored data is corrupt")

func eventKey(pos uint64) []byte {
	k := make([]byte, 0, len(prefixEvent)+8)
	return binary.BigEndian.AppendUint64(append(k, prefixEvent...), pos)
}

func appendEventKey(dst []byte, pos uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, prefixEvent...), pos)
}

// streamPrefix is the key prefix of all index entries of stream. The length
// prefix keeps one stream's range from containing another's, whatever bytes
// stream names hold.
func streamPrefix(stream string) []byte {
	k := make([]byte, 0, len(prefixStream)+binary.MaxVarintLen64+len(stream)+8)
	k = binary.AppendUvarint(append(k, prefixStream...), uint64(len(stream)))
	return append(k, stream...)
}

func appendStreamKey(dst []byte, stream string, version uint64) []byte {
	dst = binary.AppendUvarint(append(dst, prefixStream...), uint64(len(stream)))
	dst = append(dst, stream...)
	return binary.BigEndian.AppendUint64(dst, version)
}

func appendIDKey(dst []byte, id string) []byte {
	return append(append(dst, prefixID...), id...)
}

// decodeStreamKey splits an index key into stream and version.
func decodeStreamKey(k []byte) (stream []byte, version uint64, err error) {
	if len(k) < len(prefixStream) {
		return nil, 0, ErrCorrupt
	}
	rest := k[len(prefixStream):]
	n, w := binary.Uvarint(rest)
	if w <= 0 || uint64(len(rest)-w) != n+8 {
		return nil, 0, fmt.Errorf("%w: index key of %d bytes", ErrCorrupt, len(k))
	}
	return rest[w : w+int(n)], binary.BigEndian.Uint64(rest[w+int(n):]), nil
}

// decodePosition reads an 8-byte big-endian position value.
func decodePosition(v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: position value of %d bytes", ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// positionOfEventKey reads the position from an event key.
func positionOfEventKey(k []byte) (uint64, error) {
	if len(k) != len(prefixEvent)+8 {
		return 0, fmt.Errorf("%w: event key of %d bytes", ErrCorrupt, len(k))
	}
	return binary.BigEndian.Uint64(k[len(prefixEvent):]), nil
}

// appendRecord encodes e (without its position, which is the key) after dst:
//
//	format (1) | version (8) | recorded-at Unix nanoseconds (8) | prev hash (32) | hash (32) |
//	uvarint-prefixed id, type, stream, actor user id, actor role, correlation id, data
//
// The fixed-width head comes first so that the hash and version are found
// without parsing. Data is the last field and runs to the end of the record.
func appendRecord(dst []byte, e *store.Envelope) []byte {
	dst = append(dst, recordFormat1)
	dst = binary.BigEndian.AppendUint64(dst, e.Version)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.RecordedAt.UnixNano()))
	dst = append(dst, e.PrevHash[:]...)
	dst = append(dst, e.Hash[:]...)
	for _, s := range [...]string{e.ID, e.Type, e.Stream, e.Actor.UserID, e.Actor.Role, e.CorrelationID} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.Data)))
	return append(dst, e.Data...)
}

// recordSize bounds the encoded size of e, for sizing buffers.
func recordSize(e *store.Envelope) int {
	return recordFixed + 7*binary.MaxVarintLen64 + len(e.ID) + len(e.Type) + len(e.Stream) +
		len(e.Actor.UserID) + len(e.Actor.Role) + len(e.CorrelationID) + len(e.Data)
}

// rawRecord is a record split into its fields, each aliasing the stored
// bytes.
type rawRecord struct {
	version    uint64
	recordedAt int64
	prevHash   []byte
	hash       []byte
	fields     [6][]byte // id, type, stream, user, role, correlation id
	data       []byte
}

const (
	fieldID = iota
	fieldType
	fieldStream
	fieldUser
	fieldRole
	fieldCorrelation
)

// splitRecord parses v without copying.
func splitRecord(v []byte, r *rawRecord) error {
	if len(v) < recordFixed {
		return fmt.Errorf("%w: %d bytes", ErrCorrupt, len(v))
	}
	if v[0] != recordFormat1 {
		return fmt.Errorf("%w: unknown format %d", ErrCorrupt, v[0])
	}
	r.version = binary.BigEndian.Uint64(v[1:])
	r.recordedAt = int64(binary.BigEndian.Uint64(v[9:]))
	r.prevHash = v[17:49]
	r.hash = v[49:81]
	rest := v[recordFixed:]
	for i := range r.fields {
		n, w := binary.Uvarint(rest)
		if w <= 0 || uint64(len(rest)-w) < n {
			return fmt.Errorf("%w: field %d", ErrCorrupt, i)
		}
		r.fields[i] = rest[w : w+int(n)]
		rest = rest[w+int(n):]
	}
	n, w := binary.Uvarint(rest)
	if w <= 0 || uint64(len(rest)-w) != n {
		return fmt.Errorf("%w: data length", ErrCorrupt)
	}
	r.data = rest[w:]
	return nil
}

// interner shares the strings that repeat across events (types, streams,
// actors, roles, correlation ids of one command) between the envelopes of
// one read, so that decoding a long scan allocates once per distinct value
// instead of once per event. Each field first compares with the value it
// had in the previous event (runs of one type or one actor are common),
// then looks in a bounded map.
type interner struct {
	m    map[string]string
	last [6]string // last string per record field
}

// maxInterned bounds an interner; past it, strings are allocated per event.
const maxInterned = 4096

func (in *interner) str(field int, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if last := in.last[field]; last == string(b) { // no allocation for the comparison
		return last
	}
	s, ok := in.m[string(b)] // nor for the lookup
	if !ok {
		s = string(b)
		if in.m == nil {
			in.m = make(map[string]string, 64)
		}
		if len(in.m) < maxInterned {
			in.m[s] = s
		}
	}
	in.last[field] = s
	return s
}

// decoder decodes the records of one chunk of a read into envelopes. Data
// is copied per event (the caller owns it, and keeping one event's data
// must not keep a whole chunk alive). Ids and correlation ids are gathered
// in one buffer and turned into one string per chunk (finish), which the
// envelopes' strings share: keeping ids keeps at most the chunk's ids
// alive. Other strings come from the interner, which lives for the whole
// read.
type decoder struct {
	in      interner
	arena   []byte
	pending []pendingString
}

// pendingString is a string field of dst[env] waiting for finish.
type pendingString struct {
	env      int
	field    int // fieldID or fieldCorrelation
	off, end int
}

// decode fills dst[i] (but for its id and correlation id, which finish
// sets) from the record v stored at position pos.
func (d *decoder) decode(pos uint64, v []byte, dst []store.Envelope, i int) error {
	var r rawRecord
	if err := splitRecord(v, &r); err != nil {
		return fmt.Errorf("position %d: %w", pos, err)
	}
	e := &dst[i]
	e.Data = append(make([]byte, 0, len(r.data)), r.data...)
	e.ID, e.CorrelationID = "", ""
	d.stage(i, fieldID, r.fields[fieldID])
	if corr := r.fields[fieldCorrelation]; len(corr) > 0 {
		if last := d.in.last[fieldCorrelation]; last == string(corr) {
			e.CorrelationID = last
		} else {
			d.stage(i, fieldCorrelation, corr)
		}
	}
	e.Type = d.in.str(fieldType, r.fields[fieldType])
	e.Stream = d.in.str(fieldStream, r.fields[fieldStream])
	e.Actor = store.Actor{UserID: d.in.str(fieldUser, r.fields[fieldUser]), Role: d.in.str(fieldRole, r.fields[fieldRole])}
	e.Version = r.version
	e.Position = pos
	e.RecordedAt = time.Unix(0, r.recordedAt).UTC()
	copy(e.PrevHash[:], r.prevHash)
	copy(e.Hash[:], r.hash)
	return nil
}

func (d *decoder) stage(env, field int, b []byte) {
	off := len(d.arena)
	d.arena = append(d.arena, b...)
	d.pending = append(d.pending, pendingString{env: env, field: field, off: off, end: len(d.arena)})
}

// finish sets the staged strings of dst (the slice decode filled) and
// resets the buffer for the next chunk.
func (d *decoder) finish(dst []store.Envelope) {
	all := string(d.arena)
	for _, p := range d.pending {
		if p.env >= len(dst) {
			continue // dropped after a decoding error
		}
		s := all[p.off:p.end]
		if p.field == fieldID {
			dst[p.env].ID = s
		} else {
			dst[p.env].CorrelationID = s
			d.in.last[fieldCorrelation] = s
		}
	}
	d.arena, d.pending = d.arena[:0], d.pending[:0]
}

// decodeEnvelope decodes one record on its own.
func decodeEnvelope(pos uint64, v []byte, e *store.Envelope) error {
	var d decoder
	one := []store.Envelope{{}}
	if err := d.decode(pos, v, one, 0); err != nil {
		return err
	}
	d.finish(one)
	*e = one[0]
	return nil
}
