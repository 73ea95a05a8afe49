package staffdir

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"spoor/auth"
	"spoor/domain"
)

func runDir(t *testing.T, f *fixture) *Directory {
	t.Helper()
	d := New(f.st, f.sealer, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func (f *fixture) head() uint64 {
	f.t.Helper()
	h, err := f.st.Head(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// TestTokensFromStaffStreams: a TokenIssued event makes the token known by
// its hash, TokenRevoked removes it; an expired token is found but
// reported expired (auth refuses it).
func TestTokensFromStaffStreams(t *testing.T) {
	f := newFixture(t)
	today := domain.DateOf(f.now)
	f.exec("s-ann", domain.RegisterStaff{StaffID: "s-ann", Date: today, Login: "ann", DisplayName: "Ann"})
	tok := "spoor_" + strings.Repeat("x", 43)
	h := auth.HashToken(tok)
	f.exec("s-ann", domain.IssueToken{TokenID: "t1", Hash: h.String(), Label: "job", ExpiresAt: f.now.Add(time.Hour), By: "s-admin"})
	d := runDir(t, f)
	ctx := context.Background()
	if err := d.WaitFor(ctx, f.head()); err != nil {
		t.Fatal(err)
	}
	got, u, err := d.TokenByHash(ctx, h)
	if err != nil || u.ID != "s-ann" || got.ID != "t1" || got.Label != "job" || !got.ExpiresAt.Equal(f.now.Add(time.Hour)) {
		t.Fatalf("token %+v user %s: %v", got, u.ID, err)
	}
	if !got.Expired(f.now.Add(2 * time.Hour)) {
		t.Fatal("the token does not expire")
	}
	f.exec("s-ann", domain.RevokeToken{TokenID: "t1", Date: today, By: "s-admin"})
	if err := d.WaitFor(ctx, f.head()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.TokenByHash(ctx, h); !errors.Is(err, auth.ErrTokenNotFound) {
		t.Fatalf("revoked token: %v", err)
	}
}

// TestSecurityLog appends failed logins through SecurityLog and reads them
// back from the directory, newest first, filtered by time and bounded; a
// failure holding a raw login is refused and not written.
func TestSecurityLog(t *testing.T) {
	f := newFixture(t)
	n := 0
	l := NewSecurityLog(f.st, f.sealer, func() string { n++; return fmt.Sprintf("lf-%d", n) })
	ctx := context.Background()
	key := []byte("0123456789abcdef0123456789abcdef")
	fails := []auth.LoginFailure{
		{UserID: "s-ann", Addr: "10.0.0.7:5555", AddrClass: auth.AddrClass("10.0.0.7:5555"), AddrHash: auth.Pseudonym(key, "addr", "10.0.0.7"), Reason: "bad_password", At: f.now},
		{LoginHash: auth.Pseudonym(key, "login", "jan"), Addr: "203.0.113.9:1", AddrClass: auth.AddrClass("203.0.113.9:1"), AddrHash: auth.Pseudonym(key, "addr", "203.0.113.9"), Reason: "unknown_login", At: f.now.Add(time.Minute)},
	}
	for _, fl := range fails {
		if err := l.Record(ctx, fl); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Record(ctx, auth.LoginFailure{LoginHash: "jan", AddrClass: "public", Reason: "unknown_login", At: f.now}); err == nil {
		t.Fatal("a login in clear was recorded")
	}
	// Throttled attempts: one per login and address per ThrottledEvery.
	thr := fails[0]
	thr.Reason = "throttled"
	for i, at := range []time.Duration{2 * time.Minute, 2*time.Minute + time.Second, 2*time.Minute + 30*time.Second, 3*time.Minute + time.Second} {
		thr.At = f.now.Add(at)
		if err := l.Record(ctx, thr); err != nil {
			t.Fatalf("throttled %d: %v", i, err)
		}
	}
	d := runDir(t, f)
	if err := d.WaitFor(ctx, f.head()); err != nil {
		t.Fatal(err)
	}
	if got := d.LoginFailures(f.now.Add(2*time.Minute), 0); len(got) != 2 || !got[0].At.Equal(f.now.Add(3*time.Minute+time.Second)) {
		t.Fatalf("throttled attempts recorded: %+v", got)
	}
	all := d.LoginFailures(time.Time{}, 0)[2:]
	if len(all) != 2 || all[0].LoginHash != fails[1].LoginHash || all[0].AddrClass != auth.AddrPublic || all[1].UserID != "s-ann" || all[1].AddrClass != auth.AddrPrivate {
		t.Fatalf("failures %+v", all)
	}
	if got := d.LoginFailures(f.now.Add(30*time.Second), 0); len(got) != 3 || got[2].Reason != "unknown_login" {
		t.Fatalf("since: %+v", got)
	}
	if got := d.LoginFailures(time.Time{}, 1); len(got) != 1 || got[0].Reason != "throttled" {
		t.Fatalf("limit: %+v", got)
	}
}
