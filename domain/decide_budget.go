package domain

// Budget, spends, cost avoidance, retention and erasure.

// AllocateBudget sets money aside for the current trajectory. A zero
// AmountCents takes the team's default for the family's referral source; an
// empty FundingSource the team's maatbudget funding.
type AllocateBudget struct {
	AllocationID  AllocationID
	Date          Date
	AmountCents   int64
	FundingSource string
}

func (c AllocateBudget) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("allocation_id", string(c.AllocationID))
	k.caseDate("date", c.Date, f, env)
	amount := c.AmountCents
	if amount == 0 {
		amount = env.Settings.Allocations[f.Source]
	}
	k.amount("amount_cents", amount)
	funding := c.FundingSource
	if funding == "" {
		funding = env.Settings.MaatbudgetFunding
	}
	k.code("funding_source", funding)
	if k.ok() && !containsStr(env.Settings.FundingSources, funding) {
		k.fail(ruleErr("budget.funding_source", "funding_source", "not one of the team's funding sources"))
	}
	if k.ok() {
		k.fail(f.notClosed())
	}
	if _, dup := f.Allocations[c.AllocationID]; k.ok() && dup {
		k.fail(conflict("budget.allocation_exists", "allocation_id", "the allocation id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{BudgetAllocated{AllocationID: c.AllocationID, Date: c.Date, Trajectory: f.Trajectory, AmountCents: amount, Source: f.Source, FundingSource: funding}}, nil
}

func (f *Family) spendIDFree(k *checker, id SpendID) {
	_, p := f.Proposals[id]
	_, s := f.Spends[id]
	if k.ok() && (p || s) {
		k.fail(conflict("spend.exists", "spend_id", "the spend id is already used"))
	}
}

func checkCategory(k *checker, cat string, env Env) {
	k.code("category", cat)
	if k.ok() && !containsStr(env.Settings.SpendCategories, cat) {
		k.fail(ruleErr("budget.category", "category", "not one of the team's spend categories"))
	}
}

// ProposeSpend proposes a spend to the team (or, for a delegated decision,
// to the coordinator).
type ProposeSpend struct {
	SpendID     SpendID
	Date        Date
	AmountCents int64
	Instrument  SpendInstrument
	Category    string
	ProposedBy  StaffID
	Sealed      JustificationSealed
}

func (c ProposeSpend) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("spend_id", string(c.SpendID))
	k.caseDate("date", c.Date, f, env)
	k.amount("amount_cents", c.AmountCents)
	k.valid("instrument", c.Instrument.Valid(), string(c.Instrument))
	checkCategory(&k, c.Category, env)
	k.id("proposed_by", string(c.ProposedBy))
	k.sealedText("justification", c.Sealed.Justification, MaxSealedText)
	if k.ok() {
		k.fail(f.notClosed())
	}
	f.spendIDFree(&k, c.SpendID)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{SpendProposed{SpendID: c.SpendID, Date: c.Date, AmountCents: c.AmountCents, Instrument: c.Instrument, Category: c.Category, ProposedBy: c.ProposedBy, Sealed: c.Sealed}}, nil
}

// DecideSpend records the decision on a proposed spend: by the team for the
// maatbudget, by the coordinator for a delegated decision (DecidedBy must
// then hold the coordinator role in Env.Staff).
type DecideSpend struct {
	SpendID   SpendID
	Date      Date
	Verdict   Verdict
	Body      DecidingBody
	DecidedBy StaffID
}

// StaffRefs names the decider.
func (c DecideSpend) StaffRefs() []StaffID { return []StaffID{c.DecidedBy} }

func (c DecideSpend) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("spend_id", string(c.SpendID))
	k.caseDate("date", c.Date, f, env)
	k.valid("verdict", c.Verdict.Valid(), string(c.Verdict))
	k.valid("body", c.Body.Valid(), string(c.Body))
	k.id("decided_by", string(c.DecidedBy))
	p, ok := f.Proposals[c.SpendID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("spend.not_proposed", "spend_id", "no such proposed spend"))
	case p.Decided:
		k.fail(conflict("spend.decided", "spend_id", "the spend was already decided"))
	case p.Instrument == InstrumentDelegatedDecision && c.Body != BodyCoordinator:
		k.fail(ruleErr("spend.body", "body", "a delegated decision is the coordinator's"))
	case p.Instrument == InstrumentMaatbudget && c.Body != BodyTeam:
		k.fail(ruleErr("spend.body", "body", "the team decides on the maatbudget"))
	}
	if k.ok() && c.Body == BodyCoordinator && !env.Staff[c.DecidedBy].Has(RoleCoordinator) {
		k.fail(ruleErr("spend.decided_by", "decided_by", "the decider is not an active coordinator"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, p.Date, "the proposal")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{SpendDecided{SpendID: c.SpendID, Date: c.Date, Verdict: c.Verdict, Body: c.Body, DecidedBy: c.DecidedBy}}, nil
}

// RecordSpend records money spent for the family, paid to a supplier (never
// to the family). With an approved proposal of the same SpendID the
// decision is taken from it (Path team_decision; the amount may not exceed
// the decided amount). Without one, Path team_decision needs DecidedOn (on
// or before the purchase) and Body; Path urgent needs neither and is
// reviewed afterwards (ReviewSpend); a delegated decision is never urgent
// and always the coordinator's. A maatbudget spend beyond what is left of
// the trajectory's budget is refused unless the coordinator approved the
// overspend for this SpendID (ApproveOverspend) by at least the excess.
type RecordSpend struct {
	SpendID       SpendID
	Date          Date
	AmountCents   int64
	Instrument    SpendInstrument
	Category      string
	Supplier      string
	ReceiptRef    string
	FundingSource string
	Path          SpendPath
	DecidedOn     Date
	Body          DecidingBody
	ProposedBy    StaffID
	Sealed        JustificationSealed
}

func (c RecordSpend) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("spend_id", string(c.SpendID))
	k.caseDate("date", c.Date, f, env)
	k.amount("amount_cents", c.AmountCents)
	k.valid("instrument", c.Instrument.Valid(), string(c.Instrument))
	checkCategory(&k, c.Category, env)
	if k.ok() && c.Supplier == "" {
		k.fail(ruleErr("spend.supplier", "supplier", "a spend is paid to a supplier, never to the family"))
	}
	k.org("supplier", c.Supplier, true)
	k.org("receipt_ref", c.ReceiptRef, false)
	funding := c.FundingSource
	if funding == "" {
		funding = env.Settings.MaatbudgetFunding
		if c.Instrument == InstrumentDelegatedDecision {
			funding = env.Settings.DelegatedFunding
		}
	}
	k.code("funding_source", funding)
	if k.ok() && !containsStr(env.Settings.FundingSources, funding) {
		k.fail(ruleErr("budget.funding_source", "funding_source", "not one of the team's funding sources"))
	}
	k.valid("path", c.Path.Valid(), string(c.Path))
	k.id("proposed_by", string(c.ProposedBy))
	k.sealedText("justification", c.Sealed.Justification, MaxSealedText)
	if k.ok() {
		k.fail(f.notClosed())
	}
	if _, done := f.Spends[c.SpendID]; k.ok() && done {
		k.fail(conflict("spend.recorded", "spend_id", "the spend was already recorded"))
	}
	decidedOn, body, proposedBy := c.DecidedOn, c.Body, c.ProposedBy
	if p, ok := f.Proposals[c.SpendID]; k.ok() && ok {
		switch {
		case !p.Decided:
			k.fail(ruleErr("spend.not_approved", "spend_id", "the proposed spend is not decided yet"))
		case p.Decision.Verdict != VerdictApproved:
			k.fail(ruleErr("spend.not_approved", "spend_id", "the proposed spend was refused"))
		case c.Path != PathTeamDecision:
			k.fail(ruleErr("spend.path", "path", "a decided spend is recorded on the team_decision path"))
		case c.Instrument != p.Instrument:
			k.fail(ruleErr("field.invalid", "instrument", "the instrument differs from the decided spend"))
		case c.AmountCents > p.AmountCents:
			k.fail(ruleErr("spend.exceeds_decision", "amount_cents", "the amount exceeds the decided %d cents", p.AmountCents))
		}
		decidedOn, body, proposedBy = p.Decision.Date, p.Decision.Body, p.ProposedBy
	} else if k.ok() {
		switch c.Path {
		case PathTeamDecision:
			if c.DecidedOn.IsZero() {
				k.fail(ruleErr("date.required", "decided_on", "a decided spend names the date of the decision"))
			}
			k.valid("body", c.Body.Valid(), string(c.Body))
		case PathUrgent:
			if !c.DecidedOn.IsZero() || c.Body != "" {
				k.fail(ruleErr("spend.path", "decided_on", "an urgent purchase has no prior decision; it is reviewed afterwards"))
			}
		}
	}
	if k.ok() && decidedOn.After(c.Date) {
		k.fail(ruleErr("date.order", "decided_on", "the decision (%s) lies after the purchase (%s)", decidedOn, c.Date))
	}
	if k.ok() && c.Instrument == InstrumentDelegatedDecision && (c.Path != PathTeamDecision || body != BodyCoordinator) {
		k.fail(ruleErr("spend.body", "body", "a delegated decision is taken by the coordinator before the spend"))
	}
	if k.ok() && c.Instrument == InstrumentMaatbudget && body == BodyCoordinator {
		k.fail(ruleErr("spend.body", "body", "the team decides on the maatbudget"))
	}
	var approval ApprovalID
	if k.ok() && c.Instrument == InstrumentMaatbudget {
		if excess := c.AmountCents - f.BudgetLeft(); excess > 0 {
			a := f.approvalFor(c.SpendID)
			if a == nil || a.AmountCents < excess {
				k.fail(ruleErr("budget.overspend", "amount_cents", "the spend exceeds the budget left (%d cents) by %d cents without the coordinator's approval", f.BudgetLeft(), excess))
			} else {
				approval = a.ApprovalID
			}
		}
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{SpendRecorded{SpendID: c.SpendID, Date: c.Date, Trajectory: f.Trajectory, AmountCents: c.AmountCents, Instrument: c.Instrument, Category: c.Category, Supplier: c.Supplier, ReceiptRef: c.ReceiptRef, FundingSource: funding, Path: c.Path, DecidedOn: decidedOn, Body: body, ProposedBy: proposedBy, ApprovalID: approval, Sealed: c.Sealed}}, nil
}

// approvalFor returns the largest overspend approval for spend id.
func (f *Family) approvalFor(id SpendID) *OverspendApproved {
	var best *OverspendApproved
	for _, a := range f.Approvals {
		if a.SpendID == id && (best == nil || a.AmountCents > best.AmountCents) {
			best = a
		}
	}
	return best
}

// ApproveOverspend records the coordinator's approval of a maatbudget spend
// beyond what is left, by up to AmountCents. ApprovedBy must hold the
// coordinator role (Env.Staff).
type ApproveOverspend struct {
	ApprovalID  ApprovalID
	SpendID     SpendID
	Date        Date
	AmountCents int64
	ApprovedBy  StaffID
}

// StaffRefs names the approver.
func (c ApproveOverspend) StaffRefs() []StaffID { return []StaffID{c.ApprovedBy} }

func (c ApproveOverspend) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("approval_id", string(c.ApprovalID))
	k.id("spend_id", string(c.SpendID))
	k.caseDate("date", c.Date, f, env)
	k.amount("amount_cents", c.AmountCents)
	k.id("approved_by", string(c.ApprovedBy))
	if k.ok() {
		k.fail(f.notClosed())
	}
	if _, dup := f.Approvals[c.ApprovalID]; k.ok() && dup {
		k.fail(conflict("approval.exists", "approval_id", "the approval id is already used"))
	}
	if _, done := f.Spends[c.SpendID]; k.ok() && done {
		k.fail(conflict("spend.recorded", "spend_id", "the spend was already recorded"))
	}
	if k.ok() && !env.Staff[c.ApprovedBy].Has(RoleCoordinator) {
		k.fail(ruleErr("approval.decided_by", "approved_by", "only an active coordinator approves an overspend"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{OverspendApproved{ApprovalID: c.ApprovalID, SpendID: c.SpendID, Date: c.Date, AmountCents: c.AmountCents, ApprovedBy: c.ApprovedBy}}, nil
}

// ReviewSpend records the team's review of an urgent purchase.
type ReviewSpend struct {
	SpendID    SpendID
	Date       Date
	Verdict    Verdict
	ReviewedBy StaffID
}

func (c ReviewSpend) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("spend_id", string(c.SpendID))
	k.caseDate("date", c.Date, f, env)
	k.valid("verdict", c.Verdict.Valid(), string(c.Verdict))
	k.id("reviewed_by", string(c.ReviewedBy))
	s, ok := f.Spends[c.SpendID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("spend.unknown", "spend_id", "no such recorded spend"))
	case s.Path != PathUrgent:
		k.fail(ruleErr("spend.not_urgent", "spend_id", "only urgent purchases are reviewed afterwards"))
	case s.Reviewed:
		k.fail(conflict("spend.reviewed", "spend_id", "the spend was already reviewed"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, s.Date, "the purchase")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{SpendReviewed{SpendID: c.SpendID, Date: c.Date, Verdict: c.Verdict, ReviewedBy: c.ReviewedBy}}, nil
}

// ReverseSpend reverses a recorded, unreversed spend.
type ReverseSpend struct {
	SpendID SpendID
	Date    Date
	Reason  ReversalReason
	Sealed  NoteSealed
}

func (c ReverseSpend) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("spend_id", string(c.SpendID))
	k.caseDate("date", c.Date, f, env)
	k.valid("reason", c.Reason.Valid(), string(c.Reason))
	k.sealedText("note", c.Sealed.Note, MaxSealedText)
	s, ok := f.Spends[c.SpendID]
	switch {
	case !k.ok():
	case !ok:
		k.fail(notFound("spend.unknown", "spend_id", "no such recorded spend"))
	case s.Reversed:
		k.fail(conflict("spend.reversed", "spend_id", "the spend was already reversed"))
	}
	if k.ok() {
		k.notBefore("date", c.Date, s.Date, "the spend")
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{SpendReversed{SpendID: c.SpendID, Date: c.Date, Reason: c.Reason, Sealed: c.Sealed}}, nil
}

// SpendDisclosure is the disclosure a recorded spend implies: the supplier
// who is paid learns that the family receives help. It is not stored as an
// event of its own; read models (the disclosure register, the art. 15
// report) call this to list it. Its id is "spend:" + the spend id, its
// recipient the supplier (category supplier, role "supplier"), its only data
// category aid_received, its purpose and basis aid_payment; it is not
// confidential and the family knows of it (the purchase is for them).
func SpendDisclosure(s SpendRecorded) DisclosureMade {
	return DisclosureMade{
		DisclosureID:      DisclosureID("spend:" + string(s.SpendID)),
		Date:              s.Date,
		RecipientOrg:      s.Supplier,
		RecipientRole:     "supplier",
		RecipientCategory: RecipientSupplier,
		DataCategories:    []DataCategory{DataAidReceived},
		Purpose:           PurposeAidPayment,
		LegalBasis:        BasisAidPayment,
		DecidedBy:         s.ProposedBy,
	}
}

// RecordCostAvoidance records public costs of the family against a
// comparison (DOMAIN.md's police cost study). It holds no personal data and
// is accepted also after erasure.
type RecordCostAvoidance struct {
	RecordID        CostRecordID
	Date            Date
	PeriodFrom      Date
	PeriodUntil     Date
	Category        CostCategory
	ActualCents     int64
	ComparisonCents int64
	Basis           string
	Interventions   int
	InitialReports  int
	FollowUpReports int
	Kantschriften   int
}

func (c RecordCostAvoidance) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("record_id", string(c.RecordID))
	k.caseDate("date", c.Date, f, env)
	k.date("period_from", c.PeriodFrom, env)
	k.date("period_until", c.PeriodUntil, env)
	k.notBefore("period_until", c.PeriodUntil, c.PeriodFrom, "the start of the period")
	k.valid("category", c.Category.Valid(), string(c.Category))
	if c.ActualCents < 0 || c.ActualCents > MaxAmountCents {
		k.fail(ruleErr("amount.range", "actual_cents", "must be between 0 and %d cents", MaxAmountCents))
	}
	if c.ComparisonCents < 0 || c.ComparisonCents > MaxAmountCents {
		k.fail(ruleErr("amount.range", "comparison_cents", "must be between 0 and %d cents", MaxAmountCents))
	}
	k.code("basis", c.Basis)
	k.count("interventions", c.Interventions, 10000)
	k.count("initial_reports", c.InitialReports, 10000)
	k.count("follow_up_reports", c.FollowUpReports, 10000)
	k.count("kantschriften", c.Kantschriften, 10000)
	if k.ok() && f.CostRecords[c.RecordID] {
		k.fail(conflict("cost.exists", "record_id", "the record id is already used"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{CostAvoidanceRecorded{RecordID: c.RecordID, Date: c.Date, PeriodFrom: c.PeriodFrom, PeriodUntil: c.PeriodUntil, Category: c.Category, ActualCents: c.ActualCents, ComparisonCents: c.ComparisonCents, Basis: c.Basis, Interventions: c.Interventions, InitialReports: c.InitialReports, FollowUpReports: c.FollowUpReports, Kantschriften: c.Kantschriften}}, nil
}

// SetRetention sets until when the family's personal data is kept.
type SetRetention struct {
	Date  Date
	Until Date
	Basis string
}

func (c SetRetention) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	if c.Until.IsZero() {
		k.fail(ruleErr("date.required", "until", "a date is required"))
	}
	k.notBefore("until", c.Until, c.Date, "the date it is set")
	k.code("basis", c.Basis)
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{RetentionSet{Date: c.Date, Until: c.Until, Basis: c.Basis}}, nil
}

// SetLegalHold forbids erasure until the hold is lifted.
type SetLegalHold struct {
	HoldID HoldID
	Date   Date
	Reason string
	SetBy  StaffID
}

func (c SetLegalHold) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("hold_id", string(c.HoldID))
	k.caseDate("date", c.Date, f, env)
	k.code("reason", c.Reason)
	k.id("set_by", string(c.SetBy))
	if k.ok() && f.Holds[c.HoldID] {
		k.fail(conflict("hold.exists", "hold_id", "the hold is already set"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{LegalHoldSet{HoldID: c.HoldID, Date: c.Date, Reason: c.Reason, SetBy: c.SetBy}}, nil
}

// LiftLegalHold lifts a legal hold.
type LiftLegalHold struct {
	HoldID   HoldID
	Date     Date
	LiftedBy StaffID
}

func (c LiftLegalHold) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.id("hold_id", string(c.HoldID))
	k.caseDate("date", c.Date, f, env)
	k.id("lifted_by", string(c.LiftedBy))
	if k.ok() && !f.Holds[c.HoldID] {
		k.fail(notFound("hold.unknown", "hold_id", "no such active hold"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{LegalHoldLifted{HoldID: c.HoldID, Date: c.Date, LiftedBy: c.LiftedBy}}, nil
}

// EraseFamily records the erasure of a family, approved by an active
// privacy officer (Env.Staff). It is refused while a legal hold is set,
// while the case is not closed, and, for reason retention_expired, while the
// retention period runs. The ledger destroys the family's data key after
// appending the event.
type EraseFamily struct {
	Date       Date
	Reason     ErasureReason
	ApprovedBy StaffID
}

// StaffRefs names the approver.
func (c EraseFamily) StaffRefs() []StaffID { return []StaffID{c.ApprovedBy} }

func (c EraseFamily) decideFamily(f *Family, env Env) ([]Event, error) {
	var k checker
	k.caseDate("date", c.Date, f, env)
	k.valid("reason", c.Reason.Valid(), string(c.Reason))
	k.id("approved_by", string(c.ApprovedBy))
	switch {
	case !k.ok():
	case len(f.Holds) > 0:
		k.fail(ruleErr("erasure.legal_hold", "", "a legal hold forbids erasure"))
	case f.Status != StatusClosed:
		k.fail(ruleErr("erasure.open_case", "", "close the case before erasing it"))
	case c.Reason == ErasureRetentionExpired && (f.RetentionUntil.IsZero() || !c.Date.After(f.RetentionUntil)):
		k.fail(ruleErr("erasure.retention_running", "reason", "the retention period has not ended"))
	case !env.Staff[c.ApprovedBy].Has(RolePrivacyOfficer):
		k.fail(ruleErr("erasure.approver", "approved_by", "erasure is approved by an active privacy officer"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{FamilyErased{Date: c.Date, Reason: c.Reason, ApprovedBy: c.ApprovedBy}}, nil
}
