// Package kurrent is Spoor's KurrentDB (formerly EventStoreDB) backend of
// store.Store, for deployments that outgrow one machine: a cluster of 3 or 5
// nodes with quorum writes and leader election, shared by several `spoor
// serve` instances. It talks to the cluster through the official Go client,
// github.com/EventStore/EventStore-Client-Go/v4 (package esdb), over gRPC.
//
// # Mapping
//
//	Spoor                         KurrentDB
//	----------------------------  ------------------------------------------------
//	stream family-42              stream spoor-family-42 (Config.StreamPrefix)
//	version v (1-based)           stream revision v-1 (0-based)
//	ExpectedVersion NoStream      the exact revision of the tail this append read
//	 / ExactVersion / Any /        (NoStream for an empty stream): the store's own
//	 StreamExists                  check decides, the server guards the race
//	event id (UUID string)        event id (UUID); must be canonical lower case
//	type                          event type ($-types are the server's: refused)
//	data                          data, content type JSON when it is JSON, else
//	                               binary
//	recorded-at, actor,           custom metadata JSON {"spoor":1, version,
//	 correlation id, prev hash,    recorded_at_ns, actor_user, actor_role,
//	 hash                          correlation_id, prev_hash, hash}
//	position                      commit position in $all (= prepare position:
//	                               gRPC writes are self-committed); a byte offset
//	                               in the log, strictly increasing, sparse
//	global order (ReadAll)        $all read forward, only streams with the prefix
//	Subscribe                     $all read up to its end, then a catch-up
//	                               subscription to $all filtered on the server by
//	                               the stream prefix, from the last record read
//	Head                          $all read backwards to the last Spoor event
//	ErrVersionConflict            wrong expected version (the server's or ours)
//	ErrStreamNotFound             stream not found; stream deleted (tombstoned)
//	ErrClosed                     Close called; connection closed
//	KeyStore scope s              stream spoorkey-s with one event; Destroy =
//	                               tombstone (hard delete)
//
// # Appends, hash chains and idempotency
//
// An append reads the stream's last IdempotencyWindow+n events backwards in
// one call. The last one gives the version and hash to chain onto (the
// chain is computed with store.ComputeHash and kept in the metadata, so
// Verify recomputes it from what KurrentDB returns). The ids being appended
// are looked up among those events: if all are there with the same type
// and data, the append is a retry and returns the original AppendResult,
// writing nothing; the same id with other content, or old ids mixed with
// new ones, is store.ErrDuplicateEventID. Otherwise the caller's
// expectation is checked against that version, and the events are written
// expecting exactly that revision. If another writer got in between (another
// `spoor serve` instance) the server answers wrong expected version; the
// append reads the tail again and decides again (AnyVersion and
// StreamExists retry, an exact expectation is a conflict). So a chain never
// forks, and every family's invariants are protected by the server's
// optimistic concurrency across instances. The cost is one read call before
// every write call; positions of a multi-event append take one more read.
//
// Limits of idempotency on this backend, honestly: a retry that expects an
// exact version (or no stream) is recognised however old it is, by reading
// the events right after the version it expected (as the server itself
// does). A retry with AnyVersion or StreamExists is recognised when its
// events are among the stream's latest IdempotencyWindow (default 64)
// events; an older one would be written again. KurrentDB has no index by
// event id, so an id reused in another stream is refused only when this
// process appended it recently (Config.RecentIDs, in memory); across
// instances or restarts it is not detected. Ids are UUIDs chosen fresh per
// command, so both cases need a client bug to arise.
//
// # Positions and reading from a position
//
// KurrentDB positions are byte offsets of records in its log, and the
// server reads $all only from the start of a record. ReadAll and Subscribe
// take any from: a position the store returned, or one past it (how a caller
// resumes after an event), is placed exactly; any other position costs a
// read of $all from its start. The $all read is filtered on the client,
// because the client library offers server-side filters only on
// subscriptions; Subscribe's live part is filtered on the server. System
// events and other programs' streams are skipped, so a dedicated cluster
// (or at least a dedicated prefix) keeps reads lean. Stream reads must
// return event positions, which EventStoreDB 22.10 and later and every
// KurrentDB release do; an older server is refused with a clear error.
//
// # Connections
//
// Open reads the end of $all once, which also checks that the configured
// user may read $all (Spoor needs it). The official client has a known
// trap: when a connection attempt (discovery) fails, the client closes for
// good and every later call fails. The Store therefore watches for that
// state and makes a new client, with backoff (at Open, until
// ConnectTimeout; later, up to three times per call). Calls that find the
// node unavailable are tried again: reads are safe to repeat, and a
// repeated append is recognised (the server's idempotency at the same
// expected revision, then the store's own check). Every call is bounded by
// OperationTimeout. A subscription the network drops is re-opened from the
// last event delivered.
//
// # Crypto-shredding
//
// KeyStore keeps each family's wrapped data key in its own stream outside
// the prefix (never in the global order). Destroy tombstones the stream:
// the server refuses any later write (so a destroyed scope never gets a new
// key) and reads report it deleted. The bytes leave the database files only
// when a scavenge has run on every node; backups taken before still hold the
// wrapped key, which is useless without the key-encryption key that Spoor
// keeps outside the cluster. Run a scavenge after erasures (see
// ops/kurrentdb/README.md).
//
// # When to choose it
//
// Choose this backend when one machine is no longer enough: a region or a
// shared service for many teams, a need for automatic fail-over (one node
// may die without downtime), or several `spoor serve` instances behind a
// load balancer. The embedded Pebble store is simpler, faster per append
// (no network round trips; here an append costs two, three for a
// multi-event append) and right for one team on one machine. Migrate with
// `spoor export`, `spoor import -store kurrentdb://... -keys-from
// <data>/keys`, `spoor verify -store kurrentdb://...` (README, "Deployment").
// Tests run on kurrenttest, a protocol double of KurrentDB.
package kurrent
