// Package projtest helps read-model tests: it loads scenario files of events
// (JSON lines under a package's testdata/) into Facts, feeds them to models,
// and compares answers with golden files.
//
// A scenario line is one event:
//
//	{"stream":"family-f1","type":"ContactLogged","at":"2026-03-02T10:00:00Z",
//	 "actor":{"user_id":"c1","role":"coach"},"data":{...public part...}}
//
// Positions are assigned 1, 2, 3 ... in file order and versions count per
// stream. "at" is RecordedAt; it may be omitted, and then it is one minute
// after the previous line's (starting 2026-01-01T08:00:00Z), so files stay
// short. Every event is decoded with domain.Decode, so a scenario that does
// not match the event catalogue fails loudly.
package projtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/store"
)

// line is one scenario line.
type line struct {
	Stream string          `json:"stream"`
	Type   string          `json:"type"`
	At     time.Time       `json:"at"`
	Actor  store.Actor     `json:"actor"`
	Data   json.RawMessage `json:"data"`
}

// LoadFacts reads a scenario file (path relative to the test's package
// directory). It fails the test on any malformed line, naming the line.
func LoadFacts(t testing.TB, path string) []projections.Fact {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("projtest: %v", err)
	}
	facts, err := ParseFacts(raw)
	if err != nil {
		t.Fatalf("projtest: %s: %v", path, err)
	}
	return facts
}

// ParseFacts parses scenario lines (see the package doc). Blank lines and
// lines starting with # are skipped.
func ParseFacts(raw []byte) ([]projections.Fact, error) {
	var (
		facts    []projections.Fact
		versions = map[string]uint64{}
		at       = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		var l line
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if l.Stream == "" || l.Type == "" {
			return nil, fmt.Errorf("line %d: stream and type are required", n)
		}
		if len(l.Data) == 0 {
			l.Data = json.RawMessage(`{}`)
		}
		ev, err := domain.Decode(l.Type, l.Data, nil)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if l.At.IsZero() {
			at = at.Add(time.Minute)
		} else {
			at = l.At.UTC()
		}
		versions[l.Stream]++
		facts = append(facts, projections.Fact{
			Position:   uint64(len(facts) + 1),
			Stream:     l.Stream,
			Version:    versions[l.Stream],
			EventID:    fmt.Sprintf("ev-%d", len(facts)+1),
			RecordedAt: at,
			Actor:      l.Actor,
			Event:      ev,
		})
	}
	return facts, sc.Err()
}

// Feed applies facts to every model, in order.
func Feed(facts []projections.Fact, models ...projections.Model) {
	for i := range facts {
		for _, m := range models {
			m.Apply(&facts[i])
		}
	}
}

// Golden compares got, encoded as indented JSON, with the file
// testdata/<name>.golden.json; with -update it rewrites the file instead.
// Review a rewritten golden file by hand before committing it.
func Golden(t testing.TB, name string, got any) {
	t.Helper()
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatalf("projtest: encoding %s: %v", name, err)
	}
	out = append(out, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("projtest: %v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(want, out) {
		t.Errorf("projtest: %s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, out, want)
	}
}

// update reports whether the test binary was run with -update. The flag is
// looked up, not defined here, so each test package defines it itself:
//
//	var _ = flag.Bool("update", false, "rewrite golden files")
func update() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}
