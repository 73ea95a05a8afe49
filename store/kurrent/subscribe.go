package kurrent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"spoor/store"
)

// maxResubscribe bounds how many times in a row Subscribe re-opens a
// dropped subscription before it returns the error.
const maxResubscribe = 5

// Subscribe calls handle for every Spoor event with Position >= from, in
// global order, first the stored ones and then the live ones (see
// store.Subscriber).
//
// Catch-up reads $all page by page (scanAll) up to its end; then a
// KurrentDB catch-up subscription to $all, filtered on the server by the
// stream prefix, starts explicitly from the last record read (KurrentDB
// subscriptions start at the end unless told otherwise) and delivers what
// came after it, then the live events. Events at or before the last one
// handed to handle are dropped, so the switch has no gap and no duplicate.
// A subscription the server or the network drops is re-opened from the
// last event delivered, up to maxResubscribe times in a row.
func (s *Store) Subscribe(ctx context.Context, from uint64, handle func(store.Envelope) error) error {
	if s.isClosed() {
		return fmt.Errorf("kurrent: subscribe: %w", store.ErrClosed)
	}
	ctx, cancel := s.opContext(ctx, false)
	defer cancel()
	var delivered uint64 // position of the last event handed to handle
	deliver := func(env store.Envelope) error {
		if env.Position < from || env.Position <= delivered {
			return nil
		}
		if err := handle(env); err != nil {
			return fmt.Errorf("kurrent: subscribe: handler: %w", err)
		}
		delivered = env.Position
		return nil
	}
	ended := func(err error) error {
		switch {
		case s.isClosed():
			return fmt.Errorf("kurrent: subscribe: %w", store.ErrClosed)
		case ctx.Err() != nil:
			return ctx.Err()
		}
		return err
	}

	anchor, err := s.scanAll(ctx, from, deliver)
	if err != nil {
		return ended(err)
	}
	failures := 0
	for {
		before := delivered
		var err error
		anchor, err = s.follow(ctx, anchor, deliver)
		if delivered > before {
			failures = 0 // it made progress: only drops in a row count
		}
		var handlerErr handlerError
		if errors.As(err, &handlerErr) {
			return handlerErr.err
		}
		if e := ended(nil); e != nil {
			return e
		}
		failures++
		if failures > maxResubscribe {
			return s.mapErr("subscribe", "", err)
		}
		s.cfg.Logger.Warn("kurrentdb: subscription dropped; re-subscribing", "after_position", anchor, "attempt", failures, "err", err)
		t := time.NewTimer(100 * time.Millisecond << failures)
		select {
		case <-ctx.Done():
			t.Stop()
			return ended(ctx.Err())
		case <-t.C:
		}
	}
}

// handlerError marks an error returned by the subscriber's handler.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }

// follow runs one server subscription to $all from after anchor (from the
// start if anchor is 0) until it drops, passing Spoor events to deliver. It
// returns the position of the last record it received, the new anchor.
func (s *Store) follow(ctx context.Context, anchor uint64, deliver func(store.Envelope) error) (uint64, error) {
	var start esdb.AllPosition = esdb.Start{}
	if anchor > 0 {
		start = esdb.Position{Commit: anchor, Prepare: anchor}
	}
	var sub *esdb.Subscription
	err := s.do(ctx, func(c *esdb.Client) error {
		var err error
		sub, err = c.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{
			From: start,
			Filter: &esdb.SubscriptionFilter{
				Type:     esdb.StreamFilterType,
				Prefixes: []string{s.cfg.StreamPrefix},
			},
		})
		return err
	})
	if err != nil {
		return anchor, err
	}
	defer sub.Close()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return anchor, ev.SubscriptionDropped.Error
		case ev.EventAppeared != nil:
			rec := ev.EventAppeared.OriginalEvent()
			if rec == nil {
				continue
			}
			if !isOurs(rec, s.cfg.StreamPrefix) {
				if rec.Position.Commit > anchor {
					anchor = rec.Position.Commit
				}
				continue
			}
			env, err := decode(rec, s.cfg.StreamPrefix)
			if err != nil {
				return anchor, handlerError{err}
			}
			s.noteHead(env.Position)
			if err := deliver(env); err != nil {
				return anchor, handlerError{err}
			}
			anchor = env.Position
		}
		// Checkpoints, caught-up and fell-behind notices carry nothing to
		// deliver; checkpoint positions are not used as anchors because
		// servers have sent them with a zero prepare position.
	}
}
