package pebble

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	dto "github.com/prometheus/client_model/go"

	"spoor/store"
)

// Store implements store.Store.
var _ store.Store = (*Store)(nil)

// Store is the Pebble event store. It implements store.Store; all methods
// are safe for concurrent use. See the package documentation for the design.
type Store struct {
	db   *pebble.DB
	dir  string
	opts Options
	log  *slog.Logger

	// mu serialises the commit path: idempotency lookup, version check,
	// hash, position, and handing the batch to Pebble.
	mu     sync.Mutex
	next   uint64 // position of the next event
	failed error  // set after a WAL write or sync error
	recent recentIDs
	ids    idSet

	idsLoaded chan struct{} // closed when loadIDs ends
	idsReady  atomic.Bool   // mirrors ids.ready for prepare

	// streams maps a stream name to its *streamState, for streams used
	// since Open. Entries are added under mu; their tips are replaced under
	// mu and read without it.
	streams sync.Map

	// applied counts the batches handed to Pebble (written under mu).
	applied atomic.Uint64

	// durable is the highest position whose append was acknowledged (its WAL
	// sync returned); every position up to it is durable and visible.
	durable atomic.Uint64
	advance signal // broadcast when durable moves

	// Close waits for running operations; see enter and leave.
	opMu   sync.Mutex
	opCond *sync.Cond
	ops    int
	closed bool
	done   chan struct{} // closed by Close

	walCreated, walRecycled atomic.Int64
}

// streamState is what the commit path keeps per stream.
type streamState struct {
	tip atomic.Pointer[streamTip]
}

// streamTip is a stream's last version, the hash of that event and its
// position. It is immutable: a commit publishes a new one.
type streamTip struct {
	version uint64
	hash    store.Hash
	lastPos uint64
}

// Open opens (creating if needed) the store in dir. Only one process may
// have a directory open: Pebble's LOCK file refuses a second.
//
// Open replays the WAL, flushes whatever it replayed to sstables (so that
// everything found is durable before it is served), and, unless
// opts.ColdWAL, warms the WAL files (see the package documentation).
func Open(dir string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{
		dir:       dir,
		opts:      opts,
		log:       opts.Logger,
		done:      make(chan struct{}),
		ids:       newIDSet(),
		idsLoaded: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.opCond = sync.NewCond(&s.opMu)

	cache := pebble.NewCache(opts.CacheSize)
	defer cache.Unref()
	po := &pebble.Options{
		Cache:              cache,
		MemTableSize:       opts.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             pebbleLogger{opts.Logger},
		EventListener: &pebble.EventListener{
			WALCreated: func(info pebble.WALCreateInfo) {
				s.walCreated.Add(1)
				if info.RecycledFileNum != 0 {
					s.walRecycled.Add(1)
				}
			},
			BackgroundError: func(err error) {
				s.log.Error("pebble background error", "err", err)
			},
			DataCorruption: func(info pebble.DataCorruptionInfo) {
				s.log.Error("pebble data corruption", "path", info.Path, "err", info.Details)
			},
		},
	}
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10) // id lookups miss cheaply
		po.Levels[i].BlockSize = 32 << 10
	}
	if opts.Tune != nil {
		opts.Tune(po)
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("pebble: open %s: %w", dir, err)
	}
	s.db = db
	if err := s.start(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return s, nil
}

// start makes what was replayed durable, warms the WAL and finds the head.
func (s *Store) start() error {
	if s.opts.ColdWAL {
		if err := s.db.Flush(); err != nil {
			return fmt.Errorf("pebble: flush at open: %w", err)
		}
	} else if err := s.warmWAL(); err != nil {
		return err
	}
	last, err := s.lastPosition()
	if err != nil {
		return err
	}
	s.next = last + 1
	s.durable.Store(last)
	if s.opts.noIDSet {
		close(s.idsLoaded)
	} else {
		go s.loadIDs(context.Background())
	}
	return nil
}

// walFillChunk is the size of one LogData record of the WAL warm-up.
const walFillChunk = 1 << 20

// warmKey is the only key the WAL warm-up writes; it is set and
// single-deleted in one batch, so it never reaches an sstable.
const warmKey = "w/warm-up"

// warmWAL leaves the store writing to a recycled WAL file as large as a
// memtable, with two more waiting in Pebble's recycler, and with memtables
// at their full size from the first append on. See "The WAL warm-up" in the
// package documentation.
//
// Pebble starts with a 256 KiB memtable and doubles it at each rotation,
// and every memtable rotation starts a new WAL file. The first batch below
// holds a value of almost half a memtable, which makes Pebble rotate to a
// memtable large enough for it at once; the manual flushes that follow keep
// that size because the memtable was more than half used. Every batch also
// carries a memtable's worth of LogData (written to the WAL only; replay
// skips it), so that every WAL file the warm-up retires has full size when
// it reaches the recycler. After the second flush the live WAL is the first
// file, reused.
func (s *Store) warmWAL() error {
	filler := make([]byte, walFillChunk)
	fill := func(b *pebble.Batch) error {
		for uint64(b.Len()) < s.opts.MemTableSize {
			if err := b.LogData(filler[:min(walFillChunk, int(s.opts.MemTableSize)-b.Len())], nil); err != nil {
				return err
			}
		}
		return nil
	}
	grow := func(b *pebble.Batch) error {
		value := make([]byte, s.opts.MemTableSize/2-(64<<10))
		if err := b.Set([]byte(warmKey), value, nil); err != nil {
			return err
		}
		return b.SingleDelete([]byte(warmKey), nil)
	}
	steps := []struct {
		stage []func(*pebble.Batch) error
		flush bool
	}{
		{stage: []func(*pebble.Batch) error{fill}},                    // fills the WAL of Open
		{stage: []func(*pebble.Batch) error{grow, fill}, flush: true}, // a full-size memtable
		{stage: []func(*pebble.Batch) error{fill}, flush: true},       // switches to a recycled WAL
	}
	for _, st := range steps {
		b := s.db.NewBatch()
		var err error
		for _, f := range st.stage {
			if err == nil {
				err = f(b)
			}
		}
		if err == nil {
			err = b.Commit(pebble.NoSync)
		}
		b.Close()
		if err == nil && st.flush {
			err = s.db.Flush()
		}
		if err != nil {
			return fmt.Errorf("pebble: WAL warm-up: %w", err)
		}
	}
	return nil
}

