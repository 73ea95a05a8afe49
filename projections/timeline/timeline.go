// Package timeline is the read model of a family's history as a coach reads
// it: the events of the family's stream, newest first, each with its kind,
// its own date, the life domains it touches, who recorded it, a short public
// summary (codes, amounts and organisation names, never personal data) and
// the identifiers it refers to. It is filtered by kind, life domain, date
// range and note text, and paged by position.
//
// # Index
//
// Apply keeps, per family, the family stream's facts in position order: the
// envelope's metadata, what the filters need (kind, date, life domains,
// contact id) and the public event. A query touches only that family's
// slice, newest first, so its cost depends on the family's own events,
// never on the size of the log: a few hundred events answer well under a
// millisecond with a million events stored. A snapshot stores each event's
// public JSON in a binary frame; after a snapshot or a restore an item keeps
// only that JSON and a query decodes the entries it returns. Events of access-<id> streams
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
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/store"
)

// item is one fact of a family's timeline: the metadata the filters need,
// extracted once by Apply, and the event itself, either decoded (ev) or as
// its public JSON (raw) after a snapshot encoded it or a restore read it.
// Exactly one of ev and raw is set. Items change only under the write lock.
type item struct {
	pos     uint64
	at      int64 // RecordedAt in Unix nanoseconds
	id      string
	actor   store.Actor
	typ     string
	kind    Kind
	date    domain.Date
	domains []domain.LifeDomain // shared with the event: never modified
	key     string              // contact id (contacts) or question id (questions)
	ev      domain.Event
	raw     []byte
}

// family is one family's timeline.
type family struct {
	items     []item
	questions map[string]domain.LifeDomain // question id -> life domain
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
	it := item{pos: f.Position, at: f.RecordedAt.UnixNano(), id: f.EventID, actor: f.Actor, ev: f.Event,
		typ: f.Event.EventType(), kind: kindOf(f.Event), date: dateOf(f.Event)}
	it.domains, it.key = metaOf(f.Event)
	m.mu.Lock()
	m.add(id, it)
	m.mu.Unlock()
}

// add appends it to family id's timeline, resolving a QuestionAnswered's
// life domain from its question. Caller holds the write lock.
func (m *Model) add(id domain.FamilyID, it item) {
	fam := m.families[id]
	if fam == nil {
		fam = &family{items: make([]item, 0, 16)}
		m.families[id] = fam
	}
	switch it.typ {
	case domain.TypeQuestionRaised:
		if len(it.domains) == 1 {
			if fam.questions == nil {
				fam.questions = map[string]domain.LifeDomain{}
			}
			fam.questions[it.key] = it.domains[0]
		}
	case domain.TypeQuestionAnswered:
		if d, ok := fam.questions[it.key]; ok && it.domains == nil {
			it.domains = []domain.LifeDomain{d}
		}
	}
	fam.items = append(fam.items, it)
}

// event returns the item's event, decoding its public part when needed.
func (it *item) event() (domain.Event, error) {
	if it.ev != nil {
		return it.ev, nil
	}
	ev, err := domain.Decode(it.typ, it.raw, nil)
	if err != nil {
		return nil, fmt.Errorf("timeline: position %d: %w", it.pos, err)
	}
	return ev, nil
}

// Snapshot format (version 1): the magic "spoor-timeline-1\n", then per
// family: uvarint-prefixed id, uvarint item count, and per item: uvarint
// position, varint recorded-at, the strings (uvarint length + bytes) event
// id, actor user id, actor role and type, the date as uvarint year, month
// and day (0 0 0: none), the strings key and life domains joined by ",",
// and the event's public JSON. Binary framing keeps a snapshot of a
// million events to a copy of their public parts.
const snapMagic = "spoor-timeline-1\n"

// errTorn reports a snapshot that ends early or holds a bad value.
var errTorn = errors.New("timeline: snapshot is torn or malformed")

