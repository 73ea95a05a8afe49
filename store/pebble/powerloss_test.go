package pebble_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"spoor/store"
	"spoor/store/pebble"
)

// TestPowerLoss simulates a machine crash, which TestCrash's SIGKILL
// cannot: the operating system's page cache survives a killed process, a
// power cut does not. The store runs on Pebble's crashable in-memory file
// system while 6 writers append; at random moments the test takes a crash
// clone, a copy that keeps everything synced and only a random share (0 to
// 100%) of what was written but not synced. A store opened on the clone
// must hold every append acknowledged before the clone was taken, with dense
// positions, linked chains, a clean CheckIndex and a passing Verify.
func TestPowerLoss(t *testing.T) {
	ctx := context.Background()
	mem := vfs.NewCrashableMem()
	onFS := func(fs vfs.FS) pebble.Options {
		o := pebble.DefaultOptions()
		o.MemTableSize = 1 << 20
		o.Tune = func(po *pebbledb.Options) { po.FS = fs }
		return o
	}
	s, err := pebble.Open("data", onFS(mem))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acked []ack
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				stream := fmt.Sprintf("family-%d", g%3) // two writers per stream
				events := make([]store.Event, 1+i%3)
				for j := range events {
					id := fmt.Sprintf("g%d-%d-%d", g, i, j)
					events[j] = store.Event{ID: id, Type: "CrashTested", Data: crashData(id)}
				}
				res, err := s.Append(ctx, stream, store.AnyVersion, events)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for j, e := range events {
					acked = append(acked, ack{stream: stream, version: res.Version - uint64(len(events)-1-j), position: res.FirstPosition + uint64(j), id: e.ID})
				}
				mu.Unlock()
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 6 {
		time.Sleep(time.Duration(20+rng.IntN(80)) * time.Millisecond)
		mu.Lock()
		before := append([]ack(nil), acked...)
		mu.Unlock()
		clone := mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng})
		checkClone(t, onFS(clone), before)
	}
	close(stop)
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func checkClone(t *testing.T, o pebble.Options, acks []ack) {
	t.Helper()
	ctx := context.Background()
	o.ColdWAL = true
	s, err := pebble.Open("data", o)
	if err != nil {
		t.Fatalf("open after power loss: %v", err)
	}
	defer s.Close()
	var all []store.Envelope
	for e, err := range s.ReadAll(ctx, 0) {
		if err != nil {
			t.Fatalf("ReadAll after power loss: %v", err)
		}
		all = append(all, e)
	}
	checkChains(t, all)
	for _, e := range all {
		if string(e.Data) != string(crashData(e.ID)) {
			t.Fatalf("position %d (%s): data is not what was appended", e.Position, e.ID)
		}
	}
	for _, a := range acks {
		if a.position > uint64(len(all)) {
			t.Fatalf("acknowledged %s at position %d lost (%d events survived)", a.id, a.position, len(all))
		}
		if e := all[a.position-1]; e.ID != a.id || e.Stream != a.stream || e.Version != a.version {
			t.Fatalf("position %d holds %s %s v%d, acknowledged %s %s v%d", a.position, e.ID, e.Stream, e.Version, a.id, a.stream, a.version)
		}
	}
	if err := s.CheckIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Verify(ctx, s, store.VerifyOptions{}); err != nil {
		t.Fatalf("Verify after power loss: %v", err)
	}
	t.Logf("power loss: %d acknowledged, %d survived", len(acks), len(all))
}
