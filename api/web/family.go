package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/ops"
	"spoor/projections/timeline"
	"spoor/store"
)

// familyHead is the header of every family page.
type familyHead struct {
	ID         string
	Name       string
	Erased     bool
	Status     string
	Source     string
	Coach      string
	Trajectory int
	Members    []memberView
	Covers     []string
}

type memberView struct {
	ID, Name, Role string
	BirthYear      int
}

// load reads a family's file with its sealed parts opened. Callers have
// passed HandleFamily (the access is decided and recorded).
func (u *UI) load(ctx context.Context, id string) (ledger.FamilyView, error) {
	return u.cfg.Ledger.Family(ctx, domain.FamilyID(id), true)
}

// familyName is the family's name from its referral, "" when erased or not
// opened.
func familyName(v ledger.FamilyView) string {
	for _, r := range v.Records {
		if e, ok := r.Event.(domain.FamilyReferred); ok && r.Sealed == ledger.SealedOpen {
			return e.Sealed.FamilyName
		}
	}
	return ""
}

// seesContent reports whether the decision lets the page show the file's
// content beyond the part asked (members' names, free texts): for the
// family's own or covering coach, and for an access with a reason (break
// the glass, recorded and flagged). A coordinator on a budget or summary
// page, a privacy officer on consents or disclosures, the back office on a
// budget see codes, dates and amounts only.
func seesContent(fr api.FamilyRequest) bool {
	switch fr.Decision.Reason {
	case auth.ReasonCaseload, auth.ReasonCover, auth.ReasonBreakTheGlass:
		return true
	}
	return false
}

func (u *UI) head(ctx context.Context, p *page, v ledger.FamilyView, content bool) familyHead {
	f := v.Family
	h := familyHead{ID: string(f.ID), Name: familyName(v), Erased: v.Erased, Status: string(f.Status),
		Source: string(f.Source), Trajectory: f.Trajectory}
	if h.Name == "" {
		h.Name = u.txt.tr(p.Lang, "family.erased")
		if !v.Erased {
			h.Name = string(f.ID)
		}
	}
	if f.Coach != "" {
		h.Coach = u.staffName(ctx, string(f.Coach))
	}
	ids := make([]string, 0, len(f.Members))
	for id := range f.Members {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	if !content {
		ids = nil
	}
	for _, id := range ids {
		m := f.Members[domain.MemberID(id)]
		if m.Left {
			continue
		}
		name := m.Sealed.Name
		if name == "" {
			name = u.txt.tr(p.Lang, "family.erased")
		}
		h.Members = append(h.Members, memberView{ID: id, Name: name, Role: string(m.Role), BirthYear: m.BirthYear})
	}
	return h
}

// staffName is a staff member's display name (their login when no name is
// known).
func (u *UI) staffName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	usr, err := u.cfg.Auth.Directory().UserByID(ctx, id)
	if err != nil {
		return id
	}
	if usr.Name != "" {
		return usr.Name
	}
	return usr.Login
}

func (u *UI) familyNav(p *page, id string, current string) {
	p.FamilyID = id
	base := "/gezin/" + url.PathEscape(id)
	for _, s := range []struct{ href, key string }{
		{base, "family.overview"}, {base + "/hulpvragen", "family.questions"}, {base + "/toestemming", "family.consents"}, {base + "/budget", "family.budget"},
		{base + "/delen", "family.disclosures"}, {base + "/parket", "family.parket"},
		{base + "/leefsituatie", "family.assessments"}, {base + "/traject", "family.trajectory"},
		{base + "/gezinsleden", "family.members_tab"}, {base + "/netwerk", "family.network"},
		{base + "/politie", "family.police"}, {base + "/voorstellen", "family.proposals"}, {base + "/coachwissel", "family.coach_change"},
	} {
		p.FamilyNav = append(p.FamilyNav, navItem{Href: withGlass(s.href, string(p.Glass)), Label: u.txt.tr(p.Lang, s.key), Current: s.href == current})
	}
}

// meta is who executes a command: the user in the role the policy allowed.
func meta(r *http.Request, fr api.FamilyRequest) ledger.Meta {
	return ledger.Meta{Actor: store.Actor{UserID: fr.Identity.User.ID, Role: string(fr.Decision.Role)},
		CorrelationID: ops.RequestID(r.Context())}
}

// exec executes cmd on the family and waits until the read models show it.
func (u *UI) exec(r *http.Request, fr api.FamilyRequest, cmd domain.FamilyCommand) error {
	res, err := u.cfg.Ledger.ExecFamily(r.Context(), domain.FamilyID(fr.Family.ID), meta(r, fr), cmd)
	if err != nil {
		return err
	}
	return u.cfg.WaitFor(r.Context(), res.LastPosition)
}

