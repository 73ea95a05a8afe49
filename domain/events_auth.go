package domain

import (
	"encoding/hex"
	"strings"
	"time"
)

// Authentication events: bearer tokens on a staff member's stream
// (staff-<id>) and failed logins on the security stream.
//
// A failed login is recorded on the one SecurityStream, appended with
// AnyVersion, for known and unknown logins alike: a password-guessing
// attack then never contends with the staff member's own stream (no version
// conflicts, no retries, the staff stream stays short), and the privacy
// officer reads one stream. The event names the staff member when the login
// was theirs (UserID); an unknown login is kept only as a keyed hash
// (LoginHash), so repeated tries of the same name can be seen without the
// typed text, which may be a mistyped password or someone's name. The
// client address is kept as its class and a keyed hash, never in clear.

// SecurityStream holds the team's security events (failed logins).
const SecurityStream = "security"

// StreamSecurity is the kind of the security stream.
const StreamSecurity StreamKind = "security"

// Event type names of the authentication events.
const (
	TypeTokenIssued  = "TokenIssued"
	TypeTokenRevoked = "TokenRevoked"
	TypeLoginFailed  = "LoginFailed"
)

// TokenIssued records a bearer token issued to the staff member of the
// stream. Hash is the hex SHA-256 of the random token text; the token itself
// is shown once to whoever asked for it and never recorded.
type TokenIssued struct {
	TokenID   string    `json:"token_id"`
	Hash      string    `json:"hash"`
	Label     string    `json:"label"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	By        StaffID   `json:"by"`
}

// TokenRevoked records that a token stopped working before it expired.
type TokenRevoked struct {
	TokenID string  `json:"token_id"`
	Date    Date    `json:"date"`
	By      StaffID `json:"by"`
}

// Failed-login reasons.
const (
	LoginUnknown     = "unknown_login"
	LoginBadPassword = "bad_password"
	LoginDisabled    = "disabled"
	LoginThrottled   = "throttled"
)

// Client address classes of a failed login.
const (
	AddrLoopback = "loopback"
	AddrPrivate  = "private"
	AddrPublic   = "public"
	AddrUnknown  = "unknown"
)

// LoginFailed records a failed login on the SecurityStream. Exactly one of
// UserID (the login named a known staff member) and LoginHash (a keyed hash
// of an unknown login, hex) is set. No password and no login text is kept.
type LoginFailed struct {
	UserID    StaffID   `json:"user_id,omitempty"`
	LoginHash string    `json:"login_hash,omitempty"`
	AddrClass string    `json:"addr_class"`
	AddrHash  string    `json:"addr_hash,omitempty"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// EventType returns "TokenIssued".
func (TokenIssued) EventType() string { return TypeTokenIssued }

// EventType returns "TokenRevoked".
func (TokenRevoked) EventType() string { return TypeTokenRevoked }

// EventType returns "LoginFailed".
func (LoginFailed) EventType() string { return TypeLoginFailed }

// IssuedToken is a token as folded on a staff member's stream.
type IssuedToken struct {
	ID        string
	Hash      string
	Label     string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   bool
}

// MaxTokenLabel bounds a token's label.
const MaxTokenLabel = 100

// IssueToken issues a bearer token to the staff member of the stream.
// Hash is the hex SHA-256 (64 lower-case hex digits) of the token, never the
// token; ExpiresAt must lie after Now (tokens expire: at most MaxTokenLife).
// Rules: staff.not_found, token.hash (not a SHA-256 in hex), field.invalid
// (label), token.expiry, staff.inactive, token.exists (id or hash reused:
// conflict).
type IssueToken struct {
	TokenID   string
	Hash      string
	Label     string
	ExpiresAt time.Time
	By        StaffID
}

// MaxTokenLife bounds how long a token may live.
const MaxTokenLife = 366 * 24 * time.Hour

// RevokeToken revokes one of the staff member's tokens. Rules:
// staff.not_found, token.not_found (unknown token id), token.revoked
// (already revoked: conflict).
type RevokeToken struct {
	TokenID string
	Date    Date
	By      StaffID
}

func validTokenHash(h string) bool {
	if len(h) != 64 || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

func (c IssueToken) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.id("token_id", c.TokenID)
	if !validTokenHash(c.Hash) {
		k.fail(ruleErr("token.hash", "hash", "the SHA-256 of the token (64 hex digits) is required, never the token"))
	}
	if strings.TrimSpace(c.Label) == "" || len(c.Label) > MaxTokenLabel {
		k.fail(ruleErr("field.invalid", "label", "a label of 1 to %d bytes says what the token is for", MaxTokenLabel))
	}
	if !c.ExpiresAt.After(env.Now) || c.ExpiresAt.Sub(env.Now) > MaxTokenLife {
		k.fail(ruleErr("token.expiry", "expires_at", "a token expires after now and within a year"))
	}
	k.id("by", string(c.By))
	if k.ok() && !s.Active {
		k.fail(ruleErr("staff.inactive", "staff_id", "a deactivated staff member gets no tokens"))
	}
	if k.ok() {
		if _, ok := s.Tokens[c.TokenID]; ok {
			k.fail(conflict("token.exists", "token_id", "a token with this id was already issued"))
		}
		for _, t := range s.Tokens {
			if t.Hash == c.Hash {
				k.fail(conflict("token.exists", "hash", "a token with this hash was already issued"))
				break
			}
		}
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{TokenIssued{TokenID: c.TokenID, Hash: c.Hash, Label: c.Label, IssuedAt: env.Now.UTC(), ExpiresAt: c.ExpiresAt.UTC(), By: c.By}}, nil
}

func (c RevokeToken) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.id("token_id", c.TokenID)
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if !k.ok() {
		return nil, k.result()
	}
	t, ok := s.Tokens[c.TokenID]
	if !ok {
		return nil, notFound("token.not_found", "token_id", "no such token")
	}
	if t.Revoked {
		return nil, conflict("token.revoked", "token_id", "the token is already revoked")
	}
	return []Event{TokenRevoked{TokenID: c.TokenID, Date: c.Date, By: c.By}}, nil
}

// applyToken folds the token events of a staff stream.
func (s *Staff) applyToken(e Event) {
	switch e := e.(type) {
	case TokenIssued:
		if s.Tokens == nil {
			s.Tokens = map[string]IssuedToken{}
		}
		s.Tokens[e.TokenID] = IssuedToken{ID: e.TokenID, Hash: e.Hash, Label: e.Label, IssuedAt: e.IssuedAt, ExpiresAt: e.ExpiresAt}
	case TokenRevoked:
		if t, ok := s.Tokens[e.TokenID]; ok {
			t.Revoked = true
			s.Tokens[e.TokenID] = t
		}
	}
}

// RecordLoginFailure is a failed login to record on the SecurityStream.
type RecordLoginFailure struct {
	UserID    StaffID
	LoginHash string
	AddrClass string
	AddrHash  string
	Reason    string
	At        time.Time
}

func validHexHash(h string) bool {
	if len(h) < 16 || len(h) > 64 || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// DecideLoginFailure checks a failed login and returns its LoginFailed
// event, or a *RuleError naming the field at fault: exactly one of UserID
// and LoginHash (16 to 64 lower-case hex digits), a known address class, an
// optional hex address hash, a known reason, a set instant. Rules:
// login.identity (login_hash), field.invalid, field.required.
func DecideLoginFailure(c RecordLoginFailure) (Event, error) {
	var k checker
	switch {
	case c.UserID != "" && c.LoginHash != "":
		k.fail(ruleErr("login.identity", "login_hash", "a failed login names a user or a login hash, not both"))
	case c.UserID != "":
		k.id("user_id", string(c.UserID))
	case !validHexHash(c.LoginHash):
		k.fail(ruleErr("login.identity", "login_hash", "a failed login of an unknown user is kept as a keyed hash (hex), never as text"))
	}
	switch c.AddrClass {
	case AddrLoopback, AddrPrivate, AddrPublic, AddrUnknown:
	default:
		k.fail(ruleErr("field.invalid", "addr_class", "the address class is loopback, private, public or unknown"))
	}
	if c.AddrHash != "" && !validHexHash(c.AddrHash) {
		k.fail(ruleErr("field.invalid", "addr_hash", "the address is kept as a keyed hash (hex), never in clear"))
	}
	switch c.Reason {
	case LoginUnknown, LoginBadPassword, LoginDisabled, LoginThrottled:
	default:
		k.fail(ruleErr("field.invalid", "reason", "the reason is unknown_login, bad_password, disabled or throttled"))
	}
	if c.At.IsZero() {
		k.fail(ruleErr("field.required", "at", "the instant of the failed login is required"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return LoginFailed{UserID: c.UserID, LoginHash: c.LoginHash, AddrClass: c.AddrClass, AddrHash: c.AddrHash, Reason: c.Reason, At: c.At.UTC()}, nil
}
