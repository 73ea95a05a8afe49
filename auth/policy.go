package auth

import (
	"strings"
	"time"
)

// Part is a part of a family's file, or a team-level view, that access is
// decided for and recorded against. Its string is stable: it is stored in
// access events and used as a metrics label.
type Part string

// Parts of one family's file (Family must be given to Decide). The names
// match domain.FilePart where both exist.
const (
	PartSummary       Part = "summary"       // the file's header: referral, assignment, status, without members' details
	PartMembers       Part = "members"       // the family members and their details
	PartProfessionals Part = "professionals" // the professionals of other organisations involved
	PartQuestions     Part = "questions"     // the family's questions for help (hulpvragen)
	PartTimeline      Part = "timeline"      // the history, including contact notes
	PartNote          Part = "note"          // one contact note's text
	PartBudget        Part = "budget"        // the maatbudget and its spends
	PartDisclosures   Part = "disclosures"   // what was shared with whom
	PartConsents      Part = "consents"      // consents given, refused, withdrawn
	PartParket        Part = "parket"        // the parket status and its steps
	PartAssessments   Part = "assessments"   // life-domain scores T0/T1
	PartExport        Part = "export"        // the whole file as a download
	PartArt15         Part = "art15"         // the family's GDPR art. 15 report
	PartErasure       Part = "erasure"       // retention, legal hold, crypto-shredding
)

// Team-level parts (no family; Family may be nil). PartAccessLog is both:
// with a family, who saw that family; without, what a staff member saw.
const (
	PartCaseload           Part = "caseload"            // caseloads, waiting list
	PartCouncilReport      Part = "council_report"      // budget report for the council
	PartOutcomes           Part = "outcomes"            // leefsituatie tables
	PartDisclosureRegister Part = "disclosure_register" // all disclosures with legal bases
	PartAccessLog          Part = "access_log"          // who saw what
	PartStaff              Part = "staff"               // staff accounts and roles
	PartParketOverview     Part = "parket_overview"     // open parket requests and counts of the team
	PartSecurityLog        Part = "security_log"        // failed logins (no case data)
)

// Parts lists every part in a fixed order.
func Parts() []Part {
	return []Part{
		PartSummary, PartMembers, PartProfessionals, PartQuestions, PartTimeline, PartNote, PartBudget,
		PartDisclosures, PartConsents, PartParket, PartAssessments, PartExport, PartArt15, PartErasure,
		PartCaseload, PartCouncilReport, PartOutcomes, PartDisclosureRegister, PartAccessLog, PartStaff,
		PartParketOverview, PartSecurityLog,
	}
}

// FamilyScoped reports whether p is a part of one family's file, so Decide
// needs the family's facts.
func (p Part) FamilyScoped() bool {
	switch p {
	case PartSummary, PartMembers, PartProfessionals, PartQuestions, PartTimeline, PartNote, PartBudget,
		PartDisclosures, PartConsents, PartParket, PartAssessments, PartExport, PartArt15, PartErasure:
		return true
	}
	return false
}

// Cover is a coach covering a family for a colleague from From (inclusive)
// until Until (exclusive; zero means open-ended).
type Cover struct {
	CoachID string
	From    time.Time
	Until   time.Time
}

// Active reports whether the cover holds at t.
func (c Cover) Active(t time.Time) bool {
	return !t.Before(c.From) && (c.Until.IsZero() || t.Before(c.Until))
}

// FamilyFacts are what the policy needs to know about a family: who is
// assigned, who covers and when, and whether its guidance is closed. The
// caseload read model provides them.
type FamilyFacts struct {
	ID            string
	AssignedCoach string // user id of the coach; "" while waiting or unassigned
	Covers        []Cover
	Closed        bool
}

// AccessRequest is one question to the policy.
type AccessRequest struct {
	User User
	// Family is the family concerned; nil for team-level parts.
	Family *FamilyFacts
	Part   Part
	// Purpose is why the data is needed (a short code such as "care",
	// "cover", "review", "audit"); recorded, not decided on.
	Purpose string
	// Reason is the break-the-glass reason given by the user (a code such as
	// domain.BreakGlassReason; the API checks it), "" if none was given.
	Reason string
	// At is when the access happens.
	At time.Time
	// Write is set for a change to the part (a command) rather than a read.
	// Writes follow the read rules, narrowed: nobody writes through a
	// reason-only rule (break the glass is for reading), and the privacy
	// officer writes only art. 15 requests and erasure.
	Write bool
}

