// Package timeline is the read model of a family's history as a coach reads
// it: the events of the family's stream, newest first, each with its kind,
// its own date, the life domains it touches, who recorded it, a short public
// summary (codes, amounts and organisation names, never personal data) and
// the identifiers it refers to. It is filtered by kind, life domain, date
// range and note text, and paged by position.
//
// # Index
//
// Apply keeps, per family, the family stream's facts in position order (the
// decoded public event and the envelope's metadata). A query touches only
// that family's slice, newest first, so its cost depends on the family's
// own events, never on the size of the log: a few hundred events answer in
// microseconds with a million events stored. Events of access-<id> streams
// ("who saw what") are not part of the timeline: they belong to the privacy
// read model.
//
// # Note text
//
// The model holds public parts only. Filtering by note text needs the sealed
// parts, so Query takes a SealedOpener that returns the family's events with
// their sealed parts; the model matches the text against the free-text
// fields (notes, summaries, justifications, item texts, with whom a contact
// was) and never keeps what it opened. The API passes an opener only for
// callers allowed to read notes (and records that access); without one a
// text filter fails with ErrNotesNotAllowed. After crypto-shredding the
// opener finds no sealed parts and a text filter matches nothing.
package timeline

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/store"
)

// item is one fact of a family's timeline.
type item struct {
	pos     uint64
	at      int64 // RecordedAt in Unix nanoseconds
	id      string
	actor   store.Actor
	ev      domain.Event
	qDomain domain.LifeDomain // for QuestionAnswered: the question's domain
}

// family is one family's timeline.
type family struct {
	items     []item
	questions map[domain.QuestionID]domain.LifeDomain
}

// Model is the timeline read model. Make it with New; it is safe for
// concurrent queries while Apply runs.
type Model struct {
	mu       sync.RWMutex
	families map[domain.FamilyID]*family
}

// New returns an empty model.
func New() *Model { return &Model{families: map[domain.FamilyID]*family{}} }

// Name implements projections.Model.
func (m *Model) Name() string { return "timeline" }

// Apply implements projections.Model. It keeps facts of family-<id>
// streams and ignores the rest.
func (m *Model) Apply(f *projections.Fact) {
	if !strings.HasPrefix(f.Stream, domain.FamilyStreamPrefix) || len(f.Stream) == len(domain.FamilyStreamPrefix) {
		return
	}
	id := domain.FamilyID(f.Stream[len(domain.FamilyStreamPrefix):])
	m.mu.Lock()
	m.add(id, item{pos: f.Position, at: f.RecordedAt.UnixNano(), id: f.EventID, actor: f.Actor, ev: f.Event})
	m.mu.Unlock()
}

// add appends it to family id's timeline. Caller holds the write lock.
func (m *Model) add(id domain.FamilyID, it item) {
	fam := m.families[id]
	if fam == nil {
		fam = &family{items: make([]item, 0, 16)}
		m.families[id] = fam
	}
	switch e := it.ev.(type) {
	case domain.QuestionRaised:
		if fam.questions == nil {
			fam.questions = map[domain.QuestionID]domain.LifeDomain{}
		}
		fam.questions[e.QuestionID] = e.LifeDomain
	case domain.QuestionAnswered:
		it.qDomain = fam.questions[e.QuestionID]
	}
	fam.items = append(fam.items, it)
}

// snapItem is an item in a snapshot: the event as its type name and public
// part.
type snapItem struct {
	Pos    uint64          `json:"p"`
	At     int64           `json:"t"`
	ID     string          `json:"id"`
	Actor  store.Actor     `json:"a"`
	Type   string          `json:"y"`
	Public json.RawMessage `json:"d"`
}

type snapshot struct {
	Families map[domain.FamilyID][]snapItem `json:"families"`
}

// MarshalSnapshot implements projections.Snapshotter: every item with its
// event's public part (the model never holds sealed parts).
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := snapshot{Families: make(map[domain.FamilyID][]snapItem, len(m.families))}
	for id, fam := range m.families {
		out := make([]snapItem, len(fam.items))
		for i, it := range fam.items {
			enc, err := domain.Encode(it.ev)
			if err != nil {
				return nil, fmt.Errorf("timeline: snapshot of position %d: %w", it.pos, err)
			}
			out[i] = snapItem{Pos: it.pos, At: it.at, ID: it.id, Actor: it.actor, Type: enc.Type, Public: enc.Public}
		}
		s.Families[id] = out
	}
	b, err := json.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("timeline: snapshot: %w", err)
	}
	return b, nil
}

// UnmarshalSnapshot implements projections.Snapshotter; it replaces the
// whole state, or changes nothing on error.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("timeline: snapshot: %w", err)
	}
	fresh := New()
	for id, items := range s.Families {
		for _, si := range items {
			ev, err := domain.Decode(si.Type, si.Public, nil)
			if err != nil {
				return fmt.Errorf("timeline: snapshot, position %d: %w", si.Pos, err)
			}
			fresh.add(id, item{pos: si.Pos, at: si.At, id: si.ID, actor: si.Actor, ev: ev})
		}
	}
	m.mu.Lock()
	m.families = fresh.families
	m.mu.Unlock()
	return nil
}

// SnapshotVersion implements projections.Snapshotter.
func (m *Model) SnapshotVersion() int { return 1 }

// nanos turns an "as of" instant into a cut-off (zero: no cut-off).
func nanos(asOf time.Time) int64 {
	if asOf.IsZero() {
		return math.MaxInt64
	}
	return asOf.UnixNano()
}
