package domain

import "slices"

// The closed vocabularies of the practice. Every code is a stable snake_case
// string stored in events; each type lists its values (for forms and
// statistics) and checks membership with Valid.

// ReferralSource is who referred the family.
type ReferralSource string

// Referral sources (DOMAIN.md, process step 1).
const (
	SourcePolice       ReferralSource = "police"
	SourceCLB          ReferralSource = "clb"
	SourceSchool       ReferralSource = "school"
	SourceKindEnGezin  ReferralSource = "kind_en_gezin"
	SourceInloopteam   ReferralSource = "inloopteam"
	SourceOCMW         ReferralSource = "ocmw"
	SourceOtherReferer ReferralSource = "other"
)

// ReferralSources lists every ReferralSource in display order.
func ReferralSources() []ReferralSource {
	return []ReferralSource{SourcePolice, SourceCLB, SourceSchool, SourceKindEnGezin, SourceInloopteam, SourceOCMW, SourceOtherReferer}
}

// Valid reports whether s is a known referral source.
func (s ReferralSource) Valid() bool { return slices.Contains(ReferralSources(), s) }

// LifeDomain is one of the nine life domains of the GO-team leefsituatie; the
// same codes tag contacts, hulpvragen and referral problems.
type LifeDomain string

// Life domains (DOMAIN.md, the leefsituatie table), in the table's order.
const (
	DomainSafety          LifeDomain = "safety"
	DomainHousing         LifeDomain = "housing"
	DomainParentsHealth   LifeDomain = "parents_health"
	DomainWork            LifeDomain = "work"
	DomainIncome          LifeDomain = "income"
	DomainDebts           LifeDomain = "debts"
	DomainSocialCapital   LifeDomain = "social_capital"
	DomainCulturalCapital LifeDomain = "cultural_capital"
	DomainChildren        LifeDomain = "children"
)

// LifeDomains lists the nine life domains in the order of DOMAIN.md.
func LifeDomains() []LifeDomain {
	return []LifeDomain{DomainSafety, DomainHousing, DomainParentsHealth, DomainWork, DomainIncome, DomainDebts, DomainSocialCapital, DomainCulturalCapital, DomainChildren}
}

// Valid reports whether d is one of the nine life domains.
func (d LifeDomain) Valid() bool { return slices.Contains(LifeDomains(), d) }

// ContactKind is the kind of a logged contact.
type ContactKind string

// Contact kinds.
const (
	ContactHomeVisitAnnounced   ContactKind = "home_visit_announced"
	ContactHomeVisitUnannounced ContactKind = "home_visit_unannounced"
	ContactPhone                ContactKind = "phone"
	ContactOffice               ContactKind = "office"
	ContactAccompaniment        ContactKind = "accompaniment"
	ContactPartner              ContactKind = "partner"
	ContactOther                ContactKind = "other"
)

// ContactKinds lists every ContactKind.
func ContactKinds() []ContactKind {
	return []ContactKind{ContactHomeVisitAnnounced, ContactHomeVisitUnannounced, ContactPhone, ContactOffice, ContactAccompaniment, ContactPartner, ContactOther}
}

// Valid reports whether k is a known contact kind.
func (k ContactKind) Valid() bool { return slices.Contains(ContactKinds(), k) }

// ClosureReason is why a case closed.
type ClosureReason string

// Closure reasons (DOMAIN.md, process step 7).
const (
	ClosurePositive     ClosureReason = "positive"
	ClosureUnsuccessful ClosureReason = "unsuccessful"
	ClosureHandedOver   ClosureReason = "handed_over"
)

// ClosureReasons lists every ClosureReason.
func ClosureReasons() []ClosureReason {
	return []ClosureReason{ClosurePositive, ClosureUnsuccessful, ClosureHandedOver}
}

// Valid reports whether r is a known closure reason.
func (r ClosureReason) Valid() bool { return slices.Contains(ClosureReasons(), r) }

// MemberRole is a family member's place in the family.
type MemberRole string

// Member roles.
const (
	MemberParent     MemberRole = "parent"
	MemberChild      MemberRole = "child"
	MemberOtherAdult MemberRole = "other_adult"
)

// MemberRoles lists every MemberRole.
func MemberRoles() []MemberRole { return []MemberRole{MemberParent, MemberChild, MemberOtherAdult} }

// Valid reports whether r is a known member role.
func (r MemberRole) Valid() bool { return slices.Contains(MemberRoles(), r) }

