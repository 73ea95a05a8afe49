// Package storetest is the conformance suite every Spoor event-store backend
// runs: one Run, one Instance, the same checks for the embedded Pebble
// backend and for KurrentDB. A backend passes when Run passes; what the
// store package's interfaces promise in their doc comments is what this
// suite checks, no more and no less.
//
// # Wiring a backend
//
// A backend's test calls Run with a function that opens a fresh, empty
// backend for the subtest it is given:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Instance {
//			dir := t.TempDir()
//			s, err := pebble.Open(filepath.Join(dir, "log"), opts)
//			if err != nil {
//				t.Fatal(err)
//			}
//			cur := s
//			keys, err := keyfile.Open(filepath.Join(dir, "keys"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { keys.Close() })
//			return storetest.Instance{
//				Store: s,
//				Reopen: func() (store.Store, error) {
//					cur.Close()
//					var err error
//					cur, err = pebble.Open(filepath.Join(dir, "log"), opts)
//					return cur, err
//				},
//				RewriteData:  func(pos uint64, data []byte) error { return cur.RewriteData(pos, data) },
//				CorruptFiles: func() error { ... flip bytes in sstables and WAL files ... },
//				Dir:          dir,
//				Keys:         keys,
//				Now:          opts.Clock,
//			}
//		})
//	}
//
// Store and Reopen are required; RewriteData is required wherever the
// storage can be reached (nil only for a real KurrentDB server); CorruptFiles,
// Dir, Keys, KeysDir and Now are optional (see Instance). A nil optional field
// skips the subtests that need it, saying why. The Store must be empty: every
// subtest counts what it reads. Run closes the current Store at the end of
// every subtest, before the opener's own cleanups run.
//
// # What each subtest checks
//
// Every subtest gets a fresh Instance and a 60 s deadline, and asserts
// outcomes (what is stored, what is returned), never only "no error".
//
//   - RoundTrip: all envelope fields come back exactly, through ReadStream
//     and ReadAll: binary data with zero bytes, empty and nil data, data of
//     exactly store.MaxEventData bytes, RecordedAt given in another zone
//     returned in UTC to the nanosecond, empty actor and correlation id;
//     AppendResult matches the stored positions; the store copies the
//     caller's data and hands out copies.
//   - RecordedAtStamped: a zero RecordedAt is stamped by the backend's clock
//     (Instance.Now, within 5 s), in UTC, and covered by the hash.
//   - ExpectedVersion: NoStream, ExactVersion (0 included), StreamExists and
//     AnyVersion against missing and existing streams; a conflict wraps
//     store.ErrVersionConflict and writes nothing, and the refused event's id
//     is not remembered.
//   - ConcurrentAppendSameVersion: 16 goroutines append at the same expected
//     version, four rounds: exactly one wins each round, the rest get
//     ErrVersionConflict, the stream holds the winner's event.
//   - Idempotency: a retry of the same ids returns the first AppendResult,
//     whatever it expects and after later appends, writing nothing; the same
//     id with other data or type, in another stream, or mixed with new ids is
//     store.ErrDuplicateEventID and writes nothing.
//   - InvalidAppend: each malformed request store.ValidateAppend describes
//     is store.ErrInvalidEvent, and nothing is written, not even the valid
//     events of the request.
//   - ReadStream: reading from every version, past the end, breaking early;
//     an unknown stream yields exactly one store.ErrStreamNotFound;
//     StreamVersion and Head.
//   - ReadAllFrom: empty store; from 0, from every position, between
//     positions and past the head: exactly the events at or after it.
//   - PositionsUnderConcurrentAppends: 8 writers on their own streams,
//     single events and batches: positions strictly increase, AppendResults
//     point at their events, versions have no gaps, Head is the last.
//   - HashChain: 4 writers append with AnyVersion to the same 2 streams;
//     every PrevHash is the previous Hash of its stream, every Hash is
//     store.ComputeHash, ReadStream agrees with ReadAll.
//   - SubscribeCatchUpToLive: two subscriptions (from 0 and from the middle)
//     start while 4 writers append; each delivers every event exactly once,
//     in position order, identical to ReadAll afterwards, and five later
//     appends arrive live; cancelling returns context.Canceled.
//   - SubscribeEnds: cancel while waiting live returns context.Canceled; a
//     handler error is returned (errors.Is) after exactly the events handled;
//     a subscription from past the head delivers only what comes later.
//   - Closed: Close ends a live subscription with store.ErrClosed, Append
//     after Close is store.ErrClosed, a second Close is nil or ErrClosed.
//   - ReopenKeepsEverything: after Reopen, everything reads back identical;
//     Head and versions unchanged; a pre-reopen retry still returns its
//     original result; a stale expected version conflicts; appends continue
//     the chains; a second Reopen keeps that; Verify passes.
//   - VerifyAndCheckpoints: store.Verify on an empty and a filled store
//     (events, streams, Merkle root); store.Checkpointer.Sign twice: the
//     notes are stored in store.CheckpointStream, verify under their key,
//     fail under another key (a *store.VerifyError naming the checkpoint),
//     and a new Checkpointer after Reopen signs the whole log again.
//   - TamperRewriteData: Instance.RewriteData on the first event of a
//     stream, one in the middle, a checkpoint and the last event (same and
//     other length): after Reopen, ReadAll returns the rewritten bytes and
//     Verify returns a *store.VerifyError naming exactly that event's
//     stream, version and position (a hash mismatch); restoring the bytes
//     makes Verify pass. Skipped when RewriteData is nil.
//   - CorruptFiles: after Instance.CorruptFiles, Reopen, ReadAll or Verify
//     fails (the error is logged). Skipped when CorruptFiles is nil.
//   - Shredding: events sealed with store.Sealer over Instance.Keys for two
//     families; personal data is never in the clear in any file under Dir
//     or KeysDir; after destroying family A's key its sealed parts open as
//     Erased with the public part intact, family B's still open, the stored
//     bytes and Verify are unaffected, and no file holds A's wrapped key
//     while B's is still found; all of it again after Reopen. Skipped when
//     Keys is nil.
//
// # Speed
//
// The suite appends about 850 events in some 450 appends (each a durable
// commit, 64 of them contended) and reopens the store about a dozen times.
// Against the Pebble backend it ran in 0.5 s on the development machine's
// disk; budget a few seconds on slow disks.
//
// The suite's own logic is checked by tests in this package that run it
// against a small in-memory store (a test fixture, not a backend): the
// correct fixture passes, and fixtures with one planted bug each (no
// idempotency, ignored expected versions, broken chains, local-time stamps,
// duplicated subscription events, a silent Close, a gap in ReadAll) fail
// the subtest that guards that promise.
package storetest
