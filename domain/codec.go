// Code in this file is the event codec: one explicit switch over the event
// type names; no reflection registry.

package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Event is a fact recorded in a stream. EventType is the stable type name
// stored in the envelope (for example "ContactLogged"); it never changes once
// events of the type exist.
type Event interface {
	EventType() string
}

// sealedCarrier is implemented by events with a sealed part (personal
// data); sealedTarget by pointers to them, for decoding.
type sealedCarrier interface{ sealedValue() any }

type sealedTarget interface{ sealedPtr() any }

// StreamKind is the kind of stream an event type belongs to.
type StreamKind string

// Stream kinds.
const (
	StreamFamily StreamKind = "family"
	StreamAccess StreamKind = "access"
	StreamStaff  StreamKind = "staff"
	StreamTeam   StreamKind = "team"
)

// Event type names.
const (
	TypeFamilyReferred        = "FamilyReferred"
	TypeWaitingListEntered    = "WaitingListEntered"
	TypeWaitingListLeft       = "WaitingListLeft"
	TypeIntakeHeld            = "IntakeHeld"
	TypeGuidanceStarted       = "GuidanceStarted"
	TypeCoachAssigned         = "CoachAssigned"
	TypeCoverArranged         = "CoverArranged"
	TypeCoverEnded            = "CoverEnded"
	TypeCoachChangeRequested  = "CoachChangeRequested"
	TypeCoachChangeHandled    = "CoachChangeHandled"
	TypeCaseClosed            = "CaseClosed"
	TypeCaseReopened          = "CaseReopened"
	TypePoliceFileClosed      = "PoliceFileClosed"
	TypePoliceFileReopened    = "PoliceFileReopened"
	TypeMemberAdded           = "MemberAdded"
	TypeMemberCorrected       = "MemberCorrected"
	TypeMemberLeft            = "MemberLeft"
	TypeProfessionalAdded     = "ProfessionalAdded"
	TypeProfessionalRemoved   = "ProfessionalRemoved"
	TypeContactLogged         = "ContactLogged"
	TypeContactCorrected      = "ContactCorrected"
	TypeQuestionRaised        = "QuestionRaised"
	TypeQuestionAnswered      = "QuestionAnswered"
	TypeAssessmentRegistered  = "AssessmentRegistered"
	TypeConsentGiven          = "ConsentGiven"
	TypeConsentRefused        = "ConsentRefused"
	TypeConsentWithdrawn      = "ConsentWithdrawn"
	TypeConsentExpired        = "ConsentExpired"
	TypeDisclosureMade        = "DisclosureMade"
	TypeFamilyInformed        = "FamilyInformed"
	TypeConfidentialityLifted = "ConfidentialityLifted"
	TypeInfoRequestReceived   = "InfoRequestReceived"
	TypeInfoRequestAnswered   = "InfoRequestAnswered"
	TypeInfoRequestRefused    = "InfoRequestRefused"
	TypeParketInformed        = "ParketInformed"
	TypeParketStatusRequested = "ParketStatusRequested"
	TypeParketStatusReported  = "ParketStatusReported"
	TypeParketWorryReported   = "ParketWorryReported"
	TypeReferredToOCJ         = "ReferredToOCJ"
	TypeYouthCourtInvolved    = "YouthCourtInvolved"
	TypeParketClosed          = "ParketClosed"
	TypePoliceFactsRecorded   = "PoliceFactsRecorded"
	TypeBudgetAllocated       = "BudgetAllocated"
	TypeSpendProposed         = "SpendProposed"
	TypeSpendDecided          = "SpendDecided"
	TypeSpendRecorded         = "SpendRecorded"
	TypeSpendReviewed         = "SpendReviewed"
	TypeSpendReversed         = "SpendReversed"
	TypeOverspendApproved     = "OverspendApproved"
	TypeCostAvoidanceRecorded = "CostAvoidanceRecorded"
	TypeRetentionSet          = "RetentionSet"
	TypeLegalHoldSet          = "LegalHoldSet"
	TypeLegalHoldLifted       = "LegalHoldLifted"
	TypeFamilyErased          = "FamilyErased"
	TypeRecordViewed          = "RecordViewed"
	TypeRecordAccessRefused   = "RecordAccessRefused"
	TypeExportMade            = "ExportMade"
	TypeStaffRegistered       = "StaffRegistered"
	TypeRoleGranted           = "RoleGranted"
	TypeRoleRevoked           = "RoleRevoked"
	TypeStaffDeactivated      = "StaffDeactivated"
	TypeStaffReactivated      = "StaffReactivated"
	TypePasswordSet           = "PasswordSet"
	TypeTeamSettingsChanged   = "TeamSettingsChanged"
	TypeBudgetEnvelopeSet     = "BudgetEnvelopeSet"
)

