// Package caseload is the coordinator's read model of who carries which
// families: per coach the active families with their caseload weight, the
// capacity and what is left, a warning before a coach goes over capacity;
// the waiting list; cover arrangements; days since the last contact and the
// families without contact for too long; the families due for the quarterly
// review; and a team-wide count of families per status and referral source.
//
// # How it folds
//
// Apply keeps, per family, a compact log of the facts it needs (referral,
// waiting list, intake, guidance, coach, covers, closure, reopening,
// contacts and their corrections, assessment registrations), per staff
// member the coach role and active flag, and the team's settings with the
// instant each took effect. Queries fold those logs up to the "as of"
// instant, so every answer is the ledger as it stood then (judged by
// RecordedAt) and settings in force then apply. Only public parts are used.
//
// # Rules
//
//   - Status of a family: referred (after FamilyReferred or CaseReopened),
//     waiting (WaitingListEntered, until WaitingListLeft), not_taken_in (left
//     the waiting list with an outcome other than taken_in, and no intake
//     since), intake (IntakeHeld in the current trajectory, guidance not yet
//     started), guidance (GuidanceStarted), closed (CaseClosed).
//   - A coach's active families are the families in guidance whose coach
//     they are, and the families in the intake phase whose intake named
//     them (or that were assigned to them): the coach who attends the intake
//     takes the case, so the slot is taken from then on. Families covered for
//     a colleague do not add to the covering coach's load.
//   - Weight is the team setting for the family's referral source (the
//     source given at reopening replaces the referral's); capacity is the
//     team setting; both as in force at the "as of" instant (defaults: 1.0
//     for police, 0.5 for others, capacity 6.0).
//   - A coach is over capacity when the load exceeds capacity; WouldExceed
//     says whether one more family of a source would take the load above
//     capacity (a load equal to capacity is allowed).
//   - Last contact: the latest date of a contact that is not cancelled, with
//     each contact as its last ContactCorrected left it (the rule of
//     domain.Family). Only families in guidance
//     are listed; a family is over the threshold when its days without
//     contact exceed it (default: the team's NoContactDays). Days count from
//     the later of the last contact and the guidance start.
//   - Quarterly review: a family in guidance is due ReviewIntervalDays (team
//     setting, default 91) after the later of its guidance start and its
//     last AssessmentRegistered (any instrument, any moment: t0, review, t1)
//     of the current trajectory. A registration is the review's record.
package caseload

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/snapcodec"
)

// Family statuses as this model reports them.
const (
	StatusReferred   = "referred"
	StatusWaiting    = "waiting"
	StatusNotTakenIn = "not_taken_in"
	StatusIntake     = "intake"
	StatusGuidance   = "guidance"
	StatusClosed     = "closed"
)

// Statuses lists the statuses in the order of the process.
func Statuses() []string {
	return []string{StatusReferred, StatusWaiting, StatusNotTakenIn, StatusIntake, StatusGuidance, StatusClosed}
}

// op is the kind of a logged fact.
type op uint8

const (
	opReferred op = iota + 1
	opWaitEnter
	opWaitLeave
	opIntake
	opGuidance
	opAssign
	opCover
	opCoverEnd
	opClosed
	opReopened
	opContact
	opContactFix
	opAssessment
)

// entry is one fact of a family's log. Fields are exported for the snapshot.
type entry struct {
	At     int64                 `json:"t"`
	Op     op                    `json:"o"`
	D1     domain.Date           `json:"d1,omitzero"`
	D2     domain.Date           `json:"d2,omitzero"`
	ID     string                `json:"id,omitempty"`
	Coach  domain.StaffID        `json:"c,omitempty"`
	Other  domain.StaffID        `json:"oc,omitempty"`
	Source domain.ReferralSource `json:"s,omitempty"`
	Code   string                `json:"k,omitempty"` // waiting outcome, cover reason
	Flag   bool                  `json:"f,omitempty"` // contact cancelled
}

