package outcomes

import (
	"errors"

	"spoor/domain"
	"spoor/projections/snapcodec"
)

// The snapshot (version 2) is binary: the number of families, then per
// family its id and fields in declaration order, each in the form of
// package snapcodec (strings uvarint-length-prefixed; dates their yyyymmdd
// key, 0: none; instants a presence byte, then Unix seconds, nanoseconds
// and zone offset); maps and slices are a count (a restore gives
// nil for an empty slice, as the JSON form's readers treated both alike).
// A restart decodes this in a fraction of the time encoding/json took.
// TestSnapshotCodecFields fails when a field is added to one of these types
// without being added here.

// errSnapshot is returned for a snapshot that is torn or not of this form.
var errSnapshot = errors.New("outcomes: snapshot: truncated or malformed")

func writeFamily(w *snapcodec.Writer, id domain.FamilyID, f *Family) {
	w.String(string(id))
	w.Varint(int64(f.Trajectory))
	w.Uvarint(uint64(len(f.Sources)))
	for k, s := range f.Sources {
		w.Varint(int64(k))
		w.String(string(s))
	}
	w.Uvarint(uint64(len(f.Members)))
	for k, m := range f.Members {
		w.String(string(k))
		w.String(string(m.Role))
		w.Date(m.LeftOn)
		w.Time(m.LeftAt)
	}
	w.Uvarint(uint64(len(f.Registrations)))
	for i := range f.Registrations {
		r := &f.Registrations[i]
		w.Time(r.At)
		w.Varint(int64(r.Trajectory))
		w.String(string(r.AssessmentID))
		w.Date(r.Date)
		w.String(r.InstrumentID)
		w.Varint(int64(r.InstrumentVersion))
		w.String(string(r.Moment))
		w.Uvarint(uint64(len(r.Answers)))
		for j := range r.Answers {
			a := &r.Answers[j]
			w.String(a.Item)
			w.String(string(a.Member))
			w.String(string(a.Subject))
			w.String(string(a.Status))
			w.Varint(int64(a.Level))
		}
	}
}

// appendState appends the binary form of st to b.
func appendState(b []byte, st *State) []byte {
	w := snapcodec.NewWriter(b)
	w.Uvarint(uint64(len(st.Families)))
	for id, f := range st.Families {
		writeFamily(w, id, f)
	}
	return w.Bytes()
}

func readFamily(r *snapcodec.Reader) (domain.FamilyID, *Family) {
	id := domain.FamilyID(r.String())
	f := &Family{Trajectory: r.Int()}
	n := r.Count()
	f.Sources = make(map[int]domain.ReferralSource, n)
	for range n {
		k := r.Int()
		f.Sources[k] = domain.ReferralSource(r.String())
	}
	n = r.Count()
	f.Members = make(map[domain.MemberID]*Member, n)
	if n > 0 {
		mems := make([]Member, n)
		for i := range mems {
			k := domain.MemberID(r.String())
			mems[i] = Member{Role: domain.MemberRole(r.String()), LeftOn: r.Date(), LeftAt: r.Time()}
			f.Members[k] = &mems[i]
		}
	}
	if n = r.Count(); n > 0 {
		f.Registrations = make([]Registration, n)
		for i := range f.Registrations {
			g := &f.Registrations[i]
			g.At = r.Time()
			g.Trajectory = r.Int()
			g.AssessmentID = domain.AssessmentID(r.String())
			g.Date = r.Date()
			g.InstrumentID = r.String()
			g.InstrumentVersion = r.Int()
			g.Moment = domain.AssessmentMoment(r.String())
			if k := r.Count(); k > 0 {
				g.Answers = make([]Answer, k)
				for j := range g.Answers {
					g.Answers[j] = Answer{Item: r.String(), Member: domain.MemberID(r.String()), Subject: domain.Subject(r.String()),
						Status: domain.AnswerStatus(r.String()), Level: r.Int()}
				}
			}
			if r.Err() != nil {
				break
			}
		}
	}
	return id, f
}

// readState reads what appendState wrote, all of data.
func readState(data []byte) (State, error) {
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
	if r.Err() != nil || r.Len() != 0 || len(fams) != n {
		return State{}, errSnapshot
	}
	return State{Families: fams}, nil
}
