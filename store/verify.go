package store

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions configure Verify. The zero value checks everything except
// checkpoint signatures.
type VerifyOptions struct {
	// Verifiers are the keys checkpoints must be signed with (see
	// note.VerifierList and note.NewVerifier). With Verifiers set, a
	// checkpoint that is not validly signed by one of them fails Verify.
	// With nil, checkpoint signatures are not checked: checkpoints are still
	// checked against the tree, and counted in VerifyReport.Checkpoints but
	// not in CheckpointsVerified.
	Verifiers note.Verifiers

	// Progress, if not nil, is called with the number of events checked so
	// far after every 100,000 events, on Verify's goroutine.
	Progress func(done uint64)
}

// ProgressEvery is how many events Verify checks between Progress calls.
const ProgressEvery = 100_000

// VerifyReport is what Verify checked.
type VerifyReport struct {
	Events              uint64    // events checked (= TreeSize)
	Streams             int       // distinct streams, CheckpointStream included
	Head                uint64    // position of the last event checked, 0 if none
	Checkpoints         int       // checkpoint events whose tree head matched
	CheckpointsVerified int       // of those, how many had a valid signature by opts.Verifiers
	TreeSize            int64     // leaves in the Merkle tree over the global order
	Root                tlog.Hash // its root
	// LastCheckpoint is the last checkpoint found (zero if none).
	LastCheckpoint Checkpoint
}

// VerifyError names the first event that does not verify. Its Unwrap returns
// ErrTampered. What says what differs (recomputed versus stored hash, a broken
// link, a version gap, a checkpoint mismatch or bad signature); it never holds
// event data. For a problem that is not at one event (the global order ends
// before the store's head), Stream is empty and Version is 0.
type VerifyError struct {
	Stream   string
	Version  uint64
	Position uint64
	What     string
}

// Error names the stream, version and position and what differs.
func (e *VerifyError) Error() string {
	return fmt.Sprintf("%s: stream %q version %d position %d: %s", ErrTampered, e.Stream, e.Version, e.Position, e.What)
}

// Unwrap returns ErrTampered.
func (e *VerifyError) Unwrap() error { return ErrTampered }

// streamTip is what Verify remembers of a stream: its last version and hash.
type streamTip struct {
	version uint64
	hash    Hash
}

