// Package spoor_test guards the architecture of DESIGN.md: which of Spoor's
// packages may import which. Dependencies point one way: domain imports
// nothing of ours, the store contract nothing at all; backends import only
// the contract; read models and the ledger build on domain and the store
// contract; the HTTP layer takes the store through its interface and never
// names a backend; only cmd/spoor wires backends in, and nothing imports cmd.
package spoor_test

import (
	"go/build"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "spoor"

// allowed lists, per package (a trailing /... covers the subtree), the
// module's packages it may import in non-test files. The first matching
// entry applies, so specific entries come first.
var allowed = []struct {
	pkg     string
	imports []string
}{
	{"domain", nil},
	{"store", nil},
	{"store/storetest", []string{"store"}},
	{"store/...", []string{"store"}},
	{"ledger", []string{"domain", "store"}},
	{"projections", []string{"domain", "store"}},
	{"projections/projtest", []string{"domain", "store", "projections"}},
	{"projections/snapcodec", []string{"domain"}},
	{"projections/...", []string{"domain", "store", "projections", "projections/snapcodec"}},
	{"ops", []string{"store"}},
	{"auth", []string{"ops"}},
	{"auth/staffdir", []string{"auth", "domain", "store"}},
	{"demo", []string{"auth", "domain", "ledger", "store"}},
	{"api", []string{"auth", "domain", "ledger", "ops", "store", "projections/..."}},
	{"api/web", []string{"api", "auth", "domain", "ledger", "ops", "store", "projections/..."}},
	{"cmd/spoor", []string{"..."}},
}

func TestImportRules(t *testing.T) {
	seen := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(p, 0)
		if err != nil || len(bp.GoFiles) == 0 {
			return nil // no Go files (or only tests) here
		}
		rel := filepath.ToSlash(p)
		seen++
		rule, ok := ruleFor(rel)
		if !ok {
			t.Errorf("package %s has no import rule: add it to allowed in arch_test.go", rel)
			return nil
		}
		for _, imp := range bp.Imports {
			own, isOwn := strings.CutPrefix(imp, module+"/")
			if !isOwn {
				if rel == "domain" && strings.Contains(strings.Split(imp, "/")[0], ".") {
					t.Errorf("domain imports %s: domain may use the standard library only", imp)
				}
				continue
			}
			if strings.HasPrefix(own, "cmd/") {
				t.Errorf("%s imports %s: nothing imports cmd", rel, imp)
				continue
			}
			if !matchesAny(own, rule) {
				t.Errorf("%s imports %s, which DESIGN.md's dependency rule does not allow (allowed: %v)", rel, own, rule)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("only %d packages found: the walk is broken", seen)
	}
}

func ruleFor(pkg string) ([]string, bool) {
	for _, r := range allowed {
		if matches(pkg, r.pkg) {
			return r.imports, true
		}
	}
	return nil, false
}

func matchesAny(pkg string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(pkg, p) })
}

// matches reports whether pkg is pattern, or lies under pattern's tree when
// pattern ends in /... ("..." alone matches everything).
func matches(pkg, pattern string) bool {
	if pattern == "..." {
		return true
	}
	if tree, ok := strings.CutSuffix(pattern, "/..."); ok {
		return strings.HasPrefix(pkg, tree+"/")
	}
	return pkg == path.Clean(pattern)
}
