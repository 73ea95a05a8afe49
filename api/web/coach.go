package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"time"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/ops"
	"spoor/store"
)

func (u *UI) registerCoach() {
	u.team(http.MethodGet, "/caseload", auth.PartCaseload, u.caseloadPage)
	u.handle(http.MethodGet, "/aanmelding", api.Roles(auth.RoleCoach, auth.RoleCoordinator), u.referralPage)
	u.handle(http.MethodPost, "/aanmelding", api.Roles(auth.RoleCoach, auth.RoleCoordinator), u.referralPost)

	const fam = "/gezin/{family}"
	u.family(http.MethodGet, fam, auth.PartTimeline, true, u.familyPage)
	u.family(http.MethodGet, fam+"/contact", auth.PartSummary, true, u.contactPage)
	u.family(http.MethodPost, fam+"/contact", auth.PartTimeline, false, u.contactPost)
	u.family(http.MethodGet, fam+"/toestemming", auth.PartConsents, true, u.consentsPage)
	// Read: on an error the form is shown again with the members' names.
	u.family(http.MethodPost, fam+"/toestemming", auth.PartConsents, true, u.consentPost)
	u.family(http.MethodPost, fam+"/toestemming/{item}/intrekken", auth.PartConsents, false, u.withdrawPost)
	u.family(http.MethodGet, fam+"/budget", auth.PartBudget, true, u.budgetPage)
	u.family(http.MethodPost, fam+"/budget", auth.PartBudget, false, u.spendPost)
	u.family(http.MethodPost, fam+"/budget/{item}/terugdraaien", auth.PartBudget, false, u.reversePost)
	u.family(http.MethodPost, fam+"/budget/{item}/besproken", auth.PartBudget, false, u.reviewPost)
	u.family(http.MethodGet, fam+"/delen", auth.PartDisclosures, true, u.disclosuresPage)
	u.family(http.MethodPost, fam+"/delen", auth.PartDisclosures, false, u.disclosurePost)
	u.family(http.MethodPost, fam+"/delen/{item}/geinformeerd", auth.PartDisclosures, false, u.informPost)
	u.family(http.MethodPost, fam+"/delen/{item}/vrijgeven", auth.PartDisclosures, false, u.liftPost)
	u.family(http.MethodGet, fam+"/hulpvragen", auth.PartQuestions, true, u.questionsPage)
	// Read: on an error the form is shown again with the members' names.
	u.family(http.MethodPost, fam+"/hulpvragen", auth.PartQuestions, true, u.questionPost)
	u.family(http.MethodPost, fam+"/hulpvragen/{item}/beantwoord", auth.PartQuestions, false, u.answerPost)
	u.family(http.MethodGet, fam+"/parket", auth.PartParket, true, u.parketPage)
	u.family(http.MethodPost, fam+"/parket", auth.PartParket, false, u.parketPost)
	u.family(http.MethodGet, fam+"/leefsituatie", auth.PartAssessments, true, u.assessmentsPage)
	u.family(http.MethodPost, fam+"/leefsituatie", auth.PartAssessments, false, u.assessmentPost)
	u.family(http.MethodGet, fam+"/traject", auth.PartSummary, true, u.trajectPage)
	u.family(http.MethodPost, fam+"/traject/{action}", auth.PartSummary, false, u.trajectPost)
	u.family(http.MethodPost, fam+"/gezinslid", auth.PartMembers, false, u.memberPost)
}

// ---- caseload

type caseRow struct {
	ID, Name, Source, Since, Phase, LastContact string
	Days                                        int
	HasContact, Overdue                         bool
	For, Until                                  string
}

