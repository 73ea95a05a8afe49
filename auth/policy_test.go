package auth

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// The policy table, written out by hand: for each role and part, the
// outcome in seven situations, one character each:
//
//	own      the family is assigned to the user
//	cover    the user covers the family now
//	expired  the user's cover of the family ended yesterday
//	other    the family is someone else's, no reason given
//	other+   the same with a break-the-glass reason
//	closed   the family is closed (it was assigned to the user)
//	closed+  the same with a reason
//
// A = allowed, F = allowed and flagged (break the glass), R = refused.
// Every role x part pair must be listed (TestPolicyTableIsComplete).
var policyTable = map[Role]map[Part]string{
	RoleCoach: {
		PartSummary: "AARRFRF", PartMembers: "AARRFRF", PartProfessionals: "AARRFRF", PartQuestions: "AARRFRF", PartTimeline: "AARRFRF", PartNote: "AARRFRF", PartBudget: "AARRFRF",
		PartDisclosures: "AARRFRF", PartConsents: "AARRFRF", PartParket: "AARRFRF",
		PartAssessments: "AARRFRF", PartExport: "AARRFRF",
		PartArt15: "RRRRRRR", PartErasure: "RRRRRRR",
		PartCaseload: "AAAAAAA", PartCouncilReport: "RRRRRRR", PartOutcomes: "RRRRRRR",
		PartDisclosureRegister: "RRRRRRR", PartAccessLog: "RRRRRRR", PartStaff: "RRRRRRR", PartParketOverview: "RRRRRRR", PartSecurityLog: "RRRRRRR",
	},
	RoleCoordinator: {
		PartSummary: "AAAAAAA", PartMembers: "RRRRFRF", PartProfessionals: "RRRRFRF", PartQuestions: "RRRRFRF", PartTimeline: "RRRRFRF", PartNote: "RRRRFRF", PartBudget: "AAAAAAA",
		PartDisclosures: "RRRRFRF", PartConsents: "RRRRFRF", PartParket: "RRRRFRF",
		PartAssessments: "AAAAAAA", PartExport: "RRRRFRF",
		PartArt15: "RRRRRRR", PartErasure: "RRRRRRR",
		PartCaseload: "AAAAAAA", PartCouncilReport: "AAAAAAA", PartOutcomes: "AAAAAAA",
		PartDisclosureRegister: "RRRRRRR", PartAccessLog: "RRRRRRR", PartStaff: "RRRRRRR", PartParketOverview: "AAAAAAA", PartSecurityLog: "RRRRRRR",
	},
	RolePrivacyOfficer: {
		PartSummary: "AAAAAAA", PartMembers: "RRRRRRR", PartProfessionals: "RRRRRRR", PartQuestions: "RRRRRRR", PartTimeline: "RRRRRRR", PartNote: "RRRRRRR", PartBudget: "RRRRRRR",
		PartDisclosures: "AAAAAAA", PartConsents: "AAAAAAA", PartParket: "RRRRRRR",
		PartAssessments: "RRRRRRR", PartExport: "RRRRRRR",
		PartArt15: "AAAAAAA", PartErasure: "AAAAAAA",
		PartCaseload: "RRRRRRR", PartCouncilReport: "RRRRRRR", PartOutcomes: "RRRRRRR",
		PartDisclosureRegister: "AAAAAAA", PartAccessLog: "AAAAAAA", PartStaff: "RRRRRRR", PartParketOverview: "RRRRRRR", PartSecurityLog: "AAAAAAA",
	},
	RoleBackOffice: {
		PartSummary: "RRRRRRR", PartMembers: "RRRRRRR", PartProfessionals: "RRRRRRR", PartQuestions: "RRRRRRR", PartTimeline: "RRRRRRR", PartNote: "RRRRRRR", PartBudget: "AAAAAAA",
		PartDisclosures: "RRRRRRR", PartConsents: "RRRRRRR", PartParket: "RRRRRRR",
		PartAssessments: "RRRRRRR", PartExport: "RRRRRRR",
		PartArt15: "RRRRRRR", PartErasure: "RRRRRRR",
		PartCaseload: "RRRRRRR", PartCouncilReport: "RRRRRRR", PartOutcomes: "RRRRRRR",
		PartDisclosureRegister: "RRRRRRR", PartAccessLog: "RRRRRRR", PartStaff: "RRRRRRR", PartParketOverview: "RRRRRRR", PartSecurityLog: "RRRRRRR",
	},
	RoleAdmin: {
		PartSummary: "RRRRRRR", PartMembers: "RRRRRRR", PartProfessionals: "RRRRRRR", PartQuestions: "RRRRRRR", PartTimeline: "RRRRRRR", PartNote: "RRRRRRR", PartBudget: "RRRRRRR",
		PartDisclosures: "RRRRRRR", PartConsents: "RRRRRRR", PartParket: "RRRRRRR",
		PartAssessments: "RRRRRRR", PartExport: "RRRRRRR",
		PartArt15: "RRRRRRR", PartErasure: "RRRRRRR",
		PartCaseload: "RRRRRRR", PartCouncilReport: "RRRRRRR", PartOutcomes: "RRRRRRR",
		PartDisclosureRegister: "RRRRRRR", PartAccessLog: "RRRRRRR", PartStaff: "AAAAAAA", PartParketOverview: "RRRRRRR", PartSecurityLog: "RRRRRRR",
	},
}

