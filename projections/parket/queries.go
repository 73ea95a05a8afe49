package parket

import (
	"slices"
	"strings"
	"time"

	"spoor/domain"
)

// Step is one step of a family's parket history.
type Step struct {
	Type         string                 `json:"type"` // the event type, e.g. ParketWorryReported
	Date         domain.Date            `json:"date"`
	RecordedAt   time.Time              `json:"recorded_at"`
	State        domain.ParketState     `json:"state"` // the state after the step
	RequestID    domain.ParketRequestID `json:"request_id,omitempty"`
	DueDate      domain.Date            `json:"due_date,omitzero"`
	DisclosureID domain.DisclosureID    `json:"disclosure_id,omitempty"`
	// Allowed is false for a step the state machine does not allow in the
	// state it met (the state then stays as it was).
	Allowed bool `json:"allowed"`
}

// Request is a status request of the parket (stand van zaken).
type Request struct {
	RequestID   domain.ParketRequestID `json:"request_id"`
	RequestedOn domain.Date            `json:"requested_on"`
	DueDate     domain.Date            `json:"due_date"`
	Open        bool                   `json:"open"`
	// ReportedOn and DisclosureID are set once the status was reported.
	ReportedOn   domain.Date         `json:"reported_on,omitzero"`
	DisclosureID domain.DisclosureID `json:"disclosure_id,omitempty"`
	// ClosedOn is set when the parket closed its file while the request
	// was open.
	ClosedOn domain.Date `json:"closed_on,omitzero"`
}

// Told says whether a family was told of a disclosure to the parket.
type Told string

// Told values.
const (
	ToldBefore       Told = "before_report" // informed on or before the report date
	ToldAfter        Told = "after_report"
	NotTold          Told = "not_told"
	NotToldConfident Told = "confidential" // not told, marked confidential, not lifted
)

// Disclosure is a disclosure to the parket.
type Disclosure struct {
	FamilyID          domain.FamilyID          `json:"family_id"`
	DisclosureID      domain.DisclosureID      `json:"disclosure_id"`
	Date              domain.Date              `json:"date"`
	RecipientOrg      string                   `json:"recipient_org"`
	RecipientRole     string                   `json:"recipient_role"`
	RecipientCategory domain.RecipientCategory `json:"recipient_category"`
	LegalBasis        domain.LegalBasis        `json:"legal_basis"`
	Purpose           domain.Purpose           `json:"purpose"`
	DataCategories    []domain.DataCategory    `json:"data_categories"`
	DecidedBy         domain.StaffID           `json:"decided_by"`
	// Step is the parket step that names the disclosure ("" when none
	// does), ReportedOn its date, or the disclosure's date when none.
	Step                  string                 `json:"step,omitempty"`
	RequestID             domain.ParketRequestID `json:"request_id,omitempty"`
	ReportedOn            domain.Date            `json:"reported_on"`
	Confidential          bool                   `json:"confidential"`
	ConfidentialityLifted domain.Date            `json:"confidentiality_lifted,omitzero"`
	InformedOn            domain.Date            `json:"informed_on,omitzero"`
	Told                  Told                   `json:"told"`
}

// PoliceRecord is one PoliceFactsRecorded.
type PoliceRecord struct {
	Date            domain.Date `json:"date"`
	PeriodFrom      domain.Date `json:"period_from"`
	PeriodUntil     domain.Date `json:"period_until"`
	Interventions   int         `json:"interventions"`
	InitialReports  int         `json:"initial_reports"`
	FollowUpReports int         `json:"follow_up_reports"`
	Kantschriften   int         `json:"kantschriften"`
}

// Police sums a family's police facts and shows its police file.
type Police struct {
	Records         []PoliceRecord `json:"records"`
	Interventions   int            `json:"interventions"`
	InitialReports  int            `json:"initial_reports"`
	FollowUpReports int            `json:"follow_up_reports"`
	Kantschriften   int            `json:"kantschriften"`
	// File is "in" (op in), "af" (op af) or "none" (never opened).
	File        string       `json:"file"`
	FileHistory []FileChange `json:"file_history"`
}

