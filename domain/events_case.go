package domain

// This file holds the family-stream events about assessments, consent,
// disclosures, information requests, the parket and the police, the budget,
// cost avoidance and erasure.

// ItemAnswer is one item of an assessment registration. Member is set for
// items of an instrument part about each adult or each child. Level runs from
// 1 (worst) to the instrument's number of levels (best) when Status is
// "scored", and is 0 otherwise.
type ItemAnswer struct {
	Item   string       `json:"item"`
	Member MemberID     `json:"member,omitempty"`
	Status AnswerStatus `json:"status"`
	Level  int          `json:"level,omitempty"`
}

// ItemText is the optional open text of an item (sealed).
type ItemText struct {
	Item   string   `json:"item"`
	Member MemberID `json:"member,omitempty"`
	Text   string   `json:"text"`
}

// AssessmentRegistered is a registration with an instrument: only the items
// that changed since the family's last registration with the same instrument
// id; the others carry forward (see Family.Assessment).
type AssessmentRegistered struct {
	AssessmentID      AssessmentID     `json:"assessment_id"`
	Date              Date             `json:"date"`
	InstrumentID      string           `json:"instrument_id"`
	InstrumentVersion int              `json:"instrument_version"`
	Moment            AssessmentMoment `json:"moment"`
	Items             []ItemAnswer     `json:"items"`
	CoachID           StaffID          `json:"coach_id"`
	Sealed            AssessmentSealed `json:"-"`
}

// AssessmentSealed holds the open texts of a registration.
type AssessmentSealed struct {
	Texts []ItemText `json:"texts,omitempty"`
}

// ConsentScope is what a consent covers: an action towards a recipient
// (a named organisation, or any organisation of a category when
// RecipientOrg is empty) for a purpose and data categories, from From until
// Until (inclusive; zero Until: open-ended).
type ConsentScope struct {
	Action            ConsentAction     `json:"action"`
	RecipientOrg      string            `json:"recipient_org,omitempty"`
	RecipientCategory RecipientCategory `json:"recipient_category"`
	Purpose           Purpose           `json:"purpose"`
	DataCategories    []DataCategory    `json:"data_categories"`
	From              Date              `json:"from"`
	Until             Date              `json:"until,omitzero"`
}

// ConsentGiven: a member of the family (the grantor) gave consent.
type ConsentGiven struct {
	ConsentID ConsentID    `json:"consent_id"`
	Date      Date         `json:"date"`
	GrantorID MemberID     `json:"grantor_id"`
	Scope     ConsentScope `json:"scope"`
	Form      ConsentForm  `json:"form"`
	Sealed    NoteSealed   `json:"-"`
}

// ConsentRefused: a member refused consent for a scope.
type ConsentRefused struct {
	ConsentID ConsentID    `json:"consent_id"`
	Date      Date         `json:"date"`
	GrantorID MemberID     `json:"grantor_id"`
	Scope     ConsentScope `json:"scope"`
	Form      ConsentForm  `json:"form"`
	Sealed    NoteSealed   `json:"-"`
}

// ConsentWithdrawn: the grantor withdrew a given consent; it no longer
// covers anything from Date on.
type ConsentWithdrawn struct {
	ConsentID ConsentID   `json:"consent_id"`
	Date      Date        `json:"date"`
	Form      ConsentForm `json:"form"`
}

// ConsentExpired: a given consent was recorded as expired on Date (its
// period ended or its purpose was served); it covers nothing from Date on.
type ConsentExpired struct {
	ConsentID ConsentID `json:"consent_id"`
	Date      Date      `json:"date"`
}

