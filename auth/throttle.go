package auth

import (
	"fmt"
	"sync"
	"time"
)

// ThrottledError is a login refused because of earlier failures. It wraps
// ErrThrottled.
type ThrottledError struct {
	// RetryAfter is how long until a login may be tried again.
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: try again in %s", ErrThrottled, e.RetryAfter.Round(time.Second))
}

// Unwrap returns ErrThrottled.
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// ThrottleOptions configure login throttling.
type ThrottleOptions struct {
	// PerLogin failures within Window lock a login.
	PerLogin int
	// PerAddress failures within Window lock a client address (higher than
	// PerLogin: several users may share an address behind a NAT).
	PerAddress int
	// Window is how long a failure counts.
	Window time.Duration
	// Lockout is how long a locked login or address stays locked.
	Lockout time.Duration
}

// DefaultThrottleOptions returns 5 failures per login or 20 per address
// within 15 minutes, then a 15-minute lockout.
func DefaultThrottleOptions() ThrottleOptions {
	return ThrottleOptions{PerLogin: 5, PerAddress: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
}

// Throttle counts failed logins per login and per client address and locks
// either for a while once it has too many. It is kept in memory (a restart
// forgets it) and is safe for concurrent use.
//
// A locked login is refused even with the right password: that is what stops
// guessing. The price, that someone can lock a colleague out for
// Lockout, is why lockouts are short and every failure is recorded.
type Throttle struct {
	opts ThrottleOptions
	now  func() time.Time

	mu    sync.Mutex
	state map[string]*throttleState
	calls int
}

type throttleState struct {
	failures    int
	windowStart time.Time
	lockedUntil time.Time
}

// NewThrottle returns a throttle with opts and the clock now.
func NewThrottle(opts ThrottleOptions, now func() time.Time) *Throttle {
	return &Throttle{opts: opts, now: now, state: make(map[string]*throttleState)}
}

// Check returns a *ThrottledError if login or addr is locked now, nil
// otherwise. login is the normalised login typed, addr the client address.
func (t *Throttle) Check(login, addr string) error {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range []string{"l:" + login, "a:" + addr} {
		if st, ok := t.state[k]; ok && now.Before(st.lockedUntil) {
			wait = max(wait, st.lockedUntil.Sub(now))
		}
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// Fail records a failed login for login and addr and reports whether this
// failure locked either.
func (t *Throttle) Fail(login, addr string) bool {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	if t.calls%256 == 0 {
		t.sweepLocked(now)
	}
	locked := t.failLocked("l:"+login, t.opts.PerLogin, now)
	if t.failLocked("a:"+addr, t.opts.PerAddress, now) {
		locked = true
	}
	return locked
}

func (t *Throttle) failLocked(key string, limit int, now time.Time) bool {
	st, ok := t.state[key]
	if !ok || now.Sub(st.windowStart) >= t.opts.Window {
		st = &throttleState{windowStart: now}
		t.state[key] = st
	}
	st.failures++
	if st.failures >= limit {
		st.lockedUntil = now.Add(t.opts.Lockout)
		st.failures = 0
		st.windowStart = now
		return true
	}
	return false
}

// Succeed forgets the failures of login (not of addr: a success with one
// account does not excuse guesses at others from the same address).
func (t *Throttle) Succeed(login string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.state, "l:"+login)
}

func (t *Throttle) sweepLocked(now time.Time) {
	for k, st := range t.state {
		if now.Sub(st.windowStart) >= t.opts.Window && !now.Before(st.lockedUntil) {
			delete(t.state, k)
		}
	}
}
