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

	"os"
	"time"

	"spoor/domain"
	"spoor/store"
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

// runExport writes every event, in global order, as one JSON line each.
func (m *Main) runExport(ctx context.Context, args []string) error {
	fs := m.flagSet("export", "[file]")
	data := m.dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{"export takes at most one argument: the file to write"}
	}
	st, err := dataDir(*data).openLog(false, nil)
	if err != nil {
		return err
	}
	defer st.Close()

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

// runImport validates an export file completely, then appends its events,
// each to its stream at its version. Events already stored (same id, same
// content) are skipped by the store's idempotency, so an import can be
// repeated or resumed. Checkpoint events are imported only into an empty
// store, where positions are kept; elsewhere their tree sizes would not hold
// and they are skipped (new checkpoints are signed by the server).
func (m *Main) runImport(ctx context.Context, args []string) error {
	fs := m.flagSet("import", "<file>")
	data := m.dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"import needs one argument: the export file"}
	}
	path := fs.Arg(0)
	// Pass 1: validate everything before writing anything.
	total, err := scanExport(path, func(int, store.Envelope) error { return nil })
	if err != nil {
		return err
	}
	st, err := dataDir(*data).openLog(true, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	head, err := st.Head(ctx)
	if err != nil {
		return err
	}
	emptyAtStart := head == 0
	var appended, present, skipped int
	_, err = scanExport(path, func(line int, e store.Envelope) error {
		if e.Stream == store.CheckpointStream && !emptyAtStart {
			skipped++
			return nil
		}
		before, err := st.Head(ctx)
		if err != nil {
			return err
		}
		res, err := st.Append(ctx, e.Stream, store.ExactVersion(e.Version-1), []store.Event{{
			ID: e.ID, Type: e.Type, Actor: e.Actor, CorrelationID: e.CorrelationID, RecordedAt: e.RecordedAt, Data: e.Data,
		}})
		if err != nil {
			return fmt.Errorf("line %d (stream %s, version %d, id %s): %w", line, e.Stream, e.Version, e.ID, err)
		}
		if res.LastPosition <= before {
			present++
		} else {
			appended++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(m.stdout, "imported %d events: %d appended, %d already present, %d checkpoints skipped\n", total, appended, present, skipped)
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
