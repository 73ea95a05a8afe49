package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"spoor/store"
	"spoor/store/storetest"
)

func TestCheckpointerSignsTheTreeAndAppendsIt(t *testing.T) {
	ctx := context.Background()
	key := storetest.NewCheckpointKey(t, "team.example")
	cp, err := store.NewCheckpointer(key.Signer, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	l := &fixtureLog{step: 5}

	// Empty log: the empty tree.
	c0, err := cp.Sign(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if c0.TreeSize != 0 || c0.Root != (&store.Tree{}).Root() || c0.Position != 5 {
		t.Fatalf("first checkpoint %d %v at %d", c0.TreeSize, c0.Root, c0.Position)
	}

	appendN(t, l, "family-a", 3)
	appendN(t, l, "family-b", 2)
	c1, err := cp.Sign(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	var tree store.Tree
	for _, e := range l.envs[:6] { // the first checkpoint and five events
		tree.Append(e.Hash)
	}
	if c1.TreeSize != 6 || c1.Root != tree.Root() {
		t.Fatalf("checkpoint %d %v, want 6 %v", c1.TreeSize, c1.Root, tree.Root())
	}
	if !c1.SignedAt.Equal(fixedClock()) {
		t.Fatalf("SignedAt %v, want %v", c1.SignedAt, fixedClock())
	}

	// The stored event.
	ev := l.envs[len(l.envs)-1]
	if ev.Stream != store.CheckpointStream || ev.Type != store.CheckpointEventType || ev.Version != 2 ||
		ev.Position != c1.Position || ev.Actor != (store.Actor{UserID: "system", Role: "system"}) ||
		!ev.RecordedAt.Equal(fixedClock()) || string(ev.Data) != string(c1.Note) {
		t.Fatalf("checkpoint event %+v", ev)
	}
	n, err := note.Open(c1.Note, key.Verifiers)
	if err != nil {
		t.Fatalf("checkpoint note does not open with the verifier key: %v", err)
	}
	th, err := tlog.ParseTree([]byte(n.Text))
	if err != nil || th.N != 6 || th.Hash != tree.Root() {
		t.Fatalf("note holds %v %v (%v)", th.N, th.Hash, err)
	}
	if !strings.Contains(n.Text, "\ntime 2026-03-31T10:30:00.123456789Z\n") {
		t.Fatalf("note text %q lacks the time line", n.Text)
	}

	// A second Checkpointer (a restart) reads everything and agrees.
	cp2, err := store.NewCheckpointer(key.Signer, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := cp2.Sign(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	tree.Append(l.envs[6].Hash)
	if c2.TreeSize != 7 || c2.Root != tree.Root() {
		t.Fatalf("restarted checkpointer: %d %v, want 7 %v", c2.TreeSize, c2.Root, tree.Root())
	}
	rep, err := store.Verify(ctx, l, store.VerifyOptions{Verifiers: key.Verifiers})
	if err != nil || rep.CheckpointsVerified != 3 {
		t.Fatalf("Verify: %+v, %v", rep, err)
	}
}

func TestCheckpointerRefusesToSignATamperedEvent(t *testing.T) {
	ctx := context.Background()
	key := storetest.NewCheckpointKey(t, "team.example")
	cp, err := store.NewCheckpointer(key.Signer, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	l := &fixtureLog{step: 1}
	appendN(t, l, "family-a", 3)
	l.envs[1].Data = []byte("{}")
	_, err = cp.Sign(ctx, l)
	var ve *store.VerifyError
	if !errors.As(err, &ve) || ve.Stream != "family-a" || ve.Version != 2 || ve.Position != 2 {
		t.Fatalf("Sign over a tampered event: %v", err)
	}
	if len(l.envs) != 3 {
		t.Fatalf("Sign appended a checkpoint over a tampered log")
	}
}

func TestCheckpointerConcurrentWithAppends(t *testing.T) {
	ctx := context.Background()
	key := storetest.NewCheckpointKey(t, "team.example")
	cp, err := store.NewCheckpointer(key.Signer, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	l := &fixtureLog{step: 2}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 4; w++ {
		stream := []string{"family-a", "family-b", "family-c", "family-d"}[w]
		wg.Go(func() {
			for i := 0; i < 50; i++ {
				ev := store.Event{ID: stream + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Type: "T", RecordedAt: fixtureStart}
				if _, err := l.Append(ctx, stream, store.AnyVersion, []store.Event{ev}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for s := 0; s < 2; s++ {
		wg.Go(func() {
			for i := 0; i < 10; i++ {
				if _, err := cp.Sign(ctx, l); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep, err := store.Verify(ctx, l, store.VerifyOptions{Verifiers: key.Verifiers})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 220 || rep.CheckpointsVerified != 20 {
		t.Fatalf("report %+v, want 220 events and 20 verified checkpoints", rep)
	}
}

func TestNewCheckpointerAndKeyErrors(t *testing.T) {
	key := storetest.NewCheckpointKey(t, "team.example")
	if _, err := store.NewCheckpointer(nil, fixedClock); err == nil {
		t.Fatal("nil signer accepted")
	}
	if _, err := store.NewCheckpointer(key.Signer, nil); err == nil {
		t.Fatal("nil clock accepted")
	}
	if _, _, err := store.GenerateCheckpointKey(rand.Reader, "bad name+x"); err == nil {
		t.Fatal("invalid key name accepted")
	}
}
