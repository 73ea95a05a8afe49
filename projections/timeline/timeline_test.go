package timeline

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"reflect"
	"slices"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/projtest"
)

var _ = flag.Bool("update", false, "rewrite golden files")

func d(s string) domain.Date { return domain.MustDate(s) }

func load(t testing.TB) (*Model, []projections.Fact) {
	t.Helper()
	facts := projtest.LoadFacts(t, "testdata/scenario.jsonl")
	m := New()
	projtest.Feed(facts, m)
	return m, facts
}

func positions(p Page) []uint64 {
	out := []uint64{}
	for _, e := range p.Entries {
		out = append(out, e.Position)
	}
	return out
}

func query(t *testing.T, m *Model, q Query, o SealedOpener) Page {
	t.Helper()
	p, err := m.Family(context.Background(), "t1", q, o)
	if err != nil {
		t.Fatalf("query %+v: %v", q, err)
	}
	return p
}

// opener returns the scenario's events with sealed notes on three of them,
// as the ledger would after opening the family's sealed parts.
func opener(facts []projections.Fact, calls *int) SealedOpener {
	return SealedOpenerFunc(func(_ context.Context, fam domain.FamilyID) (map[string]domain.Event, error) {
		*calls++
		out := map[string]domain.Event{}
		for _, f := range facts {
			if f.Stream != domain.FamilyStream(fam) {
				continue
			}
			ev := f.Event
			switch e := ev.(type) {
			case domain.ContactLogged:
				switch e.ContactID {
				case "k1":
					e.Sealed.Note = "Schimmel in de slaapkamer"
				case "k3":
					e.Sealed.Note = "Afspraak bij schuldbemiddeling"
					e.Sealed.WithWhom = "moeder"
				}
				ev = e
			case domain.SpendRecorded:
				e.Sealed.Justification = "Schoonmaak na schimmel"
				ev = e
			}
			out[f.EventID] = ev
		}
		return out, nil
	})
}

func TestGolden(t *testing.T) {
	m, _ := load(t)
	ctx := context.Background()
	all, _ := m.Family(ctx, "t1", Query{}, nil)
	debts, _ := m.Family(ctx, "t1", Query{LifeDomain: domain.DomainDebts}, nil)
	then, _ := m.Family(ctx, "t1", Query{AsOf: time.Date(2026, 1, 24, 0, 0, 0, 0, time.UTC)}, nil)
	projtest.Golden(t, "scenario", map[string]any{"all": all, "debts": debts, "asof_0124": then})
}

// TestFilters checks each filter against positions picked by hand from
// testdata/scenario.jsonl (positions count the file's events from 1).
func TestFilters(t *testing.T) {
	m, facts := load(t)
	calls := 0
	o := opener(facts, &calls)
	tests := []struct {
		name string
		q    Query
		o    SealedOpener
		want []uint64
	}{
		{"all, newest first, no access events", Query{}, nil, []uint64{17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 5, 4, 3, 1}},
		{"contacts", Query{Kinds: []Kind{KindContact}}, nil, []uint64{15, 11, 9, 7}},
		{"contacts and budget", Query{Kinds: []Kind{KindContact, KindBudget}}, nil, []uint64{17, 15, 11, 10, 9, 7, 5}},
		{"life domain debts", Query{LifeDomain: domain.DomainDebts}, nil, []uint64{15, 14, 11, 8, 7}},
		{"life domain safety", Query{LifeDomain: domain.DomainSafety}, nil, []uint64{12, 1}},
		{"dates 01-20..01-31", Query{From: d("2026-01-20"), Until: d("2026-01-31")}, nil, []uint64{12, 11, 10, 9}},
		{"from 02-13", Query{From: d("2026-02-13")}, nil, []uint64{17, 16}},
		{"text", Query{Text: "SCHIMMEL"}, o, []uint64{10, 7}},
		{"text and kind", Query{Text: "schimmel", Kinds: []Kind{KindContact}}, o, []uint64{7}},
		{"text with whom", Query{Text: "moeder"}, o, []uint64{15}},
		{"text nowhere", Query{Text: "nergens"}, o, []uint64{}},
		{"as of 01-24 00:00", Query{AsOf: time.Date(2026, 1, 24, 0, 0, 0, 0, time.UTC)}, nil, []uint64{10, 9, 8, 7, 5, 4, 3, 1}},
		{"before 9", Query{Before: 9}, nil, []uint64{8, 7, 5, 4, 3, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := positions(query(t, m, tc.q, tc.o)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("positions %v, want %v", got, tc.want)
			}
		})
	}
	if calls != 4 {
		t.Errorf("opener called %d times, want once per text query (4)", calls)
	}
}