// EventTypes lists every event type name, grouped by stream kind.
func EventTypes() []string {
	return []string{
		TypeFamilyReferred,
		TypeWaitingListEntered,
		TypeWaitingListLeft,
		TypeIntakeHeld,
		TypeGuidanceStarted,
		TypeCoachAssigned,
		TypeCoverArranged,
		TypeCoverEnded,
		TypeCoachChangeRequested,
		TypeCoachChangeHandled,
		TypeCaseClosed,
		TypeCaseReopened,
		TypePoliceFileClosed,
		TypePoliceFileReopened,
		TypeMemberAdded,
		TypeMemberCorrected,
		TypeMemberLeft,
		TypeProfessionalAdded,
		TypeProfessionalRemoved,
		TypeContactLogged,
		TypeContactCorrected,
		TypeQuestionRaised,
		TypeQuestionAnswered,
		TypeAssessmentRegistered,
		TypeConsentGiven,
		TypeConsentRefused,
		TypeConsentWithdrawn,
		TypeConsentExpired,
		TypeDisclosureMade,
		TypeFamilyInformed,
		TypeConfidentialityLifted,
		TypeInfoRequestReceived,
		TypeInfoRequestAnswered,
		TypeInfoRequestRefused,
		TypeParketInformed,
		TypeParketStatusRequested,
		TypeParketStatusReported,
		TypeParketWorryReported,
		TypeReferredToOCJ,
		TypeYouthCourtInvolved,
		TypeParketClosed,
		TypePoliceFactsRecorded,
		TypeBudgetAllocated,
		TypeSpendProposed,
		TypeSpendDecided,
		TypeSpendRecorded,
		TypeSpendReviewed,
		TypeSpendReversed,
		TypeOverspendApproved,
		TypeCostAvoidanceRecorded,
		TypeRetentionSet,
		TypeLegalHoldSet,
		TypeLegalHoldLifted,
		TypeFamilyErased,
		TypeRecordViewed,
		TypeRecordAccessRefused,
		TypeExportMade,
		TypeStaffRegistered,
		TypeRoleGranted,
		TypeRoleRevoked,
		TypeStaffDeactivated,
		TypeStaffReactivated,
		TypePasswordSet,
		TypeTeamSettingsChanged,
		TypeBudgetEnvelopeSet,
		TypeTokenIssued,
		TypeTokenRevoked,
		TypeLoginFailed,
	}
}

// StreamKindOf returns the kind of stream events of type typ belong to, and
// false for an unknown type.
func StreamKindOf(typ string) (StreamKind, bool) {
	switch typ {
	case TypeFamilyReferred, TypeWaitingListEntered, TypeWaitingListLeft, TypeIntakeHeld, TypeGuidanceStarted, TypeCoachAssigned, TypeCoverArranged, TypeCoverEnded, TypeCoachChangeRequested, TypeCoachChangeHandled, TypeCaseClosed, TypeCaseReopened, TypePoliceFileClosed, TypePoliceFileReopened, TypeMemberAdded, TypeMemberCorrected, TypeMemberLeft, TypeProfessionalAdded, TypeProfessionalRemoved, TypeContactLogged, TypeContactCorrected, TypeQuestionRaised, TypeQuestionAnswered, TypeAssessmentRegistered, TypeConsentGiven, TypeConsentRefused, TypeConsentWithdrawn, TypeConsentExpired, TypeDisclosureMade, TypeFamilyInformed, TypeConfidentialityLifted, TypeInfoRequestReceived, TypeInfoRequestAnswered, TypeInfoRequestRefused, TypeParketInformed, TypeParketStatusRequested, TypeParketStatusReported, TypeParketWorryReported, TypeReferredToOCJ, TypeYouthCourtInvolved, TypeParketClosed, TypePoliceFactsRecorded, TypeBudgetAllocated, TypeSpendProposed, TypeSpendDecided, TypeSpendRecorded, TypeSpendReviewed, TypeSpendReversed, TypeOverspendApproved, TypeCostAvoidanceRecorded, TypeRetentionSet, TypeLegalHoldSet, TypeLegalHoldLifted, TypeFamilyErased:
		return StreamFamily, true
	case TypeRecordViewed, TypeRecordAccessRefused, TypeExportMade:
		return StreamAccess, true
	case TypeStaffRegistered, TypeRoleGranted, TypeRoleRevoked, TypeStaffDeactivated, TypeStaffReactivated, TypePasswordSet, TypeTokenIssued, TypeTokenRevoked:
		return StreamStaff, true
	case TypeLoginFailed:
		return StreamSecurity, true
	case TypeTeamSettingsChanged, TypeBudgetEnvelopeSet:
		return StreamTeam, true
	}
	return "", false
}

