package api

import (
	"context"
	"fmt"
	"sort"
	"time"

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
	case auth.PartParketOverview:
		return domain.PartParket
	}
	return domain.FilePart(p)
}

// LedgerFamilies gives the policy a family's facts by folding the family's
// stream (public parts only) through the ledger. It reads the stream on
// every request; a read model can take its place behind Families.
type LedgerFamilies struct {
	Ledger *ledger.Service
	// Location is the team's time zone: cover dates are days there.
	Location *time.Location
}

// FamilyFacts implements Families. Unknown families are domain.ErrNotFound
// (404).
func (f LedgerFamilies) FamilyFacts(ctx context.Context, id string) (auth.FamilyFacts, error) {
	if !domain.ValidID(id) {
		return auth.FamilyFacts{}, fmt.Errorf("family %s: %w", id, ErrNotFound)
	}
	v, err := f.Ledger.Family(ctx, domain.FamilyID(id), false)
	if err != nil {
		return auth.FamilyFacts{}, err
	}
	return FactsOf(v.Family, f.Location), nil
}

// FactsOf extracts the policy's facts from a folded family: the assigned
// coach, the cover arrangements as instants in loc (from the first day's
// start to the end of the last day), and whether the case is closed.
func FactsOf(fam *domain.Family, loc *time.Location) auth.FamilyFacts {
	facts := auth.FamilyFacts{ID: string(fam.ID), AssignedCoach: string(fam.Coach), Closed: fam.Status == domain.StatusClosed}
	for _, c := range fam.Covers {
		facts.Covers = append(facts.Covers, auth.Cover{
			CoachID: string(c.CoachID),
			From:    dayStart(c.From, loc),
			Until:   dayStart(c.Last().AddDays(1), loc),
		})
	}
	sort.Slice(facts.Covers, func(i, j int) bool { return facts.Covers[i].From.Before(facts.Covers[j].From) })
	return facts
}

func dayStart(d domain.Date, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}
