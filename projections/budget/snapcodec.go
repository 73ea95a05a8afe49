package budget

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"spoor/domain"
)

// The snapshot (version 2) is binary: the team settings and the envelopes
// as JSON (each a length-prefixed blob; they are small), then the families
// (count, then per family its id and fields in declaration order), the
// spends and the decisions, each a count and then fields in declaration
// order. Strings are
// uvarint-length-prefixed; dates are their yyyymmdd key (0: none); instants
// are a presence byte, then Unix seconds (varint), nanoseconds and zone
// offset in seconds (varints); slices are a count (a restore gives nil for
// an empty slice, as the JSON form's readers treated both alike); a
// pointer is a presence byte, then its fields.
// A restart decodes this in a fraction of the time encoding/json took.
// TestSnapshotCodecFields fails when a field is added to one of these types
// without being added here.

// errSnapshot is returned for a snapshot that is torn or not of this form.
var errSnapshot = errors.New("budget: snapshot: truncated or malformed")

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

func (w *snapWriter) presence(ok bool) {
	if ok {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *snapWriter) family(id domain.FamilyID, f *Family) {
	w.str(string(id))
	w.time(f.ReferredAt)
	w.str(string(f.Source))
	w.v(int64(f.Children))
	w.str(string(f.Coach))
	w.uv(uint64(len(f.Trajectories)))
	for _, t := range f.Trajectories {
		w.v(int64(t.Trajectory))
		w.time(t.At)
	}
	w.uv(uint64(len(f.Allocations)))
	for i := range f.Allocations {
		a := &f.Allocations[i]
		w.str(string(a.AllocationID))
		w.date(a.Date)
		w.v(int64(a.Trajectory))
		w.v(a.AmountCents)
		w.str(string(a.Source))
		w.str(a.FundingSource)
		w.time(a.At)
	}
	w.uv(uint64(len(f.Overspends)))
	for i := range f.Overspends {
		o := &f.Overspends[i]
		w.str(string(o.ApprovalID))
		w.str(string(o.SpendID))
		w.date(o.Date)
		w.v(o.AmountCents)
		w.str(string(o.ApprovedBy))
		w.time(o.At)
	}
	w.uv(uint64(len(f.Costs)))
	for i := range f.Costs {
		c := &f.Costs[i]
		w.str(string(c.RecordID))
		w.date(c.Date)
		w.date(c.PeriodFrom)
		w.date(c.PeriodUntil)
		w.str(string(c.Category))
		w.v(c.ActualCents)
		w.v(c.ComparisonCents)
		w.v(c.AvoidedCents)
		w.str(c.Basis)
		w.v(int64(c.Interventions))
		w.v(int64(c.InitialReports))
		w.v(int64(c.FollowUpReports))
		w.v(int64(c.Kantschriften))
		w.time(c.At)
	}
}

func (w *snapWriter) spend(s *Spend) {
	w.str(string(s.FamilyID))
	w.str(string(s.SpendID))
	w.date(s.Date)
	w.v(int64(s.Trajectory))
	w.v(s.AmountCents)
	w.str(string(s.Instrument))
	w.str(s.Category)
	w.str(s.Supplier)
	w.str(s.ReceiptRef)
	w.str(s.FundingSource)
	w.str(string(s.Path))
	w.date(s.DecidedOn)
	w.str(string(s.Body))
	w.str(string(s.ProposedBy))
	w.str(string(s.ApprovalID))
	w.str(string(s.ReferralType))
	w.str(string(s.CoachID))
	w.uv(s.Position)
	w.time(s.At)
	w.presence(s.Review != nil)
	if r := s.Review; r != nil {
		w.date(r.Date)
		w.str(string(r.Verdict))
		w.str(string(r.ReviewedBy))
		w.time(r.At)
	}
	w.presence(s.Reversal != nil)
	if r := s.Reversal; r != nil {
		w.date(r.Date)
		w.str(string(r.Reason))
		w.uv(r.Position)
		w.time(r.At)
	}
}

func (w *snapWriter) decided(d *Decided) {
	w.str(string(d.FamilyID))
	w.str(string(d.SpendID))
	w.date(d.Date)
	w.str(string(d.Verdict))
	w.str(string(d.Body))
	w.str(string(d.DecidedBy))
	w.time(d.At)
}

// appendState appends the binary form of st to b; it fails only when the
// settings or envelopes cannot be encoded as JSON.
func appendState(b []byte, st *State) ([]byte, error) {
	settings, err := json.Marshal(&st.Settings)
	if err != nil {
		return nil, fmt.Errorf("budget: snapshot: settings: %w", err)
	}
	envelopes, err := json.Marshal(st.Envelopes)
	if err != nil {
		return nil, fmt.Errorf("budget: snapshot: envelopes: %w", err)
	}
	w := &snapWriter{b: b}
	w.str(string(settings))
	w.str(string(envelopes))
	w.uv(uint64(len(st.Families)))
	for id, f := range st.Families {
		w.family(id, f)
	}
	w.uv(uint64(len(st.Spends)))
	for i := range st.Spends {
		w.spend(&st.Spends[i])
	}
	w.uv(uint64(len(st.Decisions)))
	for i := range st.Decisions {
		w.decided(&st.Decisions[i])
	}
	return w.b, nil
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

// presence reads what snapWriter.presence wrote.
func (r *snapReader) presence() bool {
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
	f := &Family{ReferredAt: r.time(), Source: domain.ReferralSource(r.str()), Children: r.int(), Coach: domain.StaffID(r.str())}
	if n := r.count(); n > 0 {
		f.Trajectories = make([]Mark, n)
		for i := range f.Trajectories {
			f.Trajectories[i] = Mark{Trajectory: r.int(), At: r.time()}
		}
	}
	if n := r.count(); n > 0 {
		f.Allocations = make([]Allocation, n)
		for i := range f.Allocations {
			f.Allocations[i] = Allocation{AllocationID: domain.AllocationID(r.str()), Date: r.date(), Trajectory: r.int(), AmountCents: r.v(),
				Source: domain.ReferralSource(r.str()), FundingSource: r.str(), At: r.time()}
		}
	}
	if n := r.count(); n > 0 {
		f.Overspends = make([]Overspend, n)
		for i := range f.Overspends {
			f.Overspends[i] = Overspend{ApprovalID: domain.ApprovalID(r.str()), SpendID: domain.SpendID(r.str()), Date: r.date(), AmountCents: r.v(),
				ApprovedBy: domain.StaffID(r.str()), At: r.time()}
		}
	}
	if n := r.count(); n > 0 {
		f.Costs = make([]CostRecord, n)
		for i := range f.Costs {
			f.Costs[i] = CostRecord{RecordID: domain.CostRecordID(r.str()), Date: r.date(), PeriodFrom: r.date(), PeriodUntil: r.date(),
				Category: domain.CostCategory(r.str()), ActualCents: r.v(), ComparisonCents: r.v(), AvoidedCents: r.v(), Basis: r.str(),
				Interventions: r.int(), InitialReports: r.int(), FollowUpReports: r.int(), Kantschriften: r.int(), At: r.time()}
		}
	}
	return id, f
}

func (r *snapReader) spend(s *Spend) {
	*s = Spend{FamilyID: domain.FamilyID(r.str()), SpendID: domain.SpendID(r.str()), Date: r.date(), Trajectory: r.int(), AmountCents: r.v(),
		Instrument: domain.SpendInstrument(r.str()), Category: r.str(), Supplier: r.str(), ReceiptRef: r.str(), FundingSource: r.str(),
		Path: domain.SpendPath(r.str()), DecidedOn: r.date(), Body: domain.DecidingBody(r.str()), ProposedBy: domain.StaffID(r.str()),
		ApprovalID: domain.ApprovalID(r.str()), ReferralType: domain.ReferralSource(r.str()), CoachID: domain.StaffID(r.str()),
		Position: r.uv(), At: r.time()}
	if r.presence() {
		s.Review = &Review{Date: r.date(), Verdict: domain.Verdict(r.str()), ReviewedBy: domain.StaffID(r.str()), At: r.time()}
	}
	if r.presence() {
		s.Reversal = &Reversal{Date: r.date(), Reason: domain.ReversalReason(r.str()), Position: r.uv(), At: r.time()}
	}
}

// readState reads what appendState wrote, all of data.
func readState(data []byte) (State, error) {
	r := &snapReader{s: string(data)}
	var st State
	settings, envelopes := r.str(), r.str()
	if r.bad {
		return State{}, errSnapshot
	}
	if err := json.Unmarshal([]byte(settings), &st.Settings); err != nil {
		return State{}, fmt.Errorf("budget: snapshot: settings: %w", err)
	}
	if err := json.Unmarshal([]byte(envelopes), &st.Envelopes); err != nil {
		return State{}, fmt.Errorf("budget: snapshot: envelopes: %w", err)
	}
	n := r.count()
	st.Families = make(map[domain.FamilyID]*Family, n)
	for range n {
		if r.bad {
			break
		}
		id, f := r.family()
		st.Families[id] = f
	}
	if r.bad || len(st.Families) != n {
		return State{}, errSnapshot
	}
	if n = r.count(); n > 0 {
		st.Spends = make([]Spend, n)
		for i := range st.Spends {
			if r.bad {
				break
			}
			r.spend(&st.Spends[i])
		}
	}
	if n = r.count(); n > 0 {
		st.Decisions = make([]Decided, n)
		for i := range st.Decisions {
			st.Decisions[i] = Decided{FamilyID: domain.FamilyID(r.str()), SpendID: domain.SpendID(r.str()), Date: r.date(),
				Verdict: domain.Verdict(r.str()), Body: domain.DecidingBody(r.str()), DecidedBy: domain.StaffID(r.str()), At: r.time()}
		}
	}
	if r.bad || r.i != len(r.s) {
		return State{}, errSnapshot
	}
	return st, nil
}
