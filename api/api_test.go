package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
	"spoor/store/pebble"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	res := c.do("POST", "/api/v1/login", map[string]string{"login": "Ann", "password": testPassword})
	if res.code != 200 || res.json["user"].(map[string]any)["id"] != "u-ann" || res.json["csrf_token"] == "" {
		t.Fatalf("login: %d %s", res.code, res.body)
	}
	sc := res.header.Get("Set-Cookie")
	for _, attr := range []string{auth.SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("session cookie %q lacks %s", sc, attr)
		}
	}
	if strings.Contains(sc, "Secure") {
		t.Errorf("Secure set without SecureCookies: %q", sc)
	}
	me := c.do("GET", "/api/v1/me", nil)
	if me.code != 200 || me.json["method"] != "session" || fmt.Sprint(me.json["user"].(map[string]any)["roles"]) != "[coach]" {
		t.Fatalf("me: %d %s", me.code, me.body)
	}

	bad := e.client().do("POST", "/api/v1/login", map[string]string{"login": "ann", "password": "wrong password here"})
	if bad.code != 401 || bad.errorField("code") != "invalid_credentials" || bad.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("bad password: %d %s", bad.code, bad.body)
	}
	unknown := e.client().do("POST", "/api/v1/login", map[string]string{"login": "nobody", "password": "whatever it is"})
	if unknown.code != 401 || unknown.body == "" || unknown.errorField("message") != bad.errorField("message") {
		t.Fatalf("unknown login answered differently from a bad password: %d %s", unknown.code, unknown.body)
	}
	// Two more failures lock ann (PerLogin 3), even with the right password.
	e.client().do("POST", "/api/v1/login", map[string]string{"login": "ann", "password": "wrong again 123"})
	e.client().do("POST", "/api/v1/login", map[string]string{"login": "ann", "password": "wrong again 456"})
	locked := e.client().do("POST", "/api/v1/login", map[string]string{"login": "ann", "password": testPassword})
	if locked.code != 429 || locked.errorField("code") != "throttled" || locked.header.Get("Retry-After") != "900" {
		t.Fatalf("throttled login: %d %s (Retry-After %q)", locked.code, locked.body, locked.header.Get("Retry-After"))
	}
	// The session made before the lock still works; other users can log in.
	if c.do("GET", "/api/v1/me", nil).code != 200 {
		t.Fatal("existing session stopped working")
	}
	e.login("bart")
	e.clock.Advance(15 * time.Minute)
	e.login("ann")

	e.mu.Lock()
	var reasons []string
	for _, f := range e.failures {
		reasons = append(reasons, f.UserID+":"+f.Reason)
		if f.Addr != "127.0.0.1" {
			t.Errorf("failure address %q, want 127.0.0.1", f.Addr)
		}
	}
	e.mu.Unlock()
	if got := strings.Join(reasons, ","); got != "u-ann:bad_password,:unknown_login,u-ann:bad_password,u-ann:bad_password,u-ann:throttled" {
		t.Fatalf("failures reported: %s", got)
	}
	metrics := e.client().do("GET", "/metrics", nil).body
	for _, want := range []string{
		`spoor_auth_login_failures_total{reason="bad_password"} 3`,
		`spoor_auth_login_failures_total{reason="throttled"} 1`,
		`spoor_http_requests_total{code="429",method="POST",route="/api/v1/login"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestCSRFAndLogout(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login("ann")
	res := c.do("POST", "/api/v1/logout", nil)
	if res.code != 403 || res.errorField("code") != "csrf" {
		t.Fatalf("logout without CSRF token: %d %s", res.code, res.body)
	}
	c.header.Set(CSRFHeader, c.csrf+"x")
	if res := c.do("POST", "/api/v1/logout", nil); res.code != 403 {
		t.Fatalf("logout with a wrong CSRF token: %d %s", res.code, res.body)
	}
	// Another session's token does not fit this session.
	other := e.login("ann")
	c.header.Set(CSRFHeader, other.csrf)
	if res := c.do("POST", "/api/v1/logout", nil); res.code != 403 {
		t.Fatalf("logout with another session's CSRF token: %d", res.code)
	}
	if c.do("GET", "/api/v1/me", nil).code != 200 {
		t.Fatal("refused logouts ended the session")
	}
	c.header.Set(CSRFHeader, c.csrf)
	if res := c.do("POST", "/api/v1/logout", nil); res.code != 204 || !strings.Contains(res.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout: %d %q", res.code, res.header.Get("Set-Cookie"))
	}
	if res := c.do("GET", "/api/v1/me", nil); res.code != 401 {
		t.Fatalf("me after logout: %d", res.code)
	}
	if res := e.client().do("GET", "/api/v1/me", nil); res.code != 401 || res.errorField("code") != "unauthenticated" {
		t.Fatalf("me without credentials: %d %s", res.code, res.body)
	}
}

func TestBearerTokens(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.login("admin")
	admin.header.Set(CSRFHeader, admin.csrf)
	res := admin.do("POST", "/api/v1/tokens", map[string]any{"user_id": "u-ann", "label": "export job", "expires_in_days": 30})
	if res.code != 201 {
		t.Fatalf("issue token: %d %s", res.code, res.body)
	}
	tok := res.json["token"].(string)
	tokID := res.json["id"].(string)
	if !strings.HasPrefix(tok, auth.TokenPrefix) {
		t.Fatalf("token %q", tok)
	}
	// Only the hash is kept.
	kept := e.dir.Tokens("u-ann")
	if len(kept) != 1 || kept[0].Hash != auth.HashToken(tok) || !kept[0].ExpiresAt.Equal(e.clock.Now().UTC().AddDate(0, 0, 30)) {
		t.Fatalf("kept tokens %+v", kept)
	}

	api := e.client()
	api.bearer = tok
	me := api.do("GET", "/api/v1/me", nil)
	if me.code != 200 || me.json["method"] != "token" || me.json["user"].(map[string]any)["id"] != "u-ann" || me.json["csrf_token"] != nil {
		t.Fatalf("me with token: %d %s", me.code, me.body)
	}
	// A token needs no CSRF token, but a coach may not issue tokens.
	if res := api.do("POST", "/api/v1/tokens", map[string]any{"user_id": "u-ann", "label": "more"}); res.code != 403 {
		t.Fatalf("coach issuing a token: %d %s", res.code, res.body)
	}
	if res := api.do("POST", "/api/v1/logout", nil); res.code != 400 || res.errorField("code") != "not_a_session" {
		t.Fatalf("logout with a token: %d %s", res.code, res.body)
	}
	if res := admin.do("POST", "/api/v1/tokens", map[string]any{"user_id": "u-nobody", "label": "x"}); res.code != 404 {
		t.Fatalf("token for unknown user: %d %s", res.code, res.body)
	}
	if res := admin.do("POST", "/api/v1/tokens", map[string]any{"user_id": "u-ann", "label": "x", "expires_in_days": 400}); res.code != 400 || res.errorField("field") != "expires_in_days" {
		t.Fatalf("token for 400 days: %d %s", res.code, res.body)
	}
	if res := admin.do("DELETE", "/api/v1/tokens/"+tokID, nil); res.code != 204 {
		t.Fatalf("revoke: %d %s", res.code, res.body)
	}
	if res := api.do("GET", "/api/v1/me", nil); res.code != 401 || res.errorField("code") != "invalid_credentials" {
		t.Fatalf("revoked token: %d %s", res.code, res.body)
	}
	if res := admin.do("DELETE", "/api/v1/tokens/"+tokID, nil); res.code != 404 {
		t.Fatalf("revoke twice: %d %s", res.code, res.body)
	}
	api.bearer = "spoor_forged"
	if res := api.do("GET", "/api/v1/me", nil); res.code != 401 {
		t.Fatalf("forged token: %d", res.code)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	for _, tc := range []struct {
		name, body       string
		code             int
		errCode, errFild string
	}{
		{"unknown field", `{"login":"ann","passwrd":"x"}`, 400, "unknown_field", "passwrd"},
		{"wrong type", `{"login":42,"password":"x"}`, 400, "invalid_type", "login"},
		{"missing login", `{"password":"x"}`, 400, "required", "login"},
		{"missing password", `{"login":"ann"}`, 400, "required", "password"},
		{"malformed", `{"login":"ann",`, 400, "malformed_json", ""},
		{"two values", `{"login":"ann","password":"x"} {}`, 400, "malformed_json", ""},
		{"empty", ``, 400, "malformed_json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.do("POST", "/api/v1/login", tc.body)
			if res.code != tc.code || res.errorField("code") != tc.errCode || res.errorField("field") != tc.errFild ||
				res.errorField("message") == "" || res.errorField("request_id") != res.header.Get("X-Request-Id") {
				t.Fatalf("got %d %s, want %d %s/%s", res.code, res.body, tc.code, tc.errCode, tc.errFild)
			}
		})
	}
	e.mu.Lock()
	n := len(e.failures)
	e.mu.Unlock()
	if n != 0 {
		t.Fatalf("bad input counted as %d failed logins", n)
	}

	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/login", strings.NewReader(`login=ann`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := c.send(req); res.code != 415 || res.errorField("code") != "unsupported_media_type" {
		t.Fatalf("form body: %d %s", res.code, res.body)
	}

	big := `{"login":"ann","password":"` + strings.Repeat("x", 2<<20) + `"}`
	if res := c.do("POST", "/api/v1/login", big); res.code != 413 || res.errorField("code") != "body_too_large" {
		t.Fatalf("2 MiB body: %d %s", res.code, res.body[:min(200, len(res.body))])
	}
	// Without a Content-Length the limit is enforced while reading.
	req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/login", struct{ *strings.Reader }{strings.NewReader(big)})
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	if res := c.send(req); res.code != 413 {
		t.Fatalf("chunked 2 MiB body: %d", res.code)
	}

	if res := c.do("GET", "/api/v1/nothing", nil); res.code != 404 || res.errorField("code") != "not_found" {
		t.Fatalf("unknown route: %d %s", res.code, res.body)
	}
	if res := c.do("DELETE", "/api/v1/me", nil); res.code != 405 || res.errorField("code") != "method_not_allowed" {
		t.Fatalf("wrong method: %d %s", res.code, res.body)
	}
}

// ruleErr looks like the domain's rule errors: a rule and a field.
type ruleErr struct{ rule, field string }

func (e ruleErr) Error() string { return "rule " + e.rule + " (field " + e.field + ")" }
func (e ruleErr) Rule() string  { return e.rule }
func (e ruleErr) Field() string { return e.field }

type fieldErr struct{ field string }

func (e fieldErr) Error() string { return e.field + " is malformed" }
func (e fieldErr) Field() string { return e.field }

func TestErrorMapping(t *testing.T) {
	e := newEnv(t, func(s *Server) {
		s.Handle("POST", "/api/v1/test/{kind}", Authenticated(), func(w http.ResponseWriter, r *http.Request) error {
			switch kind := r.URL.Path[len("/api/v1/test/"):]; kind {
			case "rule":
				return fmt.Errorf("record spend: %w", ruleErr{"budget.overspend", "amount_cents"})
			case "field":
				return fmt.Errorf("log contact: %w", fieldErr{"date"})
			case "domain":
				return fmt.Errorf("decide: %w", &domain.RuleError{Rule: "spend.exceeds_budget", Field: "amount_cents", Message: "more than is left", Kind: domain.ErrRule})
			case "domain-notfound":
				return fmt.Errorf("decide: %w", &domain.RuleError{Rule: "consent.not_found", Field: "consent_id", Message: "no such consent", Kind: domain.ErrNotFound})
			case "domain-conflict":
				return fmt.Errorf("decide: %w", &domain.RuleError{Rule: "consent.withdrawn", Field: "consent_id", Message: "already withdrawn", Kind: domain.ErrConflict})
			case "conflict":
				return fmt.Errorf("append family-1: %w", storeConflict())
			case "secret":
				return fmt.Errorf("open /var/lib/spoor/secret.db: permission denied")
			case "panic":
				panic("boom with internals")
			}
			return nil
		})
	})
	c := e.login("ann")
	c.header.Set(CSRFHeader, c.csrf)
	for _, tc := range []struct {
		kind          string
		code          int
		errCode, fild string
	}{
		{"rule", 422, "budget.overspend", "amount_cents"},
		{"field", 400, "invalid", "date"},
		{"conflict", 409, "version_conflict", ""},
		{"domain", 422, "spend.exceeds_budget", "amount_cents"},
		{"domain-notfound", 404, "consent.not_found", "consent_id"},
		{"domain-conflict", 409, "consent.withdrawn", "consent_id"},
		{"secret", 500, "internal", ""},
		{"panic", 500, "internal", ""},
	} {
		res := c.do("POST", "/api/v1/test/"+tc.kind, nil)
		if res.code != tc.code || res.errorField("code") != tc.errCode || res.errorField("field") != tc.fild {
			t.Errorf("%s: got %d %s", tc.kind, res.code, res.body)
		}
		if strings.Contains(res.body, "secret.db") || strings.Contains(res.body, "boom") {
			t.Errorf("%s: internals leaked: %s", tc.kind, res.body)
		}
	}
}

func TestAuditOnRead(t *testing.T) {
	e := newEnv(t, func(s *Server) {
		s.HandleFamily(FamilyRoute{Method: "GET", Path: "/api/v1/test/families/{family}/timeline", Part: auth.PartTimeline, Read: true,
			Handle: func(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
				WriteJSON(w, 200, map[string]any{"family": fr.Family.ID, "notes": []string{"personal note text"}, "purpose": fr.Access.Purpose})
				return nil
			}})
		s.HandleFamily(FamilyRoute{Method: "POST", Path: "/api/v1/test/families/{family}/contacts", Part: auth.PartTimeline,
			Handle: func(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
				w.WriteHeader(201)
				return nil
			}})
	})
	ann, bo := e.login("ann"), e.login("boff")
	type row struct {
		c       *client
		method  string
		path    string
		reason  string
		code    int
		errCode string
		family  string
		event   string // type of the access event expected, "" for none
		flagged bool
	}
	for i, tc := range []row{
		{ann, "GET", "/api/v1/test/families/f-ann/timeline", "", 200, "", "f-ann", "RecordViewed", false},
		{ann, "GET", "/api/v1/test/families/f-bart/timeline", "", 403, "reason_required", "f-bart", "RecordAccessRefused", false},
		{ann, "GET", "/api/v1/test/families/f-bart/timeline", "unplanned_cover", 200, "", "f-bart", "RecordViewed", true},
		{ann, "GET", "/api/v1/test/families/f-bart/timeline", "because", 400, "invalid", "f-bart", "", false},
		{bo, "GET", "/api/v1/test/families/f-ann/timeline", "urgent_safety", 403, "forbidden", "f-ann", "RecordAccessRefused", false},
		{ann, "GET", "/api/v1/test/families/f-none/timeline", "", 404, "not_found", "f-none", "", false},
		{ann, "GET", "/api/v1/test/families/f%21x/timeline", "", 400, "invalid", "f!x", "", false},
		{ann, "POST", "/api/v1/test/families/f-ann/contacts", "", 201, "", "f-ann", "", false},
		{bo, "POST", "/api/v1/test/families/f-bart/contacts", "", 403, "forbidden", "f-bart", "RecordAccessRefused", false},
	} {
		before := len(e.accessEvents(tc.family))
		tc.c.header.Set(CSRFHeader, tc.c.csrf)
		tc.c.header.Del(ReasonHeader)
		if tc.reason != "" {
			tc.c.header.Set(ReasonHeader, tc.reason)
		}
		res := tc.c.do(tc.method, tc.path, nil)
		if res.code != tc.code || res.errorField("code") != tc.errCode {
			t.Fatalf("row %d: got %d %s, want %d %s", i, res.code, res.body, tc.code, tc.errCode)
		}
		if tc.code != 200 && strings.Contains(res.body, "personal note text") {
			t.Fatalf("row %d: data returned with %d", i, res.code)
		}
		evs := e.accessEvents(tc.family)
		if tc.event == "" {
			if len(evs) != before {
				t.Fatalf("row %d: %d access events written, want none", i, len(evs)-before)
			}
			continue
		}
		if len(evs) != before+1 {
			t.Fatalf("row %d: %d access events written, want 1", i, len(evs)-before)
		}
		ev := evs[len(evs)-1]
		if ev["type"] != tc.event || ev["family_id"] != tc.family || ev["user_id"] != tc.c.userID(t) || ev["part"] != "timeline" {
			t.Fatalf("row %d: access event %v", i, ev)
		}
		if wantRole := map[*client]string{ann: "coach", bo: "back_office"}[tc.c]; ev["role"] != wantRole {
			t.Fatalf("row %d: access event role %v, want %s", i, ev["role"], wantRole)
		}
		if flagged := ev["break_glass"] == true; flagged != tc.flagged {
			t.Fatalf("row %d: break_glass %v, want %v (%v)", i, ev["break_glass"], tc.flagged, ev)
		}
	}
	// Reason "other" needs a note; the note reaches the recorder, not the log.
	ann.header.Set(ReasonHeader, "other")
	if res := ann.do("GET", "/api/v1/test/families/f-bart/timeline", nil); res.code != 400 || res.errorField("field") != "reason_note" {
		t.Fatalf("reason other without a note: %d %s", res.code, res.body)
	}
	ann.header.Set(ReasonNoteHeader, "De co%C3%B6rdinator vroeg het dossier op")
	if res := ann.do("GET", "/api/v1/test/families/f-bart/timeline", nil); res.code != 200 {
		t.Fatalf("reason other with a note: %d %s", res.code, res.body)
	}
	evs := e.accessEvents("f-bart")
	if last := evs[len(evs)-1]; last["reason"] != "other" || last["note"] != "De coördinator vroeg het dossier op" {
		t.Fatalf("break-the-glass event %v", last)
	}
	ann.header.Del(ReasonNoteHeader)
	ann.header.Set(PurposeHeader, "gossip")
	if res := ann.do("GET", "/api/v1/test/families/f-ann/timeline", nil); res.code != 400 || res.errorField("field") != "purpose" {
		t.Fatalf("unknown purpose: %d %s", res.code, res.body)
	}
	ann.header.Del(PurposeHeader)

	metrics := e.client().do("GET", "/metrics", nil).body
	for _, want := range []string{
		`spoor_access_events_total{outcome="allowed",part="timeline"} 3`,
		`spoor_access_events_total{outcome="refused",part="timeline"} 3`,
		`spoor_access_refused_total{part="timeline"} 3`,
		`spoor_http_requests_total{code="200",method="GET",route="/api/v1/test/families/{family}/timeline"} 3`,
		`spoor_store_events_appended_total{type="RecordViewed"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// When the access event cannot be written, the data is not returned.
	e.st.Close()
	ann.header.Del(ReasonHeader)
	res := ann.do("GET", "/api/v1/test/families/f-ann/timeline", nil)
	if res.code != 503 || res.errorField("code") != "audit_unavailable" || strings.Contains(res.body, "personal note text") {
		t.Fatalf("store closed: %d %s", res.code, res.body)
	}
}

// userID asks the server who c is.
func (c *client) userID(t *testing.T) string {
	res := c.do("GET", "/api/v1/me", nil)
	return res.json["user"].(map[string]any)["id"].(string)
}

func TestMetricsPassPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus); skipping the exposition check")
	}
	e := newEnv(t, nil)
	e.login("ann").do("GET", "/api/v1/me", nil)
	e.client().do("POST", "/api/v1/login", map[string]string{"login": "ann", "password": "not the password"})
	res := e.client().do("GET", "/metrics", nil)
	if res.code != 200 || !strings.Contains(res.body, "spoor_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics: %d", res.code)
	}
	cmd := exec.CommandContext(context.Background(), promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader([]byte(res.body))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	if res := c.do("GET", "/healthz", nil); res.code != 200 || res.json["status"] != "ok" {
		t.Fatalf("healthz: %d %s", res.code, res.body)
	}
	if res := c.do("GET", "/readyz", nil); res.code != 200 {
		t.Fatalf("readyz: %d %s", res.code, res.body)
	}
	res := c.do("GET", "/api/v1/openapi.yaml", nil)
	if res.code != 200 || !strings.HasPrefix(res.body, "openapi: 3.0") {
		t.Fatalf("openapi: %d", res.code)
	}
	if id := res.header.Get("X-Request-Id"); len(id) != 24 || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("headers: %v", res.header)
	}
	c.header.Set("X-Request-Id", "proxy-42")
	if res := c.do("GET", "/healthz", nil); res.header.Get("X-Request-Id") != "proxy-42" {
		t.Fatal("incoming request id not kept")
	}
}

