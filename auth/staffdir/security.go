package staffdir

import (
	"context"
	"fmt"
	"sync"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/store"
)

// MaxLoginFailures is how many failed logins the directory keeps in memory
// for LoginFailures; older ones stay in the log.
const MaxLoginFailures = 10_000

func (d *Directory) applySecurity(ctx context.Context, env store.Envelope) error {
	if env.Type != domain.TypeLoginFailed {
		return nil
	}
	o, err := d.sealer.Open(ctx, env.Data)
	if err != nil {
		return fmt.Errorf("staff directory: %s version %d: %w", env.Stream, env.Version, err)
	}
	ev, err := domain.Decode(env.Type, o.Public, nil)
	if err != nil {
		return fmt.Errorf("staff directory: %s version %d: %w", env.Stream, env.Version, err)
	}
	e := ev.(domain.LoginFailed)
	f := auth.FailedLogin{Position: env.Position, UserID: string(e.UserID), LoginHash: e.LoginHash, AddrClass: e.AddrClass, AddrHash: e.AddrHash, Reason: e.Reason, At: e.At}
	d.failMu.Lock()
	d.failures = append(d.failures, f)
	if n := len(d.failures); n > MaxLoginFailures {
		d.failures = append(d.failures[:0], d.failures[n-MaxLoginFailures:]...)
	}
	d.failMu.Unlock()
	return nil
}

// LoginFailures returns the most recent failed logins at or after since
// (zero: any), newest first, at most limit (all when limit <= 0), from the
// last MaxLoginFailures read.
func (d *Directory) LoginFailures(since time.Time, limit int) []auth.FailedLogin {
	d.failMu.RLock()
	defer d.failMu.RUnlock()
	out := []auth.FailedLogin{}
	for i := len(d.failures) - 1; i >= 0; i-- {
		f := d.failures[i]
		if !since.IsZero() && f.At.Before(since) {
			continue
		}
		out = append(out, f)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// SecurityLog appends failed logins to the security stream
// (domain.SecurityStream) with AnyVersion: many failures at once never
// conflict. Its Record method is an auth.Config.OnLoginFailure. Build it
// with NewSecurityLog; it is safe for concurrent use.
//
// Attempts refused by the throttle cost an attacker no password check, so
// they are recorded at most once per ThrottledEvery for the same login and
// address (the metrics still count every one): a locked-out client cannot
// flood the log.
type SecurityLog struct {
	st     store.Appender
	sealer *store.Sealer
	newID  func() string

	mu        sync.Mutex
	throttled map[string]time.Time // login|address pseudonyms -> last recorded
}

// ThrottledEvery is how often a throttled attempt of one login from one
// address is recorded.
const ThrottledEvery = time.Minute

// NewSecurityLog returns a SecurityLog appending to st, encoding payloads
// with sealer (failed logins have no sealed part) and naming events with
// newID.
func NewSecurityLog(st store.Appender, sealer *store.Sealer, newID func() string) *SecurityLog {
	return &SecurityLog{st: st, sealer: sealer, newID: newID, throttled: map[string]time.Time{}}
}

// skipThrottled reports whether a throttled attempt was recorded recently.
func (l *SecurityLog) skipThrottled(f auth.LoginFailure) bool {
	key := f.UserID + "|" + f.LoginHash + "|" + f.AddrHash
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.throttled[key]; ok && f.At.Sub(last) < ThrottledEvery && !f.At.Before(last) {
		return true
	}
	if len(l.throttled) >= 10_000 {
		for k, t := range l.throttled {
			if f.At.Sub(t) >= ThrottledEvery {
				delete(l.throttled, k)
			}
		}
		if len(l.throttled) >= 10_000 {
			clear(l.throttled)
		}
	}
	l.throttled[key] = f.At
	return false
}

// Record appends f as a LoginFailed event (a throttled attempt only when
// none of the same login and address was recorded in the last
// ThrottledEvery). f.Addr is never stored, only its class and pseudonym;
// an unknown login only as its pseudonym. It
// returns a *domain.RuleError for a malformed failure and the store's error
// (wrapped) when the append fails.
func (l *SecurityLog) Record(ctx context.Context, f auth.LoginFailure) error {
	ev, err := domain.DecideLoginFailure(domain.RecordLoginFailure{
		UserID: domain.StaffID(f.UserID), LoginHash: f.LoginHash, AddrClass: f.AddrClass, AddrHash: f.AddrHash, Reason: f.Reason, At: f.At,
	})
	if err != nil {
		return err
	}
	if f.Reason == domain.LoginThrottled && l.skipThrottled(f) {
		return nil
	}
	enc, err := domain.Encode(ev)
	if err != nil {
		return err
	}
	data, err := l.sealer.Seal(ctx, domain.SecurityStream, enc.Public, nil)
	if err != nil {
		return fmt.Errorf("seal %s: %w", enc.Type, err)
	}
	actor := store.Actor{UserID: f.UserID, Role: "anonymous"}
	if f.UserID == "" {
		actor.UserID = "anonymous"
	}
	_, err = l.st.Append(ctx, domain.SecurityStream, store.AnyVersion, []store.Event{{ID: l.newID(), Type: enc.Type, Actor: actor, RecordedAt: f.At.UTC(), Data: data}})
	if err != nil {
		return fmt.Errorf("append to %s: %w", domain.SecurityStream, err)
	}
	return nil
}