// famLog is the log of one family.
type famLog struct {
	Entries []entry `json:"entries"`
	Fixes   bool    `json:"fixes,omitempty"` // a ContactCorrected was seen
}

// staffEntry is a change of a staff member's coach role or active flag.
type staffEntry struct {
	At     int64 `json:"t"`
	Coach  int8  `json:"coach,omitempty"`  // +1 granted, -1 revoked, 0 unchanged
	Active int8  `json:"active,omitempty"` // +1 (re)activated, -1 deactivated
}

// settingsAt is a TeamSettingsChanged and when it was recorded.
type settingsAt struct {
	At       int64               `json:"t"`
	Settings domain.TeamSettings `json:"settings"`
}

// state is the whole folded state (and the snapshot's content).
type state struct {
	Families map[domain.FamilyID]*famLog     `json:"families"`
	Staff    map[domain.StaffID][]staffEntry `json:"staff"`
	Settings []settingsAt                    `json:"settings"`
}

// Model is the caseload read model. Make it with New; it is safe for
// concurrent queries while Apply runs.
type Model struct {
	mu       sync.RWMutex
	defaults domain.TeamSettings
	st       state
}

// New returns an empty model. defaults are the settings in force before the
// team stream's first TeamSettingsChanged (normally
// domain.DefaultTeamSettings()).
func New(defaults domain.TeamSettings) *Model {
	m := &Model{defaults: defaults}
	m.st = emptyState()
	return m
}

func emptyState() state {
	return state{Families: map[domain.FamilyID]*famLog{}, Staff: map[domain.StaffID][]staffEntry{}}
}

// Name implements projections.Model.
func (m *Model) Name() string { return "caseload" }

// Apply implements projections.Model. It ignores facts it does not need
// (and takes the lock only for those it keeps).
func (m *Model) Apply(f *projections.Fact) {
	at := f.RecordedAt.UnixNano()
	if strings.HasPrefix(f.Stream, domain.FamilyStreamPrefix) {
		e, ok := familyEntry(f.Event)
		if !ok {
			return
		}
		e.At = at
		id := domain.FamilyID(f.Stream[len(domain.FamilyStreamPrefix):])
		m.mu.Lock()
		fl := m.st.Families[id]
		if fl == nil {
			fl = &famLog{}
			m.st.Families[id] = fl
		}
		if e.Op == opContactFix {
			fl.Fixes = true
		}
		fl.Entries = append(fl.Entries, e)
		m.mu.Unlock()
		return
	}
	var se staffEntry
	switch e := f.Event.(type) {
	case domain.TeamSettingsChanged:
		m.mu.Lock()
		m.st.Settings = append(m.st.Settings, settingsAt{At: at, Settings: e.Settings})
		m.mu.Unlock()
		return
	case domain.StaffRegistered, domain.StaffReactivated:
		se = staffEntry{Active: 1}
	case domain.StaffDeactivated:
		se = staffEntry{Active: -1}
	case domain.RoleGranted:
		if e.Role != domain.RoleCoach {
			return
		}
		se = staffEntry{Coach: 1}
	case domain.RoleRevoked:
		if e.Role != domain.RoleCoach {
			return
		}
		se = staffEntry{Coach: -1}
	default:
		return
	}
	id, ok := domain.StaffIDFromStream(f.Stream)
	if !ok {
		return
	}
	se.At = at
	m.mu.Lock()
	m.st.Staff[id] = append(m.st.Staff[id], se)
	m.mu.Unlock()
}

