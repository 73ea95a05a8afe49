package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"spoor/store"
)

// Instance is one opened backend under test. open (see Run) returns a fresh,
// empty one for every subtest; it should keep its data under t.TempDir() and
// release everything but the Store (a server, a key store) with t.Cleanup.
type Instance struct {
	// Store is the backend under test, open and empty. Required.
	//
	// Run closes the Store that is current at the end of each subtest (this
	// one, or the last one Reopen returned) before the opener's cleanups
	// run; Close on a Store closed before must return nil or ErrClosed.
	Store store.Store

	// Reopen closes the current Store (if it is not closed yet) and opens the
	// same data again, returning the new Store, which becomes current.
	// Required.
	Reopen func() (store.Store, error)

	// RewriteData replaces, behind the store's back, the stored data bytes of
	// the event at position, without updating any hash, as an attacker with
	// write access to the storage would. It is called with the current Store
	// open; Run calls Reopen after it before reading, so it may also work on
	// the closed data. Required for every backend that can do it (the
	// embedded one, a protocol double); nil only where the storage cannot be
	// reached behind the store's back (a real KurrentDB server): the
	// TamperRewriteData subtest is then skipped.
	RewriteData func(position uint64, data []byte) error

	// CorruptFiles flips bytes in the backend's files (for instance in every
	// sstable and WAL file holding events), as a failing disk would. Nil for
	// backends without local files; the subtest is then skipped. It is
	// called with the current Store open and may close it; Run calls Reopen
	// next. After it, Reopen, reading everything, or Verify must fail: with
	// the engine's checksum error (which should name the file) or a
	// *store.VerifyError.
	CorruptFiles func() error

	// Dir is the backend's data directory, "" if it has none. The shredding
	// subtest scans every file under it: no personal data in the clear
	// before, and no copy of a destroyed key after.
	Dir string

	// Keys is a key store for sealed data, open for the whole subtest
	// (Reopen does not touch it; the opener closes it in t.Cleanup). Nil
	// skips the shredding subtest.
	Keys store.KeyStore

	// KeysDir is the key store's directory if it is not under Dir, "" if
	// it is under Dir or keeps no files. The shredding subtest scans it too.
	KeysDir string

	// Now is the clock the backend stamps RecordedAt with when an event
	// arrives without one. Nil means the wall clock (time.Now).
	Now func() time.Time
}

// Run runs the conformance suite against the backend that open makes: one
// subtest per property of the store contract, each on a fresh Instance from
// open(t) called with the subtest's t. Subtests run one after another. See
// the package documentation for what each checks.
func Run(t *testing.T, open func(t *testing.T) Instance) {
	t.Helper()
	for _, st := range subtests() {
		t.Run(st.name, func(t *testing.T) {
			st.run(newHarness(t, open))
		})
	}
}

// subtest is one property of the contract.
type subtest struct {
	name string
	run  func(h *harness)
}

// subtests is the suite, in the order Run runs it.
func subtests() []subtest {
	return []subtest{
		{"RoundTrip", testRoundTrip},
		{"RecordedAtStamped", testRecordedAtStamped},
		{"ExpectedVersion", testExpectedVersion},
		{"ConcurrentAppendSameVersion", testConcurrentSameVersion},
		{"Idempotency", testIdempotency},
		{"InvalidAppend", testInvalidAppend},
		{"ReadStream", testReadStream},
		{"ReadAllFrom", testReadAllFrom},
		{"PositionsUnderConcurrentAppends", testPositions},
		{"HashChain", testHashChain},
		{"SubscribeCatchUpToLive", testSubscribeCatchUp},
		{"SubscribeEnds", testSubscribeEnds},
		{"Closed", testClosed},
		{"ReopenKeepsEverything", testReopen},
		{"VerifyAndCheckpoints", testVerifyAndCheckpoints},
		{"TamperRewriteData", testTamperRewriteData},
		{"CorruptFiles", testCorruptFiles},
		{"Shredding", testShredding},
	}
}

