package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"spoor/ops"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/kurrent"
	"spoor/store/pebble"
)

// backend is the event store and key store a command works on: the
// embedded Pebble log and key file in the data directory, or a KurrentDB
// cluster that holds both (the data directory then keeps only the keys of
// this server: KEK, checkpoint key, snapshots).
type backend struct {
	st   store.Store
	keys store.KeyStore
	// embedded is the Pebble store (nil for KurrentDB): backups need it.
	embedded *pebble.Store
	keyfile  *keyfile.Store
	// fresh reports that the ledger held no event when opened.
	fresh bool
	close func() error
}

// isKurrent reports whether a -store value names a KurrentDB cluster.
func isKurrent(kind string) bool {
	for _, p := range []string{"kurrentdb://", "kurrentdb+discover://", "esdb://", "esdb+discover://"} {
		if strings.HasPrefix(kind, p) {
			return true
		}
	}
	return false
}

// openBackend opens the store named by kind ("embedded" or a KurrentDB
// URL). For the embedded store, create says whether a missing log may be
// created. KurrentDB credentials come from SPOOR_KURRENTDB_USERNAME,
// SPOOR_KURRENTDB_PASSWORD and SPOOR_KURRENTDB_CA_FILE, so the URL can be
// logged; SPOOR_KURRENTDB_PREFIX separates ledgers sharing a cluster.
func (m *Main) openBackend(ctx context.Context, d dataDir, kind string, create bool, log *slog.Logger) (*backend, error) {
	switch {
	case kind == "embedded":
		fresh := !d.exists()
		st, err := d.openLog(create, log)
		if err != nil {
			return nil, err
		}
		ks, err := keyfile.Open(d.keys())
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("open key store in %s: %w", d.keys(), err)
		}
		return &backend{st: st, keys: ks, embedded: st, keyfile: ks, fresh: fresh, close: func() error {
			kerr := ks.Close()
			if err := st.Close(); err != nil {
				return err
			}
			return kerr
		}}, nil
	case isKurrent(kind):
		cfg := kurrent.DefaultConfig()
		cfg.URL = kind
		cfg.Username = m.getenv("SPOOR_KURRENTDB_USERNAME")
		cfg.Password = m.getenv("SPOOR_KURRENTDB_PASSWORD")
		cfg.TLSCAFile = m.getenv("SPOOR_KURRENTDB_CA_FILE")
		if p := m.getenv("SPOOR_KURRENTDB_PREFIX"); p != "" {
			// Several ledgers in one cluster: <p>- for the streams,
			// <p>key- for the data keys (never a prefix of each other).
			cfg.StreamPrefix, cfg.KeyStreamPrefix = p+"-", p+"key-"
		}
		cfg.Logger = log
		st, err := kurrent.Open(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect to KurrentDB at %s: %w", kurrent.Redacted(kind), err)
		}
		head, err := st.Head(ctx)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("read the head of the KurrentDB ledger: %w", err)
		}
		return &backend{st: st, keys: st.Keys(), fresh: head == 0, close: st.Close}, nil
	}
	return nil, usageError{fmt.Sprintf("-store must be embedded or a kurrentdb:// URL, got %q", kurrent.Redacted(kind))}
}

// storeFlag adds -store to fs (SPOOR_STORE; default embedded), for the
// commands that work on a ledger: verify, export, import.
func (m *Main) storeFlag(fs *flag.FlagSet) *string {
	return fs.String("store", m.env("SPOOR_STORE", "embedded"), "event store: embedded or kurrentdb://... (SPOOR_STORE; credentials from SPOOR_KURRENTDB_USERNAME and SPOOR_KURRENTDB_PASSWORD)")
}

// openCommandBackend opens the store a one-shot command (verify, export,
// import) works on, logging the store's warnings (a cluster not reachable
// yet) to stderr. Unless keys is set, the embedded key store is left alone
// (and keys is nil): reading the ledger does not need it. An unknown kind is
// a usage error.
func (m *Main) openCommandBackend(ctx context.Context, d dataDir, kind string, create, keys bool) (*backend, error) {
	log := ops.NewLogger(m.stderr, ops.LogText, slog.LevelWarn)
	switch {
	case kind == "embedded" && !keys:
		fresh := !d.exists()
		st, err := d.openLog(create, log)
		if err != nil {
			return nil, err
		}
		return &backend{st: st, embedded: st, fresh: fresh, close: st.Close}, nil
	case kind != "embedded" && !isKurrent(kind):
		return nil, usageError{fmt.Sprintf("-store must be embedded or a kurrentdb:// URL, got %q", kurrent.Redacted(kind))}
	}
	return m.openBackend(ctx, d, kind, create, log)
}
