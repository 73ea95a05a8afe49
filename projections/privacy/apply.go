package privacy

import (
	"time"

	"spoor/domain"
	"spoor/projections"
)

// Apply folds one fact; it ignores what the model does not need.
func (m *Model) Apply(f *projections.Fact) {
	id, ok := f.Family()
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch e := f.Event.(type) {
	case domain.RecordViewed:
		m.addAccess(f, Access{Kind: KindView, FamilyID: id, UserID: e.UserID, Role: e.Role, Part: e.Part, ItemID: e.ItemID, Purpose: e.Purpose, BreakGlass: e.BreakGlass, Reason: e.Reason})
	case domain.RecordAccessRefused:
		m.addAccess(f, Access{Kind: KindRefused, FamilyID: id, UserID: e.UserID, Role: e.Role, Part: e.Part, ItemID: e.ItemID, Purpose: e.Purpose, Rule: e.Rule})
	case domain.ExportMade:
		m.addAccess(f, Access{Kind: KindExport, FamilyID: id, UserID: e.UserID, Role: e.Role, Part: domain.PartExport, Purpose: e.Purpose, ExportKind: e.Kind, Format: e.Format})
	default:
		m.applyFamily(f, id)
	}
}

func (m *Model) family(id domain.FamilyID, at time.Time) *Family {
	fam, ok := m.st.Families[id]
	if !ok {
		fam = &Family{FirstAt: at}
		fam.index()
		m.st.Families[id] = fam
	}
	return fam
}

func (m *Model) addAccess(f *projections.Fact, a Access) {
	a.Position, a.At = f.Position, f.RecordedAt
	day := domain.DateOf(f.RecordedAt.In(m.opts.Location))
	if a.Kind != KindRefused && a.Role == domain.RoleCoach {
		a.OutsideCaseload = !m.inCaseload(a.FamilyID, a.UserID, day)
	}
	m.index(a, day)
}

// index appends a (of local day) to the log and its indexes, counting its
// user's day.
func (m *Model) index(a Access, day domain.Date) {
	a.DayFamilies = m.tally(&a, dayKey(day))
	i := m.log.add(a)
	m.byFam[a.FamilyID] = append(m.byFam[a.FamilyID], i)
	m.byUsr[a.UserID] = append(m.byUsr[a.UserID], i)
}

// inCaseload reports whether user is, as folded so far, the coach of the
// family's open case or covers it on day.
func (m *Model) inCaseload(id domain.FamilyID, user domain.StaffID, day domain.Date) bool {
	fam, ok := m.st.Families[id]
	if !ok {
		return false
	}
	if !fam.Closed && fam.Coach == user {
		return true
	}
	for _, c := range fam.Covers {
		if c.CoachID == user && !day.Before(c.From) && !day.After(c.Last) {
			return true
		}
	}
	return false
}

// held records one record of kind on date and the data categories it
// implies.
func (fam *Family) held(kind RecordKind, d domain.Date, at time.Time, cats ...domain.DataCategory) {
	if fam.Held == nil {
		fam.Held = map[RecordKind]*Held{}
	}
	h, ok := fam.Held[kind]
	if !ok {
		h = &Held{}
		fam.Held[kind] = h
	}
	h.Days = append(h.Days, dayKey(d))
	h.Ats = append(h.Ats, at.UnixNano())
	for _, c := range cats {
		fam.category(c, at)
	}
}

func (fam *Family) category(c domain.DataCategory, at time.Time) {
	bit := catBit(c)
	if fam.catMask&bit != 0 {
		return
	}
	fam.catMask |= bit
	if fam.CatSince == nil {
		fam.CatSince = map[domain.DataCategory]time.Time{}
	}
	if _, ok := fam.CatSince[c]; !ok {
		fam.CatSince[c] = at
	}
}

// domainCategory maps a life domain onto the data category that holds it
// (social and cultural capital are part of the guidance's progress).
func domainCategory(d domain.LifeDomain) domain.DataCategory {
	switch d {
	case domain.DomainSafety:
		return domain.DataSafety
	case domain.DomainHousing:
		return domain.DataHousing
	case domain.DomainParentsHealth:
		return domain.DataHealth
	case domain.DomainWork:
		return domain.DataWork
	case domain.DomainIncome:
		return domain.DataIncome
	case domain.DomainDebts:
		return domain.DataDebts
	case domain.DomainChildren:
		return domain.DataChildcare
	}
	return domain.DataGuidanceProgress
}

func (fam *Family) domains(ds []domain.LifeDomain, at time.Time) {
	for _, d := range ds {
		fam.category(domainCategory(d), at)
	}
}

