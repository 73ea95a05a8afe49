package web

import (
	"net/http"
	"sort"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/projections/budget"
)

// The back office (budgetbeheer / schuldbemiddeling) sees budgets and
// spends only, read-only: its landing page lists the team's spends of a
// period (to pay: recorded and not reversed; processed: reversed) with
// supplier, amount, receipt and decision. Family ids, never names. The
// ledger has no "paid" event: payment is tracked in the back office's own
// accounts, and this page is what it pays from.

func (u *UI) registerBackOffice() {
	u.handle(http.MethodGet, "/backoffice", api.Roles(auth.RoleBackOffice), u.backOfficePage)
}

// boLine is one row of the back office's list.
type boLine struct {
	budget.Line
	Status string
}

func (u *UI) backOfficePage(w http.ResponseWriter, r *http.Request) error {
	id, _ := api.IdentityFrom(r.Context())
	p := u.newPage(r, "bo.title")
	from, to, err := u.period(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("van") == "" {
		from = to.AddDays(-90)
	}
	rep, err := u.cfg.Budget.CouncilReport(from, to, u.cfg.Now())
	if err != nil {
		return api.BadRequest("invalid", "van", err.Error())
	}
	var toPay, done []boLine
	seen := map[string]bool{}
	var fams []string
	for _, f := range rep.ByInstrument {
		for _, l := range f.Lines {
			if !seen[string(l.FamilyID)] {
				seen[string(l.FamilyID)] = true
				fams = append(fams, string(l.FamilyID))
			}
			switch {
			case l.Kind == budget.LineReversal:
				done = append(done, boLine{Line: l, Status: "reversed"})
			case l.Reversed:
				done = append(done, boLine{Line: l, Status: "spend_reversed"})
			case l.Decision.Path == domain.PathUrgent && !l.Decision.Reviewed:
				toPay = append(toPay, boLine{Line: l, Status: "urgent_unreviewed"})
			default:
				toPay = append(toPay, boLine{Line: l, Status: string(l.Decision.Path)})
			}
		}
	}
	newestFirst := func(ls []boLine) {
		sort.SliceStable(ls, func(i, j int) bool { return ls[j].Date.Before(ls[i].Date) })
	}
	newestFirst(toPay)
	newestFirst(done)
	var total int64
	for _, l := range toPay {
		total += l.AmountCents
	}
	// The list shows each family's spends (budget part): one access event
	// per family, decided by the same policy the API asks, before the page
	// is written.
	sort.Strings(fams)
	d := auth.Policy{Hours: u.cfg.Hours}.Decide(auth.AccessRequest{User: id.User, Family: &auth.FamilyFacts{ID: "team"}, Part: auth.PartBudget, At: u.cfg.Now()})
	if !d.Allowed {
		return api.ErrForbidden
	}
	if err := u.s.RecordAccess(r, api.TeamRequest{Identity: id, Decision: d, Purpose: "aid_payment"}, auth.PartBudget, fams); err != nil {
		return err
	}
	p.Data = map[string]any{"From": from, "To": to, "ToPay": toPay, "Done": done, "Total": total, "Families": len(fams)}
	u.render(w, http.StatusOK, "backoffice", p)
	return nil
}