// familyEntry returns the log entry of a family event, or false for an
// event the model does not need.
func familyEntry(ev domain.Event) (entry, bool) {
	switch v := ev.(type) {
	case domain.FamilyReferred:
		return entry{Op: opReferred, D1: v.Date, Source: v.Source}, true
	case domain.WaitingListEntered:
		return entry{Op: opWaitEnter, D1: v.Date}, true
	case domain.WaitingListLeft:
		return entry{Op: opWaitLeave, D1: v.Date, Code: string(v.Outcome)}, true
	case domain.IntakeHeld:
		return entry{Op: opIntake, D1: v.Date, Coach: v.CoachID}, true
	case domain.GuidanceStarted:
		return entry{Op: opGuidance, D1: v.Date}, true
	case domain.CoachAssigned:
		return entry{Op: opAssign, D1: v.Date, Coach: v.CoachID}, true
	case domain.CoverArranged:
		return entry{Op: opCover, D1: v.From, D2: v.Until, ID: string(v.CoverID), Coach: v.CoachID, Other: v.ForCoachID, Code: string(v.Reason)}, true
	case domain.CoverEnded:
		return entry{Op: opCoverEnd, D1: v.Date, ID: string(v.CoverID)}, true
	case domain.CaseClosed:
		return entry{Op: opClosed, D1: v.Date}, true
	case domain.CaseReopened:
		return entry{Op: opReopened, D1: v.Date, Source: v.Source}, true
	case domain.ContactLogged:
		return entry{Op: opContact, D1: v.Date, ID: string(v.ContactID)}, true
	case domain.ContactCorrected:
		return entry{Op: opContactFix, D1: v.Date, ID: string(v.ContactID), Flag: v.Cancelled}, true
	case domain.AssessmentRegistered:
		return entry{Op: opAssessment, D1: v.Date}, true
	}
	return entry{}, false
}

// cover is a cover arrangement as folded.
type cover struct {
	id          string
	coach, for_ domain.StaffID
	from, until domain.Date
	ended       domain.Date
	reason      string
}

func (c cover) last() domain.Date {
	if !c.ended.IsZero() {
		return c.ended
	}
	return c.until
}

// famState is a family folded up to an instant.
type famState struct {
	exists         bool
	status         string
	source         domain.ReferralSource
	referredOn     domain.Date
	waitingSince   domain.Date
	intakeOn       domain.Date
	guidanceOn     domain.Date
	closedOn       domain.Date
	coach          domain.StaffID
	covers         []cover
	lastContact    domain.Date
	lastAssessment domain.Date // in the current trajectory
}

// fold folds fl's entries recorded at or before asOf.
func (fl *famLog) fold(asOf int64) famState {
	var s famState
	var fixed map[string]contactFix
	if fl.Fixes {
		fixed = map[string]contactFix{}
	}
	for i := range fl.Entries {
		e := &fl.Entries[i]
		if e.At > asOf {
			continue
		}
		switch e.Op {
		case opReferred:
			s.exists, s.status, s.source, s.referredOn = true, StatusReferred, e.Source, e.D1
		case opWaitEnter:
			s.status, s.waitingSince = StatusWaiting, e.D1
		case opWaitLeave:
			if s.status == StatusWaiting {
				s.status = StatusReferred
				if e.Code != string(domain.WaitingTakenIn) {
					s.status = StatusNotTakenIn
				}
			}
			s.waitingSince = domain.Date{}
		case opIntake:
			s.status, s.intakeOn = StatusIntake, e.D1
			if s.coach == "" {
				s.coach = e.Coach
			}
		case opGuidance:
			s.status, s.guidanceOn = StatusGuidance, e.D1
		case opAssign:
			s.coach = e.Coach
		case opCover:
			s.covers = append(s.covers, cover{id: e.ID, coach: e.Coach, for_: e.Other, from: e.D1, until: e.D2, reason: e.Code})
		case opCoverEnd:
			for j := range s.covers {
				if s.covers[j].id == e.ID {
					s.covers[j].ended = e.D1
				}
			}
		case opClosed:
			s.status, s.closedOn = StatusClosed, e.D1
			for j := range s.covers {
				if s.covers[j].last().After(e.D1) {
					s.covers[j].ended = e.D1
				}
			}
		case opReopened:
			s.status = StatusReferred
			if e.Source != "" {
				s.source = e.Source
			}
			s.intakeOn, s.guidanceOn, s.closedOn, s.coach = domain.Date{}, domain.Date{}, domain.Date{}, ""
			s.lastAssessment = domain.Date{}
		case opContact:
			if fixed != nil {
				fixed[e.ID] = contactFix{date: e.D1}
			} else if e.D1.After(s.lastContact) {
				s.lastContact = e.D1
			}
		case opContactFix:
			if _, ok := fixed[e.ID]; ok {
				fixed[e.ID] = contactFix{date: e.D1, cancelled: e.Flag}
			}
		case opAssessment:
			if e.D1.After(s.lastAssessment) {
				s.lastAssessment = e.D1
			}
		}
	}
	for _, c := range fixed {
		if !c.cancelled && c.date.After(s.lastContact) {
			s.lastContact = c.date
		}
	}
	return s
}

