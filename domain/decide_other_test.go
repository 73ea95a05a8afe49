package domain

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestStaffCommands(t *testing.T) {
	reg := []Event{StaffRegistered{StaffID: "s1", Date: d("2026-01-01"), Login: "sara", Sealed: StaffSealed{DisplayName: "SECRET Sara"}}}
	hash := "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo"
	cases := []struct {
		name        string
		given       []Event
		cmd         StaffCommand
		want        []Event
		rule, field string
		kind        error
	}{
		{name: "register", cmd: RegisterStaff{StaffID: "s1", Date: d("2026-01-01"), Login: "sara", DisplayName: "SECRET Sara"}, want: reg},
		{name: "register twice", given: reg, cmd: RegisterStaff{StaffID: "s1", Date: d("2026-01-01"), Login: "sara", DisplayName: "SECRET Sara"}, rule: "staff.exists", field: "staff_id", kind: ErrConflict},
		{name: "register other stream", cmd: RegisterStaff{StaffID: "s2", Date: d("2026-01-01"), Login: "sara", DisplayName: "SECRET Sara"}, rule: "field.invalid", field: "staff_id"},
		{name: "register bad login", cmd: RegisterStaff{StaffID: "s1", Date: d("2026-01-01"), Login: "Sara Peeters", DisplayName: "SECRET Sara"}, rule: "staff.login", field: "login"},
		{name: "register without name", cmd: RegisterStaff{StaffID: "s1", Date: d("2026-01-01"), Login: "sara"}, rule: "field.required", field: "display_name"},
		{name: "grant", given: reg, cmd: GrantRole{Role: RoleCoach, Date: d("2026-01-02"), By: "a1"}, want: []Event{RoleGranted{Role: RoleCoach, Date: d("2026-01-02"), GrantedBy: "a1"}}},
		{name: "grant to nobody", cmd: GrantRole{Role: RoleCoach, Date: d("2026-01-02"), By: "a1"}, rule: "staff.not_found", field: "staff_id", kind: ErrNotFound},
		{name: "grant twice", given: plus(reg, RoleGranted{Role: RoleCoach, Date: d("2026-01-02"), GrantedBy: "a1"}), cmd: GrantRole{Role: RoleCoach, Date: d("2026-01-02"), By: "a1"}, rule: "staff.role_held", field: "role", kind: ErrConflict},
		{name: "grant unknown role", given: reg, cmd: GrantRole{Role: "king", Date: d("2026-01-02"), By: "a1"}, rule: "field.invalid", field: "role"},
		{name: "revoke", given: plus(reg, RoleGranted{Role: RoleCoach, Date: d("2026-01-02"), GrantedBy: "a1"}), cmd: RevokeRole{Role: RoleCoach, Date: d("2026-01-03"), By: "a1"}, want: []Event{RoleRevoked{Role: RoleCoach, Date: d("2026-01-03"), RevokedBy: "a1"}}},
		{name: "revoke not held", given: reg, cmd: RevokeRole{Role: RoleCoach, Date: d("2026-01-03"), By: "a1"}, rule: "staff.role_not_held", field: "role", kind: ErrConflict},
		{name: "deactivate", given: reg, cmd: DeactivateStaff{Date: d("2026-01-03"), By: "a1"}, want: []Event{StaffDeactivated{Date: d("2026-01-03"), By: "a1"}}},
		{name: "deactivate twice", given: plus(reg, StaffDeactivated{Date: d("2026-01-03"), By: "a1"}), cmd: DeactivateStaff{Date: d("2026-01-03"), By: "a1"}, rule: "staff.inactive", kind: ErrConflict},
		{name: "reactivate", given: plus(reg, StaffDeactivated{Date: d("2026-01-03"), By: "a1"}), cmd: ReactivateStaff{Date: d("2026-01-04"), By: "a1"}, want: []Event{StaffReactivated{Date: d("2026-01-04"), By: "a1"}}},
		{name: "reactivate active", given: reg, cmd: ReactivateStaff{Date: d("2026-01-04"), By: "a1"}, rule: "staff.active", kind: ErrConflict},
		{name: "set password hash", given: reg, cmd: SetPassword{Date: d("2026-01-02"), Hash: hash}, want: []Event{PasswordSet{Date: d("2026-01-02"), Sealed: PasswordSealed{Hash: hash}}}},
		{name: "set plain password", given: reg, cmd: SetPassword{Date: d("2026-01-02"), Hash: "SECRET-correct-horse-battery-staple-and-more-words-to-be-long"}, rule: "staff.password_hash", field: "hash"},
		{name: "future date", given: reg, cmd: DeactivateStaff{Date: d("2026-07-01"), By: "a1"}, rule: "date.future", field: "date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStaff("s1")
			for _, e := range tc.given {
				s.Apply(e)
			}
			got, err := s.Decide(tc.cmd, testEnv())
			checkOutcome(t, got, err, tc.want, tc.rule, tc.field, tc.kind)
		})
	}
	s := NewStaff("s1")
	for _, e := range plus(reg, RoleGranted{Role: RoleCoach, Date: d("2026-01-02")}, PasswordSet{Date: d("2026-01-02"), Sealed: PasswordSealed{Hash: hash}}) {
		s.Apply(e)
	}
	if !s.Has(RoleCoach) || s.Has(RoleCoordinator) || s.PasswordHash != hash || s.Version != 3 {
		t.Fatalf("folded staff %+v", s)
	}
	s.Apply(StaffDeactivated{Date: d("2026-01-03")})
	if s.Has(RoleCoach) {
		t.Fatal("an inactive staff member acts in no role")
	}
}

