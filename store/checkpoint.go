package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// CheckpointStream is the stream that holds signed checkpoints. It is
// reserved: Verify treats every event in it as a checkpoint.
const CheckpointStream = "checkpoints"

// CheckpointEventType is the type of a checkpoint event.
const CheckpointEventType = "CheckpointSigned"

// checkpointTimePrefix starts the timestamp line of a checkpoint note.
const checkpointTimePrefix = "time "

// Checkpoint is a signed head of the Merkle tree over the global order.
type Checkpoint struct {
	// TreeSize is the number of events (leaves) the checkpoint covers: the
	// first TreeSize events in ReadAll order.
	TreeSize int64
	// Root is the RFC 6962 root over those events (see Tree).
	Root tlog.Hash
	// SignedAt is when the checkpoint was signed, from the note's time line
	// (UTC; zero if the note has none).
	SignedAt time.Time
	// Note is the signed note as stored in the checkpoint event's data:
	// tlog.FormatTree's three lines, a "time <RFC 3339, UTC>" line, a blank
	// line and the Ed25519 signature line(s) of golang.org/x/mod/sumdb/note.
	Note []byte
	// Position is the global position of the checkpoint event itself. The
	// event is a leaf of later trees, never of its own (TreeSize < its leaf
	// index + 1).
	Position uint64
}

// GenerateCheckpointKey returns a new Ed25519 key pair for signing
// checkpoints, in the text forms of golang.org/x/mod/sumdb/note: signerKey
// ("PRIVATE+KEY+<name>+...") for note.NewSigner, to be kept secret outside the
// data directory, and verifierKey ("<name>+<hash>+<key>") for
// note.NewVerifier, to be published. name identifies the key (for instance the
// team's host name); it must be a valid note key name (no spaces or '+').
// rand is normally crypto/rand.Reader.
func GenerateCheckpointKey(rand io.Reader, name string) (signerKey, verifierKey string, err error) {
	signerKey, verifierKey, err = note.GenerateKey(rand, name)
	if err != nil {
		return "", "", fmt.Errorf("generate checkpoint key %q: %w", name, err)
	}
	// note.GenerateKey does not check the name; the keys would not parse.
	if _, err := note.NewSigner(signerKey); err != nil {
		return "", "", fmt.Errorf("generate checkpoint key: name %q is not a valid key name (no spaces or '+'): %w", name, err)
	}
	if _, err := note.NewVerifier(verifierKey); err != nil {
		return "", "", fmt.Errorf("generate checkpoint key: name %q is not a valid key name (no spaces or '+'): %w", name, err)
	}
	return signerKey, verifierKey, nil
}

// ReadAppender is what a Checkpointer needs of a store: it reads the global
// order and appends the checkpoint event. Every Store is one.
type ReadAppender interface {
	Reader
	Appender
}

// Checkpointer signs checkpoints of one store. It keeps the Merkle tree over
// the events it has read so far in memory (O(log n), see Tree) and, on each
// Sign, reads only the events appended since its last Sign. A new Checkpointer
// reads the whole log on its first Sign.
//
// Use one Checkpointer per store: the tree it keeps belongs to the store it
// first signed. Sign is safe for concurrent use; calls are serialised.
type Checkpointer struct {
	signer note.Signer
	clock  func() time.Time

	mu   sync.Mutex
	tree Tree
	next uint64 // the position to read from on the next Sign
}

// NewCheckpointer returns a Checkpointer that signs with signer (see
// note.NewSigner and GenerateCheckpointKey) and stamps checkpoints with
// clock (normally time.Now).
func NewCheckpointer(signer note.Signer, clock func() time.Time) (*Checkpointer, error) {
	if signer == nil {
		return nil, errors.New("new checkpointer: signer is nil")
	}
	if clock == nil {
		return nil, errors.New("new checkpointer: clock is nil")
	}
	return &Checkpointer{signer: signer, clock: clock}, nil
}