// subtestTimeout bounds every subtest so that a hanging backend fails
// instead of blocking the test binary.
const subtestTimeout = 60 * time.Second

// harness is one subtest's view of an Instance.
type harness struct {
	t      *testing.T
	ctx    context.Context
	inst   Instance
	s      store.Store // the current Store; nil after a failed Reopen
	closed bool        // the current Store was closed by the subtest
}

func newHarness(t *testing.T, open func(t *testing.T) Instance) *harness {
	t.Helper()
	inst := open(t)
	switch {
	case inst.Store == nil:
		t.Fatal("storetest: Instance.Store is nil")
	case inst.Reopen == nil:
		t.Fatal("storetest: Instance.Reopen is nil")
	}
	ctx, cancel := context.WithTimeout(context.Background(), subtestTimeout)
	h := &harness{t: t, ctx: ctx, inst: inst, s: inst.Store}
	t.Cleanup(func() {
		cancel()
		if h.s == nil || h.closed {
			return
		}
		if err := h.s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("Close at the end of the subtest: %v", err)
		}
	})
	return h
}

func (h *harness) now() time.Time {
	if h.inst.Now != nil {
		return h.inst.Now()
	}
	return time.Now()
}

// reopen closes and reopens the store through Instance.Reopen.
func (h *harness) reopen() {
	h.t.Helper()
	s, err := h.inst.Reopen()
	if err != nil {
		h.s = nil
		h.t.Fatalf("Reopen: %v", err)
	}
	h.s, h.closed = s, false
}

// event returns a new event with a fresh UUID, all fields set.
func (h *harness) event(typ string, data []byte) store.Event {
	return store.Event{
		ID:            uuid.NewString(),
		Type:          typ,
		Actor:         store.Actor{UserID: "staff-0a1b", Role: "coach"},
		CorrelationID: uuid.NewString(),
		RecordedAt:    time.Date(2026, 3, 31, 14, 5, 6, 789012345, time.UTC),
		Data:          data,
	}
}

// events returns n events of type typ with small distinct JSON data.
func (h *harness) events(n int, typ string) []store.Event {
	out := make([]store.Event, n)
	for i := range out {
		out[i] = h.event(typ, fmt.Appendf(nil, `{"public":{"i":%d,"kind":"%s"}}`, i, typ))
	}
	return out
}

// append appends and fails the test on error.
func (h *harness) append(stream string, expected store.ExpectedVersion, events ...store.Event) store.AppendResult {
	h.t.Helper()
	res, err := h.s.Append(h.ctx, stream, expected, events)
	if err != nil {
		h.t.Fatalf("Append %d events to %s (expected %s): %v", len(events), stream, expected, err)
	}
	if n := uint64(len(events)); res.LastPosition < res.FirstPosition || res.FirstPosition == 0 || res.Version < n {
		h.t.Fatalf("Append %d events to %s returned %+v", len(events), stream, res)
	}
	return res
}

// readAll reads the whole global order from position from.
func (h *harness) readAll(from uint64) []store.Envelope {
	h.t.Helper()
	var out []store.Envelope
	for env, err := range h.s.ReadAll(h.ctx, from) {
		if err != nil {
			h.t.Fatalf("ReadAll(%d) after %d events: %v", from, len(out), err)
		}
		out = append(out, env)
	}
	return out
}

// readStream reads stream from version from; a missing stream fails.
func (h *harness) readStream(stream string, from uint64) []store.Envelope {
	h.t.Helper()
	var out []store.Envelope
	for env, err := range h.s.ReadStream(h.ctx, stream, from) {
		if err != nil {
			h.t.Fatalf("ReadStream(%s, %d) after %d events: %v", stream, from, len(out), err)
		}
		out = append(out, env)
	}
	return out
}