func (u *UI) caseloadPage(w http.ResponseWriter, r *http.Request, tq api.TeamRequest) error {
	ctx := r.Context()
	p := u.newPage(r, "caseload.title")
	today := u.today()
	cl := u.cfg.Caseload.Coach(domain.StaffID(tq.Identity.User.ID), time.Time{}, today)
	recency := map[domain.FamilyID]int{}
	last := map[domain.FamilyID]domain.Date{}
	for _, c := range u.cfg.Caseload.Contacts(time.Time{}, today) {
		recency[c.FamilyID] = c.DaysWithoutContact
		last[c.FamilyID] = c.LastContact
	}
	noContact := u.cfg.Caseload.Settings(time.Time{}).NoContactDays
	var ids []string
	var rows, covers []caseRow
	for _, f := range cl.Families {
		ids = append(ids, string(f.FamilyID))
		row := caseRow{ID: string(f.FamilyID), Source: string(f.Source), Since: f.Since.String(), Phase: f.Phase}
		if d, ok := last[f.FamilyID]; ok && !d.IsZero() {
			row.LastContact, row.HasContact = d.String(), true
		}
		row.Days = recency[f.FamilyID]
		row.Overdue = row.Days > noContact
		rows = append(rows, row)
	}
	for _, c := range cl.CoverFamilies {
		ids = append(ids, string(c.FamilyID))
		row := caseRow{ID: string(c.FamilyID), For: u.staffName(ctx, string(c.ForCoach)), Until: c.Until.String()}
		if d, ok := last[c.FamilyID]; ok && !d.IsZero() {
			row.LastContact, row.HasContact = d.String(), true
		}
		row.Days = recency[c.FamilyID]
		covers = append(covers, row)
	}
	// Names are personal data: the access events are written before the
	// page is.
	if err := u.s.RecordAccess(r, tq, auth.PartCaseload, ids); err != nil {
		return err
	}
	names := u.names(ctx, p.Lang, ids)
	for i := range rows {
		rows[i].Name = names[rows[i].ID]
	}
	for i := range covers {
		covers[i].Name = names[covers[i].ID]
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Days > rows[j].Days })
	p.Data = map[string]any{"Load": cl, "Rows": rows, "Covers": covers, "NoContactDays": noContact}
	u.render(w, http.StatusOK, "caseload", p)
	return nil
}

// names opens the family names of ids. Call only after their access was
// recorded.
func (u *UI) names(ctx context.Context, lang string, ids []string) map[string]string {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(id), true)
		name := ""
		if err == nil {
			name = familyName(v)
			if v.Erased {
				name = u.txt.tr(lang, "family.erased")
			}
		}
		if name == "" {
			name = id
		}
		out[id] = name
	}
	return out
}

// ---- referral (aanmelding): a new family

func (u *UI) referralForm(lang string) *form {
	return &form{ID: "referral", Title: u.txt.tr(lang, "referral.title"), Submit: u.txt.tr(lang, "referral.submit"), Action: "/aanmelding",
		Fields: []*field{
			{Name: "family_name", Label: u.txt.tr(lang, "referral.family_name"), Type: "text", Required: true},
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
			{Name: "source", Label: u.txt.tr(lang, "referral.source"), Type: "select", Required: true, Options: options(u.txt, lang, "source", domain.ReferralSources())},
			{Name: "referring_org", Label: u.txt.tr(lang, "referral.referring_org"), Type: "text", Required: true},
			{Name: "consent_given", Label: u.txt.tr(lang, "referral.consent_given"), Type: "checkbox"},
			{Name: "problems", Label: u.txt.tr(lang, "referral.problems"), Type: "checkboxes", Values: map[string]bool{}, Options: options(u.txt, lang, "domain", domain.LifeDomains())},
			{Name: "children", Label: u.txt.tr(lang, "referral.children"), Type: "number", Value: "1"},
			{Name: "adults", Label: u.txt.tr(lang, "referral.adults"), Type: "number", Value: "1"},
			{Name: "municipality", Label: u.txt.tr(lang, "referral.municipality"), Type: "text"},
			{Name: "address", Label: u.txt.tr(lang, "referral.address"), Type: "text"},
			{Name: "phone", Label: u.txt.tr(lang, "referral.phone"), Type: "text"},
			{Name: "summary", Label: u.txt.tr(lang, "referral.summary"), Type: "textarea"},
		}}
}

