package privacy

import (
	"errors"
	"math"
	"sync"
	"time"

	"spoor/domain"
)

// Sentinel errors of the queries.
var (
	// ErrBadQuery: a query parameter is out of range; the message names it.
	ErrBadQuery = errors.New("privacy: bad query")
	// ErrUnknownFamily: no event of the family was recorded by asOf.
	ErrUnknownFamily = errors.New("privacy: unknown family")
)

// Options configure the review flags.
type Options struct {
	// Location is the team's time zone for working hours and days.
	Location *time.Location
	// WorkStart and WorkEnd bound working hours as offsets from local
	// midnight: [WorkStart, WorkEnd).
	WorkStart, WorkEnd time.Duration
	// WorkDays are the working weekdays.
	WorkDays []time.Weekday
	// VolumeThreshold: more distinct families than this per user per local
	// day is unusual volume.
	VolumeThreshold int
}

// DefaultOptions are 07:00-19:00 Monday to Friday in Europe/Brussels and
// more than 15 families per user per day. When the time zone database is
// missing (no tzdata on the machine and the binary does not embed
// time/tzdata), the location falls back to a fixed UTC+1 zone named "CET"
// (summer time is then an hour off).
func DefaultOptions() Options {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return Options{
		Location:        loc,
		WorkStart:       7 * time.Hour,
		WorkEnd:         19 * time.Hour,
		WorkDays:        []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		VolumeThreshold: 15,
	}
}

// Model is the privacy read model. Make it with New; it is safe for
// concurrent queries while one goroutine applies facts.
type Model struct {
	opts     Options
	workDays [7]bool

	mu    sync.RWMutex
	st    State // Accesses is empty: they live in log
	log   accessLog
	byFam map[domain.FamilyID][]int32 // indexes into log
	byUsr map[domain.StaffID][]int32
	days  map[domain.StaffID]*dayTally
}

// New returns an empty model with opts; zero fields of opts take
// DefaultOptions' values (an empty WorkDays means Monday to Friday).
func New(opts Options) *Model {
	def := DefaultOptions()
	if opts.Location == nil {
		opts.Location = def.Location
	}
	if opts.WorkStart == 0 && opts.WorkEnd == 0 {
		opts.WorkStart, opts.WorkEnd = def.WorkStart, def.WorkEnd
	}
	if len(opts.WorkDays) == 0 {
		opts.WorkDays = def.WorkDays
	}
	if opts.VolumeThreshold <= 0 {
		opts.VolumeThreshold = def.VolumeThreshold
	}
	m := &Model{opts: opts}
	for _, d := range opts.WorkDays {
		m.workDays[d] = true
	}
	m.reset(State{})
	return m
}

func (m *Model) reset(st State) {
	if st.Families == nil {
		st.Families = map[domain.FamilyID]*Family{}
	}
	m.log = accessLog{}
	m.byFam = map[domain.FamilyID][]int32{}
	m.byUsr = map[domain.StaffID][]int32{}
	m.days = map[domain.StaffID]*dayTally{}
	for _, a := range st.Accesses {
		m.index(a, domain.DateOf(a.At.In(m.opts.Location))) // the local day, as addAccess has it
	}
	st.Accesses = nil
	m.st = st
	for _, f := range st.Families {
		f.index()
	}
}

// Name returns "privacy".
func (m *Model) Name() string { return "privacy" }

// State is the model's whole state, exported for snapshots.
type State struct {
	Accesses []Access                    `json:"accesses"`
	Families map[domain.FamilyID]*Family `json:"families"`
}

// AccessKind tells a view, a refused attempt and an export apart.
type AccessKind string

// Access kinds.
const (
	KindView    AccessKind = "view"
	KindRefused AccessKind = "refused"
	KindExport  AccessKind = "export"
)