// submit runs a form's command: when the form already has errors, or the
// command is refused by a rule, it renders the form again (422) with what
// the user typed and the errors next to the fields; otherwise it redirects
// to done (POST-redirect-GET).
func (u *UI) submit(w http.ResponseWriter, r *http.Request, p *page, f *form, back string, aliases map[string]string, run func() error, done string) error {
	if !f.hasErrors() {
		err := run()
		if err == nil {
			return redirect(w, r, withGlass(done, string(p.Glass)))
		}
		if !f.ruleError(u.txt, p.Lang, err, aliases) {
			// Not the user's input: keep what they typed and say the save
			// did not happen (the cause goes to the log, not the page).
			status := http.StatusInternalServerError
			switch {
			case errors.Is(err, store.ErrVersionConflict):
				status = http.StatusConflict
			case errors.Is(err, store.ErrClosed), errors.Is(err, context.DeadlineExceeded):
				status = http.StatusServiceUnavailable
			}
			u.log.ErrorContext(r.Context(), "web: command failed", "status", status, "err", err)
			f.Error = u.txt.tr(p.Lang, "form.save_failed")
			p.Data = map[string]any{"Form": f, "Back": back}
			u.render(w, status, "formpage", p)
			return nil
		}
	}
	if f.Error == "" {
		f.Error = u.txt.tr(p.Lang, "form.fix")
	}
	p.Data = map[string]any{"Form": f, "Back": back}
	u.render(w, http.StatusUnprocessableEntity, "formpage", p)
	return nil
}

// ---- family page: timeline and quick contact form

type timelineRow struct {
	Date        string
	Kind        string
	Type        string
	Summary     string
	Domains     []string
	By          string
	Note        string
	WithWhom    string
	Superseded  bool
	ContactKind string
	Minutes     int
}

func (u *UI) familyPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "family.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = h.Name
	u.familyNav(p, h.ID, r.URL.Path)

	q := r.URL.Query()
	tq := timeline.Query{Limit: 50, Text: strings.TrimSpace(q.Get("tekst"))}
	if k := q.Get("soort"); k != "" && timeline.Kind(k).Valid() {
		tq.Kinds = []timeline.Kind{timeline.Kind(k)}
	}
	if d := q.Get("domein"); domain.LifeDomain(d).Valid() {
		tq.LifeDomain = domain.LifeDomain(d)
	}
	filterErr := ""
	if tq.From, err = domain.ParseDate(q.Get("van")); err != nil {
		filterErr, tq.From = u.txt.tr(p.Lang, "form.bad_date")+" ("+u.txt.tr(p.Lang, "timeline.from")+")", domain.Date{}
	}
	if tq.Until, err = domain.ParseDate(q.Get("tot")); err != nil {
		filterErr, tq.Until = u.txt.tr(p.Lang, "form.bad_date")+" ("+u.txt.tr(p.Lang, "timeline.until")+")", domain.Date{}
	}
	if b, err := strconv.ParseUint(q.Get("voor"), 10, 64); err == nil {
		tq.Before = b
	}
	if len(tq.Text) > timeline.MaxTextLen {
		tq.Text = tq.Text[:timeline.MaxTextLen]
	}
	opened := map[string]domain.Event{}
	for _, rec := range v.Records {
		opened[rec.Envelope.ID] = rec.Event
	}
	opener := timeline.SealedOpenerFunc(func(context.Context, domain.FamilyID) (map[string]domain.Event, error) { return opened, nil })
	tp, err := u.cfg.Timeline.Family(ctx, domain.FamilyID(h.ID), tq, opener)
	switch {
	case errors.Is(err, timeline.ErrBadQuery):
		filterErr = u.txt.tr(p.Lang, "timeline.bad_filter")
	case err != nil && !errors.Is(err, timeline.ErrUnknownFamily):
		return err
	}
	rows := make([]timelineRow, 0, len(tp.Entries))
	names := map[string]string{}
	for _, e := range tp.Entries {
		row := timelineRow{Date: e.Date.String(), Kind: string(e.Kind), Type: e.Type, Summary: e.Summary, Superseded: e.Superseded}
		if e.Date.IsZero() {
			row.Date = e.RecordedAt.In(u.cfg.Location).Format("2006-01-02")
		}
		for _, d := range e.LifeDomains {
			row.Domains = append(row.Domains, p.L("domain", d))
		}
		if _, ok := names[e.Actor.UserID]; !ok {
			names[e.Actor.UserID] = u.staffName(ctx, e.Actor.UserID)
		}
		row.By = names[e.Actor.UserID]
		if cid := e.Refs["contact_id"]; cid != "" && e.Kind == timeline.KindContact {
			if c := v.Family.Contacts[domain.ContactID(cid)]; c != nil {
				row.ContactKind, row.Minutes = string(c.Kind), c.DurationMinutes
				row.Note, row.WithWhom = c.Sealed.Note, c.Sealed.WithWhom
				if v.Erased {
					row.Note = u.txt.tr(p.Lang, "family.erased")
				}
			}
		}
		rows = append(rows, row)
	}
	next := ""
	if tp.Next > 0 {
		nq := url.Values{}
		for k, vs := range q {
			if k != "voor" && k != "ok" {
				nq[k] = vs
			}
		}
		nq.Set("voor", strconv.FormatUint(tp.Next, 10))
		next = r.URL.Path + "?" + nq.Encode()
	}
	cf := u.contactForm(p.Lang, h.ID)
	cf.Compact = true
	p.Data = map[string]any{
		"Head": h, "Rows": rows, "Next": next, "Contact": cf,
		"Kinds": timeline.Kinds(), "Domains": domain.LifeDomains(), "FilterError": filterErr,
		"Filter": map[string]string{"soort": q.Get("soort"), "domein": q.Get("domein"), "tekst": tq.Text, "van": q.Get("van"), "tot": q.Get("tot")},
	}
	u.render(w, http.StatusOK, "family", p)
	return nil
}

