package budget

import (
	"encoding/json"
	"errors"
	"fmt"

	"spoor/domain"
	"spoor/projections/snapcodec"
)

// The snapshot (version 2) is binary: the team settings and the envelopes
// as JSON (each a length-prefixed blob; they are small), then the families
// (count, then per family its id and fields in declaration order), the
// spends and the decisions, each a count and then fields in declaration
// order, each in the form of package snapcodec (strings
// uvarint-length-prefixed; dates their yyyymmdd key, 0: none; instants a
// presence byte, then Unix seconds, nanoseconds and zone offset); slices
// are a count (a restore gives nil for an empty slice, as the JSON form's
// readers treated both alike); a pointer is a presence byte (a snapcodec
// bool), then its fields.
// A restart decodes this in a fraction of the time encoding/json took.
// TestSnapshotCodecFields fails when a field is added to one of these types
// without being added here.

// errSnapshot is returned for a snapshot that is torn or not of this form.
var errSnapshot = errors.New("budget: snapshot: truncated or malformed")

func writeFamily(w *snapcodec.Writer, id domain.FamilyID, f *Family) {
	w.String(string(id))
	w.Time(f.ReferredAt)
	w.String(string(f.Source))
	w.Varint(int64(f.Children))
	w.String(string(f.Coach))
	w.Uvarint(uint64(len(f.Trajectories)))
	for _, t := range f.Trajectories {
		w.Varint(int64(t.Trajectory))
		w.Time(t.At)
	}
	w.Uvarint(uint64(len(f.Allocations)))
	for i := range f.Allocations {
		a := &f.Allocations[i]
		w.String(string(a.AllocationID))
		w.Date(a.Date)
		w.Varint(int64(a.Trajectory))
		w.Varint(a.AmountCents)
		w.String(string(a.Source))
		w.String(a.FundingSource)
		w.Time(a.At)
	}
	w.Uvarint(uint64(len(f.Overspends)))
	for i := range f.Overspends {
		o := &f.Overspends[i]
		w.String(string(o.ApprovalID))
		w.String(string(o.SpendID))
		w.Date(o.Date)
		w.Varint(o.AmountCents)
		w.String(string(o.ApprovedBy))
		w.Time(o.At)
	}
	w.Uvarint(uint64(len(f.Costs)))
	for i := range f.Costs {
		c := &f.Costs[i]
		w.String(string(c.RecordID))
		w.Date(c.Date)
		w.Date(c.PeriodFrom)
		w.Date(c.PeriodUntil)
		w.String(string(c.Category))
		w.Varint(c.ActualCents)
		w.Varint(c.ComparisonCents)
		w.Varint(c.AvoidedCents)
		w.String(c.Basis)
		w.Varint(int64(c.Interventions))
		w.Varint(int64(c.InitialReports))
		w.Varint(int64(c.FollowUpReports))
		w.Varint(int64(c.Kantschriften))
		w.Time(c.At)
	}
}

func writeSpend(w *snapcodec.Writer, s *Spend) {
	w.String(string(s.FamilyID))
	w.String(string(s.SpendID))
	w.Date(s.Date)
	w.Varint(int64(s.Trajectory))
	w.Varint(s.AmountCents)
	w.String(string(s.Instrument))
	w.String(s.Category)
	w.String(s.Supplier)
	w.String(s.ReceiptRef)
	w.String(s.FundingSource)
	w.String(string(s.Path))
	w.Date(s.DecidedOn)
	w.String(string(s.Body))
	w.String(string(s.ProposedBy))
	w.String(string(s.ApprovalID))
	w.String(string(s.ReferralType))
	w.String(string(s.CoachID))
	w.Uvarint(s.Position)
	w.Time(s.At)
	w.Bool(s.Review != nil)
	if r := s.Review; r != nil {
		w.Date(r.Date)
		w.String(string(r.Verdict))
		w.String(string(r.ReviewedBy))
		w.Time(r.At)
	}
	w.Bool(s.Reversal != nil)
	if r := s.Reversal; r != nil {
		w.Date(r.Date)
		w.String(string(r.Reason))
		w.Uvarint(r.Position)
		w.Time(r.At)
	}
}

func writeDecided(w *snapcodec.Writer, d *Decided) {
	w.String(string(d.FamilyID))
	w.String(string(d.SpendID))
	w.Date(d.Date)
	w.String(string(d.Verdict))
	w.String(string(d.Body))
	w.String(string(d.DecidedBy))
	w.Time(d.At)
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
	w := snapcodec.NewWriter(b)
	w.String(string(settings))
	w.String(string(envelopes))
	w.Uvarint(uint64(len(st.Families)))
	for id, f := range st.Families {
		writeFamily(w, id, f)
	}
	w.Uvarint(uint64(len(st.Spends)))
	for i := range st.Spends {
		writeSpend(w, &st.Spends[i])
	}
	w.Uvarint(uint64(len(st.Decisions)))
	for i := range st.Decisions {
		writeDecided(w, &st.Decisions[i])
	}
	return w.Bytes(), nil
}

