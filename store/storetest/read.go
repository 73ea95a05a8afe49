package storetest

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"sync"

	"spoor/store"
)

// testReadStream: ReadStream from every version (0 read as 1), past the end
// (nothing, no error), early break, a sequence walked twice (the second
// walk yields the same events, as iter.Seq2's convention asks); a stream without events yields exactly
// one store.ErrStreamNotFound; StreamVersion of known and unknown streams;
// Head is the last position.
func testReadStream(h *harness) {
	t := h.t
	const stream = "family-read"
	h.append(stream, store.NoStream, h.events(2, "A")...)
	h.append("family-noise", store.NoStream, h.events(1, "N")...)
	last := h.append(stream, store.ExactVersion(2), h.events(3, "B")...)
	h.append("family-noise", store.AnyVersion, h.events(1, "N")...)

	full := h.readStream(stream, 1)
	if len(full) != 5 {
		t.Fatalf("ReadStream from 1: %d events, want 5", len(full))
	}
	for i, e := range full {
		if e.Version != uint64(i+1) || e.Stream != stream {
			t.Fatalf("event %d is %s@%d", i, e.Stream, e.Version)
		}
	}
	for from := uint64(0); from <= 7; from++ {
		got := h.readStream(stream, from)
		first := max(from, 1)
		want := 0
		if first <= 5 {
			want = int(5 - first + 1)
		}
		if len(got) != want {
			t.Fatalf("ReadStream from %d: %d events, want %d", from, len(got), want)
		}
		if want > 0 {
			sameEnvelopes(t, fmt.Sprintf("ReadStream from %d", from), got, full[first-1:])
		}
	}
	if got := h.readStream(stream, math.MaxUint64); len(got) != 0 {
		t.Fatalf("ReadStream from MaxUint64: %d events", len(got))
	}

	n := 0
	for _, err := range h.s.ReadStream(h.ctx, stream, 1) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}

	for _, from := range []uint64{0, 2} {
		seq := h.s.ReadStream(h.ctx, stream, from)
		first, second := collect(h, "ReadStream", seq), collect(h, "ReadStream again", seq)
		sameEnvelopes(t, fmt.Sprintf("ReadStream from %d walked twice", from), second, first)
		sameEnvelopes(t, fmt.Sprintf("ReadStream from %d", from), first, full[max(from, 1)-1:])
	}

	var errs []error
	yields := 0
	for _, err := range h.s.ReadStream(h.ctx, "family-unknown", 1) {
		yields++
		errs = append(errs, err)
	}
	if yields != 1 || !errors.Is(errs[0], store.ErrStreamNotFound) {
		t.Fatalf("ReadStream of an unknown stream: %d yields, errors %v; want one ErrStreamNotFound", yields, errs)
	}

	if v := h.streamVersion(stream); v != 5 {
		t.Fatalf("StreamVersion = %d, want 5", v)
	}
	if v := h.streamVersion("family-unknown"); v != 0 {
		t.Fatalf("StreamVersion of an unknown stream = %d, want 0", v)
	}
	all := h.readAll(0)
	if hd := h.head(); hd != all[len(all)-1].Position || hd <= last.LastPosition {
		t.Fatalf("Head = %d, last event at %d", hd, all[len(all)-1].Position)
	}
}

// testReadAllFrom: ReadAll on an empty store yields nothing; ReadAll from 0,
// from every position, from between positions, and from past the head
// yields exactly the events at or after it, in order; a sequence walked
// twice yields the same events both times.
func testReadAllFrom(h *harness) {
	t := h.t
	if got := h.readAll(0); len(got) != 0 {
		t.Fatalf("ReadAll on an empty store: %d events", len(got))
	}
	if hd := h.head(); hd != 0 {
		t.Fatalf("Head of an empty store = %d", hd)
	}
	for i := 0; i < 4; i++ {
		h.append(fmt.Sprintf("family-%d", i%3), store.AnyVersion, h.events(1+i%3, "E")...)
	}
	all := h.readAll(0)
	if len(all) != 1+2+3+1 {
		t.Fatalf("ReadAll: %d events, want 7", len(all))
	}
	froms := []uint64{0, 1}
	for _, e := range all {
		froms = append(froms, e.Position-1, e.Position, e.Position+1)
	}
	headPos := all[len(all)-1].Position
	froms = append(froms, headPos+1, headPos+1000, math.MaxUint64)
	for _, from := range froms {
		var want []store.Envelope
		for _, e := range all {
			if e.Position >= from {
				want = append(want, e)
			}
		}
		sameEnvelopes(t, fmt.Sprintf("ReadAll from %d", from), h.readAll(from), want)
	}
	for _, from := range []uint64{0, all[2].Position} {
		seq := h.s.ReadAll(h.ctx, from)
		first, second := collect(h, "ReadAll", seq), collect(h, "ReadAll again", seq)
		sameEnvelopes(t, fmt.Sprintf("ReadAll from %d walked twice", from), second, first)
		if len(first) == 0 || first[0].Position != max(from, all[0].Position) {
			t.Fatalf("ReadAll from %d: %d events, first at %v", from, len(first), first)
		}
	}
}

