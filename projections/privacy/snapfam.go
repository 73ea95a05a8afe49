package privacy

import (
	"encoding/binary"
	"time"

	"spoor/domain"
)

// The families part of a snapshot (version 3) is binary: the number of
// families, then per family its id and fields in declaration order.
// Strings are uvarint-length-prefixed; dates are their yyyymmdd key (0:
// none); instants are a presence byte, then Unix seconds (varint),
// nanoseconds and zone offset in seconds (varints); maps and slices are a
// count, with count+1 (0: nil) for the slices whose JSON form has no
// omitempty, so that a restore gives what the JSON form gave. A restart
// decodes this in a fraction of the time encoding/json took.
// TestFamiliesCodecFields fails when a field is added to one of these types
// without being added here.

// famWriter appends the binary form.
type famWriter struct{ b []byte }

func (w *famWriter) uv(v uint64)  { w.b = binary.AppendUvarint(w.b, v) }
func (w *famWriter) v(v int64)    { w.b = binary.AppendVarint(w.b, v) }
func (w *famWriter) str(s string) { w.uv(uint64(len(s))); w.b = append(w.b, s...) }
func (w *famWriter) date(d domain.Date) {
	if d.IsZero() {
		w.uv(0)
		return
	}
	w.uv(uint64(dayKey(d)))
}

func (w *famWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *famWriter) time(t time.Time) {
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

// strs writes a slice whose JSON form has no omitempty (nil and empty
// differ).
func strs[T ~string](w *famWriter, s []T) {
	if s == nil {
		w.uv(0)
		return
	}
	w.uv(uint64(len(s)) + 1)
	for _, v := range s {
		w.str(string(v))
	}
}

func (w *famWriter) scope(s *domain.ConsentScope) {
	w.str(string(s.Action))
	w.str(s.RecipientOrg)
	w.str(string(s.RecipientCategory))
	w.str(string(s.Purpose))
	strs(w, s.DataCategories)
	w.date(s.From)
	w.date(s.Until)
}

func (w *famWriter) family(id domain.FamilyID, f *Family) {
	w.str(string(id))
	w.str(string(f.Coach))
	w.bool(f.Closed)
	w.uv(uint64(len(f.Covers)))
	for _, c := range f.Covers {
		w.str(string(c.ID))
		w.str(string(c.CoachID))
		w.date(c.From)
		w.date(c.Last)
	}
	w.uv(uint64(len(f.Members)))
	for k, v := range f.Members {
		w.str(string(k))
		w.str(string(v))
	}
	w.uv(uint64(len(f.Consents)))
	for k, c := range f.Consents {
		w.str(string(k))
		w.str(string(c.ID))
		w.date(c.Date)
		w.time(c.At)
		w.str(string(c.GrantorID))
		w.scope(&c.Scope)
		w.str(string(c.Form))
		w.bool(c.Refused)
		w.date(c.WithdrawnOn)
		w.time(c.WithdrawnAt)
		w.date(c.ExpiredOn)
		w.time(c.ExpiredAt)
	}
	w.uv(uint64(len(f.Disclosures)))
	for _, d := range f.Disclosures {
		e := &d.DisclosureMade
		w.str(string(e.DisclosureID))
		w.date(e.Date)
		w.str(e.RecipientOrg)
		w.str(e.RecipientRole)
		w.str(string(e.RecipientCategory))
		strs(w, e.DataCategories)
		w.str(string(e.Purpose))
		w.str(string(e.LegalBasis))
		w.str(string(e.ConsentID))
		w.uv(uint64(len(e.Members))) // omitempty: empty comes back nil
		for _, m := range e.Members {
			w.str(string(m))
		}
		w.str(string(e.DecidedBy))
		w.bool(e.Confidential)
		w.str(string(e.InfoRequestID))
		w.uv(d.Position)
		w.time(d.At)
		w.bool(d.Implied)
		w.str(string(d.SpendID))
		w.date(d.InformedOn)
		w.time(d.InformedAt)
		w.str(string(d.InformForm))
		w.date(d.LiftedOn)
		w.time(d.LiftedAt)
		w.str(string(d.LiftedBy))
	}
	w.uv(uint64(len(f.InfoRequests)))
	for _, r := range f.InfoRequests {
		e := &r.InfoRequestReceived
		w.str(string(e.RequestID))
		w.date(e.Date)
		w.str(e.FromOrg)
		w.str(e.FromRole)
		w.str(string(e.FromCategory))
		strs(w, e.DataCategories)
		w.str(string(e.Purpose))
		w.time(r.At)
		w.str(string(r.AnsweredBy))
		w.date(r.AnsweredOn)
		w.time(r.AnsweredAt)
		w.date(r.RefusedOn)
		w.time(r.RefusedAt)
		w.str(string(r.Refusal))
		w.str(string(r.RefusedBy))
	}
	w.uv(uint64(len(f.Held)))
	for k, h := range f.Held {
		w.str(string(k))
		w.uv(uint64(len(h.Days)))
		var pd, pa int64
		for i := range h.Days {
			w.v(int64(h.Days[i]) - pd)
			w.v(h.Ats[i] - pa)
			pd, pa = int64(h.Days[i]), h.Ats[i]
		}
	}
	w.uv(uint64(len(f.CatSince)))
	for k, t := range f.CatSince {
		w.str(string(k))
		w.time(t)
	}
	w.time(f.FirstAt)
	w.time(f.ErasedAt)
	w.date(f.ErasedOn)
}

// appendFamilies appends the binary form of fams to b.
func appendFamilies(b []byte, fams map[domain.FamilyID]*Family) []byte {
	w := &famWriter{b: b}
	w.uv(uint64(len(fams)))
	for id, f := range fams {
		w.family(id, f)
	}
	return w.b
}

// famReader reads the binary form; strings are slices of s (one copy of
// the data for all of them). The first error sticks.
type famReader struct {
	s   string
	i   int
	bad bool
}

func (r *famReader) uv() uint64 {
	if r.bad {
		return 0
	}
	v, n := uvarintString(r.s[r.i:])
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.i += n
	return v
}

func (r *famReader) v() int64 {
	u := r.uv()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// uvarintString is binary.Uvarint over a string.
func uvarintString(s string) (uint64, int) {
	var x uint64
	var sh uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, -1
			}
			return x | uint64(c)<<sh, i + 1
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
	}
	return 0, 0
}