// Attendee is a kind of participant in an intake conversation.
type Attendee string

// Intake attendees (DOMAIN.md, process step 3).
const (
	AttendeeParent          Attendee = "parent"
	AttendeeChild           Attendee = "child"
	AttendeeCoach           Attendee = "coach"
	AttendeePoliceInspector Attendee = "police_inspector"
	AttendeeReferrer        Attendee = "referrer"
	AttendeeCoordinator     Attendee = "coordinator"
	AttendeeOther           Attendee = "other"
)

// Attendees lists every Attendee.
func Attendees() []Attendee {
	return []Attendee{AttendeeParent, AttendeeChild, AttendeeCoach, AttendeePoliceInspector, AttendeeReferrer, AttendeeCoordinator, AttendeeOther}
}

// Valid reports whether a is a known attendee kind.
func (a Attendee) Valid() bool { return slices.Contains(Attendees(), a) }

// ConsentAction is what a consent allows: refer, share or collect.
type ConsentAction string

// Consent actions.
const (
	ActionRefer   ConsentAction = "refer"
	ActionShare   ConsentAction = "share"
	ActionCollect ConsentAction = "collect"
)

// ConsentActions lists every ConsentAction.
func ConsentActions() []ConsentAction {
	return []ConsentAction{ActionRefer, ActionShare, ActionCollect}
}

// Valid reports whether a is a known consent action.
func (a ConsentAction) Valid() bool { return slices.Contains(ConsentActions(), a) }

// ConsentForm is how a consent (or refusal) was expressed.
type ConsentForm string

// Consent forms.
const (
	FormVerbal  ConsentForm = "verbal"
	FormWritten ConsentForm = "written"
)

// Valid reports whether f is verbal or written.
func (f ConsentForm) Valid() bool { return f == FormVerbal || f == FormWritten }

// DataCategory is a category of information about a family, the unit of
// consent and disclosure ("an allergy is fine, my private life is not").
type DataCategory string

// Data categories.
const (
	DataIdentity          DataCategory = "identity"
	DataContactDetails    DataCategory = "contact_details"
	DataFamilyComposition DataCategory = "family_composition"
	DataHealth            DataCategory = "health"
	DataMentalHealth      DataCategory = "mental_health"
	DataIncome            DataCategory = "income"
	DataDebts             DataCategory = "debts"
	DataHousing           DataCategory = "housing"
	DataSchool            DataCategory = "school"
	DataChildcare         DataCategory = "childcare"
	DataWork              DataCategory = "work"
	DataSafety            DataCategory = "safety"
	DataPoliceJustice     DataCategory = "police_justice"
	DataYouthCare         DataCategory = "youth_care"
	DataGuidanceProgress  DataCategory = "guidance_progress"
	DataAssessments       DataCategory = "assessments"
	DataChildStatements   DataCategory = "child_statements"
	// DataAidReceived is the bare fact that the family receives help from the
	// team/OCMW: what a paid supplier learns.
	DataAidReceived DataCategory = "aid_received"
)

// DataCategories lists every DataCategory.
func DataCategories() []DataCategory {
	return []DataCategory{DataIdentity, DataContactDetails, DataFamilyComposition, DataHealth, DataMentalHealth, DataIncome, DataDebts, DataHousing, DataSchool, DataChildcare, DataWork, DataSafety, DataPoliceJustice, DataYouthCare, DataGuidanceProgress, DataAssessments, DataChildStatements, DataAidReceived}
}

// Valid reports whether c is a known data category.
func (c DataCategory) Valid() bool { return slices.Contains(DataCategories(), c) }

// Purpose is why information is shared, collected or a file is consulted.
type Purpose string

// Purposes.
const (
	PurposeReferral         Purpose = "referral"
	PurposeCareCoordination Purpose = "care_coordination"
	PurposeDebtMediation    Purpose = "debt_mediation"
	PurposeHousing          Purpose = "housing"
	PurposeHealth           Purpose = "health"
	PurposeSchool           Purpose = "school"
	PurposeChildcare        Purpose = "childcare"
	PurposeIncomeSupport    Purpose = "income_support"
	PurposeChildSafety      Purpose = "child_safety"
	PurposeParketStatus     Purpose = "parket_status"
	PurposeHandover         Purpose = "handover"
	PurposeAidPayment       Purpose = "aid_payment"
	PurposeGuidance         Purpose = "guidance"
	PurposeCover            Purpose = "cover"
	PurposeTeamReview       Purpose = "team_review"
	PurposeAudit            Purpose = "audit"
	PurposeAccessRequest    Purpose = "access_request"
	PurposeOther            Purpose = "other"
)

