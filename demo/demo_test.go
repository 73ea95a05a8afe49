package demo_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"spoor/auth"
	"spoor/demo"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

// fastArgon2 keeps the tests quick; the demo command uses the defaults.
var fastArgon2 = auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

type env struct {
	st     *pebble.Store
	sealer *store.Sealer
	svc    *ledger.Service
	clock  *demo.Clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := pebble.Open(filepath.Join(dir, "log"), pebble.Options{ColdWAL: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := keyfile.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	kek := make([]byte, store.KEKSize)
	rand.Read(kek)
	sealer, err := store.NewSealer(kek, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := demo.NewClock(nil)
	var n atomic.Int64
	svc, err := ledger.New(st, sealer, clock.Now, func() string { return fmt.Sprintf("ev-%07d", n.Add(1)) }, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, sealer: sealer, svc: svc, clock: clock}
}

// streams returns every stream's events as type and public part, in
// version order.
func streams(t *testing.T, st store.Reader) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for env, err := range st.ReadAll(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		pub, _, err := store.SplitPayload(env.Data)
		if err != nil {
			t.Fatal(err)
		}
		out[env.Stream] = append(out[env.Stream], env.Type+" "+string(pub))
	}
	return out
}

// TestBulkMatchesSeed: the bulk path appends the same events (types and
// public parts, stream by stream) as playing the plan through the ledger,
// and its instants never go backwards along positions.
func TestBulkMatchesSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a year through the ledger")
	}
	opts := demo.Options{Start: domain.MustDate("2025-01-06"), Argon2: fastArgon2, Password: "demo-wachtwoord-2025"}
	seeded := newEnv(t)
	so := opts
	so.Clock = seeded.clock
	ss, err := demo.Seed(context.Background(), seeded.svc, so)
	if err != nil {
		t.Fatal(err)
	}
	bulk := newEnv(t)
	start := time.Now()
	bs, err := demo.Bulk(context.Background(), bulk.st, bulk.sealer, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bulk: %d commands, %d events in %v", bs.Commands, bs.Events, time.Since(start))
	head, err := bulk.st.Head(context.Background())
	if err != nil || head != bs.LastPosition || int(head) != bs.Events || bs.Events != ss.Events {
		t.Fatalf("head %d, last position %d, events %d (seeded %d), err %v", head, bs.LastPosition, bs.Events, ss.Events, err)
	}
	a, b := streams(t, seeded.st), streams(t, bulk.st)
	if len(a) != len(b) {
		t.Fatalf("%d streams seeded, %d in bulk", len(a), len(b))
	}
	for s, evs := range a {
		if !reflect.DeepEqual(evs, b[s]) {
			t.Fatalf("stream %s differs:\nseeded %v\nbulk   %v", s, evs, b[s])
		}
	}
	var last time.Time
	for env, err := range bulk.st.ReadAll(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if env.RecordedAt.Before(last) {
			t.Fatalf("position %d recorded at %v, before %v", env.Position, env.RecordedAt, last)
		}
		last = env.RecordedAt
	}
}
func TestPlanIsDeterministic(t *testing.T) {
	opts := demo.Options{Start: domain.MustDate("2025-01-06"), Argon2: fastArgon2, Password: "demo-wachtwoord-2025", Seed: 42}
	a, sa, err := demo.Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, sb, err := demo.Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(sa.Families) != 50 || !reflect.DeepEqual(sa.Families, sb.Families) {
		t.Fatalf("two plans: %d and %d steps, %d families", len(a), len(b), len(sa.Families))
	}
	for i := range a {
		// password hashes differ by their salt; everything else is equal
		if _, pw := a[i].Cmd.(domain.SetPassword); pw {
			continue
		}
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("step %d differs: %+v / %+v", i, a[i], b[i])
		}
	}
	other, _, err := demo.Plan(demo.Options{Start: opts.Start, Argon2: fastArgon2, Password: opts.Password, Seed: 43})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(other[len(other)/2], a[len(a)/2]) && len(other) == len(a) {
		t.Error("another seed gives the same plan")
	}
	reasons := map[domain.ClosureReason]int{}
	reopened := 0
	for _, s := range a {
		switch c := s.Cmd.(type) {
		case domain.CloseCase:
			reasons[c.Reason]++
		case domain.ReopenCase:
			reopened++
		}
	}
	if reasons[domain.ClosurePositive] == 0 || reasons[domain.ClosureUnsuccessful] == 0 || reasons[domain.ClosureHandedOver] == 0 || reopened != 1 {
		t.Errorf("closures %v, %d reopened; want every reason and one reopening", reasons, reopened)
	}
	// police about 40% of 50
	if sa.BySource[domain.SourcePolice] != 20 {
		t.Errorf("police-referred families %d; want 20", sa.BySource[domain.SourcePolice])
	}
	var logins []string
	for _, s := range sa.Staff {
		logins = append(logins, s.Login)
	}
	want := []string{"admin", "coach1", "coach2", "coach3", "coach4", "coach5", "coach6", "coach7", "coordinator", "privacy", "backoffice"}
	if !reflect.DeepEqual(logins, want) {
		t.Errorf("logins %v; want %v", logins, want)
	}
}

func TestOptionsRefused(t *testing.T) {
	for _, o := range []demo.Options{{Families: 3}, {Coaches: 1}, {Scale: -1}} {
		if _, _, err := demo.Plan(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := demo.Seed(context.Background(), newEnv(t).svc, demo.Options{}); err == nil {
		t.Error("Seed without a clock accepted")
	}
}

// TestDefaultYearEndsYesterday: without Start the year ends the day before
// Now in the team's zone, and no step lies after Now.
func TestDefaultYearEndsYesterday(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
	steps, sum, err := demo.Plan(demo.Options{Now: now, Location: loc, Argon2: fastArgon2, Password: "demo-wachtwoord-2025"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.To != domain.MustDate("2026-11-22") || sum.From != domain.MustDate("2025-11-23") {
		t.Errorf("year %s..%s; want 2025-11-23..2026-11-22", sum.From, sum.To)
	}
	if last := steps[len(steps)-1].At; !last.Before(now) {
		t.Errorf("last step at %v, not before %v", last, now)
	}
}