func (r *famReader) byte() byte {
	if r.bad || r.i >= len(r.s) {
		r.bad = true
		return 0
	}
	c := r.s[r.i]
	r.i++
	return c
}

func (r *famReader) str() string {
	n := r.uv()
	if r.bad || n > uint64(len(r.s)-r.i) {
		r.bad = true
		return ""
	}
	v := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return v
}

func (r *famReader) date() domain.Date {
	k := r.uv()
	if k == 0 || r.bad {
		return domain.Date{}
	}
	if k > 99991231 {
		r.bad = true
		return domain.Date{}
	}
	return keyDate(int32(k))
}

func (r *famReader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.bad = true
	return false
}

func (r *famReader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.bad = true
		return time.Time{}
	}
	sec, nsec, off := r.v(), r.uv(), r.v()
	if r.bad || nsec >= 1e9 {
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
func (r *famReader) count() int {
	n := r.uv()
	if r.bad || n > uint64(len(r.s)-r.i) {
		r.bad = true
		return 0
	}
	return int(n)
}

// strsOf reads what strs wrote.
func strsOf[T ~string](r *famReader) []T {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]T, n-1)
	for i := range out {
		out[i] = T(r.str())
	}
	return out
}

func (r *famReader) scope() domain.ConsentScope {
	var s domain.ConsentScope
	s.Action = domain.ConsentAction(r.str())
	s.RecipientOrg = r.str()
	s.RecipientCategory = domain.RecipientCategory(r.str())
	s.Purpose = domain.Purpose(r.str())
	s.DataCategories = strsOf[domain.DataCategory](r)
	s.From = r.date()
	s.Until = r.date()
	return s
}

