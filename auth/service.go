package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"spoor/ops"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "spoor_session"

// Method is how a request proved its identity.
type Method string

// The authentication methods.
const (
	MethodSession Method = "session" // session cookie from a password login
	MethodToken   Method = "token"   // bearer token
)

// Identity is who made a request and how they proved it.
type Identity struct {
	User   User
	Method Method
	// Session is the browser session (MethodSession only).
	Session Session
	// TokenID is the id of the bearer token used (MethodToken only).
	TokenID string
}

// Authenticator says who made a request. It is the one seam through which
// every request is authenticated; another identity provider (OIDC) plugs in
// by implementing it or by starting sessions of its own.
type Authenticator interface {
	// Authenticate returns the identity of the caller of r. It returns
	// ErrUnauthenticated when r carries no credentials, ErrBadCredentials
	// when they are not valid (unknown, expired, revoked, disabled user),
	// and other errors (wrapped) when the directory fails.
	Authenticate(r *http.Request) (Identity, error)
}

// LoginFailure is a failed login, reported so that it can be recorded as an
// event and counted. It holds no password and no login text typed by the
// caller: the user id when the login named a known user, else a keyed hash
// of the login (Pseudonym under Config.PseudonymKey).
type LoginFailure struct {
	// UserID is the user whose login was tried, "" when none matched.
	UserID string
	// LoginHash is the pseudonym of the normalised login when UserID is "".
	LoginHash string
	// Addr is the client address the attempt came from. Do not record it:
	// record AddrClass and AddrHash.
	Addr string
	// AddrClass is the class of Addr (AddrClass); AddrHash its pseudonym
	// (without the port).
	AddrClass, AddrHash string
	// Reason is unknown_login, bad_password, disabled or throttled.
	Reason string
	// At is when it happened.
	At time.Time
}

// Config holds what a Service needs. Directory, Sessions and Throttle are
// required.
type Config struct {
	Directory Directory
	Sessions  *Sessions
	Throttle  *Throttle
	// Argon2 are the parameters of the dummy hash checked for unknown logins
	// (so that their timing matches a real check). Use the parameters new
	// passwords are hashed with.
	Argon2 Argon2Params
	// Metrics counts failed logins; may be nil.
	Metrics *ops.Metrics
	// OnLoginFailure, if set, is called for every failed login (for example
	// to append it to the log). Its error is returned by Login wrapped, after
	// the failure has been counted: a failure that cannot be recorded is not
	// silently dropped.
	OnLoginFailure func(context.Context, LoginFailure) error
	// PseudonymKey keys the hashes of unknown logins and client addresses
	// in LoginFailure (at least 32 bytes). When empty, NewService draws a
	// random key from Rand: pseudonyms then differ after a restart.
	PseudonymKey []byte
	// Now is the clock; Rand the source of randomness for the dummy hash.
	Now  func() time.Time
	Rand io.Reader
	// MaxHashing bounds how many password checks run at once (each takes
	// Argon2.Memory of memory), so a flood of logins cannot exhaust the
	// server's memory; more wait their turn. Default 4.
	MaxHashing int
}

// Service authenticates staff: password logins with throttling, session
// cookies and bearer tokens. It implements Authenticator and is safe for
// concurrent use.
type Service struct {
	cfg     Config
	hashing chan struct{}

	dummyOnce sync.Once
	dummy     string
}

// NewService returns a Service over cfg.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxHashing <= 0 {
		cfg.MaxHashing = 4
	}
	if len(cfg.PseudonymKey) == 0 {
		rnd := cfg.Rand
		if rnd == nil {
			rnd = rand.Reader
		}
		cfg.PseudonymKey = make([]byte, 32)
		if _, err := io.ReadFull(rnd, cfg.PseudonymKey); err != nil {
			// Without randomness the key is fixed, so pseudonyms still
			// never hold the text; they are only guessable offline.
			copy(cfg.PseudonymKey, "spoor pseudonym key without entropy")
		}
	}
	return &Service{cfg: cfg, hashing: make(chan struct{}, cfg.MaxHashing)}
}

