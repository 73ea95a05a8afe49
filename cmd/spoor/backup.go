package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"spoor/api"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

// onlineBackups makes backups of a running server (POST /api/v1/backups):
// the log into a new directory under logRoot and, if keysRoot is set, the
// key store into one under keysRoot. Directory names are the UTC time.
type onlineBackups struct {
	st       *pebble.Store
	keys     *keyfile.Store
	logRoot  string
	keysRoot string
	now      func() time.Time
}

// Backup implements api.Backuper.
func (b onlineBackups) Backup(ctx context.Context) (api.Backup, error) {
	at := b.now().UTC()
	name := "spoor-" + at.Format("20060102T150405.000000000Z")
	if err := os.MkdirAll(b.logRoot, 0o700); err != nil {
		return api.Backup{}, fmt.Errorf("create backup directory: %w", err)
	}
	head, err := b.st.Head(ctx)
	if err != nil {
		return api.Backup{}, err
	}
	res := api.Backup{LogDir: filepath.Join(b.logRoot, name), Head: head, At: at}
	if err := b.st.Backup(ctx, res.LogDir); err != nil {
		return api.Backup{}, fmt.Errorf("back up the event log: %w", err)
	}
	if b.keysRoot != "" {
		if err := os.MkdirAll(b.keysRoot, 0o700); err != nil {
			return api.Backup{}, fmt.Errorf("create key backup directory: %w", err)
		}
		res.KeysDir = filepath.Join(b.keysRoot, name)
		if err := b.keys.Backup(res.KeysDir); err != nil {
			return api.Backup{}, fmt.Errorf("back up the key store: %w", err)
		}
	}
	return res, nil
}

// runBackup copies the event log to a new directory and, with -keys, the key
// store to another one. The key-encryption key is never copied.
//
// Why apart: a backup of the log holds personal data only in sealed form.
// Shredding a family destroys its data key in the key store, which makes the
// family's data in every log backup unreadable, as long as no key-store
// backup still holds the key. So key-store backups go to another place and
// expire within the retention period.
func (m *Main) runBackup(ctx context.Context, args []string) error {
	fs := m.flagSet("backup", "<dir>")
	data := m.dataFlag(fs)
	keysTo := fs.String("keys", "", "also back up the key store to this directory (keep it apart from log backups)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"backup needs one argument: the directory to create"}
	}
	dest := fs.Arg(0)
	d := dataDir(*data)
	if *keysTo != "" && sameDir(*keysTo, dest) {
		return usageError{"-keys must name another directory than the log backup"}
	}
	st, err := d.openLog(false, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, dest); err != nil {
		return fmt.Errorf("back up the event log: %w", err)
	}
	head, _ := st.Head(ctx)
	fmt.Fprintf(m.stdout, "event log backed up to %s (head %d)\n", dest, head)
	if *keysTo == "" {
		fmt.Fprintln(m.stdout, "the key store was not backed up (use -keys <dir>); without it the sealed personal data in this backup cannot be read")
		return nil
	}
	ks, err := keyfile.Open(d.keys())
	if err != nil {
		return fmt.Errorf("open key store: %w", err)
	}
	defer ks.Close()
	if err := ks.Backup(*keysTo); err != nil {
		return fmt.Errorf("back up the key store: %w", err)
	}
	fmt.Fprintf(m.stdout, "key store backed up to %s; keep it apart from the log backups and let it expire within the retention period\n", *keysTo)
	return nil
}

// runRestore restores a log backup (and with -keys a key-store backup) into
// an empty data directory.
func (m *Main) runRestore(ctx context.Context, args []string) error {
	fs := m.flagSet("restore", "<dir>")
	data := m.dataFlag(fs)
	keysFrom := fs.String("keys", "", "also restore the key store from this backup directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"restore needs one argument: the backup directory"}
	}
	d := dataDir(*data)
	if d.exists() {
		return fmt.Errorf("the data directory %s already holds an event log; restore only into a new or empty directory", *data)
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	if *keysFrom != "" {
		if entries, err := os.ReadDir(d.keys()); err == nil && len(entries) > 0 {
			return fmt.Errorf("the data directory %s already has a key store; restore only into a new directory", *data)
		}
	}
	if err := pebble.Restore(fs.Arg(0), d.log()); err != nil {
		return fmt.Errorf("restore the event log: %w", err)
	}
	fmt.Fprintf(m.stdout, "event log restored from %s into %s\n", fs.Arg(0), d.log())
	if *keysFrom == "" {
		fmt.Fprintln(m.stdout, "no key store restored (use -keys <dir>): sealed personal data stays unreadable until the key store is back")
		return nil
	}
	// A key store backup is itself a key store: open it and back it up into
	// place, which writes and syncs a fresh copy.
	src, err := keyfile.Open(*keysFrom)
	if err != nil {
		return fmt.Errorf("open key store backup %s: %w", *keysFrom, err)
	}
	defer src.Close()
	if err := src.Backup(d.keys()); err != nil {
		return fmt.Errorf("restore the key store: %w", err)
	}
	fmt.Fprintf(m.stdout, "key store restored from %s; the key-encryption key is not part of any backup: give it with -kek-file or SPOOR_KEK\n", *keysFrom)
	return nil
}

func sameDir(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && filepath.Clean(aa) == filepath.Clean(bb)
}