// FileChange is a change of the police file's state.
type FileChange struct {
	Date  domain.Date `json:"date"`
	State string      `json:"state"` // "in" or "af"
}

// Family is a family's standing with the parket and the police.
type Family struct {
	FamilyID domain.FamilyID    `json:"family_id"`
	State    domain.ParketState `json:"state"`
	// Since is the date of the step that led to State ("" for not_known).
	Since       domain.Date  `json:"since,omitzero"`
	OpenRequest *Request     `json:"open_request,omitempty"`
	History     []Step       `json:"history"`
	Requests    []Request    `json:"requests"`
	Disclosures []Disclosure `json:"disclosures"`
	Police      Police       `json:"police"`
}

// isStep reports whether typ is a step of the parket state machine.
func isStep(typ string) bool {
	switch typ {
	case domain.TypeParketInformed, domain.TypeParketStatusRequested, domain.TypeParketStatusReported,
		domain.TypeParketWorryReported, domain.TypeReferredToOCJ, domain.TypeYouthCourtInvolved, domain.TypeParketClosed:
		return true
	}
	return false
}

// linking steps name a disclosure that went to the parket.
func linking(typ string) bool {
	return typ == domain.TypeParketInformed || typ == domain.TypeParketStatusReported || typ == domain.TypeParketWorryReported
}

