package auth

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// MemDirectory is a Directory held in memory, filled by whoever folds the
// staff events of the log (the staff read model) or by a test. It stores
// nothing on disk. The zero value is not usable; call NewMemDirectory.
// It is safe for concurrent use.
type MemDirectory struct {
	mu      sync.RWMutex
	byID    map[string]User
	byLogin map[string]string    // login -> id
	tokens  map[TokenHash]Token  // live tokens
	tokenID map[string]TokenHash // token id -> hash
}

// NewMemDirectory returns an empty directory.
func NewMemDirectory() *MemDirectory {
	return &MemDirectory{
		byID:    make(map[string]User),
		byLogin: make(map[string]string),
		tokens:  make(map[TokenHash]Token),
		tokenID: make(map[string]TokenHash),
	}
}

// PutUser adds u or replaces the user with u.ID. It fails with
// ErrInvalidUser for a malformed record and ErrLoginTaken when another user
// has u.Login; then nothing changes.
func (d *MemDirectory) PutUser(u User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.byLogin[u.Login]; ok && id != u.ID {
		return fmt.Errorf("user %s: %w", u.ID, ErrLoginTaken)
	}
	if old, ok := d.byID[u.ID]; ok && old.Login != u.Login {
		delete(d.byLogin, old.Login)
	}
	d.byID[u.ID] = u
	d.byLogin[u.Login] = u.ID
	return nil
}

// PutToken adds a live token. It fails with ErrInvalidUser when the token
// has no id, its user is unknown, or its id is taken by another hash.
func (d *MemDirectory) PutToken(t Token) error {
	if t.ID == "" || len(t.ID) > 100 {
		return fmt.Errorf("%w: token id must be 1 to 100 bytes", ErrInvalidUser)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.byID[t.UserID]; !ok {
		return fmt.Errorf("%w: token %s names an unknown user", ErrInvalidUser, t.ID)
	}
	if h, ok := d.tokenID[t.ID]; ok && h != t.Hash {
		return fmt.Errorf("%w: token id %s is already used", ErrInvalidUser, t.ID)
	}
	d.tokens[t.Hash] = t
	d.tokenID[t.ID] = t.Hash
	return nil
}

// RevokeToken removes the token with id; unknown ids are ignored.
func (d *MemDirectory) RevokeToken(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if h, ok := d.tokenID[id]; ok {
		delete(d.tokens, h)
		delete(d.tokenID, id)
	}
}

// Users returns every user, ordered by login.
func (d *MemDirectory) Users() []User {
	d.mu.RLock()
	out := make([]User, 0, len(d.byID))
	for _, u := range d.byID {
		out = append(out, u)
	}
	d.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out
}

// Tokens returns the live tokens of user id, oldest first.
func (d *MemDirectory) Tokens(userID string) []Token {
	d.mu.RLock()
	var out []Token
	for _, t := range d.tokens {
		if t.UserID == userID {
			out = append(out, t)
		}
	}
	d.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// UserByLogin implements Directory.
func (d *MemDirectory) UserByLogin(ctx context.Context, login string) (User, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.byLogin[login]
	if !ok {
		return User{}, ErrUserNotFound
	}
	return d.byID[id], nil
}

// UserByID implements Directory.
func (d *MemDirectory) UserByID(ctx context.Context, id string) (User, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.byID[id]
	if !ok {
		return User{}, fmt.Errorf("user %s: %w", id, ErrUserNotFound)
	}
	return u, nil
}

// TokenByHash implements Directory.
func (d *MemDirectory) TokenByHash(ctx context.Context, hash TokenHash) (Token, User, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, ok := d.tokens[hash]
	if !ok {
		return Token{}, User{}, ErrTokenNotFound
	}
	u, ok := d.byID[t.UserID]
	if !ok {
		return Token{}, User{}, ErrTokenNotFound
	}
	return t, u, nil
}