var situations = []string{"own", "cover", "expired", "other", "other+", "closed", "closed+"}

func brussels(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

func TestPolicyTableIsComplete(t *testing.T) {
	for _, r := range Roles() {
		for _, p := range Parts() {
			if len(policyTable[r][p]) != len(situations) {
				t.Errorf("policy table lacks %s x %s", r, p)
			}
		}
	}
}

func TestPolicyDecide(t *testing.T) {
	loc := brussels(t)
	pol := Policy{Hours: DefaultWorkingHours(loc)}
	// Tuesday 10:00 in Brussels: inside working hours.
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, loc)
	const me, colleague = "u-me", "u-colleague"
	const reason = "urgent_safety"
	for _, role := range Roles() {
		user := User{ID: me, Login: "me", Roles: []Role{role}}
		for _, part := range Parts() {
			for i, sit := range situations {
				f := &FamilyFacts{ID: "f-1", AssignedCoach: colleague}
				why := ""
				switch sit {
				case "own":
					f.AssignedCoach = me
				case "cover":
					f.Covers = []Cover{{CoachID: me, From: now.AddDate(0, 0, -3), Until: now.AddDate(0, 0, 4)}}
				case "expired":
					f.Covers = []Cover{{CoachID: me, From: now.AddDate(0, 0, -10), Until: now.AddDate(0, 0, -1)}}
				case "other+":
					why = reason
				case "closed", "closed+":
					f.AssignedCoach, f.Closed = me, true
					if sit == "closed+" {
						why = reason
					}
				}
				if !part.FamilyScoped() {
					f = nil
				}
				want := policyTable[role][part][i]
				t.Run(fmt.Sprintf("%s/%s/%s", role, part, sit), func(t *testing.T) {
					d := pol.Decide(AccessRequest{User: user, Family: f, Part: part, Purpose: "care", Reason: why, At: now})
					got := byte('R')
					if d.Allowed {
						got = 'A'
						if d.Flagged {
							got = 'F'
						}
					}
					if got != want {
						t.Fatalf("got %c (%+v), want %c", got, d, want)
					}
					if d.Flagged != slices.Contains(d.Flags, FlagBreakTheGlass) {
						t.Fatalf("flags %v inconsistent with Flagged=%v inside working hours", d.Flags, d.Flagged)
					}
					if d.Reason == "" {
						t.Fatal("decision without a reason code")
					}
				})
			}
		}
	}
}

