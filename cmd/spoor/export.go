package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"spoor/domain"
	"spoor/store"
	"spoor/store/keyfile"
)

// exportLine is one event of an export: the whole envelope, so an import
// can check every hash. Data is the stored bytes: as JSON when they are
// compact JSON (what the domain writes), else base64 in data_b64, so that
// the bytes, which the hash covers, survive exactly.
type exportLine struct {
	Position      uint64          `json:"position"`
	Stream        string          `json:"stream"`
	Version       uint64          `json:"version"`
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	RecordedAt    time.Time       `json:"recorded_at"`
	Actor         store.Actor     `json:"actor"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	Data          json.RawMessage `json:"data,omitempty"`
	DataB64       string          `json:"data_b64,omitempty"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
}

func toLine(e store.Envelope) exportLine {
	l := exportLine{
		Position: e.Position, Stream: e.Stream, Version: e.Version, ID: e.ID, Type: e.Type,
		RecordedAt: e.RecordedAt.UTC(), Actor: e.Actor, CorrelationID: e.CorrelationID,
		PrevHash: e.PrevHash.String(), Hash: e.Hash.String(),
	}
	var compact bytes.Buffer
	if len(e.Data) > 0 && json.Compact(&compact, e.Data) == nil && bytes.Equal(compact.Bytes(), e.Data) {
		l.Data = e.Data
	} else {
		l.DataB64 = base64.StdEncoding.EncodeToString(e.Data)
	}
	return l
}

// envelope turns a line back into an envelope and checks that its hash is
// what the line says, given the line's prev_hash.
func (l exportLine) envelope() (store.Envelope, error) {
	e := store.Envelope{
		ID: l.ID, Type: l.Type, Stream: l.Stream, Version: l.Version, Position: l.Position,
		RecordedAt: l.RecordedAt.UTC(), Actor: l.Actor, CorrelationID: l.CorrelationID,
	}
	switch {
	case l.Data != nil && l.DataB64 != "":
		return e, errors.New("both data and data_b64 are set")
	case l.Data != nil:
		e.Data = []byte(l.Data)
	default:
		b, err := base64.StdEncoding.DecodeString(l.DataB64)
		if err != nil {
			return e, errors.New("data_b64 is not base64")
		}
		e.Data = b
	}
	var err error
	if e.PrevHash, err = parseHash(l.PrevHash); err != nil {
		return e, fmt.Errorf("prev_hash: %w", err)
	}
	if e.Hash, err = parseHash(l.Hash); err != nil {
		return e, fmt.Errorf("hash: %w", err)
	}
	switch {
	case e.Stream == "" || e.ID == "" || e.Type == "":
		return e, errors.New("stream, id and type are required")
	case e.Version == 0:
		return e, errors.New("version must be 1 or more")
	case e.Version == 1 && !e.PrevHash.IsZero():
		return e, errors.New("version 1 must have a zero prev_hash")
	}
	if got := store.ComputeHash(&e, e.PrevHash); got != e.Hash {
		return e, errors.New("hash does not match the event's content")
	}
	return e, nil
}

func parseHash(s string) (store.Hash, error) {
	var h store.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, errors.New("must be 64 hex digits")
	}
	copy(h[:], b)
	return h, nil
}

