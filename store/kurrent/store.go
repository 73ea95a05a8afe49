package kurrent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"spoor/store"
)

// Store is the KurrentDB backend of store.Store. It is safe for concurrent
// use. Open makes one; Close releases it.
type Store struct {
	cfg  Config
	conf esdb.Configuration // template; every client gets a copy

	ctx    context.Context // done when Close is called
	cancel context.CancelFunc

	mu     sync.Mutex
	client *conn
	gen    uint64 // bumped every time client is recreated
	closed bool

	// head is what this Store knows of the end of the ledger (see Head).
	head headMark

	recent *recentIDs

	// clients counts the clients made, for tests and logs.
	clients atomic.Uint64
}

var _ store.Store = (*Store)(nil)

// conn is one client and the calls running inside it. The official client
// is not safe to Close while a call is entering it (Close closes a channel
// that calls send on), so Close waits for calls to leave first.
type conn struct {
	c        *esdb.Client
	inflight sync.WaitGroup
}

// closeWait is how long Close waits for calls to leave the client.
const closeWait = 5 * time.Second

// Open connects to the KurrentDB cluster of cfg and returns a Store once one
// call has succeeded (a read of the end of $all, which also checks that the
// configured user may read $all). If the client's first connection fails,
// the client stays closed for good (a property of the official client), so
// Open makes a new client and tries again, with backoff, until
// cfg.ConnectTimeout or ctx ends. Errors: a configuration error (naming
// the field), an access error at once (wrong credentials, or a user that
// may not read $all), or the last connection error once the time is up.
// Errors never quote the password.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	conf, err := cfg.clientConfig()
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, conf: *conf, recent: newRecentIDs(cfg.RecentIDs)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.newClient(); err != nil {
		s.cancel()
		return nil, err
	}
	octx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		_, err := s.lastRecord(octx)
		if err == nil {
			break
		}
		if !retryable(err) || octx.Err() != nil {
			err = s.mapErr("open "+Redacted(cfg.URL), "", err)
			s.Close()
			return nil, err
		}
		cfg.Logger.Warn("kurrentdb: cannot reach the cluster yet", "url", Redacted(cfg.URL), "attempt", attempt+1, "err", err)
		if clientDead(err) {
			err = s.recreate(octx, s.generation(), attempt)
		} else {
			err = s.sleep(octx, backoff(attempt))
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("kurrent: open %s: %w", Redacted(cfg.URL), err)
		}
	}
	cfg.Logger.Info("kurrentdb: connected", "url", Redacted(cfg.URL), "prefix", cfg.StreamPrefix)
	return s, nil
}

// Close closes the connection. Appends and reads after Close return
// store.ErrClosed; running subscriptions end with store.ErrClosed. Close is
// idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cn := s.client
	s.mu.Unlock()
	s.cancel() // ends every call's context
	if cn == nil {
		return nil
	}
	left := make(chan struct{})
	go func() { cn.inflight.Wait(); close(left) }()
	select {
	case <-left:
		return cn.c.Close()
	case <-time.After(closeWait):
		// A call is stuck inside the client (it can block for good on a
		// client whose connection loop ended); closing now could panic it.
		s.cfg.Logger.Warn("kurrentdb: calls still inside the client after Close; leaving it open")
		return nil
	}
}

// ClientsMade is how many clients this Store has made: 1 after a clean Open,
// more after reconnects. It is meant for tests and diagnostics.
func (s *Store) ClientsMade() uint64 { return s.clients.Load() }

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Store) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// newClient makes a fresh client from the template configuration. The
// client it replaces is dead (closed for good after a failed connection,
// its connection loop ended): it is dropped, not closed, as closing it
// could panic a call still sending to its loop.
func (s *Store) newClient() error {
	conf := s.conf
	c, err := esdb.NewClient(&conf)
	if err != nil {
		return fmt.Errorf("kurrent: make client: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return store.ErrClosed
	}
	s.client = &conn{c: c}
	s.gen++
	s.clients.Add(1)
	return nil
}

// enter returns the client in use, with the call counted in, and its
// generation.
func (s *Store) enter() (*conn, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, 0, store.ErrClosed
	}
	s.client.inflight.Add(1)
	return s.client, s.gen, nil
}

// backoff is the pause before retry attempt (0-based): 0.1s doubling, at
// most 5s.
func backoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)
}

// sleep waits d, or less if ctx ends (ctx.Err()) or the Store is closed
// (store.ErrClosed).
func (s *Store) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return store.ErrClosed
	case <-t.C:
		return nil
	}
}

// recreate replaces the client of generation gen (unless another call did
// already) after a backoff that grows with attempt.
func (s *Store) recreate(ctx context.Context, gen uint64, attempt int) error {
	if err := s.sleep(ctx, backoff(attempt)); err != nil {
		return err
	}
	s.mu.Lock()
	same := s.gen == gen
	s.mu.Unlock()
	if !same {
		return nil
	}
	return s.newClient()
}

