package domain

// This file holds the events of the access streams (access-<family id>), the
// staff streams (staff-<id>) and the team stream.

// AccessOutcome is whether an access was allowed.
type AccessOutcome string

// Access outcomes.
const (
	AccessAllowed AccessOutcome = "allowed"
	AccessRefused AccessOutcome = "refused"
)

// BreakGlassReason is the coded reason for access outside one's caseload or
// cover (break the glass); free text goes in the sealed part.
type BreakGlassReason string

// Break-the-glass reasons.
const (
	GlassNone           BreakGlassReason = ""
	GlassUrgentSafety   BreakGlassReason = "urgent_safety"
	GlassUnplannedCover BreakGlassReason = "unplanned_cover"
	GlassParketRequest  BreakGlassReason = "parket_request"
	GlassTeamReview     BreakGlassReason = "team_review"
	GlassOther          BreakGlassReason = "other"
)

// Valid reports whether r is a known reason (GlassNone included).
func (r BreakGlassReason) Valid() bool {
	switch r {
	case GlassNone, GlassUrgentSafety, GlassUnplannedCover, GlassParketRequest, GlassTeamReview, GlassOther:
		return true
	}
	return false
}

// RecordViewed: a user saw (part of) a family's file. It is appended to
// access-<family id> before the data is returned. BreakGlass marks access
// outside the user's caseload and cover; it then has a reason.
type RecordViewed struct {
	FamilyID   FamilyID         `json:"family_id"`
	UserID     StaffID          `json:"user_id"`
	Role       Role             `json:"role"`
	Part       FilePart         `json:"part"`
	ItemID     string           `json:"item_id,omitempty"`
	Purpose    Purpose          `json:"purpose"`
	BreakGlass bool             `json:"break_glass,omitempty"`
	Reason     BreakGlassReason `json:"reason,omitempty"`
	Sealed     NoteSealed       `json:"-"`
}

// RecordAccessRefused: a user asked to see (part of) a family's file and was
// refused.
type RecordAccessRefused struct {
	FamilyID FamilyID `json:"family_id"`
	UserID   StaffID  `json:"user_id"`
	Role     Role     `json:"role"`
	Part     FilePart `json:"part"`
	ItemID   string   `json:"item_id,omitempty"`
	Purpose  Purpose  `json:"purpose"`
	Rule     string   `json:"rule"`
}

// ExportKind is what an export of a family's data contains.
type ExportKind string

// Export kinds.
const (
	ExportArt15    ExportKind = "art15_report"
	ExportFile     ExportKind = "family_file"
	ExportHandover ExportKind = "handover"
)

// Valid reports whether k is a known export kind.
func (k ExportKind) Valid() bool { return k == ExportArt15 || k == ExportFile || k == ExportHandover }

// ExportMade: a user exported a family's personal data.
type ExportMade struct {
	ExportID ExportID   `json:"export_id"`
	FamilyID FamilyID   `json:"family_id"`
	UserID   StaffID    `json:"user_id"`
	Role     Role       `json:"role"`
	Kind     ExportKind `json:"kind"`
	Purpose  Purpose    `json:"purpose"`
	Format   string     `json:"format"`
}

// StaffRegistered opens a staff stream. Login is the public login id; the
// display name and e-mail are the staff member's personal data (sealed
// under scope staff-<id>).
type StaffRegistered struct {
	StaffID StaffID     `json:"staff_id"`
	Date    Date        `json:"date"`
	Login   string      `json:"login"`
	Sealed  StaffSealed `json:"-"`
}

// StaffSealed is a staff member's personal data.
type StaffSealed struct {
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`
}

// RoleGranted: the staff member may act in Role.
type RoleGranted struct {
	Role      Role    `json:"role"`
	Date      Date    `json:"date"`
	GrantedBy StaffID `json:"granted_by"`
}

// RoleRevoked: the staff member may no longer act in Role.
type RoleRevoked struct {
	Role      Role    `json:"role"`
	Date      Date    `json:"date"`
	RevokedBy StaffID `json:"revoked_by"`
}

// StaffDeactivated: the staff member left or is suspended; they can no
// longer log in or be assigned.
type StaffDeactivated struct {
	Date Date    `json:"date"`
	By   StaffID `json:"by"`
}

// StaffReactivated: a deactivated staff member is active again.
type StaffReactivated struct {
	Date Date    `json:"date"`
	By   StaffID `json:"by"`
}

// PasswordSet: the staff member's password hash changed. The hash (PHC
// string of argon2id or bcrypt, never a password) is sealed under the staff
// scope so that it can be shredded with the staff member's data.
type PasswordSet struct {
	Date   Date           `json:"date"`
	Sealed PasswordSealed `json:"-"`
}

// PasswordSealed holds the password hash.
type PasswordSealed struct {
	Hash string `json:"hash,omitempty"`
}

// TeamSettingsChanged replaces the team's settings as a whole (see
// TeamSettings and DefaultTeamSettings).
type TeamSettingsChanged struct {
	Date     Date         `json:"date"`
	Settings TeamSettings `json:"settings"`
	By       StaffID      `json:"by"`
}

// BudgetEnvelopeSet: the team's budget for a year and funding line is
// AmountCents (it replaces an earlier envelope for the same year and line).
type BudgetEnvelopeSet struct {
	Year        int             `json:"year"`
	FundingLine string          `json:"funding_line"`
	Instrument  SpendInstrument `json:"instrument"`
	AmountCents int64           `json:"amount_cents"`
	Date        Date            `json:"date"`
	By          StaffID         `json:"by"`
}
