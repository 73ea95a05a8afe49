package snapcodec

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"spoor/domain"
)

// primitive is one value written and read back.
type primitive struct {
	name  string
	write func(*Writer)
	// read reads the value and reports whether it equals what was written.
	read func(*Reader) bool
}

func primitives() []primitive {
	brussels := time.FixedZone("", 3600)
	t1 := time.Date(2026, 3, 29, 1, 59, 59, 123456789, brussels)
	t2 := time.Date(1969, 12, 31, 23, 0, 0, 1, time.UTC)
	d := domain.NewDate(2026, time.February, 28)
	return []primitive{
		{"uvarint 0", func(w *Writer) { w.Uvarint(0) }, func(r *Reader) bool { return r.Uvarint() == 0 }},
		{"uvarint max", func(w *Writer) { w.Uvarint(math.MaxUint64) }, func(r *Reader) bool { return r.Uvarint() == math.MaxUint64 }},
		{"varint min", func(w *Writer) { w.Varint(math.MinInt64) }, func(r *Reader) bool { return r.Varint() == math.MinInt64 }},
		{"varint -300", func(w *Writer) { w.Varint(-300) }, func(r *Reader) bool { return r.Varint() == -300 }},
		{"int max int32", func(w *Writer) { w.Varint(math.MaxInt32) }, func(r *Reader) bool { return r.Int() == math.MaxInt32 }},
		{"int min int32", func(w *Writer) { w.Varint(math.MinInt32) }, func(r *Reader) bool { return r.Int() == math.MinInt32 }},
		{"byte", func(w *Writer) { w.Byte(0xfe) }, func(r *Reader) bool { return r.Byte() == 0xfe }},
		{"bool true", func(w *Writer) { w.Bool(true) }, func(r *Reader) bool { return r.Bool() }},
		{"bool false", func(w *Writer) { w.Bool(false) }, func(r *Reader) bool { return !r.Bool() }},
		{"string", func(w *Writer) { w.String("gezin Peeters") }, func(r *Reader) bool { return r.String() == "gezin Peeters" }},
		{"string empty", func(w *Writer) { w.String("") }, func(r *Reader) bool { return r.String() == "" }},
		{"bytes", func(w *Writer) { w.BytesField([]byte{0, 1, 2}) }, func(r *Reader) bool { return bytes.Equal(r.BytesField(), []byte{0, 1, 2}) }},
		{"bytes empty", func(w *Writer) { w.BytesField(nil) }, func(r *Reader) bool { return r.BytesField() == nil }},
		{"date", func(w *Writer) { w.Date(d) }, func(r *Reader) bool { return r.Date() == d }},
		{"date zero", func(w *Writer) { w.Date(domain.Date{}) }, func(r *Reader) bool { return r.Date().IsZero() }},
		{"time with offset", func(w *Writer) { w.Time(t1) }, func(r *Reader) bool {
			got := r.Time()
			_, off := got.Zone()
			return got.Equal(t1) && off == 3600
		}},
		{"time UTC", func(w *Writer) { w.Time(t2) }, func(r *Reader) bool {
			got := r.Time()
			return got.Equal(t2) && got.Location() == time.UTC
		}},
		{"time zero", func(w *Writer) { w.Time(time.Time{}) }, func(r *Reader) bool { return r.Time().IsZero() }},
		{"count", func(w *Writer) { w.Uvarint(2); w.Byte(7); w.Byte(8) }, func(r *Reader) bool {
			return r.Count() == 2 && r.Byte() == 7 && r.Byte() == 8
		}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, p := range primitives() {
		t.Run(p.name, func(t *testing.T) {
			w := NewWriter([]byte("prefix"))
			p.write(w)
			if !bytes.HasPrefix(w.Bytes(), []byte("prefix")) {
				t.Fatalf("Writer lost the slice it was given: %q", w.Bytes())
			}
			r := NewReader(w.Bytes()[len("prefix"):])
			if !p.read(r) {
				t.Fatalf("value read back differs (err %v)", r.Err())
			}
			if r.Err() != nil || r.Len() != 0 {
				t.Fatalf("err %v, %d bytes left", r.Err(), r.Len())
			}
		})
	}
}

// TestAllPrimitivesInSequence writes every primitive after one another and
// reads them back, so that each one consumes exactly its own bytes.
func TestAllPrimitivesInSequence(t *testing.T) {
	ps := primitives()
	w := NewWriter(nil)
	for _, p := range ps {
		p.write(w)
	}
	r := NewReader(w.Bytes())
	for _, p := range ps {
		if !p.read(r) {
			t.Fatalf("%s: value differs (err %v)", p.name, r.Err())
		}
	}
	if r.Err() != nil || r.Len() != 0 {
		t.Fatalf("err %v, %d bytes left", r.Err(), r.Len())
	}
}

func TestEveryTruncationRefused(t *testing.T) {
	for _, p := range primitives() {
		w := NewWriter(nil)
		p.write(w)
		full := w.Bytes()
		for n := range len(full) {
			r := NewReader(full[:n])
			p.read(r)
			if !errors.Is(r.Err(), ErrTruncated) {
				t.Errorf("%s cut to %d of %d bytes: err %v, want ErrTruncated", p.name, n, len(full), r.Err())
			}
		}
	}
}

func TestMalformedRefused(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		read func(*Reader)
	}{
		{"uvarint of 11 bytes", bytes.Repeat([]byte{0x80}, 11), func(r *Reader) { r.Uvarint() }},
		{"uvarint over 64 bits", append(bytes.Repeat([]byte{0xff}, 9), 0x02), func(r *Reader) { r.Uvarint() }},
		{"int over int32", NewWriter(nil).appendVarint(1 << 31), func(r *Reader) { r.Int() }},
		{"int under int32", NewWriter(nil).appendVarint(-1<<31 - 1), func(r *Reader) { r.Int() }},
		{"bool 2", []byte{2}, func(r *Reader) { r.Bool() }},
		{"time presence 2", []byte{2}, func(r *Reader) { r.Time() }},
		{"time nanoseconds 1e9", []byte{1, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0}, func(r *Reader) { r.Time() }},
		{"time offset over a day", append([]byte{1, 0, 0}, NewWriter(nil).appendVarint(86401)...), func(r *Reader) { r.Time() }},
		{"date key over 99991231", NewWriter(nil).appendUvarint(99991232), func(r *Reader) { r.Date() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.data)
			tt.read(r)
			if !errors.Is(r.Err(), ErrMalformed) {
				t.Fatalf("err %v, want ErrMalformed", r.Err())
			}
		})
	}
}

