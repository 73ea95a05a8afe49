package privacy

import (
	"time"

	"spoor/domain"
	"spoor/projections/snapcodec"
)

// The families part of a snapshot (version 3) is binary: the number of
// families, then per family its id and fields in declaration order, each
// in the form of package snapcodec (strings uvarint-length-prefixed; dates
// their yyyymmdd key, 0: none; instants a presence byte, then Unix seconds,
// nanoseconds and zone offset); maps and slices are a
// count, with count+1 (0: nil) for the slices whose JSON form has no
// omitempty, so that a restore gives what the JSON form gave. A restart
// decodes this in a fraction of the time encoding/json took.
// TestFamiliesCodecFields fails when a field is added to one of these types
// without being added here.

// strs writes a slice whose JSON form has no omitempty (nil and empty
// differ).
func strs[T ~string](w *snapcodec.Writer, s []T) {
	if s == nil {
		w.Uvarint(0)
		return
	}
	w.Uvarint(uint64(len(s)) + 1)
	for _, v := range s {
		w.String(string(v))
	}
}

func writeScope(w *snapcodec.Writer, s *domain.ConsentScope) {
	w.String(string(s.Action))
	w.String(s.RecipientOrg)
	w.String(string(s.RecipientCategory))
	w.String(string(s.Purpose))
	strs(w, s.DataCategories)
	w.Date(s.From)
	w.Date(s.Until)
}

func writeFamily(w *snapcodec.Writer, id domain.FamilyID, f *Family) {
	w.String(string(id))
	w.String(string(f.Coach))
	w.Bool(f.Closed)
	w.Uvarint(uint64(len(f.Covers)))
	for _, c := range f.Covers {
		w.String(string(c.ID))
		w.String(string(c.CoachID))
		w.Date(c.From)
		w.Date(c.Last)
	}
	w.Uvarint(uint64(len(f.Members)))
	for k, v := range f.Members {
		w.String(string(k))
		w.String(string(v))
	}
	w.Uvarint(uint64(len(f.Consents)))
	for k, c := range f.Consents {
		w.String(string(k))
		w.String(string(c.ID))
		w.Date(c.Date)
		w.Time(c.At)
		w.String(string(c.GrantorID))
		writeScope(w, &c.Scope)
		w.String(string(c.Form))
		w.Bool(c.Refused)
		w.Date(c.WithdrawnOn)
		w.Time(c.WithdrawnAt)
		w.Date(c.ExpiredOn)
		w.Time(c.ExpiredAt)
	}
	w.Uvarint(uint64(len(f.Disclosures)))
	for _, d := range f.Disclosures {
		e := &d.DisclosureMade
		w.String(string(e.DisclosureID))
		w.Date(e.Date)
		w.String(e.RecipientOrg)
		w.String(e.RecipientRole)
		w.String(string(e.RecipientCategory))
		strs(w, e.DataCategories)
		w.String(string(e.Purpose))
		w.String(string(e.LegalBasis))
		w.String(string(e.ConsentID))
		w.Uvarint(uint64(len(e.Members))) // omitempty: empty comes back nil
		for _, m := range e.Members {
			w.String(string(m))
		}
		w.String(string(e.DecidedBy))
		w.Bool(e.Confidential)
		w.String(string(e.InfoRequestID))
		w.Uvarint(d.Position)
		w.Time(d.At)
		w.Bool(d.Implied)
		w.String(string(d.SpendID))
		w.Date(d.InformedOn)
		w.Time(d.InformedAt)
		w.String(string(d.InformForm))
		w.Date(d.LiftedOn)
		w.Time(d.LiftedAt)
		w.String(string(d.LiftedBy))
	}
	w.Uvarint(uint64(len(f.InfoRequests)))
	for _, r := range f.InfoRequests {
		e := &r.InfoRequestReceived
		w.String(string(e.RequestID))
		w.Date(e.Date)
		w.String(e.FromOrg)
		w.String(e.FromRole)
		w.String(string(e.FromCategory))
		strs(w, e.DataCategories)
		w.String(string(e.Purpose))
		w.Time(r.At)
		w.String(string(r.AnsweredBy))
		w.Date(r.AnsweredOn)
		w.Time(r.AnsweredAt)
		w.Date(r.RefusedOn)
		w.Time(r.RefusedAt)
		w.String(string(r.Refusal))
		w.String(string(r.RefusedBy))
	}
	w.Uvarint(uint64(len(f.Held)))
	for k, h := range f.Held {
		w.String(string(k))
		w.Uvarint(uint64(len(h.Days)))
		var pd, pa int64
		for i := range h.Days {
			w.Varint(int64(h.Days[i]) - pd)
			w.Varint(h.Ats[i] - pa)
			pd, pa = int64(h.Days[i]), h.Ats[i]
		}
	}
	w.Uvarint(uint64(len(f.CatSince)))
	for k, t := range f.CatSince {
		w.String(string(k))
		w.Time(t)
	}
	w.Time(f.FirstAt)
	w.Time(f.ErasedAt)
	w.Date(f.ErasedOn)
}

// appendFamilies appends the binary form of fams to b.
func appendFamilies(b []byte, fams map[domain.FamilyID]*Family) []byte {
	w := snapcodec.NewWriter(b)
	w.Uvarint(uint64(len(fams)))
	for id, f := range fams {
		writeFamily(w, id, f)
	}
	return w.Bytes()
}

// strsOf reads what strs wrote.
func strsOf[T ~string](r *snapcodec.Reader) []T {
	n := r.Count()
	if n == 0 {
		return nil
	}
	out := make([]T, n-1)
	for i := range out {
		out[i] = T(r.String())
	}
	return out
}

