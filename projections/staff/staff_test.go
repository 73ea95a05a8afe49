package staff

import (
	"errors"
	"flag"
	"reflect"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/projtest"
)

var _ = flag.Bool("update", false, "rewrite golden files")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func load(t *testing.T) *Model {
	t.Helper()
	m := New()
	projtest.Feed(projtest.LoadFacts(t, "testdata/scenario.jsonl"), m)
	return m
}

func answers(m *Model) map[string]any {
	return map[string]any{
		"list_now":            m.List(time.Time{}),
		"list_asof_0205":      m.List(at("2026-02-05T00:00:00Z")),
		"coaches_asof_0205":   m.WithRole(domain.RoleCoach, at("2026-02-05T00:00:00Z")),
		"coordinators_now":    m.WithRole(domain.RoleCoordinator, time.Time{}),
		"privacy_asof_0205":   m.WithRole(domain.RolePrivacyOfficer, at("2026-02-05T00:00:00Z")),
		"privacy_officer_now": m.WithRole(domain.RolePrivacyOfficer, time.Time{}),
	}
}

func TestGolden(t *testing.T) {
	projtest.Golden(t, "scenario", answers(load(t)))
}

func TestLookups(t *testing.T) {
	m := load(t)
	ann, err := m.ByLogin("  ANN ", time.Time{})
	if err != nil || ann.ID != "s1" || !ann.LoginShared {
		t.Fatalf("ByLogin(ann) = %+v, %v; want s1, registered first, login shared with s3", ann, err)
	}
	if !reflect.DeepEqual(ann.Roles, []domain.Role{domain.RoleCoordinator}) || !ann.Active || !ann.HasPassword || ann.PasswordSetOn != domain.MustDate("2026-03-05") {
		t.Errorf("ann now: %+v", ann)
	}
	then, err := m.ByID("s1", at("2026-02-01T00:00:00Z"))
	if err != nil || !reflect.DeepEqual(then.Roles, []domain.Role{domain.RoleCoach}) || then.LoginShared || then.PasswordSetOn != domain.MustDate("2026-01-02") {
		t.Errorf("ann on 02-01: %+v, %v", then, err)
	}
	bob, _ := m.ByID("s2", at("2026-02-05T00:00:00Z"))
	if bob.Active || bob.DeactivatedOn != domain.MustDate("2026-02-01") || bob.Has(domain.RolePrivacyOfficer) || bob.HasPassword {
		t.Errorf("bob on 02-05: %+v", bob)
	}
	if bob, _ := m.ByID("s2", time.Time{}); !bob.Has(domain.RolePrivacyOfficer) || !bob.DeactivatedOn.IsZero() {
		t.Errorf("bob now: %+v", bob)
	}
	if _, err := m.ByLogin("bob", at("2026-01-01T00:00:00Z")); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob before registration: %v", err)
	}
	if _, err := m.ByID("nobody", time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if got := len(m.List(time.Time{})); got != 3 {
		t.Errorf("%d staff members, want 3 (the team stream is ignored)", got)
	}
	if c := m.WithRole(domain.RoleCoach, time.Time{}); len(c) != 0 {
		t.Errorf("coaches now: %+v, want none (ann's coach role was revoked)", c)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := load(t)
	data, err := m.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	n := New()
	if err := n.UnmarshalSnapshot(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(answers(m), answers(n)) {
		t.Error("answers differ after a snapshot round trip")
	}
	if a, err := n.ByLogin("ann", time.Time{}); err != nil || a.ID != "s1" {
		t.Errorf("login index after restore: %+v, %v", a, err)
	}
	if err := n.UnmarshalSnapshot([]byte("[")); err == nil {
		t.Error("a torn snapshot was accepted")
	}
	var _ projections.Snapshotter = n
}
