package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/projections/privacy"
)

func (u *UI) registerPrivacy() {
	u.team(http.MethodGet, "/privacy", auth.PartAccessLog, u.privacyPage)
	u.handle(http.MethodGet, "/privacy/gezin", api.Roles(auth.RolePrivacyOfficer), u.privacyLookup)
	u.team(http.MethodGet, "/privacy/register", auth.PartDisclosureRegister, u.registerPage)
	u.team(http.MethodGet, "/privacy/medewerker/{staff}", auth.PartAccessLog, u.whatUserSawPage)
	u.family(http.MethodGet, "/privacy/gezin/{family}", auth.PartAccessLog, true, u.whoSawPage)
	u.family(http.MethodGet, "/privacy/gezin/{family}/art15", auth.PartArt15, true, u.art15Page)
	u.family(http.MethodGet, "/privacy/gezin/{family}/wissen", auth.PartErasure, true, u.erasurePage)
	u.family(http.MethodPost, "/privacy/gezin/{family}/wissen/{action}", auth.PartErasure, false, u.erasurePost)
}

type accessRow struct {
	privacy.AccessEntry
	User  string
	Flags []string
}

func (u *UI) accessRows(ctx context.Context, p *page, es []privacy.AccessEntry) []accessRow {
	names := map[domain.StaffID]string{}
	out := make([]accessRow, 0, len(es))
	for _, e := range es {
		if _, ok := names[e.UserID]; !ok {
			names[e.UserID] = u.staffName(ctx, string(e.UserID))
		}
		row := accessRow{AccessEntry: e, User: names[e.UserID]}
		for _, f := range e.Flags {
			row.Flags = append(row.Flags, p.L("flag", f))
		}
		out = append(out, row)
	}
	return out
}

func (u *UI) privacyPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	ctx := r.Context()
	p := u.newPage(r, "privacy.title")
	flag := privacy.Flag(r.URL.Query().Get("signaal"))
	valid := flag == ""
	for _, f := range privacy.Flags() {
		valid = valid || f == flag
	}
	if !valid {
		flag = ""
	}
	rep, err := u.cfg.Privacy.Flagged(privacy.FlagQuery{Flag: flag, Page: privacy.Page{Limit: 200}}, time.Time{})
	if err != nil {
		return err
	}
	type staffLink struct{ ID, Name string }
	var staff []staffLink
	seen := map[domain.StaffID]bool{}
	for _, e := range rep.Entries {
		if !seen[e.UserID] {
			seen[e.UserID] = true
			staff = append(staff, staffLink{string(e.UserID), u.staffName(ctx, string(e.UserID))})
		}
	}
	sort.Slice(staff, func(i, j int) bool { return staff[i].Name < staff[j].Name })
	p.Data = map[string]any{"Report": rep, "Rows": u.accessRows(ctx, p, rep.Entries), "Flags": privacy.Flags(), "Flag": string(flag), "Staff": staff}
	u.render(w, http.StatusOK, "privacy", p)
	return nil
}

func (u *UI) registerPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	p := u.newPage(r, "privacy.register")
	q := privacy.RegisterQuery{FamilyID: domain.FamilyID(r.URL.Query().Get("gezin"))}
	if q.FamilyID != "" && !domain.ValidID(string(q.FamilyID)) {
		q.FamilyID = ""
	}
	reg, err := u.cfg.Privacy.Register(q, time.Time{})
	if err != nil {
		return err
	}
	viol, err := u.cfg.Privacy.ConsentViolations(q, time.Time{})
	if err != nil {
		return err
	}
	untold, err := u.cfg.Privacy.NotInformed(u.today(), 14, time.Time{})
	if err != nil {
		return err
	}
	// newest first
	sort.SliceStable(reg, func(i, j int) bool { return reg[i].Date.After(reg[j].Date) })
	p.Data = map[string]any{"Register": reg, "Violations": viol, "Untold": untold}
	u.render(w, http.StatusOK, "register", p)
	return nil
}

func (u *UI) whoSawPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	p := u.newPage(r, "privacy.who_saw")
	pg, err := u.cfg.Privacy.WhoSaw(domain.FamilyID(fr.Family.ID), privacy.Page{Limit: 500}, time.Time{})
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Family": fr.Family.ID, "Page": pg, "Rows": u.accessRows(ctx, p, pg.Entries)}
	u.render(w, http.StatusOK, "whosaw", p)
	return nil
}

func (u *UI) whatUserSawPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	ctx := r.Context()
	p := u.newPage(r, "privacy.what_saw")
	staff := muxVar(r, "staff")
	if !domain.ValidID(staff) {
		return api.BadRequest("invalid", "staff", "staff must be a staff id")
	}
	pg, err := u.cfg.Privacy.WhatUserSaw(domain.StaffID(staff), privacy.Page{Limit: 500}, time.Time{})
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Staff": u.staffName(ctx, staff), "Page": pg, "Rows": u.accessRows(ctx, p, pg.Entries)}
	u.render(w, http.StatusOK, "whatsaw", p)
	return nil
}

func (u *UI) art15Page(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	p := u.newPage(r, "art15.title")
	rep, err := u.cfg.Privacy.Art15(domain.FamilyID(fr.Family.ID), time.Time{})
	if err != nil {
		return err
	}
	name := ""
	if v, err := u.load(ctx, fr.Family.ID); err == nil {
		name = familyName(v)
	}
	if name == "" {
		name = u.txt.tr(p.Lang, "family.erased")
	}
	p.Data = map[string]any{"Report": rep, "Name": name, "Today": u.today().String()}
	u.render(w, http.StatusOK, "art15", p)
	return nil
}