type contactFix struct {
	date      domain.Date
	cancelled bool
}

// nanos turns an "as of" instant into the fold's cut-off (zero: no cut-off).
func nanos(asOf time.Time) int64 {
	if asOf.IsZero() {
		return math.MaxInt64
	}
	return asOf.UnixNano()
}

// settings returns the settings in force at asOf. Caller holds the lock.
func (m *Model) settings(asOf int64) domain.TeamSettings {
	s := m.defaults
	for _, x := range m.st.Settings {
		if x.At <= asOf {
			s = x.Settings
		}
	}
	return s
}

// weight is the caseload weight of source under s; a source missing from
// the settings weighs what the defaults say, else 0.5.
func (m *Model) weight(s domain.TeamSettings, src domain.ReferralSource) float64 {
	if w, ok := s.Weights[src]; ok && w > 0 {
		return w
	}
	if w, ok := m.defaults.Weights[src]; ok && w > 0 {
		return w
	}
	return 0.5
}

// famView is a folded family with its id.
type famView struct {
	id domain.FamilyID
	famState
}

// families folds every family up to asOf. Caller holds the read lock.
func (m *Model) families(asOf int64) []famView {
	out := make([]famView, 0, len(m.st.Families))
	for id, fl := range m.st.Families {
		s := fl.fold(asOf)
		if s.exists {
			out = append(out, famView{id: id, famState: s})
		}
	}
	slices.SortFunc(out, func(a, b famView) int { return strings.Compare(string(a.id), string(b.id)) })
	return out
}

// coachOn reports the staff member's coach role and active flag at asOf,
// and whether they were registered or granted anything by then.
func (m *Model) coachOn(id domain.StaffID, asOf int64) (coach, active, known bool) {
	for _, e := range m.st.Staff[id] {
		if e.At > asOf {
			continue
		}
		known = true
		if e.Coach != 0 {
			coach = e.Coach > 0
		}
		if e.Active != 0 {
			active = e.Active > 0
		}
	}
	return coach, active, known
}

// round3 rounds to three decimals, so sums of weights such as 0.1 print
// cleanly.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// exceeds reports whether load is above capacity (with a tolerance for
// floating-point sums).
func exceeds(load, capacity float64) bool { return load > capacity+1e-9 }

// Snapshot format (version 2): the magic "spoor-caseload-2\n"; the
// settings and the staff entries as two length-prefixed JSON documents
// (they are few); then per family: its id, a byte for Fixes, the entry
// count, and per entry: varint At, byte Op, dates D1 and D2 as uvarint
// year, month, day (0 0 0: none), the strings ID, Coach, Other, Source and
// Code (uvarint length + bytes) and a byte for Flag. Binary framing restores
// a million events' worth of entries in a fraction of a second.
const snapMagic = "spoor-caseload-2\n"

// errTorn reports a snapshot that ends early or holds a bad value.
var errTorn = errors.New("caseload: snapshot is torn or malformed")

