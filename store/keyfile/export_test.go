package keyfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteState writes a keys file holding n keys (scopes "family-<i>", 61-byte
// keys) into dir, for benchmarks that need a large store without making it
// one fsync'd change at a time.
func WriteState(dir string, n int) error {
	keys := make(map[string][]byte, n)
	for i := range n {
		k := make([]byte, 61)
		copy(k, fmt.Sprintf("key-%d", i))
		keys[fmt.Sprintf("family-%08d-0000-0000-0000-000000000000", i)] = k
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, stateFile), encode(keys, map[string]struct{}{}), 0o600)
}