func TestOnlineBackup(t *testing.T) {
	e := newEnv(t, nil)
	admin, coach := e.login("admin"), e.login("ann")
	coach.header.Set(CSRFHeader, coach.csrf)
	if res := coach.do("POST", "/api/v1/backups", nil); res.code != 403 {
		t.Fatalf("coach backup: %d %s", res.code, res.body)
	}
	if res := admin.do("POST", "/api/v1/backups", nil); res.code != 403 || res.errorField("code") != "csrf" {
		t.Fatalf("admin backup without CSRF token: %d %s", res.code, res.body)
	}
	admin.header.Set(CSRFHeader, admin.csrf)
	res := admin.do("POST", "/api/v1/backups", nil)
	if res.code != 201 {
		t.Fatalf("backup: %d %s", res.code, res.body)
	}
	dir, _ := res.json["log_dir"].(string)
	st, err := pebble.Open(dir, pebble.DefaultOptions())
	if err != nil {
		t.Fatalf("backup does not open: %v", err)
	}
	defer st.Close()
	if err := st.CheckIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestFilePartsAreDomainParts(t *testing.T) {
	for _, p := range auth.Parts() {
		if p == auth.PartStaff || p == auth.PartSecurityLog {
			continue // no family's data: never in an access event
		}
		if !FilePart(p).Valid() {
			t.Errorf("policy part %s maps to %q, not a domain.FilePart", p, FilePart(p))
		}
	}
}

func TestStaffRoutes(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.login("admin")
	admin.header.Set(CSRFHeader, admin.csrf)
	ann := e.login("ann")
	ann.header.Set(CSRFHeader, ann.csrf)

	if res := ann.do("GET", "/api/v1/staff", nil); res.code != 403 {
		t.Fatalf("coach lists staff: %d", res.code)
	}
	res := admin.do("GET", "/api/v1/staff", nil)
	if res.code != 200 || len(res.json["staff"].([]any)) != len(testUsers) {
		t.Fatalf("list: %d %s", res.code, res.body)
	}
	for _, tc := range []struct {
		body       map[string]any
		code       int
		errCode, f string
	}{
		{map[string]any{"login": "ann", "display_name": "Ann Twee", "roles": []string{"coach"}}, 409, "staff.login_taken", "login"},
		{map[string]any{"login": "dora", "display_name": "Dora", "roles": []string{"chief"}}, 400, "invalid", "roles"},
		{map[string]any{"login": "dora", "roles": []string{"coach"}}, 422, "field.required", "display_name"},
		{map[string]any{"login": "D", "display_name": "Dora"}, 422, "staff.login", "login"},
		{map[string]any{"login": "dora", "display_name": "Dora", "age": 40}, 400, "unknown_field", "age"},
	} {
		res := admin.do("POST", "/api/v1/staff", tc.body)
		if res.code != tc.code || res.errorField("code") != tc.errCode || res.errorField("field") != tc.f {
			t.Errorf("register %v: %d %s", tc.body, res.code, res.body)
		}
	}
	if n := len(admin.do("GET", "/api/v1/staff", nil).json["staff"].([]any)); n != len(testUsers) {
		t.Fatalf("refused registrations wrote staff: %d", n)
	}
	res = admin.do("POST", "/api/v1/staff", map[string]any{"login": "Dora", "display_name": "Dora Claes", "roles": []string{"coach"}})
	if res.code != 201 || res.json["login"] != "dora" || fmt.Sprint(res.json["roles"]) != "[coach]" {
		t.Fatalf("register: %d %s", res.code, res.body)
	}
	dora := res.json["id"].(string)
	if res := e.client().do("POST", "/api/v1/login", map[string]string{"login": "dora", "password": testPassword}); res.code != 401 {
		t.Fatalf("login without a password set: %d", res.code)
	}
	if res := admin.do("PUT", "/api/v1/staff/"+dora+"/password", map[string]string{"password": "short"}); res.code != 400 || res.errorField("field") != "password" {
		t.Fatalf("weak password: %d %s", res.code, res.body)
	}
	if res := admin.do("PUT", "/api/v1/staff/"+dora+"/password", map[string]string{"password": testPassword}); res.code != 204 {
		t.Fatalf("set password: %d %s", res.code, res.body)
	}
	d := e.login("dora")
	d.header.Set(CSRFHeader, d.csrf)
	if res := admin.do("POST", "/api/v1/staff/"+dora+"/roles", map[string]string{"role": "coordinator"}); res.code != 200 || fmt.Sprint(res.json["roles"]) != "[coach coordinator]" {
		t.Fatalf("grant: %d %s", res.code, res.body)
	}
	if res := admin.do("POST", "/api/v1/staff/"+dora+"/roles", map[string]string{"role": "coordinator"}); res.code != 409 {
		t.Fatalf("grant twice: %d %s", res.code, res.body)
	}
	if res := admin.do("DELETE", "/api/v1/staff/"+dora+"/roles/coach", nil); res.code != 200 || fmt.Sprint(res.json["roles"]) != "[coordinator]" {
		t.Fatalf("revoke: %d %s", res.code, res.body)
	}
	if res := admin.do("DELETE", "/api/v1/staff/u-admin/roles/admin", nil); res.code != 422 {
		t.Fatalf("revoke own admin: %d %s", res.code, res.body)
	}
	if res := admin.do("POST", "/api/v1/staff/u-nobody/deactivate", nil); res.code != 404 {
		t.Fatalf("deactivate unknown: %d %s", res.code, res.body)
	}
	if res := admin.do("POST", "/api/v1/staff/"+dora+"/deactivate", nil); res.code != 200 || res.json["disabled"] != true {
		t.Fatalf("deactivate: %d %s", res.code, res.body)
	}
	if res := d.do("GET", "/api/v1/me", nil); res.code != 401 {
		t.Fatalf("session of a deactivated user: %d", res.code)
	}
	if res := e.client().do("POST", "/api/v1/login", map[string]string{"login": "dora", "password": testPassword}); res.code != 401 {
		t.Fatalf("login of a deactivated user: %d", res.code)
	}
	if res := admin.do("POST", "/api/v1/staff/"+dora+"/reactivate", nil); res.code != 200 || res.json["disabled"] != false {
		t.Fatalf("reactivate: %d %s", res.code, res.body)
	}

	// Changing one's own password.
	d = e.login("dora")
	d.header.Set(CSRFHeader, d.csrf)
	if res := d.do("POST", "/api/v1/me/password", map[string]string{"current_password": "not it at all", "new_password": "a brand new passphrase"}); res.code != 422 || res.errorField("field") != "current_password" {
		t.Fatalf("wrong current password: %d %s", res.code, res.body)
	}
	if res := d.do("POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "short"}); res.code != 400 || res.errorField("field") != "new_password" {
		t.Fatalf("weak new password: %d %s", res.code, res.body)
	}
	if res := d.do("POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "a brand new passphrase"}); res.code != 204 {
		t.Fatalf("change password: %d %s", res.code, res.body)
	}
	if res := d.do("GET", "/api/v1/me", nil); res.code != 401 {
		t.Fatalf("session after a password change: %d", res.code)
	}
	if res := e.client().do("POST", "/api/v1/login", map[string]string{"login": "dora", "password": "a brand new passphrase"}); res.code != 200 {
		t.Fatalf("login with the new password: %d %s", res.code, res.body)
	}
	// Every change is an event in the staff member's stream, by the admin.
	n := 0
	for env, err := range e.st.ReadStream(context.Background(), "staff-"+dora, 1) {
		if err != nil {
			t.Fatal(err)
		}
		if n < 7 && env.Actor.UserID != "u-admin" {
			t.Errorf("event %d (%s) by %s", env.Version, env.Type, env.Actor.UserID)
		}
		n++
	}
	if n != 8 { // registered, coach, password, coordinator, revoke, deactivate, reactivate, own password
		t.Fatalf("%d events in the staff stream, want 8", n)
	}
}

func TestExecFamily(t *testing.T) {
	e := newEnv(t, nil)
	var waited []uint64
	e.server.cfg.WaitFor = func(ctx context.Context, pos uint64) error {
		waited = append(waited, pos)
		return e.runner.WaitFor(ctx, pos)
	}
	ctx := context.Background()
	led := e.server.cfg.Ledger
	if _, err := led.ExecFamily(ctx, "f-ann", ledger.Meta{Actor: store.Actor{UserID: "u-cora", Role: "coordinator"}}, domain.Refer{
		FamilyID: "f-ann", Date: domain.DateOf(e.clock.Now()), Source: domain.SourcePolice, ReferringOrg: "Politie Demostad",
		ConsentGiven: true, ConsentForm: domain.FormVerbal, Problems: []domain.LifeDomain{domain.DomainHousing}, Children: 2, Adults: 1,
		Sealed: domain.FamilyReferredSealed{FamilyName: "Familie Peeters"},
	}); err != nil {
		t.Fatal(err)
	}
	ann := e.login("ann")
	ann.header.Set(CSRFHeader, ann.csrf)
	res := ann.do("POST", "/api/v1/families/f-ann/contacts", map[string]string{"kind": "phone", "note": "Moeder belde over de huur"})
	if res.code != 201 || res.json["version"] != float64(2) {
		t.Fatalf("log contact: %d %s", res.code, res.body)
	}
	if len(waited) != 1 {
		t.Fatalf("waited for the read models %d times", len(waited))
	}
	res = ann.do("POST", "/api/v1/families/f-ann/contacts", map[string]string{"kind": "telepathy"})
	if res.code != 422 || res.errorField("field") != "kind" {
		t.Fatalf("bad kind: %d %s", res.code, res.body)
	}
	var last store.Envelope
	n := 0
	for env, err := range e.st.ReadStream(ctx, "family-f-ann", 1) {
		if err != nil {
			t.Fatal(err)
		}
		last, n = env, n+1
	}
	if n != 2 || last.Type != "ContactLogged" || last.Actor.UserID != "u-ann" || last.Actor.Role != "coach" || last.CorrelationID == "" {
		t.Fatalf("%d events; last %s by %+v (correlation %q)", n, last.Type, last.Actor, last.CorrelationID)
	}
	if strings.Contains(string(last.Data), "huur") {
		t.Fatal("the contact note is stored in the clear")
	}
}

// TestRealFamilyFlow runs a family through the ledger and the read models:
// the policy's facts come from the caseload model, the timeline from the
// timeline model, every read writes its access event.
// realFamily refers family id, holds its intake with coach and starts its
// guidance, through the ledger, and waits for the read models.
func (e *env) realFamily(id domain.FamilyID, coach domain.StaffID) {
	e.t.Helper()
	ctx := context.Background()
	led := e.server.cfg.Ledger
	meta := ledger.Meta{Actor: store.Actor{UserID: "u-cora", Role: "coordinator"}}
	today := domain.DateOf(e.clock.Now())
	var last uint64
	for _, cmd := range []domain.FamilyCommand{
		domain.Refer{FamilyID: id, Date: today, Source: domain.SourcePolice, ReferringOrg: "Politie Demostad",
			ConsentGiven: true, ConsentForm: domain.FormVerbal, Problems: []domain.LifeDomain{domain.DomainHousing}, Children: 2, Adults: 1,
			Sealed: domain.FamilyReferredSealed{FamilyName: "Familie Janssens"}},
		domain.HoldIntake{Date: today, Attendees: []domain.Attendee{domain.AttendeeParent}, CoachID: coach, DefinitiveConsent: true, ConsentForm: domain.FormVerbal},
		domain.StartGuidance{Date: today, AllocationID: "al-1", CoachID: coach},
	} {
		res, err := led.ExecFamily(ctx, id, meta, cmd)
		if err != nil {
			e.t.Fatalf("%T: %v", cmd, err)
		}
		last = res.LastPosition
	}
	if err := e.runner.WaitFor(ctx, last); err != nil {
		e.t.Fatal(err)
	}
}

func TestRealFamilyFlow(t *testing.T) {
	e := newEnv(t, nil)
	e.realFamily("f-real", "u-ann")
	ann, bart, cora, boff := e.login("ann"), e.login("bart"), e.login("cora"), e.login("boff")
	ann.header.Set(CSRFHeader, ann.csrf)
	boff.header.Set(CSRFHeader, boff.csrf)
	if res := ann.do("POST", "/api/v1/families/f-real/contacts", map[string]any{"kind": "home_visit_announced", "duration_minutes": 45,
		"life_domains": []string{"housing"}, "note": "Huisbezoek, de verhuurder wil renovatie"}); res.code != 201 {
		t.Fatalf("log contact: %d %s", res.code, res.body)
	}
	// The write is visible to the next read (ExecFamily waited for the models).
	res := ann.do("GET", "/api/v1/families/f-real/timeline?kind=contact", nil)
	if res.code != 200 || len(res.json["entries"].([]any)) != 1 || strings.Contains(res.body, "verhuurder") {
		t.Fatalf("timeline: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/families/f-real/timeline?kind=dreams", nil); res.code != 400 || res.errorField("field") != "kind" {
		t.Fatalf("bad kind: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/families/f-real/timeline?from=31-03-2026", nil); res.code != 400 || res.errorField("field") != "from" {
		t.Fatalf("bad date: %d %s", res.code, res.body)
	}
	if res := bart.do("GET", "/api/v1/families/f-real/timeline", nil); res.code != 403 || res.errorField("code") != "reason_required" {
		t.Fatalf("another coach: %d %s", res.code, res.body)
	}
	if res := boff.do("POST", "/api/v1/families/f-real/contacts", map[string]any{"kind": "phone"}); res.code != 403 {
		t.Fatalf("back office logs a contact: %d %s", res.code, res.body)
	}
	res = ann.do("GET", "/api/v1/caseload", nil)
	coaches, _ := res.json["coaches"].([]any)
	if res.code != 200 || len(coaches) != 1 || !strings.Contains(res.body, `"family_id":"f-real"`) {
		t.Fatalf("ann's caseload: %d %s", res.code, res.body)
	}
	res = cora.do("GET", "/api/v1/caseload", nil)
	if coaches, _ := res.json["coaches"].([]any); res.code != 200 || len(coaches) != 2 {
		t.Fatalf("the coordinator's caseload: %d %s", res.code, res.body)
	}
	if res := boff.do("GET", "/api/v1/caseload", nil); res.code != 403 {
		t.Fatalf("back office caseload: %d", res.code)
	}
	// Access events: ann's timeline read, bart's refusal, back office's
	// refused write, the two caseload reads.
	var got []string
	for _, ev := range e.accessEvents("f-real") {
		got = append(got, fmt.Sprintf("%s:%s:%s", ev["type"], ev["user_id"], ev["part"]))
	}
	want := "RecordViewed:u-ann:timeline RecordAccessRefused:u-bart:timeline RecordAccessRefused:u-bo:timeline RecordViewed:u-ann:summary RecordViewed:u-cora:summary"
	if strings.Join(got, " ") != want {
		t.Fatalf("access events\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestQueryRoutes asks every read-model route as each role that may and one
// that may not, on a real family.
func TestQueryRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.realFamily("f-real", "u-ann")
	ann, cora, pia, boff := e.login("ann"), e.login("cora"), e.login("pia"), e.login("boff")
	if res := ann.do("GET", "/api/v1/families/f-real/timeline", nil); res.code != 200 {
		t.Fatalf("timeline: %d", res.code)
	}
	for _, tc := range []struct {
		c    *client
		path string
		code int
		want string
	}{
		{ann, "/api/v1/families/f-real/budget", 200, `"family_id":"f-real"`},
		{boff, "/api/v1/families/f-real/budget", 200, `"allocated_cents"`},
		{pia, "/api/v1/families/f-real/budget", 403, `role_not_permitted`},
		{ann, "/api/v1/families/f-real/parket", 200, `"state"`},
		{boff, "/api/v1/families/f-real/parket", 403, ""},
		{pia, "/api/v1/families/f-real/access-log", 200, `"u-ann"`},
		{ann, "/api/v1/families/f-real/access-log", 403, ""},
		{pia, "/api/v1/families/f-real/access-log?limit=0", 400, `"field":"limit"`},
		{pia, "/api/v1/families/f-real/art15", 200, `"family_id":"f-real"`},
		{cora, "/api/v1/families/f-real/art15", 403, ""},
		{pia, "/api/v1/staff/u-ann/access-log", 200, `"f-real"`},
		{ann, "/api/v1/staff/u-ann/access-log", 403, ""},
		{pia, "/api/v1/disclosure-register", 200, `"disclosures":[]`},
		{cora, "/api/v1/disclosure-register", 403, ""},
		{cora, "/api/v1/council-report?from=2026-01-01&to=2026-12-31", 200, `"by_category"`},
		{cora, "/api/v1/council-report?from=2026-12-01&to=2026-01-01", 400, `"field":"from"`},
		{ann, "/api/v1/council-report", 403, ""},
		{cora, "/api/v1/outcomes", 200, "{"},
		{boff, "/api/v1/outcomes", 403, ""},
		{cora, "/api/v1/waiting-list", 200, `"waiting":[]`},
		{boff, "/api/v1/waiting-list", 403, ""},
		{ann, "/api/v1/families/f-real/budget?as_of=yesterday", 400, `"field":"as_of"`},
	} {
		res := tc.c.do("GET", tc.path, nil)
		if res.code != tc.code || !strings.Contains(res.body, tc.want) {
			t.Errorf("%s as %s: %d %.300s", tc.path, tc.c.userID(t), res.code, res.body)
		}
	}
	// Reads of the family wrote access events; refused ones too; bad input
	// none.
	var got []string
	for _, ev := range e.accessEvents("f-real") {
		got = append(got, fmt.Sprintf("%s:%s:%s", ev["type"], ev["user_id"], ev["part"]))
	}
	want := []string{
		"RecordViewed:u-ann:timeline",
		"RecordViewed:u-ann:budget", "RecordViewed:u-bo:budget", "RecordAccessRefused:u-pia:budget",
		"RecordViewed:u-ann:parket", "RecordAccessRefused:u-bo:parket",
		"RecordViewed:u-pia:access_log", "RecordAccessRefused:u-ann:access_log",
		"RecordViewed:u-pia:export", "RecordAccessRefused:u-cora:export",
		"RecordViewed:u-pia:access_log",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("access events\n got %v\nwant %v", got, want)
	}
}

// TestCommandRoutes runs domain commands through their JSON routes: a
// referral, a spend proposed by the coach and decided by the coordinator,
// the team's settings, and the ways a command is refused.
func TestCommandRoutes(t *testing.T) {
	e := newEnv(t, nil)
	ann, cora, pia := e.login("ann"), e.login("cora"), e.login("pia")
	for _, c := range []*client{ann, cora, pia} {
		c.header.Set(CSRFHeader, c.csrf)
	}
	today := domain.DateOf(e.clock.Now()).String()
	res := cora.do("POST", "/api/v1/families", map[string]any{
		"family_id": "f-new", "date": today, "source": "school", "referring_org": "Basisschool De Linde",
		"consent_given": true, "consent_form": "written", "problems": []string{"children"}, "children": 1, "adults": 2,
		"family_name": "Familie Maes"})
	if res.code != 201 || res.json["family_id"] != "f-new" || fmt.Sprint(res.json["events"]) != "[FamilyReferred]" {
		t.Fatalf("refer: %d %s", res.code, res.body)
	}
	// The new family is known to the policy at once (ExecFamily waited).
	if res := cora.do("GET", "/api/v1/families/f-new/budget", nil); res.code != 200 {
		t.Fatalf("budget of the new family: %d %s", res.code, res.body)
	}
	e.realFamily("f-real", "u-ann")
	spend := map[string]any{"spend_id": "sp-1", "date": today, "amount_cents": 4500, "instrument": "maatbudget",
		"category": "cleaning_supplies", "justification": "Schimmel in de kinderkamer"}
	res = ann.do("POST", "/api/v1/families/f-real/propose-spend", spend)
	if res.code != 201 || fmt.Sprint(res.json["events"]) != "[SpendProposed]" {
		t.Fatalf("propose spend: %d %s", res.code, res.body)
	}
	res = ann.do("POST", "/api/v1/families/f-real/propose-spend", spend)
	if res.code != 409 || res.errorField("code") == "" {
		t.Fatalf("the same spend again: %d %s", res.code, res.body)
	}
	for _, tc := range []struct {
		c     *client
		path  string
		body  map[string]any
		code  int
		field string
	}{
		{ann, "/api/v1/families/f-real/decide-spend", map[string]any{"spend_id": "sp-1", "date": today, "verdict": "approved", "body": "team", "decided_by": "u-cora"}, 400, "decided_by"},
		{ann, "/api/v1/families/f-real/propose-spend", map[string]any{"spend_id": "sp-2", "date": today, "amount_cents": "lots"}, 400, "amount_cents"},
		{ann, "/api/v1/families/f-real/propose-spend", map[string]any{"spend_id": "sp-2", "date": today, "amount_cents": 100, "instrument": "maatbudget", "category": "yachts"}, 422, "category"},
		{pia, "/api/v1/families/f-real/propose-spend", map[string]any{"spend_id": "sp-3", "date": today, "amount_cents": 100, "instrument": "maatbudget", "category": "paint"}, 403, ""},
		{ann, "/api/v1/families/f-none/propose-spend", map[string]any{"spend_id": "sp-4", "date": today, "amount_cents": 100, "instrument": "maatbudget", "category": "paint"}, 404, ""},
	} {
		res := tc.c.do("POST", tc.path, tc.body)
		if res.code != tc.code || res.errorField("field") != tc.field {
			t.Errorf("%s %v: %d %s", tc.path, tc.body, res.code, res.body)
		}
	}
	res = cora.do("POST", "/api/v1/families/f-real/decide-spend", map[string]any{"spend_id": "sp-1", "date": today, "verdict": "approved", "body": "team"})
	if res.code != 201 {
		t.Fatalf("decide spend: %d %s", res.code, res.body)
	}
	// Who proposed and who decided are the callers, in the events and
	// their envelopes.
	var kinds []string
	for env, err := range e.st.ReadStream(context.Background(), "family-f-real", 1) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(env.Type, "Spend") {
			kinds = append(kinds, env.Type+":"+env.Actor.UserID)
		}
		if strings.Contains(string(env.Data), "Schimmel") {
			t.Fatal("a justification is stored in the clear")
		}
	}
	if strings.Join(kinds, " ") != "SpendProposed:u-ann SpendDecided:u-cora" {
		t.Fatalf("events %v", kinds)
	}
	// Team settings: the coordinator's.
	settings := domain.DefaultTeamSettings()
	settings.NoContactDays = 21
	body := map[string]any{"date": today, "settings": settings}
	if res := ann.do("POST", "/api/v1/team/change-team-settings", body); res.code != 403 {
		t.Fatalf("coach changes settings: %d", res.code)
	}
	if res := cora.do("POST", "/api/v1/team/change-team-settings", body); res.code != 201 || fmt.Sprint(res.json["events"]) != "[TeamSettingsChanged]" {
		t.Fatalf("settings: %d %s", res.code, res.body)
	}
}

// TestCommandDocsMatch checks that every command route documents exactly
// the body fields its command takes.
func TestCommandDocsMatch(t *testing.T) {
	doc := string(OpenAPI())
	props := func(path string) []string {
		i := strings.Index(doc, "\n  "+path+":\n")
		if i < 0 {
			t.Fatalf("%s not documented", path)
		}
		rest := doc[i+1:]
		if j := strings.Index(rest[3:], "\n  /"); j >= 0 {
			rest = rest[:j+3]
		}
		var out []string
		for _, line := range strings.Split(rest, "\n") {
			if strings.HasPrefix(line, "                ") && !strings.HasPrefix(line, "                 ") && strings.HasSuffix(line, ": {}") {
				out = append(out, strings.TrimSuffix(strings.TrimSpace(line), ": {}"))
			}
		}
		return out
	}
	check := func(path string, tp reflect.Type, extra ...string) {
		sh, err := shapeOf(tp)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string(nil), extra...)
		for n := range sh.fields {
			want = append(want, n)
		}
		sort.Strings(want)
		if got := props(path); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s documents %v, the command takes %v", path, got, want)
		}
	}
	for _, c := range familyCommands() {
		check("/api/v1/families/{family}/"+kebab(c.Name), reflect.TypeOf(c.New()).Elem())
	}
	check("/api/v1/families", reflect.TypeOf(domain.Refer{}), "family_id")
	check("/api/v1/team/change-team-settings", reflect.TypeOf(domain.ChangeTeamSettings{}))
	check("/api/v1/team/set-budget-envelope", reflect.TypeOf(domain.SetBudgetEnvelope{}))
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"ContactID": "contact_id", "InConfidenceOf": "in_confidence_of", "DurationMinutes": "duration_minutes",
		"ForCoachID": "for_coach_id", "Date": "date", "URLPath": "url_path", "T0": "t0", "RecordParketStep": "record_parket_step"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestFileRoutes reads personal data itself: the note of a contact, the
// members, through the policy and with access events naming the item.
func TestFileRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.realFamily("f-real", "u-ann")
	ann, bart, pia := e.login("ann"), e.login("bart"), e.login("pia")
	ann.header.Set(CSRFHeader, ann.csrf)
	today := domain.DateOf(e.clock.Now()).String()
	if res := ann.do("POST", "/api/v1/families/f-real/contacts", map[string]any{"contact_id": "c-1", "kind": "phone", "note": "Vader belde: de huur is betaald"}); res.code != 201 {
		t.Fatalf("log contact: %d %s", res.code, res.body)
	}
	if res := ann.do("POST", "/api/v1/families/f-real/add-member", map[string]any{"member_id": "m-1", "date": today, "role": "parent", "birth_year": 1988, "name": "Jan Janssens"}); res.code != 201 {
		t.Fatalf("add member: %d %s", res.code, res.body)
	}
	res := ann.do("GET", "/api/v1/families/f-real/contacts/c-1", nil)
	if res.code != 200 || res.json["note"] != "Vader belde: de huur is betaald" || res.json["kind"] != "phone" {
		t.Fatalf("contact: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/families/f-real/contacts/c-404", nil); res.code != 404 {
		t.Fatalf("unknown contact: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/families/f-real/contacts/c%20x", nil); res.code != 400 || res.errorField("field") != "item" {
		t.Fatalf("malformed contact id: %d %s", res.code, res.body)
	}
	if res := pia.do("GET", "/api/v1/families/f-real/contacts/c-1", nil); res.code != 403 || strings.Contains(res.body, "huur") {
		t.Fatalf("privacy officer reads a note: %d %s", res.code, res.body)
	}
	bart.header.Set(ReasonHeader, "unplanned_cover")
	if res := bart.do("GET", "/api/v1/families/f-real/contacts/c-1", nil); res.code != 200 {
		t.Fatalf("break the glass: %d %s", res.code, res.body)
	}
	res = ann.do("GET", "/api/v1/families/f-real/members", nil)
	if res.code != 200 || !strings.Contains(res.body, `"name":"Jan Janssens"`) {
		t.Fatalf("members: %d %s", res.code, res.body)
	}
	res = pia.do("GET", "/api/v1/families/f-real", nil)
	if res.code != 200 || res.json["status"] != "active" || res.json["coach_id"] != "u-ann" || strings.Contains(res.body, "Janssens") {
		t.Fatalf("summary: %d %s", res.code, res.body)
	}
	var got []string
	for _, ev := range e.accessEvents("f-real") {
		got = append(got, fmt.Sprintf("%s:%s:%s:%v", ev["type"], ev["user_id"], ev["part"], ev["break_glass"]))
	}
	// The access to the unknown contact c-404 is recorded too: access is
	// decided and recorded before the file is loaded.
	want := "RecordViewed:u-ann:note:false RecordViewed:u-ann:note:false RecordAccessRefused:u-pia:note:false RecordViewed:u-bart:note:true RecordViewed:u-ann:members:false RecordViewed:u-pia:summary:false"
	if strings.Join(got, " ") != want {
		t.Fatalf("access events\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestUserWithoutRole(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.login("admin")
	admin.header.Set(CSRFHeader, admin.csrf)
	res := admin.do("POST", "/api/v1/staff", map[string]any{"login": "nora", "display_name": "Nora Nieuw"})
	if res.code != 201 || fmt.Sprint(res.json["roles"]) != "[]" {
		t.Fatalf("register without roles: %d %s", res.code, res.body)
	}
	id := res.json["id"].(string)
	if res := admin.do("PUT", "/api/v1/staff/"+id+"/password", map[string]string{"password": testPassword}); res.code != 204 {
		t.Fatal(res.body)
	}
	nora := e.login("nora")
	if res := nora.do("GET", "/api/v1/families/f-ann/budget", nil); res.code != 403 {
		t.Fatalf("user without a role: %d %s", res.code, res.body)
	}
	if n := len(e.accessEvents("f-ann")); n != 0 {
		t.Fatalf("%d access events for a user without a role", n)
	}
}