// fold folds a family's entries up to cut.
func fold(id domain.FamilyID, es []entry, cut int64) (Family, bool) {
	f := Family{FamilyID: id, State: domain.ParketStateNotKnown, History: []Step{}, Requests: []Request{}, Disclosures: []Disclosure{},
		Police: Police{Records: []PoliceRecord{}, File: "none", FileHistory: []FileChange{}}}
	seen := false
	reqs := map[domain.ParketRequestID]int{} // index in f.Requests
	type link struct {
		step string
		date domain.Date
		req  domain.ParketRequestID
	}
	links := map[domain.DisclosureID]link{}
	var all []*domain.DisclosureMade
	informed := map[domain.DisclosureID]domain.Date{}
	lifted := map[domain.DisclosureID]domain.Date{}
	for i := range es {
		e := &es[i]
		if e.At > cut {
			continue
		}
		seen = true
		switch {
		case e.Type == domain.TypeFamilyReferred:
			if e.Source == domain.SourcePolice && f.Police.File == "none" {
				f.Police.File = "in"
				f.Police.FileHistory = append(f.Police.FileHistory, FileChange{Date: e.Date, State: "in"})
			}
		case isStep(e.Type):
			next, ok := domain.ParketNext(f.State, e.Type)
			if ok {
				f.State, f.Since = next, e.Date
			}
			f.History = append(f.History, Step{Type: e.Type, Date: e.Date, RecordedAt: time.Unix(0, e.At).UTC(), State: f.State,
				RequestID: e.RequestID, DueDate: e.DueDate, DisclosureID: e.DisclosureID, Allowed: ok})
			switch e.Type {
			case domain.TypeParketStatusRequested:
				reqs[e.RequestID] = len(f.Requests)
				f.Requests = append(f.Requests, Request{RequestID: e.RequestID, RequestedOn: e.Date, DueDate: e.DueDate, Open: true})
			case domain.TypeParketStatusReported:
				if j, ok := reqs[e.RequestID]; ok && f.Requests[j].Open {
					r := &f.Requests[j]
					r.Open, r.ReportedOn, r.DisclosureID = false, e.Date, e.DisclosureID
				}
			case domain.TypeParketClosed:
				for j := range f.Requests {
					if f.Requests[j].Open {
						f.Requests[j].Open, f.Requests[j].ClosedOn = false, e.Date
					}
				}
			}
			if linking(e.Type) && e.DisclosureID != "" {
				if l, ok := links[e.DisclosureID]; !ok || e.Date.Before(l.date) {
					links[e.DisclosureID] = link{step: e.Type, date: e.Date, req: e.RequestID}
				}
			}
		case e.Type == domain.TypeDisclosureMade:
			all = append(all, e.Disclosure)
		case e.Type == domain.TypeFamilyInformed:
			if _, ok := informed[e.DisclosureID]; !ok {
				informed[e.DisclosureID] = e.Date
			}
		case e.Type == domain.TypeConfidentialityLifted:
			lifted[e.DisclosureID] = e.Date
		case e.Type == domain.TypePoliceFactsRecorded:
			p := e.Facts
			f.Police.Records = append(f.Police.Records, PoliceRecord{Date: p.Date, PeriodFrom: p.PeriodFrom, PeriodUntil: p.PeriodUntil,
				Interventions: p.Interventions, InitialReports: p.InitialReports, FollowUpReports: p.FollowUpReports, Kantschriften: p.Kantschriften})
			f.Police.Interventions += p.Interventions
			f.Police.InitialReports += p.InitialReports
			f.Police.FollowUpReports += p.FollowUpReports
			f.Police.Kantschriften += p.Kantschriften
		case e.Type == domain.TypePoliceFileClosed:
			f.Police.File = "af"
			f.Police.FileHistory = append(f.Police.FileHistory, FileChange{Date: e.Date, State: "af"})
		case e.Type == domain.TypePoliceFileReopened:
			f.Police.File = "in"
			f.Police.FileHistory = append(f.Police.FileHistory, FileChange{Date: e.Date, State: "in"})
		}
	}
	for _, dm := range all {
		l, linked := links[dm.DisclosureID]
		if !linked && dm.RecipientCategory != domain.RecipientParket && dm.LegalBasis != domain.BasisParketRequest {
			continue
		}
		d := Disclosure{FamilyID: id, DisclosureID: dm.DisclosureID, Date: dm.Date, RecipientOrg: dm.RecipientOrg, RecipientRole: dm.RecipientRole,
			RecipientCategory: dm.RecipientCategory, LegalBasis: dm.LegalBasis, Purpose: dm.Purpose,
			DataCategories: slices.Clone(dm.DataCategories), DecidedBy: dm.DecidedBy, ReportedOn: dm.Date,
			Confidential: dm.Confidential, ConfidentialityLifted: lifted[dm.DisclosureID], InformedOn: informed[dm.DisclosureID]}
		if d.DataCategories == nil {
			d.DataCategories = []domain.DataCategory{}
		}
		if linked {
			d.Step, d.RequestID, d.ReportedOn = l.step, l.req, l.date
		}
		switch {
		case !d.InformedOn.IsZero() && !d.InformedOn.After(d.ReportedOn):
			d.Told = ToldBefore
		case !d.InformedOn.IsZero():
			d.Told = ToldAfter
		case d.Confidential && d.ConfidentialityLifted.IsZero():
			d.Told = NotToldConfident
		default:
			d.Told = NotTold
		}
		f.Disclosures = append(f.Disclosures, d)
	}
	for j := range f.Requests {
		if f.Requests[j].Open {
			r := f.Requests[j]
			f.OpenRequest = &r
		}
	}
	return f, seen
}

// Family returns the family's standing as the ledger stood at asOf (zero:
// now), and false when the model holds nothing about the family then. The
// history and requests are in position order; disclosures in the order
// they were made.
func (m *Model) Family(id domain.FamilyID, asOf time.Time) (Family, bool) {
	m.mu.RLock()
	es := m.st.Families[id]
	m.mu.RUnlock()
	return fold(id, es, nanos(asOf))
}

// families folds every family (ordered by id) up to asOf.
func (m *Model) families(asOf time.Time) []Family {
	cut := nanos(asOf)
	m.mu.RLock()
	logs := make(map[domain.FamilyID][]entry, len(m.st.Families))
	for id, es := range m.st.Families {
		logs[id] = es
	}
	m.mu.RUnlock()
	out := make([]Family, 0, len(logs))
	for id, es := range logs {
		if f, ok := fold(id, es, cut); ok {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Family) int { return strings.Compare(string(a.FamilyID), string(b.FamilyID)) })
	return out
}

