package store

import (
	"bytes"
	"fmt"
)

// SetSealerCacheCap lets tests exercise the eviction of cached data keys.
func SetSealerCacheCap(s *Sealer, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cacheCap = n
}

// SealerCacheLen returns how many unwrapped data keys s holds.
func SealerCacheLen(s *Sealer) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

// ComparePayloadParsers returns an error if the fast parser accepts data
// but the general one rejects it or reads it differently.
func ComparePayloadParsers(data []byte) error {
	fast, ok := parseCanonical(data)
	if !ok {
		return nil
	}
	slow, err := parseGeneral(data)
	if err != nil {
		return fmt.Errorf("fast parser accepts, general rejects: %v", err)
	}
	if !bytes.Equal(fast.Public, slow.Public) {
		return fmt.Errorf("public parts differ: fast %q, general %q", fast.Public, slow.Public)
	}
	if (fast.Sealed == nil) != (slow.Sealed == nil) {
		return fmt.Errorf("sealed presence differs: fast %v, general %v", fast.Sealed != nil, slow.Sealed != nil)
	}
	if fast.Sealed != nil && (fast.Sealed.Scope != slow.Sealed.Scope ||
		!bytes.Equal(fast.Sealed.Nonce, slow.Sealed.Nonce) || !bytes.Equal(fast.Sealed.Box, slow.Sealed.Box)) {
		return fmt.Errorf("sealed parts differ: fast %+v, general %+v", *fast.Sealed, *slow.Sealed)
	}
	return nil
}

// CanonicalPayload reports whether the fast parser reads data.
func CanonicalPayload(data []byte) bool {
	_, ok := parseCanonical(data)
	return ok
}
