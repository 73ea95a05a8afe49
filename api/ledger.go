package api

import (
	"context"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// LedgerRecorder is the AccessRecorder of a running server: it appends
// RecordViewed and RecordAccessRefused events to the family's access
// stream through the ledger, sealing a break-the-glass note under the
// family's data key.
type LedgerRecorder struct {
	Ledger *ledger.Service
}

// Record implements AccessRecorder. Errors are the ledger's (a
// *domain.RuleError for a malformed event, the store's errors).
func (r LedgerRecorder) Record(ctx context.Context, ev AccessEvent) error {
	meta := ledger.Meta{Actor: store.Actor{UserID: ev.UserID, Role: string(ev.Role)}, CorrelationID: ev.RequestID}
	part := FilePart(ev.Part)
	if ev.Outcome == "allowed" {
		_, err := r.Ledger.RecordView(ctx, meta, domain.ViewRecord{
			FamilyID: domain.FamilyID(ev.FamilyID), UserID: domain.StaffID(ev.UserID), Role: domain.Role(ev.Role),
			Part: part, ItemID: ev.ItemID, Purpose: domain.Purpose(ev.Purpose),
			BreakGlass: ev.Reason != "", Reason: domain.BreakGlassReason(ev.Reason),
			Sealed: domain.NoteSealed{Note: ev.ReasonNote},
		})
		return err
	}
	_, err := r.Ledger.RecordRefusal(ctx, meta, domain.RefuseAccess{
		FamilyID: domain.FamilyID(ev.FamilyID), UserID: domain.StaffID(ev.UserID), Role: domain.Role(ev.Role),
		Part: part, ItemID: ev.ItemID, Purpose: domain.Purpose(ev.Purpose), Rule: ev.Rule,
	})
	return err
}

// FilePart maps a policy part to the part of the file an access event
// records. Parts of the file map to themselves; the views that are not a
// part of their own map to what they show of each family: an art. 15 report
// is an export of the file, the erasure view its summary, a caseload or
// waiting list the families' summaries, the council report their budgets,
// the outcome tables their assessments, the disclosure register their
// disclosures.
func FilePart(p auth.Part) domain.FilePart {
	switch p {
	case auth.PartArt15:
		return domain.PartExport
	case auth.PartErasure, auth.PartCaseload:
		return domain.PartSummary
	case auth.PartCouncilReport:
		return domain.PartBudget
	case auth.PartOutcomes:
		return domain.PartAssessments
	case auth.PartDisclosureRegister:
		return domain.PartDisclosures
	}
	return domain.FilePart(p)
}
