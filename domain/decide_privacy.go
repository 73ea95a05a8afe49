package domain

// Consent, disclosures, information requests, the parket and police facts.

// GiveConsent records a consent given by a member of the family.
type GiveConsent struct {
	ConsentID ConsentID
	Date      Date
	GrantorID MemberID
	Scope     ConsentScope
	Form      ConsentForm
	Sealed    NoteSealed
}

func (f *Family) checkConsentCommand(k *checker, id ConsentID, d Date, grantor MemberID, s ConsentScope, form ConsentForm, note string, env Env) {
	k.id("consent_id", string(id))
	k.caseDate("date", d, f, env)
	k.id("grantor_id", string(grantor))
	k.valid("scope.action", s.Action.Valid(), string(s.Action))
	k.org("scope.recipient_org", s.RecipientOrg, false)
	k.valid("scope.recipient_category", s.RecipientCategory.Valid(), string(s.RecipientCategory))
	k.valid("scope.purpose", s.Purpose.Valid(), string(s.Purpose))
	k.dataCategories("scope.data_categories", s.DataCategories)
	if s.From.IsZero() {
		k.fail(ruleErr("date.required", "scope.from", "a date is required"))
	}
	k.notBefore("scope.until", s.Until, s.From, "the start of the consent")
	k.valid("form", form.Valid(), string(form))
	k.sealedText("note", note, MaxSealedText)
	if k.ok() {
		k.fail(f.knownMember("grantor_id", grantor))
	}
	if k.ok() && f.Members[grantor].Left {
		k.fail(ruleErr("consent.grantor", "grantor_id", "the grantor left the household"))
	}
	if _, dup := f.Consents[id]; k.ok() && dup {
		k.fail(conflict("consent.exists", "consent_id", "the consent id is already used"))
	}
}

func (c GiveConsent) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	f.checkConsentCommand(&k, c.ConsentID, c.Date, c.GrantorID, c.Scope, c.Form, c.Sealed.Note, env)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ConsentGiven{ConsentID: c.ConsentID, Date: c.Date, GrantorID: c.GrantorID, Scope: c.Scope, Form: c.Form, Sealed: c.Sealed}}, nil
}

// RefuseConsent records that a member refused consent for a scope.
type RefuseConsent struct {
	ConsentID ConsentID
	Date      Date
	GrantorID MemberID
	Scope     ConsentScope
	Form      ConsentForm
	Sealed    NoteSealed
}

func (c RefuseConsent) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	f.checkConsentCommand(&k, c.ConsentID, c.Date, c.GrantorID, c.Scope, c.Form, c.Sealed.Note, env)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ConsentRefused{ConsentID: c.ConsentID, Date: c.Date, GrantorID: c.GrantorID, Scope: c.Scope, Form: c.Form, Sealed: c.Sealed}}, nil
}

func (f *Family) activeConsent(k *checker, id ConsentID) *Consent {
	c, ok := f.Consents[id]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("consent.unknown", "consent_id", "no such consent"))
	case c.Refused:
		k.fail(ruleErr("consent.refused", "consent_id", "the consent was refused, not given"))
	case !c.WithdrawnOn.IsZero():
		k.fail(conflict("consent.withdrawn", "consent_id", "the consent was already withdrawn"))
	case !c.ExpiredOn.IsZero():
		k.fail(conflict("consent.expired", "consent_id", "the consent already expired"))
	}
	return c
}

// WithdrawConsent records that the grantor withdrew a consent.
type WithdrawConsent struct {
	ConsentID ConsentID
	Date      Date
	Form      ConsentForm
}

func (c WithdrawConsent) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("consent_id", string(c.ConsentID))
	k.caseDate("date", c.Date, f, env)
	k.valid("form", c.Form.Valid(), string(c.Form))
	cs := f.activeConsent(&k, c.ConsentID)
	if k.ok() {
		k.notBefore("date", c.Date, cs.Date, "the consent")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ConsentWithdrawn{ConsentID: c.ConsentID, Date: c.Date, Form: c.Form}}, nil
}

// ExpireConsent records that a consent expired.
type ExpireConsent struct {
	ConsentID ConsentID
	Date      Date
}

func (c ExpireConsent) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("consent_id", string(c.ConsentID))
	k.caseDate("date", c.Date, f, env)
	cs := f.activeConsent(&k, c.ConsentID)
	if k.ok() {
		k.notBefore("date", c.Date, cs.Date, "the consent")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ConsentExpired{ConsentID: c.ConsentID, Date: c.Date}}, nil
}

