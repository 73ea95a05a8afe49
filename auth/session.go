package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrTooManySessions: the session table is full; no new session was made.
var ErrTooManySessions = errors.New("too many open sessions")

// SessionOptions configure a Sessions table.
type SessionOptions struct {
	// Idle ends a session not used for this long.
	Idle time.Duration
	// Lifetime ends a session this long after login, used or not.
	Lifetime time.Duration
	// Max bounds the number of open sessions.
	Max int
}

// DefaultSessionOptions returns an idle timeout of 30 minutes, a lifetime of
// 12 hours (a working day) and room for 100,000 sessions.
func DefaultSessionOptions() SessionOptions {
	return SessionOptions{Idle: 30 * time.Minute, Lifetime: 12 * time.Hour, Max: 100_000}
}

// Session is a logged-in browser session.
type Session struct {
	// ID identifies the session in logs and events: the first 16 hex digits
	// of the SHA-256 of the cookie, so it cannot be turned into a cookie.
	ID string
	// UserID is who logged in.
	UserID string
	// CSRF is the token state-changing requests of this session must carry.
	CSRF      string
	CreatedAt time.Time
	LastSeen  time.Time
}

// Sessions is a server-side session table kept in memory, keyed by the
// SHA-256 of the cookie value. It is safe for concurrent use. A restart
// empties it.
type Sessions struct {
	opts SessionOptions
	rand io.Reader
	now  func() time.Time

	mu      sync.Mutex
	byHash  map[[32]byte]*Session
	creates int
}

// NewSessions returns an empty table. rand is the source of cookie values
// and CSRF tokens (crypto/rand.Reader in production); now is the clock.
func NewSessions(opts SessionOptions, rand io.Reader, now func() time.Time) *Sessions {
	return &Sessions{opts: opts, rand: rand, now: now, byHash: make(map[[32]byte]*Session)}
}

// Create opens a session for userID and returns the cookie value (shown only
// to the browser) and the session. It fails with ErrTooManySessions when
// the table is full of live sessions.
func (s *Sessions) Create(userID string) (string, Session, error) {
	raw := make([]byte, 64)
	if _, err := io.ReadFull(s.rand, raw); err != nil {
		return "", Session{}, fmt.Errorf("new session: %w", err)
	}
	cookie := base64.RawURLEncoding.EncodeToString(raw[:32])
	h := sha256.Sum256([]byte(cookie))
	now := s.now()
	sess := &Session{
		ID:        fmt.Sprintf("%x", h[:8]),
		UserID:    userID,
		CSRF:      base64.RawURLEncoding.EncodeToString(raw[32:]),
		CreatedAt: now,
		LastSeen:  now,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creates++
	if len(s.byHash) >= s.opts.Max || s.creates%1024 == 0 {
		s.sweepLocked(now)
	}
	if len(s.byHash) >= s.opts.Max {
		return "", Session{}, ErrTooManySessions
	}
	s.byHash[h] = sess
	return cookie, *sess, nil
}

// Lookup returns the live session of a cookie value and marks it used. It
// returns ErrBadCredentials for an unknown, idle or expired session (and
// forgets the latter two).
func (s *Sessions) Lookup(cookie string) (Session, error) {
	h := sha256.Sum256([]byte(cookie))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byHash[h]
	if !ok {
		return Session{}, ErrBadCredentials
	}
	if s.expired(sess, now) {
		delete(s.byHash, h)
		return Session{}, ErrBadCredentials
	}
	sess.LastSeen = now
	return *sess, nil
}

// Delete ends the session of a cookie value; unknown values are ignored.
func (s *Sessions) Delete(cookie string) {
	h := sha256.Sum256([]byte(cookie))
	s.mu.Lock()
	delete(s.byHash, h)
	s.mu.Unlock()
}

// DeleteUser ends every session of userID (after a password change, or when
// the user is disabled) and returns how many it ended.
func (s *Sessions) DeleteUser(userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for h, sess := range s.byHash {
		if sess.UserID == userID {
			delete(s.byHash, h)
			n++
		}
	}
	return n
}

// Len returns the number of sessions held, live or not yet swept.
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byHash)
}

func (s *Sessions) expired(sess *Session, now time.Time) bool {
	return now.Sub(sess.LastSeen) >= s.opts.Idle || now.Sub(sess.CreatedAt) >= s.opts.Lifetime
}

func (s *Sessions) sweepLocked(now time.Time) {
	for h, sess := range s.byHash {
		if s.expired(sess, now) {
			delete(s.byHash, h)
		}
	}
}

// CheckCSRF compares a CSRF token sent with a request against the
// session's, in constant time. It returns ErrCSRF when they differ or the
// token is missing.
func (sess Session) CheckCSRF(sent string) error {
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(sess.CSRF)) != 1 {
		return ErrCSRF
	}
	return nil
}