// StateOf is one family's current parket state, for overviews.
type StateOf struct {
	FamilyID    domain.FamilyID    `json:"family_id"`
	State       domain.ParketState `json:"state"`
	Since       domain.Date        `json:"since,omitzero"`
	OpenRequest *Request           `json:"open_request,omitempty"`
	PoliceFile  string             `json:"police_file"`
}

// States returns every family's parket state at asOf (zero: now), ordered
// by family id.
func (m *Model) States(asOf time.Time) []StateOf {
	fs := m.families(asOf)
	out := make([]StateOf, 0, len(fs))
	for _, f := range fs {
		out = append(out, StateOf{FamilyID: f.FamilyID, State: f.State, Since: f.Since, OpenRequest: f.OpenRequest, PoliceFile: f.Police.File})
	}
	return out
}

// Counts returns the number of families per parket state at asOf (zero:
// now); every state of domain.ParketStates is present.
func (m *Model) Counts(asOf time.Time) map[domain.ParketState]int {
	out := map[domain.ParketState]int{}
	for _, s := range domain.ParketStates() {
		out[s] = 0
	}
	for _, f := range m.families(asOf) {
		out[f.State]++
	}
	return out
}

// OpenRequest is a status request still open, with how long is left.
type OpenRequest struct {
	FamilyID    domain.FamilyID        `json:"family_id"`
	RequestID   domain.ParketRequestID `json:"request_id"`
	RequestedOn domain.Date            `json:"requested_on"`
	DueDate     domain.Date            `json:"due_date"`
	// DaysLeft is DueDate minus today: negative when overdue.
	DaysLeft int  `json:"days_left"`
	Overdue  bool `json:"overdue"`
}

// OpenRequests returns the status requests open at asOf (zero: now) that
// are past due or due within withinDays of today (DueDate <= today +
// withinDays; withinDays < 0 counts as 0), ordered by due date, then family
// and request id.
func (m *Model) OpenRequests(asOf time.Time, today domain.Date, withinDays int) []OpenRequest {
	if withinDays < 0 {
		withinDays = 0
	}
	limit := today.AddDays(withinDays)
	out := []OpenRequest{}
	for _, f := range m.families(asOf) {
		for _, r := range f.Requests {
			if !r.Open || r.DueDate.After(limit) {
				continue
			}
			left := r.DueDate.DaysSince(today)
			out = append(out, OpenRequest{FamilyID: f.FamilyID, RequestID: r.RequestID, RequestedOn: r.RequestedOn, DueDate: r.DueDate, DaysLeft: left, Overdue: left < 0})
		}
	}
	slices.SortFunc(out, func(a, b OpenRequest) int {
		if c := a.DueDate.Compare(b.DueDate); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.FamilyID), string(b.FamilyID)); c != 0 {
			return c
		}
		return strings.Compare(string(a.RequestID), string(b.RequestID))
	})
	return out
}

// Disclosures returns the disclosures to the parket of every family known
// at asOf (zero: now) made between from and until inclusive (zero bounds
// are open), ordered by date, family id and disclosure id. Told says
// whether the family was told before the report (see the package rules).
func (m *Model) Disclosures(asOf time.Time, from, until domain.Date) []Disclosure {
	out := []Disclosure{}
	for _, f := range m.families(asOf) {
		for _, d := range f.Disclosures {
			if (!from.IsZero() && d.Date.Before(from)) || (!until.IsZero() && d.Date.After(until)) {
				continue
			}
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b Disclosure) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.FamilyID), string(b.FamilyID)); c != 0 {
			return c
		}
		return strings.Compare(string(a.DisclosureID), string(b.DisclosureID))
	})
	return out
}