func readFamily(r *snapcodec.Reader) (domain.FamilyID, *Family) {
	id := domain.FamilyID(r.String())
	f := &Family{ReferredAt: r.Time(), Source: domain.ReferralSource(r.String()), Children: r.Int(), Coach: domain.StaffID(r.String())}
	if n := r.Count(); n > 0 {
		f.Trajectories = make([]Mark, n)
		for i := range f.Trajectories {
			f.Trajectories[i] = Mark{Trajectory: r.Int(), At: r.Time()}
		}
	}
	if n := r.Count(); n > 0 {
		f.Allocations = make([]Allocation, n)
		for i := range f.Allocations {
			f.Allocations[i] = Allocation{AllocationID: domain.AllocationID(r.String()), Date: r.Date(), Trajectory: r.Int(), AmountCents: r.Varint(),
				Source: domain.ReferralSource(r.String()), FundingSource: r.String(), At: r.Time()}
		}
	}
	if n := r.Count(); n > 0 {
		f.Overspends = make([]Overspend, n)
		for i := range f.Overspends {
			f.Overspends[i] = Overspend{ApprovalID: domain.ApprovalID(r.String()), SpendID: domain.SpendID(r.String()), Date: r.Date(), AmountCents: r.Varint(),
				ApprovedBy: domain.StaffID(r.String()), At: r.Time()}
		}
	}
	if n := r.Count(); n > 0 {
		f.Costs = make([]CostRecord, n)
		for i := range f.Costs {
			f.Costs[i] = CostRecord{RecordID: domain.CostRecordID(r.String()), Date: r.Date(), PeriodFrom: r.Date(), PeriodUntil: r.Date(),
				Category: domain.CostCategory(r.String()), ActualCents: r.Varint(), ComparisonCents: r.Varint(), AvoidedCents: r.Varint(), Basis: r.String(),
				Interventions: r.Int(), InitialReports: r.Int(), FollowUpReports: r.Int(), Kantschriften: r.Int(), At: r.Time()}
		}
	}
	return id, f
}

func readSpend(r *snapcodec.Reader, s *Spend) {
	*s = Spend{FamilyID: domain.FamilyID(r.String()), SpendID: domain.SpendID(r.String()), Date: r.Date(), Trajectory: r.Int(), AmountCents: r.Varint(),
		Instrument: domain.SpendInstrument(r.String()), Category: r.String(), Supplier: r.String(), ReceiptRef: r.String(), FundingSource: r.String(),
		Path: domain.SpendPath(r.String()), DecidedOn: r.Date(), Body: domain.DecidingBody(r.String()), ProposedBy: domain.StaffID(r.String()),
		ApprovalID: domain.ApprovalID(r.String()), ReferralType: domain.ReferralSource(r.String()), CoachID: domain.StaffID(r.String()),
		Position: r.Uvarint(), At: r.Time()}
	if r.Bool() {
		s.Review = &Review{Date: r.Date(), Verdict: domain.Verdict(r.String()), ReviewedBy: domain.StaffID(r.String()), At: r.Time()}
	}
	if r.Bool() {
		s.Reversal = &Reversal{Date: r.Date(), Reason: domain.ReversalReason(r.String()), Position: r.Uvarint(), At: r.Time()}
	}
}

// readState reads what appendState wrote, all of data.
func readState(data []byte) (State, error) {
	r := snapcodec.NewReader(data)
	var st State
	settings, envelopes := r.String(), r.String()
	if r.Err() != nil {
		return State{}, errSnapshot
	}
	if err := json.Unmarshal([]byte(settings), &st.Settings); err != nil {
		return State{}, fmt.Errorf("budget: snapshot: settings: %w", err)
	}
	if err := json.Unmarshal([]byte(envelopes), &st.Envelopes); err != nil {
		return State{}, fmt.Errorf("budget: snapshot: envelopes: %w", err)
	}
	n := r.Count()
	st.Families = make(map[domain.FamilyID]*Family, n)
	for range n {
		if r.Err() != nil {
			break
		}
		id, f := readFamily(r)
		st.Families[id] = f
	}
	if r.Err() != nil || len(st.Families) != n {
		return State{}, errSnapshot
	}
	if n = r.Count(); n > 0 {
		st.Spends = make([]Spend, n)
		for i := range st.Spends {
			if r.Err() != nil {
				break
			}
			readSpend(r, &st.Spends[i])
		}
	}
	if n = r.Count(); n > 0 {
		st.Decisions = make([]Decided, n)
		for i := range st.Decisions {
			st.Decisions[i] = Decided{FamilyID: domain.FamilyID(r.String()), SpendID: domain.SpendID(r.String()), Date: r.Date(),
				Verdict: domain.Verdict(r.String()), Body: domain.DecidingBody(r.String()), DecidedBy: domain.StaffID(r.String()), At: r.Time()}
		}
	}
	if r.Err() != nil || r.Len() != 0 {
		return State{}, errSnapshot
	}
	return st, nil
}