// lastPosition is the position of the last event stored, 0 if none.
func (s *Store) lastPosition() (uint64, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixEvent), UpperBound: prefixEnd(prefixEvent)})
	if err != nil {
		return 0, fmt.Errorf("pebble: find head: %w", err)
	}
	var last uint64
	if it.Last() {
		last, err = positionOfEventKey(it.Key())
	}
	if cerr := it.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("pebble: find head: %w", cerr)
	}
	return last, err
}

// prefixEnd is the smallest key above every key that starts with p (p is
// never all 0xff here).
func prefixEnd[P string | []byte](p P) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i]++; end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// enter registers a running operation; it fails with store.ErrClosed once
// Close has begun. Every successful enter is paired with leave.
func (s *Store) enter() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.ops++
	return nil
}

func (s *Store) leave() {
	s.opMu.Lock()
	s.ops--
	if s.ops == 0 {
		s.opCond.Broadcast()
	}
	s.opMu.Unlock()
}

// isClosed reports whether Close has begun.
func (s *Store) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Close ends running subscriptions (they return store.ErrClosed), waits for
// running appends and for reads to finish the chunk they are reading (reads
// hold nothing while they yield or call a handler, so Close may be called
// from a loop body or a Subscribe handler), flushes the memtable and closes
// the database. Reads that continue after Close end with store.ErrClosed.
// Later calls of Close return nil.
func (s *Store) Close() error {
	s.opMu.Lock()
	if s.closed {
		s.opMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	for s.ops > 0 {
		s.opCond.Wait()
	}
	s.opMu.Unlock()
	<-s.idsLoaded // it saw the close and stopped
	// Flush so that everything lives in checksummed sstables and the WAL
	// holds nothing the next Open must replay. Not after a WAL failure:
	// the flush would switch WAL files, and Pebble panics when it cannot
	// close the failed one; the next Open replays what the WAL holds.
	s.mu.Lock()
	failed := s.failed
	s.mu.Unlock()
	var ferr error
	if failed == nil {
		if ferr = s.db.Flush(); ferr != nil {
			ferr = fmt.Errorf("pebble: flush at close: %w", ferr)
		}
	}
	if err := s.db.Close(); err != nil {
		return errors.Join(ferr, fmt.Errorf("pebble: close: %w", err))
	}
	return ferr
}

// Dir is the data directory the store was opened on.
func (s *Store) Dir() string { return s.dir }

// Metrics are counters for operators and benchmarks.
type Metrics struct {
	// WALFilesCreated counts WAL files started since Open, and
	// WALFilesRecycled how many of them reused an older file.
	WALFilesCreated, WALFilesRecycled int64
	// WALBytes is what was written to the WAL since Open, and WALSyncs how
	// many fdatasyncs of the WAL were made (-1 if Pebble did not say).
	WALBytes uint64
	WALSyncs int64
	// Head is the durable head.
	Head uint64
}

// Metrics returns the store's counters. It returns zero Metrics after Close.
func (s *Store) Metrics() Metrics {
	if err := s.enter(); err != nil {
		return Metrics{}
	}
	defer s.leave()
	m := s.db.Metrics()
	out := Metrics{
		WALFilesCreated:  s.walCreated.Load(),
		WALFilesRecycled: s.walRecycled.Load(),
		WALBytes:         m.WAL.BytesWritten,
		WALSyncs:         -1,
		Head:             s.durable.Load(),
	}
	var h dto.Metric
	if m.LogWriter.FsyncLatency != nil && m.LogWriter.FsyncLatency.Write(&h) == nil {
		out.WALSyncs = int64(h.GetHistogram().GetSampleCount())
	}
	return out
}

// signal is a broadcast that waiters pick up with wait and that costs
// nothing while nobody waits.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel that is closed at the next broadcast.
func (g *signal) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *signal) broadcast() {
	g.mu.Lock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
	g.mu.Unlock()
}

// advanceDurable records that every position up to pos is durable and
// wakes subscriptions and waiting retries.
func (s *Store) advanceDurable(pos uint64) {
	for {
		cur := s.durable.Load()
		if pos <= cur {
			return
		}
		if s.durable.CompareAndSwap(cur, pos) {
			s.advance.broadcast()
			return
		}
	}
}

// waitDurable blocks until pos is durable, the store fails or closes, or
// ctx is done.
func (s *Store) waitDurable(ctx context.Context, pos uint64) error {
	for {
		c := s.advance.wait()
		if s.durable.Load() >= pos {
			return nil
		}
		s.mu.Lock()
		failed := s.failed
		s.mu.Unlock()
		if failed != nil {
			return failed
		}
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return store.ErrClosed
		}
	}
}