// maxRecreate bounds how often one call recreates the client before it
// gives up and returns the error.
const maxRecreate = 3

// do runs fn with the current client. If the node was unavailable (the
// client then starts a new discovery by itself) it runs fn again; if the
// client turned out to be closed for good (a discovery failed: the
// official client never recovers from that) it makes a new client, after a
// backoff, and runs fn again. fn must be safe to run again: reads are; an
// append that may have landed is recognised by KurrentDB's idempotency on
// the same expected revision and by Append's own check.
//
// fn runs on its own goroutine and do returns when ctx ends even if fn does
// not (a call can block for good inside a client whose connection loop has
// ended); callers use what fn produced only when do returns nil.
func (s *Store) do(ctx context.Context, fn func(c *esdb.Client) error) error {
	for attempt := 0; ; attempt++ {
		cn, gen, err := s.enter()
		if err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() {
			defer cn.inflight.Done()
			done <- fn(cn.c)
		}()
		select {
		case err = <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err == nil || attempt >= maxRecreate || ctx.Err() != nil {
			return err
		}
		switch {
		case clientDead(err):
			if s.isClosed() {
				return store.ErrClosed
			}
			s.cfg.Logger.Warn("kurrentdb: client closed after a failed connection; recreating it", "attempt", attempt+1)
			if err := s.recreate(ctx, gen, attempt); err != nil {
				return err
			}
		case unavailable(err):
			s.cfg.Logger.Warn("kurrentdb: node unavailable; trying again", "attempt", attempt+1, "err", err)
			if err := s.sleep(ctx, backoff(attempt)/2); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// unavailable reports whether err says the node could not be reached.
func unavailable(err error) bool {
	code, ok := esdbCode(err)
	return (ok && code == esdb.ErrorUnavailable) || status.Code(err) == codes.Unavailable
}

// opContext returns a context that ends with ctx, with Close, or after
// OperationTimeout.
func (s *Store) opContext(ctx context.Context, timeout bool) (context.Context, context.CancelFunc) {
	var c context.Context
	var cancel context.CancelFunc
	if timeout {
		c, cancel = context.WithTimeout(ctx, s.cfg.OperationTimeout)
	} else {
		c, cancel = context.WithCancel(ctx)
	}
	stop := context.AfterFunc(s.ctx, cancel)
	return c, func() { stop(); cancel() }
}

// esdbCode returns the client's error code of err, if it has one.
func esdbCode(err error) (esdb.ErrorCode, bool) {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

// clientDead reports whether err says the client is closed for good.
func clientDead(err error) bool {
	code, ok := esdbCode(err)
	return ok && code == esdb.ErrorCodeConnectionClosed
}

// retryable reports whether Open should try again after err.
func retryable(err error) bool {
	if code, ok := esdbCode(err); ok {
		switch code {
		case esdb.ErrorCodeAccessDenied, esdb.ErrorCodeUnauthenticated:
			return false
		}
		return true
	}
	switch status.Code(err) {
	case codes.PermissionDenied, codes.Unauthenticated, codes.InvalidArgument:
		return false
	}
	return true
}

// invalidPosition reports whether err is the server refusing a $all
// position that is not the start of a record.
func invalidPosition(err error) bool {
	return status.Code(err) == codes.InvalidArgument
}

// mapErr turns a client error into the store's sentinel errors, with the
// operation and the (opaque) stream name. Client errors carry gRPC status
// texts and stream names, never event data.
func (s *Store) mapErr(op, stream string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrClosed) || s.isClosed() {
		return fmt.Errorf("kurrent: %s: %w", op, store.ErrClosed)
	}
	if _, isClient := esdbCode(err); !isClient && strings.HasPrefix(err.Error(), "kurrent: ") {
		return err // already ours, with its context
	}
	where := op
	if stream != "" {
		where = op + " " + stream
	}
	if code, ok := esdbCode(err); ok {
		switch code {
		case esdb.ErrorCodeStreamDeleted:
			return fmt.Errorf("kurrent: %s: %w: the stream was deleted (tombstoned) in KurrentDB", where, store.ErrStreamNotFound)
		case esdb.ErrorCodeResourceNotFound:
			return fmt.Errorf("kurrent: %s: %w", where, store.ErrStreamNotFound)
		case esdb.ErrorCodeWrongExpectedVersion:
			return fmt.Errorf("kurrent: %s: %w: %v", where, store.ErrVersionConflict, err)
		case esdb.ErrorCodeAccessDenied, esdb.ErrorCodeUnauthenticated:
			return fmt.Errorf("kurrent: %s: access denied; give the configured user the rights Spoor needs (see ops/kurrentdb): %w", where, err)
		case esdb.ErrorCodeDeadlineExceeded:
			return fmt.Errorf("kurrent: %s: %w (%v)", where, context.DeadlineExceeded, err)
		}
	}
	return fmt.Errorf("kurrent: %s: %w", where, err)
}
