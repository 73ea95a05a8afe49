package web

import (
	"net/http"
	"net/url"
	"sort"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
)

// More of a family's file: the professionals involved (so a colleague who
// takes over can call them), correcting and removing members, requests for
// another coach, police facts, spend proposals with the team's decisions
// and the coordinator's overspend approval, and cost-avoidance figures.
// Each page and form goes through HandleFamily with the part the JSON API's
// command route uses.

func (u *UI) registerFamilyMore() {
	const fam = "/gezin/{family}"
	u.family(http.MethodGet, fam+"/netwerk", auth.PartProfessionals, true, u.networkPage)
	u.family(http.MethodPost, fam+"/netwerk", auth.PartProfessionals, false, u.professionalPost)
	u.family(http.MethodPost, fam+"/netwerk/{item}/verwijderen", auth.PartProfessionals, false, u.professionalRemovePost)
	u.family(http.MethodGet, fam+"/gezinsleden", auth.PartMembers, true, u.membersPage)
	u.family(http.MethodGet, fam+"/gezinsleden/{item}", auth.PartMembers, true, u.memberEditPage)
	u.family(http.MethodPost, fam+"/gezinsleden/{item}", auth.PartMembers, true, u.memberCorrectPost)
	u.family(http.MethodPost, fam+"/gezinsleden/{item}/verwijderen", auth.PartMembers, false, u.memberRemovePost)
	u.family(http.MethodGet, fam+"/coachwissel", auth.PartSummary, true, u.coachChangePage)
	u.family(http.MethodPost, fam+"/coachwissel", auth.PartSummary, false, u.coachChangePost)
	u.family(http.MethodPost, fam+"/coachwissel/{item}", auth.PartSummary, false, u.coachChangeHandlePost)
	u.family(http.MethodGet, fam+"/politie", auth.PartParket, true, u.policePage)
	u.family(http.MethodPost, fam+"/politie", auth.PartParket, false, u.policePost)
	u.family(http.MethodGet, fam+"/voorstellen", auth.PartBudget, true, u.proposalsPage)
	u.family(http.MethodPost, fam+"/voorstellen/{action}", auth.PartBudget, false, u.proposalsPost)
}

func famBase(id string) string { return "/gezin/" + url.PathEscape(id) }

// ---- professionals

func (u *UI) professionalForm(lang, fid string) *form {
	return &form{ID: "professional", Title: u.txt.tr(lang, "prof.add"), Submit: u.txt.tr(lang, "prof.add"), Action: famBase(fid) + "/netwerk",
		Fields: []*field{
			{Name: "organisation", Label: u.txt.tr(lang, "prof.organisation"), Type: "text", Required: true},
			{Name: "category", Label: u.txt.tr(lang, "prof.category"), Type: "select", Required: true, Options: options(u.txt, lang, "rcat", domain.RecipientCategories())},
			{Name: "role", Label: u.txt.tr(lang, "prof.role"), Type: "text", Required: true},
			{Name: "name", Label: u.txt.tr(lang, "prof.name"), Type: "text", Hint: u.txt.tr(lang, "form.optional")},
			{Name: "phone", Label: u.txt.tr(lang, "referral.phone"), Type: "text", Hint: u.txt.tr(lang, "form.optional")},
			{Name: "email", Label: u.txt.tr(lang, "staff.email"), Type: "text", Hint: u.txt.tr(lang, "form.optional")},
		}}
}

type profRow struct {
	ID, Organisation, Category, Role, Name, Phone, Email, Since string
}

func (u *UI) networkPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "prof.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "prof.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	var rows []profRow
	for id, pr := range v.Family.Professionals {
		if pr.Removed {
			continue
		}
		rows = append(rows, profRow{ID: string(id), Organisation: pr.Organisation, Category: p.L("rcat", pr.Category), Role: pr.Role,
			Name: pr.Sealed.Name, Phone: pr.Sealed.Phone, Email: pr.Sealed.Email, Since: pr.Date.String()})
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Organisation < rows[j].Organisation || rows[i].Organisation == rows[j].Organisation && rows[i].ID < rows[j].ID
	})
	p.Data = map[string]any{"Head": h, "Rows": rows, "Form": u.professionalForm(p.Lang, h.ID)}
	u.render(w, http.StatusOK, "network", p)
	return nil
}