func (m *Model) applyFamily(f *projections.Fact, id domain.FamilyID) {
	at := f.RecordedAt
	fam := m.family(id, at)
	switch e := f.Event.(type) {
	case domain.FamilyReferred:
		fam.held(RecReferral, e.Date, at, domain.DataIdentity, domain.DataContactDetails, domain.DataFamilyComposition)
		fam.domains(e.Problems, at)
	case domain.WaitingListEntered:
		fam.held(RecWaitingList, e.Date, at)
	case domain.WaitingListLeft:
		fam.held(RecWaitingList, e.Date, at)
	case domain.IntakeHeld:
		fam.held(RecIntake, e.Date, at, domain.DataGuidanceProgress)
		if fam.Coach == "" && e.CoachID != "" {
			fam.Coach = e.CoachID
		}
	case domain.GuidanceStarted:
		fam.held(RecGuidance, e.Date, at)
	case domain.CoachAssigned:
		fam.held(RecCoach, e.Date, at)
		fam.Coach = e.CoachID
	case domain.CoverArranged:
		fam.held(RecCoach, e.From, at)
		fam.Covers = append(fam.Covers, Cover{ID: e.CoverID, CoachID: e.CoachID, From: e.From, Last: e.Until})
	case domain.CoverEnded:
		for i := range fam.Covers {
			if fam.Covers[i].ID == e.CoverID {
				fam.Covers[i].Last = e.Date
			}
		}
	case domain.CoachChangeRequested:
		fam.held(RecCoach, e.Date, at)
	case domain.CaseClosed:
		fam.held(RecClosure, e.Date, at)
		fam.Closed = true
		for i := range fam.Covers {
			if fam.Covers[i].Last.After(e.Date) {
				fam.Covers[i].Last = e.Date
			}
		}
	case domain.CaseReopened:
		fam.held(RecClosure, e.Date, at)
		fam.Closed, fam.Coach = false, ""
	case domain.PoliceFileClosed:
		fam.held(RecPoliceFile, e.Date, at, domain.DataPoliceJustice)
	case domain.PoliceFileReopened:
		fam.held(RecPoliceFile, e.Date, at, domain.DataPoliceJustice)
	case domain.MemberAdded:
		fam.held(RecMembers, e.Date, at, domain.DataIdentity, domain.DataFamilyComposition)
		if fam.Members == nil {
			fam.Members = map[domain.MemberID]domain.MemberRole{}
		}
		fam.Members[e.MemberID] = e.Role
	case domain.MemberCorrected:
		fam.held(RecMembers, e.Date, at, domain.DataIdentity, domain.DataFamilyComposition)
		if _, ok := fam.Members[e.MemberID]; ok {
			fam.Members[e.MemberID] = e.Role
		}
	case domain.MemberLeft:
		fam.held(RecMembers, e.Date, at, domain.DataFamilyComposition)
	case domain.ProfessionalAdded:
		fam.held(RecProfessionals, e.Date, at, domain.DataGuidanceProgress)
	case domain.ContactLogged:
		fam.held(RecContacts, e.Date, at, domain.DataGuidanceProgress)
		fam.domains(e.LifeDomains, at)
	case domain.ContactCorrected:
		fam.domains(e.LifeDomains, at)
	case domain.QuestionRaised:
		fam.held(RecQuestions, e.Date, at, domain.DataGuidanceProgress, domainCategory(e.LifeDomain))
	case domain.AssessmentRegistered:
		fam.held(RecAssessments, e.Date, at, domain.DataAssessments)
	case domain.ConsentGiven:
		fam.held(RecConsents, e.Date, at)
		m.consent(fam, e.ConsentID, e.Date, at, e.GrantorID, e.Scope, e.Form, false)
	case domain.ConsentRefused:
		fam.held(RecConsents, e.Date, at)
		m.consent(fam, e.ConsentID, e.Date, at, e.GrantorID, e.Scope, e.Form, true)
	case domain.ConsentWithdrawn:
		if c, ok := fam.Consents[e.ConsentID]; ok && c.WithdrawnOn.IsZero() {
			c.WithdrawnOn, c.WithdrawnAt = e.Date, at
		}
	case domain.ConsentExpired:
		if c, ok := fam.Consents[e.ConsentID]; ok && c.ExpiredOn.IsZero() {
			c.ExpiredOn, c.ExpiredAt = e.Date, at
		}
	case domain.DisclosureMade:
		fam.held(RecDisclosures, e.Date, at, e.DataCategories...)
		m.disclose(fam, f, e, false, "")
	case domain.SpendRecorded:
		fam.held(RecBudget, e.Date, at, domain.DataAidReceived)
		m.disclose(fam, f, domain.SpendDisclosure(e), true, e.SpendID)
	case domain.FamilyInformed:
		if d, ok := fam.discIdx[e.DisclosureID]; ok && d.InformedOn.IsZero() {
			d.InformedOn, d.InformedAt, d.InformForm = e.Date, at, e.Form
		}
	case domain.ConfidentialityLifted:
		if d, ok := fam.discIdx[e.DisclosureID]; ok && d.LiftedOn.IsZero() {
			d.LiftedOn, d.LiftedAt, d.LiftedBy = e.Date, at, e.DecidedBy
		}
	case domain.InfoRequestReceived:
		fam.held(RecInfoRequests, e.Date, at)
		if _, dup := fam.reqIdx[e.RequestID]; !dup {
			r := &InfoRequest{InfoRequestReceived: e, At: at}
			fam.InfoRequests = append(fam.InfoRequests, r)
			fam.reqIdx[e.RequestID] = r
		}
	case domain.InfoRequestAnswered:
		if r, ok := fam.reqIdx[e.RequestID]; ok && r.AnsweredBy == "" {
			r.AnsweredBy, r.AnsweredOn, r.AnsweredAt = e.DisclosureID, e.Date, at
		}
	case domain.InfoRequestRefused:
		if r, ok := fam.reqIdx[e.RequestID]; ok && r.RefusedOn.IsZero() {
			r.RefusedOn, r.RefusedAt, r.Refusal, r.RefusedBy = e.Date, at, e.Reason, e.DecidedBy
		}
	case domain.ParketInformed:
		fam.held(RecParket, e.Date, at, domain.DataPoliceJustice)
	case domain.ParketStatusRequested:
		fam.held(RecParket, e.Date, at, domain.DataPoliceJustice)
	case domain.ParketStatusReported:
		fam.held(RecParket, e.Date, at, domain.DataPoliceJustice)
	case domain.ParketWorryReported:
		fam.held(RecParket, e.Date, at, domain.DataPoliceJustice, domain.DataSafety)
	case domain.ReferredToOCJ:
		fam.held(RecParket, e.Date, at, domain.DataYouthCare)
	case domain.YouthCourtInvolved:
		fam.held(RecParket, e.Date, at, domain.DataPoliceJustice, domain.DataYouthCare)
	case domain.ParketClosed:
		fam.held(RecParket, e.Date, at, domain.DataPoliceJustice)
	case domain.PoliceFactsRecorded:
		fam.held(RecPoliceFacts, e.Date, at, domain.DataPoliceJustice)
	case domain.BudgetAllocated:
		fam.held(RecBudget, e.Date, at, domain.DataAidReceived)
	case domain.SpendProposed:
		fam.held(RecBudget, e.Date, at, domain.DataAidReceived)
	case domain.OverspendApproved:
		fam.held(RecBudget, e.Date, at, domain.DataAidReceived)
	case domain.CostAvoidanceRecorded:
		fam.held(RecCostAvoidance, e.Date, at, domain.DataPoliceJustice)
	case domain.RetentionSet:
		fam.held(RecRetention, e.Date, at)
	case domain.FamilyErased:
		fam.held(RecErasure, e.Date, at)
		if fam.ErasedAt.IsZero() {
			fam.ErasedAt, fam.ErasedOn = at, e.Date
		}
	}
}

