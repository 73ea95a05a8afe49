// Package parket is the read model of each family's standing with the youth
// section of the public prosecutor (jeugdparket) and the police: the parket
// state and its full history, the status requests and their due dates, the
// disclosures made to the parket and whether the family was told before the
// report, the police facts recorded and the police file's "op in" / "op af"
// state.
//
// # How it folds
//
// Apply keeps, per family, the public parts of the facts it needs in
// position order: the referral (source), the parket steps (ParketInformed,
// ParketStatusRequested, ParketStatusReported, ParketWorryReported,
// ReferredToOCJ, YouthCourtInvolved, ParketClosed), DisclosureMade,
// FamilyInformed, ConfidentialityLifted, PoliceFactsRecorded and
// PoliceFileClosed / PoliceFileReopened. Queries fold them up to the "as of"
// instant (judged by RecordedAt), so every answer is what the ledger held
// then.
//
// # Rules
//
//   - The state follows domain.ParketNext from not_known, step by step; a
//     step the state machine does not allow in the current state is kept in
//     the history with the state unchanged (the decisions never produce one;
//     the history shows it rather than hide it).
//   - A status request is open from ParketStatusRequested until the
//     ParketStatusReported naming it, or until ParketClosed (the parket
//     closed its file: nothing is due any more).
//   - A disclosure is "to the parket" when its recipient category is parket,
//     or its legal basis is parket_request, or a ParketInformed,
//     ParketStatusReported or ParketWorryReported names it.
//   - The report date of such a disclosure is the date of the parket step
//     that names it (the earliest, if several do), else the disclosure's own
//     date. The family was told before the report when a FamilyInformed for
//     the disclosure is dated on or before the report date (the coach tells
//     the family and then reports, often the same day). A disclosure not
//     (yet) told is "confidential" while it is marked confidential and its
//     confidentiality is not lifted, else "not_told".
//   - The police file is "in" from a police referral, "af" after
//     PoliceFileClosed, "in" again after PoliceFileReopened; a family not
//     referred by the police has "none" until a PoliceFileReopened.
package parket

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
)

// entry is one fact of a family's log; fields are exported for the
// snapshot. Which fields are set depends on Type (the event type).
type entry struct {
	At           int64                       `json:"t"`
	Type         string                      `json:"y"`
	Date         domain.Date                 `json:"d"`
	RequestID    domain.ParketRequestID      `json:"r,omitempty"`
	DueDate      domain.Date                 `json:"due,omitzero"`
	DisclosureID domain.DisclosureID         `json:"x,omitempty"`
	Source       domain.ReferralSource       `json:"s,omitempty"`
	Disclosure   *domain.DisclosureMade      `json:"dm,omitempty"`
	Facts        *domain.PoliceFactsRecorded `json:"pf,omitempty"`
}

// state is the folded state and the snapshot's content.
type state struct {
	Families map[domain.FamilyID][]entry `json:"families"`
}

// Model is the parket read model. Make it with New; it is safe for
// concurrent queries while Apply runs.
type Model struct {
	mu sync.RWMutex
	st state
}

// New returns an empty model.
func New() *Model { return &Model{st: state{Families: map[domain.FamilyID][]entry{}}} }

// Name implements projections.Model.
func (m *Model) Name() string { return "parket" }

// Apply implements projections.Model; it ignores facts it does not need.
func (m *Model) Apply(f *projections.Fact) {
	if !strings.HasPrefix(f.Stream, domain.FamilyStreamPrefix) {
		return
	}
	e := entry{At: f.RecordedAt.UnixNano(), Type: f.Event.EventType()}
	switch v := f.Event.(type) {
	case domain.FamilyReferred:
		e.Date, e.Source = v.Date, v.Source
	case domain.ParketInformed:
		e.Date, e.DisclosureID = v.Date, v.DisclosureID
	case domain.ParketStatusRequested:
		e.Date, e.RequestID, e.DueDate = v.Date, v.RequestID, v.DueDate
	case domain.ParketStatusReported:
		e.Date, e.RequestID, e.DisclosureID = v.Date, v.RequestID, v.DisclosureID
	case domain.ParketWorryReported:
		e.Date, e.DisclosureID = v.Date, v.DisclosureID
	case domain.ReferredToOCJ:
		e.Date, e.DisclosureID = v.Date, v.DisclosureID
	case domain.YouthCourtInvolved:
		e.Date, e.DisclosureID = v.Date, v.DisclosureID
	case domain.ParketClosed:
		e.Date = v.Date
	case domain.DisclosureMade:
		v.Sealed = domain.DisclosureSealed{}
		e.Date, e.DisclosureID, e.Disclosure = v.Date, v.DisclosureID, &v
	case domain.FamilyInformed:
		e.Date, e.DisclosureID = v.Date, v.DisclosureID
	case domain.ConfidentialityLifted:
		e.Date, e.DisclosureID = v.Date, v.DisclosureID
	case domain.PoliceFactsRecorded:
		e.Date, e.Facts = v.Date, &v
	case domain.PoliceFileClosed:
		e.Date = v.Date
	case domain.PoliceFileReopened:
		e.Date = v.Date
	default:
		return
	}
	id := domain.FamilyID(f.Stream[len(domain.FamilyStreamPrefix):])
	m.mu.Lock()
	m.st.Families[id] = append(m.st.Families[id], e)
	m.mu.Unlock()
}

// MarshalSnapshot implements projections.Snapshotter.
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, err := json.Marshal(&m.st)
	if err != nil {
		return nil, fmt.Errorf("parket: snapshot: %w", err)
	}
	return b, nil
}

// UnmarshalSnapshot implements projections.Snapshotter; it replaces the
// whole state.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("parket: snapshot: %w", err)
	}
	if st.Families == nil {
		st.Families = map[domain.FamilyID][]entry{}
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	return nil
}

// SnapshotVersion implements projections.Snapshotter.
func (m *Model) SnapshotVersion() int { return 1 }

// nanos turns an "as of" instant into the fold's cut-off (zero: no cut-off).
func nanos(asOf time.Time) int64 {
	if asOf.IsZero() {
		return math.MaxInt64
	}
	return asOf.UnixNano()
}