// hashSlot waits for a free password-checking slot; release it with the
// returned func. It returns ctx.Err() if ctx ends first.
func (s *Service) hashSlot(ctx context.Context) (func(), error) {
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Sessions returns the session table.
func (s *Service) Sessions() *Sessions { return s.cfg.Sessions }

// Directory returns the directory users are looked up in.
func (s *Service) Directory() Directory { return s.cfg.Directory }

// Login checks a login and password typed by a person at client address
// addr and returns the user. Failures are counted, reported to
// OnLoginFailure and counted by the throttle. Errors: a *ThrottledError
// (wrapping ErrThrottled) while the login or the address is locked, even for
// the right password; ErrBadCredentials for an unknown login, a wrong
// password, a user without a password or a disabled user, without saying
// which; other errors (wrapped) when the directory or OnLoginFailure fails.
func (s *Service) Login(ctx context.Context, login, password, addr string) (User, error) {
	login = NormalizeLogin(login)
	if err := s.cfg.Throttle.Check(login, addr); err != nil {
		userID := ""
		if u, lerr := s.cfg.Directory.UserByLogin(ctx, login); lerr == nil {
			userID = u.ID
		}
		if ferr := s.fail(ctx, userID, login, addr, "throttled", false); ferr != nil {
			return User{}, ferr
		}
		return User{}, err
	}
	release, err := s.hashSlot(ctx)
	if err != nil {
		return User{}, err
	}
	defer release()
	u, err := s.cfg.Directory.UserByLogin(ctx, login)
	if errors.Is(err, ErrUserNotFound) || ValidateLogin(login) != nil {
		s.burn(password)
		return User{}, s.badCredentials(ctx, "", login, addr, "unknown_login")
	}
	if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	if u.Disabled || u.PasswordHash == "" {
		s.burn(password)
		return User{}, s.badCredentials(ctx, u.ID, login, addr, "disabled")
	}
	ok, err := VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return User{}, fmt.Errorf("login of user %s: %w", u.ID, err)
	}
	if !ok {
		return User{}, s.badCredentials(ctx, u.ID, login, addr, "bad_password")
	}
	s.cfg.Throttle.Succeed(login)
	return u, nil
}

func (s *Service) badCredentials(ctx context.Context, userID, login, addr, reason string) error {
	if err := s.fail(ctx, userID, login, addr, reason, true); err != nil {
		return err
	}
	return ErrBadCredentials
}

func (s *Service) fail(ctx context.Context, userID, login, addr, reason string, count bool) error {
	if count {
		s.cfg.Throttle.Fail(login, addr)
	}
	s.cfg.Metrics.ObserveLoginFailure(reason)
	if s.cfg.OnLoginFailure != nil {
		f := LoginFailure{UserID: userID, Addr: addr, Reason: reason, At: s.cfg.Now(),
			AddrClass: AddrClass(addr), AddrHash: Pseudonym(s.cfg.PseudonymKey, "addr", addrHost(addr))}
		if userID == "" {
			f.LoginHash = Pseudonym(s.cfg.PseudonymKey, "login", login)
		}
		if err := s.cfg.OnLoginFailure(ctx, f); err != nil {
			return fmt.Errorf("record failed login: %w", err)
		}
	}
	return nil
}

// burn checks password against a dummy hash, so an unknown login costs as
// much time as a known one.
func (s *Service) burn(password string) {
	s.dummyOnce.Do(func() {
		p := s.cfg.Argon2
		if p.Memory == 0 {
			p = DefaultArgon2Params()
		}
		rnd := s.cfg.Rand
		if rnd == nil {
			rnd = zeroReader{}
		}
		s.dummy, _ = HashPassword("spoor dummy password", p, rnd)
	})
	if s.dummy != "" {
		_, _ = VerifyPassword(s.dummy, password)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Authenticate implements Authenticator: a bearer token in the
// Authorization header, else the session cookie.
func (s *Service) Authenticate(r *http.Request) (Identity, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok := bearerToken(h)
		if tok == "" {
			return Identity{}, ErrBadCredentials
		}
		t, u, err := s.cfg.Directory.TokenByHash(ctx, HashToken(tok))
		if errors.Is(err, ErrTokenNotFound) {
			return Identity{}, ErrBadCredentials
		}
		if err != nil {
			return Identity{}, fmt.Errorf("authenticate token: %w", err)
		}
		if t.Expired(s.cfg.Now()) || u.Disabled {
			return Identity{}, ErrBadCredentials
		}
		return Identity{User: u, Method: MethodToken, TokenID: t.ID}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return Identity{}, ErrUnauthenticated
	}
	sess, err := s.cfg.Sessions.Lookup(c.Value)
	if err != nil {
		return Identity{}, err
	}
	u, err := s.cfg.Directory.UserByID(ctx, sess.UserID)
	if errors.Is(err, ErrUserNotFound) {
		s.cfg.Sessions.Delete(c.Value)
		return Identity{}, ErrBadCredentials
	}
	if err != nil {
		return Identity{}, fmt.Errorf("authenticate session: %w", err)
	}
	if u.Disabled {
		s.cfg.Sessions.Delete(c.Value)
		return Identity{}, ErrBadCredentials
	}
	return Identity{User: u, Method: MethodSession, Session: sess}, nil
}