// DisclosureMade: information about the family was shared.
type DisclosureMade struct {
	DisclosureID      DisclosureID      `json:"disclosure_id"`
	Date              Date              `json:"date"`
	RecipientOrg      string            `json:"recipient_org"`
	RecipientRole     string            `json:"recipient_role"`
	RecipientCategory RecipientCategory `json:"recipient_category"`
	DataCategories    []DataCategory    `json:"data_categories"`
	Purpose           Purpose           `json:"purpose"`
	LegalBasis        LegalBasis        `json:"legal_basis"`
	ConsentID         ConsentID         `json:"consent_id,omitempty"`
	Members           []MemberID        `json:"members,omitempty"`
	DecidedBy         StaffID           `json:"decided_by"`
	Confidential      bool              `json:"confidential"`
	InfoRequestID     InfoRequestID     `json:"info_request_id,omitempty"`
	Sealed            DisclosureSealed  `json:"-"`
}

// DisclosureSealed is what was said and to whom by name.
type DisclosureSealed struct {
	RecipientName string `json:"recipient_name,omitempty"`
	Summary       string `json:"summary,omitempty"`
}

// FamilyInformed: the family was told of a disclosure.
type FamilyInformed struct {
	DisclosureID DisclosureID `json:"disclosure_id"`
	Date         Date         `json:"date"`
	Form         ConsentForm  `json:"form"`
}

// ConfidentialityLifted: a confidential disclosure may now be told to the
// family.
type ConfidentialityLifted struct {
	DisclosureID DisclosureID `json:"disclosure_id"`
	Date         Date         `json:"date"`
	DecidedBy    StaffID      `json:"decided_by"`
}

// InfoRequestReceived: another organisation asked for information.
type InfoRequestReceived struct {
	RequestID      InfoRequestID     `json:"request_id"`
	Date           Date              `json:"date"`
	FromOrg        string            `json:"from_org"`
	FromRole       string            `json:"from_role"`
	FromCategory   RecipientCategory `json:"from_category"`
	DataCategories []DataCategory    `json:"data_categories"`
	Purpose        Purpose           `json:"purpose"`
	Sealed         NoteSealed        `json:"-"`
}

// InfoRequestAnswered: the request was answered by a disclosure.
type InfoRequestAnswered struct {
	RequestID    InfoRequestID `json:"request_id"`
	Date         Date          `json:"date"`
	DisclosureID DisclosureID  `json:"disclosure_id"`
}

// RefusalReason is why an information request was refused.
type RefusalReason string

// Refusal reasons.
const (
	RefusalProfessionalSecrecy RefusalReason = "professional_secrecy"
	RefusalNoConsent           RefusalReason = "no_consent"
	RefusalNoLegalBasis        RefusalReason = "no_legal_basis"
	RefusalOther               RefusalReason = "other"
)

// Valid reports whether r is a known refusal reason.
func (r RefusalReason) Valid() bool {
	switch r {
	case RefusalProfessionalSecrecy, RefusalNoConsent, RefusalNoLegalBasis, RefusalOther:
		return true
	}
	return false
}

// InfoRequestRefused: the request was refused (beroepsgeheim).
type InfoRequestRefused struct {
	RequestID InfoRequestID `json:"request_id"`
	Date      Date          `json:"date"`
	Reason    RefusalReason `json:"reason"`
	DecidedBy StaffID       `json:"decided_by"`
}

// ParketInformed: the parket knows the family is accompanied (state known).
type ParketInformed struct {
	Date         Date         `json:"date"`
	DisclosureID DisclosureID `json:"disclosure_id,omitempty"`
}

// ParketStatusRequested: the parket asked for a status (stand van zaken),
// due on DueDate.
type ParketStatusRequested struct {
	RequestID ParketRequestID `json:"request_id"`
	Date      Date            `json:"date"`
	DueDate   Date            `json:"due_date"`
}

// ParketStatusReported: the status was reported by the disclosure named.
type ParketStatusReported struct {
	RequestID    ParketRequestID `json:"request_id"`
	Date         Date            `json:"date"`
	DisclosureID DisclosureID    `json:"disclosure_id"`
}

// ParketWorryReported: a worrying situation was reported (verontrusting).
type ParketWorryReported struct {
	Date         Date         `json:"date"`
	DisclosureID DisclosureID `json:"disclosure_id"`
}

// ReferredToOCJ: the family was referred to the OCJ (MANO).
type ReferredToOCJ struct {
	Date         Date         `json:"date"`
	DisclosureID DisclosureID `json:"disclosure_id"`
}

