package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Spend proposals (decided by the team before the purchase), the
// coordinator's approval of an overspend, and cost-avoidance figures: one
// page of the budget part.

func (u *UI) proposalForms(lang, fid string, cats []string, props []option) map[string]*form {
	var co []option
	for _, c := range cats {
		co = append(co, option{Value: c, Label: u.txt.label(lang, "spendcat", c)})
	}
	base := famBase(fid) + "/voorstellen/"
	return map[string]*form{
		"propose": {ID: "propose", Title: u.txt.tr(lang, "prop.propose"), Submit: u.txt.tr(lang, "prop.propose"), Action: base + "voorstel",
			Fields: []*field{
				{Name: "amount", Label: u.txt.tr(lang, "budget.amount"), Type: "amount", Required: true},
				{Name: "instrument", Label: u.txt.tr(lang, "budget.instrument"), Type: "select", Value: "maatbudget", Required: true, Options: options(u.txt, lang, "instrument", []domain.SpendInstrument{domain.InstrumentMaatbudget, domain.InstrumentDelegatedDecision})},
				{Name: "category", Label: u.txt.tr(lang, "budget.category"), Type: "select", Required: true, Options: co},
				{Name: "justification", Label: u.txt.tr(lang, "budget.justification"), Type: "textarea"},
			}},
		"decide": {ID: "decide", Title: u.txt.tr(lang, "prop.decide"), Submit: u.txt.tr(lang, "prop.decide"), Action: base + "beslissing",
			Fields: []*field{
				{Name: "spend_id", Label: u.txt.tr(lang, "prop.proposal"), Type: "select", Required: true, Options: props},
				{Name: "verdict", Label: u.txt.tr(lang, "budget.verdict"), Type: "select", Required: true, Options: options(u.txt, lang, "verdict", []domain.Verdict{domain.VerdictApproved, domain.VerdictRefused})},
				{Name: "body", Label: u.txt.tr(lang, "budget.body"), Type: "select", Value: "team", Required: true, Options: options(u.txt, lang, "body", []domain.DecidingBody{domain.BodyTeam, domain.BodyCoordinator})},
				{Name: "date", Label: u.txt.tr(lang, "budget.decided_on"), Type: "date", Value: u.today().String(), Required: true},
			}},
		"overspend": {ID: "overspend", Title: u.txt.tr(lang, "prop.overspend"), Submit: u.txt.tr(lang, "prop.approve"), Action: base + "overschrijding",
			Fields: []*field{
				{Name: "spend_id", Label: u.txt.tr(lang, "prop.proposal"), Type: "select", Required: true, Options: props},
				{Name: "amount", Label: u.txt.tr(lang, "prop.over_amount"), Type: "amount", Required: true},
			}},
		"cost": {ID: "cost", Title: u.txt.tr(lang, "cost.record"), Submit: u.txt.tr(lang, "cost.record"), Action: base + "kosten",
			Fields: []*field{
				{Name: "category", Label: u.txt.tr(lang, "cost.category"), Type: "select", Value: "police", Required: true, Options: options(u.txt, lang, "costcat", []domain.CostCategory{domain.CostPolice, domain.CostYouthCare, domain.CostJustice})},
				{Name: "period_from", Label: u.txt.tr(lang, "police.from"), Type: "date", Required: true},
				{Name: "period_until", Label: u.txt.tr(lang, "police.until"), Type: "date", Required: true, Value: u.today().String()},
				{Name: "actual", Label: u.txt.tr(lang, "cost.actual"), Type: "amount", Required: true},
				{Name: "comparison", Label: u.txt.tr(lang, "cost.comparison"), Type: "amount", Required: true},
				{Name: "basis", Label: u.txt.tr(lang, "cost.basis"), Type: "select", Required: true, Value: "vergelijkbaar_gezin",
					Options: options(u.txt, lang, "costbasis", []string{"vergelijkbaar_gezin", "vergelijkbaar_gezin_politiezone", "studie", "raming"})},
				{Name: "interventions", Label: u.txt.tr(lang, "police.interventions"), Type: "number", Value: "0"},
				{Name: "initial_reports", Label: u.txt.tr(lang, "police.initial"), Type: "number", Value: "0"},
				{Name: "follow_up_reports", Label: u.txt.tr(lang, "police.followup"), Type: "number", Value: "0"},
				{Name: "kantschriften", Label: u.txt.tr(lang, "police.kantschriften"), Type: "number", Value: "0"},
			}},
	}
}

type propRow struct {
	ID, Date, Category, Instrument, Justification, Verdict, Body, DecidedOn string
	Cents                                                                   int64
	Open                                                                    bool
}