// EventType returns "FamilyReferred".
func (FamilyReferred) EventType() string { return TypeFamilyReferred }

func (e FamilyReferred) sealedValue() any { return e.Sealed }
func (e *FamilyReferred) sealedPtr() any  { return &e.Sealed }

// EventType returns "WaitingListEntered".
func (WaitingListEntered) EventType() string { return TypeWaitingListEntered }

// EventType returns "WaitingListLeft".
func (WaitingListLeft) EventType() string { return TypeWaitingListLeft }

// EventType returns "IntakeHeld".
func (IntakeHeld) EventType() string { return TypeIntakeHeld }

func (e IntakeHeld) sealedValue() any { return e.Sealed }
func (e *IntakeHeld) sealedPtr() any  { return &e.Sealed }

// EventType returns "GuidanceStarted".
func (GuidanceStarted) EventType() string { return TypeGuidanceStarted }

// EventType returns "CoachAssigned".
func (CoachAssigned) EventType() string { return TypeCoachAssigned }

// EventType returns "CoverArranged".
func (CoverArranged) EventType() string { return TypeCoverArranged }

// EventType returns "CoverEnded".
func (CoverEnded) EventType() string { return TypeCoverEnded }

// EventType returns "CoachChangeRequested".
func (CoachChangeRequested) EventType() string { return TypeCoachChangeRequested }

func (e CoachChangeRequested) sealedValue() any { return e.Sealed }
func (e *CoachChangeRequested) sealedPtr() any  { return &e.Sealed }

// EventType returns "CoachChangeHandled".
func (CoachChangeHandled) EventType() string { return TypeCoachChangeHandled }

// EventType returns "CaseClosed".
func (CaseClosed) EventType() string { return TypeCaseClosed }

// EventType returns "CaseReopened".
func (CaseReopened) EventType() string { return TypeCaseReopened }

// EventType returns "PoliceFileClosed".
func (PoliceFileClosed) EventType() string { return TypePoliceFileClosed }

// EventType returns "PoliceFileReopened".
func (PoliceFileReopened) EventType() string { return TypePoliceFileReopened }

// EventType returns "MemberAdded".
func (MemberAdded) EventType() string { return TypeMemberAdded }

func (e MemberAdded) sealedValue() any { return e.Sealed }
func (e *MemberAdded) sealedPtr() any  { return &e.Sealed }

// EventType returns "MemberCorrected".
func (MemberCorrected) EventType() string { return TypeMemberCorrected }

func (e MemberCorrected) sealedValue() any { return e.Sealed }
func (e *MemberCorrected) sealedPtr() any  { return &e.Sealed }

// EventType returns "MemberLeft".
func (MemberLeft) EventType() string { return TypeMemberLeft }

// EventType returns "ProfessionalAdded".
func (ProfessionalAdded) EventType() string { return TypeProfessionalAdded }

func (e ProfessionalAdded) sealedValue() any { return e.Sealed }
func (e *ProfessionalAdded) sealedPtr() any  { return &e.Sealed }

// EventType returns "ProfessionalRemoved".
func (ProfessionalRemoved) EventType() string { return TypeProfessionalRemoved }

// EventType returns "ContactLogged".
func (ContactLogged) EventType() string { return TypeContactLogged }

func (e ContactLogged) sealedValue() any { return e.Sealed }
func (e *ContactLogged) sealedPtr() any  { return &e.Sealed }

// EventType returns "ContactCorrected".
func (ContactCorrected) EventType() string { return TypeContactCorrected }

func (e ContactCorrected) sealedValue() any { return e.Sealed }
func (e *ContactCorrected) sealedPtr() any  { return &e.Sealed }

// EventType returns "QuestionRaised".
func (QuestionRaised) EventType() string { return TypeQuestionRaised }

