package privacy

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The snapshot is "PRV3", then the families in the binary form of
// snapfam.go (length-prefixed; version 2 had them as JSON), then
// the access log in a compact binary form: a table of the distinct strings
// and, per access, the position and instant as deltas from the previous
// access and its string fields as references into the table. A restart
// thus reads ~15 bytes per access instead of ~250 bytes of JSON. Instants
// come back in UTC.
const snapshotMagic = "PRV3"

var errSnapshot = errors.New("privacy: snapshot is truncated or malformed")

// SnapshotVersion is 3.
func (m *Model) SnapshotVersion() int { return 3 }

// accessStrings are an access's string fields, in snapshot order.
func accessStrings(a *Access) [11]*string {
	return [11]*string{
		(*string)(&a.Kind), (*string)(&a.FamilyID), (*string)(&a.UserID), (*string)(&a.Role), (*string)(&a.Part),
		&a.ItemID, (*string)(&a.Purpose), &a.Rule, (*string)(&a.ExportKind), &a.Format, (*string)(&a.Reason),
	}
}

// MarshalSnapshot returns the state in the form described above.
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fams := appendFamilies(nil, m.st.Families)
	out := make([]byte, 0, len(fams)+16*m.log.len()+1024)
	out = append(out, snapshotMagic...)
	out = binary.AppendUvarint(out, uint64(len(fams)))
	out = append(out, fams...)

	ids := map[string]uint64{}
	var table []string
	var body []byte
	var prevPos uint64
	var prevAt int64
	for i := range m.log.len() {
		a := m.log.at(int32(i))
		body = binary.AppendUvarint(body, a.Position-prevPos)
		at := a.At.UnixNano()
		body = binary.AppendVarint(body, at-prevAt)
		prevPos, prevAt = a.Position, at
		for _, p := range accessStrings(a) {
			id, ok := ids[*p]
			if !ok {
				id = uint64(len(table))
				ids[*p] = id
				table = append(table, *p)
			}
			body = binary.AppendUvarint(body, id)
		}
		var flags byte
		if a.BreakGlass {
			flags |= 1
		}
		if a.OutsideCaseload {
			flags |= 2
		}
		body = append(body, flags)
	}
	out = binary.AppendUvarint(out, uint64(len(table)))
	for _, s := range table {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	out = binary.AppendUvarint(out, uint64(m.log.len()))
	return append(out, body...), nil
}

// reader reads the snapshot's binary parts; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errSnapshot, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errSnapshot, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.err, r.b = errSnapshot, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// count reads a count of entries that each take at least one byte; a count
// beyond the bytes left is an error (so a torn snapshot cannot ask for a
// huge allocation).
func (r *reader) count() int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.err, r.b = errSnapshot, nil
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// UnmarshalSnapshot replaces the state with a snapshot made by
// MarshalSnapshot; on error the model is unchanged.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	if len(data) < len(snapshotMagic) || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return errSnapshot
	}
	r := &reader{b: data[len(snapshotMagic):]}
	fams := r.bytes(r.uvarint())
	if r.err != nil {
		return r.err
	}
	var st State
	var err error
	if st.Families, err = readFamilies(fams); err != nil {
		return err
	}
	table := make([]string, r.count())
	for i := range table {
		table[i] = string(r.bytes(r.uvarint()))
	}
	n := r.count()
	if r.err != nil {
		return errSnapshot
	}
	st.Accesses = make([]Access, n)
	var pos uint64
	var at int64
	for i := range st.Accesses {
		a := &st.Accesses[i]
		pos += r.uvarint()
		at += r.varint()
		a.Position, a.At = pos, time.Unix(0, at).UTC()
		for _, p := range accessStrings(a) {
			id := r.uvarint()
			if id >= uint64(len(table)) {
				return errSnapshot
			}
			*p = table[id]
		}
		flags := r.bytes(1)
		if r.err != nil {
			return r.err
		}
		a.BreakGlass, a.OutsideCaseload = flags[0]&1 != 0, flags[0]&2 != 0
	}
	if r.err != nil || len(r.b) != 0 {
		return errSnapshot
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reset(st)
	return nil
}

// MarshalJSON encodes the entries compactly: a base64 string of
// (day delta, instant delta) varint pairs.
func (h Held) MarshalJSON() ([]byte, error) {
	var b []byte
	var pd, pa int64
	for i := range h.Days {
		b = binary.AppendVarint(b, int64(h.Days[i])-pd)
		b = binary.AppendVarint(b, h.Ats[i]-pa)
		pd, pa = int64(h.Days[i]), h.Ats[i]
	}
	return json.Marshal(b)
}

// UnmarshalJSON reads what MarshalJSON wrote. The base64 string
// MarshalJSON writes (no escapes) is decoded in place, without a second
// pass of encoding/json over it (a restart reads some 150,000 of them).
func (h *Held) UnmarshalJSON(data []byte) error {
	var b []byte
	if n := len(data); n >= 2 && data[0] == '"' && data[n-1] == '"' && bytes.IndexByte(data[1:n-1], '\\') < 0 {
		b = make([]byte, base64.StdEncoding.DecodedLen(n-2))
		k, err := base64.StdEncoding.Decode(b, data[1:n-1])
		if err != nil {
			return fmt.Errorf("privacy: held records: %w", err)
		}
		b = b[:k]
	} else if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	r := &reader{b: b}
	var d, a int64
	h.Days, h.Ats = nil, nil
	for len(r.b) > 0 {
		d += r.varint()
		a += r.varint()
		if r.err != nil {
			return r.err
		}
		h.Days = append(h.Days, int32(d))
		h.Ats = append(h.Ats, a)
	}
	return nil
}
