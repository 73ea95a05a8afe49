// Package keyfile is Spoor's embedded key store: a store.KeyStore kept in one
// directory (by default <data dir>/keys, beside the Pebble log) that holds the
// wrapped data keys of the sealing scopes and the tombstones of destroyed
// scopes.
//
// # Why not the log's engine
//
// An LSM tree such as Pebble keeps old values in its write-ahead log and
// sstables until compaction happens to drop them, so a key deleted there can
// linger in the data directory for a long time. Crypto-shredding needs the
// opposite: once Destroy returns, no file in the data directory may hold the
// destroyed key. The key store is therefore one small file, rewritten whole on
// every change.
//
// # Files
//
//   - keys: the state. A header (magic "SPOORKEY", format version, entry
//     counts), then the (scope, wrapped key) pairs and the destroyed scopes,
//     sorted by scope, then a SHA-256 checksum of everything before it.
//     Open refuses a file that is truncated, has trailing bytes, or whose
//     checksum does not match (ErrCorrupt), rather than start empty.
//   - keys.tmp-*: a new state being written. Every change writes a temporary
//     file, fsyncs it, renames it over keys and fsyncs the directory, so a
//     crash leaves either the old or the new state, never a torn one, and the
//     change is durable when the call returns. Open removes stale temporary
//     files left by a crash.
//   - LOCK: held with flock(2) while the store is open, so two processes
//     cannot open the same key store (ErrLocked).
//
// Because every change rewrites the whole file, a change costs O(number of
// scopes) bytes of writing plus two fsyncs. Keys are created once per family
// and destroyed once, so this stays small: ten thousand families make a file
// of about a megabyte.
//
// # What "no copy remains" means
//
// After Destroy no file in the directory holds the wrapped key: the old
// version of keys is unlinked by the rename and the new one never contained
// it. The filesystem may still keep the freed blocks until they are reused:
// journaling filesystems, copy-on-write filesystems and SSDs (wear levelling)
// give no secure erase, and this package does not pretend to overwrite them.
// What makes shredding hold regardless is that a wrapped key is useless
// without the key-encryption key, which is kept outside the data directory
// (in a file or the environment of the server), and that backups of the data
// directory taken after the destruction no longer hold the key. Backups taken
// before it do: rotate them out within the retention period.
//
// # Backups
//
// Store.Backup writes a consistent copy of the keys and tombstones to another
// directory while the store stays open. Back up the key store apart from the
// log (a Pebble checkpoint of the log should not include this directory), and
// let key-store backups expire within the retention period: a backup keeps
// every key that existed when it was taken, so a family shredded later is
// readable again from a log backup plus that key backup plus the KEK.
//
// The store never sees a plain data key; it keeps the bytes it is given.
package keyfile