// MarshalSnapshot implements projections.Snapshotter.
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	set, err := json.Marshal(m.st.Settings)
	if err != nil {
		return nil, fmt.Errorf("caseload: snapshot: %w", err)
	}
	staff, err := json.Marshal(m.st.Staff)
	if err != nil {
		return nil, fmt.Errorf("caseload: snapshot: %w", err)
	}
	size := len(snapMagic) + len(set) + len(staff) + 20
	for id, fl := range m.st.Families {
		size += len(id) + 12 + len(fl.Entries)*48
	}
	w := snapcodec.NewWriter(append(make([]byte, 0, size), snapMagic...))
	w.BytesField(set)
	w.BytesField(staff)
	for id, fl := range m.st.Families {
		w.String(string(id))
		w.Bool(fl.Fixes)
		w.Uvarint(uint64(len(fl.Entries)))
		for i := range fl.Entries {
			e := &fl.Entries[i]
			w.Varint(e.At)
			w.Byte(byte(e.Op))
			writeDate(w, e.D1)
			writeDate(w, e.D2)
			w.String(e.ID)
			w.String(string(e.Coach))
			w.String(string(e.Other))
			w.String(string(e.Source))
			w.String(e.Code)
			w.Bool(e.Flag)
		}
	}
	return w.Bytes(), nil
}

// writeDate writes d as uvarint year, month and day (0 0 0: none).
func writeDate(w *snapcodec.Writer, d domain.Date) {
	w.Uvarint(uint64(d.Year()))
	w.Uvarint(uint64(d.Month()))
	w.Uvarint(uint64(d.Day()))
}

// readDate reads what writeDate wrote; a month, day or year out of range
// fails r.
func readDate(r *snapcodec.Reader) domain.Date {
	y, mo, d := r.Uvarint(), r.Uvarint(), r.Uvarint()
	if y == 0 && mo == 0 && d == 0 || r.Err() != nil {
		return domain.Date{}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y > 9999 {
		r.Fail(snapcodec.ErrMalformed)
		return domain.Date{}
	}
	return domain.NewDate(int(y), time.Month(mo), int(d))
}

// UnmarshalSnapshot implements projections.Snapshotter; it replaces the
// whole state, or changes nothing on error.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	if len(data) < len(snapMagic) || string(data[:len(snapMagic)]) != snapMagic {
		return fmt.Errorf("%w: unknown format", errTorn)
	}
	r := snapcodec.NewReader(data[len(snapMagic):])
	st := emptyState()
	if set := r.String(); r.Err() == nil {
		if err := json.Unmarshal([]byte(set), &st.Settings); err != nil {
			return fmt.Errorf("caseload: snapshot settings: %w", err)
		}
	}
	if staff := r.String(); r.Err() == nil {
		if err := json.Unmarshal([]byte(staff), &st.Staff); err != nil {
			return fmt.Errorf("caseload: snapshot staff: %w", err)
		}
	}
	if st.Staff == nil {
		st.Staff = map[domain.StaffID][]staffEntry{}
	}
	// Entries keep copies of their strings (interned where they repeat),
	// not slices of the reader's copy of data.
	strs := map[string]string{} // interned coach ids, sources and codes
	intern := func(b string) string {
		if s, ok := strs[b]; ok {
			return s
		}
		s := strings.Clone(b)
		strs[s] = s
		return s
	}
	for r.Len() > 0 && r.Err() == nil {
		id := domain.FamilyID(strings.Clone(r.String()))
		fl := &famLog{Fixes: r.Bool()}
		n := r.Count()
		if r.Err() != nil {
			break
		}
		fl.Entries = make([]entry, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			e := entry{At: r.Varint(), Op: op(r.Byte()), D1: readDate(r), D2: readDate(r)}
			e.ID = strings.Clone(r.String())
			e.Coach = domain.StaffID(intern(r.String()))
			e.Other = domain.StaffID(intern(r.String()))
			e.Source = domain.ReferralSource(intern(r.String()))
			e.Code = intern(r.String())
			e.Flag = r.Bool()
			if r.Err() == nil && (e.Op < opReferred || e.Op > opAssessment) {
				r.Fail(snapcodec.ErrMalformed)
			}
			fl.Entries = append(fl.Entries, e)
		}
		st.Families[id] = fl
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("%w: %w", errTorn, err)
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	return nil
}

// SnapshotVersion implements projections.Snapshotter.
func (m *Model) SnapshotVersion() int { return 2 }
