package storetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"spoor/store"
)

// testReopen: after Reopen every envelope reads back identical, Head and
// every StreamVersion are unchanged, a retried pre-reopen append still
// returns its original result, a stale expected version still conflicts, and
// an append continues each chain (next version, PrevHash = last Hash, a
// position after the old head); a second Reopen keeps that too, and Verify
// passes.
func testReopen(h *harness) {
	t := h.t
	first := h.events(3, "ContactLogged")
	r1 := h.append("family-1", store.NoStream, first...)
	h.append("family-2", store.NoStream, h.events(2, "ConsentGiven")...)
	stamped := h.event("BudgetAllocated", []byte{0, 0, 1, 2, 3, 0})
	stamped.RecordedAt = stamped.RecordedAt.In(time.FixedZone("CET", 3600))
	h.append("family-1", store.ExactVersion(3), stamped)
	zero := h.event("Spend", []byte(`{"public":{"cents":1250}}`))
	zero.RecordedAt = time.Time{} // stamped by the backend
	h.append("family-2", store.AnyVersion, zero)

	before := h.readAll(0)
	headBefore := h.head()
	h.reopen()
	sameEnvelopes(t, "ReadAll after reopen", h.readAll(0), before)
	if hd := h.head(); hd != headBefore {
		t.Fatalf("Head after reopen %d, before %d", hd, headBefore)
	}
	for s, v := range map[string]uint64{"family-1": 4, "family-2": 3, "family-none": 0} {
		if got := h.streamVersion(s); got != v {
			t.Fatalf("StreamVersion(%s) after reopen = %d, want %d", s, got, v)
		}
	}
	if r, err := h.s.Append(h.ctx, "family-1", store.NoStream, first); err != nil || r != r1 {
		t.Fatalf("retry of a pre-reopen append: %+v, %v; want %+v", r, err, r1)
	}
	if _, err := h.s.Append(h.ctx, "family-1", store.ExactVersion(3), h.events(1, "Stale")); !errors.Is(err, store.ErrVersionConflict) {
		t.Fatalf("stale expected version after reopen: %v, want ErrVersionConflict", err)
	}
	next := h.append("family-1", store.ExactVersion(4), h.events(1, "AfterReopen")...)
	if next.Version != 5 || next.FirstPosition <= headBefore {
		t.Fatalf("append after reopen: %+v, want version 5 after position %d", next, headBefore)
	}
	got := h.readStream("family-1", 5)
	if len(got) != 1 || got[0].PrevHash != before[5].Hash || before[5].Stream != "family-1" || before[5].Version != 4 {
		t.Fatalf("append after reopen does not continue the chain of family-1")
	}

	h.reopen()
	all := h.readAll(0)
	sameEnvelopes(t, "ReadAll after a second reopen", all[:len(before)], before)
	if len(all) != len(before)+1 {
		t.Fatalf("after a second reopen: %d events, want %d", len(all), len(before)+1)
	}
	sameEnvelope(t, "appended after the first reopen", all[len(before)], got[0])
	checkChains(t, all)
	rep, err := store.Verify(h.ctx, h.s, store.VerifyOptions{})
	if err != nil || rep.Events != uint64(len(all)) {
		t.Fatalf("Verify after reopen: %+v, %v", rep, err)
	}
}