func (u *UI) erasureForms(lang, fid string, f *domain.Family) []*form {
	base := "/privacy/gezin/" + url.PathEscape(fid) + "/wissen/"
	forms := []*form{
		{ID: "bewaren", Title: u.txt.tr(lang, "erase.retention"), Submit: u.txt.tr(lang, "erase.retention"), Action: base + "bewaren",
			Fields: []*field{
				{Name: "until", Label: u.txt.tr(lang, "erase.until"), Type: "date", Required: true, Value: dateStr(f.RetentionUntil)},
				{Name: "basis", Label: u.txt.tr(lang, "erase.basis"), Type: "text", Required: true, Value: "closure_plus_5y"},
			}},
		{ID: "blokkeren", Title: u.txt.tr(lang, "erase.hold"), Submit: u.txt.tr(lang, "erase.hold"), Action: base + "blokkeren",
			Fields: []*field{{Name: "reason", Label: u.txt.tr(lang, "erase.hold_reason"), Type: "text", Required: true, Value: "litigation"}}},
	}
	var holds []option
	for id := range f.Holds {
		holds = append(holds, option{Value: string(id), Label: string(id)})
	}
	if len(holds) > 0 {
		forms = append(forms, &form{ID: "opheffen", Title: u.txt.tr(lang, "erase.lift"), Submit: u.txt.tr(lang, "erase.lift"), Action: base + "opheffen",
			Fields: []*field{{Name: "hold_id", Label: u.txt.tr(lang, "erase.holds"), Type: "select", Required: true, Options: holds}}})
	}
	if !f.Erased {
		forms = append(forms, &form{ID: "wissen", Title: u.txt.tr(lang, "erase.erase"), Submit: u.txt.tr(lang, "erase.erase"), Action: base + "wissen",
			Fields: []*field{{Name: "reason", Label: u.txt.tr(lang, "erase.reason"), Type: "select", Required: true, Value: string(domain.ErasureRetentionExpired),
				Options: options(u.txt, lang, "erasure", []domain.ErasureReason{domain.ErasureRetentionExpired, domain.ErasureRequest})}}})
	}
	return forms
}

func (u *UI) erasurePage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	p := u.newPage(r, "erase.title")
	v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), false)
	if err != nil {
		return err
	}
	var holds []string
	for id := range v.Family.Holds {
		holds = append(holds, string(id))
	}
	sort.Strings(holds)
	p.Data = map[string]any{"Family": v.Family, "Holds": strings.Join(holds, ", "), "Forms": u.erasureForms(p.Lang, fr.Family.ID, v.Family)}
	u.render(w, http.StatusOK, "erasure", p)
	return nil
}

func (u *UI) erasurePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "erase.title")
	v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), false)
	if err != nil {
		return err
	}
	action := muxVar(r, "action")
	var f *form
	for _, x := range u.erasureForms(p.Lang, fr.Family.ID, v.Family) {
		if x.ID == action {
			f = x
		}
	}
	if f == nil {
		return errNoFamily
	}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	me := domain.StaffID(fr.Identity.User.ID)
	today := u.today()
	var cmd domain.FamilyCommand
	switch action {
	case "bewaren":
		cmd = domain.SetRetention{Date: today, Until: rd.date("until", true), Basis: rd.str("basis", true, 64)}
	case "blokkeren":
		cmd = domain.SetLegalHold{HoldID: domain.HoldID(u.cfg.NewID()), Date: today, Reason: rd.str("reason", true, 64), SetBy: me}
	case "opheffen":
		cmd = domain.LiftLegalHold{HoldID: domain.HoldID(rd.str("hold_id", true, 100)), Date: today, LiftedBy: me}
	case "wissen":
		reason := domain.ErasureReason(rd.str("reason", true, 64))
		if vals.Get("bevestig") != "ja" && !f.hasErrors() {
			// The confirmation step: nothing is erased until the officer
			// confirms on this page.
			p.Data = map[string]any{"Action": r.URL.Path, "Reason": string(reason), "Back": "/privacy/gezin/" + url.PathEscape(fr.Family.ID) + "/wissen", "Family": fr.Family.ID}
			u.render(w, http.StatusOK, "confirm", p)
			return nil
		}
		cmd = domain.EraseFamily{Date: today, Reason: reason, ApprovedBy: me}
	}
	back := "/privacy/gezin/" + url.PathEscape(fr.Family.ID) + "/wissen"
	flash := map[string]string{"bewaren": "retention", "blokkeren": "hold", "opheffen": "hold", "wissen": "erased"}[action]
	return u.submit(w, r, p, f, back, map[string]string{"set_by": "", "lifted_by": "", "approved_by": "", "date": ""},
		func() error { return u.exec(r, fr, cmd) }, back+"?ok="+flash)
}

// privacyLookup sends the officer from the lookup form to the family's
// access log.
func (u *UI) privacyLookup(w http.ResponseWriter, r *http.Request) error {
	id := strings.TrimSpace(r.URL.Query().Get("gezin"))
	if !domain.ValidID(id) {
		return api.BadRequest("invalid", "gezin", "gezin must be a file number")
	}
	return redirect(w, r, "/privacy/gezin/"+url.PathEscape(id))
}