func (u *UI) referralPage(w http.ResponseWriter, r *http.Request) error {
	p := u.newPage(r, "referral.title")
	p.Data = map[string]any{"Form": u.referralForm(p.Lang), "Back": "/"}
	u.render(w, http.StatusOK, "formpage", p)
	return nil
}

func (u *UI) referralPost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	id, _ := api.IdentityFrom(ctx)
	p := u.newPage(r, "referral.title")
	f := u.referralForm(p.Lang)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	fid := domain.FamilyID(u.cfg.NewID())
	cmd := domain.Refer{FamilyID: fid, Date: rd.date("date", true), Source: domain.ReferralSource(rd.str("source", true, 64)),
		ReferringOrg: rd.str("referring_org", true, 200), ConsentGiven: rd.bool("consent_given"), ConsentForm: domain.FormWritten,
		Children: rd.int("children", false), Adults: rd.int("adults", false), Municipality: rd.str("municipality", false, 100),
		Sealed: domain.FamilyReferredSealed{FamilyName: rd.str("family_name", true, 200), Address: rd.str("address", false, 300),
			Phone: rd.str("phone", false, 50), Summary: rd.str("summary", false, 5000)}}
	for _, d := range rd.list("problems") {
		cmd.Problems = append(cmd.Problems, domain.LifeDomain(d))
	}
	role := auth.RoleCoordinator
	if id.User.Has(auth.RoleCoach) {
		role = auth.RoleCoach
	}
	m := ledger.Meta{Actor: store.Actor{UserID: id.User.ID, Role: string(role)}, CorrelationID: ops.RequestID(ctx)}
	return u.submit(w, r, p, f, "/", nil, func() error {
		res, err := u.cfg.Ledger.ExecFamily(ctx, fid, m, cmd)
		if err != nil {
			return err
		}
		return u.cfg.WaitFor(ctx, res.LastPosition)
	}, referralDone(id.User, fid))
}

// referralDone is where a referral leads: the coordinator to the new
// family's trajectory (intake, waiting list), a coach, who sees only the
// families assigned to them, back to the caseload.
func referralDone(user auth.User, fid domain.FamilyID) string {
	if user.Has(auth.RoleCoordinator) {
		return "/gezin/" + url.PathEscape(string(fid)) + "/traject?ok=referral"
	}
	return "/caseload?ok=referral"
}

// ---- trajectory: intake, start, assignment, cover, closure, reopening