func (u *UI) contactForm(lang, fid string) *form {
	return &form{ID: "contact", Title: u.txt.tr(lang, "contact.title"), Submit: u.txt.tr(lang, "contact.submit"),
		Action: "/gezin/" + url.PathEscape(fid) + "/contact",
		Fields: []*field{
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
			{Name: "kind", Label: u.txt.tr(lang, "contact.kind"), Type: "select", Value: string(domain.ContactHomeVisitAnnounced), Required: true, Options: options(u.txt, lang, "kind", domain.ContactKinds())},
			{Name: "duration_minutes", Label: u.txt.tr(lang, "contact.duration"), Type: "number", Value: "60"},
			{Name: "life_domains", Label: u.txt.tr(lang, "contact.domains"), Type: "checkboxes", Values: map[string]bool{}, Options: options(u.txt, lang, "domain", domain.LifeDomains())},
			{Name: "with_whom", Label: u.txt.tr(lang, "contact.with"), Type: "text"},
			{Name: "note", Label: u.txt.tr(lang, "contact.note"), Type: "textarea"},
		}}
}

// contactPage is the quick "contact loggen" form on its own (from the
// caseload on a phone: the second screen).
func (u *UI) contactPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "contact.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "contact.title") + " · " + h.Name
	f := u.contactForm(p.Lang, h.ID)
	p.Data = map[string]any{"Form": f, "Back": "/gezin/" + url.PathEscape(h.ID), "Head": h}
	u.render(w, http.StatusOK, "formpage", p)
	return nil
}

