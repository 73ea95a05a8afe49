package domain

// Access events go to access-<family id> and have no state to fold: the
// decisions only validate. Authorisation itself (who may see what) is the
// HTTP layer's, which records its outcome here.

// ViewRecord is a user's access to part of a family's file.
type ViewRecord struct {
	FamilyID   FamilyID
	UserID     StaffID
	Role       Role
	Part       FilePart
	ItemID     string
	Purpose    Purpose
	BreakGlass bool
	Reason     BreakGlassReason
	Sealed     NoteSealed
}

func checkAccess(k *checker, fam FamilyID, user StaffID, role Role, part FilePart, item string, purpose Purpose) {
	k.id("family_id", string(fam))
	k.id("user_id", string(user))
	k.valid("role", role.Valid(), string(role))
	k.valid("part", part.Valid(), string(part))
	k.optID("item_id", item)
	k.valid("purpose", purpose.Valid(), string(purpose))
}

// DecideView returns the RecordViewed event of an allowed access. Break the
// glass needs a coded reason; a reason without break the glass is refused.
func DecideView(c ViewRecord) (RecordViewed, error) {
	var k checker
	checkAccess(&k, c.FamilyID, c.UserID, c.Role, c.Part, c.ItemID, c.Purpose)
	if k.ok() && !c.Reason.Valid() {
		k.fail(ruleErr("field.invalid", "reason", "unknown reason"))
	}
	if k.ok() && c.BreakGlass && c.Reason == GlassNone {
		k.fail(ruleErr("access.break_glass_reason", "reason", "breaking the glass needs a reason"))
	}
	if k.ok() && !c.BreakGlass && (c.Reason != GlassNone || c.Sealed.Note != "") {
		k.fail(ruleErr("access.break_glass_reason", "reason", "a reason is given only when breaking the glass"))
	}
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	if !k.ok() {
		return RecordViewed{}, k.result()
	}
	return RecordViewed{FamilyID: c.FamilyID, UserID: c.UserID, Role: c.Role, Part: c.Part, ItemID: c.ItemID, Purpose: c.Purpose, BreakGlass: c.BreakGlass, Reason: c.Reason, Sealed: c.Sealed}, nil
}

// RefuseAccess is a refused access; Rule is the authorisation rule's code.
type RefuseAccess struct {
	FamilyID FamilyID
	UserID   StaffID
	Role     Role
	Part     FilePart
	ItemID   string
	Purpose  Purpose
	Rule     string
}

// DecideRefusal returns the RecordAccessRefused event of a refused access.
// The HTTP layer records a refusal with the role the user holds and the
// purpose asked; malformed values are refused here like any field, so the
// caller maps an unknown purpose to PurposeOther before recording.
func DecideRefusal(c RefuseAccess) (RecordAccessRefused, error) {
	var k checker
	checkAccess(&k, c.FamilyID, c.UserID, c.Role, c.Part, c.ItemID, c.Purpose)
	if c.Rule == "" || len(c.Rule) > 100 || !validID(c.Rule) {
		k.fail(ruleErr("field.invalid", "rule", "the refusing rule's code is required"))
	}
	if !k.ok() {
		return RecordAccessRefused{}, k.result()
	}
	return RecordAccessRefused{FamilyID: c.FamilyID, UserID: c.UserID, Role: c.Role, Part: c.Part, ItemID: c.ItemID, Purpose: c.Purpose, Rule: c.Rule}, nil
}

// MakeExport is an export of a family's personal data.
type MakeExport struct {
	ExportID ExportID
	FamilyID FamilyID
	UserID   StaffID
	Role     Role
	Kind     ExportKind
	Purpose  Purpose
	Format   string
}

// DecideExport returns the ExportMade event of an export.
func DecideExport(c MakeExport) (ExportMade, error) {
	var k checker
	k.id("export_id", string(c.ExportID))
	k.id("family_id", string(c.FamilyID))
	k.id("user_id", string(c.UserID))
	k.valid("role", c.Role.Valid(), string(c.Role))
	k.valid("kind", c.Kind.Valid(), string(c.Kind))
	k.valid("purpose", c.Purpose.Valid(), string(c.Purpose))
	k.code("format", c.Format)
	if !k.ok() {
		return ExportMade{}, k.result()
	}
	return ExportMade{ExportID: c.ExportID, FamilyID: c.FamilyID, UserID: c.UserID, Role: c.Role, Kind: c.Kind, Purpose: c.Purpose, Format: c.Format}, nil
}
