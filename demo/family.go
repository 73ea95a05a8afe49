package demo

import (
	"fmt"
	"slices"
	"time"

	"spoor/domain"
)

// famState is what familySteps tracks while it writes a family's steps.
type famState struct {
	members  []domain.MemberID // parents first
	parents  []domain.MemberID
	children []domain.MemberID
	spends   int // spends recorded, for the single reversal
}

func (s *teamSim) coachActor(c int) domainActor {
	return domainActor{s.coaches[c], domain.RoleCoach}
}

func (s *teamSim) coordinatorActor() domainActor {
	return domainActor{s.g.coordinator, domain.RoleCoordinator}
}

// coverOn returns the coach covering on day d under one of the arranged
// absences, or -1.
func coverOn(arranged []absence, d domain.Date) int {
	for _, a := range arranged {
		last := a.until
		if !a.endEarly.IsZero() {
			last = a.endEarly
		}
		if !d.Before(a.from) && !d.After(last) {
			return a.cover
		}
	}
	return -1
}

// familySteps writes the steps of one family.
func (s *teamSim) familySteps(f *fam) {
	g := s.g
	b := &famBuilder{s: s, f: f}
	co := s.coordinatorActor()
	st := &famState{}
	year := g.start.Year()

	// referral, members, the referrer as a professional
	org := referrers()[f.source]
	first := pick(g, firstNames())
	b.add(f.referred, pRefer, co, domain.Refer{
		FamilyID: f.id, Date: f.referred, Source: f.source, ReferringOrg: org[0], ConsentGiven: true, ConsentForm: domain.FormWritten,
		Problems: f.problems, Children: f.kids, Adults: f.parents, Municipality: municipality,
		Sealed: domain.FamilyReferredSealed{
			FamilyName:   "Familie " + f.surname,
			Address:      fmt.Sprintf("%s %d, 9999 %s", pick(g, streets()), g.between(1, 180), municipality),
			Phone:        fmt.Sprintf("0470 00 %02d %02d", g.rng.IntN(100), g.rng.IntN(100)),
			Email:        fmt.Sprintf("%s.%s@voorbeeld.be", lower(first), lower(f.surname)),
			ReferrerName: pick(g, firstNames()) + " " + pick(g, surnames()),
			Summary:      "Aanmelding: " + summary(f),
		},
	})
	for i := range f.parents + f.kids {
		id := domain.MemberID(fmt.Sprintf("m%d", i+1))
		role, by, name := domain.MemberParent, year-g.between(22, 45), first
		if i > 0 && i < f.parents {
			name = pick(g, firstNames())
		}
		if i >= f.parents {
			role, by, name = domain.MemberChild, year-g.between(0, 16), pick(g, childNames())
			st.children = append(st.children, id)
		} else {
			st.parents = append(st.parents, id)
		}
		st.members = append(st.members, id)
		sealed := domain.MemberSealed{Name: name + " " + f.surname}
		if role == domain.MemberParent {
			sealed.Phone = fmt.Sprintf("0470 00 %02d %02d", g.rng.IntN(100), g.rng.IntN(100))
		}
		b.add(f.referred, pMember, co, domain.AddMember{MemberID: id, Date: f.referred, Role: role, BirthYear: by, Sealed: sealed})
	}
	b.add(f.referred, pProfessional, co, domain.AddProfessional{
		ProfessionalID: "p1", Date: f.referred, Organisation: org[0], Category: referrerCategory()[f.source], Role: org[1],
		Sealed: domain.ProfessionalSealed{Name: pick(g, firstNames()) + " " + pick(g, surnames()), Phone: "050 00 00 00", Email: "contact@voorbeeld.be"},
	})

	if f.notTakenIn {
		if !f.waitFrom.IsZero() {
			b.add(f.waitFrom, pWaiting, co, domain.EnterWaitingList{Date: f.waitFrom})
		}
		if !f.waitLeft.IsZero() {
			b.add(f.waitLeft, pWaiting, co, domain.LeaveWaitingList{Date: f.waitLeft, Outcome: domain.WaitingReferredOCJ})
			did := domain.DisclosureID(g.id("disclosure"))
			b.add(f.waitLeft, pDisclose, co, domain.Disclose{
				DisclosureID: did, Date: f.waitLeft, RecipientOrg: "OCJ Demostad", RecipientRole: "consulent", RecipientCategory: domain.RecipientOCJ,
				DataCategories: []domain.DataCategory{domain.DataFamilyComposition, domain.DataSafety}, Purpose: domain.PurposeChildSafety,
				LegalBasis: domain.BasisLegalDuty, DecidedBy: g.coordinator,
				Sealed: domain.DisclosureSealed{Summary: "Melding maatschappelijke noodzaak: het team kon het gezin niet opnemen."},
			})
			b.add(f.waitLeft, pParket, co, domain.RecordParketStep{Step: domain.TypeReferredToOCJ, Date: f.waitLeft, DisclosureID: did})
		}
		b.flush()
		return
	}
	for _, t := range f.trajs {
		s.trajectorySteps(b, f, t, st)
	}
	b.flush()
}

