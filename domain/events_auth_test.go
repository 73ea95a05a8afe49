package domain

import (
	"testing"
	"time"
)

func TestTokenCommands(t *testing.T) {
	env := testEnv()
	reg := []Event{StaffRegistered{StaffID: "s1", Date: d("2026-01-01"), Login: "sara", Sealed: StaffSealed{DisplayName: "Sara"}}}
	hash := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	exp := env.Now.Add(90 * 24 * time.Hour)
	issued := TokenIssued{TokenID: "t1", Hash: hash, Label: "export job", IssuedAt: env.Now.UTC(), ExpiresAt: exp.UTC(), By: "a1"}
	cases := []struct {
		name        string
		given       []Event
		cmd         StaffCommand
		want        []Event
		rule, field string
		kind        error
	}{
		{name: "issue", given: reg, cmd: IssueToken{TokenID: "t1", Hash: hash, Label: "export job", ExpiresAt: exp, By: "a1"}, want: []Event{issued}},
		{name: "issue to nobody", cmd: IssueToken{TokenID: "t1", Hash: hash, Label: "export job", ExpiresAt: exp, By: "a1"}, rule: "staff.not_found", field: "staff_id", kind: ErrNotFound},
		{name: "issue a plain token", given: reg, cmd: IssueToken{TokenID: "t1", Hash: "spoor_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW", Label: "x", ExpiresAt: exp, By: "a1"}, rule: "token.hash", field: "hash"},
		{name: "issue upper-case hash", given: reg, cmd: IssueToken{TokenID: "t1", Hash: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", Label: "x", ExpiresAt: exp, By: "a1"}, rule: "token.hash", field: "hash"},
		{name: "issue without label", given: reg, cmd: IssueToken{TokenID: "t1", Hash: hash, Label: " ", ExpiresAt: exp, By: "a1"}, rule: "field.invalid", field: "label"},
		{name: "issue expired", given: reg, cmd: IssueToken{TokenID: "t1", Hash: hash, Label: "x", ExpiresAt: env.Now.Add(-time.Minute), By: "a1"}, rule: "token.expiry", field: "expires_at"},
		{name: "issue forever", given: reg, cmd: IssueToken{TokenID: "t1", Hash: hash, Label: "x", ExpiresAt: env.Now.AddDate(3, 0, 0), By: "a1"}, rule: "token.expiry", field: "expires_at"},
		{name: "issue to inactive", given: plus(reg, StaffDeactivated{Date: d("2026-01-03"), By: "a1"}), cmd: IssueToken{TokenID: "t1", Hash: hash, Label: "x", ExpiresAt: exp, By: "a1"}, rule: "staff.inactive", field: "staff_id"},
		{name: "issue same id", given: plus(reg, issued), cmd: IssueToken{TokenID: "t1", Hash: "aa" + hash[2:], Label: "x", ExpiresAt: exp, By: "a1"}, rule: "token.exists", field: "token_id", kind: ErrConflict},
		{name: "issue same hash", given: plus(reg, issued), cmd: IssueToken{TokenID: "t2", Hash: hash, Label: "x", ExpiresAt: exp, By: "a1"}, rule: "token.exists", field: "hash", kind: ErrConflict},
		{name: "revoke", given: plus(reg, issued), cmd: RevokeToken{TokenID: "t1", Date: d("2026-01-05"), By: "a1"}, want: []Event{TokenRevoked{TokenID: "t1", Date: d("2026-01-05"), By: "a1"}}},
		{name: "revoke unknown", given: reg, cmd: RevokeToken{TokenID: "t9", Date: d("2026-01-05"), By: "a1"}, rule: "token.not_found", field: "token_id", kind: ErrNotFound},
		{name: "revoke twice", given: plus(reg, issued, TokenRevoked{TokenID: "t1", Date: d("2026-01-05"), By: "a1"}), cmd: RevokeToken{TokenID: "t1", Date: d("2026-01-05"), By: "a1"}, rule: "token.revoked", field: "token_id", kind: ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStaff("s1")
			for _, e := range tc.given {
				s.Apply(e)
			}
			got, err := s.Decide(tc.cmd, env)
			checkOutcome(t, got, err, tc.want, tc.rule, tc.field, tc.kind)
		})
	}
	s := NewStaff("s1")
	for _, e := range plus(reg, issued, TokenRevoked{TokenID: "t1", Date: d("2026-01-05"), By: "a1"}) {
		s.Apply(e)
	}
	if tok := s.Tokens["t1"]; !tok.Revoked || tok.Hash != hash || s.Version != 3 {
		t.Fatalf("folded tokens %+v version %d", s.Tokens, s.Version)
	}
}

func TestLoginFailure(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	h := "5d41402abc4b2a76b9719d911017c592"
	cases := []struct {
		name        string
		cmd         RecordLoginFailure
		want        []Event
		rule, field string
	}{
		{name: "known user", cmd: RecordLoginFailure{UserID: "s1", AddrClass: AddrPublic, AddrHash: h, Reason: LoginBadPassword, At: at},
			want: []Event{LoginFailed{UserID: "s1", AddrClass: AddrPublic, AddrHash: h, Reason: LoginBadPassword, At: at.UTC()}}},
		{name: "unknown login", cmd: RecordLoginFailure{LoginHash: h, AddrClass: AddrLoopback, Reason: LoginUnknown, At: at},
			want: []Event{LoginFailed{LoginHash: h, AddrClass: AddrLoopback, Reason: LoginUnknown, At: at.UTC()}}},
		{name: "login text", cmd: RecordLoginFailure{LoginHash: "jan.peeters", AddrClass: AddrLoopback, Reason: LoginUnknown, At: at}, rule: "login.identity", field: "login_hash"},
		{name: "both", cmd: RecordLoginFailure{UserID: "s1", LoginHash: h, AddrClass: AddrLoopback, Reason: LoginUnknown, At: at}, rule: "login.identity", field: "login_hash"},
		{name: "neither", cmd: RecordLoginFailure{AddrClass: AddrLoopback, Reason: LoginUnknown, At: at}, rule: "login.identity", field: "login_hash"},
		{name: "raw address", cmd: RecordLoginFailure{UserID: "s1", AddrClass: AddrPublic, AddrHash: "203.0.113.7", Reason: LoginBadPassword, At: at}, rule: "field.invalid", field: "addr_hash"},
		{name: "bad class", cmd: RecordLoginFailure{UserID: "s1", AddrClass: "mars", Reason: LoginBadPassword, At: at}, rule: "field.invalid", field: "addr_class"},
		{name: "bad reason", cmd: RecordLoginFailure{UserID: "s1", AddrClass: AddrPublic, Reason: "typo", At: at}, rule: "field.invalid", field: "reason"},
		{name: "no instant", cmd: RecordLoginFailure{UserID: "s1", AddrClass: AddrPublic, Reason: LoginThrottled}, rule: "field.required", field: "at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := DecideLoginFailure(tc.cmd)
			var got []Event
			if e != nil {
				got = []Event{e}
			}
			checkOutcome(t, got, err, tc.want, tc.rule, tc.field, nil)
		})
	}
}
