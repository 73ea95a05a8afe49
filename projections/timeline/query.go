package timeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"spoor/domain"
)

// Errors of the timeline's queries; callers test them with errors.Is.
var (
	// ErrBadQuery: a query field is out of range; the error names it.
	ErrBadQuery = errors.New("timeline: bad query")
	// ErrUnknownFamily: the model holds no event of the family (as of the
	// query's instant).
	ErrUnknownFamily = errors.New("timeline: unknown family")
	// ErrNotesNotAllowed: a text filter was asked without a SealedOpener
	// (the caller may not read notes).
	ErrNotesNotAllowed = errors.New("timeline: text filter needs access to notes")
)

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	// MaxTextLen bounds the text filter in bytes.
	MaxTextLen = 200
)

// SealedOpener opens the sealed parts of a family's events for a caller
// allowed to read them (the ledger implements it; the API passes one only
// for such callers and records the access). OpenFamily returns the family's
// events decoded with their sealed parts, keyed by event id; events without
// a sealed part, or whose sealed part is gone (erasure), may be missing or
// have zero Sealed fields.
type SealedOpener interface {
	OpenFamily(ctx context.Context, family domain.FamilyID) (map[string]domain.Event, error)
}

// SealedOpenerFunc adapts a function to SealedOpener.
type SealedOpenerFunc func(ctx context.Context, family domain.FamilyID) (map[string]domain.Event, error)

// OpenFamily calls f.
func (f SealedOpenerFunc) OpenFamily(ctx context.Context, family domain.FamilyID) (map[string]domain.Event, error) {
	return f(ctx, family)
}

// Query selects and pages a family's timeline. The zero Query is the newest
// DefaultLimit entries as of now.
type Query struct {
	// Kinds keeps entries of these kinds (empty: all).
	Kinds []Kind
	// LifeDomain keeps entries touching this life domain ("": all).
	LifeDomain domain.LifeDomain
	// From and Until keep entries whose own date lies between them,
	// inclusive (zero: open). Entries without a date are dropped when a
	// bound is given.
	From, Until domain.Date
	// Text keeps entries whose sealed free text contains it, ignoring
	// case; it needs a SealedOpener.
	Text string
	// Before keeps entries at positions below it (the cursor of the
	// previous page's Next; 0: from the newest).
	Before uint64
	// Limit is the page size, 1 to MaxLimit (0: DefaultLimit).
	Limit int
	// AsOf answers as the ledger stood then (zero: now), judged by
	// RecordedAt.
	AsOf time.Time
}

// Page is one page of a family's timeline, newest first.
type Page struct {
	FamilyID domain.FamilyID `json:"family_id"`
	Entries  []Entry         `json:"entries"`
	// Next is the Before cursor of the next (older) page; 0 when this is
	// the last page.
	Next uint64 `json:"next,omitempty"`
}

// validate checks q and fills its defaults.
func (q *Query) validate(opener SealedOpener) error {
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		return fmt.Errorf("%w: limit must be between 1 and %d", ErrBadQuery, MaxLimit)
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return fmt.Errorf("%w: kinds: unknown kind %q", ErrBadQuery, string(k))
		}
	}
	if q.LifeDomain != "" && !q.LifeDomain.Valid() {
		return fmt.Errorf("%w: life_domain: unknown life domain %q", ErrBadQuery, string(q.LifeDomain))
	}
	if !q.From.IsZero() && !q.Until.IsZero() && q.From.After(q.Until) {
		return fmt.Errorf("%w: from is after until", ErrBadQuery)
	}
	if len(q.Text) > MaxTextLen || !utf8.ValidString(q.Text) {
		return fmt.Errorf("%w: text must be valid UTF-8 of at most %d bytes", ErrBadQuery, MaxTextLen)
	}
	if strings.TrimSpace(q.Text) != "" && opener == nil {
		return ErrNotesNotAllowed
	}
	return nil
}