func TestPolicyReasonCodes(t *testing.T) {
	loc := brussels(t)
	pol := Policy{Hours: DefaultWorkingHours(loc)}
	tue := time.Date(2026, 3, 10, 10, 0, 0, 0, loc)
	sat := time.Date(2026, 3, 14, 23, 30, 0, 0, loc)
	coach := User{ID: "c1", Login: "c1", Roles: []Role{RoleCoach}}
	own := &FamilyFacts{ID: "f", AssignedCoach: "c1"}
	other := &FamilyFacts{ID: "f", AssignedCoach: "c2", Covers: []Cover{{CoachID: "c1", From: tue.AddDate(0, 0, 1)}}}
	for _, tc := range []struct {
		name   string
		req    AccessRequest
		reason string
		flags  []Flag
	}{
		{"own", AccessRequest{User: coach, Family: own, Part: PartTimeline, At: tue}, ReasonCaseload, nil},
		{"own at night", AccessRequest{User: coach, Family: own, Part: PartTimeline, At: sat}, ReasonCaseload, []Flag{FlagOutsideHours}},
		{"cover not started", AccessRequest{User: coach, Family: other, Part: PartTimeline, At: tue}, ReasonReasonRequired, nil},
		{"cover started", AccessRequest{User: coach, Family: other, Part: PartTimeline, At: tue.AddDate(0, 0, 2)}, ReasonCover, nil},
		{"blank reason", AccessRequest{User: coach, Family: other, Part: PartNote, Reason: "  ", At: tue}, ReasonReasonRequired, nil},
		{"glass at night", AccessRequest{User: coach, Family: &FamilyFacts{ID: "f", AssignedCoach: "c2"}, Part: PartNote, Reason: "parket_request", At: sat},
			ReasonBreakTheGlass, []Flag{FlagBreakTheGlass, FlagOutsideHours}},
		{"no family", AccessRequest{User: coach, Part: PartTimeline, At: tue}, ReasonFamilyRequired, nil},
		{"unknown part", AccessRequest{User: coach, Family: own, Part: "diary", At: tue}, ReasonUnknownPart, nil},
		{"disabled", AccessRequest{User: User{ID: "c1", Roles: []Role{RoleCoach}, Disabled: true}, Family: own, Part: PartTimeline, At: tue}, ReasonDisabled, nil},
		{"reason does not lift role", AccessRequest{User: User{ID: "b", Roles: []Role{RoleBackOffice}}, Family: own, Part: PartNote, Reason: "other", At: tue}, ReasonRoleNotPermitted, nil},
		{"privacy officer audit", AccessRequest{User: User{ID: "p", Roles: []Role{RolePrivacyOfficer}}, Part: PartAccessLog, At: tue}, ReasonRole, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := pol.Decide(tc.req)
			if d.Reason != tc.reason || !slices.Equal(d.Flags, tc.flags) || d.Flagged != (len(tc.flags) > 0) {
				t.Fatalf("got %+v, want reason %s flags %v", d, tc.reason, tc.flags)
			}
		})
	}
}