func (u *UI) proposalsPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "prop.title")
	content := seesContent(fr)
	h := u.head(ctx, p, v, content)
	p.Title = u.txt.tr(p.Lang, "prop.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	var rows []propRow
	var open []option
	for id, pr := range v.Family.Proposals {
		row := propRow{ID: string(id), Date: pr.Date.String(), Category: p.L("spendcat", pr.Category), Instrument: p.L("instrument", pr.Instrument), Cents: pr.AmountCents, Open: !pr.Decided}
		if content {
			row.Justification = pr.Sealed.Justification
		}
		if pr.Decided {
			row.Verdict, row.Body, row.DecidedOn = p.L("verdict", pr.Decision.Verdict), p.L("body", pr.Decision.Body), pr.Decision.Date.String()
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Date > rows[j].Date || rows[i].Date == rows[j].Date && rows[i].ID < rows[j].ID
	})
	for _, row := range rows {
		if row.Open {
			open = append(open, option{Value: row.ID, Label: row.Date + " · " + row.Category + " · " + eur(row.Cents)})
		}
	}
	var costs []domain.CostAvoidanceRecorded
	for _, rec := range v.Records {
		if e, ok := rec.Event.(domain.CostAvoidanceRecorded); ok {
			costs = append(costs, e)
		}
	}
	fb, _ := u.cfg.Budget.Family(domain.FamilyID(h.ID), time.Time{})
	p.Data = map[string]any{"Head": h, "Rows": rows, "Costs": costs, "Forms": u.proposalForms(p.Lang, h.ID, u.cfg.Caseload.Settings(time.Time{}).SpendCategories, open),
		"Coordinator": fr.Identity.User.Has(auth.RoleCoordinator), "HasOpen": len(open) > 0, "Budget": fb}
	u.render(w, http.StatusOK, "proposals", p)
	return nil
}

func (u *UI) proposalsPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "prop.title")
	var props []option
	if v, err := u.cfg.Ledger.Family(r.Context(), domain.FamilyID(fr.Family.ID), false); err == nil {
		for id, pr := range v.Family.Proposals {
			if !pr.Decided {
				props = append(props, option{Value: string(id), Label: pr.Date.String() + " · " + p.L("spendcat", pr.Category) + " · " + eur(pr.AmountCents)})
			}
		}
	}
	forms := u.proposalForms(p.Lang, fr.Family.ID, u.cfg.Caseload.Settings(time.Time{}).SpendCategories, props)
	back := famBase(fr.Family.ID) + "/voorstellen"
	by := domain.StaffID(fr.Identity.User.ID)
	var f *form
	var cmd domain.FamilyCommand
	aliases := map[string]string{"amount_cents": "amount", "proposed_by": "", "decided_by": "", "approved_by": "", "approval_id": "", "record_id": ""}
	flash := ""
	switch muxVar(r, "action") {
	case "voorstel":
		f = forms["propose"]
		f.fill(vals)
		rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
		cmd = domain.ProposeSpend{SpendID: domain.SpendID(u.cfg.NewID()), Date: u.today(), AmountCents: rd.cents("amount"),
			Instrument: domain.SpendInstrument(rd.str("instrument", true, 64)), Category: rd.str("category", true, 64), ProposedBy: by,
			Sealed: domain.JustificationSealed{Justification: rd.str("justification", false, 5000)}}
		aliases["spend_id"], aliases["date"] = "", ""
		flash = "proposal"
	case "beslissing":
		f = forms["decide"]
		f.fill(vals)
		rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
		body := domain.DecidingBody(rd.str("body", true, 32))
		if body == domain.BodyCoordinator && !fr.Identity.User.Has(auth.RoleCoordinator) {
			f.setError("body", u.txt.tr(p.Lang, "prop.coordinator_only"))
		}
		cmd = domain.DecideSpend{SpendID: domain.SpendID(rd.str("spend_id", true, 100)), Date: rd.date("date", true), Verdict: domain.Verdict(rd.str("verdict", true, 32)), Body: body, DecidedBy: by}
		flash = "decided"
	case "overschrijding":
		if !fr.Identity.User.Has(auth.RoleCoordinator) {
			return api.ErrForbidden
		}
		f = forms["overspend"]
		f.fill(vals)
		rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
		cmd = domain.ApproveOverspend{ApprovalID: domain.ApprovalID(u.cfg.NewID()), SpendID: domain.SpendID(rd.str("spend_id", true, 100)), Date: u.today(), AmountCents: rd.cents("amount"), ApprovedBy: by}
		aliases["date"] = ""
		flash = "overspend"
	case "kosten":
		f = forms["cost"]
		f.fill(vals)
		rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
		cmd = domain.RecordCostAvoidance{RecordID: domain.CostRecordID(u.cfg.NewID()), Date: u.today(), PeriodFrom: rd.date("period_from", true), PeriodUntil: rd.date("period_until", true),
			Category: domain.CostCategory(rd.str("category", true, 32)), ActualCents: rd.cents("actual"), ComparisonCents: rd.cents("comparison"), Basis: rd.str("basis", true, 200),
			Interventions: rd.int("interventions", false), InitialReports: rd.int("initial_reports", false), FollowUpReports: rd.int("follow_up_reports", false), Kantschriften: rd.int("kantschriften", false)}
		aliases["actual_cents"], aliases["comparison_cents"], aliases["date"] = "actual", "comparison", ""
		flash = "cost"
	default:
		return api.ErrNotFound
	}
	return u.submit(w, r, p, f, back, aliases, func() error { return u.exec(r, fr, cmd) }, back+"?ok="+flash)
}
