package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

// The data directory:
//
//	<data>/log/      the event log (Pebble)
//	<data>/keys/     the key store: wrapped data keys and tombstones
//	<data>/kek.key   the key-encryption key, when no other place is given
//
// The log and the key store are kept apart because a destroyed data key
// must leave no copy behind (crypto-shredding), which an LSM tree cannot
// promise; and they are backed up apart for the same reason.
type dataDir string

func (d dataDir) log() string     { return filepath.Join(string(d), "log") }
func (d dataDir) keys() string    { return filepath.Join(string(d), "keys") }
func (d dataDir) kekFile() string { return filepath.Join(string(d), "kek.key") }

// exists reports whether the data directory holds an event log.
func (d dataDir) exists() bool {
	_, err := os.Stat(d.log())
	return err == nil
}

// openLog opens the event log, creating it (and the data directory) if
// create is set; otherwise a missing log is an error naming the directory.
func (d dataDir) openLog(create bool, log *slog.Logger) (*pebble.Store, error) {
	if !create && !d.exists() {
		return nil, fmt.Errorf("no event log in %s (run spoor serve once, or restore a backup)", string(d))
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	opts := pebble.DefaultOptions()
	opts.Logger = log
	st, err := pebble.Open(d.log(), opts)
	if err != nil {
		return nil, fmt.Errorf("open event log in %s: %w", d.log(), err)
	}
	return st, nil
}

// kekSource says where the key-encryption key comes from.
type kekSource struct {
	// env is the key itself from SPOOR_KEK, if set.
	env string
	// file is -kek-file / SPOOR_KEK_FILE, "" for the default <data>/kek.key.
	file string
}

// loadKEK returns the key-encryption key. From SPOOR_KEK if set; else from
// the file given; else from <data>/kek.key, which is generated (mode 0600)
// when the ledger is new (fresh: no event stored yet). An existing ledger
// without its key is an error: a new key would not open the data keys
// already stored. warn receives the notice that a key was generated.
func loadKEK(d dataDir, src kekSource, fresh bool, warn io.Writer) ([]byte, error) {
	if src.env != "" {
		k, err := store.ParseKEK([]byte(src.env))
		if err != nil {
			return nil, fmt.Errorf("SPOOR_KEK: %w", err)
		}
		return k, nil
	}
	path := src.file
	if path == "" {
		path = d.kekFile()
	}
	b, err := os.ReadFile(path)
	if err == nil {
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(warn, "spoor: warning: %s is readable by others (mode %v); chmod 600 it\n", path, fi.Mode().Perm())
		}
		k, err := store.ParseKEK(b)
		if err != nil {
			return nil, fmt.Errorf("key-encryption key file %s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read key-encryption key: %w", err)
	}
	if src.file != "" {
		return nil, fmt.Errorf("key-encryption key file %s does not exist", path)
	}
	if !fresh {
		return nil, fmt.Errorf("the ledger has events but there is no key-encryption key at %s: give it with -kek-file or SPOOR_KEK", path)
	}
	// First run: make a key.
	text, err := store.GenerateKEK(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key-encryption key: %w", err)
	}
	_, werr := f.WriteString(text + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return nil, fmt.Errorf("write key-encryption key %s: %w", path, err)
	}
	fmt.Fprintf(warn, "spoor: generated a key-encryption key in %s (mode 0600).\n"+
		"spoor: without it the personal data in this directory cannot be read. For production keep it\n"+
		"spoor: off the data volume (-kek-file or SPOOR_KEK) and back it up apart from the data.\n", path)
	return store.ParseKEK([]byte(text))
}

// openKeys opens the key store and a Sealer over it.
func openKeys(d dataDir, kek []byte) (*keyfile.Store, *store.Sealer, error) {
	ks, err := keyfile.Open(d.keys())
	if err != nil {
		return nil, nil, fmt.Errorf("open key store in %s: %w", d.keys(), err)
	}
	sealer, err := store.NewSealer(kek, ks, nil)
	if err != nil {
		ks.Close()
		return nil, nil, err
	}
	return ks, sealer, nil
}