func (h *harness) head() uint64 {
	h.t.Helper()
	p, err := h.s.Head(h.ctx)
	if err != nil {
		h.t.Fatalf("Head: %v", err)
	}
	return p
}

func (h *harness) streamVersion(stream string) uint64 {
	h.t.Helper()
	v, err := h.s.StreamVersion(h.ctx, stream)
	if err != nil {
		h.t.Fatalf("StreamVersion(%s): %v", stream, err)
	}
	return v
}

// sameEnvelope fails unless got and want are the same stored event, field by
// field, RecordedAt to the nanosecond and in UTC, data byte for byte.
func sameEnvelope(t *testing.T, what string, got, want store.Envelope) {
	t.Helper()
	switch {
	case got.ID != want.ID:
		t.Fatalf("%s: ID %q, want %q", what, got.ID, want.ID)
	case got.Type != want.Type:
		t.Fatalf("%s: Type %q, want %q", what, got.Type, want.Type)
	case got.Stream != want.Stream:
		t.Fatalf("%s: Stream %q, want %q", what, got.Stream, want.Stream)
	case got.Version != want.Version:
		t.Fatalf("%s: Version %d, want %d", what, got.Version, want.Version)
	case got.Position != want.Position:
		t.Fatalf("%s: Position %d, want %d", what, got.Position, want.Position)
	case !got.RecordedAt.Equal(want.RecordedAt) || got.RecordedAt.UnixNano() != want.RecordedAt.UnixNano():
		t.Fatalf("%s: RecordedAt %v, want %v", what, got.RecordedAt, want.RecordedAt)
	case got.RecordedAt.Location() != time.UTC:
		t.Fatalf("%s: RecordedAt in %v, want UTC", what, got.RecordedAt.Location())
	case got.Actor != want.Actor:
		t.Fatalf("%s: Actor %+v, want %+v", what, got.Actor, want.Actor)
	case got.CorrelationID != want.CorrelationID:
		t.Fatalf("%s: CorrelationID %q, want %q", what, got.CorrelationID, want.CorrelationID)
	case !bytes.Equal(got.Data, want.Data):
		t.Fatalf("%s: Data differs (%d bytes, want %d)", what, len(got.Data), len(want.Data))
	case got.PrevHash != want.PrevHash:
		t.Fatalf("%s: PrevHash %v, want %v", what, got.PrevHash, want.PrevHash)
	case got.Hash != want.Hash:
		t.Fatalf("%s: Hash %v, want %v", what, got.Hash, want.Hash)
	}
}

// sameEnvelopes compares two lists with sameEnvelope.
func sameEnvelopes(t *testing.T, what string, got, want []store.Envelope) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		sameEnvelope(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i])
	}
}

// checkChains checks, over a complete global order, that positions strictly
// increase, versions run 1, 2, 3 per stream, each PrevHash is the previous
// Hash of its stream and each Hash is store.ComputeHash.
func checkChains(t *testing.T, envs []store.Envelope) {
	t.Helper()
	type tip struct {
		version uint64
		hash    store.Hash
	}
	tips := map[string]tip{}
	var last uint64
	for _, e := range envs {
		if e.Position <= last {
			t.Fatalf("position %d follows %d", e.Position, last)
		}
		last = e.Position
		p := tips[e.Stream]
		if e.Version != p.version+1 {
			t.Fatalf("%s: version %d follows %d", e.Stream, e.Version, p.version)
		}
		if e.PrevHash != p.hash {
			t.Fatalf("%s@%d: PrevHash %v, previous event's Hash %v", e.Stream, e.Version, e.PrevHash, p.hash)
		}
		if got := store.ComputeHash(&e, e.PrevHash); got != e.Hash {
			t.Fatalf("%s@%d: Hash %v, store.ComputeHash %v", e.Stream, e.Version, e.Hash, got)
		}
		tips[e.Stream] = tip{e.Version, e.Hash}
	}
}
