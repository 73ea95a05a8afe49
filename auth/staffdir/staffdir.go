// Package staffdir is the staff directory of a running server: an
// auth.MemDirectory kept up to date from the staff streams (staff-<id>) of
// the event log. It opens the sealed parts of staff events (display name,
// password hash) with the Sealer, which is why it lives beside auth and not
// among the read models, which fold public parts only.
package staffdir

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"spoor/auth"
	"spoor/domain"
	"spoor/store"
)

// Source is what the directory reads: the global order and its live tail.
type Source interface {
	store.Reader
	store.Subscriber
}

// Directory is an auth.Directory fed by the staff events of the log. Run
// follows the log; lookups answer from memory. It is safe for concurrent
// use.
type Directory struct {
	*auth.MemDirectory
	src    Source
	sealer *store.Sealer
	log    *slog.Logger

	mu    sync.Mutex
	pos   uint64 // last position applied
	wait  chan struct{}
	staff map[domain.StaffID]*domain.Staff

	failMu   sync.RWMutex
	failures []auth.FailedLogin // the last MaxLoginFailures, oldest first
}

// New returns an empty directory over src that opens sealed parts with
// sealer. log receives warnings (staff ids only); nil discards them.
func New(src Source, sealer *store.Sealer, log *slog.Logger) *Directory {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Directory{
		MemDirectory: auth.NewMemDirectory(), src: src, sealer: sealer, log: log,
		staff: make(map[domain.StaffID]*domain.Staff),
	}
}

// Run reads the log from the beginning and then follows it live, applying
// every staff event, until ctx is done (returning ctx.Err()), the store
// closes, or a staff event cannot be opened or decoded (returned: a broken
// staff stream is not skipped silently).
func (d *Directory) Run(ctx context.Context) error {
	return d.src.Subscribe(ctx, d.Position()+1, func(env store.Envelope) error {
		switch {
		case strings.HasPrefix(env.Stream, domain.StaffStreamPrefix):
			if err := d.apply(ctx, env); err != nil {
				return err
			}
		case env.Stream == domain.SecurityStream:
			if err := d.applySecurity(ctx, env); err != nil {
				return err
			}
		}
		d.advance(env.Position)
		return nil
	})
}

func (d *Directory) apply(ctx context.Context, env store.Envelope) error {
	id, ok := domain.StaffIDFromStream(env.Stream)
	if !ok {
		return nil
	}
	o, err := d.sealer.Open(ctx, env.Data)
	if err != nil {
		return fmt.Errorf("staff directory: %s version %d: %w", env.Stream, env.Version, err)
	}
	ev, err := domain.Decode(env.Type, o.Public, o.Secret)
	if err != nil {
		return fmt.Errorf("staff directory: %s version %d: %w", env.Stream, env.Version, err)
	}
	d.mu.Lock()
	st, ok := d.staff[id]
	if !ok {
		st = domain.NewStaff(id)
		d.staff[id] = st
	}
	st.Apply(ev)
	u := userOf(st)
	d.mu.Unlock()
	if !st.Exists() {
		return nil
	}
	if err := d.PutUser(u); err != nil {
		if errors.Is(err, auth.ErrLoginTaken) || errors.Is(err, auth.ErrInvalidUser) {
			// Logins are unique per stream only; the first registration
			// keeps the login, a later one cannot log in.
			d.log.Warn("staff member not in the directory", "staff", string(id), "err", err)
			return nil
		}
		return err
	}
	switch e := ev.(type) {
	case domain.TokenIssued:
		var h auth.TokenHash
		b, err := hex.DecodeString(e.Hash)
		if err != nil || len(b) != len(h) {
			d.log.Warn("token with a malformed hash not in the directory", "staff", string(id), "token", e.TokenID)
			return nil
		}
		copy(h[:], b)
		t := auth.Token{ID: e.TokenID, UserID: string(id), Hash: h, Label: e.Label, CreatedAt: e.IssuedAt, ExpiresAt: e.ExpiresAt}
		if err := d.PutToken(t); err != nil {
			d.log.Warn("token not in the directory", "staff", string(id), "token", e.TokenID, "err", err)
		}
	case domain.TokenRevoked:
		d.RevokeToken(e.TokenID)
	}
	return nil
}

// userOf converts a folded staff member to an auth.User.
func userOf(st *domain.Staff) auth.User {
	u := auth.User{
		ID: string(st.ID), Login: st.Login, Name: st.Sealed.DisplayName,
		PasswordHash: st.PasswordHash, Disabled: !st.Active,
	}
	for _, r := range auth.Roles() {
		if st.Roles[domain.Role(r)] {
			u.Roles = append(u.Roles, r)
		}
	}
	return u
}

func (d *Directory) advance(pos uint64) {
	d.mu.Lock()
	d.pos = pos
	if d.wait != nil {
		close(d.wait)
		d.wait = nil
	}
	d.mu.Unlock()
}

// Position returns the last position of the log the directory has seen.
func (d *Directory) Position() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pos
}

// WaitFor blocks until the directory has seen position (for example the
// last position of an append that registered a user), or ctx is done.
func (d *Directory) WaitFor(ctx context.Context, position uint64) error {
	for {
		d.mu.Lock()
		if d.pos >= position {
			d.mu.Unlock()
			return nil
		}
		if d.wait == nil {
			d.wait = make(chan struct{})
		}
		ch := d.wait
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Lag returns how many positions the directory is behind the store's head.
func (d *Directory) Lag(ctx context.Context) (uint64, error) {
	head, err := d.src.Head(ctx)
	if err != nil {
		return 0, err
	}
	if pos := d.Position(); pos < head {
		return head - pos, nil
	}
	return 0, nil
}

// Staff returns how many staff members the directory has folded.
func (d *Directory) Staff() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.staff)
}