func TestFirstErrorSticks(t *testing.T) {
	w := NewWriter(nil)
	w.String("abc")
	r := NewReader(append([]byte{2}, w.Bytes()...))
	r.Bool()
	if !errors.Is(r.Err(), ErrMalformed) {
		t.Fatalf("err %v, want ErrMalformed", r.Err())
	}
	if s := r.String(); s != "" || r.Len() != len(w.Bytes()) {
		t.Fatalf("read %q after an error, %d bytes left", s, r.Len())
	}
	r.Fail(ErrTruncated)
	if !errors.Is(r.Err(), ErrMalformed) {
		t.Fatalf("Fail replaced the first error: %v", r.Err())
	}
	r2 := NewReader(nil)
	r2.Fail(nil)
	if !errors.Is(r2.Err(), ErrMalformed) {
		t.Fatalf("Fail(nil): %v, want ErrMalformed", r2.Err())
	}
}

// TestCountBeyondData refuses a count that promises more items than bytes.
func TestCountBeyondData(t *testing.T) {
	r := NewReader([]byte{3, 1, 1})
	if n := r.Count(); n != 0 || !errors.Is(r.Err(), ErrTruncated) {
		t.Fatalf("count %d, err %v", n, r.Err())
	}
}

// TestFixedEncoding pins the bytes of each primitive: snapshots on disk
// depend on them.
func TestFixedEncoding(t *testing.T) {
	w := NewWriter(nil)
	w.Uvarint(300)
	w.Varint(-2)
	w.Bool(true)
	w.String("ab")
	w.Date(domain.NewDate(2026, time.January, 2))
	w.Time(time.Unix(1, 5).In(time.FixedZone("x", -3600)))
	w.Time(time.Time{})
	want := []byte{0xac, 0x02, 0x03, 0x01, 0x02, 'a', 'b'}
	want = append(want, NewWriter(nil).appendUvarint(20260102)...)
	want = append(want, 1, 2, 5, 0x9f, 0x38, 0)
	if !bytes.Equal(w.Bytes(), want) {
		t.Fatalf("bytes % x, want % x", w.Bytes(), want)
	}
}

func (w *Writer) appendVarint(v int64) []byte   { w.Varint(v); return w.Bytes() }
func (w *Writer) appendUvarint(v uint64) []byte { w.Uvarint(v); return w.Bytes() }
