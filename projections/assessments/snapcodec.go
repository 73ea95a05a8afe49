package assessments

import (
	"encoding/binary"
	"errors"
	"time"

	"spoor/domain"
)

// The snapshot (version 2) is binary: the number of families, then per
// family its id and fields in declaration order. Strings are
// uvarint-length-prefixed; dates are their yyyymmdd key (0: none); instants
// are a presence byte, then Unix seconds (varint), nanoseconds and zone
// offset in seconds (varints); slices are a count (a restore gives nil for
// an empty slice, as the JSON form's readers treated both alike).
// A restart decodes this in a fraction of the time encoding/json took.
// TestSnapshotCodecFields fails when a field is added to one of these types
// without being added here.

// errSnapshot is returned for a snapshot that is torn or not of this form.
var errSnapshot = errors.New("assessments: snapshot: truncated or malformed")

// snapWriter appends the binary form.
type snapWriter struct{ b []byte }

func (w *snapWriter) uv(v uint64)  { w.b = binary.AppendUvarint(w.b, v) }
func (w *snapWriter) v(v int64)    { w.b = binary.AppendVarint(w.b, v) }
func (w *snapWriter) str(s string) { w.uv(uint64(len(s))); w.b = append(w.b, s...) }

func (w *snapWriter) date(d domain.Date) {
	if d.IsZero() {
		w.uv(0)
		return
	}
	w.uv(uint64(d.Year()*10000 + int(d.Month())*100 + d.Day()))
}

func (w *snapWriter) time(t time.Time) {
	if t.IsZero() {
		w.b = append(w.b, 0)
		return
	}
	_, off := t.Zone()
	w.b = append(w.b, 1)
	w.v(t.Unix())
	w.uv(uint64(t.Nanosecond()))
	w.v(int64(off))
}

func (w *snapWriter) family(id domain.FamilyID, f *Family) {
	w.str(string(id))
	w.v(int64(f.Trajectory))
	w.uv(uint64(len(f.Registrations)))
	for i := range f.Registrations {
		r := &f.Registrations[i]
		w.time(r.At)
		w.v(int64(r.Trajectory))
		w.str(string(r.AssessmentID))
		w.date(r.Date)
		w.str(r.InstrumentID)
		w.v(int64(r.InstrumentVersion))
		w.str(string(r.Moment))
		w.uv(uint64(len(r.Items)))
		for j := range r.Items {
			a := &r.Items[j]
			w.str(a.Item)
			w.str(string(a.Member))
			w.str(string(a.Status))
			w.v(int64(a.Level))
		}
		w.str(string(r.CoachID))
	}
	w.uv(uint64(len(f.Status)))
	for i := range f.Status {
		c := &f.Status[i]
		w.time(c.At)
		if c.Active {
			w.b = append(w.b, 1)
		} else {
			w.b = append(w.b, 0)
		}
		w.v(int64(c.Trajectory))
		w.date(c.GuidanceStartedOn)
	}
}

// appendState appends the binary form of st to b.
func appendState(b []byte, st *State) []byte {
	w := &snapWriter{b: b}
	w.uv(uint64(len(st.Families)))
	for id, f := range st.Families {
		w.family(id, f)
	}
	return w.b
}

// snapReader reads the binary form; strings are slices of s (one copy of
// the data for all of them). The first error sticks.
type snapReader struct {
	s   string
	i   int
	bad bool
}

func (r *snapReader) uv() uint64 {
	if r.bad {
		return 0
	}
	s := r.s[r.i:]
	var x uint64
	var sh uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			r.i += i + 1
			return x | uint64(c)<<sh
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
	}
	r.bad = true
	return 0
}

func (r *snapReader) v() int64 {
	u := r.uv()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// int reads a varint that must fit an int32 (trajectories, versions,
// levels).
func (r *snapReader) int() int {
	x := r.v()
	if x < -1<<31 || x > 1<<31-1 {
		r.bad = true
		return 0
	}
	return int(x)
}

func (r *snapReader) byte() byte {
	if r.bad || r.i >= len(r.s) {
		r.bad = true
		return 0
	}
	c := r.s[r.i]
	r.i++
	return c
}

func (r *snapReader) str() string {
	n := r.uv()
	if r.bad || n > uint64(len(r.s)-r.i) {
		r.bad = true
		return ""
	}
	v := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return v
}

func (r *snapReader) date() domain.Date {
	k := r.uv()
	if k == 0 || r.bad {
		return domain.Date{}
	}
	if k > 99991231 {
		r.bad = true
		return domain.Date{}
	}
	return domain.NewDate(int(k/10000), time.Month(k/100%100), int(k%100))
}

func (r *snapReader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.bad = true
		return time.Time{}
	}
	sec, nsec, off := r.v(), r.uv(), r.v()
	if r.bad || nsec >= 1e9 || off < -86400 || off > 86400 {
		r.bad = true
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC() // as encoding/json reads "Z"
	}
	return t.In(time.FixedZone("", int(off)))
}

// count reads a count of items that each take at least one byte.
func (r *snapReader) count() int {
	n := r.uv()
	if r.bad || n > uint64(len(r.s)-r.i) {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *snapReader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.bad = true
	return false
}

func (r *snapReader) family() (domain.FamilyID, *Family) {
	id := domain.FamilyID(r.str())
	f := &Family{Trajectory: r.int()}
	if n := r.count(); n > 0 {
		f.Registrations = make([]Registration, n)
		for i := range f.Registrations {
			g := &f.Registrations[i]
			g.At = r.time()
			g.Trajectory = r.int()
			g.AssessmentID = domain.AssessmentID(r.str())
			g.Date = r.date()
			g.InstrumentID = r.str()
			g.InstrumentVersion = r.int()
			g.Moment = domain.AssessmentMoment(r.str())
			if k := r.count(); k > 0 {
				g.Items = make([]domain.ItemAnswer, k)
				for j := range g.Items {
					g.Items[j] = domain.ItemAnswer{Item: r.str(), Member: domain.MemberID(r.str()), Status: domain.AnswerStatus(r.str()), Level: r.int()}
				}
			}
			g.CoachID = domain.StaffID(r.str())
			if r.bad {
				break
			}
		}
	}
	if n := r.count(); n > 0 {
		f.Status = make([]StatusChange, n)
		for i := range f.Status {
			f.Status[i] = StatusChange{At: r.time(), Active: r.bool(), Trajectory: r.int(), GuidanceStartedOn: r.date()}
		}
	}
	return id, f
}

// readState reads what appendState wrote, all of data.
func readState(data []byte) (State, error) {
	r := &snapReader{s: string(data)}
	n := r.count()
	fams := make(map[domain.FamilyID]*Family, n)
	for range n {
		if r.bad {
			break
		}
		id, f := r.family()
		fams[id] = f
	}
	if r.bad || r.i != len(r.s) || len(fams) != n {
		return State{}, errSnapshot
	}
	return State{Families: fams}, nil
}