// collect walks seq to its end; an error fails the test.
func collect(h *harness, what string, seq iter.Seq2[store.Envelope, error]) []store.Envelope {
	h.t.Helper()
	var out []store.Envelope
	for env, err := range seq {
		if err != nil {
			h.t.Fatalf("%s after %d events: %v", what, len(out), err)
		}
		out = append(out, env)
	}
	return out
}

// testPositions: 8 goroutines append to their own streams (single events and
// batches of 3) at the same time. Positions are strictly increasing in
// ReadAll, each AppendResult names its events' positions, each writer's
// appends land in increasing positions, versions run 1, 2, 3 per stream and
// Head is the last position.
func testPositions(h *harness) {
	t := h.t
	const writers, appends = 8, 12
	type landed struct {
		res store.AppendResult
		ids []string
	}
	results := make([][]landed, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Go(func() {
			stream := fmt.Sprintf("family-w%d", w)
			var version uint64
			for i := 0; i < appends; i++ {
				evs := h.events(1+2*(i%2), "ContactLogged")
				res, err := h.s.Append(h.ctx, stream, store.ExactVersion(version), evs)
				version += uint64(len(evs))
				if err != nil {
					errs <- fmt.Errorf("writer %d append %d: %w", w, i, err)
					return
				}
				ids := make([]string, len(evs))
				for j, e := range evs {
					ids[j] = e.ID
				}
				results[w] = append(results[w], landed{res, ids})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all := h.readAll(0)
	if len(all) != writers*appends*2 {
		t.Fatalf("ReadAll: %d events, want %d", len(all), writers*appends*2)
	}
	checkChains(t, all)
	byPos := make(map[uint64]store.Envelope, len(all))
	for _, e := range all {
		byPos[e.Position] = e
	}
	for w, rs := range results {
		var prevLast uint64
		for i, l := range rs {
			if l.res.FirstPosition <= prevLast {
				t.Fatalf("writer %d: append %d landed at %d, before its previous append's %d", w, i, l.res.FirstPosition, prevLast)
			}
			prevLast = l.res.LastPosition
			first, okF := byPos[l.res.FirstPosition]
			last, okL := byPos[l.res.LastPosition]
			if !okF || !okL || first.ID != l.ids[0] || last.ID != l.ids[len(l.ids)-1] {
				t.Fatalf("writer %d append %d: AppendResult %+v does not point at its events", w, i, l.res)
			}
			if last.Version != l.res.Version {
				t.Fatalf("writer %d append %d: AppendResult.Version %d, stored %d", w, i, l.res.Version, last.Version)
			}
		}
	}
	if hd := h.head(); hd != all[len(all)-1].Position {
		t.Fatalf("Head = %d, last event at %d", hd, all[len(all)-1].Position)
	}
}

// testHashChain: 4 goroutines append with AnyVersion to the same 2 streams;
// afterwards every PrevHash is the previous event's Hash in its stream (zero
// for version 1), every Hash is store.ComputeHash, and ReadStream returns the
// same envelopes as ReadAll.
func testHashChain(h *harness) {
	t := h.t
	streams := []string{"family-chain-1", "family-chain-2"}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := 0; i < 15; i++ {
				stream := streams[(w+i)%2]
				if _, err := h.s.Append(h.ctx, stream, store.AnyVersion, h.events(1+i%2, "ContactLogged")); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
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
	all := h.readAll(0)
	if len(all) != 4*(8*1+7*2) {
		t.Fatalf("ReadAll: %d events, want %d", len(all), 4*(8+14))
	}
	checkChains(t, all)
	for _, s := range streams {
		var want []store.Envelope
		for _, e := range all {
			if e.Stream == s {
				want = append(want, e)
			}
		}
		sameEnvelopes(t, "ReadStream "+s, h.readStream(s, 1), want)
		if v := h.streamVersion(s); v != uint64(len(want)) {
			t.Fatalf("StreamVersion(%s) = %d, want %d", s, v, len(want))
		}
	}
}