// Disclose records information shared. On the consent basis it is refused
// unless ConsentID names a consent that, on Date, covers the recipient,
// the purpose and every data category, for the action the purpose needs
// (ActionFor); child statements further need the consent of a child. With
// InfoRequestID the disclosure answers that open information request
// (InfoRequestAnswered follows).
type Disclose struct {
	DisclosureID      DisclosureID
	Date              Date
	RecipientOrg      string
	RecipientRole     string
	RecipientCategory RecipientCategory
	DataCategories    []DataCategory
	Purpose           Purpose
	LegalBasis        LegalBasis
	ConsentID         ConsentID
	Members           []MemberID
	DecidedBy         StaffID
	Confidential      bool
	InfoRequestID     InfoRequestID
	Sealed            DisclosureSealed
}

func (c Disclose) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("disclosure_id", string(c.DisclosureID))
	k.caseDate("date", c.Date, f, env)
	k.org("recipient_org", c.RecipientOrg, true)
	k.org("recipient_role", c.RecipientRole, true)
	k.valid("recipient_category", c.RecipientCategory.Valid(), string(c.RecipientCategory))
	k.dataCategories("data_categories", c.DataCategories)
	k.valid("purpose", c.Purpose.Valid(), string(c.Purpose))
	k.valid("legal_basis", c.LegalBasis.Valid(), string(c.LegalBasis))
	k.optID("consent_id", string(c.ConsentID))
	k.id("decided_by", string(c.DecidedBy))
	k.optID("info_request_id", string(c.InfoRequestID))
	k.sealedText("recipient_name", c.Sealed.RecipientName, MaxShortText)
	k.sealedText("summary", c.Sealed.Summary, MaxSealedText)
	for _, m := range c.Members {
		if k.ok() {
			k.fail(f.knownMember("members", m))
		}
	}
	if _, dup := f.Disclosures[c.DisclosureID]; k.ok() && dup {
		k.fail(conflict("disclosure.exists", "disclosure_id", "the disclosure id is already used"))
	}
	if k.ok() && c.InfoRequestID != "" {
		r, ok := f.InfoRequests[c.InfoRequestID]
		if !ok {
			k.fail(notFound("info_request.unknown", "info_request_id", "no such information request"))
		} else if !r.Open() {
			k.fail(conflict("info_request.closed", "info_request_id", "the information request was already answered or refused"))
		} else {
			k.notBefore("date", c.Date, r.Date, "the request")
		}
	}
	if k.ok() {
		switch {
		case c.LegalBasis == BasisConsent && c.ConsentID == "":
			k.fail(ruleErr("disclosure.consent_required", "consent_id", "a disclosure on consent names the consent"))
		case c.LegalBasis != BasisConsent && c.ConsentID != "":
			k.fail(ruleErr("field.invalid", "consent_id", "only a disclosure on consent names a consent"))
		case c.LegalBasis == BasisConsent:
			cs, ok := f.Consents[c.ConsentID]
			if !ok {
				k.fail(notFound("consent.unknown", "consent_id", "no such consent"))
				break
			}
			if why := ConsentCovers(*cs, c.Date, ActionFor(c.Purpose), c.RecipientOrg, c.RecipientCategory, c.Purpose, c.DataCategories); why != "" {
				k.fail(ruleErr("disclosure.consent_invalid", "consent_id", "the consent does not cover this disclosure on %s (%s)", c.Date, why))
				break
			}
			for _, dc := range c.DataCategories {
				if dc == DataChildStatements && f.Members[cs.GrantorID].Role != MemberChild {
					k.fail(ruleErr("disclosure.child_consent", "data_categories", "what a child said is shared only with the child's own consent"))
				}
			}
		}
	}
	if !k.ok() {
		return nil, k.result()
	}
	evs := []Event{DisclosureMade{DisclosureID: c.DisclosureID, Date: c.Date, RecipientOrg: c.RecipientOrg, RecipientRole: c.RecipientRole, RecipientCategory: c.RecipientCategory, DataCategories: c.DataCategories, Purpose: c.Purpose, LegalBasis: c.LegalBasis, ConsentID: c.ConsentID, Members: c.Members, DecidedBy: c.DecidedBy, Confidential: c.Confidential, InfoRequestID: c.InfoRequestID, Sealed: c.Sealed}}
	if c.InfoRequestID != "" {
		evs = append(evs, InfoRequestAnswered{RequestID: c.InfoRequestID, Date: c.Date, DisclosureID: c.DisclosureID})
	}
	return evs, nil
}

func (f *Family) disclosure(k *checker, field string, id DisclosureID) *Disclosure {
	d, ok := f.Disclosures[id]
	if k.ok() && !ok {
		k.fail(notFound("disclosure.unknown", field, "no such disclosure"))
	}
	return d
}

// InformFamily records that the family was told of a disclosure. A
// confidential disclosure must have its confidentiality lifted first.
type InformFamily struct {
	DisclosureID DisclosureID
	Date         Date
	Form         ConsentForm
}