// testVerifyAndCheckpoints: Verify passes on an empty and on a filled store
// and reports the events, streams and the Merkle root; checkpoints signed by
// store.Checkpointer are stored in store.CheckpointStream, verify under their
// key, fail under another key (a *VerifyError naming the checkpoint), and
// survive a reopen.
func testVerifyAndCheckpoints(h *harness) {
	t := h.t
	rep, err := store.Verify(h.ctx, h.s, store.VerifyOptions{})
	if err != nil || rep.Events != 0 || rep.TreeSize != 0 {
		t.Fatalf("Verify on an empty store: %+v, %v", rep, err)
	}
	key := NewCheckpointKey(t, "spoor-storetest")
	cp, err := store.NewCheckpointer(key.Signer, h.now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		h.append(fmt.Sprintf("family-v%d", i%3), store.AnyVersion, h.events(2, "E")...)
	}
	c1, err := cp.Sign(h.ctx, h.s)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	h.append("family-v0", store.AnyVersion, h.events(5, "E")...)
	c2, err := cp.Sign(h.ctx, h.s)
	if err != nil {
		t.Fatalf("second Sign: %v", err)
	}
	if c1.TreeSize != 10 || c2.TreeSize != 16 {
		t.Fatalf("checkpoints cover %d and %d events, want 10 and 16", c1.TreeSize, c2.TreeSize)
	}

	all := h.readAll(0)
	var tree store.Tree
	for i, e := range all {
		tree.Append(e.Hash)
		if tree.Size() == 10 && tree.Root() != c1.Root {
			t.Fatal("first checkpoint's root is not the root over the first 10 events")
		}
		if i == 10 && e.Position != c1.Position {
			t.Fatalf("first checkpoint event at position %d, Sign said %d", e.Position, c1.Position)
		}
	}
	cps := h.readStream(store.CheckpointStream, 1)
	if len(cps) != 2 || !bytes.Equal(cps[0].Data, c1.Note) || !bytes.Equal(cps[1].Data, c2.Note) ||
		cps[0].Type != store.CheckpointEventType {
		t.Fatalf("checkpoint stream holds %d events, want the two signed notes", len(cps))
	}

	rep, err = store.Verify(h.ctx, h.s, store.VerifyOptions{Verifiers: key.Verifiers})
	if err != nil {
		t.Fatalf("Verify with the checkpoint key: %v", err)
	}
	if rep.Events != 17 || rep.Streams != 4 || rep.Checkpoints != 2 || rep.CheckpointsVerified != 2 ||
		rep.TreeSize != 17 || rep.Root != tree.Root() || rep.Head != all[16].Position ||
		rep.LastCheckpoint.Position != c2.Position || rep.LastCheckpoint.Root != c2.Root {
		t.Fatalf("Verify report %+v", rep)
	}

	other := NewCheckpointKey(t, "spoor-storetest")
	_, err = store.Verify(h.ctx, h.s, store.VerifyOptions{Verifiers: other.Verifiers})
	ve := wantVerifyError(t, err, store.CheckpointStream, 1, c1.Position)
	if !strings.Contains(ve.What, "signature") {
		t.Fatalf("under another key: What = %q, want a signature problem", ve.What)
	}

	h.reopen()
	cp2, err := store.NewCheckpointer(key.Signer, h.now)
	if err != nil {
		t.Fatal(err)
	}
	c3, err := cp2.Sign(h.ctx, h.s)
	if err != nil || c3.TreeSize != 17 {
		t.Fatalf("Sign after reopen: %d, %v; want tree size 17", c3.TreeSize, err)
	}
	rep, err = store.Verify(h.ctx, h.s, store.VerifyOptions{Verifiers: key.Verifiers})
	if err != nil || rep.CheckpointsVerified != 3 || rep.Events != 18 {
		t.Fatalf("Verify after reopen: %+v, %v", rep, err)
	}
}

// testTamperRewriteData: the data of one event (the first of a stream, one in
// the middle, a checkpoint, the last event) is rewritten behind the store's
// back, same length or not; after Reopen, ReadAll returns the rewritten bytes
// and Verify returns a *store.VerifyError naming exactly that event's stream,
// version and position, with a hash mismatch. Restoring the bytes makes
// Verify pass again.
func testTamperRewriteData(h *harness) {
	t := h.t
	if h.inst.RewriteData == nil {
		t.Skip("Instance.RewriteData is nil: this backend's storage cannot be rewritten behind its back")
	}
	key := NewCheckpointKey(t, "spoor-storetest")
	cp, err := store.NewCheckpointer(key.Signer, h.now)
	if err != nil {
		t.Fatal(err)
	}
	h.append("family-t1", store.NoStream, h.events(2, "E")...)
	h.append("family-t2", store.NoStream, h.events(3, "E")...)
	h.append("family-t1", store.AnyVersion, h.events(2, "E")...)
	c, err := cp.Sign(h.ctx, h.s)
	if err != nil {
		t.Fatal(err)
	}
	h.append("family-t1", store.AnyVersion, h.events(1, "E")...)
	h.append("family-t2", store.AnyVersion, h.events(1, "E")...)
	all := h.readAll(0)
	at := func(pos uint64) store.Envelope {
		for _, e := range all {
			if e.Position == pos {
				return e
			}
		}
		t.Fatalf("no event at position %d", pos)
		return store.Envelope{}
	}
	targets := []struct {
		name  string
		event store.Envelope
		grow  bool
	}{
		{"first event of a stream", all[0], false},
		{"middle of a stream", all[3], true},
		{"checkpoint", at(c.Position), false},
		{"last event", all[len(all)-1], true},
	}
	for _, tg := range targets {
		orig := tg.event.Data
		forged := bytes.Clone(orig)
		if tg.grow {
			forged = append(forged, ' ')
		} else {
			forged[len(forged)/2] ^= 0x01
		}
		if err := h.inst.RewriteData(tg.event.Position, forged); err != nil {
			t.Fatalf("%s: RewriteData: %v", tg.name, err)
		}
		h.reopen()
		var read store.Envelope
		for _, e := range h.readAll(tg.event.Position) {
			read = e
			break
		}
		if read.Position != tg.event.Position || !bytes.Equal(read.Data, forged) {
			t.Fatalf("%s: after RewriteData the event at %d does not hold the rewritten bytes", tg.name, tg.event.Position)
		}
		_, err := store.Verify(h.ctx, h.s, store.VerifyOptions{Verifiers: key.Verifiers})
		ve := wantVerifyError(t, err, tg.event.Stream, tg.event.Version, tg.event.Position)
		if !strings.Contains(ve.What, "hash mismatch") {
			t.Fatalf("%s: What = %q, want a hash mismatch", tg.name, ve.What)
		}
		if err := h.inst.RewriteData(tg.event.Position, orig); err != nil {
			t.Fatalf("%s: RewriteData back: %v", tg.name, err)
		}
		h.reopen()
		if _, err := store.Verify(h.ctx, h.s, store.VerifyOptions{Verifiers: key.Verifiers}); err != nil {
			t.Fatalf("%s: Verify after restoring the bytes: %v", tg.name, err)
		}
	}
}