func (u *UI) contactPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "contact.title")
	f := u.contactForm(p.Lang, fr.Family.ID)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.LogContact{
		ContactID:       domain.ContactID(u.cfg.NewID()),
		Date:            rd.date("date", true),
		Kind:            domain.ContactKind(rd.str("kind", true, 64)),
		DurationMinutes: rd.int("duration_minutes", false),
		CoachID:         domain.StaffID(fr.Identity.User.ID),
		Sealed:          domain.ContactSealed{WithWhom: rd.str("with_whom", false, 200), Note: rd.str("note", false, 10000)},
	}
	for _, d := range rd.list("life_domains") {
		cmd.LifeDomains = append(cmd.LifeDomains, domain.LifeDomain(d))
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID)
	return u.submit(w, r, p, f, back, map[string]string{"coach_id": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=contact#tijdlijn")
}

// ---- consents

func (u *UI) consentForm(lang, fid string, h familyHead) *form {
	var grantors []option
	for _, m := range h.Members {
		grantors = append(grantors, option{Value: m.ID, Label: m.Name + " (" + u.txt.label(lang, "member", m.Role) + ")"})
	}
	return &form{ID: "consent", Title: u.txt.tr(lang, "consent.give"), Submit: u.txt.tr(lang, "consent.give"),
		Action: "/gezin/" + url.PathEscape(fid) + "/toestemming",
		Fields: []*field{
			{Name: "grantor_id", Label: u.txt.tr(lang, "consent.grantor"), Type: "select", Required: true, Options: grantors},
			{Name: "action", Label: u.txt.tr(lang, "consent.action"), Type: "select", Value: "share", Required: true, Options: options(u.txt, lang, "action", domain.ConsentActions())},
			{Name: "recipient_org", Label: u.txt.tr(lang, "consent.recipient_org"), Type: "text"},
			{Name: "recipient_category", Label: u.txt.tr(lang, "consent.recipient_category"), Type: "select", Required: true, Options: options(u.txt, lang, "rcat", domain.RecipientCategories())},
			{Name: "purpose", Label: u.txt.tr(lang, "consent.purpose"), Type: "select", Required: true, Options: options(u.txt, lang, "purpose", domain.Purposes())},
			{Name: "data_categories", Label: u.txt.tr(lang, "consent.data"), Type: "checkboxes", Values: map[string]bool{}, Options: options(u.txt, lang, "dcat", domain.DataCategories())},
			{Name: "from", Label: u.txt.tr(lang, "consent.from"), Type: "date", Value: u.today().String(), Required: true},
			// Open-ended consents are refused by the domain today (its date
			// order check does not skip a zero end), so the form asks for an
			// end and proposes a year.
			{Name: "until", Label: u.txt.tr(lang, "consent.until"), Type: "date", Value: u.today().AddDays(365).String(), Required: true},
			{Name: "form", Label: u.txt.tr(lang, "consent.form"), Type: "radio", Value: "written", Options: []option{{"verbal", u.txt.tr(lang, "form.verbal")}, {"written", u.txt.tr(lang, "form.written")}}},
		}}
}

type consentRow struct {
	ID, Date, Grantor, Action, Recipient, Purpose, Data, Period, Status string
	Withdrawable                                                        bool
}

func (u *UI) consentsPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "consent.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "consent.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	today := u.today()
	var rows []consentRow
	for _, c := range v.Family.Consents {
		row := consentRow{ID: string(c.ConsentID), Date: c.Date.String(), Action: p.L("action", c.Scope.Action),
			Purpose: p.L("purpose", c.Scope.Purpose), Recipient: c.Scope.RecipientOrg}
		if row.Recipient == "" {
			row.Recipient = p.L("rcat", c.Scope.RecipientCategory)
		}
		if m := v.Family.Members[c.GrantorID]; m != nil {
			row.Grantor = p.L("member", m.Role)
			if seesContent(fr) {
				row.Grantor = m.Sealed.Name
			}
		}
		var cats []string
		for _, d := range c.Scope.DataCategories {
			cats = append(cats, p.L("dcat", d))
		}
		row.Data = strings.Join(cats, ", ")
		row.Period = c.Scope.From.String() + " – " + c.Scope.Until.String()
		if c.Scope.Until.IsZero() {
			row.Period = c.Scope.From.String() + " –"
		}
		switch {
		case c.Refused:
			row.Status = u.txt.tr(p.Lang, "consent.refused")
		case !c.WithdrawnOn.IsZero():
			row.Status = u.txt.tr(p.Lang, "consent.withdrawn") + " " + c.WithdrawnOn.String()
		case !c.ExpiredOn.IsZero() || (!c.Scope.Until.IsZero() && c.Scope.Until.Before(today)):
			row.Status = u.txt.tr(p.Lang, "consent.expired")
		default:
			row.Status, row.Withdrawable = u.txt.tr(p.Lang, "consent.valid"), true
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Date > rows[j].Date || rows[i].Date == rows[j].Date && rows[i].ID < rows[j].ID
	})
	p.Data = map[string]any{"Head": h, "Rows": rows, "Form": u.consentForm(p.Lang, h.ID, h), "Today": today.String()}
	u.render(w, http.StatusOK, "consents", p)
	return nil
}

func (u *UI) consentPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "consent.title")
	v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), true)
	if err != nil {
		return err
	}
	f := u.consentForm(p.Lang, fr.Family.ID, u.head(ctx, p, v, seesContent(fr)))
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.GiveConsent{
		ConsentID: domain.ConsentID(u.cfg.NewID()), Date: u.today(),
		GrantorID: domain.MemberID(rd.str("grantor_id", true, 100)),
		Scope: domain.ConsentScope{
			Action: domain.ConsentAction(rd.str("action", true, 64)), RecipientOrg: rd.str("recipient_org", false, 200),
			RecipientCategory: domain.RecipientCategory(rd.str("recipient_category", true, 64)),
			Purpose:           domain.Purpose(rd.str("purpose", true, 64)),
			From:              rd.date("from", true), Until: rd.date("until", true),
		},
		Form: domain.ConsentForm(rd.str("form", true, 16)),
	}
	for _, d := range rd.list("data_categories") {
		cmd.Scope.DataCategories = append(cmd.Scope.DataCategories, domain.DataCategory(d))
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/toestemming"
	aliases := map[string]string{"scope.action": "action", "scope.recipient_org": "recipient_org", "scope.recipient_category": "recipient_category",
		"scope.purpose": "purpose", "scope.data_categories": "data_categories", "scope.from": "from", "scope.until": "until"}
	return u.submit(w, r, p, f, back, aliases, func() error { return u.exec(r, fr, cmd) }, back+"?ok=consent")
}

func (u *UI) withdrawPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	p := u.newPage(r, "consent.title")
	f := &form{ID: "withdraw", Title: u.txt.tr(p.Lang, "consent.withdraw"), Submit: u.txt.tr(p.Lang, "consent.withdraw"), Action: r.URL.Path}
	cmd := domain.WithdrawConsent{ConsentID: domain.ConsentID(muxVar(r, "item")), Date: u.today(), Form: domain.FormVerbal}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/toestemming"
	return u.submit(w, r, p, f, back, nil, func() error { return u.exec(r, fr, cmd) }, back+"?ok=withdrawn")
}

// ---- budget