// Reason codes of a Decision. They are stable strings stored in access
// events.
const (
	ReasonCaseload         = "caseload"           // allowed: the family is on the coach's caseload
	ReasonCover            = "cover"              // allowed: the coach covers the family now
	ReasonRole             = "role"               // allowed: the role may see this part
	ReasonBreakTheGlass    = "break_the_glass"    // allowed with a reason, flagged
	ReasonReasonRequired   = "reason_required"    // refused: allowed only with a reason, none given
	ReasonRoleNotPermitted = "role_not_permitted" // refused: the role may never see this part
	ReasonFamilyRequired   = "family_required"    // refused: a family part asked without a family
	ReasonUnknownPart      = "unknown_part"       // refused: not a part the policy knows
	ReasonDisabled         = "disabled"           // refused: the user is disabled or has no valid role
)

// Flag marks an allowed access for the privacy officer's review.
type Flag string

// The flags.
const (
	FlagBreakTheGlass Flag = "break_the_glass" // outside the caseload, or content beyond the role, with a reason
	FlagOutsideHours  Flag = "outside_hours"   // outside the team's working hours
)

// Decision is the policy's answer.
type Decision struct {
	Allowed bool
	// Role is the role the decision was made for: for a user with several
	// roles, the one that allowed the access (or, when refused, the one
	// whose refusal is reported).
	Role Role
	// Flagged is true when Flags is not empty.
	Flagged bool
	Flags   []Flag
	// Reason is one of the Reason* codes.
	Reason string
}

// Outcome is "allowed" or "refused", as access events record it.
func (d Decision) Outcome() string {
	if d.Allowed {
		return "allowed"
	}
	return "refused"
}

// WorkingHours are the team's hours; accesses outside them are flagged.
type WorkingHours struct {
	Location *time.Location
	// Start and End are hours of the day, [Start, End).
	Start, End int
	// Days are the working weekdays.
	Days []time.Weekday
}

// DefaultWorkingHours returns Monday to Friday, 07:00 to 19:00, in loc
// (Europe/Brussels for a Flemish team), the hours the privacy read model
// flags by default: evenings, nights and weekends are flagged.
func DefaultWorkingHours(loc *time.Location) WorkingHours {
	return WorkingHours{Location: loc, Start: 7, End: 19,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}
}

// Within reports whether t falls inside the working hours.
func (w WorkingHours) Within(t time.Time) bool {
	if w.Location != nil {
		t = t.In(w.Location)
	}
	day := false
	for _, d := range w.Days {
		if t.Weekday() == d {
			day = true
		}
	}
	return day && t.Hour() >= w.Start && t.Hour() < w.End
}

// Policy decides who may see what. It is the one place where access is
// decided; handlers ask it and record its answer.
//
// The rules (DOMAIN.md, "Access to the file"):
//
//   - coach: the parts of a family's file for families on their caseload
//     (assigned) and families they cover now (within the cover's dates);
//     any other family only with a reason (break the glass: allowed,
//     flagged). Their own caseload. No team statistics, audit views or
//     staff management.
//   - coordinator: caseload and waiting list, each family's summary, budget
//     and assessments, the council report, the outcome tables and the
//     team's open parket requests (parket_overview); members,
//     professionals, questions, the timeline, notes, consents, disclosures,
//     parket status and exports only with a reason (flagged).
//   - privacy officer: the access log, the failed logins (security_log),
//     the disclosure register, a family's
//     disclosures and consents (to check the legal bases), the art. 15
//     report and erasure, each family's summary; never note content,
//     timeline, members, budget, parket or assessments.
//   - back office: budgets and spends only.
//   - admin: staff accounts only, no case content.
//
// A closed family is on nobody's caseload: its former coach, like everyone,
// needs a reason. A reason never lifts a refusal that follows from the role
// (a back-office worker cannot read notes whatever they type). Allowed
// accesses outside the working hours are flagged.
type Policy struct {
	Hours WorkingHours
}

type rule int

const (
	refuse   rule = iota // never
	allow                // always
	caseload             // on caseload or cover; otherwise with a reason
	withWhy              // only with a reason
)

