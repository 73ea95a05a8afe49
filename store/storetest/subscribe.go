package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"spoor/store"
)

// waitTimeout bounds how long a subscription may take to deliver an event
// that is durable.
const waitTimeout = 15 * time.Second

// collector records what a subscription delivers and notes any event that
// does not come strictly after the previous one.
type collector struct {
	mu      sync.Mutex
	envs    []store.Envelope
	problem string
}

func (c *collector) handle(e store.Envelope) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.envs); n > 0 && e.Position <= c.envs[n-1].Position && c.problem == "" {
		c.problem = fmt.Sprintf("position %d delivered after position %d", e.Position, c.envs[n-1].Position)
	}
	c.envs = append(c.envs, e)
	return nil
}

func (c *collector) snapshot() ([]store.Envelope, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]store.Envelope(nil), c.envs...), c.problem
}

// reached reports whether the subscription delivered position pos or later.
func (c *collector) reached(pos uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.envs) > 0 && c.envs[len(c.envs)-1].Position >= pos
}

// subscription runs Subscribe on its own goroutine.
type subscription struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when Subscribe has returned err
	err    error
}

func (h *harness) subscribe(from uint64, handle func(store.Envelope) error) *subscription {
	ctx, cancel := context.WithCancel(h.ctx)
	sub := &subscription{cancel: cancel, done: make(chan struct{})}
	s := h.s
	go func() {
		sub.err = s.Subscribe(ctx, from, handle)
		close(sub.done)
	}()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-sub.done:
		case <-time.After(waitTimeout):
		}
	})
	return sub
}

// wait returns what Subscribe returned, failing if it does not return in time.
func (sub *subscription) wait(h *harness, what string) error {
	h.t.Helper()
	select {
	case <-sub.done:
		return sub.err
	case <-time.After(waitTimeout):
		h.t.Fatalf("%s: Subscribe did not return within %v", what, waitTimeout)
		return nil
	}
}

// waitFor waits until c has delivered position pos.
func (h *harness) waitFor(c *collector, pos uint64, what string) {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !c.reached(pos) {
		if time.Now().After(deadline) {
			got, _ := c.snapshot()
			h.t.Fatalf("%s: position %d not delivered within %v (%d events delivered)", what, pos, waitTimeout, len(got))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// testSubscribeCatchUp: two subscriptions (from 0 and from a middle
// position) start while 4 goroutines append; once the writers are done, each
// has delivered every event exactly once, in position order, identical to
// ReadAll afterwards; then five single appends each arrive live.
func testSubscribeCatchUp(h *harness) {
	t := h.t
	for i := 0; i < 10; i++ {
		h.append(fmt.Sprintf("family-pre-%d", i%4), store.AnyVersion, h.events(3, "Pre")...)
	}
	pre := h.readAll(0)
	fromB := pre[10].Position

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	start := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			<-start
			for i := 0; i < 20; i++ {
				stream := fmt.Sprintf("family-sub-%d", w)
				if i%3 == 0 {
					stream = "family-sub-shared"
				}
				if _, err := h.s.Append(h.ctx, stream, store.AnyVersion, h.events(1+i%2, "Live")); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	close(start)
	var a, b collector
	subA := h.subscribe(0, a.handle)
	subB := h.subscribe(fromB, b.handle)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	head := h.head()
	h.waitFor(&a, head, "subscription from 0")
	h.waitFor(&b, head, fmt.Sprintf("subscription from %d", fromB))
	for i := 0; i < 5; i++ {
		res := h.append("family-sub-late", store.AnyVersion, h.events(1, "Late")...)
		h.waitFor(&a, res.LastPosition, "live event")
	}
	head = h.head()
	h.waitFor(&b, head, "live event from the middle")
	subA.cancel()
	subB.cancel()
	for _, sub := range []*subscription{subA, subB} {
		if err := sub.wait(h, "cancel"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Subscribe after cancel returned %v, want context.Canceled", err)
		}
	}

	// 30 before, 4 writers x 30, 5 late; the second subscription skips 10.
	for _, c := range []struct {
		name  string
		col   *collector
		from  uint64
		total int
	}{{"from 0", &a, 0, 155}, {fmt.Sprintf("from %d", fromB), &b, fromB, 145}} {
		got, problem := c.col.snapshot()
		if problem != "" {
			t.Fatalf("subscription %s: %s", c.name, problem)
		}
		want := h.readAll(c.from)
		if len(want) != c.total {
			t.Fatalf("ReadAll %s: %d events, want %d", c.name, len(want), c.total)
		}
		sameEnvelopes(t, "subscription "+c.name, got, want)
	}
}

// testSubscribeEnds: Subscribe returns context.Canceled when its context is
// cancelled while it waits live; returns the handler's error (wrapped) after
// exactly the events handled; and a subscription from past the head delivers
// only the events appended after it started.
func testSubscribeEnds(h *harness) {
	t := h.t

	idle := h.subscribe(0, func(store.Envelope) error { return nil })
	time.Sleep(50 * time.Millisecond)
	idle.cancel()
	if err := idle.wait(h, "cancel while live"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe cancelled while live returned %v, want context.Canceled", err)
	}

	for i := 0; i < 5; i++ {
		h.append("family-ends", store.AnyVersion, h.events(1, "E")...)
	}
	stop := errors.New("handler says stop")
	calls := 0
	sub := h.subscribe(0, func(store.Envelope) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if err := sub.wait(h, "handler error"); !errors.Is(err, stop) {
		t.Fatalf("Subscribe whose handler failed returned %v, want the handler's error", err)
	}
	if calls != 3 {
		t.Fatalf("handler called %d times after it returned an error on call 3", calls)
	}

	from := h.head() + 1
	var c collector
	tail := h.subscribe(from, c.handle)
	time.Sleep(20 * time.Millisecond)
	r := h.append("family-ends", store.AnyVersion, h.events(2, "After")...)
	h.waitFor(&c, r.LastPosition, "subscription from past the head")
	tail.cancel()
	if err := tail.wait(h, "cancel"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe after cancel returned %v", err)
	}
	got, problem := c.snapshot()
	if problem != "" {
		t.Fatal(problem)
	}
	sameEnvelopes(t, "subscription from past the head", got, h.readAll(from))
	if len(got) != 2 {
		t.Fatalf("subscription from past the head delivered %d events, want 2", len(got))
	}
}

// testClosed: Close ends a live subscription with store.ErrClosed; Append
// after Close returns store.ErrClosed; a second Close returns nil or
// store.ErrClosed.
func testClosed(h *harness) {
	t := h.t
	h.append("family-closed", store.NoStream, h.events(2, "E")...)
	var c collector
	sub := h.subscribe(0, c.handle)
	h.waitFor(&c, h.head(), "before close")
	if err := h.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	h.closed = true
	if err := sub.wait(h, "close"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Subscribe when the store closed returned %v, want ErrClosed", err)
	}
	if _, err := h.s.Append(h.ctx, "family-closed", store.AnyVersion, h.events(1, "E")); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Append after Close: %v, want ErrClosed", err)
	}
	if err := h.s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		t.Fatalf("second Close: %v, want nil or ErrClosed", err)
	}
}
