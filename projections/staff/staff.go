// Package staff is the read model of the staff directory, folded from the
// staff-<id> streams: who is registered under which login, which roles each
// holds, who is active, and whether and when a password was set.
//
// Only public parts are folded. A staff member's display name and e-mail
// (StaffRegistered) and password hash (PasswordSet) are sealed under the
// scope staff-<id>, so this model knows that a password exists and when it
// was set, never the hash: whoever checks a password (auth) reads the hash
// from the ledger, opening the staff member's sealed PasswordSet.
//
// Logins are unique by convention (the ledger checks before registering);
// should two staff streams ever register the same login, ByLogin returns
// the member registered first and Member.LoginShared marks both.
package staff

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"spoor/domain"
	"spoor/projections"
)

// ErrNotFound: no staff member with that id or login (as of the query's
// instant).
var ErrNotFound = errors.New("staff: not found")

// entry is one fact of a staff stream; fields are exported for the
// snapshot.
type entry struct {
	At    int64          `json:"t"`
	Pos   uint64         `json:"p"`
	Type  string         `json:"y"`
	Date  domain.Date    `json:"d"`
	Login string         `json:"l,omitempty"`
	Role  domain.Role    `json:"r,omitempty"`
	By    domain.StaffID `json:"b,omitempty"`
}

type state struct {
	Staff map[domain.StaffID][]entry `json:"staff"`
}

// Model is the staff directory. Make it with New; it is safe for
// concurrent queries while Apply runs.
type Model struct {
	mu      sync.RWMutex
	st      state
	byLogin map[string][]domain.StaffID // in registration order
}

// New returns an empty directory.
func New() *Model {
	return &Model{st: state{Staff: map[domain.StaffID][]entry{}}, byLogin: map[string][]domain.StaffID{}}
}

// Name implements projections.Model.
func (m *Model) Name() string { return "staff" }

// Apply implements projections.Model; it folds staff-<id> streams and
// ignores everything else.
func (m *Model) Apply(f *projections.Fact) {
	if !strings.HasPrefix(f.Stream, domain.StaffStreamPrefix) {
		return
	}
	id, ok := domain.StaffIDFromStream(f.Stream)
	if !ok {
		return
	}
	e := entry{At: f.RecordedAt.UnixNano(), Pos: f.Position, Type: f.Event.EventType()}
	switch v := f.Event.(type) {
	case domain.StaffRegistered:
		e.Date, e.Login = v.Date, v.Login
	case domain.RoleGranted:
		e.Date, e.Role, e.By = v.Date, v.Role, v.GrantedBy
	case domain.RoleRevoked:
		e.Date, e.Role, e.By = v.Date, v.Role, v.RevokedBy
	case domain.StaffDeactivated:
		e.Date, e.By = v.Date, v.By
	case domain.StaffReactivated:
		e.Date, e.By = v.Date, v.By
	case domain.PasswordSet:
		e.Date = v.Date
	default:
		return
	}
	m.mu.Lock()
	m.add(id, e)
	m.mu.Unlock()
}

// add appends e to id's log. Caller holds the write lock.
func (m *Model) add(id domain.StaffID, e entry) {
	m.st.Staff[id] = append(m.st.Staff[id], e)
	if e.Type == domain.TypeStaffRegistered && e.Login != "" {
		m.byLogin[e.Login] = append(m.byLogin[e.Login], id)
	}
}

// Change is one event of a staff member's history.
type Change struct {
	Type string         `json:"type"`
	Date domain.Date    `json:"date"`
	Role domain.Role    `json:"role,omitempty"`
	By   domain.StaffID `json:"by,omitempty"`
}

// Member is a staff member as the directory knows them.
type Member struct {
	ID           domain.StaffID `json:"id"`
	Login        string         `json:"login"`
	RegisteredOn domain.Date    `json:"registered_on"`
	// Roles held, in domain.Roles order.
	Roles  []domain.Role `json:"roles"`
	Active bool          `json:"active"`
	// DeactivatedOn is the date of the deactivation in force ("" when
	// active).
	DeactivatedOn domain.Date `json:"deactivated_on,omitzero"`
	// HasPassword and PasswordSetOn: the hash itself is sealed (see the
	// package documentation).
	HasPassword   bool        `json:"has_password"`
	PasswordSetOn domain.Date `json:"password_set_on,omitzero"`
	// LoginShared marks a login that another staff stream registered too.
	LoginShared bool     `json:"login_shared,omitempty"`
	History     []Change `json:"history"`
}

// Has reports whether the member is active and holds role r.
func (s Member) Has(r domain.Role) bool { return s.Active && slices.Contains(s.Roles, r) }

