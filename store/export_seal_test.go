package store

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
