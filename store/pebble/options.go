package pebble

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Options configure a Store. Start from DefaultOptions and change what you
// need; a zero field means the default.
type Options struct {
	// Clock stamps RecordedAt on events that arrive without one. Default:
	// time.Now.
	Clock func() time.Time

	// Logger receives Pebble's warnings and errors (at Warn and Error) and its
	// informational messages (at Debug), plus the store's own few messages.
	// They carry file names, sizes and opaque stream ids, never event data.
	// Nil discards everything.
	Logger *slog.Logger

	// CacheSize is the size in bytes of Pebble's block cache. Default 64 MiB.
	CacheSize int64

	// MemTableSize is the size in bytes of each memtable, and so roughly of
	// each WAL file. Default 8 MiB.
	MemTableSize uint64

	// ColdWAL skips the WAL warm-up at Open (see the package documentation):
	// Open is faster by 0.1-0.2 s (the warm-up writes about three
	// memtables' worth of WAL), and the appends of the first minutes pay for
	// growing fresh WAL files on every sync. Tests that open many small
	// stores set it.
	ColdWAL bool

	// Tune, if not nil, is called with the Pebble options just before the
	// database is opened, for settings this type does not cover. It must not
	// change the comparer, the merge operator or FormatMajorVersion.
	Tune func(*pebble.Options)

	// noIDSet keeps the id set from loading, so that tests exercise the
	// Pebble lookups appends use until it has.
	noIDSet bool
}

// DefaultOptions are the options `spoor serve` uses.
func DefaultOptions() Options {
	return Options{
		Clock:        time.Now,
		CacheSize:    64 << 20,
		MemTableSize: 8 << 20,
	}
}

// withDefaults fills zero fields from DefaultOptions and checks the rest.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.Clock == nil {
		o.Clock = d.Clock
	}
	if o.CacheSize == 0 {
		o.CacheSize = d.CacheSize
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = d.MemTableSize
	}
	if o.CacheSize < 0 {
		return o, fmt.Errorf("pebble: options: CacheSize %d is negative", o.CacheSize)
	}
	if o.MemTableSize < 1<<20 || o.MemTableSize > 1<<30 {
		return o, fmt.Errorf("pebble: options: MemTableSize %d is outside 1 MiB..1 GiB", o.MemTableSize)
	}
	return o, nil
}

// pebbleLogger passes Pebble's messages to slog. Fatalf must not return
// (Pebble calls it on invariant violations): it logs and panics.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l != nil {
		p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	if p.l != nil {
		p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
	}
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.l != nil {
		p.l.Error(msg, "component", "pebble", "fatal", true)
	}
	panic("pebble: fatal: " + msg)
}
