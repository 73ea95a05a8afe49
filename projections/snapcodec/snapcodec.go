// Package snapcodec holds the primitives of the binary snapshot encodings
// of the read models: a Writer that appends them to a []byte and a Reader
// that reads them back.
//
// The encoding of each primitive is fixed (snapshots on disk depend on it):
//   - Uvarint, Varint: encoding/binary's uvarint and zig-zag varint;
//   - Byte: the byte itself; Bool: one byte, 0 or 1;
//   - String, Bytes: a uvarint length, then the bytes;
//   - Date: the uvarint yyyymmdd key, 0 for the zero date;
//   - Time: a presence byte (0: the zero instant, nothing follows; 1), then
//     Unix seconds (varint), nanoseconds (uvarint) and the zone offset in
//     seconds (varint).
//
// Neither type is safe for concurrent use; each is meant for one encoding
// or decoding at a time.
package snapcodec

import (
	"encoding/binary"
	"errors"
	"time"

	"spoor/domain"
)

// ErrTruncated is what Reader.Err returns when the data ended before a
// value, or a length or count promised more than was left.
var ErrTruncated = errors.New("snapcodec: truncated")

// ErrMalformed is what Reader.Err returns for a value that no Writer
// writes: an over-long or overflowing varint, a presence or bool byte other
// than 0 and 1, a date key or instant out of range, a number too large for
// its type, or whatever the caller rejected with Fail.
var ErrMalformed = errors.New("snapcodec: malformed")

// maxDateKey is the largest yyyymmdd key a Reader accepts.
const maxDateKey = 99991231

// maxZoneOffset bounds a zone offset in seconds (a day either way).
const maxZoneOffset = 86400

// Writer appends the binary form of primitives to a byte slice. The zero
// Writer starts from an empty slice. Its methods never fail.
type Writer struct{ b []byte }

// NewWriter returns a Writer that appends to b (which may be nil).
func NewWriter(b []byte) *Writer { return &Writer{b: b} }

// Bytes returns what was appended so far, including the slice the Writer
// was given; it aliases the Writer's buffer.
func (w *Writer) Bytes() []byte { return w.b }

// Uvarint appends v as a uvarint.
func (w *Writer) Uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }

// Varint appends v as a zig-zag varint.
func (w *Writer) Varint(v int64) { w.b = binary.AppendVarint(w.b, v) }

// Byte appends c as it is.
func (w *Writer) Byte(c byte) { w.b = append(w.b, c) }

// Bool appends one byte: 1 for true, 0 for false.
func (w *Writer) Bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// String appends the length of s as a uvarint, then s.
func (w *Writer) String(s string) {
	w.Uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// BytesField appends the length of p as a uvarint, then p (the form of
// String).
func (w *Writer) BytesField(p []byte) {
	w.Uvarint(uint64(len(p)))
	w.b = append(w.b, p...)
}

// Date appends d as the uvarint of its yyyymmdd key, 0 for the zero date.
func (w *Writer) Date(d domain.Date) {
	if d.IsZero() {
		w.Uvarint(0)
		return
	}
	w.Uvarint(uint64(d.Year()*10000 + int(d.Month())*100 + d.Day()))
}

// Time appends t: 0 for the zero instant, else 1, Unix seconds (varint),
// nanoseconds (uvarint) and zone offset in seconds (varint). The zone's
// name is not kept.
func (w *Writer) Time(t time.Time) {
	if t.IsZero() {
		w.b = append(w.b, 0)
		return
	}
	_, off := t.Zone()
	w.b = append(w.b, 1)
	w.Varint(t.Unix())
	w.Uvarint(uint64(t.Nanosecond()))
	w.Varint(int64(off))
}

// Reader reads the primitives a Writer wrote. It keeps the first error it
// meets; after it, every method returns the zero value and reads nothing.
// Strings it returns share one copy of the data.
type Reader struct {
	s   string
	i   int
	err error
}

// NewReader returns a Reader over a copy of data.
func NewReader(data []byte) *Reader { return &Reader{s: string(data)} }

// Err returns the first error met (ErrTruncated or ErrMalformed), or nil.
func (r *Reader) Err() error { return r.err }

// Len returns the number of bytes not yet read.
func (r *Reader) Len() int { return len(r.s) - r.i }

// Fail records err (when no error was recorded yet), so that the reads
// after it return zero values; callers use it for a value of the right
// form that their own type rejects. A nil err records ErrMalformed.
func (r *Reader) Fail(err error) {
	if r.err != nil {
		return
	}
	if err == nil {
		err = ErrMalformed
	}
	r.err = err
}

// Uvarint reads a uvarint. Over ten bytes, or a value over 64 bits, is
// ErrMalformed; data that ends inside it is ErrTruncated.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	s := r.s[r.i:]
	var x uint64
	var sh uint
	for i := 0; i < len(s); i++ {
		if i == binary.MaxVarintLen64 {
			r.err = ErrMalformed
			return 0
		}
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				r.err = ErrMalformed
				return 0
			}
			r.i += i + 1
			return x | uint64(c)<<sh
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
	}
	r.err = ErrTruncated
	return 0
}

// Varint reads a zig-zag varint, with the errors of Uvarint.
func (r *Reader) Varint() int64 {
	u := r.Uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// Int reads a varint that must fit an int32 (ErrMalformed otherwise).
func (r *Reader) Int() int {
	x := r.Varint()
	if x < -1<<31 || x > 1<<31-1 {
		r.Fail(ErrMalformed)
		return 0
	}
	return int(x)
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.err != nil {
		return 0
	}
	if r.i >= len(r.s) {
		r.err = ErrTruncated
		return 0
	}
	c := r.s[r.i]
	r.i++
	return c
}

// Bool reads one byte that must be 0 or 1 (ErrMalformed otherwise).
func (r *Reader) Bool() bool {
	switch r.Byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.Fail(ErrMalformed)
	return false
}

// String reads a uvarint length and that many bytes; a length beyond the
// data left is ErrTruncated.
func (r *Reader) String() string {
	n := r.Uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)-r.i) {
		r.err = ErrTruncated
		return ""
	}
	v := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return v
}

// BytesField reads what Writer.BytesField wrote, as a new slice (nil for
// an empty one), with the errors of String.
func (r *Reader) BytesField() []byte {
	s := r.String()
	if s == "" {
		return nil
	}
	return []byte(s)
}

// Date reads a yyyymmdd key (0: the zero date); a key over 99991231 is
// ErrMalformed.
func (r *Reader) Date() domain.Date {
	k := r.Uvarint()
	if k == 0 || r.err != nil {
		return domain.Date{}
	}
	if k > maxDateKey {
		r.err = ErrMalformed
		return domain.Date{}
	}
	return domain.NewDate(int(k/10000), time.Month(k/100%100), int(k%100))
}

// Time reads what Writer.Time wrote. A presence byte other than 0 and 1,
// nanoseconds of a second or more, or an offset beyond a day is
// ErrMalformed. An offset of 0 gives a UTC instant (as encoding/json reads
// "Z"), any other a time.FixedZone without a name.
func (r *Reader) Time() time.Time {
	switch r.Byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.Fail(ErrMalformed)
		return time.Time{}
	}
	sec, nsec, off := r.Varint(), r.Uvarint(), r.Varint()
	if r.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 || off < -maxZoneOffset || off > maxZoneOffset {
		r.err = ErrMalformed
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}

// Count reads a uvarint count of items that each take at least one byte:
// a count beyond the bytes left is ErrTruncated, so that a caller may
// allocate it.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.s)-r.i) {
		r.err = ErrTruncated
		return 0
	}
	return int(n)
}