func (e QuestionRaised) sealedValue() any { return e.Sealed }
func (e *QuestionRaised) sealedPtr() any  { return &e.Sealed }

// EventType returns "QuestionAnswered".
func (QuestionAnswered) EventType() string { return TypeQuestionAnswered }

func (e QuestionAnswered) sealedValue() any { return e.Sealed }
func (e *QuestionAnswered) sealedPtr() any  { return &e.Sealed }

// EventType returns "AssessmentRegistered".
func (AssessmentRegistered) EventType() string { return TypeAssessmentRegistered }

func (e AssessmentRegistered) sealedValue() any { return e.Sealed }
func (e *AssessmentRegistered) sealedPtr() any  { return &e.Sealed }

// EventType returns "ConsentGiven".
func (ConsentGiven) EventType() string { return TypeConsentGiven }

func (e ConsentGiven) sealedValue() any { return e.Sealed }
func (e *ConsentGiven) sealedPtr() any  { return &e.Sealed }

// EventType returns "ConsentRefused".
func (ConsentRefused) EventType() string { return TypeConsentRefused }

func (e ConsentRefused) sealedValue() any { return e.Sealed }
func (e *ConsentRefused) sealedPtr() any  { return &e.Sealed }

// EventType returns "ConsentWithdrawn".
func (ConsentWithdrawn) EventType() string { return TypeConsentWithdrawn }

// EventType returns "ConsentExpired".
func (ConsentExpired) EventType() string { return TypeConsentExpired }

// EventType returns "DisclosureMade".
func (DisclosureMade) EventType() string { return TypeDisclosureMade }

func (e DisclosureMade) sealedValue() any { return e.Sealed }
func (e *DisclosureMade) sealedPtr() any  { return &e.Sealed }

// EventType returns "FamilyInformed".
func (FamilyInformed) EventType() string { return TypeFamilyInformed }

// EventType returns "ConfidentialityLifted".
func (ConfidentialityLifted) EventType() string { return TypeConfidentialityLifted }

// EventType returns "InfoRequestReceived".
func (InfoRequestReceived) EventType() string { return TypeInfoRequestReceived }

func (e InfoRequestReceived) sealedValue() any { return e.Sealed }
func (e *InfoRequestReceived) sealedPtr() any  { return &e.Sealed }

// EventType returns "InfoRequestAnswered".
func (InfoRequestAnswered) EventType() string { return TypeInfoRequestAnswered }

// EventType returns "InfoRequestRefused".
func (InfoRequestRefused) EventType() string { return TypeInfoRequestRefused }

// EventType returns "ParketInformed".
func (ParketInformed) EventType() string { return TypeParketInformed }

// EventType returns "ParketStatusRequested".
func (ParketStatusRequested) EventType() string { return TypeParketStatusRequested }

// EventType returns "ParketStatusReported".
func (ParketStatusReported) EventType() string { return TypeParketStatusReported }

// EventType returns "ParketWorryReported".
func (ParketWorryReported) EventType() string { return TypeParketWorryReported }

// EventType returns "ReferredToOCJ".
func (ReferredToOCJ) EventType() string { return TypeReferredToOCJ }

// EventType returns "YouthCourtInvolved".
func (YouthCourtInvolved) EventType() string { return TypeYouthCourtInvolved }

// EventType returns "ParketClosed".
func (ParketClosed) EventType() string { return TypeParketClosed }

// EventType returns "PoliceFactsRecorded".
func (PoliceFactsRecorded) EventType() string { return TypePoliceFactsRecorded }

// EventType returns "BudgetAllocated".
func (BudgetAllocated) EventType() string { return TypeBudgetAllocated }

// EventType returns "SpendProposed".
func (SpendProposed) EventType() string { return TypeSpendProposed }

func (e SpendProposed) sealedValue() any { return e.Sealed }
func (e *SpendProposed) sealedPtr() any  { return &e.Sealed }

// EventType returns "SpendDecided".
func (SpendDecided) EventType() string { return TypeSpendDecided }

// EventType returns "SpendRecorded".
func (SpendRecorded) EventType() string { return TypeSpendRecorded }

func (e SpendRecorded) sealedValue() any { return e.Sealed }
func (e *SpendRecorded) sealedPtr() any  { return &e.Sealed }

// EventType returns "SpendReviewed".
func (SpendReviewed) EventType() string { return TypeSpendReviewed }