func (r *famReader) family() (domain.FamilyID, *Family) {
	id := domain.FamilyID(r.str())
	f := &Family{Coach: domain.StaffID(r.str()), Closed: r.bool()}
	if n := r.count(); n > 0 {
		f.Covers = make([]Cover, n)
		for i := range f.Covers {
			f.Covers[i] = Cover{ID: domain.CoverID(r.str()), CoachID: domain.StaffID(r.str()), From: r.date(), Last: r.date()}
		}
	}
	if n := r.count(); n > 0 {
		f.Members = make(map[domain.MemberID]domain.MemberRole, n)
		for range n {
			k := domain.MemberID(r.str())
			f.Members[k] = domain.MemberRole(r.str())
		}
	}
	if n := r.count(); n > 0 {
		f.Consents = make(map[domain.ConsentID]*Consent, n)
		for range n {
			k := domain.ConsentID(r.str())
			c := &Consent{ID: domain.ConsentID(r.str()), Date: r.date(), At: r.time(), GrantorID: domain.MemberID(r.str())}
			c.Scope = r.scope()
			c.Form = domain.ConsentForm(r.str())
			c.Refused = r.bool()
			c.WithdrawnOn, c.WithdrawnAt = r.date(), r.time()
			c.ExpiredOn, c.ExpiredAt = r.date(), r.time()
			f.Consents[k] = c
		}
	}
	if n := r.count(); n > 0 {
		f.Disclosures = make([]*Disclosure, n)
		for i := range f.Disclosures {
			d := &Disclosure{}
			e := &d.DisclosureMade
			e.DisclosureID = domain.DisclosureID(r.str())
			e.Date = r.date()
			e.RecipientOrg = r.str()
			e.RecipientRole = r.str()
			e.RecipientCategory = domain.RecipientCategory(r.str())
			e.DataCategories = strsOf[domain.DataCategory](r)
			e.Purpose = domain.Purpose(r.str())
			e.LegalBasis = domain.LegalBasis(r.str())
			e.ConsentID = domain.ConsentID(r.str())
			if m := r.count(); m > 0 {
				e.Members = make([]domain.MemberID, m)
				for j := range e.Members {
					e.Members[j] = domain.MemberID(r.str())
				}
			}
			e.DecidedBy = domain.StaffID(r.str())
			e.Confidential = r.bool()
			e.InfoRequestID = domain.InfoRequestID(r.str())
			d.Position = r.uv()
			d.At = r.time()
			d.Implied = r.bool()
			d.SpendID = domain.SpendID(r.str())
			d.InformedOn, d.InformedAt, d.InformForm = r.date(), r.time(), domain.ConsentForm(r.str())
			d.LiftedOn, d.LiftedAt, d.LiftedBy = r.date(), r.time(), domain.StaffID(r.str())
			f.Disclosures[i] = d
		}
	}
	if n := r.count(); n > 0 {
		f.InfoRequests = make([]*InfoRequest, n)
		for i := range f.InfoRequests {
			q := &InfoRequest{}
			e := &q.InfoRequestReceived
			e.RequestID = domain.InfoRequestID(r.str())
			e.Date = r.date()
			e.FromOrg = r.str()
			e.FromRole = r.str()
			e.FromCategory = domain.RecipientCategory(r.str())
			e.DataCategories = strsOf[domain.DataCategory](r)
			e.Purpose = domain.Purpose(r.str())
			q.At = r.time()
			q.AnsweredBy, q.AnsweredOn, q.AnsweredAt = domain.DisclosureID(r.str()), r.date(), r.time()
			q.RefusedOn, q.RefusedAt = r.date(), r.time()
			q.Refusal, q.RefusedBy = domain.RefusalReason(r.str()), domain.StaffID(r.str())
			f.InfoRequests[i] = q
		}
	}
	if n := r.count(); n > 0 {
		f.Held = make(map[RecordKind]*Held, n)
		for range n {
			k := RecordKind(r.str())
			h := &Held{}
			if m := r.count(); m > 0 {
				h.Days, h.Ats = make([]int32, m), make([]int64, m)
				var d, a int64
				for j := range m {
					d += r.v()
					a += r.v()
					h.Days[j], h.Ats[j] = int32(d), a
				}
			}
			f.Held[k] = h
		}
	}
	if n := r.count(); n > 0 {
		f.CatSince = make(map[domain.DataCategory]time.Time, n)
		for range n {
			k := domain.DataCategory(r.str())
			f.CatSince[k] = r.time()
		}
	}
	f.FirstAt = r.time()
	f.ErasedAt = r.time()
	f.ErasedOn = r.date()
	return id, f
}

// readFamilies reads what appendFamilies wrote, all of data.
func readFamilies(data []byte) (map[domain.FamilyID]*Family, error) {
	r := &famReader{s: string(data)}
	n := r.count()
	fams := make(map[domain.FamilyID]*Family, n)
	for range n {
		if r.bad {
			break
		}
		id, f := r.family()
		fams[id] = f
	}
	if r.bad || r.i != len(r.s) {
		return nil, errSnapshot
	}
	return fams, nil
}
