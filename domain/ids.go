package domain

import "strings"

// Identifiers are opaque strings (UUIDs) chosen by the caller; domain never
// generates them. They never hold personal data, so they may appear in error
// messages, logs and stream names.
type (
	// FamilyID identifies a family (the case).
	FamilyID string
	// StaffID identifies a staff member (a user of Spoor).
	StaffID string
	// MemberID identifies a person in a family (parent, child).
	MemberID string
	// ContactID identifies a logged contact.
	ContactID string
	// QuestionID identifies a hulpvraag.
	QuestionID string
	// ProfessionalID identifies a professional of another organisation involved with the family.
	ProfessionalID string
	// AssessmentID identifies one registration with an instrument.
	AssessmentID string
	// ConsentID identifies a consent (given or refused).
	ConsentID string
	// DisclosureID identifies a disclosure (information shared).
	DisclosureID string
	// InfoRequestID identifies an information request received from another organisation.
	InfoRequestID string
	// ParketRequestID identifies a status request of the parket.
	ParketRequestID string
	// AllocationID identifies a budget allocation.
	AllocationID string
	// SpendID identifies a spend (proposed, decided, recorded, reversed).
	SpendID string
	// ApprovalID identifies a coordinator's approval of an overspend.
	ApprovalID string
	// CoverID identifies a cover arrangement.
	CoverID string
	// CostRecordID identifies a cost-avoidance record.
	CostRecordID string
	// HoldID identifies a legal hold.
	HoldID string
	// CoachRequestID identifies a family's request for another coach.
	CoachRequestID string
	// ExportID identifies an export of personal data.
	ExportID string
)

// Stream name prefixes and the team stream.
const (
	FamilyStreamPrefix = "family-"
	AccessStreamPrefix = "access-"
	StaffStreamPrefix  = "staff-"
	// TeamStream holds the team's settings and budget envelopes.
	TeamStream = "team"
)

// FamilyStream is the stream of a family's case events: "family-<id>". It is
// also the sealing scope of the family's personal data.
func FamilyStream(id FamilyID) string { return FamilyStreamPrefix + string(id) }

// AccessStream is the stream of "who saw what" events about a family:
// "access-<id>".
func AccessStream(id FamilyID) string { return AccessStreamPrefix + string(id) }

// StaffStream is the stream of a staff member: "staff-<id>". It is also the
// sealing scope of the staff member's personal data.
func StaffStream(id StaffID) string { return StaffStreamPrefix + string(id) }

// FamilyIDFromStream returns the family of a "family-<id>" or "access-<id>"
// stream.
func FamilyIDFromStream(stream string) (FamilyID, bool) {
	for _, p := range []string{FamilyStreamPrefix, AccessStreamPrefix} {
		if id, ok := strings.CutPrefix(stream, p); ok && id != "" {
			return FamilyID(id), true
		}
	}
	return "", false
}

// StaffIDFromStream returns the staff member of a "staff-<id>" stream.
func StaffIDFromStream(stream string) (StaffID, bool) {
	id, ok := strings.CutPrefix(stream, StaffStreamPrefix)
	return StaffID(id), ok && id != ""
}

// validID accepts 1 to 100 bytes of [A-Za-z0-9._:-] (a UUID fits), so that an
// identifier can be part of a stream name and a sealing scope and never
// carries free text.
func validID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ValidID reports whether s is acceptable as an identifier: 1 to 100 bytes of
// A-Z a-z 0-9 . _ : -.
func ValidID(s string) bool { return validID(s) }
