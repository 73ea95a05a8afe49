package pebble

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cockroachdb/pebble/v2"
)

// Backup writes a consistent copy of the store to destDir, which must not
// exist yet (its parent must). It runs while appends go on: Pebble's
// checkpoint hard-links the immutable sstables (or copies them across file
// systems), copies the MANIFEST and the WAL files up to their current end,
// after flushing and syncing the WAL. The backup holds every event
// acknowledged before Backup was called, and possibly some later ones; it is
// a Pebble directory that Restore (or Open) takes as is.
//
// The key store of sealed personal data (store/keyfile) is not part of this
// backup and must be backed up on its own; a backup of the log alone keeps
// shredded families unreadable, which is the point of crypto-shredding.
//
// Errors: store.ErrClosed, ctx.Err() (checked before the checkpoint starts),
// or the file system's error (destDir exists, no space, ...).
func (s *Store) Backup(ctx context.Context, destDir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if err := s.db.Checkpoint(destDir, pebble.WithFlushedWAL()); err != nil {
		return fmt.Errorf("pebble: backup to %s: %w", destDir, err)
	}
	return nil
}

// Restore copies the backup in backupDir (made by Backup) to dataDir, for a
// store that is not running. dataDir must not exist or be empty; Restore
// never overwrites data. It first checks that the backup opens (read-only)
// and that its events, stream index and id index agree (CheckIndex), then
// copies it to a temporary sibling of dataDir, syncs every file, and renames
// it into place, so that an interrupted restore leaves no half-filled
// dataDir. The key store is restored separately (see Backup).
func Restore(backupDir, dataDir string) error {
	if err := emptyOrMissing(dataDir); err != nil {
		return err
	}
	if err := checkBackup(backupDir); err != nil {
		return err
	}
	tmp := dataDir + ".restoring"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("pebble: restore: clear %s: %w", tmp, err)
	}
	if err := copyDir(backupDir, tmp); err != nil {
		return errors.Join(fmt.Errorf("pebble: restore %s: %w", backupDir, err), os.RemoveAll(tmp))
	}
	if _, err := os.Stat(dataDir); err == nil {
		if err := os.Remove(dataDir); err != nil { // empty, checked above
			return errors.Join(fmt.Errorf("pebble: restore: %w", err), os.RemoveAll(tmp))
		}
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		return errors.Join(fmt.Errorf("pebble: restore: %w", err), os.RemoveAll(tmp))
	}
	return syncDir(filepath.Dir(dataDir))
}

func emptyOrMissing(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("pebble: restore: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("pebble: restore: data directory %s is not empty; refusing to overwrite it", dir)
	}
	return nil
}

// checkBackup opens the backup read-only and checks its indexes.
func checkBackup(dir string) error {
	db, err := pebble.Open(dir, &pebble.Options{ReadOnly: true, ErrorIfNotExists: true, Logger: pebbleLogger{}})
	if err != nil {
		return fmt.Errorf("pebble: restore: backup %s does not open: %w", dir, err)
	}
	s := &Store{db: db, done: make(chan struct{})}
	last, err := s.lastPosition()
	if err == nil {
		err = s.checkIndex(context.Background(), last)
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pebble: restore: backup %s: %w", dir, err)
	}
	return nil
}

// copyDir copies the regular files of src (a Pebble directory is flat) to a
// new directory dst, syncing each file and dst.
func copyDir(src, dst string) error {
	if err := os.Mkdir(dst, 0o750); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s: unexpected non-regular file in a backup", e.Name())
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return syncDir(dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	if err := out.Sync(); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		return errors.Join(err, d.Close())
	}
	return d.Close()
}
