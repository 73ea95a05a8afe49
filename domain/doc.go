// Package domain is Spoor's vocabulary: the events of a family's trajectory,
// the commands that produce them, and the rules those commands obey. It
// imports only the standard library, does no I/O and reads no clock: the
// caller passes the current instant, the team's settings, the instrument
// catalogue and the staff members a command names (Env).
//
// # Streams
//
//	family-<id>  everything about one family's case (FamilyStream): referral,
//	             waiting list, intake, guidance, coaches and cover, contacts,
//	             hulpvragen, members and professionals, assessments, consents,
//	             disclosures and information requests, parket and police,
//	             budget and spends, cost avoidance, retention and erasure.
//	             One optimistic-concurrency check protects all its rules.
//	access-<id>  who saw what of that family (AccessStream): RecordViewed,
//	             RecordAccessRefused, ExportMade. Never conflicts with case
//	             writes.
//	staff-<id>   a user: registration, roles, (de)activation, password hash,
//	             bearer tokens (only their SHA-256).
//	team         the team's settings and budget envelopes (TeamStream).
//	security     failed logins of known and unknown users (SecurityStream),
//	             with keyed hashes instead of typed logins and addresses.
//
// Identifiers are opaque strings (UUIDs) chosen by the caller; domain never
// makes them, so a retried command produces byte-identical events.
//
// # Events: public and sealed parts
//
// Every event is a value type with a stable type name (EventType, listed in
// EventTypes, grouped by StreamKindOf). Its JSON-tagged fields are the
// public part: identifiers, dates ("2006-01-02"), amounts in euro cents
// (int64), codes, categories, counts and life domains, i.e. everything the
// statistics need. Where an event carries personal data (names, addresses,
// phone numbers, e-mail, note text, free-text justifications that may name
// people) it has a field named Sealed of a separate struct type, tagged
// json:"-". Encode returns the two parts as separate JSON objects (Sealed is
// nil when empty); the ledger seals the second under the family's data key
// (scope family-<id>, or staff-<id> for staff data). Decode takes both parts
// back; a nil sealed part (not available, or erased by crypto-shredding)
// leaves Sealed zero, so decisions and statistics work on public parts alone.
// Public free text is limited to organisation names and roles (referring
// organisation, recipient, supplier, municipality); everything a team
// configures (spend categories, funding sources, bases) is a code of
// a-z0-9_ that cannot hold a name.
//
// A paid supplier learns that the family receives help: SpendDisclosure
// turns every SpendRecorded into the disclosure it implies (recipient the
// supplier, category aid_received, purpose aid_payment, basis aid_payment),
// so the disclosure register can list it without a second event.
//
// # Event catalogue
//
// Family stream (family-<id>); "sealed:" names the personal data kept apart.
//
//	FamilyReferred         referral: date, source, referring org, consent, problems by
//	                       life domain, children, adults, municipality; sealed: name,
//	                       address, phone, e-mail, referrer name, summary
//	WaitingListEntered     the family waits
//	WaitingListLeft        outcome taken_in, referred_ocj, referred_elsewhere, withdrawn
//	IntakeHeld             attendees (kinds), coach, definitive consent; sealed: note
//	GuidanceStarted        guidance starts; trajectory number
//	CoachAssigned          coach (and previous), reason, request answered
//	CoverArranged          coach covers for a colleague from..until, reason
//	CoverEnded             a cover ends early
//	CoachChangeRequested   the family asks for another coach; sealed: note
//	CoachChangeHandled     the coordinator's verdict on it
//	CaseClosed             positive, unsuccessful or handed_over (to whom); running
//	                       covers end on the closing date
//	CaseReopened           new trajectory (number), optional new source
//	PoliceFileClosed       the police file is "op af"
//	PoliceFileReopened     the police file is "op in" again
//	MemberAdded            role parent/child/other_adult, birth year; sealed: name,
//	                       phone, e-mail
//	MemberCorrected        replaces role, birth year and sealed data
//	MemberLeft             the member left the household
//	ProfessionalAdded      organisation, category, role; sealed: name, phone, e-mail
//	ProfessionalRemoved    no longer involved
//	ContactLogged          date, kind, minutes, life domains, coach, members present,
//	                       member whose confidence the note keeps; sealed: with whom, note
//	ContactCorrected       replaces a contact's content or cancels it
//	QuestionRaised         hulpvraag on a life domain (member); sealed: text
//	QuestionAnswered       outcome answered/partly_answered/referred/withdrawn
//	AssessmentRegistered   instrument id+version, moment t0/review/t1, changed items
//	                       only (item, member, status, level); sealed: open texts
//	ConsentGiven           grantor member, scope (action, recipient org or category,
//	                       purpose, data categories, from..until), verbal/written
//	ConsentRefused         same shape, refused
//	ConsentWithdrawn       covers nothing from its date on
//	ConsentExpired         covers nothing from its date on
//	DisclosureMade         recipient org, role, category; data categories; purpose;
//	                       legal basis (+ consent id); members concerned; decided by;
//	                       confidential; answered request; sealed: recipient name, summary
//	FamilyInformed         the family was told of a disclosure
//	ConfidentialityLifted  a confidential disclosure may be told
//	InfoRequestReceived    from org, role, category; data categories; purpose
//	InfoRequestAnswered    by a disclosure
//	InfoRequestRefused     reason professional_secrecy, no_consent, no_legal_basis, other
//	ParketInformed         parket state known (disclosure)
//	ParketStatusRequested  open request with due date
//	ParketStatusReported   answers the open request (disclosure to the parket)
//	ParketWorryReported    verontrusting (disclosure to the parket)
//	ReferredToOCJ          MANO (disclosure to the OCJ)
//	YouthCourtInvolved     youth court (optional disclosure)
//	ParketClosed           the parket closed its file; open request ends
//	PoliceFactsRecorded    interventions, initial and follow-up pv, kantschriften over a period
//	BudgetAllocated        amount for a trajectory, referral source, funding source
//	SpendProposed          amount, instrument, category, proposer; sealed: justification
//	SpendDecided           approved/refused by team or coordinator
//	SpendRecorded          amount, instrument, category, supplier, receipt, funding
//	                       source, path team_decision (decided on, body) or urgent,
//	                       proposer, overspend approval; sealed: justification
//	SpendReviewed          the team's review of an urgent purchase
//	SpendReversed          reason; sealed: note
//	OverspendApproved      the coordinator allows a spend beyond what is left
//	CostAvoidanceRecorded  period, category, actual vs comparison cost, counts, basis
//	RetentionSet           personal data kept until
//	LegalHoldSet           no erasure until lifted
//	LegalHoldLifted        the hold ends
//	FamilyErased           reason, approver; the data key is destroyed after it
//
// Access stream (access-<family id>): RecordViewed (user, role, part, item,
// purpose, break the glass with a coded reason; sealed: free-text reason),
// RecordAccessRefused (same, with the refusing rule), ExportMade (kind,
// purpose, format). The instant of an access is the envelope's RecordedAt.
//
// Staff stream (staff-<id>): StaffRegistered (login; sealed: display name,
// e-mail), RoleGranted, RoleRevoked, StaffDeactivated, StaffReactivated,
// PasswordSet (sealed: the argon2id/bcrypt hash).
//
// Team stream: TeamSettingsChanged (the whole TeamSettings), BudgetEnvelopeSet
// (year, funding line, instrument, amount).
//
// Events carry calendar dates only; the instant an event was recorded is the
// envelope's RecordedAt (RFC 3339 UTC in every API).
//
// # Decisions
//
// Family, Team and Staff are states folded from their streams with Apply
// (which never fails: events are facts). Commands are plain structs (Refer,
// EnterWaitingList, LeaveWaitingList, HoldIntake, StartGuidance,
// AssignCoach, ArrangeCover, EndCover, RequestCoachChange,
// HandleCoachChange, CloseCase, ReopenCase, ClosePoliceFile,
// ReopenPoliceFile, AddMember, CorrectMember, RemoveMember,
// AddProfessional, RemoveProfessional, LogContact, CorrectContact,
// RaiseQuestion, AnswerQuestion, RegisterAssessment, GiveConsent,
// RefuseConsent, WithdrawConsent, ExpireConsent, Disclose, InformFamily,
// LiftConfidentiality, ReceiveInfoRequest, RefuseInfoRequest,
// RecordParketStep, RecordPoliceFacts, AllocateBudget, ProposeSpend,
// DecideSpend, RecordSpend, ApproveOverspend, ReviewSpend, ReverseSpend,
// RecordCostAvoidance, SetRetention, SetLegalHold, LiftLegalHold,
// EraseFamily; RegisterStaff, GrantRole, RevokeRole, DeactivateStaff,
// ReactivateStaff, SetPassword; ChangeTeamSettings, SetBudgetEnvelope;
// and DecideView, DecideRefusal, DecideExport for access events); Decide
// validates one against the state and Env and returns the events to append,
// or a *RuleError whose Rule is a stable code, whose Field names the
// command field at fault, and which unwraps to ErrRule, ErrNotFound or
// ErrConflict. Messages never contain personal data. The application flow
// (package ledger) is: read the stream, fold, decide, encode, seal, append
// with the expected version, and on a version conflict do it all again.
//
// # Rule codes
//
// General: field.required, field.invalid, field.invalid_id, field.too_long,
// field.duplicate, date.required, date.future, date.before_referral,
// date.order, amount.positive, amount.too_large, amount.range, count.range.
// Family: family.not_found, family.exists, family.erased, family.id,
// case.closed, case.not_closed, case.waiting, case.not_waiting,
// case.guidance_started, intake.waiting, guidance.no_intake,
// guidance.no_consent, referral.consent, coach.not_found, coach.not_coach,
// coach.same, coach_request.exists, coach_request.unknown,
// coach_request.handled, cover.exists, cover.same_coach, cover.unknown,
// cover.ended, police_file.state,
// member.unknown, member.exists, member.left, professional.unknown,
// professional.exists, professional.removed, contact.unknown, contact.exists,
// contact.cancelled, question.unknown, question.exists, question.answered,
// assessment.exists, assessment.instrument, assessment.item,
// assessment.level, assessment.status, assessment.duplicate_item,
// assessment.text, assessment.empty, assessment.t0_exists,
// assessment.no_t0, consent.exists, consent.unknown, consent.refused,
// consent.withdrawn, consent.expired, consent.grantor, disclosure.exists,
// disclosure.unknown, disclosure.consent_required, disclosure.consent_invalid,
// disclosure.child_consent, disclosure.confidential, disclosure.informed,
// disclosure.not_confidential, disclosure.lifted, info_request.exists,
// info_request.unknown, info_request.closed, parket.transition,
// parket.no_open_request, parket.open_request, parket.request_exists,
// parket.disclosure_recipient,
// budget.allocation_exists, budget.funding_source, budget.category,
// budget.overspend, spend.exists, spend.unknown, spend.not_proposed,
// spend.decided, spend.not_approved, spend.exceeds_decision, spend.path,
// spend.body, spend.decided_by, spend.supplier, spend.not_urgent,
// spend.reviewed, spend.reversed, spend.recorded, approval.exists,
// approval.decided_by, cost.exists, erasure.legal_hold, erasure.open_case,
// erasure.retention_running, erasure.approver, hold.exists, hold.unknown.
// Staff: staff.not_found, staff.exists, staff.login, staff.role_held,
// staff.role_not_held, staff.inactive, staff.active, staff.password_hash.
// Team: settings.weight, settings.allocation, settings.capacity,
// settings.funding, settings.days, settings.categories, settings.code.
// Access: access.break_glass_reason.
//
// A new rule code needs a table test that expects it and an entry in this
// list: TestEveryRuleIsTested parses the sources and checks both.
//
// # Adding an event
//
// Add the struct (public fields with snake_case JSON tags; personal data in
// a Sealed struct tagged json:"-"), its EventType method and Type constant,
// its case in Decode and StreamKindOf (codec.go), a sample in
// samples_test.go, run `go test -run Golden -update` and commit the new
// golden file, then fold it in Apply. Never rename a type or a JSON field of
// an event that has been stored: add a new type or field instead.
package domain
