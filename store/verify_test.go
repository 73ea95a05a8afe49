package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"spoor/store"
	"spoor/store/storetest"
)

// fixtureLog is a test fixture for the verifier's logic: an in-memory log of
// hand-built envelopes with the Reader contract and a minimal Append (no
// idempotency), so tests can corrupt any field of any stored envelope. The
// real backends run Verify through store/storetest.
type fixtureLog struct {
	mu   sync.Mutex
	envs []store.Envelope
	step uint64 // distance between positions; > 1 makes them sparse
	// head, if not zero, overrides the head the log reports.
	head uint64
	// signerForTest is the key the fixture's checkpoints were signed with.
	signerForTest note.Signer
}

func (l *fixtureLog) Append(_ context.Context, stream string, expected store.ExpectedVersion, events []store.Event) (store.AppendResult, error) {
	if err := store.ValidateAppend(stream, expected, events); err != nil {
		return store.AppendResult{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var version uint64
	var prev store.Hash
	for _, e := range l.envs {
		if e.Stream == stream {
			version, prev = e.Version, e.Hash
		}
	}
	if !expected.Allows(version) {
		return store.AppendResult{}, fmt.Errorf("stream %s at %d, want %s: %w", stream, version, expected, store.ErrVersionConflict)
	}
	var res store.AppendResult
	pos := uint64(0)
	if n := len(l.envs); n > 0 {
		pos = l.envs[n-1].Position
	}
	for i, ev := range events {
		pos += l.step
		version++
		env := store.Envelope{ID: ev.ID, Type: ev.Type, Stream: stream, Version: version, Position: pos,
			RecordedAt: ev.RecordedAt.UTC(), Actor: ev.Actor, CorrelationID: ev.CorrelationID,
			Data: append([]byte(nil), ev.Data...), PrevHash: prev}
		env.Hash = store.ComputeHash(&env, prev)
		prev = env.Hash
		l.envs = append(l.envs, env)
		if i == 0 {
			res.FirstPosition = pos
		}
		res.LastPosition, res.Version = pos, version
	}
	return res, nil
}

func (l *fixtureLog) snapshot() []store.Envelope {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]store.Envelope(nil), l.envs...)
}

func (l *fixtureLog) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		found := false
		for _, e := range l.snapshot() {
			if e.Stream != stream {
				continue
			}
			found = true
			if e.Version >= from && !yield(e, nil) {
				return
			}
		}
		if !found {
			yield(store.Envelope{}, fmt.Errorf("stream %s: %w", stream, store.ErrStreamNotFound))
		}
	}
}

func (l *fixtureLog) ReadAll(ctx context.Context, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		for _, e := range l.snapshot() {
			if err := ctx.Err(); err != nil {
				yield(store.Envelope{}, err)
				return
			}
			if e.Position >= from && !yield(e, nil) {
				return
			}
		}
	}
}

func (l *fixtureLog) StreamVersion(_ context.Context, stream string) (uint64, error) {
	var v uint64
	for _, e := range l.snapshot() {
		if e.Stream == stream {
			v = e.Version
		}
	}
	return v, nil
}

func (l *fixtureLog) Head(context.Context) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.head != 0 {
		return l.head, nil
	}
	if len(l.envs) == 0 {
		return 0, nil
	}
	return l.envs[len(l.envs)-1].Position, nil
}

// find returns the index of the event of stream at version.
func (l *fixtureLog) find(t *testing.T, stream string, version uint64) int {
	t.Helper()
	for i, e := range l.envs {
		if e.Stream == stream && e.Version == version {
			return i
		}
	}
	t.Fatalf("fixture has no %s@%d", stream, version)
	return -1
}

// rehashFrom recomputes Hash and PrevHash of stream's events from index i on,
// as a forger who rewrites a whole chain would.
func (l *fixtureLog) rehashFrom(stream string, i int) {
	var prev store.Hash
	if i > 0 {
		for j := i - 1; j >= 0; j-- {
			if l.envs[j].Stream == stream {
				prev = l.envs[j].Hash
				break
			}
		}
	}
	for ; i < len(l.envs); i++ {
		if l.envs[i].Stream != stream {
			continue
		}
		l.envs[i].PrevHash = prev
		l.envs[i].Hash = store.ComputeHash(&l.envs[i], prev)
		prev = l.envs[i].Hash
	}
}