func TestPaging(t *testing.T) {
	m, _ := load(t)
	var pages [][]uint64
	q := Query{Limit: 4}
	for {
		p := query(t, m, q, nil)
		pages = append(pages, positions(p))
		if p.Next == 0 {
			break
		}
		q.Before = p.Next
	}
	want := [][]uint64{{17, 16, 15, 14}, {13, 12, 11, 10}, {9, 8, 7, 5}, {4, 3, 1}}
	if !reflect.DeepEqual(pages, want) {
		t.Errorf("pages %v, want %v", pages, want)
	}
	// Exactly one full page: no cursor.
	if p := query(t, m, Query{Limit: 15}, nil); p.Next != 0 || len(p.Entries) != 15 {
		t.Errorf("limit 15: %d entries, next %d", len(p.Entries), p.Next)
	}
}

func TestEntries(t *testing.T) {
	m, _ := load(t)
	p := query(t, m, Query{}, nil)
	by := map[uint64]Entry{}
	for _, e := range p.Entries {
		by[e.Position] = e
	}
	if e := by[10]; e.Summary != "spent EUR 45.99, maatbudget cleaning_supplies at Brico (urgent)" || e.Refs["spend_id"] != "s1" || e.Kind != KindBudget || e.Date != d("2026-01-23") {
		t.Errorf("spend entry %+v", e)
	}
	if !by[9].Superseded || by[11].Superseded || by[7].Superseded {
		t.Errorf("superseded flags: k2 %v, its correction %v, k1 %v", by[9].Superseded, by[11].Superseded, by[7].Superseded)
	}
	if e := by[14]; !reflect.DeepEqual(e.LifeDomains, []domain.LifeDomain{domain.DomainDebts}) || e.Kind != KindQuestion {
		t.Errorf("question answered %+v: the question's life domain", e)
	}
	if e := by[15]; e.Actor.UserID != "c2" || e.RecordedAt != time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC) {
		t.Errorf("actor and recorded at of k3: %+v", e)
	}
	// Results are copies.
	by[1].LifeDomains[0] = "work"
	if e := query(t, m, Query{Kinds: []Kind{KindCase}}, nil); e.Entries[len(e.Entries)-1].LifeDomains[0] != domain.DomainSafety {
		t.Error("a result shares the model's slices")
	}
}