// runExport writes every event of the store named by -store, in global
// order, as one JSON line each.
func (m *Main) runExport(ctx context.Context, args []string) error {
	fs := m.flagSet("export", "[file]")
	data := m.dataFlag(fs)
	kind := m.storeFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{"export takes at most one argument: the file to write"}
	}
	be, err := m.openCommandBackend(ctx, dataDir(*data), *kind, false, false)
	if err != nil {
		return err
	}
	defer be.close()
	st := be.st

	out := m.stdout
	var f *os.File
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		f, err = os.OpenFile(fs.Arg(0), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("create export file: %w", err)
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriterSize(out, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	for e, err := range st.ReadAll(ctx, 0) {
		if err != nil {
			return fmt.Errorf("read event log: %w", err)
		}
		if err := enc.Encode(toLine(e)); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		n++
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
	}
	fmt.Fprintf(m.stderr, "exported %d events\n", n)
	return nil
}

// validEvent checks that an event is one Spoor writes: a checkpoint, or a
// domain event whose payload's public part decodes as its type. Sealed
// parts cannot be checked without the keys; the hash covers them.
func validEvent(e store.Envelope) error {
	if e.Stream == store.CheckpointStream {
		if e.Type != store.CheckpointEventType {
			return fmt.Errorf("the checkpoint stream holds a %s event", e.Type)
		}
		return nil
	}
	public, _, err := store.SplitPayload(e.Data)
	if err != nil {
		return err
	}
	if _, err := domain.Decode(e.Type, public, nil); err != nil {
		return err
	}
	return nil
}

// maxImportLine bounds one line of an import (an event's data is at most
// store.MaxEventData bytes, base64 makes it 4/3 of that).
const maxImportLine = 2*store.MaxEventData + 4096

// runImport validates an export file completely, then appends its events
// to the store named by -store (embedded or a KurrentDB cluster), each to
// its stream at its version, in the file's order: ids, versions and the
// global order are kept, and with them the Merkle tree (positions are the
// target's own). Events already stored (same id, same content) are
// recognised by the store's idempotency and not written again, so an import
// can be repeated or resumed. Checkpoint events are imported only where
// their tree sizes hold: into an empty store, or one that holds only the
// events before them in the file (a resumed import); elsewhere they are
// skipped (new checkpoints are signed by the server). With -keys-from, the wrapped data
// keys and the destroyed scopes of an embedded key store are copied into the
// target's key store first (importKeys).
func (m *Main) runImport(ctx context.Context, args []string) error {
	fs := m.flagSet("import", "<file>")
	data := m.dataFlag(fs)
	kind := m.storeFlag(fs)
	keysFrom := fs.String("keys-from", "", "also copy the wrapped data keys and destroyed scopes of this embedded key store (the source's <data>/keys, or its data directory) into the target's key store")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"import needs one argument: the export file"}
	}
	path := fs.Arg(0)
	d := dataDir(*data)
	var keysDir string
	if *keysFrom != "" {
		var err error
		if keysDir, err = keySourceDir(*keysFrom); err != nil {
			return err
		}
		if *kind == "embedded" && sameDir(keysDir, d.keys()) {
			return usageError{"-keys-from is the target's own key store"}
		}
	}
	// Pass 1: validate everything before writing anything.
	total, err := scanExport(path, func(int, store.Envelope) error { return nil })
	if err != nil {
		return err
	}
	var src *keyfile.Store
	if keysDir != "" {
		if src, err = keyfile.Open(keysDir); err != nil {
			return fmt.Errorf("open the key store to copy (-keys-from): %w", err)
		}
		defer src.Close()
	}
	be, err := m.openCommandBackend(ctx, d, *kind, true, src != nil)
	if err != nil {
		return err
	}
	defer be.close()
	if src != nil {
		if err := m.importKeys(ctx, src, be.keys); err != nil {
			return err
		}
	}
	st := be.st
	head, err := st.Head(ctx)
	if err != nil {
		return err
	}
	// An event appended now lies after the head; an event that was stored
	// before (a repeated or resumed import) is answered with its old
	// positions.
	stored, err := countEvents(ctx, st, head)
	if err != nil {
		return err
	}
	var appended, present, skipped int
	_, err = scanExport(path, func(line int, e store.Envelope) error {
		// A checkpoint's tree size counts the events before it: it holds
		// only when the store had no events but the file's before this one
		// (an empty store, or an interrupted import of this file).
		if e.Stream == store.CheckpointStream && present != stored {
			skipped++
			return nil
		}
		res, err := st.Append(ctx, e.Stream, store.ExactVersion(e.Version-1), []store.Event{{
			ID: e.ID, Type: e.Type, Actor: e.Actor, CorrelationID: e.CorrelationID, RecordedAt: e.RecordedAt, Data: e.Data,
		}})
		if err != nil {
			return fmt.Errorf("line %d (stream %s, version %d, id %s): %w", line, e.Stream, e.Version, e.ID, err)
		}
		if res.FirstPosition > head {
			appended++
		} else {
			present++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(m.stdout, "imported %d events: %d appended, %d already present, %d checkpoints skipped\n", total, appended, present, skipped)
	return nil
}

// countEvents counts the events of st up to position head (0 for an empty
// store without reading).
func countEvents(ctx context.Context, st store.Reader, head uint64) (int, error) {
	n := 0
	if head == 0 {
		return 0, nil
	}
	for e, err := range st.ReadAll(ctx, 0) {
		if err != nil {
			return n, fmt.Errorf("count the events already stored: %w", err)
		}
		if e.Position > head {
			break
		}
		n++
	}
	return n, nil
}

// keySourceDir returns the key store directory that -keys-from names: dir
// itself when it is a key store (it holds the keys file or the lock file),
// or dir/keys when dir is an embedded data directory.
func keySourceDir(dir string) (string, error) {
	if fi, err := os.Stat(filepath.Join(dir, "keys")); err == nil && fi.IsDir() {
		dir = filepath.Join(dir, "keys")
	}
	for _, name := range []string{"keys", "LOCK"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return dir, nil
		}
	}
	return "", fmt.Errorf("-keys-from %s is not a key store (give the source's <data>/keys directory)", dir)
}

// importKeys copies the wrapped data keys of src into dst, then destroys in
// dst every scope destroyed in src. The keys stay wrapped: the KEK that
// wraps them must be the one the target's servers use. It is idempotent: a
// key already in dst is left as it is when it is the same bytes; a scope
// destroyed in dst meanwhile stays destroyed (its key is not brought back).
// A scope that has another key in dst is an error (the ledgers differ), and
// nothing after it is copied. Scopes are printed only as counts: a scope
// names a family.
func (m *Main) importKeys(ctx context.Context, src *keyfile.Store, dst store.KeyStore) error {
	keys, destroyed, err := src.Entries()
	if err != nil {
		return fmt.Errorf("read the key store to copy: %w", err)
	}
	var copied, present, gone int
	for _, scope := range slices.Sorted(maps.Keys(keys)) {
		wrapped := keys[scope]
		have, err := dst.Get(ctx, scope)
		switch {
		case err == nil:
			if !bytes.Equal(have, wrapped) {
				return fmt.Errorf("copy keys: scope %s already has another key in the target's key store; the target holds another ledger", scope)
			}
			present++
			continue
		case errors.Is(err, store.ErrKeyDestroyed):
			gone++
			continue
		case !errors.Is(err, store.ErrKeyNotFound):
			return fmt.Errorf("copy keys: %w", err)
		}
		got, err := dst.PutIfAbsent(ctx, scope, wrapped)
		if err != nil {
			return fmt.Errorf("copy keys: %w", err)
		}
		if !bytes.Equal(got, wrapped) {
			return fmt.Errorf("copy keys: scope %s got another key in the target's key store while copying", scope)
		}
		copied++
	}
	for _, scope := range destroyed {
		if err := dst.Destroy(ctx, scope); err != nil {
			return fmt.Errorf("copy keys: destroy scope %s: %w", scope, err)
		}
	}
	fmt.Fprintf(m.stdout, "keys: %d copied, %d already present, %d destroyed in the target left destroyed; %d destroyed scopes destroyed in the target\n",
		copied, present, gone, len(destroyed))
	return nil
}

// scanExport reads an export file line by line, decodes each line strictly,
// checks its hash and its link to the previous event of its stream in the
// file, and calls f. It returns the number of events.
func scanExport(path string, f func(line int, e store.Envelope) error) (int, error) {
	file, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open import file: %w", err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	type tip struct {
		version uint64
		hash    store.Hash
	}
	tips := map[string]tip{}
	ids := map[string]struct{}{}
	n := 0
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var l exportLine
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return n, fmt.Errorf("line %d: not an exported event: %w", line, err)
		}
		if dec.More() {
			return n, fmt.Errorf("line %d: more than one JSON value", line)
		}
		e, err := l.envelope()
		if err != nil {
			return n, fmt.Errorf("line %d (stream %s, version %d): %w", line, l.Stream, l.Version, err)
		}
		if err := validEvent(e); err != nil {
			return n, fmt.Errorf("line %d (stream %s, version %d): %w", line, e.Stream, e.Version, err)
		}
		if _, dup := ids[e.ID]; dup {
			return n, fmt.Errorf("line %d: event id %s appears twice", line, e.ID)
		}
		ids[e.ID] = struct{}{}
		if t, ok := tips[e.Stream]; ok || e.Version != 1 {
			if !ok {
				return n, fmt.Errorf("line %d: stream %s starts at version %d, not 1 (the export is incomplete)", line, e.Stream, e.Version)
			}
			if e.Version != t.version+1 || e.PrevHash != t.hash {
				return n, fmt.Errorf("line %d: stream %s version %d does not follow version %d (gap or broken link)", line, e.Stream, e.Version, t.version)
			}
		}
		tips[e.Stream] = tip{version: e.Version, hash: e.Hash}
		if err := f(line, e); err != nil {
			return n, err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return n, fmt.Errorf("a line is longer than %d bytes", maxImportLine)
		}
		return n, fmt.Errorf("read import file: %w", err)
	}
	return n, nil
}