func (m *Model) consent(fam *Family, id domain.ConsentID, d domain.Date, at time.Time, grantor domain.MemberID, scope domain.ConsentScope, form domain.ConsentForm, refused bool) {
	if fam.Consents == nil {
		fam.Consents = map[domain.ConsentID]*Consent{}
	}
	if _, dup := fam.Consents[id]; dup {
		return
	}
	fam.Consents[id] = &Consent{ID: id, Date: d, At: at, GrantorID: grantor, Scope: scope, Form: form, Refused: refused}
}

func (m *Model) disclose(fam *Family, f *projections.Fact, e domain.DisclosureMade, implied bool, spend domain.SpendID) {
	if _, dup := fam.discIdx[e.DisclosureID]; dup {
		return
	}
	e.Sealed = domain.DisclosureSealed{}
	d := &Disclosure{DisclosureMade: e, Position: f.Position, At: f.RecordedAt, Implied: implied, SpendID: spend}
	fam.Disclosures = append(fam.Disclosures, d)
	fam.discIdx[e.DisclosureID] = d
}

// catBit is c's bit in Family.catMask (0 for an unknown category, which is
// then always looked up in the map).
func catBit(c domain.DataCategory) uint32 {
	switch c {
	case domain.DataIdentity:
		return 1 << 0
	case domain.DataContactDetails:
		return 1 << 1
	case domain.DataFamilyComposition:
		return 1 << 2
	case domain.DataHealth:
		return 1 << 3
	case domain.DataMentalHealth:
		return 1 << 4
	case domain.DataIncome:
		return 1 << 5
	case domain.DataDebts:
		return 1 << 6
	case domain.DataHousing:
		return 1 << 7
	case domain.DataSchool:
		return 1 << 8
	case domain.DataChildcare:
		return 1 << 9
	case domain.DataWork:
		return 1 << 10
	case domain.DataSafety:
		return 1 << 11
	case domain.DataPoliceJustice:
		return 1 << 12
	case domain.DataYouthCare:
		return 1 << 13
	case domain.DataGuidanceProgress:
		return 1 << 14
	case domain.DataAssessments:
		return 1 << 15
	case domain.DataChildStatements:
		return 1 << 16
	case domain.DataAidReceived:
		return 1 << 17
	}
	return 0
}
