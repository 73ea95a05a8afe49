// Code in this file holds the hand-written decoders of the less frequent
// (tens of thousands a year in a big ledger) event types of DecodePublic.

package domain

func (p *pubReader) familyReferred() FamilyReferred {
	var e FamilyReferred
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "family_id":
			e.FamilyID = FamilyID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "source":
			e.Source = ReferralSource(p.str())
			return 1 << 2
		case "referring_org":
			e.ReferringOrg = p.str()
			return 1 << 3
		case "consent_given":
			e.ConsentGiven = p.bool()
			return 1 << 4
		case "consent_form":
			e.ConsentForm = ConsentForm(p.str())
			return 1 << 5
		case "problems":
			e.Problems = stringsOf[LifeDomain](p)
			return 1 << 6
		case "children":
			e.Children = int(p.int())
			return 1 << 7
		case "adults":
			e.Adults = int(p.int())
			return 1 << 8
		case "municipality":
			e.Municipality = p.str()
			return 1 << 9
		}
		return 0
	})
	return e
}

func (p *pubReader) coachAssigned() CoachAssigned {
	var e CoachAssigned
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "date":
			e.Date = p.date()
			return 1 << 0
		case "coach_id":
			e.CoachID = StaffID(p.str())
			return 1 << 1
		case "previous_coach_id":
			e.PreviousCoachID = StaffID(p.str())
			return 1 << 2
		case "reason":
			e.Reason = AssignmentReason(p.str())
			return 1 << 3
		case "request_id":
			e.RequestID = CoachRequestID(p.str())
			return 1 << 4
		}
		return 0
	})
	return e
}

func (p *pubReader) guidanceStarted() GuidanceStarted {
	var e GuidanceStarted
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "date":
			e.Date = p.date()
			return 1 << 0
		case "trajectory":
			e.Trajectory = int(p.int())
			return 1 << 1
		}
		return 0
	})
	return e
}

func (p *pubReader) professionalAdded() ProfessionalAdded {
	var e ProfessionalAdded
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "professional_id":
			e.ProfessionalID = ProfessionalID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "organisation":
			e.Organisation = p.str()
			return 1 << 2
		case "category":
			e.Category = RecipientCategory(p.str())
			return 1 << 3
		case "role":
			e.Role = p.str()
			return 1 << 4
		}
		return 0
	})
	return e
}

func (p *pubReader) budgetAllocated() BudgetAllocated {
	var e BudgetAllocated
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "allocation_id":
			e.AllocationID = AllocationID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "trajectory":
			e.Trajectory = int(p.int())
			return 1 << 2
		case "amount_cents":
			e.AmountCents = p.int()
			return 1 << 3
		case "source":
			e.Source = ReferralSource(p.str())
			return 1 << 4
		case "funding_source":
			e.FundingSource = p.str()
			return 1 << 5
		}
		return 0
	})
	return e
}

func (p *pubReader) coverArranged() CoverArranged {
	var e CoverArranged
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "cover_id":
			e.CoverID = CoverID(p.str())
			return 1 << 0
		case "coach_id":
			e.CoachID = StaffID(p.str())
			return 1 << 1
		case "for_coach_id":
			e.ForCoachID = StaffID(p.str())
			return 1 << 2
		case "from":
			e.From = p.date()
			return 1 << 3
		case "until":
			e.Until = p.date()
			return 1 << 4
		case "reason":
			e.Reason = CoverReason(p.str())
			return 1 << 5
		}
		return 0
	})
	return e
}

func (p *pubReader) caseClosed() CaseClosed {
	var e CaseClosed
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "date":
			e.Date = p.date()
			return 1 << 0
		case "reason":
			e.Reason = ClosureReason(p.str())
			return 1 << 1
		case "handed_over_to":
			e.HandedOverTo = p.str()
			return 1 << 2
		case "decided_by":
			e.DecidedBy = StaffID(p.str())
			return 1 << 3
		}
		return 0
	})
	return e
}

func (p *pubReader) waitingListEntered() WaitingListEntered {
	var e WaitingListEntered
	p.object(func(k []byte) uint32 {
		if string(k) == "date" {
			e.Date = p.date()
			return 1 << 0
		}
		return 0
	})
	return e
}

func (p *pubReader) waitingListLeft() WaitingListLeft {
	var e WaitingListLeft
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "date":
			e.Date = p.date()
			return 1 << 0
		case "outcome":
			e.Outcome = WaitingListOutcome(p.str())
			return 1 << 1
		}
		return 0
	})
	return e
}

func (p *pubReader) familyInformed() FamilyInformed {
	var e FamilyInformed
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "disclosure_id":
			e.DisclosureID = DisclosureID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "form":
			e.Form = ConsentForm(p.str())
			return 1 << 2
		}
		return 0
	})
	return e
}

func (p *pubReader) spendDecided() SpendDecided {
	var e SpendDecided
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "spend_id":
			e.SpendID = SpendID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "verdict":
			e.Verdict = Verdict(p.str())
			return 1 << 2
		case "body":
			e.Body = DecidingBody(p.str())
			return 1 << 3
		case "decided_by":
			e.DecidedBy = StaffID(p.str())
			return 1 << 4
		}
		return 0
	})
	return e
}

func (p *pubReader) spendProposed() SpendProposed {
	var e SpendProposed
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "spend_id":
			e.SpendID = SpendID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "amount_cents":
			e.AmountCents = p.int()
			return 1 << 2
		case "instrument":
			e.Instrument = SpendInstrument(p.str())
			return 1 << 3
		case "category":
			e.Category = p.str()
			return 1 << 4
		case "proposed_by":
			e.ProposedBy = StaffID(p.str())
			return 1 << 5
		}
		return 0
	})
	return e
}