const secretMarker = "SECRET-NAME-Janssens"

var fixtureStart = time.Date(2026, 3, 31, 9, 30, 0, 123456789, time.UTC)

func appendN(t *testing.T, l *fixtureLog, stream string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		ev := store.Event{
			ID: fmt.Sprintf("%s-%d-%d", stream, len(l.envs), i), Type: "ContactLogged",
			Actor:         store.Actor{UserID: "coach-1", Role: "coach"},
			CorrelationID: "corr-" + stream,
			RecordedAt:    fixtureStart.Add(time.Duration(len(l.envs)) * time.Second),
			Data:          []byte(fmt.Sprintf(`{"public":{"n":%d},"note":"%s"}`, i, secretMarker)),
		}
		if _, err := l.Append(context.Background(), stream, store.AnyVersion, []store.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
}

func fixedClock() time.Time { return fixtureStart.Add(time.Hour) }

// buildFixture makes a valid log with two families, an access stream, a
// checkpoint in the middle and one at the end, with sparse positions:
//
//	family-a@1 family-b@1 family-a@2 access-a@1 family-a@3 checkpoints@1
//	family-b@2 family-a@4 family-b@3 checkpoints@2
func buildFixture(t *testing.T, key storetest.CheckpointKey) *fixtureLog {
	t.Helper()
	l := &fixtureLog{step: 7}
	cp, err := store.NewCheckpointer(key.Signer, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	appendN(t, l, "family-a", 1)
	appendN(t, l, "family-b", 1)
	appendN(t, l, "family-a", 1)
	appendN(t, l, "access-a", 1)
	appendN(t, l, "family-a", 1)
	if _, err := cp.Sign(ctx, l); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, "family-b", 1)
	appendN(t, l, "family-a", 1)
	appendN(t, l, "family-b", 1)
	if _, err := cp.Sign(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestVerifyCleanLog(t *testing.T) {
	key := storetest.NewCheckpointKey(t, "spoor-test")
	l := buildFixture(t, key)
	rep, err := store.Verify(context.Background(), l, store.VerifyOptions{Verifiers: key.Verifiers})
	if err != nil {
		t.Fatalf("Verify on a valid log: %v", err)
	}
	var tree store.Tree
	for _, e := range l.envs {
		tree.Append(e.Hash)
	}
	want := store.VerifyReport{Events: 10, Streams: 4, Head: l.envs[9].Position, Checkpoints: 2, CheckpointsVerified: 2,
		TreeSize: 10, Root: tree.Root()}
	got := rep
	got.LastCheckpoint = store.Checkpoint{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("report %+v, want %+v", got, want)
	}
	last := rep.LastCheckpoint
	if last.TreeSize != 9 || last.Position != l.envs[9].Position || !last.SignedAt.Equal(fixedClock()) {
		t.Fatalf("last checkpoint size %d position %d signed %v; want 9, %d, %v", last.TreeSize, last.Position, last.SignedAt, l.envs[9].Position, fixedClock())
	}

	// Without verifiers the checkpoints are still checked against the tree
	// but counted as unverified.
	rep, err = store.Verify(context.Background(), l, store.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checkpoints != 2 || rep.CheckpointsVerified != 0 {
		t.Fatalf("without verifiers: %d checkpoints, %d verified; want 2, 0", rep.Checkpoints, rep.CheckpointsVerified)
	}
}

func TestVerifyEmptyLog(t *testing.T) {
	rep, err := store.Verify(context.Background(), &fixtureLog{step: 1}, store.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 0 || rep.TreeSize != 0 || rep.Root != (&store.Tree{}).Root() {
		t.Fatalf("empty log report %+v", rep)
	}
}

// signNote signs a checkpoint note for tree head th as the Checkpointer does.
func signNote(t *testing.T, th tlog.Tree, signer note.Signer) []byte {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(th)) + "time 2026-03-31T10:00:00Z\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func appendCheckpoint(t *testing.T, l *fixtureLog, msg []byte) {
	t.Helper()
	_, err := l.Append(context.Background(), store.CheckpointStream, store.AnyVersion, []store.Event{{
		ID: fmt.Sprintf("cp-%d", len(l.envs)), Type: store.CheckpointEventType,
		Actor: store.Actor{UserID: "system", Role: "system"}, RecordedAt: fixtureStart, Data: msg}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyCheckpointOfEarlierSize(t *testing.T) {
	// A checkpoint whose event lands after other events (appends raced the
	// signer) claims a size smaller than its leaf index.
	key := storetest.NewCheckpointKey(t, "spoor-test")
	l := &fixtureLog{step: 3}
	appendN(t, l, "family-a", 5)
	var tree store.Tree
	for _, e := range l.envs[:2] {
		tree.Append(e.Hash)
	}
	early := tree.Head()
	appendCheckpoint(t, l, signNote(t, early, key.Signer))
	appendCheckpoint(t, l, signNote(t, tlog.Tree{N: 0, Hash: (&store.Tree{}).Root()}, key.Signer))
	rep, err := store.Verify(context.Background(), l, store.VerifyOptions{Verifiers: key.Verifiers})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checkpoints != 2 || rep.CheckpointsVerified != 2 || rep.LastCheckpoint.TreeSize != 0 {
		t.Fatalf("report %+v", rep)
	}

	// The same size with a root from other leaves does not verify.
	var other store.Tree
	other.Append(l.envs[0].Hash)
	other.Append(l.envs[2].Hash)
	appendCheckpoint(t, l, signNote(t, tlog.Tree{N: 2, Hash: other.Root()}, key.Signer))
	_, err = store.Verify(context.Background(), l, store.VerifyOptions{Verifiers: key.Verifiers})
	ve := wantVerifyError(t, err, store.CheckpointStream, 3, l.envs[7].Position)
	if !strings.Contains(ve.What, "checkpoint root mismatch at tree size 2") {
		t.Fatalf("What = %q", ve.What)
	}
}

func wantVerifyError(t *testing.T, err error, stream string, version, position uint64) *store.VerifyError {
	t.Helper()
	if err == nil {
		t.Fatal("Verify passed a tampered log")
	}
	if !errors.Is(err, store.ErrTampered) {
		t.Fatalf("error %v does not wrap ErrTampered", err)
	}
	var ve *store.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *VerifyError", err)
	}
	if ve.Stream != stream || ve.Version != version || ve.Position != position {
		t.Fatalf("VerifyError names %s@%d position %d, want %s@%d position %d (%v)", ve.Stream, ve.Version, ve.Position, stream, version, position, err)
	}
	msg := err.Error()
	for _, part := range []string{stream, fmt.Sprint(version), fmt.Sprint(position), ve.What} {
		if !strings.Contains(msg, part) {
			t.Fatalf("message %q does not name %q", msg, part)
		}
	}
	if strings.Contains(msg, secretMarker) {
		t.Fatalf("message %q leaks event data", msg)
	}
	return ve
}

func TestVerifyDetectsTampering(t *testing.T) {
	other := storetest.NewCheckpointKey(t, "spoor-test") // same name, other key
	tests := []struct {
		name    string
		corrupt func(t *testing.T, l *fixtureLog) (stream string, version uint64, index int)
		what    string
	}{
		{"data", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 2)
			l.envs[i].Data = append([]byte(nil), l.envs[i].Data...)
			l.envs[i].Data[0] = ' '
			return "family-a", 2, i
		}, "hash mismatch"},
		{"data emptied", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-b", 1)
			l.envs[i].Data = nil
			return "family-b", 1, i
		}, "hash mismatch"},
		{"type", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 3)
			l.envs[i].Type = "ConsentGiven"
			return "family-a", 3, i
		}, "hash mismatch"},
		{"id", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "access-a", 1)
			l.envs[i].ID = "other-id"
			return "access-a", 1, i
		}, "hash mismatch"},
		{"recorded at by one nanosecond", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-b", 2)
			l.envs[i].RecordedAt = l.envs[i].RecordedAt.Add(time.Nanosecond)
			return "family-b", 2, i
		}, "hash mismatch"},
		{"actor role", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 4)
			l.envs[i].Actor.Role = "admin"
			return "family-a", 4, i
		}, "hash mismatch"},
		{"actor user", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 1)
			l.envs[i].Actor.UserID = "coach-2"
			return "family-a", 1, i
		}, "hash mismatch"},
		{"correlation id", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-b", 3)
			l.envs[i].CorrelationID = ""
			return "family-b", 3, i
		}, "hash mismatch"},
		{"stored hash", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 2)
			l.envs[i].Hash[31] ^= 1
			return "family-a", 2, i
		}, "hash mismatch: recomputed"},
		{"prev hash", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 3)
			l.envs[i].PrevHash[0] ^= 1
			return "family-a", 3, i
		}, "broken link"},
		{"prev hash of version 1", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-b", 1)
			l.envs[i].PrevHash[0] = 1
			return "family-b", 1, i
		}, "broken link"},
		{"one event rehashed: the next link breaks", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 2)
			l.envs[i].Data = []byte("{}")
			l.envs[i].Hash = store.ComputeHash(&l.envs[i], l.envs[i].PrevHash)
			return "family-a", 3, l.find(t, "family-a", 3)
		}, "broken link"},
		{"event removed", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 2)
			l.envs = append(l.envs[:i:i], l.envs[i+1:]...)
			return "family-a", 3, l.find(t, "family-a", 3)
		}, "version gap"},
		{"version renumbered and rehashed", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-b", 2)
			l.envs[i].Version = 5
			l.rehashFrom("family-b", i)
			return "family-b", 5, i
		}, "version gap"},
		{"positions swapped", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "access-a", 1)
			l.envs[i].Position, l.envs[i-1].Position = l.envs[i-1].Position, l.envs[i].Position
			return "access-a", 1, i
		}, "does not follow"},
		{"whole stream rewritten: the checkpoint catches it", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, "family-a", 1)
			l.envs[i].Data = []byte(`{"public":{"n":0},"note":"forged"}`)
			l.rehashFrom("family-a", i)
			return store.CheckpointStream, 1, l.find(t, store.CheckpointStream, 1)
		}, "checkpoint root mismatch at tree size 5"},
		{"checkpoint signed by another key", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, store.CheckpointStream, 2)
			var tree store.Tree
			for _, e := range l.envs[:9] {
				tree.Append(e.Hash)
			}
			l.envs[i].Data = signNote(t, tree.Head(), other.Signer)
			l.rehashFrom(store.CheckpointStream, i)
			return store.CheckpointStream, 2, i
		}, "bad signature"},
		{"checkpoint signature bytes", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, store.CheckpointStream, 1)
			text, sigLine, _ := strings.Cut(string(l.envs[i].Data), "\n\n")
			cut := strings.LastIndex(sigLine, " ")
			sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(sigLine[cut+1:], "\n"))
			if err != nil {
				t.Fatal(err)
			}
			sig[len(sig)-1] ^= 1
			d := []byte(text + "\n\n" + sigLine[:cut+1] + base64.StdEncoding.EncodeToString(sig) + "\n")
			l.envs[i].Data = d
			l.rehashFrom(store.CheckpointStream, i)
			return store.CheckpointStream, 1, i
		}, "bad signature"},
		{"checkpoint claims a future size", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, store.CheckpointStream, 1)
			var tree store.Tree
			for _, e := range l.envs[:7] {
				tree.Append(e.Hash)
			}
			l.envs[i].Data = signNote(t, tree.Head(), l.signerForTest)
			l.rehashFrom(store.CheckpointStream, i)
			return store.CheckpointStream, 1, i
		}, "claims tree size 7, but only 5 events precede it"},
		{"other event type in the checkpoint stream", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, store.CheckpointStream, 1)
			l.envs[i].Type = "ContactLogged"
			l.rehashFrom(store.CheckpointStream, i)
			return store.CheckpointStream, 1, i
		}, "event of type"},
		{"checkpoint data not a note", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			i := l.find(t, store.CheckpointStream, 1)
			l.envs[i].Data = []byte("go.sum database tree\n5\n")
			l.rehashFrom(store.CheckpointStream, i)
			return store.CheckpointStream, 1, i
		}, "bad signature"},
		{"last event dropped", func(t *testing.T, l *fixtureLog) (string, uint64, int) {
			l.head = l.envs[len(l.envs)-1].Position
			l.envs = l.envs[:len(l.envs)-1]
			return "", 0, -1
		}, "ends at position"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := storetest.NewCheckpointKey(t, "spoor-test")
			l := buildFixture(t, key)
			l.signerForTest = key.Signer
			stream, version, i := tc.corrupt(t, l)
			pos := l.head
			if i >= 0 {
				pos = l.envs[i].Position
			}
			rep, err := store.Verify(context.Background(), l, store.VerifyOptions{Verifiers: key.Verifiers})
			ve := wantVerifyError(t, err, stream, version, pos)
			if !strings.Contains(ve.What, tc.what) {
				t.Fatalf("What = %q, want it to contain %q", ve.What, tc.what)
			}
			checked := i
			if i < 0 {
				checked = len(l.envs)
			}
			if rep.Events != uint64(checked) || rep.TreeSize != int64(checked) {
				t.Fatalf("partial report: %d events, tree size %d; want the %d events before the problem", rep.Events, rep.TreeSize, checked)
			}
		})
	}
}