func readScope(r *snapcodec.Reader) domain.ConsentScope {
	var s domain.ConsentScope
	s.Action = domain.ConsentAction(r.String())
	s.RecipientOrg = r.String()
	s.RecipientCategory = domain.RecipientCategory(r.String())
	s.Purpose = domain.Purpose(r.String())
	s.DataCategories = strsOf[domain.DataCategory](r)
	s.From = r.Date()
	s.Until = r.Date()
	return s
}

func readFamily(r *snapcodec.Reader) (domain.FamilyID, *Family) {
	id := domain.FamilyID(r.String())
	f := &Family{Coach: domain.StaffID(r.String()), Closed: r.Bool()}
	if n := r.Count(); n > 0 {
		f.Covers = make([]Cover, n)
		for i := range f.Covers {
			f.Covers[i] = Cover{ID: domain.CoverID(r.String()), CoachID: domain.StaffID(r.String()), From: r.Date(), Last: r.Date()}
		}
	}
	if n := r.Count(); n > 0 {
		f.Members = make(map[domain.MemberID]domain.MemberRole, n)
		for range n {
			k := domain.MemberID(r.String())
			f.Members[k] = domain.MemberRole(r.String())
		}
	}
	if n := r.Count(); n > 0 {
		f.Consents = make(map[domain.ConsentID]*Consent, n)
		for range n {
			k := domain.ConsentID(r.String())
			c := &Consent{ID: domain.ConsentID(r.String()), Date: r.Date(), At: r.Time(), GrantorID: domain.MemberID(r.String())}
			c.Scope = readScope(r)
			c.Form = domain.ConsentForm(r.String())
			c.Refused = r.Bool()
			c.WithdrawnOn, c.WithdrawnAt = r.Date(), r.Time()
			c.ExpiredOn, c.ExpiredAt = r.Date(), r.Time()
			f.Consents[k] = c
		}
	}
	if n := r.Count(); n > 0 {
		f.Disclosures = make([]*Disclosure, n)
		for i := range f.Disclosures {
			d := &Disclosure{}
			e := &d.DisclosureMade
			e.DisclosureID = domain.DisclosureID(r.String())
			e.Date = r.Date()
			e.RecipientOrg = r.String()
			e.RecipientRole = r.String()
			e.RecipientCategory = domain.RecipientCategory(r.String())
			e.DataCategories = strsOf[domain.DataCategory](r)
			e.Purpose = domain.Purpose(r.String())
			e.LegalBasis = domain.LegalBasis(r.String())
			e.ConsentID = domain.ConsentID(r.String())
			if m := r.Count(); m > 0 {
				e.Members = make([]domain.MemberID, m)
				for j := range e.Members {
					e.Members[j] = domain.MemberID(r.String())
				}
			}
			e.DecidedBy = domain.StaffID(r.String())
			e.Confidential = r.Bool()
			e.InfoRequestID = domain.InfoRequestID(r.String())
			d.Position = r.Uvarint()
			d.At = r.Time()
			d.Implied = r.Bool()
			d.SpendID = domain.SpendID(r.String())
			d.InformedOn, d.InformedAt, d.InformForm = r.Date(), r.Time(), domain.ConsentForm(r.String())
			d.LiftedOn, d.LiftedAt, d.LiftedBy = r.Date(), r.Time(), domain.StaffID(r.String())
			f.Disclosures[i] = d
		}
	}
	if n := r.Count(); n > 0 {
		f.InfoRequests = make([]*InfoRequest, n)
		for i := range f.InfoRequests {
			q := &InfoRequest{}
			e := &q.InfoRequestReceived
			e.RequestID = domain.InfoRequestID(r.String())
			e.Date = r.Date()
			e.FromOrg = r.String()
			e.FromRole = r.String()
			e.FromCategory = domain.RecipientCategory(r.String())
			e.DataCategories = strsOf[domain.DataCategory](r)
			e.Purpose = domain.Purpose(r.String())
			q.At = r.Time()
			q.AnsweredBy, q.AnsweredOn, q.AnsweredAt = domain.DisclosureID(r.String()), r.Date(), r.Time()
			q.RefusedOn, q.RefusedAt = r.Date(), r.Time()
			q.Refusal, q.RefusedBy = domain.RefusalReason(r.String()), domain.StaffID(r.String())
			f.InfoRequests[i] = q
		}
	}
	if n := r.Count(); n > 0 {
		f.Held = make(map[RecordKind]*Held, n)
		for range n {
			k := RecordKind(r.String())
			h := &Held{}
			if m := r.Count(); m > 0 {
				h.Days, h.Ats = make([]int32, m), make([]int64, m)
				var d, a int64
				for j := range m {
					d += r.Varint()
					a += r.Varint()
					h.Days[j], h.Ats[j] = int32(d), a
				}
			}
			f.Held[k] = h
		}
	}
	if n := r.Count(); n > 0 {
		f.CatSince = make(map[domain.DataCategory]time.Time, n)
		for range n {
			k := domain.DataCategory(r.String())
			f.CatSince[k] = r.Time()
		}
	}
	f.FirstAt = r.Time()
	f.ErasedAt = r.Time()
	f.ErasedOn = r.Date()
	return id, f
}

// readFamilies reads what appendFamilies wrote, all of data.
func readFamilies(data []byte) (map[domain.FamilyID]*Family, error) {
	r := snapcodec.NewReader(data)
	n := r.Count()
	fams := make(map[domain.FamilyID]*Family, n)
	for range n {
		if r.Err() != nil {
			break
		}
		id, f := readFamily(r)
		fams[id] = f
	}
	if r.Err() != nil || r.Len() != 0 {
		return nil, errSnapshot
	}
	return fams, nil
}