// Access is one access event as folded.
type Access struct {
	Position   uint64                  `json:"position"`
	At         time.Time               `json:"at"`
	Kind       AccessKind              `json:"kind"`
	FamilyID   domain.FamilyID         `json:"family_id"`
	UserID     domain.StaffID          `json:"user_id"`
	Role       domain.Role             `json:"role"`
	Part       domain.FilePart         `json:"part"`
	ItemID     string                  `json:"item_id,omitempty"`
	Purpose    domain.Purpose          `json:"purpose"`
	Rule       string                  `json:"rule,omitempty"`
	ExportKind domain.ExportKind       `json:"export_kind,omitempty"`
	Format     string                  `json:"format,omitempty"`
	BreakGlass bool                    `json:"break_glass,omitempty"`
	Reason     domain.BreakGlassReason `json:"reason,omitempty"`
	// OutsideCaseload is judged when the access is folded (see the package
	// documentation).
	OutsideCaseload bool `json:"outside_caseload,omitempty"`
	// DayFamilies is the number of distinct families the user had touched
	// on the access's local day, this access included.
	DayFamilies int32 `json:"day_families"`
}

// Family is what the model keeps of one family.
type Family struct {
	Coach        domain.StaffID                        `json:"coach,omitempty"`
	Closed       bool                                  `json:"closed,omitempty"`
	Covers       []Cover                               `json:"covers,omitempty"`
	Members      map[domain.MemberID]domain.MemberRole `json:"members,omitempty"`
	Consents     map[domain.ConsentID]*Consent         `json:"consents,omitempty"`
	Disclosures  []*Disclosure                         `json:"disclosures,omitempty"`
	InfoRequests []*InfoRequest                        `json:"info_requests,omitempty"`
	Held         map[RecordKind]*Held                  `json:"held,omitempty"`
	CatSince     map[domain.DataCategory]time.Time     `json:"cat_since,omitempty"`
	FirstAt      time.Time                             `json:"first_at"`
	ErasedAt     time.Time                             `json:"erased_at,omitzero"`
	ErasedOn     domain.Date                           `json:"erased_on,omitzero"`
	discIdx      map[domain.DisclosureID]*Disclosure   // rebuilt by index
	catMask      uint32                                // categories in CatSince, rebuilt by index
	reqIdx       map[domain.InfoRequestID]*InfoRequest // rebuilt by index
}

func (f *Family) index() {
	f.catMask = 0
	for c := range f.CatSince {
		f.catMask |= catBit(c)
	}
	f.discIdx = make(map[domain.DisclosureID]*Disclosure, len(f.Disclosures))
	for _, d := range f.Disclosures {
		f.discIdx[d.DisclosureID] = d
	}
	f.reqIdx = make(map[domain.InfoRequestID]*InfoRequest, len(f.InfoRequests))
	for _, r := range f.InfoRequests {
		f.reqIdx[r.RequestID] = r
	}
}

// Cover is a cover arrangement: CoachID covers the family from From to Last
// (inclusive).
type Cover struct {
	ID      domain.CoverID `json:"id"`
	CoachID domain.StaffID `json:"coach_id"`
	From    domain.Date    `json:"from"`
	Last    domain.Date    `json:"last"`
}

// Consent is a consent given or refused, with when each step was recorded.
type Consent struct {
	ID          domain.ConsentID    `json:"id"`
	Date        domain.Date         `json:"date"`
	At          time.Time           `json:"at"`
	GrantorID   domain.MemberID     `json:"grantor_id"`
	Scope       domain.ConsentScope `json:"scope"`
	Form        domain.ConsentForm  `json:"form"`
	Refused     bool                `json:"refused,omitempty"`
	WithdrawnOn domain.Date         `json:"withdrawn_on,omitzero"`
	WithdrawnAt time.Time           `json:"withdrawn_at,omitzero"`
	ExpiredOn   domain.Date         `json:"expired_on,omitzero"`
	ExpiredAt   time.Time           `json:"expired_at,omitzero"`
}