func (u *UI) professionalPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "prof.title")
	f := u.professionalForm(p.Lang, fr.Family.ID)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.AddProfessional{ProfessionalID: domain.ProfessionalID(u.cfg.NewID()), Date: u.today(),
		Organisation: rd.str("organisation", true, 200), Category: domain.RecipientCategory(rd.str("category", true, 64)), Role: rd.str("role", true, 200),
		Sealed: domain.ProfessionalSealed{Name: rd.str("name", false, 200), Phone: rd.str("phone", false, 50), Email: rd.str("email", false, 200)}}
	back := famBase(fr.Family.ID) + "/netwerk"
	return u.submit(w, r, p, f, back, map[string]string{"professional_id": "", "date": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=professional")
}

func (u *UI) professionalRemovePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	p := u.newPage(r, "prof.title")
	f := &form{ID: "profremove", Title: u.txt.tr(p.Lang, "prof.remove"), Submit: u.txt.tr(p.Lang, "prof.remove"), Action: r.URL.Path}
	cmd := domain.RemoveProfessional{ProfessionalID: domain.ProfessionalID(muxVar(r, "item")), Date: u.today()}
	back := famBase(fr.Family.ID) + "/netwerk"
	return u.submit(w, r, p, f, back, map[string]string{"professional_id": "", "date": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=professional_removed")
}

// ---- members: correct, remove

func (u *UI) membersPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "members.title")
	h := u.head(ctx, p, v, true)
	p.Title = u.txt.tr(p.Lang, "members.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	type row struct {
		memberView
		Phone, Email string
	}
	var rows []row
	for _, m := range h.Members {
		mm := v.Family.Members[domain.MemberID(m.ID)]
		rows = append(rows, row{memberView: m, Phone: mm.Sealed.Phone, Email: mm.Sealed.Email})
	}
	p.Data = map[string]any{"Head": h, "Rows": rows, "Form": u.memberForm(p.Lang, h.ID)}
	u.render(w, http.StatusOK, "members", p)
	return nil
}

func (u *UI) memberCorrectForm(lang, fid, mid string) *form {
	f := u.memberForm(lang, fid)
	f.ID, f.Title, f.Submit = "correct", u.txt.tr(lang, "members.correct"), u.txt.tr(lang, "members.save")
	f.Action = famBase(fid) + "/gezinsleden/" + url.PathEscape(mid)
	f.Fields = append(f.Fields, &field{Name: "email", Label: u.txt.tr(lang, "staff.email"), Type: "text", Hint: u.txt.tr(lang, "form.optional")})
	return f
}

func (u *UI) memberEditPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	mid := muxVar(r, "item")
	m, ok := v.Family.Members[domain.MemberID(mid)]
	if !ok || m.Left {
		return api.ErrNotFound
	}
	p := u.newPage(r, "members.correct")
	f := u.memberCorrectForm(p.Lang, fr.Family.ID, mid)
	f.field("name").Value, f.field("role").Value, f.field("phone").Value, f.field("email").Value = m.Sealed.Name, string(m.Role), m.Sealed.Phone, m.Sealed.Email
	if m.BirthYear != 0 {
		f.field("birth_year").Value = itoa(m.BirthYear)
	}
	p.Data = map[string]any{"Form": f, "Back": famBase(fr.Family.ID) + "/gezinsleden", "Head": u.head(ctx, p, v, true)}
	u.render(w, http.StatusOK, "formpage", p)
	return nil
}

