package storetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"spoor/store"
)

// testRoundTrip: every envelope field comes back exactly as appended, through
// ReadStream and ReadAll: binary data with zero bytes, empty and nil data,
// data of exactly store.MaxEventData bytes, RecordedAt given in another time
// zone returned in UTC to the nanosecond; AppendResult matches the stored
// positions; the store keeps its own copy of the data and hands out copies.
func testRoundTrip(h *harness) {
	t := h.t
	big := make([]byte, store.MaxEventData)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	brussels := time.FixedZone("CEST", 2*3600)
	evs := []store.Event{
		h.event("ContactLogged", []byte{0, 1, 2, 0, 0xff, 0, '{', 0}),
		h.event("ConsentGiven", []byte{}),
		h.event("FamilyRegistered", nil),
		h.event("DocumentAttached", big),
		h.event("Ünïcode-Type.v2", []byte(`{"public":{"note":"Brussel, één"}}`)),
	}
	evs[0].RecordedAt = time.Date(2026, 3, 31, 23, 59, 59, 999999999, brussels)
	evs[1].Actor = store.Actor{}
	evs[1].CorrelationID = ""
	evs[2].RecordedAt = time.Date(1999, 12, 31, 23, 0, 0, 1, time.UTC)
	evs[4].Actor = store.Actor{UserID: "system", Role: "system"}

	// An event in another stream first, so positions and versions differ.
	h.append("family-other", store.NoStream, h.event("Other", []byte("x")))
	res := h.append("family-rt", store.NoStream, evs...)
	if res.Version != uint64(len(evs)) {
		t.Fatalf("AppendResult.Version %d, want %d", res.Version, len(evs))
	}
	// Keep what was appended, then scribble over the caller's buffers: the
	// store must have copied them.
	want := make([]store.Envelope, len(evs))
	for i, ev := range evs {
		want[i] = store.Envelope{ID: ev.ID, Type: ev.Type, Stream: "family-rt", Version: uint64(i + 1),
			RecordedAt: ev.RecordedAt.UTC(), Actor: ev.Actor, CorrelationID: ev.CorrelationID,
			Data: bytes.Clone(ev.Data)}
		for j := range ev.Data {
			ev.Data[j] = 'X'
		}
	}

	got := h.readStream("family-rt", 0)
	if len(got) != len(evs) {
		t.Fatalf("ReadStream: %d events, want %d", len(got), len(evs))
	}
	if got[0].Position != res.FirstPosition || got[len(got)-1].Position != res.LastPosition {
		t.Fatalf("positions %d..%d, AppendResult says %d..%d", got[0].Position, got[len(got)-1].Position, res.FirstPosition, res.LastPosition)
	}
	var prev store.Hash
	for i := range want {
		want[i].Position = got[i].Position
		want[i].PrevHash = prev
		want[i].Hash = store.ComputeHash(&want[i], prev)
		prev = want[i].Hash
		if i > 0 && want[i].Position <= want[i-1].Position {
			t.Fatalf("positions not increasing within one append: %d then %d", want[i-1].Position, want[i].Position)
		}
	}
	sameEnvelopes(t, "ReadStream", got, want)
	all := h.readAll(0)
	if len(all) != len(evs)+1 || all[0].Stream != "family-other" {
		t.Fatalf("ReadAll: %d events, want %d starting with family-other", len(all), len(evs)+1)
	}
	sameEnvelopes(t, "ReadAll", all[1:], want)
	if len(got[1].Data) != 0 || len(got[2].Data) != 0 {
		t.Fatalf("empty data came back as %d and %d bytes", len(got[1].Data), len(got[2].Data))
	}

	// The caller owns returned data: changing it does not change the store.
	got[0].Data[0] = 0x42
	again := h.readStream("family-rt", 1)
	sameEnvelope(t, "after changing a returned Data", again[0], want[0])
}