// EventType returns "SpendReversed".
func (SpendReversed) EventType() string { return TypeSpendReversed }

func (e SpendReversed) sealedValue() any { return e.Sealed }
func (e *SpendReversed) sealedPtr() any  { return &e.Sealed }

// EventType returns "OverspendApproved".
func (OverspendApproved) EventType() string { return TypeOverspendApproved }

// EventType returns "CostAvoidanceRecorded".
func (CostAvoidanceRecorded) EventType() string { return TypeCostAvoidanceRecorded }

// EventType returns "RetentionSet".
func (RetentionSet) EventType() string { return TypeRetentionSet }

// EventType returns "LegalHoldSet".
func (LegalHoldSet) EventType() string { return TypeLegalHoldSet }

// EventType returns "LegalHoldLifted".
func (LegalHoldLifted) EventType() string { return TypeLegalHoldLifted }

// EventType returns "FamilyErased".
func (FamilyErased) EventType() string { return TypeFamilyErased }

// EventType returns "RecordViewed".
func (RecordViewed) EventType() string { return TypeRecordViewed }

func (e RecordViewed) sealedValue() any { return e.Sealed }
func (e *RecordViewed) sealedPtr() any  { return &e.Sealed }

// EventType returns "RecordAccessRefused".
func (RecordAccessRefused) EventType() string { return TypeRecordAccessRefused }

// EventType returns "ExportMade".
func (ExportMade) EventType() string { return TypeExportMade }

// EventType returns "StaffRegistered".
func (StaffRegistered) EventType() string { return TypeStaffRegistered }

func (e StaffRegistered) sealedValue() any { return e.Sealed }
func (e *StaffRegistered) sealedPtr() any  { return &e.Sealed }

// EventType returns "RoleGranted".
func (RoleGranted) EventType() string { return TypeRoleGranted }

// EventType returns "RoleRevoked".
func (RoleRevoked) EventType() string { return TypeRoleRevoked }

// EventType returns "StaffDeactivated".
func (StaffDeactivated) EventType() string { return TypeStaffDeactivated }

// EventType returns "StaffReactivated".
func (StaffReactivated) EventType() string { return TypeStaffReactivated }

// EventType returns "PasswordSet".
func (PasswordSet) EventType() string { return TypePasswordSet }

func (e PasswordSet) sealedValue() any { return e.Sealed }
func (e *PasswordSet) sealedPtr() any  { return &e.Sealed }

// EventType returns "TeamSettingsChanged".
func (TeamSettingsChanged) EventType() string { return TypeTeamSettingsChanged }

// EventType returns "BudgetEnvelopeSet".
func (BudgetEnvelopeSet) EventType() string { return TypeBudgetEnvelopeSet }

// HasSealedPart reports whether events of type typ may carry a sealed part.
func HasSealedPart(typ string) bool {
	switch typ {
	case TypeFamilyReferred, TypeIntakeHeld, TypeCoachChangeRequested, TypeMemberAdded, TypeMemberCorrected, TypeProfessionalAdded, TypeContactLogged, TypeContactCorrected, TypeQuestionRaised, TypeQuestionAnswered, TypeAssessmentRegistered, TypeConsentGiven, TypeConsentRefused, TypeDisclosureMade, TypeInfoRequestReceived, TypeSpendProposed, TypeSpendRecorded, TypeSpendReversed, TypeRecordViewed, TypeStaffRegistered, TypePasswordSet:
		return true
	}
	return false
}

// Encoded is an event ready for the store: its type name, its public part
// (a JSON object) and its sealed part (a JSON object holding personal data,
// nil when the event has none: then nothing needs sealing).
type Encoded struct {
	Type   string
	Public []byte
	Sealed []byte
}

// Encode returns the JSON encoding of e's public part and, when e carries
// personal data, of its sealed part. An empty sealed part ({}) is returned
// as nil. Field names are snake_case and stable; dates are "2006-01-02".
// Errors: ErrUnknownEventType for a type outside EventTypes.
func Encode(e Event) (Encoded, error) {
	typ := e.EventType()
	if _, ok := StreamKindOf(typ); !ok {
		return Encoded{}, fmt.Errorf("encode: %w: %s", ErrUnknownEventType, typ)
	}
	pub, err := json.Marshal(e)
	if err != nil {
		return Encoded{}, fmt.Errorf("encode %s: public part: %w", typ, err)
	}
	enc := Encoded{Type: typ, Public: pub}
	if s, ok := e.(sealedCarrier); ok {
		sec, err := json.Marshal(s.sealedValue())
		if err != nil {
			return Encoded{}, fmt.Errorf("encode %s: sealed part: %w", typ, err)
		}
		if !bytes.Equal(sec, []byte("{}")) {
			enc.Sealed = sec
		}
	}
	return enc, nil
}