func (u *UI) spendForm(lang, fid string, cats []string) *form {
	var co []option
	for _, c := range cats {
		co = append(co, option{Value: c, Label: u.txt.label(lang, "spendcat", c)})
	}
	return &form{ID: "spend", Title: u.txt.tr(lang, "budget.record"), Submit: u.txt.tr(lang, "budget.record"),
		Action: "/gezin/" + url.PathEscape(fid) + "/budget",
		Fields: []*field{
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
			{Name: "amount", Label: u.txt.tr(lang, "budget.amount"), Type: "amount", Required: true},
			{Name: "instrument", Label: u.txt.tr(lang, "budget.instrument"), Type: "select", Value: "maatbudget", Required: true, Options: options(u.txt, lang, "instrument", []domain.SpendInstrument{domain.InstrumentMaatbudget, domain.InstrumentDelegatedDecision})},
			{Name: "category", Label: u.txt.tr(lang, "budget.category"), Type: "select", Required: true, Options: co},
			{Name: "supplier", Label: u.txt.tr(lang, "budget.supplier"), Type: "text", Required: true},
			{Name: "receipt_ref", Label: u.txt.tr(lang, "budget.receipt"), Type: "text"},
			{Name: "path", Label: u.txt.tr(lang, "budget.path"), Type: "radio", Value: "team_decision", Options: options(u.txt, lang, "path", []domain.SpendPath{domain.PathTeamDecision, domain.PathUrgent})},
			{Name: "decided_on", Label: u.txt.tr(lang, "budget.decided_on"), Type: "date", Value: u.today().String()},
			{Name: "body", Label: u.txt.tr(lang, "budget.body"), Type: "select", Value: "team", Options: options(u.txt, lang, "body", []domain.DecidingBody{domain.BodyTeam, domain.BodyCoordinator})},
			{Name: "justification", Label: u.txt.tr(lang, "budget.justification"), Type: "textarea"},
		}}
}

func (u *UI) budgetPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "budget.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "budget.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	fb, err := u.cfg.Budget.Family(domain.FamilyID(h.ID), time.Time{})
	if err != nil {
		fb.FamilyID = domain.FamilyID(h.ID)
	}
	justif := map[domain.SpendID]string{}
	for id, s := range v.Family.Spends {
		if seesContent(fr) {
			justif[id] = s.Sealed.Justification
		}
	}
	settings := u.cfg.Caseload.Settings(time.Time{})
	p.Data = map[string]any{"Head": h, "Budget": fb, "Justification": justif,
		"Form":    u.spendForm(p.Lang, h.ID, settings.SpendCategories),
		"Reasons": []domain.ReversalReason{domain.ReversalError, domain.ReversalRefunded, domain.ReversalDuplicate, domain.ReversalOther}}
	u.render(w, http.StatusOK, "budget", p)
	return nil
}

func (u *UI) spendPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "budget.title")
	f := u.spendForm(p.Lang, fr.Family.ID, u.cfg.Caseload.Settings(time.Time{}).SpendCategories)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RecordSpend{
		SpendID: domain.SpendID(u.cfg.NewID()), Date: rd.date("date", true), AmountCents: rd.cents("amount"),
		Instrument: domain.SpendInstrument(rd.str("instrument", true, 64)), Category: rd.str("category", true, 64),
		Supplier: rd.str("supplier", true, 200), ReceiptRef: rd.str("receipt_ref", false, 100),
		Path: domain.SpendPath(rd.str("path", true, 32)), ProposedBy: domain.StaffID(fr.Identity.User.ID),
		Sealed: domain.JustificationSealed{Justification: rd.str("justification", false, 5000)},
	}
	if cmd.Path == domain.PathTeamDecision {
		cmd.DecidedOn = rd.date("decided_on", true)
		cmd.Body = domain.DecidingBody(rd.str("body", true, 32))
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/budget"
	return u.submit(w, r, p, f, back, map[string]string{"amount_cents": "amount", "proposed_by": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=spend")
}

func (u *UI) reversePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "budget.title")
	f := &form{ID: "reverse", Title: u.txt.tr(p.Lang, "budget.reverse"), Submit: u.txt.tr(p.Lang, "budget.reverse"), Action: r.URL.Path,
		Fields: []*field{{Name: "reason", Label: u.txt.tr(p.Lang, "budget.reason"), Type: "select", Required: true,
			Options: options(u.txt, p.Lang, "reversal", []domain.ReversalReason{domain.ReversalError, domain.ReversalRefunded, domain.ReversalDuplicate, domain.ReversalOther})}}}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.ReverseSpend{SpendID: domain.SpendID(muxVar(r, "item")), Date: u.today(), Reason: domain.ReversalReason(rd.str("reason", true, 64))}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/budget"
	return u.submit(w, r, p, f, back, nil, func() error { return u.exec(r, fr, cmd) }, back+"?ok=reversed")
}

