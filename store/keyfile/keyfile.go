package keyfile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"spoor/store"
)

// Sentinel errors, wrapped with the operation and tested with errors.Is.
var (
	// ErrCorrupt: the keys file is truncated, has trailing bytes, has a bad
	// checksum or is not a key file. Open refuses it rather than start
	// empty; restore the directory from a backup.
	ErrCorrupt = errors.New("key file corrupt")

	// ErrLocked: another process (or another Store in this process) has the
	// key store open.
	ErrLocked = errors.New("key store locked by another user")
)

const (
	stateFile  = "keys"
	tempPrefix = "keys.tmp-"
	lockFile   = "LOCK"

	magic         = "SPOORKEY"
	formatVersion = 1
	headerSize    = len(magic) + 4 + 4 + 4 // magic, version, #keys, #destroyed
	checksumSize  = sha256.Size
	// maxWrapped bounds one wrapped key; the Sealer's are 61 bytes.
	maxWrapped = 1024
)

// Store is a store.KeyStore kept in one directory. It is safe for concurrent
// use; every change is durable when its method returns.
type Store struct {
	dir  string
	lock *os.File

	mu        sync.Mutex
	closed    bool
	keys      map[string][]byte
	destroyed map[string]struct{}
}

var _ store.KeyStore = (*Store)(nil)

// Open opens the key store in dir, creating dir (mode 0700) and an empty
// store if needed. It takes the directory's lock (ErrLocked if another Store
// holds it), removes temporary files left by a crash, and loads the keys
// file (ErrCorrupt if it does not check out).
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open key store: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("open key store %s: %w", dir, err)
	}
	s := &Store{dir: dir, lock: lock}
	if err := s.load(); err != nil {
		unlockDir(lock)
		return nil, fmt.Errorf("open key store %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) load() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	removed := false
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			if err := os.Remove(filepath.Join(s.dir, e.Name())); err != nil {
				return fmt.Errorf("remove stale temporary file: %w", err)
			}
			removed = true
		}
	}
	if removed {
		if err := syncDir(s.dir); err != nil {
			return err
		}
	}
	raw, err := os.ReadFile(filepath.Join(s.dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		s.keys = make(map[string][]byte)
		s.destroyed = make(map[string]struct{})
		return nil
	}
	if err != nil {
		return err
	}
	s.keys, s.destroyed, err = decode(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", stateFile, err)
	}
	return nil
}

// Dir returns the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Close releases the lock. Calls after Close return store.ErrClosed; Close
// itself is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	clear(s.keys)
	return unlockDir(s.lock)
}

func (s *Store) check(ctx context.Context, scope string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.ValidateScope(scope); err != nil {
		return err
	}
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

// PutIfAbsent implements store.KeyStore. wrapped must be 1 to 1024 bytes
// (store.ErrBadKey otherwise).
func (s *Store) PutIfAbsent(ctx context.Context, scope string, wrapped []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, scope); err != nil {
		return nil, err
	}
	if len(wrapped) == 0 || len(wrapped) > maxWrapped {
		return nil, fmt.Errorf("put key of scope %s: %w: wrapped key is %d bytes, need 1 to %d", scope, store.ErrBadKey, len(wrapped), maxWrapped)
	}
	if _, gone := s.destroyed[scope]; gone {
		return nil, fmt.Errorf("put key of scope %s: %w", scope, store.ErrKeyDestroyed)
	}
	if k, ok := s.keys[scope]; ok {
		return bytes.Clone(k), nil
	}
	k := bytes.Clone(wrapped)
	s.keys[scope] = k
	if err := s.persist(); err != nil {
		delete(s.keys, scope)
		return nil, fmt.Errorf("put key of scope %s: %w", scope, err)
	}
	return bytes.Clone(k), nil
}

// Get implements store.KeyStore.
func (s *Store) Get(ctx context.Context, scope string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, scope); err != nil {
		return nil, err
	}
	if _, gone := s.destroyed[scope]; gone {
		return nil, fmt.Errorf("get key of scope %s: %w", scope, store.ErrKeyDestroyed)
	}
	k, ok := s.keys[scope]
	if !ok {
		return nil, fmt.Errorf("get key of scope %s: %w", scope, store.ErrKeyNotFound)
	}
	return bytes.Clone(k), nil
}

// Destroy implements store.KeyStore: the keys file is rewritten without the
// key and with the scope's tombstone before Destroy returns.
func (s *Store) Destroy(ctx context.Context, scope string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, scope); err != nil {
		return err
	}
	if _, gone := s.destroyed[scope]; gone {
		return nil
	}
	k, had := s.keys[scope]
	delete(s.keys, scope)
	s.destroyed[scope] = struct{}{}
	if err := s.persist(); err != nil {
		delete(s.destroyed, scope)
		if had {
			s.keys[scope] = k
		}
		return fmt.Errorf("destroy key of scope %s: %w", scope, err)
	}
	clear(k)
	return nil
}

// Entries returns a consistent copy of the store's contents: the wrapped
// key of every scope that has one, and the destroyed scopes (tombstones),
// sorted. It reads only; it is how a key store is moved to another backend
// (spoor import -keys-from). The wrapped keys are useless without the KEK,
// but are still key material: callers must not log them. After Close it
// returns store.ErrClosed.
func (s *Store) Entries() (keys map[string][]byte, destroyed []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, store.ErrClosed
	}
	keys = make(map[string][]byte, len(s.keys))
	for scope, k := range s.keys {
		keys[scope] = bytes.Clone(k)
	}
	return keys, slices.Sorted(maps.Keys(s.destroyed)), nil
}

