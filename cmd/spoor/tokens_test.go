package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spoor/domain"
	"spoor/store/pebble"
)

// session is an admin's browser session against a served Spoor.
type session struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (s *session) do(method, path, body, bearer string) (int, map[string]any) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return res.StatusCode, out
}

func serveOn(t *testing.T, data, pwFile string) *Main {
	t.Helper()
	var out, errb syncBuffer
	m := NewMain(&out, &errb, func(k string) string { return map[string]string{"SPOOR_LOG_LEVEL": "warn"}[k] })
	if err := m.Run(context.Background(), []string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-admin-password-file", pwFile}); err != nil {
		t.Fatalf("serve: %v\n%s", err, errb.String())
	}
	return m
}

func adminSession(t *testing.T, base, password string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{t: t, base: base, c: &http.Client{Jar: jar}}
	code, res := s.do("POST", "api/v1/login", `{"login":"admin","password":"`+password+`"}`, "")
	if code != 200 {
		t.Fatalf("admin login: %d %v", code, res)
	}
	s.csrf, _ = res["csrf_token"].(string)
	return s
}

// TestTokensSurviveRestart issues a bearer token through the API of a
// served Spoor, restarts the server on the same data directory and uses the
// token again; revokes it, restarts, and finds it refused. A failed login
// of an unknown name lands on the security stream as a pseudonym.
func TestTokensSurviveRestart(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	pwFile := filepath.Join(tmp, "pw")
	const pw = "een lang genoeg wachtwoord"
	os.WriteFile(pwFile, []byte(pw+"\n"), 0o600)

	m := serveOn(t, data, pwFile)
	admin := adminSession(t, m.URL(), pw)
	_, me := admin.do("GET", "api/v1/me", "", "")
	adminID := me["user"].(map[string]any)["id"].(string)
	code, res := admin.do("POST", "api/v1/tokens", `{"user_id":"`+adminID+`","label":"backup job","expires_in_days":7}`, "")
	if code != 201 {
		t.Fatalf("issue: %d %v", code, res)
	}
	tok, tokID := res["token"].(string), res["id"].(string)
	anon := &session{t: t, base: m.URL(), c: http.DefaultClient}
	if code, res := anon.do("GET", "api/v1/me", "", tok); code != 200 || res["method"] != "token" {
		t.Fatalf("token before restart: %d %v", code, res)
	}
	if code, _ := anon.do("POST", "api/v1/login", `{"login":"nobody.here","password":"wrong wrong wrong"}`, ""); code != 401 {
		t.Fatalf("unknown login: %d", code)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m = serveOn(t, data, pwFile)
	anon.base = m.URL()
	if code, res := anon.do("GET", "api/v1/me", "", tok); code != 200 || res["user"].(map[string]any)["id"] != adminID {
		t.Fatalf("token after restart: %d %v", code, res)
	}
	// The admin token works as the admin: it lists and revokes itself.
	if code, res := anon.do("GET", "api/v1/tokens?user_id="+adminID, "", tok); code != 200 || !strings.Contains(toJSON(res), tokID) || strings.Contains(toJSON(res), tok) {
		t.Fatalf("list with the token: %d %v", code, res)
	}
	if code, res := anon.do("DELETE", "api/v1/tokens/"+tokID, "", tok); code != 204 {
		t.Fatalf("revoke: %d %v", code, res)
	}
	if code, _ := anon.do("GET", "api/v1/me", "", tok); code != 401 {
		t.Fatalf("revoked token: %d", code)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = serveOn(t, data, pwFile)
	anon.base = m.URL()
	if code, _ := anon.do("GET", "api/v1/me", "", tok); code != 401 {
		t.Fatalf("revoked token after restart: %d", code)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The log: the token's hash and revocation on the admin's stream, the
	// failed login as a pseudonym on the security stream; never the texts.
	st, err := pebble.Open(dataDir(data).log(), pebble.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	types := map[string]int{}
	for env, err := range st.ReadAll(context.Background(), 1) {
		if err != nil {
			t.Fatal(err)
		}
		types[env.Type]++
		if strings.Contains(string(env.Data), tok) || strings.Contains(string(env.Data), "nobody.here") {
			t.Fatalf("%s event holds a secret text: %s", env.Type, env.Data)
		}
		if env.Type == domain.TypeLoginFailed && env.Stream != domain.SecurityStream {
			t.Fatalf("LoginFailed on %s", env.Stream)
		}
	}
	if types[domain.TypeTokenIssued] != 1 || types[domain.TypeTokenRevoked] != 1 || types[domain.TypeLoginFailed] != 1 {
		t.Fatalf("event types %v", types)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