// reviewPost records the team's review of an urgent purchase.
func (u *UI) reviewPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "budget.title")
	f := &form{ID: "review", Title: u.txt.tr(p.Lang, "budget.review"), Submit: u.txt.tr(p.Lang, "budget.review"), Action: r.URL.Path,
		Fields: []*field{{Name: "verdict", Label: u.txt.tr(p.Lang, "budget.verdict"), Type: "select", Required: true,
			Options: options(u.txt, p.Lang, "verdict", []domain.Verdict{domain.VerdictApproved, domain.VerdictRefused})}}}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.ReviewSpend{SpendID: domain.SpendID(muxVar(r, "item")), Date: u.today(), Verdict: domain.Verdict(rd.str("verdict", true, 16)),
		ReviewedBy: domain.StaffID(fr.Identity.User.ID)}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/budget"
	return u.submit(w, r, p, f, back, map[string]string{"spend_id": "", "reviewed_by": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=reviewed")
}

// ---- disclosures

func (u *UI) disclosureForm(lang, fid string, v ledger.FamilyView) *form {
	var consents []option
	for _, c := range v.Family.Consents {
		if c.Refused || !c.WithdrawnOn.IsZero() {
			continue
		}
		rec := c.Scope.RecipientOrg
		if rec == "" {
			rec = u.txt.label(lang, "rcat", string(c.Scope.RecipientCategory))
		}
		consents = append(consents, option{Value: string(c.ConsentID), Label: c.Date.String() + " · " + rec + " · " + u.txt.label(lang, "purpose", string(c.Scope.Purpose))})
	}
	sort.Slice(consents, func(i, j int) bool { return consents[i].Label < consents[j].Label })
	// An open information request the disclosure answers (optional).
	var requests []option
	for id, q := range v.Family.InfoRequests {
		if q.Open() {
			requests = append(requests, option{Value: string(id), Label: q.Date.String() + " · " + q.FromOrg + " · " + u.txt.label(lang, "purpose", string(q.Purpose))})
		}
	}
	sort.Slice(requests, func(i, j int) bool { return requests[i].Label < requests[j].Label })
	f := &form{ID: "disclosure", Title: u.txt.tr(lang, "disclosure.record"), Submit: u.txt.tr(lang, "disclosure.record"),
		Action: "/gezin/" + url.PathEscape(fid) + "/delen",
		Fields: []*field{
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
			{Name: "recipient_org", Label: u.txt.tr(lang, "disclosure.recipient_org"), Type: "text", Required: true},
			{Name: "recipient_role", Label: u.txt.tr(lang, "disclosure.recipient_role"), Type: "text", Required: true},
			{Name: "recipient_category", Label: u.txt.tr(lang, "disclosure.recipient_category"), Type: "select", Required: true, Options: options(u.txt, lang, "rcat", domain.RecipientCategories())},
			{Name: "data_categories", Label: u.txt.tr(lang, "disclosure.data"), Type: "checkboxes", Values: map[string]bool{}, Options: options(u.txt, lang, "dcat", domain.DataCategories())},
			{Name: "purpose", Label: u.txt.tr(lang, "disclosure.purpose"), Type: "select", Required: true, Options: options(u.txt, lang, "purpose", domain.Purposes())},
			{Name: "legal_basis", Label: u.txt.tr(lang, "disclosure.basis"), Type: "select", Required: true, Options: options(u.txt, lang, "basis", domain.LegalBases())},
			{Name: "consent_id", Label: u.txt.tr(lang, "disclosure.consent"), Type: "select", Options: consents, Hint: u.txt.tr(lang, "form.optional")},
			{Name: "confidential", Label: u.txt.tr(lang, "disclosure.confidential"), Type: "checkbox"},
			{Name: "summary", Label: u.txt.tr(lang, "disclosure.summary"), Type: "textarea"},
		}}
	if len(requests) > 0 {
		f.Fields = append(f.Fields, &field{Name: "info_request_id", Label: u.txt.tr(lang, "inforeq.answers"), Type: "select", Options: requests, Hint: u.txt.tr(lang, "form.optional")})
	}
	return f
}

type disclosureRow struct {
	ID, Date, Recipient, Category, Data, Purpose, Basis, Summary, Informed string
	Confidential, CanInform                                                bool
}

func (u *UI) disclosuresPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "disclosure.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "disclosure.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	var rows []disclosureRow
	for _, d := range v.Family.Disclosures {
		row := disclosureRow{ID: string(d.DisclosureID), Date: d.Date.String(), Recipient: strings.TrimSpace(d.RecipientOrg + " " + d.RecipientRole),
			Category: p.L("rcat", d.RecipientCategory), Purpose: p.L("purpose", d.Purpose), Basis: p.L("basis", d.LegalBasis),
			Confidential: d.Confidential && d.ConfidentialityLifted.IsZero()}
		if seesContent(fr) {
			row.Summary = d.Sealed.Summary
		}
		var cats []string
		for _, c := range d.DataCategories {
			cats = append(cats, p.L("dcat", c))
		}
		row.Data = strings.Join(cats, ", ")
		if d.InformedOn.IsZero() {
			row.Informed = u.txt.tr(p.Lang, "disclosure.not_informed")
			row.CanInform = !row.Confidential
		} else {
			row.Informed = d.InformedOn.String()
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Date > rows[j].Date || rows[i].Date == rows[j].Date && rows[i].ID < rows[j].ID
	})
	p.Data = map[string]any{"Head": h, "Rows": rows, "Form": u.disclosureForm(p.Lang, h.ID, v)}
	u.render(w, http.StatusOK, "disclosures", p)
	return nil
}

