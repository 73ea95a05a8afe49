package staffdir

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

type fixture struct {
	t      *testing.T
	st     *pebble.Store
	sealer *store.Sealer
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	dir := t.TempDir()
	st, err := pebble.Open(dir+"/log", pebble.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ks, err := keyfile.Open(dir + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	kek := make([]byte, store.KEKSize)
	rand.Read(kek)
	sealer, err := store.NewSealer(kek, ks, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, sealer: sealer, now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
}

// exec decides cmd on staff member id's stream and appends the sealed
// events, as the ledger does; it returns the last position.
func (f *fixture) exec(id domain.StaffID, cmd domain.StaffCommand) uint64 {
	f.t.Helper()
	ctx := context.Background()
	stream := domain.StaffStream(id)
	s := domain.NewStaff(id)
	for env, err := range f.st.ReadStream(ctx, stream, 1) {
		if errors.Is(err, store.ErrStreamNotFound) {
			break
		}
		if err != nil {
			f.t.Fatal(err)
		}
		o, err := f.sealer.Open(ctx, env.Data)
		if err != nil {
			f.t.Fatal(err)
		}
		ev, err := domain.Decode(env.Type, o.Public, o.Secret)
		if err != nil {
			f.t.Fatal(err)
		}
		s.Apply(ev)
	}
	evs, err := s.Decide(cmd, domain.Env{Now: f.now})
	if err != nil {
		f.t.Fatalf("decide %T: %v", cmd, err)
	}
	var batch []store.Event
	for i, e := range evs {
		enc, err := domain.Encode(e)
		if err != nil {
			f.t.Fatal(err)
		}
		data, err := f.sealer.Seal(ctx, stream, enc.Public, enc.Sealed)
		if err != nil {
			f.t.Fatal(err)
		}
		batch = append(batch, store.Event{ID: string(id) + "-" + time.Now().Format("150405.000000000") + "-" + string(rune('a'+i)),
			Type: enc.Type, Actor: store.Actor{UserID: "system", Role: "system"}, Data: data})
	}
	res, err := f.st.Append(ctx, stream, store.ExactVersion(s.Version), batch)
	if err != nil {
		f.t.Fatal(err)
	}
	return res.LastPosition
}

func TestDirectoryFollowsStaffEvents(t *testing.T) {
	f := newFixture(t)
	today := domain.DateOf(f.now)
	hash, _ := auth.HashPassword("a long enough password", auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, rand.Reader)
	f.exec("s-ann", domain.RegisterStaff{StaffID: "s-ann", Date: today, Login: "ann", DisplayName: "Ann Peeters"})
	f.exec("s-ann", domain.GrantRole{Role: domain.RoleCoach, Date: today, By: "s-admin"})
	// A family event in between is skipped.
	if _, err := f.st.Append(context.Background(), "family-x", store.NoStream, []store.Event{{ID: "fx-1", Type: "Other", Data: []byte(`{"public":{}}`)}}); err != nil {
		t.Fatal(err)
	}
	pos := f.exec("s-ann", domain.SetPassword{Date: today, Hash: hash})

	d := New(f.st, f.sealer, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := d.WaitFor(wctx, pos); err != nil {
		t.Fatal(err)
	}
	u, err := d.UserByLogin(ctx, "ann")
	if err != nil || u.ID != "s-ann" || u.Name != "Ann Peeters" || u.PasswordHash != hash || u.Disabled || !u.Has(auth.RoleCoach) || len(u.Roles) != 1 {
		t.Fatalf("ann = %+v, %v", u, err)
	}
	// Live: a second role and a deactivation arrive while Run follows.
	f.exec("s-ann", domain.GrantRole{Role: domain.RoleCoordinator, Date: today, By: "s-admin"})
	pos = f.exec("s-ann", domain.DeactivateStaff{Date: today, By: "s-admin"})
	if err := d.WaitFor(wctx, pos); err != nil {
		t.Fatal(err)
	}
	u, _ = d.UserByID(ctx, "s-ann")
	if !u.Disabled || !u.Has(auth.RoleCoordinator) || !u.Has(auth.RoleCoach) {
		t.Fatalf("after live events: %+v", u)
	}
	// A second staff member with the same login does not take it over.
	pos = f.exec("s-ann2", domain.RegisterStaff{StaffID: "s-ann2", Date: today, Login: "ann", DisplayName: "Another Ann"})
	if err := d.WaitFor(wctx, pos); err != nil {
		t.Fatal(err)
	}
	if u, _ := d.UserByLogin(ctx, "ann"); u.ID != "s-ann" {
		t.Fatalf("login ann now belongs to %s", u.ID)
	}
	if lag, err := d.Lag(ctx); err != nil || lag != 0 {
		t.Fatalf("lag %d, %v", lag, err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	// A fresh directory catches up from the log alone.
	d2 := New(f.st, f.sealer, nil)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	go d2.Run(ctx2)
	if err := d2.WaitFor(ctx2, pos); err != nil {
		t.Fatal(err)
	}
	if d2.Staff() != 2 {
		t.Fatalf("fresh directory folded %d staff members, want 2", d2.Staff())
	}
	if _, err := d2.UserByLogin(ctx2, "ann"); err != nil {
		t.Fatal(err)
	}
}