// Decode rebuilds an event from its type name and parts. sealed == nil means
// the sealed part is not available (the event had none, the caller may not
// read it, or the family was erased): the event's Sealed field is then its
// zero value; callers that need to tell "erased" from "empty" keep that
// fact next to the event (the ledger's Record does). Unknown JSON fields
// are ignored, so older code reads newer events.
// Errors: ErrUnknownEventType, ErrBadEvent (malformed JSON, or a sealed part
// for a type that has none); texts never contain the data.
func Decode(typ string, public, sealed []byte) (Event, error) {
	switch typ {
	case TypeFamilyReferred:
		return decodeAs[FamilyReferred](typ, public, sealed)
	case TypeWaitingListEntered:
		return decodeAs[WaitingListEntered](typ, public, sealed)
	case TypeWaitingListLeft:
		return decodeAs[WaitingListLeft](typ, public, sealed)
	case TypeIntakeHeld:
		return decodeAs[IntakeHeld](typ, public, sealed)
	case TypeGuidanceStarted:
		return decodeAs[GuidanceStarted](typ, public, sealed)
	case TypeCoachAssigned:
		return decodeAs[CoachAssigned](typ, public, sealed)
	case TypeCoverArranged:
		return decodeAs[CoverArranged](typ, public, sealed)
	case TypeCoverEnded:
		return decodeAs[CoverEnded](typ, public, sealed)
	case TypeCoachChangeRequested:
		return decodeAs[CoachChangeRequested](typ, public, sealed)
	case TypeCoachChangeHandled:
		return decodeAs[CoachChangeHandled](typ, public, sealed)
	case TypeCaseClosed:
		return decodeAs[CaseClosed](typ, public, sealed)
	case TypeCaseReopened:
		return decodeAs[CaseReopened](typ, public, sealed)
	case TypePoliceFileClosed:
		return decodeAs[PoliceFileClosed](typ, public, sealed)
	case TypePoliceFileReopened:
		return decodeAs[PoliceFileReopened](typ, public, sealed)
	case TypeMemberAdded:
		return decodeAs[MemberAdded](typ, public, sealed)
	case TypeMemberCorrected:
		return decodeAs[MemberCorrected](typ, public, sealed)
	case TypeMemberLeft:
		return decodeAs[MemberLeft](typ, public, sealed)
	case TypeProfessionalAdded:
		return decodeAs[ProfessionalAdded](typ, public, sealed)
	case TypeProfessionalRemoved:
		return decodeAs[ProfessionalRemoved](typ, public, sealed)
	case TypeContactLogged:
		return decodeAs[ContactLogged](typ, public, sealed)
	case TypeContactCorrected:
		return decodeAs[ContactCorrected](typ, public, sealed)
	case TypeQuestionRaised:
		return decodeAs[QuestionRaised](typ, public, sealed)
	case TypeQuestionAnswered:
		return decodeAs[QuestionAnswered](typ, public, sealed)
	case TypeAssessmentRegistered:
		return decodeAs[AssessmentRegistered](typ, public, sealed)
	case TypeConsentGiven:
		return decodeAs[ConsentGiven](typ, public, sealed)
	case TypeConsentRefused:
		return decodeAs[ConsentRefused](typ, public, sealed)
	case TypeConsentWithdrawn:
		return decodeAs[ConsentWithdrawn](typ, public, sealed)
	case TypeConsentExpired:
		return decodeAs[ConsentExpired](typ, public, sealed)
	case TypeDisclosureMade:
		return decodeAs[DisclosureMade](typ, public, sealed)
	case TypeFamilyInformed:
		return decodeAs[FamilyInformed](typ, public, sealed)
	case TypeConfidentialityLifted:
		return decodeAs[ConfidentialityLifted](typ, public, sealed)
	case TypeInfoRequestReceived:
		return decodeAs[InfoRequestReceived](typ, public, sealed)
	case TypeInfoRequestAnswered:
		return decodeAs[InfoRequestAnswered](typ, public, sealed)
	case TypeInfoRequestRefused:
		return decodeAs[InfoRequestRefused](typ, public, sealed)
	case TypeParketInformed:
		return decodeAs[ParketInformed](typ, public, sealed)
	case TypeParketStatusRequested:
		return decodeAs[ParketStatusRequested](typ, public, sealed)
	case TypeParketStatusReported:
		return decodeAs[ParketStatusReported](typ, public, sealed)
	case TypeParketWorryReported:
		return decodeAs[ParketWorryReported](typ, public, sealed)
	case TypeReferredToOCJ:
		return decodeAs[ReferredToOCJ](typ, public, sealed)
	case TypeYouthCourtInvolved:
		return decodeAs[YouthCourtInvolved](typ, public, sealed)
	case TypeParketClosed:
		return decodeAs[ParketClosed](typ, public, sealed)
	case TypePoliceFactsRecorded:
		return decodeAs[PoliceFactsRecorded](typ, public, sealed)
	case TypeBudgetAllocated:
		return decodeAs[BudgetAllocated](typ, public, sealed)
	case TypeSpendProposed:
		return decodeAs[SpendProposed](typ, public, sealed)
	case TypeSpendDecided:
		return decodeAs[SpendDecided](typ, public, sealed)
	case TypeSpendRecorded:
		return decodeAs[SpendRecorded](typ, public, sealed)
	case TypeSpendReviewed:
		return decodeAs[SpendReviewed](typ, public, sealed)
	case TypeSpendReversed:
		return decodeAs[SpendReversed](typ, public, sealed)
	case TypeOverspendApproved:
		return decodeAs[OverspendApproved](typ, public, sealed)
	case TypeCostAvoidanceRecorded:
		return decodeAs[CostAvoidanceRecorded](typ, public, sealed)
	case TypeRetentionSet:
		return decodeAs[RetentionSet](typ, public, sealed)
	case TypeLegalHoldSet:
		return decodeAs[LegalHoldSet](typ, public, sealed)
	case TypeLegalHoldLifted:
		return decodeAs[LegalHoldLifted](typ, public, sealed)
	case TypeFamilyErased:
		return decodeAs[FamilyErased](typ, public, sealed)
	case TypeRecordViewed:
		return decodeAs[RecordViewed](typ, public, sealed)
	case TypeRecordAccessRefused:
		return decodeAs[RecordAccessRefused](typ, public, sealed)
	case TypeExportMade:
		return decodeAs[ExportMade](typ, public, sealed)
	case TypeStaffRegistered:
		return decodeAs[StaffRegistered](typ, public, sealed)
	case TypeRoleGranted:
		return decodeAs[RoleGranted](typ, public, sealed)
	case TypeRoleRevoked:
		return decodeAs[RoleRevoked](typ, public, sealed)
	case TypeStaffDeactivated:
		return decodeAs[StaffDeactivated](typ, public, sealed)
	case TypeStaffReactivated:
		return decodeAs[StaffReactivated](typ, public, sealed)
	case TypePasswordSet:
		return decodeAs[PasswordSet](typ, public, sealed)
	case TypeTeamSettingsChanged:
		return decodeAs[TeamSettingsChanged](typ, public, sealed)
	case TypeBudgetEnvelopeSet:
		return decodeAs[BudgetEnvelopeSet](typ, public, sealed)
	case TypeTokenIssued:
		return decodeAs[TokenIssued](typ, public, sealed)
	case TypeTokenRevoked:
		return decodeAs[TokenRevoked](typ, public, sealed)
	case TypeLoginFailed:
		return decodeAs[LoginFailed](typ, public, sealed)
	}
	return nil, fmt.Errorf("decode: %w: %q", ErrUnknownEventType, typ)
}

func decodeAs[T Event, P interface{ *T }](typ string, public, sealed []byte) (Event, error) {
	var v T
	if err := json.Unmarshal(public, &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w: public part (%d bytes) does not decode", typ, ErrBadEvent, len(public))
	}
	if sealed != nil {
		s, ok := any(P(&v)).(sealedTarget)
		if !ok {
			return nil, fmt.Errorf("decode %s: %w: the type has no sealed part", typ, ErrBadEvent)
		}
		if err := json.Unmarshal(sealed, s.sealedPtr()); err != nil {
			return nil, fmt.Errorf("decode %s: %w: sealed part (%d bytes) does not decode", typ, ErrBadEvent, len(sealed))
		}
	}
	return v, nil
}