// YouthCourtInvolved: a case at the youth court concerns the family.
type YouthCourtInvolved struct {
	Date         Date         `json:"date"`
	DisclosureID DisclosureID `json:"disclosure_id,omitempty"`
}

// ParketClosed: the parket closed its file on the family.
type ParketClosed struct {
	Date Date `json:"date"`
}

// PoliceFactsRecorded counts police facts about the family over a period:
// interventions, initial and follow-up reports (pv), notes to the
// prosecutor (kantschriften).
type PoliceFactsRecorded struct {
	Date            Date `json:"date"`
	PeriodFrom      Date `json:"period_from"`
	PeriodUntil     Date `json:"period_until"`
	Interventions   int  `json:"interventions"`
	InitialReports  int  `json:"initial_reports"`
	FollowUpReports int  `json:"follow_up_reports"`
	Kantschriften   int  `json:"kantschriften"`
}

// BudgetAllocated: money was set aside for the family's trajectory.
type BudgetAllocated struct {
	AllocationID  AllocationID   `json:"allocation_id"`
	Date          Date           `json:"date"`
	Trajectory    int            `json:"trajectory"`
	AmountCents   int64          `json:"amount_cents"`
	Source        ReferralSource `json:"source"`
	FundingSource string         `json:"funding_source"`
}

// SpendProposed: a coach proposed a spend to the team.
type SpendProposed struct {
	SpendID     SpendID             `json:"spend_id"`
	Date        Date                `json:"date"`
	AmountCents int64               `json:"amount_cents"`
	Instrument  SpendInstrument     `json:"instrument"`
	Category    string              `json:"category"`
	ProposedBy  StaffID             `json:"proposed_by"`
	Sealed      JustificationSealed `json:"-"`
}

// JustificationSealed is a free-text justification (it may name people).
type JustificationSealed struct {
	Justification string `json:"justification,omitempty"`
}

// SpendDecided: the team (maatbudget) or the coordinator (delegated
// decision) decided on a proposed spend.
type SpendDecided struct {
	SpendID   SpendID      `json:"spend_id"`
	Date      Date         `json:"date"`
	Verdict   Verdict      `json:"verdict"`
	Body      DecidingBody `json:"body"`
	DecidedBy StaffID      `json:"decided_by"`
}

// SpendRecorded: money was spent for the family. Path says how it was
// authorised: by a decision before the purchase (DecidedOn, Body) or an
// urgent purchase reviewed afterwards (SpendReviewed). Paying Supplier is
// also a small disclosure (see SpendDisclosure).
type SpendRecorded struct {
	SpendID       SpendID             `json:"spend_id"`
	Date          Date                `json:"date"`
	Trajectory    int                 `json:"trajectory"`
	AmountCents   int64               `json:"amount_cents"`
	Instrument    SpendInstrument     `json:"instrument"`
	Category      string              `json:"category"`
	Supplier      string              `json:"supplier"`
	ReceiptRef    string              `json:"receipt_ref,omitempty"`
	FundingSource string              `json:"funding_source"`
	Path          SpendPath           `json:"path"`
	DecidedOn     Date                `json:"decided_on,omitzero"`
	Body          DecidingBody        `json:"body,omitempty"`
	ProposedBy    StaffID             `json:"proposed_by"`
	ApprovalID    ApprovalID          `json:"approval_id,omitempty"`
	Sealed        JustificationSealed `json:"-"`
}

// SpendReviewed: the team reviewed an urgent purchase afterwards.
type SpendReviewed struct {
	SpendID    SpendID `json:"spend_id"`
	Date       Date    `json:"date"`
	Verdict    Verdict `json:"verdict"`
	ReviewedBy StaffID `json:"reviewed_by"`
}

// ReversalReason is why a spend was reversed.
type ReversalReason string

// Reversal reasons.
const (
	ReversalError     ReversalReason = "recorded_in_error"
	ReversalRefunded  ReversalReason = "refunded"
	ReversalDuplicate ReversalReason = "duplicate"
	ReversalOther     ReversalReason = "other"
)

