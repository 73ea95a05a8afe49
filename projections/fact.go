package projections

import (
	"errors"
	"fmt"
	"time"

	"spoor/domain"
	"spoor/store"
)

// Fact is one event as read models see it: the envelope's metadata and the
// domain event decoded from its public part. The event's Sealed fields are
// always zero here.
type Fact struct {
	Position   uint64
	Stream     string
	Version    uint64
	EventID    string
	RecordedAt time.Time
	Actor      store.Actor
	Event      domain.Event
}

// Family returns the family the fact is about, for facts of family-<id> and
// access-<id> streams.
func (f *Fact) Family() (domain.FamilyID, bool) { return domain.FamilyIDFromStream(f.Stream) }

// Model is a read model. Name is stable and names its snapshot file and its
// metrics; Apply folds one fact and must not fail (events are facts: a model
// ignores what it does not need). Apply is only ever called by one goroutine
// at a time, in position order; queries may run concurrently with it, so a
// model guards its state itself.
type Model interface {
	Name() string
	Apply(f *Fact)
}

// Snapshotter is a Model whose state can be saved and restored, so a restart
// does not replay the whole log. SnapshotVersion changes whenever the state's
// encoding or meaning changes; a snapshot of another version is discarded
// and the models are rebuilt. MarshalSnapshot is called between two Apply
// calls; UnmarshalSnapshot replaces the whole state and may keep slices of
// data (the Runner hands over a buffer it never touches again; other
// callers must do the same).
type Snapshotter interface {
	SnapshotVersion() int
	MarshalSnapshot() ([]byte, error)
	UnmarshalSnapshot(data []byte) error
}

// Decode turns an envelope into a Fact, decoding only the public part.
// Envelopes that are not domain events (the store's checkpoint stream) give
// ok=false and no error. Errors name the position and the event type, never
// the data.
func Decode(env *store.Envelope) (f Fact, ok bool, err error) {
	if env.Stream == store.CheckpointStream {
		return Fact{}, false, nil
	}
	ev, err := decodeEvent(env)
	if err != nil {
		return Fact{}, false, err
	}
	return Fact{
		Position:   env.Position,
		Stream:     env.Stream,
		Version:    env.Version,
		EventID:    env.ID,
		RecordedAt: env.RecordedAt,
		Actor:      env.Actor,
		Event:      ev,
	}, true, nil
}

// decodeEvent decodes env's public part, read in place by
// store.PublicPart.
func decodeEvent(env *store.Envelope) (domain.Event, error) {
	public, err := store.PublicPart(env.Data)
	if err != nil {
		return nil, fmt.Errorf("position %d (%s): payload: %w", env.Position, env.Type, err)
	}
	ev, err := domain.DecodePublic(env.Type, public)
	if err != nil {
		if errors.Is(err, domain.ErrUnknownEventType) {
			return nil, fmt.Errorf("position %d: %w (a newer Spoor wrote it?)", env.Position, err)
		}
		return nil, fmt.Errorf("position %d (%s): %w", env.Position, env.Type, err)
	}
	return ev, nil
}
