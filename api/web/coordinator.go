package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/projections/budget"
	"spoor/projections/outcomes"
)

func (u *UI) registerCoordinator() {
	u.team(http.MethodGet, "/team", auth.PartCaseload, u.teamPage)
	u.team(http.MethodGet, "/budget", auth.PartCouncilReport, u.budgetReportPage)
	u.team(http.MethodGet, "/raad", auth.PartCouncilReport, u.councilPage)
	u.team(http.MethodGet, "/raad.csv", auth.PartCouncilReport, u.councilCSV)
	u.team(http.MethodGet, "/raad.xlsx", auth.PartCouncilReport, u.councilXLSX)
	u.team(http.MethodGet, "/uitkomsten", auth.PartOutcomes, u.outcomesPage)
}

// ---- dashboard

type coachRow struct {
	ID, Name             string
	Families             int
	Load, Capacity, Left float64
	Over                 bool
}

func (u *UI) teamPage(w http.ResponseWriter, r *http.Request, tq api.TeamRequest) error {
	ctx := r.Context()
	// The policy lets a coach see caseloads (their own, /caseload); the
	// team's, with every family's name, is the coordinator's.
	if !tq.Identity.User.Has(auth.RoleCoordinator) {
		return api.ErrForbidden
	}
	p := u.newPage(r, "team.title")
	today := u.today()
	settings := u.cfg.Caseload.Settings(time.Time{})
	var coaches []coachRow
	for _, c := range u.cfg.Caseload.Coaches(time.Time{}, today) {
		if !c.Registered || !c.Active {
			continue
		}
		row := coachRow{ID: string(c.CoachID), Name: u.staffName(ctx, string(c.CoachID)), Families: len(c.Families),
			Load: c.Load, Capacity: c.Capacity, Left: c.Left, Over: c.OverCapacity}
		coaches = append(coaches, row)
	}
	waiting := u.cfg.Caseload.WaitingList(time.Time{}, today)
	noContact := u.cfg.Caseload.NoContact(time.Time{}, today, settings.NoContactDays)
	reviews := u.cfg.Caseload.ReviewsDue(time.Time{}, today, 14)
	var ids []string
	for _, x := range waiting {
		ids = append(ids, string(x.FamilyID))
	}
	for _, x := range noContact {
		ids = append(ids, string(x.FamilyID))
	}
	for _, x := range reviews {
		ids = append(ids, string(x.FamilyID))
	}
	ids = unique(ids)
	if err := u.s.RecordAccess(r, tq, auth.PartCaseload, ids); err != nil {
		return err
	}
	coachNames := map[string]string{}
	for _, c := range coaches {
		coachNames[c.ID] = c.Name
	}
	p.Data = map[string]any{"Coaches": coaches, "Waiting": waiting, "NoContact": noContact, "Reviews": reviews,
		"Names": u.names(ctx, p.Lang, ids), "CoachNames": coachNames, "NoContactDays": settings.NoContactDays}
	u.render(w, http.StatusOK, "team", p)
	return nil
}