func (u *UI) memberCorrectPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "members.correct")
	mid := muxVar(r, "item")
	f := u.memberCorrectForm(p.Lang, fr.Family.ID, mid)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.CorrectMember{MemberID: domain.MemberID(mid), Date: u.today(), Role: domain.MemberRole(rd.str("role", true, 32)),
		BirthYear: rd.int("birth_year", false), Sealed: domain.MemberSealed{Name: rd.str("name", true, 200), Phone: rd.str("phone", false, 50), Email: rd.str("email", false, 200)}}
	back := famBase(fr.Family.ID) + "/gezinsleden"
	return u.submit(w, r, p, f, back, map[string]string{"member_id": "", "date": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=member_corrected")
}

func (u *UI) memberRemovePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	p := u.newPage(r, "members.title")
	f := &form{ID: "memberremove", Title: u.txt.tr(p.Lang, "members.remove"), Submit: u.txt.tr(p.Lang, "members.remove"), Action: r.URL.Path}
	cmd := domain.RemoveMember{MemberID: domain.MemberID(muxVar(r, "item")), Date: u.today()}
	back := famBase(fr.Family.ID) + "/gezinsleden"
	return u.submit(w, r, p, f, back, map[string]string{"member_id": "", "date": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=member_removed")
}

// ---- another coach

func (u *UI) coachChangeForm(lang, fid string, h familyHead) *form {
	members := []option{{Value: "", Label: u.txt.tr(lang, "question.whole_family")}}
	for _, m := range h.Members {
		members = append(members, option{Value: m.ID, Label: m.Name})
	}
	return &form{ID: "coachchange", Title: u.txt.tr(lang, "cc.request"), Submit: u.txt.tr(lang, "cc.request"), Action: famBase(fid) + "/coachwissel",
		Fields: []*field{
			{Name: "member_id", Label: u.txt.tr(lang, "cc.asked_by"), Type: "select", Options: members},
			{Name: "note", Label: u.txt.tr(lang, "cc.why"), Type: "textarea", Hint: u.txt.tr(lang, "form.optional")},
		}}
}

type ccRow struct {
	ID, Date, Note, Verdict, DecidedOn string
	Open                               bool
}

func (u *UI) coachChangePage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "cc.title")
	content := seesContent(fr)
	h := u.head(ctx, p, v, content)
	p.Title = u.txt.tr(p.Lang, "cc.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	rows := map[string]*ccRow{}
	var order []string
	for _, rec := range v.Records {
		switch e := rec.Event.(type) {
		case domain.CoachChangeRequested:
			row := &ccRow{ID: string(e.RequestID), Date: e.Date.String(), Open: true}
			if content {
				row.Note = e.Sealed.Note
			}
			rows[row.ID] = row
			order = append(order, row.ID)
		case domain.CoachChangeHandled:
			if row, ok := rows[string(e.RequestID)]; ok {
				row.Open, row.Verdict, row.DecidedOn = false, p.L("verdict", e.Verdict), e.Date.String()
			}
		}
	}
	var list []*ccRow
	for i := len(order) - 1; i >= 0; i-- {
		list = append(list, rows[order[i]])
	}
	p.Data = map[string]any{"Head": h, "Rows": list, "Form": u.coachChangeForm(p.Lang, h.ID, h),
		"Coordinator": fr.Identity.User.Has(auth.RoleCoordinator), "Closed": v.Family.Status == domain.StatusClosed}
	u.render(w, http.StatusOK, "coachchange", p)
	return nil
}

func (u *UI) coachChangePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "cc.title")
	f := u.coachChangeForm(p.Lang, fr.Family.ID, familyHead{})
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RequestCoachChange{RequestID: domain.CoachRequestID(u.cfg.NewID()), Date: u.today(),
		MemberID: domain.MemberID(rd.str("member_id", false, 100)), Sealed: domain.NoteSealed{Note: rd.str("note", false, 5000)}}
	back := famBase(fr.Family.ID) + "/coachwissel"
	return u.submit(w, r, p, f, back, map[string]string{"request_id": "", "date": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=coach_change")
}

// coachChangeHandlePost: the coordinator handles a request (approved:
// assign another coach on the traject page; refused).
func (u *UI) coachChangeHandlePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	if !fr.Identity.User.Has(auth.RoleCoordinator) {
		return api.ErrForbidden
	}
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "cc.title")
	f := &form{ID: "cchandle", Title: u.txt.tr(p.Lang, "cc.handle"), Submit: u.txt.tr(p.Lang, "cc.handle"), Action: r.URL.Path,
		Fields: []*field{{Name: "verdict", Label: u.txt.tr(p.Lang, "budget.verdict"), Type: "select", Required: true,
			Options: options(u.txt, p.Lang, "verdict", []domain.Verdict{domain.VerdictApproved, domain.VerdictRefused})}}}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.HandleCoachChange{RequestID: domain.CoachRequestID(muxVar(r, "item")), Date: u.today(),
		Verdict: domain.Verdict(rd.str("verdict", true, 32)), DecidedBy: domain.StaffID(fr.Identity.User.ID)}
	back := famBase(fr.Family.ID) + "/coachwissel"
	return u.submit(w, r, p, f, back, map[string]string{"request_id": "", "date": "", "decided_by": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=coach_change_handled")
}

// ---- police facts

func (u *UI) policeForm(lang, fid string) *form {
	return &form{ID: "police", Title: u.txt.tr(lang, "police.record"), Submit: u.txt.tr(lang, "police.record"), Action: famBase(fid) + "/politie",
		Fields: []*field{
			{Name: "period_from", Label: u.txt.tr(lang, "police.from"), Type: "date", Required: true},
			{Name: "period_until", Label: u.txt.tr(lang, "police.until"), Type: "date", Required: true, Value: u.today().String()},
			{Name: "interventions", Label: u.txt.tr(lang, "police.interventions"), Type: "number", Value: "0"},
			{Name: "initial_reports", Label: u.txt.tr(lang, "police.initial"), Type: "number", Value: "0"},
			{Name: "follow_up_reports", Label: u.txt.tr(lang, "police.followup"), Type: "number", Value: "0"},
			{Name: "kantschriften", Label: u.txt.tr(lang, "police.kantschriften"), Type: "number", Value: "0"},
		}}
}

func (u *UI) policePage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "police.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "police.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	var rows []domain.PoliceFactsRecorded
	for _, rec := range v.Records {
		if e, ok := rec.Event.(domain.PoliceFactsRecorded); ok {
			rows = append(rows, e)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[j].PeriodFrom.Before(rows[i].PeriodFrom) })
	p.Data = map[string]any{"Head": h, "Rows": rows, "Form": u.policeForm(p.Lang, h.ID), "FileIn": v.Family.PoliceFileIn}
	u.render(w, http.StatusOK, "police", p)
	return nil
}

func (u *UI) policePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "police.title")
	f := u.policeForm(p.Lang, fr.Family.ID)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RecordPoliceFacts{Date: u.today(), PeriodFrom: rd.date("period_from", true), PeriodUntil: rd.date("period_until", true),
		Interventions: rd.int("interventions", false), InitialReports: rd.int("initial_reports", false),
		FollowUpReports: rd.int("follow_up_reports", false), Kantschriften: rd.int("kantschriften", false)}
	back := famBase(fr.Family.ID) + "/politie"
	return u.submit(w, r, p, f, back, map[string]string{"date": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=police")
}
