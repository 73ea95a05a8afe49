package demo

import (
	"sync"
	"time"
)

// Clock is a clock that Seed can set: pass its Now to ledger.New and the
// Clock itself in Options.Clock, so that every command of the plan is
// executed (and recorded) at its own instant of the simulated year. After
// Seed it keeps the last instant set; Release makes it follow the real time
// again. It is safe for concurrent use.
type Clock struct {
	mu    sync.Mutex
	fixed time.Time
	real  func() time.Time
}

// NewClock returns a clock that follows real (e.g. time.Now) until Set is
// called.
func NewClock(real func() time.Time) *Clock {
	if real == nil {
		real = time.Now
	}
	return &Clock{real: real}
}

// Now returns the instant set last, or the real time when none is set.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed.IsZero() {
		return c.real()
	}
	return c.fixed
}

// Set fixes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.fixed = t
	c.mu.Unlock()
}

// Release makes the clock follow the real time again.
func (c *Clock) Release() {
	c.mu.Lock()
	c.fixed = time.Time{}
	c.mu.Unlock()
}