func (c InformFamily) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("disclosure_id", string(c.DisclosureID))
	k.caseDate("date", c.Date, f, env)
	k.valid("form", c.Form.Valid(), string(c.Form))
	d := f.disclosure(&k, "disclosure_id", c.DisclosureID)
	switch {
	case !k.ok():
	case d.Confidential && d.ConfidentialityLifted.IsZero():
		k.fail(ruleErr("disclosure.confidential", "disclosure_id", "the disclosure is confidential; lift its confidentiality first"))
	case !d.InformedOn.IsZero():
		k.fail(conflict("disclosure.informed", "disclosure_id", "the family was already told"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, d.Date, "the disclosure")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{FamilyInformed{DisclosureID: c.DisclosureID, Date: c.Date, Form: c.Form}}, nil
}

// LiftConfidentiality allows a confidential disclosure to be told.
type LiftConfidentiality struct {
	DisclosureID DisclosureID
	Date         Date
	DecidedBy    StaffID
}

func (c LiftConfidentiality) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("disclosure_id", string(c.DisclosureID))
	k.caseDate("date", c.Date, f, env)
	k.id("decided_by", string(c.DecidedBy))
	d := f.disclosure(&k, "disclosure_id", c.DisclosureID)
	switch {
	case !k.ok():
	case !d.Confidential:
		k.fail(conflict("disclosure.not_confidential", "disclosure_id", "the disclosure is not confidential"))
	case !d.ConfidentialityLifted.IsZero():
		k.fail(conflict("disclosure.lifted", "disclosure_id", "the confidentiality was already lifted"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, d.Date, "the disclosure")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{ConfidentialityLifted{DisclosureID: c.DisclosureID, Date: c.Date, DecidedBy: c.DecidedBy}}, nil
}

// ReceiveInfoRequest records an information request from another
// organisation. It is answered by Disclose (with InfoRequestID) or refused.
type ReceiveInfoRequest struct {
	RequestID      InfoRequestID
	Date           Date
	FromOrg        string
	FromRole       string
	FromCategory   RecipientCategory
	DataCategories []DataCategory
	Purpose        Purpose
	Sealed         NoteSealed
}

func (c ReceiveInfoRequest) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("request_id", string(c.RequestID))
	k.caseDate("date", c.Date, f, env)
	k.org("from_org", c.FromOrg, true)
	k.org("from_role", c.FromRole, true)
	k.valid("from_category", c.FromCategory.Valid(), string(c.FromCategory))
	k.dataCategories("data_categories", c.DataCategories)
	k.valid("purpose", c.Purpose.Valid(), string(c.Purpose))
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	if _, dup := f.InfoRequests[c.RequestID]; k.ok() && dup {
		k.fail(conflict("info_request.exists", "request_id", "the request id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{InfoRequestReceived{RequestID: c.RequestID, Date: c.Date, FromOrg: c.FromOrg, FromRole: c.FromRole, FromCategory: c.FromCategory, DataCategories: c.DataCategories, Purpose: c.Purpose, Sealed: c.Sealed}}, nil
}

// RefuseInfoRequest records that an information request was refused.
type RefuseInfoRequest struct {
	RequestID InfoRequestID
	Date      Date
	Reason    RefusalReason
	DecidedBy StaffID
}

func (c RefuseInfoRequest) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("request_id", string(c.RequestID))
	k.caseDate("date", c.Date, f, env)
	k.valid("reason", c.Reason.Valid(), string(c.Reason))
	k.id("decided_by", string(c.DecidedBy))
	r, ok := f.InfoRequests[c.RequestID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("info_request.unknown", "request_id", "no such information request"))
	case !r.Open():
		k.fail(conflict("info_request.closed", "request_id", "the information request was already answered or refused"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, r.Date, "the request")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{InfoRequestRefused{RequestID: c.RequestID, Date: c.Date, Reason: c.Reason, DecidedBy: c.DecidedBy}}, nil
}

// RecordParketStep is a parket command: which step (an event type of the parket),
// when, the disclosure that carried information (required for a status
// report, a worry report and an OCJ referral; optional for informing the
// parket and the youth court; absent for closing), and for a status request
// its id and due date (the report names the request it answers).
type RecordParketStep struct {
	Step         string
	Date         Date
	DisclosureID DisclosureID
	RequestID    ParketRequestID
	DueDate      Date
}

func (c RecordParketStep) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.optID("disclosure_id", string(c.DisclosureID))
	k.optID("request_id", string(c.RequestID))
	needsDisclosure, mayDisclosure, needsRequest := false, true, false
	switch c.Step {
	case TypeParketStatusReported:
		needsDisclosure, needsRequest = true, true
	case TypeParketWorryReported, TypeReferredToOCJ:
		needsDisclosure = true
	case TypeParketStatusRequested:
		mayDisclosure, needsRequest = false, true
		if c.DueDate.IsZero() {
			k.fail(ruleErr("date.required", "due_date", "a status request has a due date"))
		}
		k.notBefore("due_date", c.DueDate, c.Date, "the request")
	case TypeParketClosed:
		mayDisclosure = false
	case TypeParketInformed, TypeYouthCourtInvolved:
	default:
		k.fail(ruleErr("field.invalid", "step", "unknown parket step"))
	}
	if needsRequest {
		k.id("request_id", string(c.RequestID))
	}
	if k.ok() && needsDisclosure && c.DisclosureID == "" {
		k.fail(ruleErr("field.required", "disclosure_id", "this parket step names the disclosure that carried the information"))
	}
	if k.ok() && !mayDisclosure && c.DisclosureID != "" {
		k.fail(ruleErr("field.invalid", "disclosure_id", "this parket step carries no disclosure"))
	}
	if _, ok := ParketNext(f.Parket, c.Step); k.ok() && !ok {
		k.fail(ruleErr("parket.transition", "step", "step %s is not allowed in parket state %s", c.Step, f.Parket))
	}
	if k.ok() {
		switch c.Step {
		case TypeParketStatusRequested:
			if f.OpenParketReq != "" {
				k.fail(conflict("parket.open_request", "request_id", "a status request is still open"))
			} else if f.ParketRequests[c.RequestID] {
				k.fail(conflict("parket.request_exists", "request_id", "the request id is already used"))
			}
		case TypeParketStatusReported:
			if f.OpenParketReq == "" || f.OpenParketReq != c.RequestID {
				k.fail(ruleErr("parket.no_open_request", "request_id", "a status report answers the open status request"))
			}
		}
	}
	if k.ok() && c.DisclosureID != "" {
		d := f.disclosure(&k, "disclosure_id", c.DisclosureID)
		if k.ok() {
			k.notBefore("date", c.Date, d.Date, "the disclosure")
		}
		if k.ok() && c.Step == TypeReferredToOCJ && d.RecipientCategory != RecipientOCJ {
			k.fail(ruleErr("parket.disclosure_recipient", "disclosure_id", "an OCJ referral is carried by a disclosure to the OCJ"))
		}
		if k.ok() && (c.Step == TypeParketStatusReported || c.Step == TypeParketWorryReported) && d.RecipientCategory != RecipientParket {
			k.fail(ruleErr("parket.disclosure_recipient", "disclosure_id", "this step is carried by a disclosure to the parket"))
		}
	}
	if !k.ok() {
		return nil, k.result()
	}
	var e Event
	switch c.Step {
	case TypeParketInformed:
		e = ParketInformed{Date: c.Date, DisclosureID: c.DisclosureID}
	case TypeParketStatusRequested:
		e = ParketStatusRequested{RequestID: c.RequestID, Date: c.Date, DueDate: c.DueDate}
	case TypeParketStatusReported:
		e = ParketStatusReported{RequestID: c.RequestID, Date: c.Date, DisclosureID: c.DisclosureID}
	case TypeParketWorryReported:
		e = ParketWorryReported{Date: c.Date, DisclosureID: c.DisclosureID}
	case TypeReferredToOCJ:
		e = ReferredToOCJ{Date: c.Date, DisclosureID: c.DisclosureID}
	case TypeYouthCourtInvolved:
		e = YouthCourtInvolved{Date: c.Date, DisclosureID: c.DisclosureID}
	default:
		e = ParketClosed{Date: c.Date}
	}
	return []Event{e}, nil
}

// RecordPoliceFacts records counts of police facts over a period.
type RecordPoliceFacts struct {
	Date            Date
	PeriodFrom      Date
	PeriodUntil     Date
	Interventions   int
	InitialReports  int
	FollowUpReports int
	Kantschriften   int
}

func (c RecordPoliceFacts) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.date("period_from", c.PeriodFrom, env)
	k.date("period_until", c.PeriodUntil, env)
	k.notBefore("period_until", c.PeriodUntil, c.PeriodFrom, "the start of the period")
	k.count("interventions", c.Interventions, 10000)
	k.count("initial_reports", c.InitialReports, 10000)
	k.count("follow_up_reports", c.FollowUpReports, 10000)
	k.count("kantschriften", c.Kantschriften, 10000)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{PoliceFactsRecorded{Date: c.Date, PeriodFrom: c.PeriodFrom, PeriodUntil: c.PeriodUntil, Interventions: c.Interventions, InitialReports: c.InitialReports, FollowUpReports: c.FollowUpReports, Kantschriften: c.Kantschriften}}, nil
}