// Valid reports whether r is a known reversal reason.
func (r ReversalReason) Valid() bool {
	switch r {
	case ReversalError, ReversalRefunded, ReversalDuplicate, ReversalOther:
		return true
	}
	return false
}

// SpendReversed cancels a recorded spend (a correction is never an edit).
type SpendReversed struct {
	SpendID SpendID        `json:"spend_id"`
	Date    Date           `json:"date"`
	Reason  ReversalReason `json:"reason"`
	Sealed  NoteSealed     `json:"-"`
}

// OverspendApproved: the coordinator approved a maatbudget spend beyond what
// is left, up to AmountCents beyond it.
type OverspendApproved struct {
	ApprovalID  ApprovalID `json:"approval_id"`
	SpendID     SpendID    `json:"spend_id"`
	Date        Date       `json:"date"`
	AmountCents int64      `json:"amount_cents"`
	ApprovedBy  StaffID    `json:"approved_by"`
}

// CostCategory is the kind of public cost a cost-avoidance record counts.
type CostCategory string

// Cost categories.
const (
	CostPolice    CostCategory = "police"
	CostYouthCare CostCategory = "youth_care"
	CostJustice   CostCategory = "justice"
	CostHousing   CostCategory = "housing"
	CostHealth    CostCategory = "health"
	CostOther     CostCategory = "other"
)

// Valid reports whether c is a known cost category.
func (c CostCategory) Valid() bool {
	switch c {
	case CostPolice, CostYouthCare, CostJustice, CostHousing, CostHealth, CostOther:
		return true
	}
	return false
}

// CostAvoidanceRecorded: over a period the family caused ActualCents of
// public cost of a category, against ComparisonCents for a comparable family
// without the team (DOMAIN.md's police cost study), with the counts behind
// it. Basis names where the comparison comes from (a code such as
// "matched_family_study" or "estimate").
type CostAvoidanceRecorded struct {
	RecordID        CostRecordID `json:"record_id"`
	Date            Date         `json:"date"`
	PeriodFrom      Date         `json:"period_from"`
	PeriodUntil     Date         `json:"period_until"`
	Category        CostCategory `json:"category"`
	ActualCents     int64        `json:"actual_cents"`
	ComparisonCents int64        `json:"comparison_cents"`
	Basis           string       `json:"basis"`
	Interventions   int          `json:"interventions"`
	InitialReports  int          `json:"initial_reports"`
	FollowUpReports int          `json:"follow_up_reports"`
	Kantschriften   int          `json:"kantschriften"`
}

// RetentionSet: the family's personal data is kept until Until.
type RetentionSet struct {
	Date  Date   `json:"date"`
	Until Date   `json:"until"`
	Basis string `json:"basis"`
}

// LegalHoldSet: the family's data must not be erased (a court case, an
// inquiry) until the hold is lifted.
type LegalHoldSet struct {
	HoldID HoldID  `json:"hold_id"`
	Date   Date    `json:"date"`
	Reason string  `json:"reason"`
	SetBy  StaffID `json:"set_by"`
}

// LegalHoldLifted ends a legal hold.
type LegalHoldLifted struct {
	HoldID   HoldID  `json:"hold_id"`
	Date     Date    `json:"date"`
	LiftedBy StaffID `json:"lifted_by"`
}

// ErasureReason is why a family was erased.
type ErasureReason string

// Erasure reasons.
const (
	ErasureRetentionExpired ErasureReason = "retention_expired"
	ErasureRequest          ErasureReason = "erasure_request"
)

// Valid reports whether r is a known erasure reason.
func (r ErasureReason) Valid() bool { return r == ErasureRetentionExpired || r == ErasureRequest }

// FamilyErased: the family's data key is (to be) destroyed; its personal
// data is gone, the public parts stay for statistics. The ledger appends
// this event and then destroys the key.
type FamilyErased struct {
	Date       Date          `json:"date"`
	Reason     ErasureReason `json:"reason"`
	ApprovedBy StaffID       `json:"approved_by"`
}