// Purposes lists every Purpose.
func Purposes() []Purpose {
	return []Purpose{PurposeReferral, PurposeCareCoordination, PurposeDebtMediation, PurposeHousing, PurposeHealth, PurposeSchool, PurposeChildcare, PurposeIncomeSupport, PurposeChildSafety, PurposeParketStatus, PurposeHandover, PurposeAidPayment, PurposeGuidance, PurposeCover, PurposeTeamReview, PurposeAudit, PurposeAccessRequest, PurposeOther}
}

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { return slices.Contains(Purposes(), p) }

// RecipientCategory is the kind of organisation that receives information.
type RecipientCategory string

// Recipient categories.
const (
	RecipientPolice      RecipientCategory = "police"
	RecipientParket      RecipientCategory = "parket"
	RecipientOCJ         RecipientCategory = "ocj"
	RecipientYouthCourt  RecipientCategory = "youth_court"
	RecipientCLB         RecipientCategory = "clb"
	RecipientSchool      RecipientCategory = "school"
	RecipientKindEnGezin RecipientCategory = "kind_en_gezin"
	RecipientOCMW        RecipientCategory = "ocmw"
	RecipientDebtService RecipientCategory = "debt_mediation"
	RecipientHealth      RecipientCategory = "health"
	RecipientHousing     RecipientCategory = "housing"
	RecipientYouthCare   RecipientCategory = "youth_care"
	RecipientSupplier    RecipientCategory = "supplier"
	RecipientOther       RecipientCategory = "other"
)

// RecipientCategories lists every RecipientCategory.
func RecipientCategories() []RecipientCategory {
	return []RecipientCategory{RecipientPolice, RecipientParket, RecipientOCJ, RecipientYouthCourt, RecipientCLB, RecipientSchool, RecipientKindEnGezin, RecipientOCMW, RecipientDebtService, RecipientHealth, RecipientHousing, RecipientYouthCare, RecipientSupplier, RecipientOther}
}

// Valid reports whether c is a known recipient category.
func (c RecipientCategory) Valid() bool { return slices.Contains(RecipientCategories(), c) }

// LegalBasis is the ground on which information was shared (DOMAIN.md,
// information sharing).
type LegalBasis string

// Legal bases.
const (
	BasisConsent              LegalBasis = "consent"
	BasisSharedSecrecy        LegalBasis = "shared_professional_secrecy"
	BasisLegalDuty            LegalBasis = "legal_duty"
	BasisParketRequest        LegalBasis = "parket_request"
	BasisCaseConference458ter LegalBasis = "case_conference_458ter"
	BasisDanger458bis         LegalBasis = "danger_458bis"
	// BasisAidPayment is the basis of the implied disclosure of a spend: the
	// supplier must be paid to deliver the aid (see SpendDisclosure).
	BasisAidPayment LegalBasis = "aid_payment"
)

// LegalBases lists every LegalBasis a DiscloseInformation command may name
// (BasisAidPayment is only implied by spends).
func LegalBases() []LegalBasis {
	return []LegalBasis{BasisConsent, BasisSharedSecrecy, BasisLegalDuty, BasisParketRequest, BasisCaseConference458ter, BasisDanger458bis}
}

// Valid reports whether b is a basis a disclosure may name.
func (b LegalBasis) Valid() bool { return slices.Contains(LegalBases(), b) }

// SpendInstrument is the budget instrument a spend is paid from.
type SpendInstrument string

// Spend instruments (DOMAIN.md, the budget).
const (
	InstrumentMaatbudget        SpendInstrument = "maatbudget"
	InstrumentDelegatedDecision SpendInstrument = "delegated_decision"
)

// Valid reports whether i is maatbudget or delegated_decision.
func (i SpendInstrument) Valid() bool {
	return i == InstrumentMaatbudget || i == InstrumentDelegatedDecision
}

// SpendPath is how a spend was authorised.
type SpendPath string

// Spend paths.
const (
	// PathTeamDecision: the team (or, for a delegated decision, the
	// coordinator) decided before the purchase.
	PathTeamDecision SpendPath = "team_decision"
	// PathUrgent: the coach bought first; the team reviews afterwards.
	PathUrgent SpendPath = "urgent"
)