func lower(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case r == ' ':
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

func summary(f *fam) string {
	names := map[domain.LifeDomain]string{
		domain.DomainSafety: "veiligheid", domain.DomainHousing: "wonen", domain.DomainParentsHealth: "gezondheid ouders",
		domain.DomainWork: "werk", domain.DomainIncome: "inkomen", domain.DomainDebts: "schulden",
		domain.DomainSocialCapital: "netwerk", domain.DomainCulturalCapital: "taal en cultuur", domain.DomainChildren: "kinderen",
	}
	out := "zorgen rond"
	for i, d := range f.problems {
		if i > 0 {
			out += ","
		}
		out += " " + names[d]
	}
	return out + "."
}

func (s *teamSim) trajectorySteps(b *famBuilder, f *fam, t *traj, st *famState) {
	g := s.g
	co := s.coordinatorActor()
	if t.number > 1 {
		b.add(t.reopenOn, pReopen, co, domain.ReopenCase{Date: t.reopenOn})
	}
	if !t.waitFrom.IsZero() {
		b.add(t.waitFrom, pWaiting, co, domain.EnterWaitingList{Date: t.waitFrom})
		if !t.takenOn.IsZero() {
			b.add(t.takenOn, pWaiting, co, domain.LeaveWaitingList{Date: t.takenOn, Outcome: domain.WaitingTakenIn})
		}
	}
	if t.takenOn.IsZero() {
		return
	}
	coach := s.coachActor(t.coach)
	att := []domain.Attendee{domain.AttendeeParent, domain.AttendeeCoach}
	if f.source == domain.SourcePolice {
		att = append(att, domain.AttendeePoliceInspector)
	} else {
		att = append(att, domain.AttendeeReferrer)
	}
	b.add(t.intake, pIntake, coach, domain.HoldIntake{Date: t.intake, Attendees: att, CoachID: s.coaches[t.coach], DefinitiveConsent: true, ConsentForm: domain.FormWritten,
		Sealed: domain.NoteSealed{Note: "Intakegesprek bij het gezin thuis; ouders gaan akkoord met de begeleiding."}})
	b.add(t.start, pGuidance, co, domain.StartGuidance{Date: t.start, AllocationID: domain.AllocationID(g.id("alloc")), CoachID: s.coaches[t.coach]})
	police := f.source == domain.SourcePolice
	if police && t.number == 1 {
		b.add(t.start, pParketInformed, co, domain.RecordParketStep{Step: domain.TypeParketInformed, Date: t.start})
	}
	last := t.last(g.end)
	closed := !t.closeOn.IsZero()
	lastActive := last // the last day a case event may be recorded
	if closed {
		lastActive = last.AddDays(-1)
	}
	coachOn := func(d domain.Date) domainActor { return s.coachActor(t.coachOn(d)) }

	// request for another coach
	if !t.changeRequested.IsZero() && !t.changeOn.IsZero() {
		rid := domain.CoachRequestID(g.id("request"))
		b.add(t.changeRequested, pAssign, coachOn(t.changeRequested), domain.RequestCoachChange{RequestID: rid, Date: t.changeRequested, MemberID: st.parents[0],
			Sealed: domain.NoteSealed{Note: "Mama vraagt een andere begeleider; de klik is er niet."}})
		b.add(t.changeOn, pAssign, co, domain.HandleCoachChange{RequestID: rid, Date: t.changeOn, Verdict: domain.VerdictApproved, DecidedBy: g.coordinator})
		b.add(t.changeOn, pAssign, co, domain.AssignCoach{Date: t.changeOn, CoachID: s.coaches[t.changeTo], Reason: domain.AssignFamilyRequest, RequestID: rid})
	}

	// covers during the coach's absences
	var arrangedCovers []absence
	for _, a := range s.absences {
		if a.cover < 0 || t.coachOn(a.from) != a.coach || a.from.Before(t.intake) || !a.from.Before(last) {
			continue
		}
		if !t.changeOn.IsZero() && !a.from.Before(t.changeOn.AddDays(-7)) && a.from.Before(t.changeOn.AddDays(14)) {
			continue
		}
		arranged := weekday(a.from.AddDays(-7))
		if a.reason == domain.CoverIllness {
			arranged = a.from
		}
		if arranged.Before(t.intake) {
			arranged = t.intake
		}
		arrangedCovers = append(arrangedCovers, a)
		cid := domain.CoverID(g.id("cover"))
		b.add(arranged, pCover, co, domain.ArrangeCover{CoverID: cid, CoachID: s.coaches[a.cover], ForCoachID: s.coaches[a.coach], From: a.from, Until: a.until, Reason: a.reason})
		if !a.endEarly.IsZero() && a.endEarly.Before(lastActive) {
			b.add(a.endEarly, pCover, co, domain.EndCover{CoverID: cid, Date: a.endEarly})
		}
	}
	actorOn := func(d domain.Date) (domainActor, domain.Purpose) {
		if c := coverOn(arrangedCovers, d); c >= 0 {
			return s.coachActor(c), domain.PurposeCover
		}
		return coachOn(d), domain.PurposeGuidance
	}

	// contacts (weekly-ish home visits and phone calls) and views
	gapFrom, gapTo := domain.Date{}, domain.Date{}
	if f.idx%10 == 7 && t.number == 1 {
		gapFrom, gapTo = t.start.AddDays(60), t.start.AddDays(100)
	}
	stop := lastActive
	if f.idx%9 == 5 && !closed {
		stop = g.end.AddDays(-30)
	}
	i := 0
	for d := weekday(t.start.AddDays(g.between(1, 4))); !d.After(stop); d = weekday(d.AddDays(g.between(5, 9))) {
		if !gapFrom.IsZero() && !d.Before(gapFrom) && d.Before(gapTo) {
			continue
		}
		by, purpose := actorOn(d)
		dom := f.problems[g.rng.IntN(len(f.problems))]
		doms := []domain.LifeDomain{dom}
		if g.rng.IntN(3) == 0 {
			if o := f.problems[g.rng.IntN(len(f.problems))]; o != dom {
				doms = append(doms, o)
			}
		}
		kind, minutes, with := domain.ContactHomeVisitAnnounced, g.between(45, 90), "ouders"
		switch {
		case i%2 == 1:
			kind, minutes, with = domain.ContactPhone, g.between(5, 25), "mama"
		case g.rng.IntN(5) == 0:
			kind = domain.ContactHomeVisitUnannounced
		case g.rng.IntN(8) == 0:
			kind, with = domain.ContactAccompaniment, "papa"
		}
		notes := contactNotes()[dom]
		cid := domain.ContactID(g.id("contact"))
		b.add(d, pContact, by, domain.LogContact{ContactID: cid, Date: d, Kind: kind, DurationMinutes: minutes, LifeDomains: doms, CoachID: by.id,
			Sealed: domain.ContactSealed{WithWhom: with, Note: notes[g.rng.IntN(len(notes))]}})
		if i == 2 && f.idx%13 == 0 {
			b.add(d.AddDays(1), pContact, by, domain.CorrectContact{ContactID: cid, Date: d, Kind: kind, DurationMinutes: minutes + 15, LifeDomains: doms,
				Sealed: domain.ContactSealed{WithWhom: with, Note: notes[0] + " (aangevuld op vraag van het gezin)"}})
		}
		if g.rng.IntN(2) == 0 {
			b.add(d, pView, by, domain.ViewRecord{FamilyID: f.id, UserID: by.id, Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: purpose})
		}
		i++
	}

	// hulpvragen
	for k, dom := range f.problems[:min(3, len(f.problems))] {
		d := weekday(t.start.AddDays(7 + 21*k))
		if d.After(lastActive) {
			break
		}
		qid := domain.QuestionID(g.id("question"))
		b.add(d, pQuestion, coachOn(d), domain.RaiseQuestion{QuestionID: qid, Date: d, LifeDomain: dom, MemberID: st.parents[0], Sealed: domain.NoteSealed{Note: questionNotes()[dom]}})
		ad := weekday(d.AddDays(g.between(30, 120)))
		if ad.After(lastActive) {
			continue
		}
		out := domain.OutcomeAnswered
		switch r := g.rng.IntN(20); {
		case r < 5:
			out = domain.OutcomePartly
		case r < 8:
			out = domain.OutcomeReferred
		}
		b.add(ad, pQuestion, coachOn(ad), domain.AnswerQuestion{QuestionID: qid, Date: ad, Outcome: out})
	}

	s.assessmentSteps(b, f, t, st, lastActive, coachOn)
	s.privacySteps(b, f, t, st, lastActive, coachOn)
	s.budgetSteps(b, f, t, st, lastActive, coachOn)
	if t.number == 1 && police {
		s.parketSteps(b, f, t, lastActive, coachOn)
	}

	if closed {
		ho := ""
		if t.reason == domain.ClosureHandedOver {
			ho = "Sociaal Huis Demostad, sociale dienst"
		}
		b.add(t.closeOn, pClose, co, domain.CloseCase{Date: t.closeOn, Reason: t.reason, HandedOverTo: ho, DecidedBy: g.coordinator})
		if police && t.reason == domain.ClosurePositive && t.number == 1 && !f.reopenAfter {
			if d := weekday(t.closeOn.AddDays(60)); !d.After(g.end) {
				b.add(d, pAfterClose, co, domain.ClosePoliceFile{Date: d})
			}
		}
	}
}

// levels returns the leefsituatie levels (1 worst .. 5 best) at T0.
func (s *teamSim) levels(f *fam) []int {
	g := s.g
	out := make([]int, 9)
	for i, d := range domain.LifeDomains() {
		l := g.between(3, 5)
		if slices.Contains(f.problems, d) {
			l = g.between(1, 3)
			if f.source == domain.SourcePolice && g.rng.IntN(2) == 0 {
				l = max(1, l-1)
			}
		}
		out[i] = l
	}
	return out
}

func (s *teamSim) assessmentSteps(b *famBuilder, f *fam, t *traj, st *famState, lastActive domain.Date, coachOn func(domain.Date) domainActor) {
	g := s.g
	t0 := weekday(t.start.AddDays(10))
	if t0.After(lastActive) {
		return
	}
	lv := s.levels(f)
	answers := func(changedOnly []int, prev []int) []domain.ItemAnswer {
		var out []domain.ItemAnswer
		for i, d := range domain.LifeDomains() {
			if prev != nil && changedOnly[i] == prev[i] {
				continue
			}
			if changedOnly[i] == 0 {
				out = append(out, domain.ItemAnswer{Item: string(d), Status: domain.AnswerNotAssessed})
				continue
			}
			out = append(out, domain.ItemAnswer{Item: string(d), Status: domain.AnswerScored, Level: changedOnly[i]})
		}
		return out
	}
	if f.idx%12 == 3 {
		lv[7] = 0 // cultural capital not assessed
	}
	reg := func(d domain.Date, m domain.AssessmentMoment, items []domain.ItemAnswer) {
		by := coachOn(d)
		b.add(d, pAssessment, by, domain.RegisterAssessment{AssessmentID: domain.AssessmentID(g.id("assessment")), Date: d, InstrumentID: domain.LeefsituatieID, InstrumentVersion: 1, Moment: m, Items: items, CoachID: by.id})
	}
	reg(t0, domain.MomentT0, answers(lv, nil))
	// quarterly reviews: a few domains move
	cur := slices.Clone(lv)
	for d := weekday(t0.AddDays(88)); !d.After(lastActive.AddDays(-10)); d = weekday(d.AddDays(88)) {
		next := slices.Clone(cur)
		for k := 0; k < 2; k++ {
			i := g.rng.IntN(9)
			if next[i] > 0 && next[i] < 5 {
				next[i]++
			}
		}
		if slices.Equal(next, cur) {
			i := slices.IndexFunc(next, func(l int) bool { return l > 1 })
			next[i]--
		}
		reg(d, domain.MomentReview, answers(next, cur))
		cur = next
	}
	if !t.closeOn.IsZero() {
		t1 := weekday(t.closeOn.AddDays(-6))
		if t1.After(t0) {
			next := slices.Clone(cur)
			for i := range next {
				if next[i] == 0 {
					continue
				}
				switch t.reason {
				case domain.ClosurePositive:
					next[i] = min(5, next[i]+g.between(0, 2))
				case domain.ClosureHandedOver:
					next[i] = min(5, next[i]+g.between(0, 1))
				default:
					next[i] = max(1, min(5, next[i]+g.between(-1, 1)))
				}
			}
			all := answers(next, nil)
			if t.number == 1 && f.idx%12 == 3 {
				all[7] = domain.ItemAnswer{Item: string(domain.DomainCulturalCapital), Status: domain.AnswerScored, Level: 3}
			}
			reg(t1, domain.MomentT1, all)
		}
	}
	if f.idx%3 != 0 || t.number != 1 {
		return
	}
	// CEBUD's Sociale Balans: household, each parent, each child
	c0 := weekday(t0.AddDays(2))
	if c0.After(lastActive) {
		return
	}
	var items []domain.ItemAnswer
	for _, it := range cebudHousehold() {
		items = append(items, domain.ItemAnswer{Item: it, Status: domain.AnswerScored, Level: g.between(1, 4)})
	}
	for _, m := range st.parents {
		for _, it := range cebudAdult() {
			items = append(items, domain.ItemAnswer{Item: it, Member: m, Status: domain.AnswerScored, Level: g.between(1, 4)})
		}
	}
	for _, m := range st.children {
		for _, it := range cebudChild() {
			items = append(items, domain.ItemAnswer{Item: it, Member: m, Status: domain.AnswerScored, Level: g.between(2, 5)})
		}
	}
	creg := func(d domain.Date, m domain.AssessmentMoment, items []domain.ItemAnswer, text string) {
		by := coachOn(d)
		var sealed domain.AssessmentSealed
		if text != "" {
			sealed.Texts = []domain.ItemText{{Item: items[0].Item, Member: items[0].Member, Text: text}}
		}
		b.add(d, pAssessment, by, domain.RegisterAssessment{AssessmentID: domain.AssessmentID(g.id("assessment")), Date: d, InstrumentID: "cebud_sociale_balans", InstrumentVersion: 1, Moment: m, Items: items, CoachID: by.id, Sealed: sealed})
	}
	creg(c0, domain.MomentT0, items, "Huur is te hoog voor het inkomen; zoektocht naar sociale woning loopt.")
	cur2 := items
	for d := weekday(c0.AddDays(90)); !d.After(lastActive); d = weekday(d.AddDays(90)) {
		var changed []domain.ItemAnswer
		for k := range cur2 {
			if cur2[k].Level < 5 && g.rng.IntN(4) == 0 {
				cur2[k].Level++
				changed = append(changed, cur2[k])
			}
		}
		if len(changed) == 0 {
			continue
		}
		creg(d, domain.MomentReview, changed, "")
	}
}

func (s *teamSim) privacySteps(b *famBuilder, f *fam, t *traj, st *famState, lastActive domain.Date, coachOn func(domain.Date) domainActor) {
	g := s.g
	if t.number != 1 {
		return
	}
	if f.idx%2 == 0 {
		cd := weekday(t.start.AddDays(21))
		dd := weekday(t.start.AddDays(28))
		if dd.After(lastActive) {
			return
		}
		cid := domain.ConsentID(g.id("consent"))
		b.add(cd, pConsent, coachOn(cd), domain.GiveConsent{ConsentID: cid, Date: cd, GrantorID: st.parents[0], Form: domain.FormWritten,
			Scope: domain.ConsentScope{Action: domain.ActionShare, RecipientOrg: "Sociaal Huis Demostad", RecipientCategory: domain.RecipientOCMW, Purpose: domain.PurposeDebtMediation,
				DataCategories: []domain.DataCategory{domain.DataIncome, domain.DataDebts}, From: cd, Until: cd.AddDays(365)},
			Sealed: domain.NoteSealed{Note: "Mama tekent de toestemming; wil niet dat de school iets hoort over de schulden."}})
		did := domain.DisclosureID(g.id("disclosure"))
		by := coachOn(dd)
		b.add(dd, pDisclose, by, domain.Disclose{DisclosureID: did, Date: dd, RecipientOrg: "Sociaal Huis Demostad", RecipientRole: "schuldbemiddelaar", RecipientCategory: domain.RecipientOCMW,
			DataCategories: []domain.DataCategory{domain.DataIncome, domain.DataDebts}, Purpose: domain.PurposeDebtMediation, LegalBasis: domain.BasisConsent, ConsentID: cid,
			Members: []domain.MemberID{st.parents[0]}, DecidedBy: by.id, Sealed: domain.DisclosureSealed{Summary: "Overzicht van inkomsten en openstaande schulden doorgegeven."}})
		if f.idx%9 != 4 {
			b.add(dd, pInform, by, domain.InformFamily{DisclosureID: did, Date: dd, Form: domain.FormVerbal})
		}
		if f.idx%17 == 6 {
			if wd := weekday(dd.AddDays(50)); !wd.After(lastActive) {
				b.add(wd, pConsent, coachOn(wd), domain.WithdrawConsent{ConsentID: cid, Date: wd, Form: domain.FormVerbal})
			}
		}
	}
	if f.idx%11 == 1 {
		cd := weekday(t.start.AddDays(22))
		if !cd.After(lastActive) {
			b.add(cd, pConsent, coachOn(cd), domain.RefuseConsent{ConsentID: domain.ConsentID(g.id("consent")), Date: cd, GrantorID: st.parents[0], Form: domain.FormVerbal,
				Scope: domain.ConsentScope{Action: domain.ActionShare, RecipientCategory: domain.RecipientSchool, Purpose: domain.PurposeSchool,
					DataCategories: []domain.DataCategory{domain.DataMentalHealth}, From: cd, Until: cd.AddDays(365)}})
		}
	}
	if f.idx%8 == 3 {
		rd := weekday(t.start.AddDays(30))
		ad := weekday(rd.AddDays(4))
		if ad.After(lastActive) {
			return
		}
		rid := domain.InfoRequestID(g.id("inforequest"))
		b.add(rd, pConsent, coachOn(rd), domain.ReceiveInfoRequest{RequestID: rid, Date: rd, FromOrg: "CLB Demostad", FromRole: "CLB-medewerker", FromCategory: domain.RecipientCLB,
			DataCategories: []domain.DataCategory{domain.DataSchool}, Purpose: domain.PurposeSchool, Sealed: domain.NoteSealed{Note: "CLB vraagt hoe het thuis gaat met de schoolgang."}})
		by := coachOn(ad)
		if f.idx%16 == 11 {
			b.add(ad, pDisclose, by, domain.RefuseInfoRequest{RequestID: rid, Date: ad, Reason: domain.RefusalNoConsent, DecidedBy: by.id})
			return
		}
		did := domain.DisclosureID(g.id("disclosure"))
		b.add(ad, pDisclose, by, domain.Disclose{DisclosureID: did, Date: ad, RecipientOrg: "CLB Demostad", RecipientRole: "CLB-medewerker", RecipientCategory: domain.RecipientCLB,
			DataCategories: []domain.DataCategory{domain.DataSchool}, Purpose: domain.PurposeSchool, LegalBasis: domain.BasisSharedSecrecy, DecidedBy: by.id, InfoRequestID: rid,
			Sealed: domain.DisclosureSealed{Summary: "Schoolgang is verbeterd; afspraken met de ouders doorgegeven."}})
		b.add(ad, pInform, by, domain.InformFamily{DisclosureID: did, Date: ad, Form: domain.FormVerbal})
	}
}

func (s *teamSim) budgetSteps(b *famBuilder, f *fam, t *traj, st *famState, lastActive domain.Date, coachOn func(domain.Date) domainActor) {
	g := s.g
	co := s.coordinatorActor()
	left := s.settings.Allocations[f.source]
	n := g.between(0, 2)
	if f.source == domain.SourcePolice {
		n = g.between(3, 6)
	}
	meeting := nextWeekday(t.start.AddDays(14), time.Tuesday)
	for j := 0; j < n; j++ {
		if meeting.AddDays(2).After(lastActive) || left < 1500 {
			break
		}
		k := pick(g, spendKinds())
		amount := min(g.between64(k.min, k.max), left)
		left -= amount
		sid := domain.SpendID(g.id("spend"))
		just := domain.JustificationSealed{Justification: k.note}
		rec := domain.RecordSpend{SpendID: sid, AmountCents: amount, Instrument: domain.InstrumentMaatbudget, Category: k.category, Supplier: k.supplier, ReceiptRef: g.id("bon"), Sealed: just}
		var recDay domain.Date
		switch {
		case j == 1 && f.source == domain.SourcePolice && meeting.AddDays(-4).After(t.start):
			recDay = meeting.AddDays(-4) // the Friday before: bought urgently
			rec.Path, rec.ProposedBy = domain.PathUrgent, coachOn(recDay).id
			rec.Date = recDay
			b.add(recDay, pSpend, coachOn(recDay), rec)
			b.add(meeting, pSpendFollow, co, domain.ReviewSpend{SpendID: sid, Date: meeting, Verdict: domain.VerdictApproved, ReviewedBy: g.coordinator})
		case j == 2 && meeting.AddDays(-7).After(t.start):
			pd := meeting.AddDays(-7)
			by := coachOn(pd)
			b.add(pd, pSpend, by, domain.ProposeSpend{SpendID: sid, Date: pd, AmountCents: amount, Instrument: domain.InstrumentMaatbudget, Category: k.category, ProposedBy: by.id, Sealed: just})
			b.add(meeting, pSpend, co, domain.DecideSpend{SpendID: sid, Date: meeting, Verdict: domain.VerdictApproved, Body: domain.BodyTeam, DecidedBy: g.coordinator})
			recDay = meeting.AddDays(1)
			rec.Date, rec.Path, rec.ProposedBy = recDay, domain.PathTeamDecision, by.id
			b.add(recDay, pSpend, coachOn(recDay), rec)
		default:
			recDay = meeting.AddDays(1)
			rec.Date, rec.Path, rec.DecidedOn, rec.Body, rec.ProposedBy = recDay, domain.PathTeamDecision, meeting, domain.BodyTeam, coachOn(recDay).id
			b.add(recDay, pSpend, coachOn(recDay), rec)
		}
		st.spends++
		if st.spends == 2 && f.idx == s.firstPolice() && t.number == 1 {
			rd := weekday(recDay.AddDays(10))
			if !rd.After(lastActive) {
				b.add(rd, pSpendFollow, co, domain.ReverseSpend{SpendID: sid, Date: rd, Reason: domain.ReversalRefunded, Sealed: domain.NoteSealed{Note: "Bedrag teruggestort door de leverancier."}})
			}
		}
		meeting = meeting.AddDays(7 * g.between(3, 6))
	}
	if f.idx%4 == 2 {
		pd := weekday(t.start.AddDays(40))
		dd := weekday(pd.AddDays(1))
		rd := weekday(dd.AddDays(2))
		if rd.After(lastActive) {
			return
		}
		kinds := delegatedKinds()
		k := kinds[f.idx%len(kinds)]
		sid := domain.SpendID(g.id("spend"))
		amount := g.between64(k.min, k.max)
		by := coachOn(pd)
		b.add(pd, pSpend, by, domain.ProposeSpend{SpendID: sid, Date: pd, AmountCents: amount, Instrument: domain.InstrumentDelegatedDecision, Category: k.category, ProposedBy: by.id,
			Sealed: domain.JustificationSealed{Justification: "Gedelegeerde beslissing: factuur die het gezin niet kan betalen."}})
		b.add(dd, pSpend, co, domain.DecideSpend{SpendID: sid, Date: dd, Verdict: domain.VerdictApproved, Body: domain.BodyCoordinator, DecidedBy: g.coordinator})
		b.add(rd, pSpend, coachOn(rd), domain.RecordSpend{SpendID: sid, Date: rd, AmountCents: amount, Instrument: domain.InstrumentDelegatedDecision, Category: k.category, Supplier: k.supplier,
			ReceiptRef: g.id("factuur"), Path: domain.PathTeamDecision, ProposedBy: by.id})
	}
}

// firstPolice is the index of the team's first police-referred family that
// is taken in: it gets the year's one reversal.
func (s *teamSim) firstPolice() int {
	for _, f := range s.fams {
		if f.source == domain.SourcePolice && !f.notTakenIn && len(f.trajs) > 0 && !f.trajs[0].takenOn.IsZero() {
			return f.idx
		}
	}
	return -1
}

// worryFamily is the team's family with the confidential worry report.
func (s *teamSim) worryFamily() int {
	for _, f := range s.fams {
		if f.source == domain.SourcePolice && f.idx%3 == 1 && len(f.trajs) > 0 && !f.trajs[0].takenOn.IsZero() {
			t := f.trajs[0]
			if !weekday(t.start.AddDays(90)).After(t.last(s.g.end).AddDays(-1)) {
				return f.idx
			}
		}
	}
	return -1
}

// openRequestFamily is the team's police family with a status request
// still open (due soon) at the end of the year.
func (s *teamSim) openRequestFamily() int {
	for i := len(s.fams) - 1; i >= 0; i-- {
		f := s.fams[i]
		if f.source == domain.SourcePolice && f.idx%3 != 0 && len(f.trajs) > 0 && !f.trajs[0].takenOn.IsZero() && f.trajs[0].closeOn.IsZero() && f.trajs[0].start.Before(s.g.end.AddDays(-30)) && f.idx != s.worryFamily() {
			return f.idx
		}
	}
	return -1
}

func (s *teamSim) parketSteps(b *famBuilder, f *fam, t *traj, lastActive domain.Date, coachOn func(domain.Date) domainActor) {
	g := s.g
	co := s.coordinatorActor()
	parket := func(d domain.Date, did domain.DisclosureID, summary string, basis domain.LegalBasis, purpose domain.Purpose, conf bool, by domainActor, cats ...domain.DataCategory) {
		b.add(d, pDisclose, by, domain.Disclose{DisclosureID: did, Date: d, RecipientOrg: "Parket Demostad, sectie jeugd", RecipientRole: "jeugdmagistraat", RecipientCategory: domain.RecipientParket,
			DataCategories: cats, Purpose: purpose, LegalBasis: basis, DecidedBy: by.id, Confidential: conf, Sealed: domain.DisclosureSealed{Summary: summary}})
	}
	if f.idx%3 == 0 {
		rq := weekday(t.start.AddDays(100))
		rep := weekday(rq.AddDays(14))
		if !rep.After(lastActive) {
			rid := domain.ParketRequestID(g.id("parketrequest"))
			b.add(rq, pParket, co, domain.RecordParketStep{Step: domain.TypeParketStatusRequested, Date: rq, RequestID: rid, DueDate: rq.AddDays(28)})
			did := domain.DisclosureID(g.id("disclosure"))
			by := coachOn(rep)
			parket(rep, did, "Stand van zaken: begeleiding loopt, gezin werkt goed mee.", domain.BasisParketRequest, domain.PurposeParketStatus, false, by, domain.DataGuidanceProgress)
			b.add(rep, pInform, by, domain.InformFamily{DisclosureID: did, Date: rep, Form: domain.FormVerbal})
			b.add(rep, pParket, co, domain.RecordParketStep{Step: domain.TypeParketStatusReported, Date: rep, RequestID: rid, DisclosureID: did})
		}
	}
	if f.idx == s.worryFamily() {
		wd := weekday(t.start.AddDays(90))
		did := domain.DisclosureID(g.id("disclosure"))
		parket(wd, did, "Zorgwekkende signalen over de veiligheid van de jongste.", domain.BasisDanger458bis, domain.PurposeChildSafety, true, co, domain.DataSafety, domain.DataFamilyComposition)
		b.add(wd, pParket, co, domain.RecordParketStep{Step: domain.TypeParketWorryReported, Date: wd, DisclosureID: did})
		if ld := weekday(wd.AddDays(35)); !ld.After(lastActive) {
			b.add(ld, pInform, co, domain.LiftConfidentiality{DisclosureID: did, Date: ld, DecidedBy: g.coordinator})
			b.add(ld, pInform, co, domain.InformFamily{DisclosureID: did, Date: ld, Form: domain.FormVerbal})
		}
	}
	if f.idx == s.openRequestFamily() {
		rq := weekday(g.end.AddDays(-20))
		if rq.After(t.start) {
			b.add(rq, pParket, co, domain.RecordParketStep{Step: domain.TypeParketStatusRequested, Date: rq, RequestID: domain.ParketRequestID(g.id("parketrequest")), DueDate: rq.AddDays(28)})
		}
	}
	if f.idx%5 == 0 {
		d := weekday(lastActive.AddDays(-3))
		if d.After(t.start) {
			b.add(d, pPolice, co, domain.RecordPoliceFacts{Date: d, PeriodFrom: f.referred, PeriodUntil: d, Interventions: g.between(0, 4), InitialReports: g.between(0, 3), FollowUpReports: g.between(0, 5), Kantschriften: g.between(0, 2)})
			b.add(d, pPolice, co, domain.RecordCostAvoidance{RecordID: domain.CostRecordID(g.id("cost")), Date: d, PeriodFrom: f.referred, PeriodUntil: d, Category: domain.CostPolice,
				ActualCents: g.between64(80_000, 250_000), ComparisonCents: g.between64(300_000, 700_000), Basis: "vergelijkbaar_gezin_politiezone",
				Interventions: g.between(0, 4), InitialReports: g.between(0, 3), FollowUpReports: g.between(0, 5), Kantschriften: g.between(0, 2)})
		}
	}
}

// accessSteps adds the team's access events beyond the coaches' daily
// views: the coordinator's quarterly budget reviews, a break-the-glass view
// at night, a refused attempt by the back office, the privacy officer's
// audit and an art. 15 export.
func (s *teamSim) accessSteps() {
	g := s.g
	active := func(d domain.Date) []*fam {
		var out []*fam
		for _, f := range s.fams {
			for _, t := range f.trajs {
				if !t.takenOn.IsZero() && !d.Before(t.start) && !d.After(t.last(g.end).AddDays(-1)) {
					out = append(out, f)
				}
			}
		}
		return out
	}
	add := func(at time.Time, by domainActor, f domain.FamilyID, cmd any) {
		g.steps = append(g.steps, Step{At: at, Actor: by.actor(), Family: f, Cmd: cmd})
	}
	co := s.coordinatorActor()
	for q := 1; q <= 4; q++ {
		d := weekday(g.start.AddDays(91*q - 3))
		if d.After(g.end) {
			break
		}
		for i, f := range active(d) {
			if i >= 12 {
				break
			}
			add(g.at(d, 360+2*i), co, f.id, domain.ViewRecord{FamilyID: f.id, UserID: g.coordinator, Role: domain.RoleCoordinator, Part: domain.PartBudget, Purpose: domain.PurposeTeamReview})
		}
	}
	po := domainActor{g.privacy, domain.RolePrivacyOfficer}
	if fs := active(g.start.AddDays(130)); len(fs) > 0 {
		sat := nextWeekday(g.start.AddDays(130), time.Saturday)
		f := fs[0]
		var t *traj
		for _, tr := range f.trajs {
			if !tr.takenOn.IsZero() && !tr.start.After(sat) {
				t = tr // the trajectory under way on that Saturday
			}
		}
		own := t.coachOn(sat)
		other := s.coachActor((own + 3) % len(s.coaches))
		add(g.at(sat, 14*60+10), other, f.id, domain.ViewRecord{FamilyID: f.id, UserID: other.id, Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeChildSafety,
			BreakGlass: true, Reason: domain.GlassUrgentSafety, Sealed: domain.NoteSealed{Note: "Politie belt 's avonds: acute zorg over de kinderen, eigen coach onbereikbaar."}})
		mon := nextWeekday(sat, time.Monday)
		add(g.at(mon, 60), po, f.id, domain.ViewRecord{FamilyID: f.id, UserID: g.privacy, Role: domain.RolePrivacyOfficer, Part: domain.PartAccessLog, Purpose: domain.PurposeAudit})
	}
	if fs := active(g.start.AddDays(150)); len(fs) > 1 {
		d := weekday(g.start.AddDays(150))
		add(g.at(d, 125), domainActor{g.backoffice, domain.RoleBackOffice}, fs[1].id, domain.RefuseAccess{FamilyID: fs[1].id, UserID: g.backoffice, Role: domain.RoleBackOffice,
			Part: domain.PartTimeline, Purpose: domain.PurposeDebtMediation, Rule: "role.back_office_no_case_file"})
	}
	if len(s.fams) > 10 {
		d := weekday(g.end.AddDays(-30))
		f := s.fams[10]
		add(g.at(d, 200), po, f.id, domain.MakeExport{ExportID: domain.ExportID(g.id("export")), FamilyID: f.id, UserID: g.privacy, Role: domain.RolePrivacyOfficer,
			Kind: domain.ExportArt15, Purpose: domain.PurposeAccessRequest, Format: "pdf"})
	}
}