// MarshalSnapshot implements projections.Snapshotter. It encodes the public
// part of each event not yet encoded, once per event, under the read lock
// (queries go on meanwhile); then, under the write lock, the items keep only
// the encoded form (which also halves their memory) and every family's
// items are written. Like every MarshalSnapshot it must not run
// concurrently with Apply (the runner calls it between two facts).
func (m *Model) MarshalSnapshot() ([]byte, error) {
	type pending struct {
		fam *family
		idx int
		raw []byte
	}
	var todo []pending
	m.mu.RLock()
	for _, fam := range m.families {
		for i := range fam.items {
			it := &fam.items[i]
			if it.raw != nil {
				continue
			}
			raw, err := json.Marshal(it.ev) // the public part: Sealed is json:"-"
			if err != nil {
				m.mu.RUnlock()
				return nil, fmt.Errorf("timeline: snapshot of position %d: %w", it.pos, err)
			}
			todo = append(todo, pending{fam, i, raw})
		}
	}
	m.mu.RUnlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range todo {
		it := &p.fam.items[p.idx]
		it.raw, it.ev = p.raw, nil
	}
	size := len(snapMagic)
	for id, fam := range m.families {
		size += len(id) + 10
		for i := range fam.items {
			it := &fam.items[i]
			size += len(it.raw) + len(it.id) + len(it.actor.UserID) + len(it.actor.Role) + len(it.typ) + len(it.key) + 10*len(it.domains) + 40
		}
	}
	b := make([]byte, 0, size)
	b = append(b, snapMagic...)
	for id, fam := range m.families {
		b = appendString(b, string(id))
		b = binary.AppendUvarint(b, uint64(len(fam.items)))
		for i := range fam.items {
			it := &fam.items[i]
			b = binary.AppendUvarint(b, it.pos)
			b = binary.AppendVarint(b, it.at)
			b = appendString(b, it.id)
			b = appendString(b, it.actor.UserID)
			b = appendString(b, it.actor.Role)
			b = appendString(b, it.typ)
			b = binary.AppendUvarint(b, uint64(it.date.Year()))
			b = binary.AppendUvarint(b, uint64(it.date.Month()))
			b = binary.AppendUvarint(b, uint64(it.date.Day()))
			b = appendString(b, it.key)
			b = appendString(b, joinDomains(it.domains))
			b = binary.AppendUvarint(b, uint64(len(it.raw)))
			b = append(b, it.raw...)
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func joinDomains(ds []domain.LifeDomain) string {
	var sb strings.Builder
	for i, d := range ds {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(string(d))
	}
	return sb.String()
}

// reader reads a snapshot.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTorn
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errTorn
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errTorn
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string { return string(r.bytes()) }

// UnmarshalSnapshot implements projections.Snapshotter; it replaces the
// whole state, or changes nothing on error. Events stay in their encoded
// form, as slices of data (which the Snapshotter contract lets the model
// keep: a copy of a million events' public parts took half a second), and
// are decoded when a query returns them.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	rest, ok := strings.CutPrefix(string(data[:min(len(data), len(snapMagic))]), snapMagic)
	if !ok || rest != "" {
		return fmt.Errorf("%w: unknown format", errTorn)
	}
	r := &reader{b: data[len(snapMagic):]}
	fresh := New()
	roles := map[string]string{} // intern actors' user ids and roles
	domainSets := map[string][]domain.LifeDomain{}
	intern := func(b []byte) string {
		if s, ok := roles[string(b)]; ok {
			return s
		}
		s := string(b)
		roles[s] = s
		return s
	}
	for len(r.b) > 0 && r.err == nil {
		id := domain.FamilyID(r.string())
		n := r.uvarint()
		if r.err == nil && n > uint64(len(r.b)) {
			r.err = errTorn
		}
		if r.err == nil && fresh.families[id] == nil {
			fresh.families[id] = &family{items: make([]item, 0, n)}
		}
		for i := uint64(0); i < n && r.err == nil; i++ {
			it := item{pos: r.uvarint(), at: r.varint(), id: r.string()}
			it.actor = store.Actor{UserID: intern(r.bytes()), Role: intern(r.bytes())}
			it.typ = intern(r.bytes())
			if y, mo, d := r.uvarint(), r.uvarint(), r.uvarint(); y != 0 {
				if mo < 1 || mo > 12 || d < 1 || d > 31 || y > 9999 {
					r.err = errTorn
				}
				it.date = domain.NewDate(int(y), time.Month(mo), int(d))
			}
			it.key = r.string()
			if ds := r.bytes(); len(ds) > 0 {
				// Few combinations occur: items share one slice per
				// combination (items never modify their domains).
				it.domains = domainSets[string(ds)]
				if it.domains == nil {
					for _, d := range strings.Split(string(ds), ",") {
						it.domains = append(it.domains, domain.LifeDomain(intern([]byte(d))))
					}
					it.domains = slices.Clip(it.domains)
					domainSets[string(ds)] = it.domains
				}
			}
			it.raw = r.bytes()
			if _, known := domain.StreamKindOf(it.typ); r.err == nil && (!known || len(it.raw) == 0) {
				r.err = fmt.Errorf("%w: position %d has an unknown event type", errTorn, it.pos)
			}
			if r.err == nil {
				it.kind = kindOfType(it.typ)
				fresh.add(id, it)
			}
		}
	}
	if r.err != nil {
		return r.err
	}
	m.mu.Lock()
	m.families = fresh.families
	m.mu.Unlock()
	return nil
}

// SnapshotVersion implements projections.Snapshotter.
func (m *Model) SnapshotVersion() int { return 2 }

// nanos turns an "as of" instant into a cut-off (zero: no cut-off).
func nanos(asOf time.Time) int64 {
	if asOf.IsZero() {
		return math.MaxInt64
	}
	return asOf.UnixNano()
}