func TestVerifyWithoutVerifiersStillChecksTheTree(t *testing.T) {
	key := storetest.NewCheckpointKey(t, "spoor-test")
	l := buildFixture(t, key)
	i := l.find(t, "family-a", 1)
	l.envs[i].Data = []byte(`{"public":{"n":0}}`)
	l.rehashFrom("family-a", i)
	_, err := store.Verify(context.Background(), l, store.VerifyOptions{})
	ve := wantVerifyError(t, err, store.CheckpointStream, 1, l.envs[l.find(t, store.CheckpointStream, 1)].Position)
	if !strings.Contains(ve.What, "root mismatch") {
		t.Fatalf("What = %q", ve.What)
	}
}

func TestVerifyProgressAndCancel(t *testing.T) {
	l := &fixtureLog{step: 1}
	const n = 2*store.ProgressEvery + 17
	var prev store.Hash
	for i := uint64(1); i <= n; i++ {
		env := store.Envelope{ID: fmt.Sprint(i), Type: "T", Stream: "s", Version: i, Position: i, RecordedAt: fixtureStart, PrevHash: prev}
		env.Hash = store.ComputeHash(&env, prev)
		prev = env.Hash
		l.envs = append(l.envs, env)
	}
	var calls []uint64
	rep, err := store.Verify(context.Background(), l, store.VerifyOptions{Progress: func(done uint64) { calls = append(calls, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != n || len(calls) != 2 || calls[0] != store.ProgressEvery || calls[1] != 2*store.ProgressEvery {
		t.Fatalf("events %d, progress calls %v", rep.Events, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = store.Verify(ctx, l, store.VerifyOptions{Progress: func(uint64) { cancel() }})
	if !errors.Is(err, context.Canceled) || errors.Is(err, store.ErrTampered) {
		t.Fatalf("Verify after cancel: %v, want context.Canceled and not ErrTampered", err)
	}
}

func TestVerifyErrorMessage(t *testing.T) {
	err := &store.VerifyError{Stream: "family-7", Version: 3, Position: 42, What: "hash mismatch: recomputed ab, stored cd"}
	want := `ledger does not verify: stream "family-7" version 3 position 42: hash mismatch: recomputed ab, stored cd`
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
	if !errors.Is(err, store.ErrTampered) {
		t.Fatal("VerifyError does not unwrap to ErrTampered")
	}
}

func BenchmarkVerify(b *testing.B) {
	l := &fixtureLog{step: 1}
	const n = 100_000
	prev := map[string]store.Hash{}
	data := []byte(strings.Repeat("x", 400))
	for i := uint64(1); i <= n; i++ {
		stream := fmt.Sprintf("family-%d", i%1000)
		env := store.Envelope{ID: fmt.Sprint(i), Type: "ContactLogged", Stream: stream, Version: (i-1)/1000 + 1, Position: i,
			RecordedAt: fixtureStart, Actor: store.Actor{UserID: "coach-1", Role: "coach"}, Data: data, PrevHash: prev[stream]}
		env.Hash = store.ComputeHash(&env, env.PrevHash)
		prev[stream] = env.Hash
		l.envs = append(l.envs, env)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := store.Verify(context.Background(), l, store.VerifyOptions{})
		if err != nil || rep.Events != n {
			b.Fatal(rep, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
