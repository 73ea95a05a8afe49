package timeline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"spoor/domain"
	"spoor/store"
)

// Kind groups event types for filtering and display.
type Kind string

// Kinds of timeline entries.
const (
	KindCase         Kind = "case"         // referral, waiting list, intake, guidance, coach, cover, closure
	KindContact      Kind = "contact"      // contacts and their corrections
	KindQuestion     Kind = "question"     // hulpvragen
	KindMember       Kind = "member"       // family members
	KindProfessional Kind = "professional" // professionals of other organisations
	KindAssessment   Kind = "assessment"   // registrations with an instrument
	KindConsent      Kind = "consent"      // consent given, refused, withdrawn, expired
	KindDisclosure   Kind = "disclosure"   // disclosures, family informed, information requests
	KindParket       Kind = "parket"       // the parket's state
	KindPolice       Kind = "police"       // police facts and the police file
	KindBudget       Kind = "budget"       // allocations, spends, cost avoidance
	KindRetention    Kind = "retention"    // retention, legal holds, erasure
)

// Kinds lists every Kind.
func Kinds() []Kind {
	return []Kind{KindCase, KindContact, KindQuestion, KindMember, KindProfessional, KindAssessment, KindConsent, KindDisclosure, KindParket, KindPolice, KindBudget, KindRetention}
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Entry is one event of a family's timeline. Summary holds codes, counts,
// amounts and organisation names only; Refs names the identifiers the event
// carries (keys such as "contact_id", "spend_id", "disclosure_id").
type Entry struct {
	Position    uint64              `json:"position"`
	EventID     string              `json:"event_id"`
	RecordedAt  time.Time           `json:"recorded_at"`
	Date        domain.Date         `json:"date,omitzero"`
	Type        string              `json:"type"`
	Kind        Kind                `json:"kind"`
	LifeDomains []domain.LifeDomain `json:"life_domains"`
	Actor       store.Actor         `json:"actor"`
	Summary     string              `json:"summary"`
	Refs        map[string]string   `json:"refs,omitempty"`
	// Superseded marks a contact entry that a later ContactCorrected (as
	// of the query's instant) replaced.
	Superseded bool `json:"superseded,omitempty"`
}

// kindOf returns the kind of an event.
func kindOf(ev domain.Event) Kind { return kindOfType(ev.EventType()) }

// kindOfType returns the kind of an event type name.
func kindOfType(typ string) Kind {
	switch typ {
	case domain.TypeContactLogged, domain.TypeContactCorrected:
		return KindContact
	case domain.TypeQuestionRaised, domain.TypeQuestionAnswered:
		return KindQuestion
	case domain.TypeMemberAdded, domain.TypeMemberCorrected, domain.TypeMemberLeft:
		return KindMember
	case domain.TypeProfessionalAdded, domain.TypeProfessionalRemoved:
		return KindProfessional
	case domain.TypeAssessmentRegistered:
		return KindAssessment
	case domain.TypeConsentGiven, domain.TypeConsentRefused, domain.TypeConsentWithdrawn, domain.TypeConsentExpired:
		return KindConsent
	case domain.TypeDisclosureMade, domain.TypeFamilyInformed, domain.TypeConfidentialityLifted, domain.TypeInfoRequestReceived, domain.TypeInfoRequestAnswered, domain.TypeInfoRequestRefused:
		return KindDisclosure
	case domain.TypeParketInformed, domain.TypeParketStatusRequested, domain.TypeParketStatusReported, domain.TypeParketWorryReported, domain.TypeReferredToOCJ, domain.TypeYouthCourtInvolved, domain.TypeParketClosed:
		return KindParket
	case domain.TypePoliceFactsRecorded, domain.TypePoliceFileClosed, domain.TypePoliceFileReopened:
		return KindPolice
	case domain.TypeBudgetAllocated, domain.TypeSpendProposed, domain.TypeSpendDecided, domain.TypeSpendRecorded, domain.TypeSpendReviewed, domain.TypeSpendReversed, domain.TypeOverspendApproved, domain.TypeCostAvoidanceRecorded:
		return KindBudget
	case domain.TypeRetentionSet, domain.TypeLegalHoldSet, domain.TypeLegalHoldLifted, domain.TypeFamilyErased:
		return KindRetention
	}
	return KindCase
}

// metaOf returns the life domains an event touches (the event's own slice
// where it has one: never modified) and its key: the contact id of a
// contact, the question id of a question. A QuestionAnswered's domain is
// filled in by Model.add from its question.
func metaOf(ev domain.Event) ([]domain.LifeDomain, string) {
	switch e := ev.(type) {
	case domain.ContactLogged:
		return e.LifeDomains, string(e.ContactID)
	case domain.ContactCorrected:
		return e.LifeDomains, string(e.ContactID)
	case domain.FamilyReferred:
		return e.Problems, ""
	case domain.QuestionRaised:
		if e.LifeDomain != "" {
			return []domain.LifeDomain{e.LifeDomain}, string(e.QuestionID)
		}
		return nil, string(e.QuestionID)
	case domain.QuestionAnswered:
		return nil, string(e.QuestionID)
	case domain.AssessmentRegistered:
		// Items of the leefsituatie are named after the life domains.
		var out []domain.LifeDomain
		for _, x := range e.Items {
			if d := domain.LifeDomain(x.Item); d.Valid() && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
		return out, ""
	}
	return nil, ""
}

// dateOf returns the event's own date (the day it is about).
func dateOf(ev domain.Event) domain.Date {
	switch e := ev.(type) {
	case domain.FamilyReferred:
		return e.Date
	case domain.WaitingListEntered:
		return e.Date
	case domain.WaitingListLeft:
		return e.Date
	case domain.IntakeHeld:
		return e.Date
	case domain.GuidanceStarted:
		return e.Date
	case domain.CoachAssigned:
		return e.Date
	case domain.CoverArranged:
		return e.From
	case domain.CoverEnded:
		return e.Date
	case domain.CoachChangeRequested:
		return e.Date
	case domain.CoachChangeHandled:
		return e.Date
	case domain.CaseClosed:
		return e.Date
	case domain.CaseReopened:
		return e.Date
	case domain.PoliceFileClosed:
		return e.Date
	case domain.PoliceFileReopened:
		return e.Date
	case domain.MemberAdded:
		return e.Date
	case domain.MemberCorrected:
		return e.Date
	case domain.MemberLeft:
		return e.Date
	case domain.ProfessionalAdded:
		return e.Date
	case domain.ProfessionalRemoved:
		return e.Date
	case domain.ContactLogged:
		return e.Date
	case domain.ContactCorrected:
		return e.Date
	case domain.QuestionRaised:
		return e.Date
	case domain.QuestionAnswered:
		return e.Date
	case domain.AssessmentRegistered:
		return e.Date
	case domain.ConsentGiven:
		return e.Date
	case domain.ConsentRefused:
		return e.Date
	case domain.ConsentWithdrawn:
		return e.Date
	case domain.ConsentExpired:
		return e.Date
	case domain.DisclosureMade:
		return e.Date
	case domain.FamilyInformed:
		return e.Date
	case domain.ConfidentialityLifted:
		return e.Date
	case domain.InfoRequestReceived:
		return e.Date
	case domain.InfoRequestAnswered:
		return e.Date
	case domain.InfoRequestRefused:
		return e.Date
	case domain.ParketInformed:
		return e.Date
	case domain.ParketStatusRequested:
		return e.Date
	case domain.ParketStatusReported:
		return e.Date
	case domain.ParketWorryReported:
		return e.Date
	case domain.ReferredToOCJ:
		return e.Date
	case domain.YouthCourtInvolved:
		return e.Date
	case domain.ParketClosed:
		return e.Date
	case domain.PoliceFactsRecorded:
		return e.Date
	case domain.BudgetAllocated:
		return e.Date
	case domain.SpendProposed:
		return e.Date
	case domain.SpendDecided:
		return e.Date
	case domain.SpendRecorded:
		return e.Date
	case domain.SpendReviewed:
		return e.Date
	case domain.SpendReversed:
		return e.Date
	case domain.OverspendApproved:
		return e.Date
	case domain.CostAvoidanceRecorded:
		return e.Date
	case domain.RetentionSet:
		return e.Date
	case domain.LegalHoldSet:
		return e.Date
	case domain.LegalHoldLifted:
		return e.Date
	case domain.FamilyErased:
		return e.Date
	}
	return domain.Date{}
}

// euro formats cents as "EUR 12.34" (negative amounts keep their sign).
func euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("EUR %s%d.%02d", sign, cents/100, cents%100)
}

func join[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// summaryOf is the public summary of an event and the identifiers it
// carries. Only public fields are used: codes, counts, amounts, dates and
// organisation names.
func summaryOf(ev domain.Event) (string, map[string]string) {
	switch e := ev.(type) {
	case domain.FamilyReferred:
		return fmt.Sprintf("referred by %s (%s); %d adult(s), %d child(ren); problems: %s", e.Source, e.ReferringOrg, e.Adults, e.Children, join(e.Problems)), nil
	case domain.WaitingListEntered:
		return "placed on the waiting list", nil
	case domain.WaitingListLeft:
		return "left the waiting list: " + string(e.Outcome), nil
	case domain.IntakeHeld:
		s := "intake held with " + join(e.Attendees)
		if e.DefinitiveConsent {
			s += "; definitive consent (" + string(e.ConsentForm) + ")"
		}
		return s, map[string]string{"coach_id": string(e.CoachID)}
	case domain.GuidanceStarted:
		return "guidance started (trajectory " + strconv.Itoa(e.Trajectory) + ")", nil
	case domain.CoachAssigned:
		refs := map[string]string{"coach_id": string(e.CoachID)}
		if e.PreviousCoachID != "" {
			refs["previous_coach_id"] = string(e.PreviousCoachID)
		}
		if e.RequestID != "" {
			refs["request_id"] = string(e.RequestID)
		}
		return "coach assigned (" + string(e.Reason) + ")", refs
	case domain.CoverArranged:
		return fmt.Sprintf("cover from %s until %s (%s)", e.From, e.Until, e.Reason),
			map[string]string{"cover_id": string(e.CoverID), "coach_id": string(e.CoachID), "for_coach_id": string(e.ForCoachID)}
	case domain.CoverEnded:
		return "cover ended on " + e.Date.String(), map[string]string{"cover_id": string(e.CoverID)}
	case domain.CoachChangeRequested:
		return "the family asked for another coach", map[string]string{"request_id": string(e.RequestID)}
	case domain.CoachChangeHandled:
		return "request for another coach " + string(e.Verdict), map[string]string{"request_id": string(e.RequestID)}
	case domain.CaseClosed:
		s := "case closed: " + string(e.Reason)
		if e.HandedOverTo != "" {
			s += " (to " + e.HandedOverTo + ")"
		}
		return s, nil
	case domain.CaseReopened:
		return fmt.Sprintf("case reopened (trajectory %d, source %s)", e.Trajectory, e.Source), nil
	case domain.PoliceFileClosed:
		return "police file op af", nil
	case domain.PoliceFileReopened:
		return "police file op in", nil
	case domain.MemberAdded:
		return "member added: " + string(e.Role), map[string]string{"member_id": string(e.MemberID)}
	case domain.MemberCorrected:
		return "member corrected: " + string(e.Role), map[string]string{"member_id": string(e.MemberID)}
	case domain.MemberLeft:
		return "member left the household", map[string]string{"member_id": string(e.MemberID)}
	case domain.ProfessionalAdded:
		return fmt.Sprintf("professional involved: %s, %s (%s)", e.Organisation, e.Role, e.Category), map[string]string{"professional_id": string(e.ProfessionalID)}
	case domain.ProfessionalRemoved:
		return "professional no longer involved", map[string]string{"professional_id": string(e.ProfessionalID)}
	case domain.ContactLogged:
		return fmt.Sprintf("%s, %d min", e.Kind, e.DurationMinutes), map[string]string{"contact_id": string(e.ContactID), "coach_id": string(e.CoachID)}
	case domain.ContactCorrected:
		if e.Cancelled {
			return "contact cancelled", map[string]string{"contact_id": string(e.ContactID)}
		}
		return fmt.Sprintf("contact corrected: %s, %d min", e.Kind, e.DurationMinutes), map[string]string{"contact_id": string(e.ContactID)}
	case domain.QuestionRaised:
		return "question raised (" + string(e.LifeDomain) + ")", map[string]string{"question_id": string(e.QuestionID)}
	case domain.QuestionAnswered:
		return "question " + string(e.Outcome), map[string]string{"question_id": string(e.QuestionID)}
	case domain.AssessmentRegistered:
		return fmt.Sprintf("%s v%d registered (%s), %d item(s)", e.InstrumentID, e.InstrumentVersion, e.Moment, len(e.Items)),
			map[string]string{"assessment_id": string(e.AssessmentID), "coach_id": string(e.CoachID)}
	case domain.ConsentGiven:
		return "consent given: " + scope(e.Scope), map[string]string{"consent_id": string(e.ConsentID), "member_id": string(e.GrantorID)}
	case domain.ConsentRefused:
		return "consent refused: " + scope(e.Scope), map[string]string{"consent_id": string(e.ConsentID), "member_id": string(e.GrantorID)}
	case domain.ConsentWithdrawn:
		return "consent withdrawn", map[string]string{"consent_id": string(e.ConsentID)}
	case domain.ConsentExpired:
		return "consent expired", map[string]string{"consent_id": string(e.ConsentID)}
	case domain.DisclosureMade:
		s := fmt.Sprintf("shared with %s (%s, %s): %s; purpose %s; basis %s", e.RecipientOrg, e.RecipientRole, e.RecipientCategory, join(e.DataCategories), e.Purpose, e.LegalBasis)
		if e.Confidential {
			s += "; confidential"
		}
		refs := map[string]string{"disclosure_id": string(e.DisclosureID)}
		if e.ConsentID != "" {
			refs["consent_id"] = string(e.ConsentID)
		}
		if e.InfoRequestID != "" {
			refs["info_request_id"] = string(e.InfoRequestID)
		}
		return s, refs
	case domain.FamilyInformed:
		return "family informed of a disclosure (" + string(e.Form) + ")", map[string]string{"disclosure_id": string(e.DisclosureID)}
	case domain.ConfidentialityLifted:
		return "confidentiality lifted", map[string]string{"disclosure_id": string(e.DisclosureID)}
	case domain.InfoRequestReceived:
		return fmt.Sprintf("information requested by %s (%s, %s): %s; purpose %s", e.FromOrg, e.FromRole, e.FromCategory, join(e.DataCategories), e.Purpose),
			map[string]string{"info_request_id": string(e.RequestID)}
	case domain.InfoRequestAnswered:
		return "information request answered", map[string]string{"info_request_id": string(e.RequestID), "disclosure_id": string(e.DisclosureID)}
	case domain.InfoRequestRefused:
		return "information request refused: " + string(e.Reason), map[string]string{"info_request_id": string(e.RequestID)}
	case domain.ParketInformed:
		return "parket informed of the guidance", disclosureRef(e.DisclosureID)
	case domain.ParketStatusRequested:
		return "parket asked for a status, due " + e.DueDate.String(), map[string]string{"parket_request_id": string(e.RequestID)}
	case domain.ParketStatusReported:
		return "status reported to the parket", map[string]string{"parket_request_id": string(e.RequestID), "disclosure_id": string(e.DisclosureID)}
	case domain.ParketWorryReported:
		return "worrying situation reported", disclosureRef(e.DisclosureID)
	case domain.ReferredToOCJ:
		return "referred to the OCJ", disclosureRef(e.DisclosureID)
	case domain.YouthCourtInvolved:
		return "youth court involved", disclosureRef(e.DisclosureID)
	case domain.ParketClosed:
		return "parket closed its file", nil
	case domain.PoliceFactsRecorded:
		return fmt.Sprintf("police facts %s to %s: %d intervention(s), %d initial and %d follow-up report(s), %d kantschrift(en)",
			e.PeriodFrom, e.PeriodUntil, e.Interventions, e.InitialReports, e.FollowUpReports, e.Kantschriften), nil
	case domain.BudgetAllocated:
		return fmt.Sprintf("budget allocated: %s (%s, trajectory %d)", euro(e.AmountCents), e.FundingSource, e.Trajectory), map[string]string{"allocation_id": string(e.AllocationID)}
	case domain.SpendProposed:
		return fmt.Sprintf("spend proposed: %s, %s %s", euro(e.AmountCents), e.Instrument, e.Category), map[string]string{"spend_id": string(e.SpendID)}
	case domain.SpendDecided:
		return fmt.Sprintf("spend %s by the %s", e.Verdict, e.Body), map[string]string{"spend_id": string(e.SpendID)}
	case domain.SpendRecorded:
		return fmt.Sprintf("spent %s, %s %s at %s (%s)", euro(e.AmountCents), e.Instrument, e.Category, e.Supplier, e.Path), map[string]string{"spend_id": string(e.SpendID)}
	case domain.SpendReviewed:
		return "urgent spend reviewed: " + string(e.Verdict), map[string]string{"spend_id": string(e.SpendID)}
	case domain.SpendReversed:
		return "spend reversed: " + string(e.Reason), map[string]string{"spend_id": string(e.SpendID)}
	case domain.OverspendApproved:
		return "overspend approved up to " + euro(e.AmountCents), map[string]string{"spend_id": string(e.SpendID), "approval_id": string(e.ApprovalID)}
	case domain.CostAvoidanceRecorded:
		return fmt.Sprintf("cost avoidance (%s) %s to %s: %s against %s", e.Category, e.PeriodFrom, e.PeriodUntil, euro(e.ActualCents), euro(e.ComparisonCents)),
			map[string]string{"cost_record_id": string(e.RecordID)}
	case domain.RetentionSet:
		return "retention until " + e.Until.String() + " (" + e.Basis + ")", nil
	case domain.LegalHoldSet:
		return "legal hold set", map[string]string{"hold_id": string(e.HoldID)}
	case domain.LegalHoldLifted:
		return "legal hold lifted", map[string]string{"hold_id": string(e.HoldID)}
	case domain.FamilyErased:
		return "personal data erased (" + string(e.Reason) + ")", nil
	}
	return ev.EventType(), nil
}

func scope(s domain.ConsentScope) string {
	to := string(s.RecipientCategory)
	if s.RecipientOrg != "" {
		to = s.RecipientOrg + " (" + to + ")"
	}
	return fmt.Sprintf("%s to %s for %s: %s", s.Action, to, s.Purpose, join(s.DataCategories))
}

func disclosureRef(id domain.DisclosureID) map[string]string {
	if id == "" {
		return nil
	}
	return map[string]string{"disclosure_id": string(id)}
}

// sealedTexts returns the free text of an event's sealed part: notes,
// summaries, justifications, item texts and with whom a contact was. Names,
// addresses, phone numbers and e-mail are not searched.
func sealedTexts(ev domain.Event) []string {
	switch e := ev.(type) {
	case domain.FamilyReferred:
		return []string{e.Sealed.Summary}
	case domain.IntakeHeld:
		return []string{e.Sealed.Note}
	case domain.CoachChangeRequested:
		return []string{e.Sealed.Note}
	case domain.ContactLogged:
		return []string{e.Sealed.Note, e.Sealed.WithWhom}
	case domain.ContactCorrected:
		return []string{e.Sealed.Note, e.Sealed.WithWhom}
	case domain.QuestionRaised:
		return []string{e.Sealed.Note}
	case domain.QuestionAnswered:
		return []string{e.Sealed.Note}
	case domain.AssessmentRegistered:
		out := make([]string, 0, len(e.Sealed.Texts))
		for _, t := range e.Sealed.Texts {
			out = append(out, t.Text)
		}
		return out
	case domain.ConsentGiven:
		return []string{e.Sealed.Note}
	case domain.ConsentRefused:
		return []string{e.Sealed.Note}
	case domain.DisclosureMade:
		return []string{e.Sealed.Summary}
	case domain.InfoRequestReceived:
		return []string{e.Sealed.Note}
	case domain.SpendProposed:
		return []string{e.Sealed.Justification}
	case domain.SpendRecorded:
		return []string{e.Sealed.Justification}
	case domain.SpendReversed:
		return []string{e.Sealed.Note}
	}
	return nil
}
