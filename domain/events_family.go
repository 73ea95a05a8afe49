package domain

// This file holds the events of a family's stream (family-<id>) about the
// trajectory itself: referral, waiting list, intake, guidance, coaches, cover,
// closure, the police file, members, professionals, contacts and hulpvragen.
//
// Every event is a value type. Its exported fields with JSON tags are the
// public part; a field named Sealed (tagged json:"-") holds the personal data
// that the ledger encrypts under the family's data key. After
// crypto-shredding the Sealed field decodes as its zero value.

// FamilyReferred opens a family's stream: a partner referred the family.
type FamilyReferred struct {
	FamilyID     FamilyID             `json:"family_id"`
	Date         Date                 `json:"date"`
	Source       ReferralSource       `json:"source"`
	ReferringOrg string               `json:"referring_org"`
	ConsentGiven bool                 `json:"consent_given"`
	ConsentForm  ConsentForm          `json:"consent_form"`
	Problems     []LifeDomain         `json:"problems"`
	Children     int                  `json:"children"`
	Adults       int                  `json:"adults"`
	Municipality string               `json:"municipality,omitempty"`
	Sealed       FamilyReferredSealed `json:"-"`
}

// FamilyReferredSealed is the personal data of a referral.
type FamilyReferredSealed struct {
	FamilyName   string `json:"family_name,omitempty"`
	Address      string `json:"address,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
	ReferrerName string `json:"referrer_name,omitempty"`
	Summary      string `json:"summary,omitempty"`
}

// WaitingListEntered: the team had no room; the family waits.
type WaitingListEntered struct {
	Date Date `json:"date"`
}

// WaitingListOutcome is why a family left the waiting list.
type WaitingListOutcome string

// Waiting list outcomes.
const (
	WaitingTakenIn       WaitingListOutcome = "taken_in"
	WaitingReferredOCJ   WaitingListOutcome = "referred_ocj"
	WaitingReferredOther WaitingListOutcome = "referred_elsewhere"
	WaitingWithdrawn     WaitingListOutcome = "withdrawn"
)

// Valid reports whether o is a known waiting list outcome.
func (o WaitingListOutcome) Valid() bool {
	switch o {
	case WaitingTakenIn, WaitingReferredOCJ, WaitingReferredOther, WaitingWithdrawn:
		return true
	}
	return false
}

// WaitingListLeft: the family left the waiting list.
type WaitingListLeft struct {
	Date    Date               `json:"date"`
	Outcome WaitingListOutcome `json:"outcome"`
}

// IntakeHeld: the intake conversation took place.
type IntakeHeld struct {
	Date              Date        `json:"date"`
	Attendees         []Attendee  `json:"attendees"`
	CoachID           StaffID     `json:"coach_id"`
	DefinitiveConsent bool        `json:"definitive_consent"`
	ConsentForm       ConsentForm `json:"consent_form,omitempty"`
	Sealed            NoteSealed  `json:"-"`
}

// NoteSealed is a free-text note, sealed because it may name people.
type NoteSealed struct {
	Note string `json:"note,omitempty"`
}

// GuidanceStarted: guidance (begeleiding) began; Trajectory counts the
// family's trajectories from 1 (a reopened case starts a new one).
type GuidanceStarted struct {
	Date       Date `json:"date"`
	Trajectory int  `json:"trajectory"`
}

// AssignmentReason is why a coach was assigned.
type AssignmentReason string

// Assignment reasons.
const (
	AssignStart         AssignmentReason = "start"
	AssignFamilyRequest AssignmentReason = "family_request"
	AssignCoachLeft     AssignmentReason = "coach_left"
	AssignWorkload      AssignmentReason = "workload"
	AssignOther         AssignmentReason = "other"
)

// Valid reports whether r is a known assignment reason.
func (r AssignmentReason) Valid() bool {
	switch r {
	case AssignStart, AssignFamilyRequest, AssignCoachLeft, AssignWorkload, AssignOther:
		return true
	}
	return false
}

// CoachAssigned: the family's coach is CoachID from Date on.
type CoachAssigned struct {
	Date            Date             `json:"date"`
	CoachID         StaffID          `json:"coach_id"`
	PreviousCoachID StaffID          `json:"previous_coach_id,omitempty"`
	Reason          AssignmentReason `json:"reason"`
	RequestID       CoachRequestID   `json:"request_id,omitempty"`
}

// CoverReason is why a colleague covers.
type CoverReason string

// Cover reasons.
const (
	CoverHoliday CoverReason = "holiday"
	CoverIllness CoverReason = "illness"
	CoverLeave   CoverReason = "leave"
	CoverOther   CoverReason = "other"
)

// Valid reports whether r is a known cover reason.
func (r CoverReason) Valid() bool {
	switch r {
	case CoverHoliday, CoverIllness, CoverLeave, CoverOther:
		return true
	}
	return false
}

// CoverArranged: CoachID covers for ForCoachID from From to Until (inclusive).
type CoverArranged struct {
	CoverID    CoverID     `json:"cover_id"`
	CoachID    StaffID     `json:"coach_id"`
	ForCoachID StaffID     `json:"for_coach_id"`
	From       Date        `json:"from"`
	Until      Date        `json:"until"`
	Reason     CoverReason `json:"reason"`
}

// CoverEnded: a cover ended early, on Date (the last day covered).
type CoverEnded struct {
	CoverID CoverID `json:"cover_id"`
	Date    Date    `json:"date"`
}

// CoachChangeRequested: the family asked for another coach.
type CoachChangeRequested struct {
	RequestID CoachRequestID `json:"request_id"`
	Date      Date           `json:"date"`
	MemberID  MemberID       `json:"member_id,omitempty"`
	Sealed    NoteSealed     `json:"-"`
}

// CoachChangeHandled: the coordinator granted or refused a request for
// another coach (a grant is followed by CoachAssigned).
type CoachChangeHandled struct {
	RequestID CoachRequestID `json:"request_id"`
	Date      Date           `json:"date"`
	Verdict   Verdict        `json:"verdict"`
	DecidedBy StaffID        `json:"decided_by"`
}

// CaseClosed: the team closed the case (afronding). Covers still running
// after Date end on Date.
type CaseClosed struct {
	Date         Date          `json:"date"`
	Reason       ClosureReason `json:"reason"`
	HandedOverTo string        `json:"handed_over_to,omitempty"`
	DecidedBy    StaffID       `json:"decided_by"`
}

// CaseReopened: a closed case came back; a new trajectory starts at intake
// (intake, definitive consent, guidance and the coach are reset: the family
// has no coach until CoachAssigned).
type CaseReopened struct {
	Date       Date           `json:"date"`
	Source     ReferralSource `json:"source"`
	Trajectory int            `json:"trajectory"`
}

// PoliceFileClosed: the police put the family's file "op af" (a year without
// incidents).
type PoliceFileClosed struct {
	Date Date `json:"date"`
}

// PoliceFileReopened: the police put the file "op in" again.
type PoliceFileReopened struct {
	Date Date `json:"date"`
}

// MemberAdded: a person of the family is recorded. Role and birth year are
// public (statistics on children reached); the name is sealed.
type MemberAdded struct {
	MemberID  MemberID     `json:"member_id"`
	Date      Date         `json:"date"`
	Role      MemberRole   `json:"role"`
	BirthYear int          `json:"birth_year,omitempty"`
	Sealed    MemberSealed `json:"-"`
}

// MemberSealed is a member's personal data.
type MemberSealed struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// MemberCorrected replaces a member's role, birth year and personal data
// (the family corrects what was written).
type MemberCorrected struct {
	MemberID  MemberID     `json:"member_id"`
	Date      Date         `json:"date"`
	Role      MemberRole   `json:"role"`
	BirthYear int          `json:"birth_year,omitempty"`
	Sealed    MemberSealed `json:"-"`
}

// MemberLeft: a person no longer belongs to the household.
type MemberLeft struct {
	MemberID MemberID `json:"member_id"`
	Date     Date     `json:"date"`
}

// ProfessionalAdded: a professional of another organisation is involved;
// organisation and role are public, the person's name and contact details
// sealed (so a colleague can take over).
type ProfessionalAdded struct {
	ProfessionalID ProfessionalID     `json:"professional_id"`
	Date           Date               `json:"date"`
	Organisation   string             `json:"organisation"`
	Category       RecipientCategory  `json:"category"`
	Role           string             `json:"role"`
	Sealed         ProfessionalSealed `json:"-"`
}

// ProfessionalSealed is a professional's name and contact details.
type ProfessionalSealed struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// ProfessionalRemoved: the professional is no longer involved.
type ProfessionalRemoved struct {
	ProfessionalID ProfessionalID `json:"professional_id"`
	Date           Date           `json:"date"`
}

// ContactLogged: a contact with or about the family took place. Members
// names the family members who took part (identifiers only). InConfidenceOf,
// when set, marks the note as holding what that member (often a child) said
// in confidence: it is not shown to, or reported to, the other members
// (confidentiality per person, DOMAIN.md).
type ContactLogged struct {
	ContactID       ContactID     `json:"contact_id"`
	Date            Date          `json:"date"`
	Kind            ContactKind   `json:"kind"`
	DurationMinutes int           `json:"duration_minutes"`
	LifeDomains     []LifeDomain  `json:"life_domains"`
	CoachID         StaffID       `json:"coach_id"`
	Members         []MemberID    `json:"members,omitempty"`
	InConfidenceOf  MemberID      `json:"in_confidence_of,omitempty"`
	Sealed          ContactSealed `json:"-"`
}

// ContactSealed is who took part in a contact and the coach's note.
type ContactSealed struct {
	WithWhom string `json:"with_whom,omitempty"`
	Note     string `json:"note,omitempty"`
}

// ContactCorrected replaces what ContactLogged said about ContactID (the whole
// content, not a diff); Cancelled withdraws a contact logged in error.
type ContactCorrected struct {
	ContactID       ContactID     `json:"contact_id"`
	Date            Date          `json:"date"`
	Kind            ContactKind   `json:"kind"`
	DurationMinutes int           `json:"duration_minutes"`
	LifeDomains     []LifeDomain  `json:"life_domains"`
	Members         []MemberID    `json:"members,omitempty"`
	InConfidenceOf  MemberID      `json:"in_confidence_of,omitempty"`
	Cancelled       bool          `json:"cancelled,omitempty"`
	Sealed          ContactSealed `json:"-"`
}

// QuestionRaised: the family asked for help on a life domain (hulpvraag).
type QuestionRaised struct {
	QuestionID QuestionID `json:"question_id"`
	Date       Date       `json:"date"`
	LifeDomain LifeDomain `json:"life_domain"`
	MemberID   MemberID   `json:"member_id,omitempty"`
	Sealed     NoteSealed `json:"-"`
}

// QuestionOutcome is how a hulpvraag ended.
type QuestionOutcome string

// Question outcomes.
const (
	OutcomeAnswered  QuestionOutcome = "answered"
	OutcomePartly    QuestionOutcome = "partly_answered"
	OutcomeReferred  QuestionOutcome = "referred"
	OutcomeWithdrawn QuestionOutcome = "withdrawn"
)

// Valid reports whether o is a known question outcome.
func (o QuestionOutcome) Valid() bool {
	switch o {
	case OutcomeAnswered, OutcomePartly, OutcomeReferred, OutcomeWithdrawn:
		return true
	}
	return false
}

// QuestionAnswered: a hulpvraag was answered (or otherwise ended).
type QuestionAnswered struct {
	QuestionID QuestionID      `json:"question_id"`
	Date       Date            `json:"date"`
	Outcome    QuestionOutcome `json:"outcome"`
	Sealed     NoteSealed      `json:"-"`
}