// rules is the policy's table: role -> part -> rule. Parts absent from a
// role's row are refused.
func rules(r Role, p Part) rule {
	switch r {
	case RoleCoach:
		switch p {
		case PartSummary, PartMembers, PartProfessionals, PartQuestions, PartTimeline, PartNote,
			PartBudget, PartDisclosures, PartConsents, PartParket, PartAssessments, PartExport:
			return caseload
		case PartCaseload:
			return allow
		}
	case RoleCoordinator:
		switch p {
		case PartSummary, PartBudget, PartAssessments, PartCaseload, PartCouncilReport, PartOutcomes, PartParketOverview:
			return allow
		case PartMembers, PartProfessionals, PartQuestions, PartTimeline, PartNote, PartDisclosures,
			PartConsents, PartParket, PartExport:
			return withWhy
		}
	case RolePrivacyOfficer:
		switch p {
		case PartSummary, PartDisclosures, PartConsents, PartArt15, PartErasure,
			PartDisclosureRegister, PartAccessLog, PartSecurityLog:
			return allow
		}
	case RoleBackOffice:
		if p == PartBudget {
			return allow
		}
	case RoleAdmin:
		if p == PartStaff {
			return allow
		}
	}
	return refuse
}

// Decide answers req. It never fails: malformed requests are refused with a
// reason code saying why. For a user with several roles it takes the best
// answer of any role: allowed outright over allowed by breaking the glass
// over refused; among refusals, "reason required" (a reason would help)
// over "role not permitted".
func (p Policy) Decide(req AccessRequest) Decision {
	known := false
	for _, q := range Parts() {
		if q == req.Part {
			known = true
		}
	}
	if !known {
		return Decision{Reason: ReasonUnknownPart}
	}
	if req.User.Disabled || req.User.ID == "" {
		return Decision{Reason: ReasonDisabled}
	}
	if req.Part.FamilyScoped() && req.Family == nil {
		return Decision{Reason: ReasonFamilyRequired}
	}
	d := Decision{Reason: ReasonRoleNotPermitted}
	if len(req.User.Roles) > 0 {
		d.Role = req.User.Roles[0]
	}
	for _, role := range req.User.Roles {
		if !role.Valid() {
			continue
		}
		if c := decideRole(role, req); rank(c) > rank(d) {
			d = c
		}
	}
	if d.Allowed && !p.Hours.Within(req.At) {
		d.Flags = append(d.Flags, FlagOutsideHours)
	}
	d.Flagged = len(d.Flags) > 0
	return d
}

// decideRole is the decision for one of the user's roles, before the
// working-hours flag.
func decideRole(role Role, req AccessRequest) Decision {
	var d Decision
	rule := rules(role, req.Part)
	if req.Write {
		switch {
		case rule == withWhy:
			rule = refuse
		case role == RolePrivacyOfficer && req.Part != PartArt15 && req.Part != PartErasure:
			rule = refuse
		}
	}
	switch rule {
	case refuse:
		d = Decision{Reason: ReasonRoleNotPermitted}
	case allow:
		d = Decision{Allowed: true, Reason: ReasonRole}
	case caseload:
		switch relation(req.User.ID, req.Family, req.At) {
		case ReasonCaseload:
			d = Decision{Allowed: true, Reason: ReasonCaseload}
		case ReasonCover:
			d = Decision{Allowed: true, Reason: ReasonCover}
		default:
			d = breakTheGlass(req.Reason)
		}
	case withWhy:
		d = breakTheGlass(req.Reason)
	}
	d.Role = role
	return d
}

// rank orders decisions from worst to best for users with several roles.
func rank(d Decision) int {
	switch {
	case d.Allowed && len(d.Flags) == 0:
		return 3
	case d.Allowed:
		return 2
	case d.Reason == ReasonReasonRequired:
		return 1
	}
	return 0
}

// relation says how userID stands to family at t: ReasonCaseload,
// ReasonCover, or "" (outside the caseload; also for every closed family
// and for team-level parts).
func relation(userID string, f *FamilyFacts, t time.Time) string {
	if f == nil || f.Closed {
		return ""
	}
	if f.AssignedCoach != "" && f.AssignedCoach == userID {
		return ReasonCaseload
	}
	for _, c := range f.Covers {
		if c.CoachID == userID && c.Active(t) {
			return ReasonCover
		}
	}
	return ""
}

func breakTheGlass(reason string) Decision {
	if strings.TrimSpace(reason) == "" {
		return Decision{Reason: ReasonReasonRequired}
	}
	return Decision{Allowed: true, Reason: ReasonBreakTheGlass, Flags: []Flag{FlagBreakTheGlass}}
}