func TestPolicySeveralRoles(t *testing.T) {
	loc := brussels(t)
	pol := Policy{Hours: DefaultWorkingHours(loc)}
	tue := time.Date(2026, 3, 10, 10, 0, 0, 0, loc)
	both := User{ID: "c1", Roles: []Role{RoleCoordinator, RoleCoach}}
	own := &FamilyFacts{ID: "f", AssignedCoach: "c1"}
	other := &FamilyFacts{ID: "g", AssignedCoach: "c2"}
	for _, tc := range []struct {
		name    string
		req     AccessRequest
		allowed bool
		role    Role
		reason  string
	}{
		{"own note as coach", AccessRequest{User: both, Family: own, Part: PartNote, At: tue}, true, RoleCoach, ReasonCaseload},
		{"other budget as coordinator", AccessRequest{User: both, Family: other, Part: PartBudget, At: tue}, true, RoleCoordinator, ReasonRole},
		{"other note needs a reason", AccessRequest{User: both, Family: other, Part: PartNote, At: tue}, false, RoleCoordinator, ReasonReasonRequired},
		{"council report", AccessRequest{User: both, Part: PartCouncilReport, At: tue}, true, RoleCoordinator, ReasonRole},
		{"back office and coach", AccessRequest{User: User{ID: "c1", Roles: []Role{RoleCoach, RoleBackOffice}}, Family: other, Part: PartBudget, At: tue}, true, RoleBackOffice, ReasonRole},
		{"no roles", AccessRequest{User: User{ID: "x"}, Family: own, Part: PartSummary, At: tue}, false, "", ReasonRoleNotPermitted},
		{"invalid role ignored", AccessRequest{User: User{ID: "c1", Roles: []Role{"boss"}}, Family: own, Part: PartSummary, At: tue}, false, "boss", ReasonRoleNotPermitted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := pol.Decide(tc.req)
			if d.Allowed != tc.allowed || d.Role != tc.role || d.Reason != tc.reason {
				t.Fatalf("got %+v, want allowed=%v role=%s reason=%s", d, tc.allowed, tc.role, tc.reason)
			}
		})
	}
}

func TestPolicyWrites(t *testing.T) {
	loc := brussels(t)
	pol := Policy{Hours: DefaultWorkingHours(loc)}
	tue := time.Date(2026, 3, 10, 10, 0, 0, 0, loc)
	own := &FamilyFacts{ID: "f", AssignedCoach: "c1"}
	other := &FamilyFacts{ID: "g", AssignedCoach: "c2"}
	user := func(r Role) User { return User{ID: "c1", Roles: []Role{r}} }
	for _, tc := range []struct {
		name    string
		req     AccessRequest
		allowed bool
		reason  string
	}{
		{"coach writes own contact", AccessRequest{User: user(RoleCoach), Family: own, Part: PartTimeline}, true, ReasonCaseload},
		{"coach writes other with reason", AccessRequest{User: user(RoleCoach), Family: other, Part: PartTimeline, Reason: "urgent_safety"}, true, ReasonBreakTheGlass},
		{"coordinator decides a spend", AccessRequest{User: user(RoleCoordinator), Family: other, Part: PartBudget}, true, ReasonRole},
		{"coordinator writes a note with reason", AccessRequest{User: user(RoleCoordinator), Family: other, Part: PartTimeline, Reason: "team_review"}, false, ReasonRoleNotPermitted},
		{"privacy officer gives consent", AccessRequest{User: user(RolePrivacyOfficer), Family: other, Part: PartConsents}, false, ReasonRoleNotPermitted},
		{"privacy officer erases", AccessRequest{User: user(RolePrivacyOfficer), Family: other, Part: PartErasure}, true, ReasonRole},
		{"privacy officer receives an art. 15 request", AccessRequest{User: user(RolePrivacyOfficer), Family: other, Part: PartArt15}, true, ReasonRole},
		{"back office records a spend", AccessRequest{User: user(RoleBackOffice), Family: other, Part: PartBudget}, true, ReasonRole},
		{"admin writes nothing", AccessRequest{User: user(RoleAdmin), Family: other, Part: PartSummary}, false, ReasonRoleNotPermitted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Write, tc.req.At = true, tue
			d := pol.Decide(tc.req)
			if d.Allowed != tc.allowed || d.Reason != tc.reason {
				t.Fatalf("got %+v, want allowed=%v reason=%s", d, tc.allowed, tc.reason)
			}
			// The same request as a read is never narrower.
			tc.req.Write = false
			if r := pol.Decide(tc.req); d.Allowed && !r.Allowed {
				t.Fatalf("write allowed but read refused: %+v", r)
			}
		})
	}
}