// asOf returns the consent as domain state, with only the withdrawal and
// expiry recorded by cut.
func (c *Consent) asOf(cut time.Time) domain.Consent {
	d := domain.Consent{ConsentID: c.ID, Date: c.Date, GrantorID: c.GrantorID, Scope: c.Scope, Refused: c.Refused}
	if !c.WithdrawnOn.IsZero() && !c.WithdrawnAt.After(cut) {
		d.WithdrawnOn = c.WithdrawnOn
	}
	if !c.ExpiredOn.IsZero() && !c.ExpiredAt.After(cut) {
		d.ExpiredOn = c.ExpiredOn
	}
	return d
}

// Disclosure is a disclosure (explicit or implied by a spend) with what
// followed it and when each step was recorded.
type Disclosure struct {
	domain.DisclosureMade
	Position   uint64             `json:"position"`
	At         time.Time          `json:"at"`
	Implied    bool               `json:"implied,omitempty"`
	SpendID    domain.SpendID     `json:"spend_id,omitempty"`
	InformedOn domain.Date        `json:"informed_on,omitzero"`
	InformedAt time.Time          `json:"informed_at,omitzero"`
	InformForm domain.ConsentForm `json:"inform_form,omitempty"`
	LiftedOn   domain.Date        `json:"lifted_on,omitzero"`
	LiftedAt   time.Time          `json:"lifted_at,omitzero"`
	LiftedBy   domain.StaffID     `json:"lifted_by,omitempty"`
}

// InfoRequest is an information request received, with its outcome.
type InfoRequest struct {
	domain.InfoRequestReceived
	At         time.Time            `json:"at"`
	AnsweredBy domain.DisclosureID  `json:"answered_by,omitempty"`
	AnsweredOn domain.Date          `json:"answered_on,omitzero"`
	AnsweredAt time.Time            `json:"answered_at,omitzero"`
	RefusedOn  domain.Date          `json:"refused_on,omitzero"`
	RefusedAt  time.Time            `json:"refused_at,omitzero"`
	Refusal    domain.RefusalReason `json:"refusal,omitempty"`
	RefusedBy  domain.StaffID       `json:"refused_by,omitempty"`
}

// RecordKind is a kind of record the ledger holds about a family (art. 15).
type RecordKind string

// Record kinds.
const (
	RecReferral      RecordKind = "referral"
	RecWaitingList   RecordKind = "waiting_list"
	RecIntake        RecordKind = "intake"
	RecGuidance      RecordKind = "guidance"
	RecCoach         RecordKind = "coach_and_cover"
	RecClosure       RecordKind = "closure"
	RecPoliceFile    RecordKind = "police_file"
	RecMembers       RecordKind = "members"
	RecProfessionals RecordKind = "professionals"
	RecContacts      RecordKind = "contacts"
	RecQuestions     RecordKind = "questions"
	RecAssessments   RecordKind = "assessments"
	RecConsents      RecordKind = "consents"
	RecDisclosures   RecordKind = "disclosures"
	RecInfoRequests  RecordKind = "information_requests"
	RecParket        RecordKind = "parket"
	RecPoliceFacts   RecordKind = "police_facts"
	RecBudget        RecordKind = "budget"
	RecCostAvoidance RecordKind = "cost_avoidance"
	RecRetention     RecordKind = "retention"
	RecErasure       RecordKind = "erasure"
)

// Held counts the records of one kind: each entry's date (yyyymmdd) and
// when it was recorded (Unix nanoseconds), in position order.
type Held struct {
	Days []int32 `json:"days"`
	Ats  []int64 `json:"ats"`
}

// cutoff turns asOf into the last instant a query sees.
func cutoff(asOf time.Time) time.Time {
	if asOf.IsZero() {
		return time.Unix(0, math.MaxInt64) // year 2262, still representable in Unix nanoseconds
	}
	return asOf
}

func dayKey(d domain.Date) int32 { return int32(d.Year()*10000 + int(d.Month())*100 + d.Day()) }

func keyDate(k int32) domain.Date {
	return domain.NewDate(int(k/10000), time.Month(k/100%100), int(k%100))
}
