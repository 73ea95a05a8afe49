package main

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"spoor/store"
)

// runVerify recomputes the hash chains, the Merkle tree and the checkpoints
// of the ledger in the store named by -store (the embedded log, or a
// KurrentDB cluster), and for the embedded log also checks its indexes. It
// prints a report and fails (exit 1) naming the first event that does not
// match.
func (m *Main) runVerify(ctx context.Context, args []string) error {
	fs := m.flagSet("verify", "")
	data := m.dataFlag(fs)
	kind := m.storeFlag(fs)
	vkey := fs.String("verifier-key", "", "checkpoint verifier key file (default <data>/checkpoint.pub if present)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"verify takes no arguments"}
	}
	d := dataDir(*data)
	be, err := m.openCommandBackend(ctx, d, *kind, false, false)
	if err != nil {
		return err
	}
	defer be.close()
	st := be.st
	opts := store.VerifyOptions{
		Progress: func(done uint64) { fmt.Fprintf(m.stderr, "verified %d events\n", done) },
	}
	verifier, vpath, err := loadVerifier(d, *vkey)
	if err != nil {
		return err
	}
	if verifier != nil {
		opts.Verifiers = note.VerifierList(verifier)
	}
	rep, err := store.Verify(ctx, st, opts)
	var ve *store.VerifyError
	if errors.As(err, &ve) {
		fmt.Fprintf(m.stdout, "FAILED at position %d, stream %s, version %d: %s\n", ve.Position, ve.Stream, ve.Version, ve.What)
		return exitError{code: 1, err: fmt.Errorf("the ledger does not verify: %w", err)}
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if be.embedded != nil {
		// KurrentDB keeps its own indexes; the embedded log's are ours.
		if err := be.embedded.CheckIndex(ctx); err != nil {
			fmt.Fprintf(m.stdout, "FAILED: index check: %v\n", err)
			return exitError{code: 1, err: fmt.Errorf("the event log's indexes do not check out: %w", err)}
		}
	}
	fmt.Fprintf(m.stdout, "OK: %d events in %d streams, head %d\n", rep.Events, rep.Streams, rep.Head)
	fmt.Fprintf(m.stdout, "Merkle tree: size %d, root %x\n", rep.TreeSize, rep.Root[:])
	if verifier != nil {
		fmt.Fprintf(m.stdout, "checkpoints: %d matching the tree, %d signed by the key in %s\n", rep.Checkpoints, rep.CheckpointsVerified, vpath)
	} else {
		fmt.Fprintf(m.stdout, "checkpoints: %d matching the tree (signatures not checked: no verifier key)\n", rep.Checkpoints)
	}
	return nil
}