// testRecordedAtStamped: an event appended with a zero RecordedAt is stamped
// with the backend's clock (within 5 s of Instance.Now around the append,
// allowing for a server's clock), in UTC; the stamp is covered by the hash.
func testRecordedAtStamped(h *harness) {
	t := h.t
	ev := h.event("ContactLogged", []byte(`{"public":{}}`))
	ev.RecordedAt = time.Time{}
	before := h.now()
	h.append("family-stamp", store.NoStream, ev)
	after := h.now()
	got := h.readStream("family-stamp", 1)[0]
	if got.RecordedAt.IsZero() {
		t.Fatal("RecordedAt was not stamped")
	}
	if got.RecordedAt.Location() != time.UTC {
		t.Fatalf("stamped RecordedAt in %v, want UTC", got.RecordedAt.Location())
	}
	const slack = 5 * time.Second
	if got.RecordedAt.Before(before.Add(-slack)) || got.RecordedAt.After(after.Add(slack)) {
		t.Fatalf("stamped RecordedAt %v outside [%v, %v]", got.RecordedAt, before, after)
	}
	if store.ComputeHash(&got, got.PrevHash) != got.Hash {
		t.Fatal("Hash does not cover the stamped RecordedAt")
	}
}

// testExpectedVersion: NoStream, ExactVersion, StreamExists and AnyVersion
// against missing and existing streams; a conflict wraps
// store.ErrVersionConflict and writes nothing (head, versions and ReadAll
// unchanged; the refused event id can be used afterwards).
func testExpectedVersion(h *harness) {
	t := h.t
	steps := []struct {
		stream      string
		expected    store.ExpectedVersion
		wantVersion uint64 // 0: a conflict
	}{
		{"family-a", store.StreamExists, 0},
		{"family-a", store.ExactVersion(1), 0},
		{"family-a", store.NoStream, 1},
		{"family-a", store.NoStream, 0},
		{"family-a", store.ExactVersion(1), 2},
		{"family-a", store.ExactVersion(1), 0},
		{"family-a", store.ExactVersion(3), 0},
		{"family-a", store.StreamExists, 3},
		{"family-a", store.AnyVersion, 4},
		{"family-a", store.ExactVersion(4), 5},
		{"family-b", store.AnyVersion, 1},
		{"family-c", store.ExactVersion(0), 1},
		{"family-c", store.ExactVersion(0), 0},
		{"family-b", store.ExactVersion(2), 0},
	}
	var refused []store.Event
	stored := 0
	for i, st := range steps {
		ev := h.event("ContactLogged", fmt.Appendf(nil, `{"public":{"step":%d}}`, i))
		headBefore := h.head()
		versionBefore := h.streamVersion(st.stream)
		res, err := h.s.Append(h.ctx, st.stream, st.expected, []store.Event{ev})
		if st.wantVersion == 0 {
			if !errors.Is(err, store.ErrVersionConflict) {
				t.Fatalf("step %d: Append to %s at version %d expecting %s: %v (result %+v), want ErrVersionConflict",
					i, st.stream, versionBefore, st.expected, err, res)
			}
			if h.head() != headBefore || h.streamVersion(st.stream) != versionBefore {
				t.Fatalf("step %d: a conflicting append changed the head or the stream's version", i)
			}
			refused = append(refused, ev)
			continue
		}
		if err != nil {
			t.Fatalf("step %d: Append to %s at version %d expecting %s: %v", i, st.stream, versionBefore, st.expected, err)
		}
		stored++
		if res.Version != st.wantVersion || h.streamVersion(st.stream) != st.wantVersion {
			t.Fatalf("step %d: version %d (StreamVersion %d), want %d", i, res.Version, h.streamVersion(st.stream), st.wantVersion)
		}
	}
	all := h.readAll(0)
	if len(all) != stored {
		t.Fatalf("ReadAll holds %d events, %d appends succeeded", len(all), stored)
	}
	for _, e := range all {
		for _, r := range refused {
			if e.ID == r.ID {
				t.Fatalf("refused event %s was stored", r.ID)
			}
		}
	}
	// A refused event's id was not remembered: it appends as a new event.
	res := h.append("family-a", store.ExactVersion(5), refused[0])
	if res.Version != 6 {
		t.Fatalf("refused event appended later got version %d, want 6", res.Version)
	}
}

