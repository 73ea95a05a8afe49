package demo_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
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

func TestSeedTeamYear(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	sum, err := demo.Seed(context.Background(), e.svc, demo.Options{Clock: e.clock, Start: domain.MustDate("2025-01-06"), Argon2: fastArgon2, Password: "demo-wachtwoord-2025"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d commands, %d events in %v; by source %v", sum.Commands, sum.Events, time.Since(start), sum.BySource)
}

func TestBulkMatchesSeed(t *testing.T) {
	opts := demo.Options{Start: domain.MustDate("2025-01-06"), Argon2: fastArgon2, Password: "demo-wachtwoord-2025", Scale: 3}
	e := newEnv(t)
	start := time.Now()
	sum, err := demo.Bulk(context.Background(), e.st, e.sealer, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bulk: %d commands, %d events in %v", sum.Commands, sum.Events, time.Since(start))
	head, err := e.st.Head(context.Background())
	if err != nil || head != sum.LastPosition || int(head) != sum.Events {
		t.Fatalf("head %d, last position %d, events %d, err %v", head, sum.LastPosition, sum.Events, err)
	}
}