func (u *UI) trajectForms(ctx context.Context, lang, fid string, v ledger.FamilyView) []*form {
	base := "/gezin/" + url.PathEscape(fid) + "/traject/"
	today := u.today().String()
	coaches := u.coachOptions(ctx)
	f := v.Family
	var forms []*form
	add := func(id, title string, fields ...*field) {
		forms = append(forms, &form{ID: id, Title: u.txt.tr(lang, title), Submit: u.txt.tr(lang, title), Action: base + id, Fields: fields})
	}
	date := func() *field {
		return &field{Name: "date", Label: u.txt.tr(lang, "traject.date"), Type: "date", Value: today, Required: true}
	}
	switch f.Status {
	case domain.StatusReferred:
		if !f.IntakeHeld {
			add("intake", "traject.intake", date(),
				&field{Name: "attendees", Label: u.txt.tr(lang, "traject.attendees"), Type: "checkboxes", Values: map[string]bool{"parent": true, "coach": true}, Options: options(u.txt, lang, "attendee", domain.Attendees())},
				&field{Name: "coach_id", Label: u.txt.tr(lang, "traject.coach"), Type: "select", Options: coaches},
				&field{Name: "definitive_consent", Label: u.txt.tr(lang, "traject.definitive_consent"), Type: "checkbox", Value: "on"},
				&field{Name: "note", Label: u.txt.tr(lang, "traject.note"), Type: "textarea"})
			add("wachtlijst", "traject.waiting", date())
		} else {
			add("start", "traject.start", date(), &field{Name: "coach_id", Label: u.txt.tr(lang, "traject.coach"), Type: "select", Value: string(f.Coach), Options: coaches})
		}
	case domain.StatusActive:
		add("toewijzen", "traject.assign", date(),
			&field{Name: "coach_id", Label: u.txt.tr(lang, "traject.coach"), Type: "select", Required: true, Options: coaches},
			&field{Name: "reason", Label: u.txt.tr(lang, "traject.reason"), Type: "select", Value: "other", Options: options(u.txt, lang, "assign", []domain.AssignmentReason{domain.AssignFamilyRequest, domain.AssignCoachLeft, domain.AssignWorkload, domain.AssignOther})})
		add("vervanging", "traject.cover",
			&field{Name: "coach_id", Label: u.txt.tr(lang, "traject.coach"), Type: "select", Required: true, Options: coaches},
			&field{Name: "from", Label: u.txt.tr(lang, "traject.from"), Type: "date", Value: today, Required: true},
			&field{Name: "until", Label: u.txt.tr(lang, "traject.until"), Type: "date", Required: true},
			&field{Name: "reason", Label: u.txt.tr(lang, "traject.reason"), Type: "select", Value: "holiday", Options: options(u.txt, lang, "cover", []domain.CoverReason{domain.CoverHoliday, domain.CoverIllness, domain.CoverLeave, domain.CoverOther})})
		add("afsluiten", "traject.close", date(),
			&field{Name: "reason", Label: u.txt.tr(lang, "traject.reason"), Type: "select", Required: true, Options: options(u.txt, lang, "closure", domain.ClosureReasons())},
			&field{Name: "handed_over_to", Label: u.txt.tr(lang, "traject.handed_over_to"), Type: "text", Hint: u.txt.tr(lang, "form.optional")})
	case domain.StatusWaiting:
		add("intake", "traject.intake", date(),
			&field{Name: "attendees", Label: u.txt.tr(lang, "traject.attendees"), Type: "checkboxes", Values: map[string]bool{"parent": true, "coach": true}, Options: options(u.txt, lang, "attendee", domain.Attendees())},
			&field{Name: "coach_id", Label: u.txt.tr(lang, "traject.coach"), Type: "select", Options: coaches},
			&field{Name: "definitive_consent", Label: u.txt.tr(lang, "traject.definitive_consent"), Type: "checkbox", Value: "on"},
			&field{Name: "note", Label: u.txt.tr(lang, "traject.note"), Type: "textarea"})
	case domain.StatusClosed:
		add("heropenen", "traject.reopen", date(),
			&field{Name: "source", Label: u.txt.tr(lang, "traject.source"), Type: "select", Value: string(f.Source), Options: options(u.txt, lang, "source", domain.ReferralSources())})
	}
	return forms
}

func (u *UI) trajectPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "traject.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "traject.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	type coverRow struct{ Coach, For, From, Until string }
	var covers []coverRow
	for _, c := range v.Family.Covers {
		covers = append(covers, coverRow{u.staffName(ctx, string(c.CoachID)), u.staffName(ctx, string(c.ForCoachID)), c.From.String(), c.Last().String()})
	}
	sort.Slice(covers, func(i, j int) bool { return covers[i].From > covers[j].From })
	p.Data = map[string]any{"Head": h, "Family": v.Family, "Covers": covers, "Forms": u.trajectForms(ctx, p.Lang, h.ID, v)}
	if v.Family.Status != domain.StatusClosed && !v.Erased {
		p.Data.(map[string]any)["Member"] = u.memberForm(p.Lang, h.ID)
	}
	u.render(w, http.StatusOK, "traject", p)
	return nil
}