// fold folds a staff member's log up to cut; ok is false when they were
// not registered by then.
func fold(id domain.StaffID, es []entry, cut int64) (Member, bool) {
	s := Member{ID: id, Roles: []domain.Role{}, History: []Change{}}
	held := map[domain.Role]bool{}
	registered := false
	for _, e := range es {
		if e.At > cut {
			continue
		}
		switch e.Type {
		case domain.TypeStaffRegistered:
			registered = true
			s.Login, s.RegisteredOn, s.Active = e.Login, e.Date, true
		case domain.TypeRoleGranted:
			held[e.Role] = true
		case domain.TypeRoleRevoked:
			delete(held, e.Role)
		case domain.TypeStaffDeactivated:
			s.Active, s.DeactivatedOn = false, e.Date
		case domain.TypeStaffReactivated:
			s.Active, s.DeactivatedOn = true, domain.Date{}
		case domain.TypePasswordSet:
			s.HasPassword, s.PasswordSetOn = true, e.Date
		}
		s.History = append(s.History, Change{Type: e.Type, Date: e.Date, Role: e.Role, By: e.By})
	}
	for _, r := range domain.Roles() {
		if held[r] {
			s.Roles = append(s.Roles, r)
		}
	}
	return s, registered
}

func nanos(asOf time.Time) int64 {
	if asOf.IsZero() {
		return math.MaxInt64
	}
	return asOf.UnixNano()
}

// ByID returns staff member id as registered at asOf (zero: now), or
// ErrNotFound.
func (m *Model) ByID(id domain.StaffID, asOf time.Time) (Member, error) {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := fold(id, m.st.Staff[id], cut)
	if !ok {
		return Member{}, fmt.Errorf("staff member %s: %w", id, ErrNotFound)
	}
	s.LoginShared = m.shared(s.Login, cut)
	return s, nil
}

// ByLogin returns the staff member registered with login (compared after
// trimming white space and lower-casing) at asOf (zero: now), or
// ErrNotFound. The error never repeats the login.
func (m *Model) ByLogin(login string, asOf time.Time) (Member, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, id := range m.byLogin[login] {
		if s, ok := fold(id, m.st.Staff[id], cut); ok {
			s.LoginShared = m.shared(login, cut)
			return s, nil
		}
	}
	return Member{}, ErrNotFound
}

// shared reports whether more than one staff member registered login by
// cut. Caller holds the read lock.
func (m *Model) shared(login string, cut int64) bool {
	n := 0
	for _, id := range m.byLogin[login] {
		for _, e := range m.st.Staff[id] {
			if e.Type == domain.TypeStaffRegistered && e.At <= cut {
				n++
				break
			}
		}
	}
	return n > 1
}

// List returns every staff member registered at asOf (zero: now), ordered
// by login and then id.
func (m *Model) List(asOf time.Time) []Member {
	cut := nanos(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []Member{}
	for id, es := range m.st.Staff {
		if s, ok := fold(id, es, cut); ok {
			s.LoginShared = m.shared(s.Login, cut)
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Member) int {
		if c := strings.Compare(a.Login, b.Login); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out
}

// WithRole returns the active staff members holding role r at asOf (zero:
// now), ordered as List.
func (m *Model) WithRole(r domain.Role, asOf time.Time) []Member {
	out := []Member{}
	for _, s := range m.List(asOf) {
		if s.Has(r) {
			out = append(out, s)
		}
	}
	return out
}

// MarshalSnapshot implements projections.Snapshotter.
func (m *Model) MarshalSnapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, err := json.Marshal(&m.st)
	if err != nil {
		return nil, fmt.Errorf("staff: snapshot: %w", err)
	}
	return b, nil
}

// UnmarshalSnapshot implements projections.Snapshotter; it replaces the
// whole state, or changes nothing on error.
func (m *Model) UnmarshalSnapshot(data []byte) error {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("staff: snapshot: %w", err)
	}
	fresh := New()
	// Re-add in position order so the login index keeps registration order.
	type rec struct {
		id domain.StaffID
		e  entry
	}
	var all []rec
	for id, es := range st.Staff {
		for _, e := range es {
			all = append(all, rec{id, e})
		}
	}
	slices.SortStableFunc(all, func(a, b rec) int {
		switch {
		case a.e.Pos < b.e.Pos:
			return -1
		case a.e.Pos > b.e.Pos:
			return 1
		}
		return 0
	})
	for _, r := range all {
		fresh.add(r.id, r.e)
	}
	m.mu.Lock()
	m.st, m.byLogin = fresh.st, fresh.byLogin
	m.mu.Unlock()
	return nil
}

// SnapshotVersion implements projections.Snapshotter.
func (m *Model) SnapshotVersion() int { return 1 }
