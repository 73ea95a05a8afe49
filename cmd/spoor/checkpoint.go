package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"spoor/store"
)

// Checkpoint keys: <data>/checkpoint.key (the Ed25519 signer key, 0600) and
// <data>/checkpoint.pub (the verifier key, to publish and keep elsewhere).
func (d dataDir) checkpointKey() string { return filepath.Join(string(d), "checkpoint.key") }
func (d dataDir) checkpointPub() string { return filepath.Join(string(d), "checkpoint.pub") }

// loadCheckpointSigner returns the signer for checkpoints and its verifier
// key: from file if given, else from <data>/checkpoint.key, generated (with
// checkpoint.pub beside it) when the ledger is new (fresh). An existing
// ledger without its checkpoint key is an error: a new key would not verify
// the checkpoints already signed.
func loadCheckpointSigner(d dataDir, file string, fresh bool, warn io.Writer) (note.Signer, string, error) {
	path := file
	if path == "" {
		path = d.checkpointKey()
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s, err := note.NewSigner(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, "", fmt.Errorf("checkpoint key %s: not a signer key", path)
		}
		pub, _ := os.ReadFile(d.checkpointPub())
		return s, strings.TrimSpace(string(pub)), nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("read checkpoint key: %w", err)
	case file != "":
		return nil, "", fmt.Errorf("checkpoint key file %s does not exist", file)
	case !fresh:
		return nil, "", fmt.Errorf("the ledger has events but there is no checkpoint key at %s: give it with -checkpoint-key-file or SPOOR_CHECKPOINT_KEY_FILE", path)
	}
	skey, vkey, err := store.GenerateCheckpointKey(rand.Reader, "spoor-ledger")
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return nil, "", fmt.Errorf("create data directory: %w", err)
	}
	if err := writeNew(path, skey+"\n", 0o600); err != nil {
		return nil, "", fmt.Errorf("write checkpoint key: %w", err)
	}
	if err := writeNew(d.checkpointPub(), vkey+"\n", 0o644); err != nil {
		return nil, "", fmt.Errorf("write checkpoint verifier key: %w", err)
	}
	fmt.Fprintf(warn, "spoor: generated a checkpoint signing key in %s; its verifier key is in %s:\n"+
		"spoor:   %s\n"+
		"spoor: keep a copy of the verifier key away from this machine: spoor verify -verifier-key checks against it.\n",
		path, d.checkpointPub(), vkey)
	s, err := note.NewSigner(skey)
	return s, vkey, err
}

// writeNew creates path (it must not exist) with text, synced.
func writeNew(path, text string, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(text)
	serr := f.Sync()
	return errors.Join(werr, serr, f.Close())
}

// checkpointLoop signs a checkpoint every interval when the log has grown,
// and once more when stopped.
type checkpointLoop struct {
	cp       *store.Checkpointer
	st       store.ReadAppender
	log      *slog.Logger
	interval time.Duration

	mu       sync.Mutex
	lastHead uint64
	stop     chan struct{}
	done     chan struct{}
}

func startCheckpoints(cp *store.Checkpointer, st store.ReadAppender, interval time.Duration, log *slog.Logger) *checkpointLoop {
	l := &checkpointLoop{cp: cp, st: st, log: log, interval: interval, stop: make(chan struct{}), done: make(chan struct{})}
	l.lastHead = lastCheckpointPosition(context.Background(), st)
	go func() {
		defer close(l.done)
		if interval <= 0 {
			<-l.stop
			return
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				l.signIfGrown(context.Background())
			}
		}
	}()
	return l
}

// signIfGrown signs a checkpoint when events were appended since the last
// one (the checkpoint event itself does not count as growth).
func (l *checkpointLoop) signIfGrown(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	head, err := l.st.Head(ctx)
	if err != nil {
		l.log.Error("checkpoint: read head", "err", err)
		return
	}
	if head == l.lastHead {
		return
	}
	c, err := l.cp.Sign(ctx, l.st)
	if err != nil {
		l.log.Error("checkpoint not signed", "err", err)
		return
	}
	l.lastHead = c.Position
	l.log.Info("checkpoint signed", "tree_size", c.TreeSize, "position", c.Position)
}

// Close stops the loop and signs a last checkpoint.
func (l *checkpointLoop) Close() error {
	close(l.stop)
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l.signIfGrown(ctx)
	return nil
}

// loadVerifier reads a verifier key from file, or from <data>/checkpoint.pub
// when file is ""; it returns nil when neither exists (signatures are then
// not checked).
func loadVerifier(d dataDir, file string) (note.Verifier, string, error) {
	path := file
	if path == "" {
		path = d.checkpointPub()
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && file == "" {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read verifier key: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, "", fmt.Errorf("verifier key %s: %w", path, err)
	}
	return v, path, nil
}

// lastCheckpointPosition is the position of the newest checkpoint event, 0
// if there is none (or it cannot be read: then the next Sign just signs).
func lastCheckpointPosition(ctx context.Context, st store.Reader) uint64 {
	v, err := st.StreamVersion(ctx, store.CheckpointStream)
	if err != nil || v == 0 {
		return 0
	}
	for e, err := range st.ReadStream(ctx, store.CheckpointStream, v) {
		if err != nil {
			return 0
		}
		return e.Position
	}
	return 0
}

// verifyLoop recomputes the whole ledger (store.Verify) every interval and
// counts failures in the metrics, so that tampering with the stored log is
// noticed by alerting without anyone running spoor verify.
func verifyLoop(ctx context.Context, st store.Reader, interval time.Duration, log *slog.Logger, failed func()) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rep, err := store.Verify(ctx, st, store.VerifyOptions{})
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				failed()
				log.Error("the ledger does not verify", "err", err)
			default:
				log.Info("ledger verified", "events", rep.Events, "tree_size", rep.TreeSize)
			}
		}
	}
}