// Valid reports whether p is a known spend path.
func (p SpendPath) Valid() bool { return p == PathTeamDecision || p == PathUrgent }

// DecidingBody is who took a spend decision.
type DecidingBody string

// Deciding bodies.
const (
	BodyTeam        DecidingBody = "team"
	BodyCoordinator DecidingBody = "coordinator"
)

// Valid reports whether b is team or coordinator.
func (b DecidingBody) Valid() bool { return b == BodyTeam || b == BodyCoordinator }

// Verdict is the outcome of a decision or a review.
type Verdict string

// Verdicts.
const (
	VerdictApproved Verdict = "approved"
	VerdictRefused  Verdict = "refused"
)

// Valid reports whether v is approved or refused.
func (v Verdict) Valid() bool { return v == VerdictApproved || v == VerdictRefused }

// AssessmentMoment is when in the trajectory an assessment was registered.
type AssessmentMoment string

// Assessment moments.
const (
	MomentT0     AssessmentMoment = "t0"
	MomentReview AssessmentMoment = "review"
	MomentT1     AssessmentMoment = "t1"
)

// Valid reports whether m is t0, review or t1.
func (m AssessmentMoment) Valid() bool { return m == MomentT0 || m == MomentReview || m == MomentT1 }

// AnswerStatus says whether an item was scored.
type AnswerStatus string

// Answer statuses.
const (
	AnswerScored        AnswerStatus = "scored"
	AnswerNotAssessed   AnswerStatus = "not_assessed"
	AnswerNotApplicable AnswerStatus = "not_applicable"
)

// Valid reports whether s is a known answer status.
func (s AnswerStatus) Valid() bool {
	return s == AnswerScored || s == AnswerNotAssessed || s == AnswerNotApplicable
}

// Role is a staff role (DESIGN.md, security model).
type Role string

// Staff roles.
const (
	RoleCoach          Role = "coach"
	RoleCoordinator    Role = "coordinator"
	RolePrivacyOfficer Role = "privacy_officer"
	RoleBackOffice     Role = "back_office"
	RoleAdmin          Role = "admin"
)

// Roles lists every Role.
func Roles() []Role {
	return []Role{RoleCoach, RoleCoordinator, RolePrivacyOfficer, RoleBackOffice, RoleAdmin}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// FilePart is the part of a family's file an access touched.
type FilePart string

// File parts.
const (
	PartTimeline    FilePart = "timeline"
	PartNote        FilePart = "note"
	PartMembers     FilePart = "members"
	PartBudget      FilePart = "budget"
	PartDisclosures FilePart = "disclosures"
	PartConsents    FilePart = "consents"
	PartParket      FilePart = "parket"
	PartAssessments FilePart = "assessments"
	PartQuestions   FilePart = "questions"
	PartContacts    FilePart = "professionals"
	PartAccessLog   FilePart = "access_log"
	PartExport      FilePart = "export"
	PartSummary     FilePart = "summary"
)

// FileParts lists every FilePart.
func FileParts() []FilePart {
	return []FilePart{PartTimeline, PartNote, PartMembers, PartBudget, PartDisclosures, PartConsents, PartParket, PartAssessments, PartQuestions, PartContacts, PartAccessLog, PartExport, PartSummary}
}

// Valid reports whether p is a known file part.
func (p FilePart) Valid() bool { return slices.Contains(FileParts(), p) }

// ParketState is a family's state towards the (youth) public prosecutor.
type ParketState string

// Parket states (DOMAIN.md, the prosecutor).
const (
	ParketStateNotKnown        ParketState = "not_known"
	ParketStateKnown           ParketState = "known"
	ParketStateStatusRequested ParketState = "status_requested"
	ParketStateStatusReported  ParketState = "status_reported"
	ParketStateWorryReported   ParketState = "worry_reported"
	ParketStateReferredOCJ     ParketState = "referred_ocj"
	ParketStateYouthCourt      ParketState = "youth_court"
	ParketStateClosed          ParketState = "closed"
)

// ParketStates lists every ParketState.
func ParketStates() []ParketState {
	return []ParketState{ParketStateNotKnown, ParketStateKnown, ParketStateStatusRequested, ParketStateStatusReported, ParketStateWorryReported, ParketStateReferredOCJ, ParketStateYouthCourt, ParketStateClosed}
}