// Family returns a page of family id's timeline, newest first (descending
// position), as the ledger stood at q.AsOf. Filters combine with AND. With
// q.Text the opener is called once and the text is matched against the
// sealed free text of each event (see the package documentation); nothing
// opened is kept. Errors: ErrBadQuery (naming the field), ErrNotesNotAllowed,
// ErrUnknownFamily, or the opener's error wrapped.
//
// The cost is linear in the family's own events, never in the log's size.
func (m *Model) Family(ctx context.Context, id domain.FamilyID, q Query, opener SealedOpener) (Page, error) {
	if err := q.validate(opener); err != nil {
		return Page{}, err
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	var sealed map[string]domain.Event
	if text != "" {
		// Open before taking the lock: the opener does I/O.
		var err error
		if sealed, err = opener.OpenFamily(ctx, id); err != nil {
			return Page{}, fmt.Errorf("timeline: opening family %s: %w", id, err)
		}
	}
	cut := nanos(q.AsOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	var items []item
	if fam := m.families[id]; fam != nil {
		items = fam.items
	}
	if !anyBefore(items, cut) {
		return Page{}, fmt.Errorf("family %s: %w", id, ErrUnknownFamily)
	}
	page := Page{FamilyID: id, Entries: []Entry{}}
	var corrected map[string]bool // contacts with a later correction
	for i := len(items) - 1; i >= 0; i-- {
		it := &items[i]
		if it.at > cut {
			continue
		}
		superseded := false
		switch it.typ {
		case domain.TypeContactCorrected:
			superseded = corrected[it.key]
			if corrected == nil {
				corrected = map[string]bool{}
			}
			corrected[it.key] = true
		case domain.TypeContactLogged:
			superseded = corrected[it.key]
		}
		if q.Before != 0 && it.pos >= q.Before {
			continue
		}
		ok, err := q.match(it, text, sealed)
		if err != nil {
			return Page{}, err
		}
		if !ok {
			continue
		}
		if len(page.Entries) == q.Limit {
			page.Next = page.Entries[len(page.Entries)-1].Position
			break
		}
		e, err := entryOf(it, superseded)
		if err != nil {
			return Page{}, err
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// anyBefore reports whether an item was recorded at or before cut.
func anyBefore(items []item, cut int64) bool {
	for i := range items {
		if items[i].at <= cut {
			return true
		}
	}
	return false
}

// match applies the filters other than the cursor.
func (q *Query) match(it *item, text string, sealed map[string]domain.Event) (bool, error) {
	if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, it.kind) {
		return false, nil
	}
	if q.LifeDomain != "" && !slices.Contains(it.domains, q.LifeDomain) {
		return false, nil
	}
	if !q.From.IsZero() || !q.Until.IsZero() {
		d := it.date
		if d.IsZero() || (!q.From.IsZero() && d.Before(q.From)) || (!q.Until.IsZero() && d.After(q.Until)) {
			return false, nil
		}
	}
	if text != "" {
		ev, ok := sealed[it.id]
		if !ok {
			return false, nil
		}
		for _, s := range sealedTexts(ev) {
			if s != "" && strings.Contains(strings.ToLower(s), text) {
				return true, nil
			}
		}
		return false, nil
	}
	return true, nil
}

// entryOf builds the public entry of an item.
func entryOf(it *item, superseded bool) (Entry, error) {
	ev, err := it.event()
	if err != nil {
		return Entry{}, err
	}
	summary, refs := summaryOf(ev)
	doms := slices.Clone(it.domains)
	if doms == nil {
		doms = []domain.LifeDomain{}
	}
	return Entry{
		Position:    it.pos,
		EventID:     it.id,
		RecordedAt:  time.Unix(0, it.at).UTC(),
		Date:        it.date,
		Type:        it.typ,
		Kind:        it.kind,
		LifeDomains: doms,
		Actor:       it.actor,
		Summary:     summary,
		Refs:        refs,
		Superseded:  superseded,
	}, nil
}

// Families returns the number of families the model holds (for metrics and
// benchmarks).
func (m *Model) Families() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.families)
}