func (u *UI) disclosurePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "disclosure.title")
	v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), false)
	if err != nil {
		return err
	}
	f := u.disclosureForm(p.Lang, fr.Family.ID, v)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.Disclose{
		DisclosureID: domain.DisclosureID(u.cfg.NewID()), Date: rd.date("date", true),
		RecipientOrg: rd.str("recipient_org", true, 200), RecipientRole: rd.str("recipient_role", false, 200),
		RecipientCategory: domain.RecipientCategory(rd.str("recipient_category", true, 64)),
		Purpose:           domain.Purpose(rd.str("purpose", true, 64)), LegalBasis: domain.LegalBasis(rd.str("legal_basis", true, 64)),
		ConsentID: domain.ConsentID(rd.str("consent_id", false, 100)), DecidedBy: domain.StaffID(fr.Identity.User.ID),
		Confidential: rd.bool("confidential"), Sealed: domain.DisclosureSealed{Summary: rd.str("summary", false, 5000)},
		InfoRequestID: domain.InfoRequestID(rd.str("info_request_id", false, 100)),
	}
	for _, d := range rd.list("data_categories") {
		cmd.DataCategories = append(cmd.DataCategories, domain.DataCategory(d))
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/delen"
	return u.submit(w, r, p, f, back, map[string]string{"decided_by": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=disclosure")
}

func (u *UI) informPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	p := u.newPage(r, "disclosure.title")
	f := &form{ID: "inform", Title: u.txt.tr(p.Lang, "disclosure.inform"), Submit: u.txt.tr(p.Lang, "disclosure.inform"), Action: r.URL.Path}
	cmd := domain.InformFamily{DisclosureID: domain.DisclosureID(muxVar(r, "item")), Date: u.today(), Form: domain.FormVerbal}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/delen"
	return u.submit(w, r, p, f, back, nil, func() error { return u.exec(r, fr, cmd) }, back+"?ok=informed")
}

// liftPost lifts the confidentiality of a disclosure: the family may be
// told now.
func (u *UI) liftPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	p := u.newPage(r, "disclosure.title")
	f := &form{ID: "lift", Title: u.txt.tr(p.Lang, "disclosure.lift"), Submit: u.txt.tr(p.Lang, "disclosure.lift"), Action: r.URL.Path}
	cmd := domain.LiftConfidentiality{DisclosureID: domain.DisclosureID(muxVar(r, "item")), Date: u.today(), DecidedBy: domain.StaffID(fr.Identity.User.ID)}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/delen"
	return u.submit(w, r, p, f, back, nil, func() error { return u.exec(r, fr, cmd) }, back+"?ok=lifted")
}

// ---- parket

// parketSteps are the steps a coach can record, in the order of the
// process.
func parketSteps() []string {
	return []string{domain.TypeParketInformed, domain.TypeParketStatusRequested, domain.TypeParketStatusReported,
		domain.TypeParketWorryReported, domain.TypeReferredToOCJ, domain.TypeYouthCourtInvolved, domain.TypeParketClosed}
}

func (u *UI) parketForm(lang, fid string, v ledger.FamilyView) *form {
	var ds []option
	for _, d := range v.Family.Disclosures {
		ds = append(ds, option{Value: string(d.DisclosureID), Label: d.Date.String() + " · " + d.RecipientOrg})
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Label > ds[j].Label })
	var steps []option
	for _, s := range parketSteps() {
		steps = append(steps, option{Value: s, Label: u.txt.label(lang, "step", s)})
	}
	return &form{ID: "parket", Title: u.txt.tr(lang, "parket.step"), Submit: u.txt.tr(lang, "parket.step"),
		Action: "/gezin/" + url.PathEscape(fid) + "/parket",
		Fields: []*field{
			{Name: "step", Label: u.txt.tr(lang, "parket.steptype"), Type: "select", Required: true, Options: steps},
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
			{Name: "due_date", Label: u.txt.tr(lang, "parket.due"), Type: "date", Hint: u.txt.tr(lang, "form.optional")},
			{Name: "disclosure_id", Label: u.txt.tr(lang, "parket.disclosure"), Type: "select", Options: ds, Hint: u.txt.tr(lang, "form.optional")},
		}}
}

