package web

import (
	"net/http"
	"net/url"
	"time"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/projections/privacy"
)

// Information requests of other professionals about a family: recorded
// and refused (with the reason, such as professional secrecy) by the
// privacy officer on the art. 15 part, as the JSON API's routes; a coach
// answers one by recording a disclosure that names it (the disclosure
// form offers the open requests).

func (u *UI) registerInfoRequests() {
	const base = "/privacy/gezin/{family}/vragen"
	u.family(http.MethodGet, base, auth.PartArt15, true, u.infoRequestsPage)
	u.family(http.MethodPost, base, auth.PartArt15, false, u.infoRequestPost)
	u.family(http.MethodPost, base+"/{item}/weigeren", auth.PartArt15, false, u.infoRefusePost)
}

func (u *UI) infoRequestForm(lang, fid string) *form {
	return &form{ID: "inforeq", Title: u.txt.tr(lang, "inforeq.receive"), Submit: u.txt.tr(lang, "inforeq.receive"),
		Action: "/privacy/gezin/" + url.PathEscape(fid) + "/vragen",
		Fields: []*field{
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
			{Name: "from_org", Label: u.txt.tr(lang, "prof.organisation"), Type: "text", Required: true},
			{Name: "from_role", Label: u.txt.tr(lang, "prof.role"), Type: "text", Required: true},
			{Name: "from_category", Label: u.txt.tr(lang, "prof.category"), Type: "select", Required: true, Options: options(u.txt, lang, "rcat", domain.RecipientCategories())},
			{Name: "data_categories", Label: u.txt.tr(lang, "disclosure.data"), Type: "checkboxes", Values: map[string]bool{}, Options: options(u.txt, lang, "dcat", domain.DataCategories())},
			{Name: "purpose", Label: u.txt.tr(lang, "disclosure.purpose"), Type: "select", Required: true, Options: options(u.txt, lang, "purpose", domain.Purposes())},
		}}
}

func (u *UI) infoRequestsPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	p := u.newPage(r, "reviews.requests")
	reqs, err := u.cfg.Privacy.InfoRequests(privacy.RegisterQuery{FamilyID: domain.FamilyID(fr.Family.ID)}, time.Time{})
	if err != nil {
		return err
	}
	p.FamilyID = fr.Family.ID
	p.Data = map[string]any{"Requests": reqs, "Form": u.infoRequestForm(p.Lang, fr.Family.ID),
		"Reasons": []domain.RefusalReason{domain.RefusalProfessionalSecrecy, domain.RefusalNoConsent, domain.RefusalNoLegalBasis, domain.RefusalOther}}
	u.render(w, http.StatusOK, "inforequests", p)
	return nil
}

func (u *UI) infoRequestPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "reviews.requests")
	f := u.infoRequestForm(p.Lang, fr.Family.ID)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.ReceiveInfoRequest{RequestID: domain.InfoRequestID(u.cfg.NewID()), Date: rd.date("date", true),
		FromOrg: rd.str("from_org", true, 200), FromRole: rd.str("from_role", true, 200), FromCategory: domain.RecipientCategory(rd.str("from_category", true, 64)),
		Purpose: domain.Purpose(rd.str("purpose", true, 64))}
	for _, d := range rd.list("data_categories") {
		cmd.DataCategories = append(cmd.DataCategories, domain.DataCategory(d))
	}
	back := "/privacy/gezin/" + url.PathEscape(fr.Family.ID) + "/vragen"
	return u.submit(w, r, p, f, back, map[string]string{"request_id": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=inforeq")
}

func (u *UI) infoRefusePost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "reviews.requests")
	f := &form{ID: "inforefuse", Title: u.txt.tr(p.Lang, "inforeq.refuse"), Submit: u.txt.tr(p.Lang, "inforeq.refuse"), Action: r.URL.Path,
		Fields: []*field{{Name: "reason", Label: u.txt.tr(p.Lang, "failures.reason"), Type: "select", Required: true,
			Options: options(u.txt, p.Lang, "refusal", []domain.RefusalReason{domain.RefusalProfessionalSecrecy, domain.RefusalNoConsent, domain.RefusalNoLegalBasis, domain.RefusalOther})}}}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RefuseInfoRequest{RequestID: domain.InfoRequestID(muxVar(r, "item")), Date: u.today(),
		Reason: domain.RefusalReason(rd.str("reason", true, 64)), DecidedBy: domain.StaffID(fr.Identity.User.ID)}
	back := "/privacy/gezin/" + url.PathEscape(fr.Family.ID) + "/vragen"
	return u.submit(w, r, p, f, back, map[string]string{"request_id": "", "decided_by": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=inforeq_refused")
}