func (u *UI) trajectPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "traject.title")
	v, err := u.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), false)
	if err != nil {
		return err
	}
	action := muxVar(r, "action")
	var f *form
	for _, x := range u.trajectForms(ctx, p.Lang, fr.Family.ID, v) {
		if x.ID == action {
			f = x
		}
	}
	if f == nil {
		// The action does not fit the case's state (any more): say so on the
		// form page rather than losing the request.
		f = &form{ID: action, Title: u.txt.tr(p.Lang, "traject.title"), Error: u.txt.tr(p.Lang, "rule.case.closed")}
		if v.Family.Status != domain.StatusClosed {
			f.Error = u.txt.tr(p.Lang, "error.invalid")
		}
	}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	me := domain.StaffID(fr.Identity.User.ID)
	var cmd domain.FamilyCommand
	switch action {
	case "intake":
		c := domain.HoldIntake{Date: rd.date("date", true), CoachID: domain.StaffID(rd.str("coach_id", false, 100)),
			DefinitiveConsent: rd.bool("definitive_consent"), ConsentForm: domain.FormWritten, Sealed: domain.NoteSealed{Note: rd.str("note", false, 5000)}}
		for _, a := range rd.list("attendees") {
			c.Attendees = append(c.Attendees, domain.Attendee(a))
		}
		cmd = c
	case "wachtlijst":
		cmd = domain.EnterWaitingList{Date: rd.date("date", true)}
	case "start":
		cmd = domain.StartGuidance{Date: rd.date("date", true), AllocationID: domain.AllocationID(u.cfg.NewID()), CoachID: domain.StaffID(rd.str("coach_id", false, 100))}
	case "toewijzen":
		cmd = domain.AssignCoach{Date: rd.date("date", true), CoachID: domain.StaffID(rd.str("coach_id", true, 100)), Reason: domain.AssignmentReason(rd.str("reason", true, 64))}
	case "vervanging":
		cmd = domain.ArrangeCover{CoverID: domain.CoverID(u.cfg.NewID()), CoachID: domain.StaffID(rd.str("coach_id", true, 100)), ForCoachID: v.Family.Coach,
			From: rd.date("from", true), Until: rd.date("until", true), Reason: domain.CoverReason(rd.str("reason", true, 64))}
	case "afsluiten":
		cmd = domain.CloseCase{Date: rd.date("date", true), Reason: domain.ClosureReason(rd.str("reason", true, 64)), HandedOverTo: rd.str("handed_over_to", false, 200), DecidedBy: me}
	case "heropenen":
		cmd = domain.ReopenCase{Date: rd.date("date", true), Source: domain.ReferralSource(rd.str("source", false, 64))}
	default:
		return errNoFamily
	}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/traject"
	return u.submit(w, r, p, f, back, map[string]string{"for_coach_id": "coach_id", "decided_by": "", "allocation_id": ""},
		func() error { return u.exec(r, fr, cmd) }, back+"?ok=traject")
}

func (u *UI) memberForm(lang, fid string) *form {
	return &form{ID: "member", Title: u.txt.tr(lang, "member.add"), Submit: u.txt.tr(lang, "member.add"),
		Action: "/gezin/" + url.PathEscape(fid) + "/gezinslid",
		Fields: []*field{
			{Name: "name", Label: u.txt.tr(lang, "member.name"), Type: "text", Required: true},
			{Name: "role", Label: u.txt.tr(lang, "member.role"), Type: "select", Required: true, Value: string(domain.MemberParent), Options: options(u.txt, lang, "member", domain.MemberRoles())},
			{Name: "birth_year", Label: u.txt.tr(lang, "member.birth_year"), Type: "number"},
			{Name: "phone", Label: u.txt.tr(lang, "referral.phone"), Type: "text", Hint: u.txt.tr(lang, "form.optional")},
		}}
}

func (u *UI) memberPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "traject.title")
	f := u.memberForm(p.Lang, fr.Family.ID)
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.AddMember{MemberID: domain.MemberID(u.cfg.NewID()), Date: u.today(), Role: domain.MemberRole(rd.str("role", true, 32)),
		BirthYear: rd.int("birth_year", false), Sealed: domain.MemberSealed{Name: rd.str("name", true, 200), Phone: rd.str("phone", false, 50)}}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/traject"
	return u.submit(w, r, p, f, back, map[string]string{"member_id": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=member")
}