func unique(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ---- budget and council report

// period reads van/tot (default: this calendar year up to today). A
// malformed date is a 400 naming the parameter (the pages render it as an
// error page with a way back).
func (u *UI) period(r *http.Request) (domain.Date, domain.Date, error) {
	today := u.today()
	from := domain.NewDate(today.Year(), time.January, 1)
	to := today
	for _, p := range []struct {
		name string
		d    *domain.Date
	}{{"van", &from}, {"tot", &to}} {
		s := r.URL.Query().Get(p.name)
		if s == "" {
			continue
		}
		d, err := domain.ParseDate(s)
		if err != nil || d.IsZero() {
			return domain.Date{}, domain.Date{}, api.BadRequest("invalid", p.name, p.name+" must be a date yyyy-mm-dd")
		}
		*p.d = d
	}
	if to.Before(from) {
		from, to = to, from
	}
	return from, to, nil
}

func (u *UI) report(r *http.Request) (budget.Report, error) {
	from, to, err := u.period(r)
	if err != nil {
		return budget.Report{}, err
	}
	return u.cfg.Budget.CouncilReport(from, to, time.Time{})
}

// byMonth buckets the report's lines per month of their date.
func byMonth(rep budget.Report) []budget.Figure {
	m := map[string]*budget.Figure{}
	for _, l := range rep.Total.Lines {
		k := fmt.Sprintf("%04d-%02d", l.Date.Year(), l.Date.Month())
		f := m[k]
		if f == nil {
			f = &budget.Figure{Key: k}
			m[k] = f
		}
		if l.Kind == budget.LineReversal {
			f.ReversedCents -= l.AmountCents
			f.Reversals++
		} else {
			f.SpentCents += l.AmountCents
			f.Spends++
		}
		f.NetCents += l.AmountCents
		f.Lines = append(f.Lines, l)
	}
	out := make([]budget.Figure, 0, len(m))
	for _, f := range m {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

type chartSection struct {
	ID, Title, Prefix string
	Chart             any
	Figures           []budget.Figure
}

func (u *UI) sections(p *page, rep budget.Report) []chartSection {
	mk := func(id, title, prefix string, figs []budget.Figure) chartSection {
		bars := make([]bar, 0, len(figs))
		for _, f := range figs {
			l := f.Key
			if prefix != "" {
				l = p.L(prefix, f.Key)
			}
			bars = append(bars, bar{Label: l, Cents: f.NetCents})
		}
		return chartSection{ID: id, Title: u.txt.tr(p.Lang, title), Prefix: prefix, Figures: figs,
			Chart: barChart(id, u.txt.tr(p.Lang, title), u.txt.tr(p.Lang, "budget.chart_alt"), bars)}
	}
	return []chartSection{
		mk("categorie", "budget.by_category", "spendcat", largestFirst(rep.ByCategory)),
		mk("maand", "budget.by_month", "", byMonth(rep)),
		mk("verwijzer", "budget.by_referral", "source", largestFirst(rep.ByReferralType)),
		mk("financiering", "budget.by_funding", "funding", largestFirst(rep.ByFunding)),
		mk("instrument", "budget.by_instrument", "instrument", largestFirst(rep.ByInstrument)),
	}
}

// largestFirst returns a copy of figs ordered by net amount, largest
// first (then by key), as a reader of a chart expects.
func largestFirst(figs []budget.Figure) []budget.Figure {
	out := append([]budget.Figure(nil), figs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].NetCents != out[j].NetCents {
			return out[i].NetCents > out[j].NetCents
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func (u *UI) budgetReportPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	rep, err := u.report(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "budget.report_title")
	p.Data = map[string]any{"Report": rep, "Sections": u.sections(p, rep), "From": rep.From.String(), "To": rep.To.String()}
	u.render(w, http.StatusOK, "budgetreport", p)
	return nil
}

// lineAnchor is the id of a line on the council page.
func lineAnchor(l budget.Line) string { return "lijn-" + string(l.Kind) + "-" + string(l.SpendID) }

// lineNumbers maps each line to its number (1-based) in the report.
func lineNumbers(rep budget.Report) map[string]int {
	n := map[string]int{}
	for i, l := range rep.Total.Lines {
		n[lineAnchor(l)] = i + 1
	}
	return n
}

func (u *UI) councilPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	rep, err := u.report(r)
	if err != nil {
		return err
	}
	costs, err := u.cfg.Budget.CostAvoidance(rep.From, rep.To, time.Time{})
	if err != nil {
		return err
	}
	p := u.newPage(r, "council.title")
	q := "?van=" + rep.From.String() + "&tot=" + rep.To.String()
	p.Data = map[string]any{"Report": rep, "Sections": u.sections(p, rep), "Numbers": lineNumbers(rep), "Query": q,
		"From": rep.From.String(), "To": rep.To.String(), "Costs": costs}
	u.render(w, http.StatusOK, "council", p)
	return nil
}

// councilRows is the report as rows: the figures (with the numbers of
// their lines) and then every line.
func councilRows(t texts, lang string, rep budget.Report) (summary [][]any, lines [][]any) {
	nums := lineNumbers(rep)
	summary = append(summary, []any{t.tr(lang, "budget.period"), rep.From.String() + " – " + rep.To.String()})
	summary = append(summary, []any{"breakdown", "key", "net_eur", "spent_eur", "reversed_eur", "spends", "reversals", "families", "children", "lines"})
	add := func(group string, figs []budget.Figure) {
		for _, f := range figs {
			refs := ""
			for i, l := range f.Lines {
				if i > 0 {
					refs += " "
				}
				refs += strconv.Itoa(nums[lineAnchor(l)])
			}
			summary = append(summary, []any{group, f.Key, euros(f.NetCents), euros(f.SpentCents), euros(f.ReversedCents), f.Spends, f.Reversals, f.Families, f.Children, refs})
		}
	}
	add("total", []budget.Figure{rep.Total})
	add("category", rep.ByCategory)
	add("instrument", rep.ByInstrument)
	add("funding_source", rep.ByFunding)
	add("referral_type", rep.ByReferralType)
	lines = append(lines, []any{"line", "kind", "date", "spend_id", "family_id", "amount_eur", "category", "instrument", "funding_source", "referral_type", "supplier", "receipt", "path", "decided_on", "body", "reviewed_on", "reversed_on", "reversal_reason"})
	for i, l := range rep.Total.Lines {
		lines = append(lines, []any{i + 1, string(l.Kind), l.Date.String(), string(l.SpendID), string(l.FamilyID), euros(l.AmountCents),
			l.Category, string(l.Instrument), l.FundingSource, string(l.ReferralType), l.Supplier, l.ReceiptRef,
			string(l.Decision.Path), dateStr(l.Decision.DecidedOn), string(l.Decision.Body), dateStr(l.Decision.ReviewedOn),
			dateStr(l.ReversedOn), string(l.ReversalReason)})
	}
	return summary, lines
}

func dateStr(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// costRows is the cost-avoidance report as rows.
func costRows(c budget.CostReport) [][]any {
	rows := [][]any{{"category", "records", "actual_eur", "comparison_eur", "avoided_eur", "interventions", "initial_reports", "follow_up_reports", "kantschriften"}}
	for _, x := range append(append([]budget.CostTotal(nil), c.ByCategory...), c.Total) {
		key := x.Key
		if key == "" {
			key = "total"
		}
		rows = append(rows, []any{key, x.Records, euros(x.ActualCents), euros(x.ComparisonCents), euros(x.AvoidedCents), x.Interventions, x.InitialReports, x.FollowUpReports, x.Kantschriften})
	}
	return rows
}

// euros is cents as a number of euros (for CSV and XLSX cells).
func euros(c int64) float64 { return float64(c) / 100 }

func (u *UI) councilCSV(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	rep, err := u.report(r)
	if err != nil {
		return err
	}
	summary, lines := councilRows(u.txt, langOf(r), rep)
	costs, err := u.cfg.Budget.CostAvoidance(rep.From, rep.To, time.Time{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	for _, rows := range [][][]any{summary, {{}}, lines, {{}}, costRows(costs)} {
		for _, row := range rows {
			rec := make([]string, len(row))
			for i, c := range row {
				switch v := c.(type) {
				case float64:
					rec[i] = strconv.FormatFloat(v, 'f', 2, 64)
				default:
					rec[i] = fmt.Sprint(v)
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="raadsrapport-%s-%s.csv"`, rep.From, rep.To))
	_, _ = w.Write(buf.Bytes())
	return nil
}

// Sheet names of the XLSX export.
const (
	SheetSummary = "Samenvatting"
	SheetLines   = "Lijnen"
	SheetCosts   = "Vermeden kosten"
)

func (u *UI) councilXLSX(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	rep, err := u.report(r)
	if err != nil {
		return err
	}
	summary, lines := councilRows(u.txt, langOf(r), rep)
	costs, err := u.cfg.Budget.CostAvoidance(rep.From, rep.To, time.Time{})
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range []string{SheetLines, SheetCosts} {
		if _, err := x.NewSheet(name); err != nil {
			return err
		}
	}
	for sheet, rows := range map[string][][]any{SheetSummary: summary, SheetLines: lines, SheetCosts: costRows(costs)} {
		for i, row := range rows {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return err
			}
			if err := x.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="raadsrapport-%s-%s.xlsx"`, rep.From, rep.To))
	_, _ = w.Write(buf.Bytes())
	return nil
}

// ---- outcomes

func (u *UI) outcomesPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	from, to, err := u.period(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("van") == "" {
		from = domain.Date{}
	}
	rep, err := u.cfg.Outcomes.Report(outcomes.Period{From: from, To: to}, time.Time{})
	if err != nil {
		return err
	}
	p := u.newPage(r, "outcomes.title")
	p.Data = map[string]any{"Report": rep, "From": dateStr(from), "To": to.String(), "Levels": []int{1, 2, 3, 4, 5}}
	u.render(w, http.StatusOK, "outcomes", p)
	return nil
}
