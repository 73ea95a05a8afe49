package ops

import (
	"context"
	"time"

	"spoor/store"
)

// InstrumentedStore wraps a store.Store and records, for every successful
// Append, its latency, its batch size and its events by type. Everything
// else is passed through unchanged. Failed appends are not observed: their
// latency says nothing about the durable path.
type InstrumentedStore struct {
	store.Store
	metrics *Metrics
	now     func() time.Time
}

// InstrumentStore returns s with its appends observed in m. now is the clock
// used to time appends (time.Now if nil).
func InstrumentStore(s store.Store, m *Metrics, now func() time.Time) *InstrumentedStore {
	if now == nil {
		now = time.Now
	}
	return &InstrumentedStore{Store: s, metrics: m, now: now}
}

// Append appends through the wrapped store and observes the append when it
// succeeds. Its contract is store.Appender's.
func (s *InstrumentedStore) Append(ctx context.Context, stream string, expected store.ExpectedVersion, events []store.Event) (store.AppendResult, error) {
	start := s.now()
	res, err := s.Store.Append(ctx, stream, expected, events)
	if err != nil {
		return res, err
	}
	types := make([]string, len(events))
	for i, ev := range events {
		types[i] = ev.Type
	}
	s.metrics.ObserveAppend(s.now().Sub(start), types)
	return res, nil
}

// Unwrap returns the wrapped store.
func (s *InstrumentedStore) Unwrap() store.Store { return s.Store }