// Sign brings the tree up to the store's head, signs the tree's size and
// root, and appends the signed note as an event of type CheckpointEventType
// to CheckpointStream (actor "system"/"system", any expected version). It
// returns the checkpoint once the event is durable.
//
// Before an event becomes a leaf, Sign checks that its Hash matches its
// content (ComputeHash over the event and its PrevHash), so a Checkpointer
// never signs an event whose stored bytes were changed; such an event stops
// Sign with a *VerifyError (wrapping ErrTampered). The chain links and the
// version sequence are Verify's job.
//
// Errors: a *VerifyError; the store's read or append errors, wrapped. After
// an error the Checkpointer stays usable: the events it already took in stay
// in its tree.
func (c *Checkpointer) Sign(ctx context.Context, s ReadAppender) (Checkpoint, error) {
	c.mu.Lock()
	defer c.mu.Unlock()

	head, err := s.Head(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: read head: %w", err)
	}
	if head >= c.next {
		for env, err := range s.ReadAll(ctx, c.next) {
			if err != nil {
				return Checkpoint{}, fmt.Errorf("sign checkpoint: read from position %d: %w", c.next, err)
			}
			if env.Position > head {
				break
			}
			if env.Position < c.next {
				return Checkpoint{}, fmt.Errorf("sign checkpoint: store yielded position %d when reading from %d", env.Position, c.next)
			}
			if got := ComputeHash(&env, env.PrevHash); got != env.Hash {
				return Checkpoint{}, &VerifyError{Stream: env.Stream, Version: env.Version, Position: env.Position,
					What: fmt.Sprintf("hash mismatch: recomputed %s, stored %s", got, env.Hash)}
			}
			c.tree.Append(env.Hash)
			c.next = env.Position + 1
		}
	}

	now := c.clock().UTC()
	th := c.tree.Head()
	text := string(tlog.FormatTree(th)) + checkpointTimePrefix + now.Format(time.RFC3339Nano) + "\n"
	msg, err := note.Sign(&note.Note{Text: text}, c.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint of tree size %d: %w", th.N, err)
	}
	ev := Event{
		// Derived from the note, so a retried append of the same note is
		// idempotent.
		ID:         uuid.NewSHA1(uuid.NameSpaceOID, msg).String(),
		Type:       CheckpointEventType,
		Actor:      Actor{UserID: "system", Role: "system"},
		RecordedAt: now,
		Data:       msg,
	}
	res, err := s.Append(ctx, CheckpointStream, AnyVersion, []Event{ev})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("append checkpoint of tree size %d: %w", th.N, err)
	}
	return Checkpoint{TreeSize: th.N, Root: th.Hash, SignedAt: now, Note: msg, Position: res.LastPosition}, nil
}

// checkpointProblem says why a checkpoint event's data is not a good
// checkpoint.
type checkpointProblem struct {
	what string
}

// openCheckpoint reads a checkpoint event's data. With verifiers, the note
// must carry a valid signature by one of them (signed is then true); without
// (nil), signatures are not checked. It returns the tree head and the
// timestamp, or a problem fit for a VerifyError.
func openCheckpoint(data []byte, verifiers note.Verifiers) (th tlog.Tree, at time.Time, signed bool, problem *checkpointProblem) {
	var n *note.Note
	if verifiers == nil {
		_, err := note.Open(data, note.VerifierList())
		var unverified *note.UnverifiedNoteError
		if !errors.As(err, &unverified) {
			return tlog.Tree{}, time.Time{}, false, &checkpointProblem{"checkpoint is not a signed note"}
		}
		n = unverified.Note
	} else {
		var err error
		n, err = note.Open(data, verifiers)
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &invalid):
			return tlog.Tree{}, time.Time{}, false, &checkpointProblem{fmt.Sprintf("bad signature: checkpoint signature by key %s+%08x does not verify", invalid.Name, invalid.Hash)}
		case errors.As(err, &unverified):
			return tlog.Tree{}, time.Time{}, false, &checkpointProblem{"bad signature: checkpoint is not signed by any trusted key"}
		case err != nil:
			return tlog.Tree{}, time.Time{}, false, &checkpointProblem{"bad signature: checkpoint is not a well-formed signed note"}
		}
		signed = true
	}
	th, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return tlog.Tree{}, time.Time{}, false, &checkpointProblem{"checkpoint note does not hold a tree size and root"}
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) > 3 && strings.HasPrefix(lines[3], checkpointTimePrefix) {
		at, _ = time.Parse(time.RFC3339Nano, strings.TrimPrefix(lines[3], checkpointTimePrefix))
	}
	return th, at, signed, nil
}

// checkpointTreeSize reads the tree size a checkpoint event claims without
// checking signatures; ok is false for data that is not a checkpoint note.
func checkpointTreeSize(data []byte) (int64, bool) {
	split := bytes.LastIndex(data, []byte("\n\n"))
	if split < 0 {
		return 0, false
	}
	th, err := tlog.ParseTree(data[:split+1])
	if err != nil {
		return 0, false
	}
	return th.N, true
}
