package pebble_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"spoor/store"
	"spoor/store/pebble"
)

// testOptions are quick to open: no WAL warm-up, a fixed clock.
func testOptions() pebble.Options {
	o := pebble.DefaultOptions()
	o.ColdWAL = true
	o.MemTableSize = 1 << 20
	o.Clock = func() time.Time { return time.Date(2026, 3, 31, 9, 0, 0, 123456789, time.UTC) }
	return o
}

func openTest(t *testing.T, dir string) *pebble.Store {
	t.Helper()
	s, err := pebble.Open(dir, testOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ev(id, typ string, data string) store.Event {
	return store.Event{ID: id, Type: typ, Data: []byte(data), Actor: store.Actor{UserID: "u-1", Role: "coach"}, CorrelationID: "c-" + id}
}

func readAll(t *testing.T, s *pebble.Store, from uint64) []store.Envelope {
	t.Helper()
	var out []store.Envelope
	for e, err := range s.ReadAll(context.Background(), from) {
		if err != nil {
			t.Fatalf("ReadAll: %v", err)
		}
		out = append(out, e)
	}
	return out
}

func readStream(s *pebble.Store, stream string, from uint64) ([]store.Envelope, error) {
	var out []store.Envelope
	for e, err := range s.ReadStream(context.Background(), stream, from) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// checkChains checks positions 1..n and each stream's versions and hashes.
func checkChains(t *testing.T, envs []store.Envelope) {
	t.Helper()
	last := map[string]store.Envelope{}
	for i, e := range envs {
		if e.Position != uint64(i+1) {
			t.Fatalf("event %d has position %d", i, e.Position)
		}
		prev := last[e.Stream]
		if e.Version != prev.Version+1 || e.PrevHash != prev.Hash {
			t.Fatalf("position %d: %s version %d prev %s after version %d hash %s", e.Position, e.Stream, e.Version, e.PrevHash, prev.Version, prev.Hash)
		}
		if h := store.ComputeHash(&e, e.PrevHash); h != e.Hash {
			t.Fatalf("position %d: stored hash %s, computed %s", e.Position, e.Hash, h)
		}
		last[e.Stream] = e
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	explicit := time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600))
	events := []store.Event{
		ev("id-1", "FamilyRegistered", `{"a":1}`),
		{ID: "id-2", Type: "ContactLogged", Data: []byte{0, 1, 2, 0xff}, RecordedAt: explicit},
		{ID: "id-3", Type: "Empty"},
	}
	res, err := s.Append(ctx, "family-1", store.NoStream, events)
	if err != nil {
		t.Fatal(err)
	}
	if res != (store.AppendResult{Version: 3, FirstPosition: 1, LastPosition: 3}) {
		t.Fatalf("result %+v", res)
	}
	if _, err := s.Append(ctx, "access-1", store.NoStream, []store.Event{ev("id-4", "Viewed", "x")}); err != nil {
		t.Fatal(err)
	}
	got, err := readStream(s, "family-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("read %d events", len(got))
	}
	for i, e := range got {
		want := events[i]
		if e.ID != want.ID || e.Type != want.Type || !bytes.Equal(e.Data, want.Data) || e.Actor != want.Actor ||
			e.CorrelationID != want.CorrelationID || e.Stream != "family-1" || e.Version != uint64(i+1) || e.Position != uint64(i+1) {
			t.Errorf("event %d: got %+v", i, e)
		}
	}
	if !got[0].RecordedAt.Equal(testOptions().Clock()) || !got[1].RecordedAt.Equal(explicit) {
		t.Errorf("recorded-at %v, %v", got[0].RecordedAt, got[1].RecordedAt)
	}
	if got[2].Data == nil || len(got[2].Data) != 0 {
		t.Errorf("empty data read as %#v", got[2].Data)
	}
	// The caller owns Data.
	got[0].Data[0] = 'X'
	again, _ := readStream(s, "family-1", 1)
	if again[0].Data[0] != '{' {
		t.Fatal("Data is shared with the store")
	}
	all := readAll(t, s, 0)
	checkChains(t, all)
	if len(all) != 4 || all[3].Stream != "access-1" {
		t.Fatalf("ReadAll: %d events", len(all))
	}
	if from3 := readAll(t, s, 3); len(from3) != 2 || from3[0].Position != 3 {
		t.Fatalf("ReadAll from 3: %v", from3)
	}
	if tail, err := readStream(s, "family-1", 3); err != nil || len(tail) != 1 || tail[0].Version != 3 {
		t.Fatalf("ReadStream from 3: %v %v", tail, err)
	}
	if past, err := readStream(s, "family-1", 9); err != nil || len(past) != 0 {
		t.Fatalf("ReadStream past the end: %v %v", past, err)
	}
	if _, err := readStream(s, "family-2", 0); !errors.Is(err, store.ErrStreamNotFound) {
		t.Fatalf("missing stream: %v", err)
	}
	if v, err := s.StreamVersion(ctx, "family-1"); err != nil || v != 3 {
		t.Fatalf("StreamVersion %d %v", v, err)
	}
	if v, err := s.StreamVersion(ctx, "nope"); err != nil || v != 0 {
		t.Fatalf("StreamVersion of a missing stream %d %v", v, err)
	}
	if h, err := s.Head(ctx); err != nil || h != 4 {
		t.Fatalf("Head %d %v", h, err)
	}
	if err := s.CheckIndex(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestExpectedVersion(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	n := 0
	next := func() []store.Event { n++; return []store.Event{ev(fmt.Sprintf("e-%d", n), "T", "d")} }
	cases := []struct {
		name     string
		expected store.ExpectedVersion
		conflict bool
	}{
		{"stream exists on empty", store.StreamExists, true},
		{"exact 1 on empty", store.ExactVersion(1), true},
		{"no stream on empty", store.NoStream, false},
		{"no stream again", store.NoStream, true},
		{"exact 2 at 1", store.ExactVersion(2), true},
		{"exact 1 at 1", store.ExactVersion(1), false},
		{"any at 2", store.AnyVersion, false},
		{"stream exists at 3", store.StreamExists, false},
	}
	version := uint64(0)
	for _, c := range cases {
		head, _ := s.Head(ctx)
		res, err := s.Append(ctx, "family-7", c.expected, next())
		if c.conflict {
			if !errors.Is(err, store.ErrVersionConflict) {
				t.Fatalf("%s: err %v, want a conflict", c.name, err)
			}
			if !strings.Contains(err.Error(), "family-7") {
				t.Errorf("%s: error does not name the stream: %v", c.name, err)
			}
			if h, _ := s.Head(ctx); h != head {
				t.Fatalf("%s: head moved from %d to %d on a conflict", c.name, head, h)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		version++
		if res.Version != version || res.LastPosition != head+1 {
			t.Fatalf("%s: result %+v", c.name, res)
		}
	}
	checkChains(t, readAll(t, s, 0))
}

func TestInvalid(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	cases := map[string]struct {
		stream string
		events []store.Event
	}{
		"empty stream": {"", []store.Event{ev("a", "T", "")}},
		"no events":    {"s", nil},
		"no id":        {"s", []store.Event{ev("", "T", "")}},
		"no type":      {"s", []store.Event{ev("a", "", "")}},
		"repeated id":  {"s", []store.Event{ev("a", "T", ""), ev("a", "T", "")}},
		"too early":    {"s", []store.Event{{ID: "a", Type: "T", RecordedAt: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		"data too big": {"s", []store.Event{{ID: "a", Type: "T", Data: make([]byte, store.MaxEventData+1)}}},
	}
	for name, c := range cases {
		if _, err := s.Append(ctx, c.stream, store.AnyVersion, c.events); !errors.Is(err, store.ErrInvalidEvent) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if h, _ := s.Head(ctx); h != 0 {
		t.Fatalf("head %d after invalid appends", h)
	}
}

func TestIdempotentAppend(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	batch := []store.Event{ev("a", "T", "1"), ev("b", "T", "2")}
	first, err := s.Append(ctx, "family-1", store.NoStream, batch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev("c", "T", "3")}); err != nil {
		t.Fatal(err)
	}
	// The same append again, even with a stale expected version: the
	// original result, nothing written.
	again, err := s.Append(ctx, "family-1", store.NoStream, batch)
	if err != nil || again != first {
		t.Fatalf("retry: %+v %v, want %+v", again, err, first)
	}
	if h, _ := s.Head(ctx); h != 3 {
		t.Fatalf("head %d after a retry", h)
	}
	dup := map[string]struct {
		stream string
		events []store.Event
	}{
		"other data":     {"family-1", []store.Event{ev("a", "T", "other")}},
		"other type":     {"family-1", []store.Event{ev("a", "U", "1")}},
		"other stream":   {"family-2", []store.Event{ev("a", "T", "1")}},
		"mixed with new": {"family-1", []store.Event{ev("a", "T", "1"), ev("new", "T", "x")}},
		"other order":    {"family-1", []store.Event{ev("b", "T", "2"), ev("a", "T", "1")}},
	}
	for name, c := range dup {
		if _, err := s.Append(ctx, c.stream, store.AnyVersion, c.events); !errors.Is(err, store.ErrDuplicateEventID) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if h, _ := s.Head(ctx); h != 3 {
		t.Fatalf("head %d after duplicates", h)
	}
	if v, _ := s.StreamVersion(ctx, "family-2"); v != 0 {
		t.Fatal("a refused duplicate created a stream")
	}
}

// TestIdempotencyAcrossReopen checks both ways of finding a stored id: the
// Pebble lookups used while the id set loads, and the id set.
func TestIdempotencyAcrossReopen(t *testing.T) {
	t.Run("id set", func(t *testing.T) { testIdempotencyAcrossReopen(t, testOptions()) })
	t.Run("pebble lookups", func(t *testing.T) { testIdempotencyAcrossReopen(t, pebble.WithoutIDSet(testOptions())) })
}

func testIdempotencyAcrossReopen(t *testing.T, o pebble.Options) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := pebble.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	results := map[int]store.AppendResult{}
	for i := range 300 {
		res, err := s.Append(ctx, fmt.Sprintf("family-%d", i%7), store.AnyVersion, []store.Event{ev(fmt.Sprint("old-", i), "T", fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		results[i] = res
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = pebble.Open(dir, o); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check := func(when string) {
		for _, i := range []int{0, 150, 299} {
			res, err := s.Append(ctx, fmt.Sprintf("family-%d", i%7), store.AnyVersion, []store.Event{ev(fmt.Sprint("old-", i), "T", fmt.Sprint(i))})
			if err != nil || res != results[i] {
				t.Fatalf("%s: retry of append %d: %+v %v, want %+v", when, i, res, err, results[i])
			}
			if _, err := s.Append(ctx, "family-x", store.AnyVersion, []store.Event{ev(fmt.Sprint("old-", i), "T", "other")}); !errors.Is(err, store.ErrDuplicateEventID) {
				t.Fatalf("%s: reuse of id %d: %v", when, i, err)
			}
		}
	}
	check("first")
	s.WaitIDsLoaded()
	check("after the id set load")
	if h, _ := s.Head(ctx); h != 300 {
		t.Fatalf("head %d after retries", h)
	}
}

// TestConcurrentSameID races appends of one event id: retries of the same
// append all get the one result; the same id in different streams is
// stored once and refused for every other stream.
func TestConcurrentSameID(t *testing.T) {
	for name, o := range map[string]pebble.Options{"id set": testOptions(), "pebble lookups": pebble.WithoutIDSet(testOptions())} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := pebble.Open(t.TempDir(), o)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.WaitIDsLoaded()
			const n = 16
			results := make([]store.AppendResult, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					results[i], errs[i] = s.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev("same", "T", "payload")})
				})
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil || results[i] != results[0] {
					t.Fatalf("retry %d: %+v %v, first got %+v", i, results[i], errs[i], results[0])
				}
			}
			for i := range n {
				wg.Go(func() {
					_, errs[i] = s.Append(ctx, fmt.Sprintf("family-%d", 100+i), store.AnyVersion, []store.Event{ev("contested", "T", "payload")})
				})
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, store.ErrDuplicateEventID):
					t.Fatal(err)
				}
			}
			if wins != 1 {
				t.Fatalf("id stored by %d appends", wins)
			}
			if all := readAll(t, s, 0); len(all) != 2 {
				t.Fatalf("%d events stored, want 2", len(all))
			}
			if err := s.CheckIndex(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConcurrentConflict(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	if _, err := s.Append(ctx, "family-1", store.NoStream, []store.Event{ev("seed", "T", "")}); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Append(ctx, "family-1", store.ExactVersion(1), []store.Event{ev(fmt.Sprintf("w-%d", i), "T", "")})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrVersionConflict):
			t.Fatal(err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d appends won at the same version", wins)
	}
	all := readAll(t, s, 0)
	if len(all) != 2 {
		t.Fatalf("%d events stored", len(all))
	}
	checkChains(t, all)
}

func TestConcurrentAppendsAndSubscribe(t *testing.T) {
	t.Run("id set", func(t *testing.T) { testConcurrentAppendsAndSubscribe(t, testOptions()) })
	t.Run("pebble lookups", func(t *testing.T) { testConcurrentAppendsAndSubscribe(t, pebble.WithoutIDSet(testOptions())) })
}

func testConcurrentAppendsAndSubscribe(t *testing.T, o pebble.Options) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := pebble.Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, each = 8, 60
	// Some events before the subscription starts: catch-up, then live.
	for i := range 20 {
		if _, err := s.Append(ctx, "team", store.AnyVersion, []store.Event{ev(fmt.Sprintf("pre-%d", i), "T", "")}); err != nil {
			t.Fatal(err)
		}
	}
	total := 20 + writers*each
	got := make(chan []store.Envelope, 1)
	subErr := make(chan error, 1)
	go func() {
		var seen []store.Envelope
		err := s.Subscribe(ctx, 0, func(e store.Envelope) error {
			seen = append(seen, e)
			if h, _ := s.Head(ctx); e.Position > h {
				return fmt.Errorf("position %d handed over beyond the durable head %d", e.Position, h)
			}
			if len(seen) == total {
				got <- seen
			}
			return nil
		})
		subErr <- err
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				data := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.Append(ctx, fmt.Sprintf("family-%d", w), store.ExactVersion(uint64(i)), []store.Event{ev(data, "T", data)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case seen := <-got:
		checkChains(t, seen)
		if !equalEnvelopes(seen, readAll(t, s, 0)) {
			t.Fatal("subscription and ReadAll differ")
		}
	case err := <-subErr:
		t.Fatalf("subscription ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("subscription did not see every event")
	}
	// Close ends the subscription with ErrClosed.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-subErr:
		if !errors.Is(err, store.ErrClosed) {
			t.Fatalf("subscription ended with %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the subscription")
	}
	if _, err := s.Append(ctx, "team", store.AnyVersion, []store.Event{ev("late", "T", "")}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("append after Close: %v", err)
	}
	if _, err := s.Head(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Head after Close: %v", err)
	}
}

func equalEnvelopes(a, b []store.Envelope) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.Position != y.Position || x.Hash != y.Hash || !bytes.Equal(x.Data, y.Data) || !x.RecordedAt.Equal(y.RecordedAt) {
			return false
		}
	}
	return true
}

func TestSubscribeHandlerErrorAndContext(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for i := range 3 {
		if _, err := s.Append(ctx, "team", store.AnyVersion, []store.Event{ev(fmt.Sprint(i), "T", "")}); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	var positions []uint64
	err := s.Subscribe(ctx, 2, func(e store.Envelope) error {
		positions = append(positions, e.Position)
		if e.Position == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || fmt.Sprint(positions) != "[2 3]" {
		t.Fatalf("err %v, positions %v", err, positions)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.Subscribe(cctx, 4, func(store.Envelope) error { return errors.New("no event expected") }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("subscription on an idle store: %v", err)
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := pebble.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := s.Append(ctx, fmt.Sprintf("family-%d", i%5), store.AnyVersion, []store.Event{ev(fmt.Sprint(i), "T", strings.Repeat("x", i))}); err != nil {
			t.Fatal(err)
		}
	}
	before := readAll(t, s, 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s = openTest(t, dir)
	if !equalEnvelopes(before, readAll(t, s, 0)) {
		t.Fatal("events changed across reopen")
	}
	// Versions and chains continue from the stored state.
	res, err := s.Append(ctx, "family-3", store.ExactVersion(10), []store.Event{ev("after", "T", "")})
	if err != nil || res.Version != 11 || res.LastPosition != 51 {
		t.Fatalf("append after reopen: %+v %v", res, err)
	}
	checkChains(t, readAll(t, s, 0))
	if _, err := pebble.Open(dir, testOptions()); err == nil {
		t.Fatal("a second Open of the same directory succeeded")
	}
}

func TestWALWarmUp(t *testing.T) {
	o := testOptions()
	o.ColdWAL = false
	o.MemTableSize = 2 << 20
	s, err := pebble.Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := s.Metrics()
	if m.WALFilesRecycled < 1 {
		t.Fatalf("after Open, %d WAL files created, %d recycled; want the live one recycled", m.WALFilesCreated, m.WALFilesRecycled)
	}
	// The live WAL file already has the memtable's size.
	var largest int64
	logs, _ := filepath.Glob(filepath.Join(s.Dir(), "*.log"))
	for _, l := range logs {
		if fi, err := os.Stat(l); err == nil && fi.Size() > largest {
			largest = fi.Size()
		}
	}
	if largest < int64(o.MemTableSize) {
		t.Fatalf("largest WAL file has %d bytes, want at least %d", largest, o.MemTableSize)
	}
}

func TestCheckIndexFindsAMissingEntry(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for i := range 10 {
		if _, err := s.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev(fmt.Sprint(i), "T", "")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CheckIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStreamIndexEntry("family-1", 4); err != nil {
		t.Fatal(err)
	}
	err := s.CheckIndex(ctx)
	if !errors.Is(err, pebble.ErrCorrupt) || !strings.Contains(err.Error(), "version 4") {
		t.Fatalf("CheckIndex: %v", err)
	}
	if _, err := readStream(s, "family-1", 0); !errors.Is(err, pebble.ErrCorrupt) {
		t.Fatalf("ReadStream over a missing index entry: %v", err)
	}
}

func TestTamperedData(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for i := range 5 {
		if _, err := s.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev(fmt.Sprint(i), "T", "original")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RewriteData(3, []byte("forged")); err != nil {
		t.Fatal(err)
	}
	all := readAll(t, s, 0)
	if string(all[2].Data) != "forged" {
		t.Fatalf("rewrite did not land: %q", all[2].Data)
	}
	if store.ComputeHash(&all[2], all[2].PrevHash) == all[2].Hash {
		t.Fatal("hash still matches after the rewrite")
	}
	_, err := store.Verify(ctx, s, store.VerifyOptions{})
	var ve *store.VerifyError
	if !errors.Is(err, store.ErrTampered) || !errors.As(err, &ve) {
		t.Fatalf("Verify: %v", err)
	}
	if !strings.Contains(err.Error(), "3") {
		t.Fatalf("Verify does not name position 3: %v", err)
	}
}

func TestCorruptSSTable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := pebble.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if _, err := s.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev(fmt.Sprint(i), "T", strings.Repeat("data", 100))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path, err := pebble.CorruptFile(dir, ".sst")
	if err != nil {
		t.Fatal(err)
	}
	s, err = pebble.Open(dir, testOptions())
	if err != nil {
		// Refusing to open names the file as well.
		if !strings.Contains(err.Error(), strings.TrimSuffix(filepath.Base(path), ".sst")) {
			t.Fatalf("open error does not name %s: %v", path, err)
		}
		return
	}
	defer s.Close()
	var readErr error
	for _, err := range s.ReadAll(ctx, 0) {
		if err != nil {
			readErr = err
		}
	}
	if readErr == nil {
		t.Fatal("a flipped byte in an sstable went unnoticed")
	}
	if !strings.Contains(readErr.Error(), strings.TrimSuffix(filepath.Base(path), ".sst")) {
		t.Fatalf("read error does not name %s: %v", path, readErr)
	}
}

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTest(t, filepath.Join(root, "data"))
	for i := range 100 {
		if _, err := s.Append(ctx, fmt.Sprintf("family-%d", i%3), store.AnyVersion, []store.Event{ev(fmt.Sprint(i), "T", "x")}); err != nil {
			t.Fatal(err)
		}
	}
	// A backup while appends run holds at least what was acknowledged before.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Append(ctx, "team", store.AnyVersion, []store.Event{ev(fmt.Sprint("during-", i), "T", "y")}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	time.Sleep(20 * time.Millisecond)
	acked, _ := s.Head(ctx)
	backup := filepath.Join(root, "backup")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if err := s.Backup(ctx, backup); err == nil {
		t.Fatal("a backup over an existing directory succeeded")
	}
	notEmpty := filepath.Join(root, "busy")
	os.MkdirAll(notEmpty, 0o750)
	os.WriteFile(filepath.Join(notEmpty, "keep"), []byte("x"), 0o640)
	if err := pebble.Restore(backup, notEmpty); err == nil {
		t.Fatal("restore into a non-empty directory succeeded")
	}
	if b, err := os.ReadFile(filepath.Join(notEmpty, "keep")); err != nil || string(b) != "x" {
		t.Fatal("restore touched a non-empty directory")
	}
	restored := filepath.Join(root, "restored")
	if err := pebble.Restore(backup, restored); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, restored)
	got := readAll(t, r, 0)
	if uint64(len(got)) < acked {
		t.Fatalf("restored %d events, %d were acknowledged before the backup", len(got), acked)
	}
	checkChains(t, got)
	if !equalEnvelopes(got, readAll(t, s, 0)[:len(got)]) {
		t.Fatal("restored events differ from the originals")
	}
	if err := r.CheckIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pebble.Restore(filepath.Join(root, "nothing"), filepath.Join(root, "x")); err == nil {
		t.Fatal("restore from a missing backup succeeded")
	}
}

// TestSequencesWalkAgain: a ReadStream or ReadAll sequence longer than one
// read chunk (512 events) yields the same events each time it is walked.
func TestSequencesWalkAgain(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	const n = 1100
	batch := make([]store.Event, 0, 100)
	for i := range n {
		batch = append(batch, ev(fmt.Sprintf("e-%04d", i), "E", `{"public":{}}`))
		if len(batch) == cap(batch) {
			if _, err := s.Append(ctx, "family-long", store.AnyVersion, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	walk := func(seq iter.Seq2[store.Envelope, error]) []store.Envelope {
		var out []store.Envelope
		for e, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		return out
	}
	for name, seq := range map[string]iter.Seq2[store.Envelope, error]{
		"ReadStream": s.ReadStream(ctx, "family-long", 1),
		"ReadAll":    s.ReadAll(ctx, 0),
	} {
		first, second := walk(seq), walk(seq)
		if len(first) != n || !equalEnvelopes(first, second) {
			t.Errorf("%s: first walk %d events, second %d; want %d both times", name, len(first), len(second), n)
		}
	}
}