func (u *UI) parketPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "parket.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "parket.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	pf, ok := u.cfg.Parket.Family(domain.FamilyID(h.ID), time.Time{})
	if !ok {
		pf.State = domain.ParketStateNotKnown
	}
	p.Data = map[string]any{"Head": h, "Parket": pf, "Form": u.parketForm(p.Lang, h.ID, v)}
	u.render(w, http.StatusOK, "parket", p)
	return nil
}

func (u *UI) parketPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "parket.title")
	v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), false)
	if err != nil {
		return err
	}
	f := u.parketForm(p.Lang, fr.Family.ID, v)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RecordParketStep{Step: rd.str("step", true, 64), Date: rd.date("date", true), DueDate: rd.date("due_date", false),
		DisclosureID: domain.DisclosureID(rd.str("disclosure_id", false, 100))}
	if cmd.Step == domain.TypeParketStatusRequested {
		cmd.RequestID = domain.ParketRequestID(u.cfg.NewID())
	} else if v.Family.OpenParketReq != "" && cmd.Step == domain.TypeParketStatusReported {
		cmd.RequestID = v.Family.OpenParketReq
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/parket"
	return u.submit(w, r, p, f, back, map[string]string{"request_id": "step"}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=parket")
}

// ---- assessments (leefsituatie T0/T1)

func (u *UI) assessmentForm(lang, fid string) *form {
	in := domain.Leefsituatie()
	f := &form{ID: "assessment", Title: u.txt.tr(lang, "assess.register"), Submit: u.txt.tr(lang, "assess.register"),
		Action: "/gezin/" + url.PathEscape(fid) + "/leefsituatie",
		Fields: []*field{
			{Name: "moment", Label: u.txt.tr(lang, "assess.moment"), Type: "radio", Value: "t0", Options: options(u.txt, lang, "moment", []domain.AssessmentMoment{domain.MomentT0, domain.MomentReview, domain.MomentT1})},
			{Name: "date", Label: u.txt.tr(lang, "assess.date"), Type: "date", Value: u.today().String(), Required: true},
		}}
	for _, it := range in.Parts[0].Items {
		opts := []option{{Value: "", Label: u.txt.tr(lang, "assess.not_assessed")}}
		for i, l := range it.LevelLabels {
			opts = append(opts, option{Value: strconv.Itoa(i + 1), Label: fmt.Sprintf("%d · %s", i+1, levelLabel(lang, it.ID, i, l))})
		}
		f.Fields = append(f.Fields, &field{Name: "item_" + it.ID, Label: u.txt.label(lang, "domain", it.ID), Type: "select", Options: opts})
	}
	return f
}

func (u *UI) assessmentsPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "assess.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "assess.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	hist, _ := u.cfg.Assessments.History(domain.FamilyID(h.ID), domain.LeefsituatieID, time.Time{})
	// newest first
	for i, j := 0, len(hist)-1; i < j; i, j = i+1, j-1 {
		hist[i], hist[j] = hist[j], hist[i]
	}
	p.Data = map[string]any{"Head": h, "History": hist, "Form": u.assessmentForm(p.Lang, h.ID), "Domains": domain.LifeDomains()}
	u.render(w, http.StatusOK, "assessments", p)
	return nil
}

func (u *UI) assessmentPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "assess.title")
	f := u.assessmentForm(p.Lang, fr.Family.ID)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RegisterAssessment{AssessmentID: domain.AssessmentID(u.cfg.NewID()), Date: rd.date("date", true),
		InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: domain.AssessmentMoment(rd.str("moment", true, 16)),
		CoachID: domain.StaffID(fr.Identity.User.ID)}
	for _, d := range domain.LifeDomains() {
		s := vals.Get("item_" + string(d))
		if s == "" {
			cmd.Items = append(cmd.Items, domain.ItemAnswer{Item: string(d), Status: domain.AnswerNotAssessed})
			continue
		}
		lvl, err := strconv.Atoi(s)
		if err != nil || lvl < 1 || lvl > 5 {
			f.setError("item_"+string(d), u.txt.tr(p.Lang, "form.bad_number"))
			continue
		}
		cmd.Items = append(cmd.Items, domain.ItemAnswer{Item: string(d), Status: domain.AnswerScored, Level: lvl})
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/leefsituatie"
	return u.submit(w, r, p, f, back, map[string]string{"items": "", "coach_id": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=assessment")
}

// muxVar is a path variable of the matched route.
func muxVar(r *http.Request, name string) string { return muxVars(r)[name] }

// errNoFamily is returned for a referral page handler without a family.
var errNoFamily = &api.Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found", Err: api.ErrNotFound}

// coachOptions lists the active coaches for select fields.
func (u *UI) coachOptions(ctx context.Context) []option {
	var out []option
	for _, cl := range u.cfg.Caseload.Coaches(time.Time{}, u.today()) {
		if !cl.Active || !cl.Registered {
			continue
		}
		out = append(out, option{Value: string(cl.CoachID), Label: u.staffName(ctx, string(cl.CoachID))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}
