package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeMountsTheAdminPages checks that serve wires the web UI with the
// staff directory and the token accounts: the administrator's staff page
// lists the administrator, and a page for another role is refused.
func TestServeMountsTheAdminPages(t *testing.T) {
	tmp := t.TempDir()
	pwFile := filepath.Join(tmp, "pw")
	const pw = "een lang genoeg wachtwoord"
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := serveOn(t, filepath.Join(tmp, "data"), pwFile)
	defer m.Close()
	admin := adminSession(t, m.URL(), pw)
	page := func(path string) (int, string) {
		res, err := admin.c.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := page("beheer/medewerkers")
	if code != http.StatusOK || !strings.Contains(body, "admin") || !strings.Contains(body, "<h1") {
		t.Fatalf("staff page: %d\n%.400s", code, body)
	}
	if code, _ := page("privacy/aanmeldingen"); code != http.StatusForbidden {
		t.Fatalf("failed-logins page for the administrator: %d, want 403", code)
	}
}