func TestErrors(t *testing.T) {
	m, facts := load(t)
	calls := 0
	o := opener(facts, &calls)
	ctx := context.Background()
	tests := []struct {
		name string
		fam  domain.FamilyID
		q    Query
		o    SealedOpener
		want error
	}{
		{"text without opener", "t1", Query{Text: "x"}, nil, ErrNotesNotAllowed},
		{"limit too large", "t1", Query{Limit: MaxLimit + 1}, nil, ErrBadQuery},
		{"negative limit", "t1", Query{Limit: -1}, nil, ErrBadQuery},
		{"unknown kind", "t1", Query{Kinds: []Kind{"gossip"}}, nil, ErrBadQuery},
		{"unknown life domain", "t1", Query{LifeDomain: "luck"}, nil, ErrBadQuery},
		{"from after until", "t1", Query{From: d("2026-02-01"), Until: d("2026-01-01")}, nil, ErrBadQuery},
		{"text too long", "t1", Query{Text: string(make([]byte, MaxTextLen+1))}, o, ErrBadQuery},
		{"unknown family", "nobody", Query{}, nil, ErrUnknownFamily},
		{"before the referral", "t1", Query{AsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil, ErrUnknownFamily},
		{"access stream only", "t9", Query{}, nil, ErrUnknownFamily},
	}
	for _, tc := range tests {
		if _, err := m.Family(ctx, tc.fam, tc.q, tc.o); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	boom := errors.New("key store down")
	_, err := m.Family(ctx, "t1", Query{Text: "x"}, SealedOpenerFunc(func(context.Context, domain.FamilyID) (map[string]domain.Event, error) { return nil, boom }))
	if !errors.Is(err, boom) {
		t.Errorf("opener error: %v", err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m, _ := load(t)
	data, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	n := New()
	if err := n.UnmarshalSnapshot(data); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range []Query{{}, {LifeDomain: domain.DomainDebts}, {AsOf: time.Date(2026, 1, 24, 0, 0, 0, 0, time.UTC)}} {
		a, _ := m.Family(ctx, "t1", q, nil)
		b, _ := n.Family(ctx, "t1", q, nil)
		if !reflect.DeepEqual(a, b) || len(a.Entries) == 0 {
			t.Errorf("query %+v differs after a snapshot round trip", q)
		}
	}
	// The model that wrote the snapshot keeps only encoded events now and
	// still answers the same.
	for _, q := range []Query{{}, {Kinds: []Kind{KindContact}}} {
		a, _ := m.Family(ctx, "t1", q, nil)
		b, _ := n.Family(ctx, "t1", q, nil)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("query %+v differs after the writer encoded its events", q)
		}
	}
	again, err := m.MarshalSnapshot()
	if err != nil || !bytes.Equal(sortedLines(again), sortedLines(data)) {
		t.Error("a second snapshot differs from the first")
	}
	for _, bad := range [][]byte{data[:len(data)-3], []byte("{}"), bytes.Replace(data, []byte("ContactLogged"), []byte("ContactLoggex"), 1)} {
		if err := n.UnmarshalSnapshot(bad); err == nil {
			t.Errorf("a bad snapshot (%d bytes) was accepted", len(bad))
		}
	}
	if n.Families() != 2 {
		t.Error("a failed restore changed the state")
	}
	var _ projections.Snapshotter = n
}

// TestConcurrentQueries runs queries while facts are applied (run with
// -race): queries read a family's items after releasing the lock.
func TestConcurrentQueries(t *testing.T) {
	facts := synthetic(20_000, 20)
	m := New()
	projtest.Feed(facts[:40], m)
	done := make(chan struct{})
	go func() {
		defer close(done)
		projtest.Feed(facts[40:], m)
	}()
	ctx := context.Background()
	for n := 0; ; n++ {
		p, err := m.Family(ctx, "fam-00003", Query{Limit: 10, Kinds: []Kind{KindContact}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(p.Entries); i++ {
			if p.Entries[i].Position >= p.Entries[i-1].Position {
				t.Fatalf("entries out of order: %d after %d", p.Entries[i].Position, p.Entries[i-1].Position)
			}
		}
		select {
		case <-done:
			if p, _ := m.Family(ctx, "fam-00003", Query{Limit: MaxLimit}, nil); len(p.Entries) != 500 || p.Next == 0 {
				t.Errorf("after all facts: %d entries, next %d; want a full page of 500 and more", len(p.Entries), p.Next)
			}
			return
		default:
		}
	}
}

// sortedLines makes snapshots comparable whatever the order of families
// (map order): it sorts the bytes, which is enough to tell a change.
func sortedLines(b []byte) []byte {
	c := bytes.Clone(b)
	slices.Sort(c)
	return c
}
