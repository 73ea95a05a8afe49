// Package pebble is Spoor's embedded event store: store.Store on
// github.com/cockroachdb/pebble/v2, in one data directory, with no server.
//
// # Key layout
//
// One Pebble key space holds three key ranges, all written in the same
// Batch for each append:
//
//	e/ + position (8 bytes, big-endian)                  -> record
//	s/ + uvarint(len(stream)) + stream + version (8 B BE) -> position (8 B BE)
//	i/ + event id                                        -> position (8 B BE)
//
// Positions are dense (1, 2, 3, ...), so "e/" in key order is the global
// order and ReadAll is one forward scan. "s/" is the stream index: a stream's
// events are one key range, and its last version is its last key; the length
// prefix keeps a stream's range from containing another stream's keys
// whatever bytes names hold. "i/" makes idempotent appends a point lookup
// (and feeds the in-memory id set, see below, which makes the usual miss
// free).
//
// A record is versioned: a format byte (1), then the fixed-width fields
// (version, recorded-at in Unix nanoseconds, previous hash, hash) and then
// the variable ones, each uvarint-length-prefixed (id, type, stream, actor
// user id and role, correlation id, data). The position is the key. The
// hash is store.ComputeHash over the envelope and the previous event's hash
// in the stream; store.Verify recomputes it from what ReadAll returns.
//
// # Commit path
//
// Append does most of its work before it takes the commit lock: it
// validates and stamps the events, and, when the stream's state is known
// (its last version and hash are kept in memory, read from the index the
// first time a stream is used, and published as an immutable tip that is
// read without the lock), chains the hashes and encodes the records on the
// assumption that the stream does not move in between. Under the one commit
// mutex it then checks the event ids (idempotency: a retry of a stored
// append returns the original result and writes nothing), checks the
// stream's version, redoes the hashes if the stream did move, assigns
// positions, and hands the batch to Pebble with DB.ApplyNoSyncWait, which
// writes it to the WAL buffer and the memtable and publishes it, in
// sequence order. So the WAL is in position order. Outside the mutex,
// Batch.SyncWait waits for the fdatasync that covers the batch: Pebble's WAL
// writer makes one fdatasync for all the syncs queued while the previous one
// ran, so 64 concurrent appenders share syncs without a group-commit
// goroutine of our own. Append returns only after that sync.
//
// The id check must see every id stored, however old. A Pebble Get that
// misses walks every memtable and level (about 4 µs, a sixth of an append's
// CPU), so the store keeps a set of 64-bit hashes of all stored ids in
// memory (about 11 bytes per event): a miss in the set is certain, a hit is
// confirmed with a Get. Open loads the set in the background from the id
// index; until it is complete, appends look their ids up in Pebble before
// taking the lock, and under the lock check only the ids of the batches
// committed since, which the store remembers in a small window.
//
// A failed id check, version check or staging leaves the in-memory state as
// it was. A failed WAL write or sync fails the store: every later Append
// returns that error, reads go on up to the durable head, and only a reopen
// (which replays what the WAL really holds) recovers. Pebble cannot take a
// batch back out of its memtable, and pretending the sync might succeed
// later is how databases lose data (PostgreSQL's "fsyncgate").
//
// # Durability and the durable head
//
// The store keeps the durable head: the highest position whose append was
// acknowledged. The WAL is synced in order (and an old WAL file is synced
// and closed before the next one is used), so when an append's sync
// returns, every lower position is durable too, even if its own appender
// has not woken up yet; and every batch at or below it has been published,
// so an iterator opened afterwards sees it. ReadAll, ReadStream,
// StreamVersion, Head and Subscribe read only up to the durable head. They
// never yield an event that a crash could still take away, and never skip
// one: positions are dense, and a gap below the head is reported as
// ErrCorrupt. Subscribe waits on a broadcast that fires when the head
// moves, then reads from where it left off, so catch-up turns into live
// without a gap or a duplicate.
//
// Open replays the WAL and flushes what it replayed to sstables, so that
// everything it finds is durable before it is served, and starts the head
// at the last stored position. Close flushes the memtable, so that after a
// clean shutdown all events live in checksummed sstables and the WAL holds
// nothing.
//
// # The WAL warm-up
//
// On this class of disk an fdatasync after appending to a file that grows
// also commits the file's new size and blocks (ext4 journals them), which
// costs about as much again as the data (anchors' fsync against
// fsync-prealloc). Pebble avoids it by recycling WAL files, but only files
// of its own process, after a memtable flush: a freshly opened store writes
// a growing WAL until its first memtables have been flushed. Pebble also
// starts with a 256 KiB memtable and doubles it at each rotation, and each
// rotation starts a new WAL file, so a fresh store goes through five growing
// WAL files before the first recycled one. Open therefore commits one batch
// that holds a value of almost half a memtable (set and single-deleted in
// the same batch, so it never reaches an sstable), which makes Pebble jump
// to a full-size memtable, and pads each of three WAL files with a
// memtable's worth of LogData (WAL-only records: no keys, replay skips
// them), flushing in between. The live WAL is then a recycled file of full
// size with two more in the recycler, and appends overwrite allocated blocks
// from the first one on (TestWALWarmUp checks it). It costs 0.1-0.2 s at
// Open on this machine; Options.ColdWAL skips it.
//
// # Readers
//
// Reads never block the writer: they use Pebble iterators, which see a
// consistent version without locks. They go in chunks (512 events or 4 MiB
// of data): a chunk is read with a fresh iterator that is closed before the
// events are handed over, so a slow consumer pins no memtable or sstable and
// Close never waits for user code. Decoding allocates the data (which the
// caller owns) and the id per event, and shares the strings that repeat
// (stream, type, actor, correlation id) within a read. Sstable blocks are
// 32 KiB (Pebble's default is 4 KiB): a full scan, which is what a rebuild
// of the read models does, touches fewer blocks and cache entries, at the
// price of decoding more bytes for a point read.
//
// # Integrity
//
// Beyond store.Verify (hashes, chains, Merkle tree, checkpoints), CheckIndex
// checks this package's own structure: dense positions, decodable records,
// versions 1..n per stream in position order, and both indexes pointing
// exactly at the events. Pebble checksums every sstable block and WAL
// chunk; a flipped byte in an sstable fails the read that touches it with
// an error that names the file.
//
// # Backup and restore
//
// Backup is Pebble's checkpoint: it runs while appends go on (hard links to
// the immutable sstables, a copy of the MANIFEST and of the WAL up to its
// current end, after a WAL flush and sync) and holds every event
// acknowledged before it started. Restore is offline: it refuses a
// non-empty target, checks that the backup opens and passes CheckIndex,
// copies and syncs it next to the target and renames it into place. The key
// store of sealed personal data (store/keyfile) is not part of either: it
// lives outside the immutable log, is backed up on its own, and a shredded
// family stays unreadable in every backup of the log.
package pebble