// Backup writes a consistent copy of the key store (keys and tombstones) to
// dir, which it creates (mode 0700) and which must not hold a key store yet;
// Open(dir) opens the copy. The copy is durable when Backup returns. It runs
// while the store stays open; changes wait for it.
//
// A backup holds every key that existed when it was taken: a key destroyed
// later stays readable in the backup (with the KEK). Keep key-store backups
// apart from log backups and let them expire within the retention period,
// or shredding does not reach them.
func (s *Store) Backup(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("back up key store: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return fmt.Errorf("back up key store: %s already holds a key store", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("back up key store: %w", err)
	}
	if err := writeState(dir, s.keys, s.destroyed); err != nil {
		return fmt.Errorf("back up key store: %w", err)
	}
	return nil
}

// persist writes the in-memory state to the keys file.
func (s *Store) persist() error {
	return writeState(s.dir, s.keys, s.destroyed)
}

// writeState writes a state to a temporary file in dir, syncs it, renames it
// over dir's keys file and syncs dir.
func writeState(dir string, keys map[string][]byte, destroyed map[string]struct{}) (err error) {
	data := encode(keys, destroyed)
	defer clear(data)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("write keys file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write keys file: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync keys file: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close keys file: %w", err)
	}
	if err = os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("replace keys file: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync key store directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync key store directory: %w", err)
	}
	return nil
}

// encode lays out the state: header, keys sorted by scope (uint16 scope
// length, scope, uint16 key length, key), destroyed scopes sorted (uint16
// length, scope), SHA-256 of all that.
func encode(keys map[string][]byte, destroyed map[string]struct{}) []byte {
	size := headerSize + checksumSize
	for sc, k := range keys {
		size += 4 + len(sc) + len(k)
	}
	for sc := range destroyed {
		size += 2 + len(sc)
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.BigEndian.AppendUint32(b, formatVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(destroyed)))
	for _, sc := range slices.Sorted(maps.Keys(keys)) {
		b = appendField(b, []byte(sc))
		b = appendField(b, keys[sc])
	}
	for _, sc := range slices.Sorted(maps.Keys(destroyed)) {
		b = appendField(b, []byte(sc))
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func appendField(b, f []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
	return append(b, f...)
}

// decode checks and parses a keys file. Errors wrap ErrCorrupt.
func decode(raw []byte) (map[string][]byte, map[string]struct{}, error) {
	if len(raw) < headerSize+checksumSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, shorter than an empty key file (truncated)", ErrCorrupt, len(raw))
	}
	if string(raw[:len(magic)]) != magic {
		return nil, nil, fmt.Errorf("%w: not a Spoor key file (bad magic)", ErrCorrupt)
	}
	body, sum := raw[:len(raw)-checksumSize], raw[len(raw)-checksumSize:]
	if want := sha256.Sum256(body); !bytes.Equal(want[:], sum) {
		return nil, nil, fmt.Errorf("%w: checksum mismatch over %d bytes (torn or altered)", ErrCorrupt, len(raw))
	}
	if v := binary.BigEndian.Uint32(raw[8:]); v != formatVersion {
		return nil, nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrCorrupt, v, formatVersion)
	}
	nKeys := binary.BigEndian.Uint32(raw[12:])
	nDestroyed := binary.BigEndian.Uint32(raw[16:])
	r := body[headerSize:]
	field := func(what string) ([]byte, error) {
		if len(r) < 2 {
			return nil, fmt.Errorf("%w: %s cut short", ErrCorrupt, what)
		}
		n := int(binary.BigEndian.Uint16(r))
		if len(r) < 2+n {
			return nil, fmt.Errorf("%w: %s cut short", ErrCorrupt, what)
		}
		f := r[2 : 2+n]
		r = r[2+n:]
		return f, nil
	}
	keys := make(map[string][]byte, min(nKeys, 1<<16))
	for i := range nKeys {
		sc, err := field(fmt.Sprintf("scope of key %d", i))
		if err != nil {
			return nil, nil, err
		}
		k, err := field(fmt.Sprintf("key %d", i))
		if err != nil {
			return nil, nil, err
		}
		if err := store.ValidateScope(string(sc)); err != nil {
			return nil, nil, fmt.Errorf("%w: key %d: %w", ErrCorrupt, i, err)
		}
		if _, dup := keys[string(sc)]; dup {
			return nil, nil, fmt.Errorf("%w: scope %s has two keys", ErrCorrupt, sc)
		}
		keys[string(sc)] = bytes.Clone(k)
	}
	destroyed := make(map[string]struct{}, min(nDestroyed, 1<<16))
	for i := range nDestroyed {
		sc, err := field(fmt.Sprintf("destroyed scope %d", i))
		if err != nil {
			return nil, nil, err
		}
		if err := store.ValidateScope(string(sc)); err != nil {
			return nil, nil, fmt.Errorf("%w: destroyed scope %d: %w", ErrCorrupt, i, err)
		}
		if _, has := keys[string(sc)]; has {
			return nil, nil, fmt.Errorf("%w: scope %s is both destroyed and keyed", ErrCorrupt, sc)
		}
		destroyed[string(sc)] = struct{}{}
	}
	if len(r) != 0 {
		return nil, nil, fmt.Errorf("%w: %d unexpected bytes after the entries", ErrCorrupt, len(r))
	}
	return keys, destroyed, nil
}