// Verify recomputes the integrity of everything in r up to its head (taken
// when Verify starts; later appends are not checked) and returns the first
// problem in global order as a *VerifyError (errors.Is(err, ErrTampered)).
// For every event, in ReadAll order, it checks that
//
//   - its position is greater than the previous event's;
//   - its version is the stream's previous version plus one (1 for the first);
//   - its PrevHash is the Hash of the stream's previous event (zero for
//     version 1);
//   - its Hash equals ComputeHash over its stored content and that PrevHash;
//   - if it is in CheckpointStream: it is a CheckpointEventType event whose
//     data is a signed note (with a valid signature by opts.Verifiers, if
//     set) holding a tree size N no larger than the number of events before
//     it, and a root equal to the root of the Merkle tree over the first N
//     events.
//
// and finally that the last event checked is at the head position.
//
// Verify reads in two passes: first the (small) checkpoint stream, to learn
// which tree sizes checkpoints claim, then ReadAll once, streaming, keeping
// per stream only its last version and hash, the compact Merkle tree, and the
// roots at the claimed sizes as the tree passes them. A checkpoint's size is
// always smaller than its own leaf index, so the root it claims is known by
// the time its event is reached. Memory is O(streams + checkpoints + log n).
//
// Errors that are not tampering (reading fails, ctx done) are returned
// wrapped, not as a *VerifyError: an engine's checksum error surfaces this way.
// With an error, the report describes the events checked before the problem,
// all of which verified.
func Verify(ctx context.Context, r Reader, opts VerifyOptions) (rep VerifyReport, err error) {
	var (
		tree Tree
		tips = map[string]streamTip{}
		last uint64
	)
	defer func() {
		rep.Streams = len(tips)
		rep.Head = last
		rep.TreeSize = tree.Size()
		rep.Root = tree.Root()
	}()
	head, err := r.Head(ctx)
	if err != nil {
		return rep, fmt.Errorf("verify: read head: %w", err)
	}
	if head == 0 {
		return rep, nil
	}

	// Pass 1: the tree sizes checkpoints claim. Malformed data is skipped
	// here; pass 2 reports it at its event.
	claimed := map[int64]bool{}
	for env, err := range r.ReadStream(ctx, CheckpointStream, 1) {
		if errors.Is(err, ErrStreamNotFound) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("verify: read stream %s: %w", CheckpointStream, err)
		}
		if env.Position > head {
			break
		}
		if n, ok := checkpointTreeSize(env.Data); ok {
			claimed[n] = true
		}
	}

	// Pass 2: the global order.
	roots := make(map[int64]tlog.Hash, len(claimed))
	if claimed[0] {
		roots[0] = tree.Root()
	}
	for env, err := range r.ReadAll(ctx, 0) {
		if err != nil {
			return rep, fmt.Errorf("verify: read global order after position %d: %w", last, err)
		}
		if env.Position > head {
			break
		}
		if env.Position == 0 || env.Position <= last {
			return rep, eventError(&env, "position %d does not follow position %d", env.Position, last)
		}
		tip := tips[env.Stream]
		if env.Version != tip.version+1 {
			return rep, eventError(&env, "version gap: the stream's previous event has version %d", tip.version)
		}
		if env.PrevHash != tip.hash {
			return rep, eventError(&env, "broken link: previous hash %s, but the stream's version %d has hash %s", env.PrevHash, tip.version, tip.hash)
		}
		if got := ComputeHash(&env, tip.hash); got != env.Hash {
			return rep, eventError(&env, "hash mismatch: recomputed %s, stored %s", got, env.Hash)
		}
		if env.Stream == CheckpointStream {
			cp, signed, err := checkCheckpoint(&env, &tree, roots, opts.Verifiers)
			if err != nil {
				return rep, err
			}
			rep.Checkpoints++
			if signed {
				rep.CheckpointsVerified++
			}
			rep.LastCheckpoint = cp
		}

		tree.Append(env.Hash)
		if claimed[tree.Size()] {
			roots[tree.Size()] = tree.Root()
		}
		tips[env.Stream] = streamTip{version: env.Version, hash: env.Hash}
		last = env.Position
		rep.Events++
		if opts.Progress != nil && rep.Events%ProgressEvery == 0 {
			opts.Progress(rep.Events)
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if last != head {
		return rep, &VerifyError{Position: head, What: fmt.Sprintf("the global order ends at position %d, but the store's head is position %d", last, head)}
	}
	return rep, nil
}

// eventError is a *VerifyError naming env.
func eventError(env *Envelope, format string, args ...any) error {
	return &VerifyError{Stream: env.Stream, Version: env.Version, Position: env.Position, What: fmt.Sprintf(format, args...)}
}

// checkCheckpoint checks the checkpoint event env against the tree built from
// the events before it and the roots remembered at claimed sizes.
func checkCheckpoint(env *Envelope, tree *Tree, roots map[int64]tlog.Hash, verifiers note.Verifiers) (Checkpoint, bool, error) {
	fail := func(format string, args ...any) error { return eventError(env, format, args...) }
	if env.Type != CheckpointEventType {
		return Checkpoint{}, false, fail("event of type %q in the checkpoint stream", env.Type)
	}
	th, at, signed, problem := openCheckpoint(env.Data, verifiers)
	if problem != nil {
		return Checkpoint{}, false, fail("%s", problem.what)
	}
	if th.N > tree.Size() {
		return Checkpoint{}, false, fail("checkpoint claims tree size %d, but only %d events precede it", th.N, tree.Size())
	}
	want, ok := roots[th.N]
	if !ok {
		if th.N != tree.Size() {
			return Checkpoint{}, false, fail("checkpoint at tree size %d is missing from stream %s as read before", th.N, CheckpointStream)
		}
		want = tree.Root()
	}
	if th.Hash != want {
		return Checkpoint{}, false, fail("checkpoint root mismatch at tree size %d: signed %s, recomputed %s", th.N, th.Hash, want)
	}
	return Checkpoint{TreeSize: th.N, Root: th.Hash, SignedAt: at, Note: env.Data, Position: env.Position}, signed, nil
}