func TestTeamCommands(t *testing.T) {
	good := DefaultTeamSettings()
	bad := func(mod func(*TeamSettings)) TeamSettings {
		s := DefaultTeamSettings()
		mod(&s)
		return s
	}
	cases := []struct {
		name        string
		cmd         TeamCommand
		want        []Event
		rule, field string
	}{
		{name: "settings", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: good, By: "k1"}, want: []Event{TeamSettingsChanged{Date: d("2026-01-01"), Settings: good, By: "k1"}}},
		{name: "weight missing", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { delete(s.Weights, SourceCLB) }), By: "k1"}, rule: "settings.weight", field: "weights.clb"},
		{name: "weight unknown source", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.Weights["mars"] = 1 }), By: "k1"}, rule: "settings.weight", field: "weights"},
		{name: "allocation negative", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.Allocations[SourcePolice] = -1 }), By: "k1"}, rule: "settings.allocation", field: "allocations.police"},
		{name: "allocation unknown source", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.Allocations["mars"] = 1 }), By: "k1"}, rule: "settings.allocation", field: "allocations"},
		{name: "capacity zero", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.CoachCapacity = 0 }), By: "k1"}, rule: "settings.capacity", field: "coach_capacity"},
		{name: "no funding sources", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.FundingSources = nil }), By: "k1"}, rule: "settings.funding", field: "funding_sources"},
		{name: "maatbudget funding unknown", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.MaatbudgetFunding = "x" }), By: "k1"}, rule: "settings.funding", field: "maatbudget_funding"},
		{name: "delegated funding unknown", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.DelegatedFunding = "x" }), By: "k1"}, rule: "settings.funding", field: "delegated_funding"},
		{name: "days zero", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.NoContactDays = 0 }), By: "k1"}, rule: "settings.days", field: "no_contact_days"},
		{name: "review days zero", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.ReviewIntervalDays = 0 }), By: "k1"}, rule: "settings.days", field: "review_interval_days"},
		{name: "no categories", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.SpendCategories = nil }), By: "k1"}, rule: "settings.categories", field: "spend_categories"},
		{name: "category not a code", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.SpendCategories = []string{"Gift for SECRET"} }), By: "k1"}, rule: "settings.code", field: "spend_categories"},
		{name: "category twice", cmd: ChangeTeamSettings{Date: d("2026-01-01"), Settings: bad(func(s *TeamSettings) { s.SpendCategories = []string{"paint", "paint"} }), By: "k1"}, rule: "settings.code", field: "spend_categories"},
		{name: "envelope", cmd: SetBudgetEnvelope{Year: 2026, FundingLine: "maatbudget", Instrument: InstrumentMaatbudget, AmountCents: 1000000, Date: d("2026-01-02"), By: "k1"}, want: []Event{BudgetEnvelopeSet{Year: 2026, FundingLine: "maatbudget", Instrument: InstrumentMaatbudget, AmountCents: 1000000, Date: d("2026-01-02"), By: "k1"}}},
		{name: "envelope unknown line", cmd: SetBudgetEnvelope{Year: 2026, FundingLine: "lottery", Instrument: InstrumentMaatbudget, AmountCents: 1, Date: d("2026-01-02"), By: "k1"}, rule: "budget.funding_source", field: "funding_line"},
		{name: "envelope year", cmd: SetBudgetEnvelope{Year: 1999, FundingLine: "maatbudget", Instrument: InstrumentMaatbudget, AmountCents: 1, Date: d("2026-01-02"), By: "k1"}, rule: "count.range", field: "year"},
		{name: "envelope negative", cmd: SetBudgetEnvelope{Year: 2026, FundingLine: "maatbudget", Instrument: InstrumentMaatbudget, AmountCents: -1, Date: d("2026-01-02"), By: "k1"}, rule: "amount.range", field: "amount_cents"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewTeam().Decide(tc.cmd, testEnv())
			checkOutcome(t, got, err, tc.want, tc.rule, tc.field, nil)
		})
	}
	team := NewTeam()
	s := DefaultTeamSettings()
	s.CoachCapacity = 5
	team.Apply(TeamSettingsChanged{Settings: s})
	team.Apply(BudgetEnvelopeSet{Year: 2026, FundingLine: "maatbudget", AmountCents: 5})
	team.Apply(BudgetEnvelopeSet{Year: 2026, FundingLine: "maatbudget", AmountCents: 7})
	if team.Settings.CoachCapacity != 5 || team.Envelopes[EnvelopeKey{2026, "maatbudget"}] != 7 || team.Version != 3 {
		t.Fatalf("folded team %+v", team)
	}
}