// testCorruptFiles: after Instance.CorruptFiles flips bytes in the backend's
// files, Reopen, reading everything, or Verify fails; which one failed and
// its error (which should name the file or the event) are logged.
func testCorruptFiles(h *harness) {
	t := h.t
	if h.inst.CorruptFiles == nil {
		t.Skip("Instance.CorruptFiles is nil: this backend keeps no local files to corrupt")
	}
	payload := strings.Repeat("public statistics and a sealed box ", 6)
	for i := 0; i < 30; i++ {
		evs := h.events(10, "E")
		for j := range evs {
			evs[j].Data = fmt.Appendf(nil, `{"public":{"i":%d,"pad":%q}}`, i*10+j, payload)
		}
		h.append(fmt.Sprintf("family-c%d", i%10), store.AnyVersion, evs...)
	}
	if err := h.inst.CorruptFiles(); err != nil {
		t.Fatalf("CorruptFiles: %v", err)
	}
	s, err := h.inst.Reopen()
	if err != nil {
		h.s = nil
		t.Logf("Reopen after corruption failed (detected): %v", err)
		return
	}
	h.s, h.closed = s, false
	n := 0
	for _, err := range h.s.ReadAll(h.ctx, 0) {
		if err != nil {
			t.Logf("ReadAll after corruption failed after %d events (detected): %v", n, err)
			return
		}
		n++
	}
	_, err = store.Verify(h.ctx, h.s, store.VerifyOptions{})
	if err == nil {
		t.Fatalf("corrupted files went unnoticed: Reopen, ReadAll (%d events) and Verify all succeeded", n)
	}
	t.Logf("Verify after corruption failed (detected): %v", err)
}

// CheckpointKey is a checkpoint signing key and the verifiers that trust
// it, made fresh for a test.
type CheckpointKey struct {
	Signer    note.Signer
	Verifiers note.Verifiers
}

// NewCheckpointKey makes a CheckpointKey named name with
// store.GenerateCheckpointKey; an error fails t.
func NewCheckpointKey(t testing.TB, name string) CheckpointKey {
	t.Helper()
	skey, vkey, err := store.GenerateCheckpointKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return CheckpointKey{Signer: s, Verifiers: note.VerifierList(v)}
}

// wantVerifyError fails unless err is a *store.VerifyError wrapping
// store.ErrTampered that names stream, version and position.
func wantVerifyError(t testing.TB, err error, stream string, version, position uint64) *store.VerifyError {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify passed; want a *VerifyError at %s@%d position %d", stream, version, position)
	}
	var ve *store.VerifyError
	if !errors.As(err, &ve) || !errors.Is(err, store.ErrTampered) {
		t.Fatalf("Verify returned %v; want a *VerifyError wrapping ErrTampered", err)
	}
	if ve.Stream != stream || ve.Version != version || ve.Position != position {
		t.Fatalf("VerifyError names %s@%d position %d, want %s@%d position %d (%v)", ve.Stream, ve.Version, ve.Position, stream, version, position, err)
	}
	return ve
}
