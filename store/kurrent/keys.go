package kurrent

import (
	"bytes"
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"spoor/store"
)

// keyEventType is the type of the one event in a key stream.
const keyEventType = "SpoorDataKey"

// KeyStore keeps wrapped data keys in KurrentDB, one stream per sealing
// scope (KeyStreamPrefix + scope) holding one event whose data is the
// wrapped key. Destroy tombstones the stream: KurrentDB refuses every later
// write to it and every read says it is deleted, so a destroyed scope never
// gets a key again, on every node of the cluster.
//
// Where the bytes go: a tombstone hides the key at once, but the event
// stays in the database's chunk files until a scavenge runs on every node
// (see ops/kurrentdb/README.md); backups taken before that hold the wrapped
// key. A wrapped key is useless without the key-encryption key, which is
// never stored in the cluster. So "no copy of the wrapped key remains in the
// key store's files" (store.KeyStore) holds on this backend after the
// scavenge, not when Destroy returns.
//
// Key streams are outside StreamPrefix, so they never appear in the global
// order. KeyStore shares its Store's connection; it is safe for concurrent
// use and is closed with the Store.
type KeyStore struct{ s *Store }

var _ store.KeyStore = (*KeyStore)(nil)

// Keys returns the key store that shares s's connection.
func (s *Store) Keys() *KeyStore { return &KeyStore{s: s} }

func (k *KeyStore) check(ctx context.Context, scope string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.ValidateScope(scope); err != nil {
		return err
	}
	if k.s.isClosed() {
		return fmt.Errorf("kurrent: keys: %w", store.ErrClosed)
	}
	return nil
}

// PutIfAbsent stores wrapped as scope's key unless the scope has one (see
// store.KeyStore): the append expects no stream, so of two concurrent calls
// exactly one writes and the other reads back the winner's key.
func (k *KeyStore) PutIfAbsent(ctx context.Context, scope string, wrapped []byte) ([]byte, error) {
	if err := k.check(ctx, scope); err != nil {
		return nil, err
	}
	if len(wrapped) == 0 {
		return nil, fmt.Errorf("kurrent: keys: put %s: wrapped key is empty", scope)
	}
	name := k.s.cfg.KeyStreamPrefix + scope
	err := k.s.do(ctx, func(c *esdb.Client) error {
		octx, cancel := k.s.opContext(ctx, true)
		defer cancel()
		_, err := c.AppendToStream(octx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, esdb.EventData{
			EventID:     uuid.New(),
			EventType:   keyEventType,
			ContentType: esdb.ContentTypeBinary,
			Data:        wrapped,
		})
		return err
	})
	if err == nil {
		return bytes.Clone(wrapped), nil
	}
	if code, _ := esdbCode(err); code == esdb.ErrorCodeStreamDeleted {
		return nil, fmt.Errorf("kurrent: keys: put %s: %w", scope, store.ErrKeyDestroyed)
	}
	if code, _ := esdbCode(err); code != esdb.ErrorCodeWrongExpectedVersion {
		return nil, k.s.mapErr("keys: put", scope, err)
	}
	// Another writer was first (or a retry of ours landed): theirs stands.
	return k.Get(ctx, scope)
}

// Get returns scope's wrapped key, store.ErrKeyNotFound if it never had
// one, store.ErrKeyDestroyed if its stream is tombstoned.
func (k *KeyStore) Get(ctx context.Context, scope string) ([]byte, error) {
	if err := k.check(ctx, scope); err != nil {
		return nil, err
	}
	page, err := k.s.readPage(ctx, k.s.cfg.KeyStreamPrefix+scope, esdb.Forwards, esdb.Start{}, 1)
	if err != nil {
		switch code, _ := esdbCode(err); code {
		case esdb.ErrorCodeStreamDeleted:
			return nil, fmt.Errorf("kurrent: keys: get %s: %w", scope, store.ErrKeyDestroyed)
		case esdb.ErrorCodeResourceNotFound:
			return nil, fmt.Errorf("kurrent: keys: get %s: %w", scope, store.ErrKeyNotFound)
		}
		return nil, k.s.mapErr("keys: get", scope, err)
	}
	if len(page) == 0 || page[0].EventType != keyEventType {
		return nil, fmt.Errorf("kurrent: keys: get %s: %w", scope, store.ErrKeyNotFound)
	}
	return bytes.Clone(page[0].Data), nil
}

// Destroy tombstones scope's key stream (also when it has no key, so that
// the scope can never get one). It is idempotent. See KeyStore for when the
// bytes leave the disks.
func (k *KeyStore) Destroy(ctx context.Context, scope string) error {
	if err := k.check(ctx, scope); err != nil {
		return err
	}
	err := k.s.do(ctx, func(c *esdb.Client) error {
		octx, cancel := k.s.opContext(ctx, true)
		defer cancel()
		_, err := c.TombstoneStream(octx, k.s.cfg.KeyStreamPrefix+scope, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Any{}})
		return err
	})
	if code, _ := esdbCode(err); err == nil || code == esdb.ErrorCodeStreamDeleted {
		return nil
	}
	return k.s.mapErr("keys: destroy", scope, err)
}
