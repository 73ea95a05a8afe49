package main

import (
	"context"
	"errors"
	"fmt"

	"spoor/store"
)

// runVerify recomputes the hash chains, the Merkle tree and the checkpoints
// of the event log, and checks the log's indexes. It prints a report and
// fails (exit 1) naming the first event that does not match.
func (m *Main) runVerify(ctx context.Context, args []string) error {
	fs := m.flagSet("verify", "")
	data := m.dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"verify takes no arguments"}
	}
	d := dataDir(*data)
	st, err := d.openLog(false, nil)
	if err != nil {
		return err
	}
	defer st.Close()

	rep, err := store.Verify(ctx, st, store.VerifyOptions{
		Progress: func(done uint64) { fmt.Fprintf(m.stderr, "verified %d events\n", done) },
	})
	var ve *store.VerifyError
	if errors.As(err, &ve) {
		fmt.Fprintf(m.stdout, "FAILED at position %d, stream %s, version %d: %s\n", ve.Position, ve.Stream, ve.Version, ve.What)
		return exitError{code: 1, err: fmt.Errorf("the ledger does not verify: %w", err)}
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := st.CheckIndex(ctx); err != nil {
		fmt.Fprintf(m.stdout, "FAILED: index check: %v\n", err)
		return exitError{code: 1, err: fmt.Errorf("the event log's indexes do not check out: %w", err)}
	}
	fmt.Fprintf(m.stdout, "OK: %d events in %d streams, head %d\n", rep.Events, rep.Streams, rep.Head)
	fmt.Fprintf(m.stdout, "Merkle tree: size %d, root %x\n", rep.TreeSize, rep.Root[:])
	fmt.Fprintf(m.stdout, "checkpoints: %d matching the tree (signatures not checked)\n", rep.Checkpoints)
	return nil
}