func TestAccessDecisions(t *testing.T) {
	view := ViewRecord{FamilyID: fam, UserID: "c2", Role: RoleCoach, Part: PartNote, ItemID: "con-1", Purpose: PurposeCover}
	e, err := DecideView(view)
	if err != nil || e != (RecordViewed{FamilyID: fam, UserID: "c2", Role: RoleCoach, Part: PartNote, ItemID: "con-1", Purpose: PurposeCover}) {
		t.Fatalf("view: %+v %v", e, err)
	}
	glass := with(view, func(v *ViewRecord) { v.BreakGlass, v.Reason, v.Sealed.Note = true, GlassUrgentSafety, "SECRET" })
	if e, err := DecideView(glass); err != nil || !e.BreakGlass || e.Reason != GlassUrgentSafety || e.Sealed.Note != "SECRET" {
		t.Fatalf("break glass: %+v %v", e, err)
	}
	for _, tc := range []struct {
		name        string
		err         func() error
		rule, field string
	}{
		{"glass without reason", func() error {
			_, err := DecideView(with(view, func(v *ViewRecord) { v.BreakGlass = true }))
			return err
		}, "access.break_glass_reason", "reason"},
		{"reason without glass", func() error {
			_, err := DecideView(with(view, func(v *ViewRecord) { v.Reason = GlassOther }))
			return err
		}, "access.break_glass_reason", "reason"},
		{"unknown reason", func() error {
			_, err := DecideView(with(view, func(v *ViewRecord) { v.BreakGlass, v.Reason = true, "curious" }))
			return err
		}, "field.invalid", "reason"},
		{"unknown part", func() error { _, err := DecideView(with(view, func(v *ViewRecord) { v.Part = "diary" })); return err }, "field.invalid", "part"},
		{"no user", func() error { _, err := DecideView(with(view, func(v *ViewRecord) { v.UserID = "" })); return err }, "field.required", "user_id"},
		{"refusal without rule", func() error {
			_, err := DecideRefusal(RefuseAccess{FamilyID: fam, UserID: "b1", Role: RoleBackOffice, Part: PartTimeline, Purpose: PurposeOther})
			return err
		}, "field.invalid", "rule"},
		{"export bad format", func() error {
			_, err := DecideExport(MakeExport{ExportID: "x1", FamilyID: fam, UserID: "p1", Role: RolePrivacyOfficer, Kind: ExportArt15, Purpose: PurposeAccessRequest, Format: "PDF!"})
			return err
		}, "field.invalid", "format"},
		{"export unknown kind", func() error {
			_, err := DecideExport(MakeExport{ExportID: "x1", FamilyID: fam, UserID: "p1", Role: RolePrivacyOfficer, Kind: "all", Purpose: PurposeAccessRequest, Format: "pdf"})
			return err
		}, "field.invalid", "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) { checkOutcome(t, nil, tc.err(), nil, tc.rule, tc.field, nil) })
	}
	r, err := DecideRefusal(RefuseAccess{FamilyID: fam, UserID: "b1", Role: RoleBackOffice, Part: PartTimeline, Purpose: PurposeOther, Rule: "access.not_on_caseload"})
	if err != nil || r.Rule != "access.not_on_caseload" {
		t.Fatalf("refusal: %+v %v", r, err)
	}
	x, err := DecideExport(MakeExport{ExportID: "x1", FamilyID: fam, UserID: "p1", Role: RolePrivacyOfficer, Kind: ExportArt15, Purpose: PurposeAccessRequest, Format: "pdf"})
	if err != nil || x.Kind != ExportArt15 {
		t.Fatalf("export: %+v %v", x, err)
	}
}

// ruleCodes returns every rule code the package's non-test sources can
// return: the string literal first argument of ruleErr, notFound and
// conflict.
func ruleCodes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	codes := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || (id.Name != "ruleErr" && id.Name != "notFound" && id.Name != "conflict") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: %s called with a non-literal rule code", fset.Position(call.Pos()), id.Name)
				return true
			}
			code, _ := strconv.Unquote(lit.Value)
			codes[code] = true
			return true
		})
	}
	out := make([]string, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// TestEveryRuleIsTested runs every table test and then checks that each
// rule code the package can return was expected by at least one case, and
// that doc.go lists it.
func TestEveryRuleIsTested(t *testing.T) {
	for name, fn := range map[string]func(*testing.T){
		"referral": TestReferralAndLifecycle, "members": TestMembersContactsQuestions, "assessments": TestAssessments,
		"consent": TestConsentAndDisclosure, "parket": TestParket, "budget": TestBudget, "erasure": TestErasure,
		"staff": TestStaffCommands, "team": TestTeamCommands, "access": TestAccessDecisions, "tokens": TestTokenCommands, "logins": TestLoginFailure,
	} {
		t.Run(name, fn)
	}
	doc, err := exec.Command("go", "doc", "-all", ".").Output()
	if err != nil {
		t.Fatalf("go doc: %v", err)
	}
	for _, code := range ruleCodes(t) {
		if !exercised[code] {
			t.Errorf("rule %s has no table test", code)
		}
		if !strings.Contains(string(doc), code) {
			t.Errorf("rule %s is not listed in doc.go", code)
		}
	}
}

// TestImportsOnlyStandardLibrary guards DESIGN.md's dependency rule: domain
// imports nothing but the standard library.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "spoor/domain" {
			t.Errorf("domain depends on %s, outside the standard library", p)
		}
	}
}

func TestRuleErrorUnwrap(t *testing.T) {
	err := error(conflict("spend.reversed", "spend_id", "x"))
	var re *RuleError
	if !errors.As(err, &re) || !errors.Is(err, ErrConflict) || errors.Is(err, ErrRule) {
		t.Fatalf("conflict: %v", err)
	}
	if got := (&RuleError{Rule: "a.b", Message: "m"}).Error(); got != "rule a.b: m" || !errors.Is(&RuleError{}, ErrRule) {
		t.Fatalf("zero kind: %q", got)
	}
}
