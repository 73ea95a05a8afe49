// Package privacy is the privacy officer's read model: who saw which family
// (and what, why, with which outcome), what each staff member saw, the
// accesses that need review, the disclosure register with its legal bases,
// disclosures on consent without a valid consent, families not told of a
// disclosure, and the family's own GDPR art. 15 report.
//
// # What it folds
//
// From access-<id> streams: RecordViewed, RecordAccessRefused and ExportMade
// (one Access each, kept in position order with an index per family and per
// user). From family-<id> streams: coach assignment (IntakeHeld,
// CoachAssigned), covers (CoverArranged, CoverEnded), closure and reopening
// (to know each family's caseload at the moment of an access), members
// (their role, for the child-consent rule), consents, disclosures,
// FamilyInformed, ConfidentialityLifted, information requests, SpendRecorded
// (the disclosure a paid supplier implies) and FamilyErased. Every other
// family event only marks which kinds of data the ledger holds about the
// family (for the art. 15 report). Only public parts are read.
//
// # Rules
//
//   - outside_caseload: an access by a user acting as coach to a family of
//     which, when the access was recorded, they were neither the coach of the
//     open case (IntakeHeld or CoachAssigned; a closed case has no coach)
//     nor a cover on that day (CoverArranged From..Until, cut short by
//     CoverEnded or CaseClosed). Refused attempts carry the refused flag
//     instead. The flag is computed when the access is folded, so it judges
//     the caseload as the ledger stood at that moment.
//   - break_glass: the access event says the user broke the glass.
//   - outside_hours: the access's instant, in the configured time zone, is
//     not on a working day or not within [WorkStart, WorkEnd).
//   - unusual_volume: the user's attempts (allowed or refused) on that local
//     day touched more than VolumeThreshold distinct families, counted over
//     the accesses recorded by asOf.
//   - refused: the access was refused.
//
// Disclosures: every DisclosureMade, and for every SpendRecorded an implied
// disclosure (recipient the supplier, category aid_received, purpose and
// basis aid_payment, decided by the proposer, id "spend:<spend id>",
// implied=true). A disclosure on consent is checked with
// domain.ConsentCovers against the consent as known at asOf (so a
// withdrawal recorded later but dated earlier counts), on the disclosure's
// date, for the action its purpose needs; a missing or unknown consent and
// child statements shared on a consent not given by a child are problems
// too. A family is overdue to be told when an explicit disclosure that is
// not confidential (or whose confidentiality was lifted, counting from the
// lift) has no FamilyInformed and more than N days have passed; implied
// supplier disclosures (the family knows of its own purchase) and erased
// families are left out.
//
// The art. 15 report lists the kinds of records and data categories held
// (from public parts), every recipient of a disclosure the family may know
// of (confidential disclosures whose confidentiality is not lifted are left
// out: they stay in the register for the privacy officer), the family's
// consents, and the consultations of its file as dates, roles, parts and
// purposes, never staff names or ids.
//
// # Time travel
//
// Every query takes asOf (zero: everything folded) and sees only facts
// recorded (Fact.RecordedAt) at or before it. The access log is assumed to
// be in non-decreasing RecordedAt order along positions, which the store
// guarantees by stamping RecordedAt at append.
package privacy
