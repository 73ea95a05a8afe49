package web

import (
	"net/http"
	"net/url"
	"sort"

	"spoor/api"
	"spoor/domain"
)

// The family's questions for help (hulpvragen): the coach works from them,
// without a plan fixed at the start.

func (u *UI) questionForm(lang, fid string, h familyHead) *form {
	members := []option{{Value: "", Label: u.txt.tr(lang, "question.whole_family")}}
	for _, m := range h.Members {
		members = append(members, option{Value: m.ID, Label: m.Name})
	}
	return &form{ID: "question", Title: u.txt.tr(lang, "question.raise"), Submit: u.txt.tr(lang, "question.raise"),
		Action: "/gezin/" + url.PathEscape(fid) + "/hulpvragen",
		Fields: []*field{
			{Name: "note", Label: u.txt.tr(lang, "question.text"), Type: "textarea", Required: true},
			{Name: "life_domain", Label: u.txt.tr(lang, "timeline.domain"), Type: "select", Required: true, Options: options(u.txt, lang, "domain", domain.LifeDomains())},
			{Name: "member_id", Label: u.txt.tr(lang, "question.member"), Type: "select", Value: "", Options: members},
			{Name: "date", Label: u.txt.tr(lang, "contact.date"), Type: "date", Value: u.today().String(), Required: true},
		}}
}

type questionRow struct {
	ID, Date, Domain, Text, Outcome string
	Open                            bool
}

func (u *UI) questionsPage(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	p := u.newPage(r, "question.title")
	h := u.head(ctx, p, v, seesContent(fr))
	p.Title = u.txt.tr(p.Lang, "question.title") + " · " + h.Name
	u.familyNav(p, h.ID, r.URL.Path)
	texts := map[domain.QuestionID]string{}
	for _, rec := range v.Records {
		if e, ok := rec.Event.(domain.QuestionRaised); ok {
			texts[e.QuestionID] = e.Sealed.Note
		}
	}
	var rows []questionRow
	for id, q := range v.Family.Questions {
		row := questionRow{ID: string(id), Date: q.Date.String(), Domain: p.L("domain", q.LifeDomain), Text: texts[id], Open: !q.Answered}
		if v.Erased {
			row.Text = u.txt.tr(p.Lang, "family.erased")
		}
		if q.Answered {
			row.Outcome = p.L("qoutcome", q.Outcome)
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Open != rows[j].Open {
			return rows[i].Open
		}
		return rows[i].Date > rows[j].Date || rows[i].Date == rows[j].Date && rows[i].ID < rows[j].ID
	})
	p.Data = map[string]any{"Head": h, "Rows": rows, "Form": u.questionForm(p.Lang, h.ID, h),
		"Outcomes": []domain.QuestionOutcome{domain.OutcomeAnswered, domain.OutcomePartly, domain.OutcomeReferred, domain.OutcomeWithdrawn}}
	u.render(w, http.StatusOK, "questions", p)
	return nil
}

func (u *UI) questionPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	ctx := r.Context()
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "question.title")
	v, err := u.load(ctx, fr.Family.ID)
	if err != nil {
		return err
	}
	f := u.questionForm(p.Lang, fr.Family.ID, u.head(ctx, p, v, seesContent(fr)))
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.RaiseQuestion{QuestionID: domain.QuestionID(u.cfg.NewID()), Date: rd.date("date", true),
		LifeDomain: domain.LifeDomain(rd.str("life_domain", true, 64)), MemberID: domain.MemberID(rd.str("member_id", false, 100)),
		Sealed: domain.NoteSealed{Note: rd.str("note", true, 5000)}}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/hulpvragen"
	return u.submit(w, r, p, f, back, map[string]string{"question_id": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=question")
}

func (u *UI) answerPost(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "question.title")
	f := &form{ID: "answer", Title: u.txt.tr(p.Lang, "question.answer"), Submit: u.txt.tr(p.Lang, "question.answer"), Action: r.URL.Path,
		Fields: []*field{{Name: "outcome", Label: u.txt.tr(p.Lang, "question.outcome"), Type: "select", Required: true,
			Options: options(u.txt, p.Lang, "qoutcome", []domain.QuestionOutcome{domain.OutcomeAnswered, domain.OutcomePartly, domain.OutcomeReferred, domain.OutcomeWithdrawn})}}}
	f.fill(vals)
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	cmd := domain.AnswerQuestion{QuestionID: domain.QuestionID(muxVar(r, "item")), Date: u.today(), Outcome: domain.QuestionOutcome(rd.str("outcome", true, 32))}
	back := "/gezin/" + url.PathEscape(fr.Family.ID) + "/hulpvragen"
	return u.submit(w, r, p, f, back, map[string]string{"question_id": ""}, func() error { return u.exec(r, fr, cmd) }, back+"?ok=answered")
}
