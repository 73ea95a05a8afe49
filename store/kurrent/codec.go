package kurrent

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"spoor/store"
)

// metaFormat tags the metadata layout, so that a later layout can be told
// apart.
const metaFormat = 1

// eventMeta is the JSON kept in a KurrentDB event's (custom) metadata: the
// envelope fields KurrentDB has no place for. KurrentDB's own fields carry
// the rest: event id (EventID), type (EventType), stream (StreamID minus the
// prefix), version (EventNumber + 1), position (commit position) and data.
type eventMeta struct {
	Format        int    `json:"spoor"`
	Version       uint64 `json:"version"`
	RecordedAt    int64  `json:"recorded_at_ns"`
	ActorUser     string `json:"actor_user"`
	ActorRole     string `json:"actor_role"`
	CorrelationID string `json:"correlation_id,omitempty"`
	PrevHash      string `json:"prev_hash"`
	Hash          string `json:"hash"`
}

// encodeMeta builds the metadata of an envelope whose Hash is computed.
func encodeMeta(e *store.Envelope) ([]byte, error) {
	b, err := json.Marshal(eventMeta{
		Format:        metaFormat,
		Version:       e.Version,
		RecordedAt:    e.RecordedAt.UnixNano(),
		ActorUser:     e.Actor.UserID,
		ActorRole:     e.Actor.Role,
		CorrelationID: e.CorrelationID,
		PrevHash:      e.PrevHash.String(),
		Hash:          e.Hash.String(),
	})
	if err != nil {
		return nil, fmt.Errorf("encode metadata of event %s: %w", e.ID, err)
	}
	return b, nil
}

// contentType is JSON when data is a JSON document, binary otherwise
// (KurrentDB's projections and UI treat JSON events as documents).
func contentType(data []byte) esdb.ContentType {
	if len(data) > 0 && json.Valid(data) {
		return esdb.ContentTypeJson
	}
	return esdb.ContentTypeBinary
}

// parseID checks that id is a UUID in its canonical lower-case form (the
// form the hash covers and reads give back) and returns it.
func parseID(i int, id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil || u.String() != id {
		return uuid.Nil, fmt.Errorf("%w: event %d: id is not a canonical lower-case UUID (KurrentDB event ids are UUIDs)", store.ErrInvalidEvent, i)
	}
	if u == uuid.Nil {
		return uuid.Nil, fmt.Errorf("%w: event %d: id is the nil UUID", store.ErrInvalidEvent, i)
	}
	return u, nil
}

// isOurs reports whether a recorded event belongs to a Spoor stream under
// prefix: system events ($-types, such as a tombstone's $streamDeleted) and
// other streams are not.
func isOurs(ev *esdb.RecordedEvent, prefix string) bool {
	return ev != nil && strings.HasPrefix(ev.StreamID, prefix) && !strings.HasPrefix(ev.EventType, "$")
}

// positionUnknown is what the server sends for a position it does not know
// (-1 as an unsigned number).
const positionUnknown = math.MaxUint64

// decode turns a recorded event of a Spoor stream into an envelope. The
// stored hashes are returned as stored: Verify recomputes them.
func decode(ev *esdb.RecordedEvent, prefix string) (store.Envelope, error) {
	stream := strings.TrimPrefix(ev.StreamID, prefix)
	where := func() string {
		return fmt.Sprintf("stream %s revision %d", stream, ev.EventNumber)
	}
	if ev.Position.Commit == 0 || ev.Position.Commit == positionUnknown {
		return store.Envelope{}, fmt.Errorf("kurrent: %s: the server did not report the event's position (Spoor needs EventStoreDB 22.10 or later / KurrentDB)", where())
	}
	var m eventMeta
	if err := json.Unmarshal(ev.UserMetadata, &m); err != nil || m.Format != metaFormat {
		return store.Envelope{}, fmt.Errorf("kurrent: %s: event has no Spoor metadata (written by another program?)", where())
	}
	prev, err := parseHash(m.PrevHash)
	if err != nil {
		return store.Envelope{}, fmt.Errorf("kurrent: %s: prev_hash: %w", where(), err)
	}
	h, err := parseHash(m.Hash)
	if err != nil {
		return store.Envelope{}, fmt.Errorf("kurrent: %s: hash: %w", where(), err)
	}
	data := make([]byte, len(ev.Data))
	copy(data, ev.Data)
	return store.Envelope{
		ID:            ev.EventID.String(),
		Type:          ev.EventType,
		Stream:        stream,
		Version:       ev.EventNumber + 1,
		Position:      ev.Position.Commit,
		RecordedAt:    time.Unix(0, m.RecordedAt).UTC(),
		Actor:         store.Actor{UserID: m.ActorUser, Role: m.ActorRole},
		CorrelationID: m.CorrelationID,
		Data:          data,
		PrevHash:      prev,
		Hash:          h,
	}, nil
}

func parseHash(s string) (store.Hash, error) {
	var h store.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("not a hex SHA-256")
	}
	copy(h[:], b)
	return h, nil
}