// testConcurrentSameVersion: 16 goroutines append to one stream expecting
// the same version (NoStream, then ExactVersion(1), (2), (3)): in every round
// exactly one wins, the others get store.ErrVersionConflict, and the stream
// holds the winner's event.
func testConcurrentSameVersion(h *harness) {
	t := h.t
	const writers = 16
	const stream = "family-contended"
	for round := 0; round < 4; round++ {
		expected := store.ExactVersion(uint64(round))
		evs := h.events(writers, "ContactLogged")
		results := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Go(func() {
				<-start
				_, results[w] = h.s.Append(h.ctx, stream, expected, []store.Event{evs[w]})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for w, err := range results {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: writers %d and %d both won at %s", round, winner, w, expected)
			case err == nil:
				winner = w
			case !errors.Is(err, store.ErrVersionConflict):
				t.Fatalf("round %d: writer %d: %v, want nil or ErrVersionConflict", round, w, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer won at %s", round, expected)
		}
		got := h.readStream(stream, uint64(round+1))
		if len(got) != 1 || got[0].ID != evs[winner].ID || got[0].Version != uint64(round+1) {
			t.Fatalf("round %d: stream holds %d events from version %d, want only the winner's", round, len(got), round+1)
		}
	}
	if n := len(h.readAll(0)); n != 4 {
		t.Fatalf("ReadAll holds %d events after 4 rounds, want 4", n)
	}
}

// testIdempotency: a retried append of the same ids (same stream, type and
// data) returns the first AppendResult whatever it expects, also after later
// appends to the stream, and writes nothing; the same id with other data or
// type, in another stream, or mixed with new events is
// store.ErrDuplicateEventID and writes nothing.
func testIdempotency(h *harness) {
	t := h.t
	const stream = "family-idem"
	ab := h.events(2, "ContactLogged")
	ab[1].RecordedAt = time.Time{} // stamped: a retry is stamped again, differently
	r1 := h.append(stream, store.NoStream, ab...)
	head1 := h.head()
	r2, err := h.s.Append(h.ctx, stream, store.NoStream, ab)
	if err != nil || r2 != r1 {
		t.Fatalf("retry expecting no stream: %+v, %v; want the first result %+v", r2, err, r1)
	}
	if h.head() != head1 || h.streamVersion(stream) != 2 {
		t.Fatal("a retried append wrote something")
	}
	c := h.events(1, "ConsentGiven")
	r3 := h.append(stream, store.ExactVersion(2), c...)
	for _, exp := range []store.ExpectedVersion{store.AnyVersion, store.ExactVersion(2), store.StreamExists} {
		r, err := h.s.Append(h.ctx, stream, exp, ab)
		if err != nil || r != r1 {
			t.Fatalf("retry of the first append expecting %s after a later append: %+v, %v; want %+v", exp, r, err, r1)
		}
	}
	if r, err := h.s.Append(h.ctx, stream, store.ExactVersion(2), c); err != nil || r != r3 {
		t.Fatalf("retry of the second append: %+v, %v; want %+v", r, err, r3)
	}
	head3 := h.head()

	otherData := ab[0]
	otherData.Data = []byte(`{"public":{"changed":true}}`)
	otherType := ab[0]
	otherType.Type = "SomethingElse"
	refusals := []struct {
		name   string
		stream string
		events []store.Event
	}{
		{"same id, other data", stream, []store.Event{otherData}},
		{"same id, other type", stream, []store.Event{otherType}},
		{"same id and content, other stream", "family-idem-2", []store.Event{ab[0]}},
		{"old id mixed with a new one", stream, append([]store.Event{ab[0]}, h.events(1, "New")...)},
		{"new id then an old one", stream, append(h.events(1, "New"), c[0])},
	}
	for _, r := range refusals {
		res, err := h.s.Append(h.ctx, r.stream, store.AnyVersion, r.events)
		if !errors.Is(err, store.ErrDuplicateEventID) {
			t.Fatalf("%s: %+v, %v; want ErrDuplicateEventID", r.name, res, err)
		}
		if h.head() != head3 || h.streamVersion(stream) != 3 || h.streamVersion("family-idem-2") != 0 {
			t.Fatalf("%s: a refused append wrote something", r.name)
		}
	}
	all := h.readAll(0)
	if len(all) != 3 || all[0].ID != ab[0].ID || all[1].ID != ab[1].ID || all[2].ID != c[0].ID {
		t.Fatalf("the store holds %d events, want exactly the three appended", len(all))
	}
	if !bytes.Equal(all[0].Data, ab[0].Data) {
		t.Fatal("the first event's data changed")
	}
}

// testInvalidAppend: every malformed request (see store.ValidateAppend) is
// store.ErrInvalidEvent and writes nothing, not even its valid events.
func testInvalidAppend(h *harness) {
	t := h.t
	ok := func() store.Event { return h.event("ContactLogged", []byte(`{}`)) }
	with := func(f func(*store.Event)) []store.Event {
		e := ok()
		f(&e)
		return []store.Event{ok(), e}
	}
	tooMany := make([]store.Event, store.MaxAppendEvents+1)
	for i := range tooMany {
		tooMany[i] = ok()
	}
	dup := ok()
	// 17 events of 1 MiB each: every one allowed, together over MaxAppendBytes.
	tooBig := make([]store.Event, store.MaxAppendBytes/store.MaxEventData+1)
	shared := make([]byte, store.MaxEventData)
	for i := range tooBig {
		tooBig[i] = ok()
		tooBig[i].Data = shared
	}
	cases := []struct {
		name     string
		stream   string
		expected store.ExpectedVersion
		events   []store.Event
	}{
		{"empty stream name", "", store.AnyVersion, []store.Event{ok()}},
		{"stream name too long", strings.Repeat("s", 201), store.AnyVersion, []store.Event{ok()}},
		{"expected version below StreamExists", "family-x", store.ExpectedVersion(-3), []store.Event{ok()}},
		{"no events", "family-x", store.AnyVersion, nil},
		{"too many events", "family-x", store.AnyVersion, tooMany},
		{"event without id", "family-x", store.AnyVersion, with(func(e *store.Event) { e.ID = "" })},
		{"id too long", "family-x", store.AnyVersion, with(func(e *store.Event) { e.ID = strings.Repeat("i", 101) })},
		{"event without type", "family-x", store.AnyVersion, with(func(e *store.Event) { e.Type = "" })},
		{"type too long", "family-x", store.AnyVersion, with(func(e *store.Event) { e.Type = strings.Repeat("t", 101) })},
		{"data too large", "family-x", store.AnyVersion, with(func(e *store.Event) { e.Data = make([]byte, store.MaxEventData+1) })},
		{"id repeated in one append", "family-x", store.AnyVersion, []store.Event{dup, ok(), dup}},
		{"append's data too large in all", "family-x", store.AnyVersion, tooBig},
	}
	for _, c := range cases {
		res, err := h.s.Append(h.ctx, c.stream, c.expected, c.events)
		if !errors.Is(err, store.ErrInvalidEvent) {
			t.Fatalf("%s: %+v, %v; want ErrInvalidEvent", c.name, res, err)
		}
	}
	if h.head() != 0 || len(h.readAll(0)) != 0 || h.streamVersion("family-x") != 0 {
		t.Fatal("an invalid append wrote something")
	}
	// The valid events of refused requests were not remembered.
	res := h.append("family-x", store.NoStream, dup)
	if res.Version != 1 {
		t.Fatalf("event of a refused request appended later: version %d, want 1", res.Version)
	}
}
