//go:build !unix

package keyfile

import (
	"errors"
	"os"
)

// lockDir refuses to open a key store where flock(2) is not available: Spoor
// runs on Unix systems, and an unlocked key store could be opened twice.
func lockDir(path string) (*os.File, error) {
	return nil, errors.New("lock: key store locking needs flock(2), available on Unix systems only")
}

func unlockDir(f *os.File) error { return f.Close() }
