package store

import (
	"context"
	"fmt"
)

// MaxScopeLen bounds the length of a sealing scope name in bytes.
const MaxScopeLen = 200

// KeyStore keeps wrapped data keys, one per sealing scope, outside the
// immutable log. A scope is an opaque identifier such as "family-<uuid>"
// (see ValidateScope); it never holds personal data, so it may appear in
// error messages. The key store never sees a plain data key: it stores the
// bytes the Sealer gives it (a data key wrapped under the key-encryption key)
// and hands them back.
//
// Destroyed scopes are remembered for good (a tombstone): a destroyed scope
// never gets a key again, so data sealed before the destruction can never be
// read, whatever happens later.
//
// Implementations are safe for concurrent use. Every method returns ctx.Err()
// if ctx is done before it starts, ErrInvalidScope for a malformed scope, and
// ErrClosed after the store is closed.
type KeyStore interface {
	// PutIfAbsent stores wrapped as the key of scope unless the scope already
	// has one, and returns the wrapped key now stored: wrapped itself if this
	// call stored it, the earlier key otherwise (first writer wins). The key
	// is durable when PutIfAbsent returns. Returns ErrKeyDestroyed if the
	// scope's key was destroyed.
	PutIfAbsent(ctx context.Context, scope string, wrapped []byte) ([]byte, error)

	// Get returns the wrapped key of scope (a copy the caller owns), or
	// ErrKeyNotFound if the scope never had one, or ErrKeyDestroyed if it was
	// destroyed.
	Get(ctx context.Context, scope string) ([]byte, error)

	// Destroy removes the key of scope for good and records the scope as
	// destroyed, also when it never had a key. It is idempotent. When it
	// returns nil the destruction is durable, Get returns ErrKeyDestroyed, and
	// no copy of the wrapped key remains in the key store's files.
	Destroy(ctx context.Context, scope string) error
}

// ValidateScope checks a sealing scope name: 1 to MaxScopeLen bytes of
// A-Z, a-z, 0-9, '.', '_', ':' or '-'. Errors wrap ErrInvalidScope and say
// what is wrong without repeating the name.
func ValidateScope(scope string) error {
	if scope == "" {
		return fmt.Errorf("%w: scope is empty", ErrInvalidScope)
	}
	if len(scope) > MaxScopeLen {
		return fmt.Errorf("%w: scope is %d bytes, at most %d", ErrInvalidScope, len(scope), MaxScopeLen)
	}
	for i := 0; i < len(scope); i++ {
		if !scopeByte(scope[i]) {
			return fmt.Errorf("%w: byte %d of the scope is not one of A-Z a-z 0-9 . _ : -", ErrInvalidScope, i)
		}
	}
	return nil
}

func scopeByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	case c == '.', c == '_', c == ':', c == '-':
		return true
	}
	return false
}
