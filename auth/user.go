package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of this package. Callers test them with errors.Is. Their texts
// never hold a password, a token or a login typed by a caller.
var (
	// ErrUserNotFound: the directory has no such user.
	ErrUserNotFound = errors.New("user not found")
	// ErrTokenNotFound: no live token has this hash.
	ErrTokenNotFound = errors.New("token not found")
	// ErrUnauthenticated: the request carries no credentials.
	ErrUnauthenticated = errors.New("not authenticated")
	// ErrBadCredentials: the login and password, the session or the token
	// are not valid (unknown, wrong, expired, revoked, or the user is
	// disabled). Which of these is deliberately not said.
	ErrBadCredentials = errors.New("invalid credentials")
	// ErrThrottled: too many failed logins; returned wrapped in a
	// *ThrottledError that says when to try again.
	ErrThrottled = errors.New("too many failed logins")
	// ErrCSRF: a state-changing request authenticated by a session cookie
	// lacks the session's CSRF token or carries another one.
	ErrCSRF = errors.New("missing or wrong CSRF token")
	// ErrInvalidUser: a user or token record is malformed (see
	// User.Validate). Nothing was stored.
	ErrInvalidUser = errors.New("invalid user")
	// ErrLoginTaken: another user already has this login.
	ErrLoginTaken = errors.New("login already taken")
)

// Role is what a staff member does in the team. The policy decides from it.
type Role string

// The roles of DOMAIN.md.
const (
	RoleCoach          Role = "coach"
	RoleCoordinator    Role = "coordinator"
	RolePrivacyOfficer Role = "privacy_officer"
	RoleBackOffice     Role = "back_office"
	RoleAdmin          Role = "admin"
)

// Roles lists every role, in a fixed order.
func Roles() []Role {
	return []Role{RoleCoach, RoleCoordinator, RolePrivacyOfficer, RoleBackOffice, RoleAdmin}
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, v := range Roles() {
		if r == v {
			return true
		}
	}
	return false
}

// ParseRole returns the role named s, or an error wrapping ErrInvalidUser.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("%w: role must be one of coach, coordinator, privacy_officer, back_office, admin", ErrInvalidUser)
	}
	return r, nil
}

// User is a staff account as the directory knows it.
type User struct {
	// ID is the opaque, stable user id (a UUID); it is what events and
	// access records name.
	ID string
	// Login is what the user types to log in, normalised by NormalizeLogin.
	Login string
	// Name is the display name. It is personal data: never log it.
	Name string
	// Roles are the roles the user holds (a coordinator may also coach).
	// The policy allows what any of them allows and records the role that
	// allowed it.
	Roles []Role
	// PasswordHash is an argon2id PHC string (see HashPassword), or "" when
	// the user cannot log in with a password.
	PasswordHash string
	// Disabled users cannot log in, and their sessions and tokens stop
	// working.
	Disabled bool
}

// MaxLoginLen bounds a login's length in bytes.
const MaxLoginLen = 64

// NormalizeLogin trims white space and lower-cases a login.
func NormalizeLogin(login string) string {
	return strings.ToLower(strings.TrimSpace(login))
}

// ValidateLogin checks a normalised login: 1 to MaxLoginLen bytes of a-z,
// 0-9, '.', '_', '-', '@'. Errors wrap ErrInvalidUser and do not repeat the
// login.
func ValidateLogin(login string) error {
	if login == "" {
		return fmt.Errorf("%w: login is empty", ErrInvalidUser)
	}
	if len(login) > MaxLoginLen {
		return fmt.Errorf("%w: login is longer than %d bytes", ErrInvalidUser, MaxLoginLen)
	}
	for i := 0; i < len(login); i++ {
		c := login[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
			return fmt.Errorf("%w: login may hold only a-z, 0-9, '.', '_', '-' and '@'", ErrInvalidUser)
		}
	}
	return nil
}

// Has reports whether u holds role r.
func (u User) Has(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Validate checks a user record: an id, a valid normalised login, valid
// roles (none is allowed: such a user sees nothing). Errors wrap
// ErrInvalidUser and name the field.
func (u User) Validate() error {
	if u.ID == "" || len(u.ID) > 100 {
		return fmt.Errorf("%w: id must be 1 to 100 bytes", ErrInvalidUser)
	}
	if u.Login != NormalizeLogin(u.Login) {
		return fmt.Errorf("%w: login is not normalised (lower case, no surrounding space)", ErrInvalidUser)
	}
	if err := ValidateLogin(u.Login); err != nil {
		return err
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			return fmt.Errorf("%w: roles must be among coach, coordinator, privacy_officer, back_office, admin", ErrInvalidUser)
		}
	}
	return nil
}

// Token is a bearer token record. The token itself is never kept, only
// Hash, its SHA-256 (see HashToken).
type Token struct {
	// ID is the token's opaque id, used to list and revoke it.
	ID string
	// UserID is whose token it is; the token acts with that user's role.
	UserID string
	// Hash is the SHA-256 of the token text.
	Hash TokenHash
	// Label says what the token is for (e.g. "export job"); no personal data.
	Label string
	// CreatedAt is when it was issued.
	CreatedAt time.Time
	// ExpiresAt is when it stops working; zero means never.
	ExpiresAt time.Time
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Directory is where auth looks staff up. The staff read model implements
// it by folding the staff events of the log; MemDirectory is the in-memory
// form such a fold fills.
//
// Implementations are safe for concurrent use and return copies the caller
// owns. Lookups of unknown users return ErrUserNotFound; of unknown or
// revoked token hashes, ErrTokenNotFound.
type Directory interface {
	// UserByLogin returns the user whose normalised login is login.
	UserByLogin(ctx context.Context, login string) (User, error)
	// UserByID returns the user with id.
	UserByID(ctx context.Context, id string) (User, error)
	// TokenByHash returns the live (not revoked) token with hash and its
	// user. Expiry is checked by the caller.
	TokenByHash(ctx context.Context, hash TokenHash) (Token, User, error)
}
