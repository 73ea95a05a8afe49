package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"spoor/auth"
	"spoor/auth/staffdir"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// streamEvents decodes the public parts of a stream's events.
func (e *env) streamEvents(stream string) []domain.Event {
	e.t.Helper()
	ctx := context.Background()
	var out []domain.Event
	for env, err := range e.st.ReadStream(ctx, stream, 1) {
		if err != nil {
			e.t.Fatalf("read %s: %v", stream, err)
		}
		o, err := e.sealer.Open(ctx, env.Data)
		if err != nil {
			e.t.Fatal(err)
		}
		ev, err := domain.Decode(env.Type, o.Public, o.Secret)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// logContains reports whether any stored payload holds text.
func (e *env) logContains(text string) bool {
	e.t.Helper()
	for env, err := range e.st.ReadAll(context.Background(), 1) {
		if err != nil {
			e.t.Fatal(err)
		}
		if strings.Contains(string(env.Data), text) {
			return true
		}
	}
	return false
}

// TestTokensInTheLog issues a token through the API, uses it, lists it and
// revokes it, and checks what the log holds: the hash on the user's staff
// stream, never the token; a directory folded afresh from the log (as after
// a restart) knows the token until it is revoked.
func TestTokensInTheLog(t *testing.T) {
	e := newEnv(t, nil)
	admin, ann := e.login("admin"), e.login("ann")
	admin.header.Set(CSRFHeader, admin.csrf)
	res := admin.do("POST", "/api/v1/tokens", map[string]any{"user_id": "u-ann", "label": "export job", "expires_in_days": 30})
	if res.code != 201 {
		t.Fatalf("issue: %d %s", res.code, res.body)
	}
	tok, tokID := res.json["token"].(string), res.json["id"].(string)
	sum := sha256.Sum256([]byte(tok))
	var issued []domain.TokenIssued
	for _, ev := range e.streamEvents("staff-u-ann") {
		if ti, ok := ev.(domain.TokenIssued); ok {
			issued = append(issued, ti)
		}
	}
	if len(issued) != 1 || issued[0].Hash != hex.EncodeToString(sum[:]) || issued[0].TokenID != tokID || issued[0].By != "u-admin" || issued[0].Label != "export job" {
		t.Fatalf("TokenIssued events %+v", issued)
	}
	if e.logContains(tok) || e.logContains(strings.TrimPrefix(tok, auth.TokenPrefix)) {
		t.Fatal("the token text is in the log")
	}

	bearer := e.client()
	bearer.bearer = tok
	if res := bearer.do("GET", "/api/v1/me", nil); res.code != 200 || res.json["method"] != "token" {
		t.Fatalf("me with the token: %d %s", res.code, res.body)
	}

	// The list shows the token without its text; only the admin may list.
	res = admin.do("GET", "/api/v1/tokens?user_id=u-ann", nil)
	if toks, _ := res.json["tokens"].([]any); res.code != 200 || len(toks) != 1 || strings.Contains(res.body, tok) || !strings.Contains(res.body, tokID) {
		t.Fatalf("list: %d %s", res.code, res.body)
	}
	for _, tc := range []struct {
		c     *client
		path  string
		code  int
		field string
	}{
		{ann, "/api/v1/tokens?user_id=u-ann", 403, ""},
		{bearer, "/api/v1/tokens?user_id=u-ann", 403, ""},
		{admin, "/api/v1/tokens", 400, "user_id"},
		{admin, "/api/v1/tokens?user_id=no%20id", 400, "user_id"},
		{admin, "/api/v1/tokens?user_id=u-nobody", 404, "user_id"},
	} {
		if res := tc.c.do("GET", tc.path, nil); res.code != tc.code || res.errorField("field") != tc.field {
			t.Errorf("GET %s: %d %s", tc.path, res.code, res.body)
		}
	}

	// A directory folded afresh from the log knows the token.
	fresh := func() *staffdir.Directory {
		d := staffdir.New(e.st, e.sealer, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		head, err := e.st.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.WaitFor(ctx, head); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if _, u, err := fresh().TokenByHash(context.Background(), auth.HashToken(tok)); err != nil || u.ID != "u-ann" {
		t.Fatalf("token after a refold: %v %v", u.ID, err)
	}

	if res := admin.do("DELETE", "/api/v1/tokens/"+tokID, nil); res.code != 204 {
		t.Fatalf("revoke: %d %s", res.code, res.body)
	}
	if res := bearer.do("GET", "/api/v1/me", nil); res.code != 401 {
		t.Fatalf("revoked token: %d %s", res.code, res.body)
	}
	evs := e.streamEvents("staff-u-ann")
	if rv, ok := evs[len(evs)-1].(domain.TokenRevoked); !ok || rv.TokenID != tokID || rv.By != "u-admin" {
		t.Fatalf("last staff event %#v", evs[len(evs)-1])
	}
	if _, _, err := fresh().TokenByHash(context.Background(), auth.HashToken(tok)); err == nil {
		t.Fatal("a revoked token is known after a refold")
	}
	if res := admin.do("GET", "/api/v1/tokens?user_id=u-ann", nil); !strings.Contains(res.body, `"tokens":[]`) {
		t.Fatalf("list after revoke: %s", res.body)
	}
}

// TestLoginFailuresRecorded fails two logins, one of a known user and one
// of an unknown login, and checks the security stream and the privacy
// officer's route: ids and pseudonyms, never the typed login, the password
// or the address.
func TestLoginFailuresRecorded(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	const unknownLogin, wrong = "jan.peeters.typo", "Tr0ub4dor&3-wrong"
	if res := c.do("POST", "/api/v1/login", map[string]string{"login": "ann", "password": wrong}); res.code != 401 {
		t.Fatalf("wrong password: %d", res.code)
	}
	if res := c.do("POST", "/api/v1/login", map[string]string{"login": unknownLogin, "password": wrong}); res.code != 401 {
		t.Fatalf("unknown login: %d", res.code)
	}
	var got []domain.LoginFailed
	for _, ev := range e.streamEvents(domain.SecurityStream) {
		got = append(got, ev.(domain.LoginFailed))
	}
	if len(got) != 2 {
		t.Fatalf("security stream %+v", got)
	}
	if got[0].UserID != "u-ann" || got[0].LoginHash != "" || got[0].Reason != domain.LoginBadPassword || got[0].AddrClass != domain.AddrLoopback || got[0].AddrHash == "" {
		t.Errorf("known user's failure %+v", got[0])
	}
	if got[1].UserID != "" || len(got[1].LoginHash) != 32 || got[1].Reason != domain.LoginUnknown || got[1].AddrHash != got[0].AddrHash {
		t.Errorf("unknown login's failure %+v", got[1])
	}
	for _, text := range []string{unknownLogin, wrong, "127.0.0.1"} {
		if e.logContains(text) {
			t.Errorf("the log holds %q", text)
		}
	}
	// A second try of the same unknown login has the same pseudonym.
	c.do("POST", "/api/v1/login", map[string]string{"login": unknownLogin, "password": wrong})

	pia, ann := e.login("pia"), e.login("ann")
	res := pia.do("GET", "/api/v1/security/login-failures", nil)
	list, _ := res.json["login_failures"].([]any)
	if res.code != 200 || len(list) != 3 {
		t.Fatalf("privacy officer: %d %s", res.code, res.body)
	}
	newest, oldest := list[0].(map[string]any), list[2].(map[string]any)
	if newest["login_hash"] != got[1].LoginHash || oldest["user_id"] != "u-ann" || strings.Contains(res.body, unknownLogin) {
		t.Fatalf("failures as listed: %s", res.body)
	}
	if res := pia.do("GET", "/api/v1/security/login-failures?limit=1", nil); len(res.json["login_failures"].([]any)) != 1 {
		t.Fatalf("limit 1: %s", res.body)
	}
	if res := pia.do("GET", "/api/v1/security/login-failures?since=yesterday", nil); res.code != 400 || res.errorField("field") != "since" {
		t.Fatalf("bad since: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/security/login-failures", nil); res.code != 403 {
		t.Fatalf("a coach reads failed logins: %d", res.code)
	}
}

// busyFamily is realFamily with a parket status request, a disclosure the
// family was not told of and an information request.
func (e *env) busyFamily(id domain.FamilyID, coach domain.StaffID) {
	e.t.Helper()
	e.realFamily(id, coach)
	ctx := context.Background()
	today := domain.DateOf(e.clock.Now())
	meta := ledger.Meta{Actor: store.Actor{UserID: string(coach), Role: "coach"}}
	var last uint64
	for _, cmd := range []domain.FamilyCommand{
		domain.RecordParketStep{Step: domain.TypeParketInformed, Date: today},
		domain.RecordParketStep{Step: domain.TypeParketStatusRequested, Date: today, RequestID: "prq-1", DueDate: today.AddDays(10)},
		domain.Disclose{DisclosureID: "dis-1", Date: today, RecipientOrg: "CLB Demostad", RecipientRole: "CLB-medewerker", RecipientCategory: domain.RecipientCLB,
			DataCategories: []domain.DataCategory{domain.DataHealth}, Purpose: domain.PurposeSchool, LegalBasis: domain.BasisLegalDuty, DecidedBy: coach},
		domain.ReceiveInfoRequest{RequestID: "irq-1", Date: today, FromOrg: "CLB Demostad", FromRole: "CLB-medewerker", FromCategory: domain.RecipientCLB,
			DataCategories: []domain.DataCategory{domain.DataHealth}, Purpose: domain.PurposeSchool},
	} {
		res, err := e.server.cfg.Ledger.ExecFamily(ctx, id, meta, cmd)
		if err != nil {
			e.t.Fatalf("%T: %v", cmd, err)
		}
		last = res.LastPosition
	}
	if err := e.runner.WaitFor(ctx, last); err != nil {
		e.t.Fatal(err)
	}
}

// TestMoreQueryRoutes asks every route of queries_more.go as a role that
// may and one that may not, checks bad input names its field, and that
// every list naming the family wrote one access event for it.
func TestMoreQueryRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.busyFamily("f-real", "u-ann")
	ann, bart, cora, pia, boff := e.login("ann"), e.login("bart"), e.login("cora"), e.login("pia"), e.login("boff")
	// bart breaks the glass: a flagged access for the privacy officer.
	if res := bart.do("GET", "/api/v1/families/f-real/timeline?reason=urgent_safety", nil); res.code != 200 {
		t.Fatalf("break the glass: %d %s", res.code, res.body)
	}
	later := domain.DateOf(e.clock.Now()).AddDays(200).String()
	for _, tc := range []struct {
		c    *client
		path string
		code int
		want string
		// part is the access event the request writes for f-real, "" none.
		part string
	}{
		{pia, "/api/v1/privacy/flags", 200, `"family_id":"f-real"`, "RecordViewed:u-pia:access_log"},
		{pia, "/api/v1/privacy/flags?flag=break_glass", 200, `"break_glass":1`, "RecordViewed:u-pia:access_log"},
		{pia, "/api/v1/privacy/flags?flag=bored", 400, `"field":"flag"`, ""},
		{pia, "/api/v1/privacy/flags?from=2026-04-01&to=2026-03-01", 400, `"field":"from"`, ""},
		{cora, "/api/v1/privacy/flags", 403, "", ""},
		{pia, "/api/v1/privacy/unusual-volume?from=2026-03-01&to=2026-03-31", 200, `"days":[]`, ""},
		{pia, "/api/v1/privacy/unusual-volume?from=2026-03-01", 400, `"field":"to"`, ""},
		{ann, "/api/v1/privacy/unusual-volume?from=2026-03-01&to=2026-03-31", 403, "", ""},
		{pia, "/api/v1/privacy/not-informed?days=0&as_of=" + later, 200, `"disclosure_id":"dis-1"`, "RecordViewed:u-pia:disclosures"},
		{pia, "/api/v1/privacy/not-informed?days=-1", 400, `"field":"days"`, ""},
		{cora, "/api/v1/privacy/not-informed", 403, "", ""},
		{pia, "/api/v1/privacy/consent-violations", 200, `"disclosures":[]`, ""},
		{pia, "/api/v1/privacy/consent-violations?family=a%20b", 400, `"field":"family"`, ""},
		{boff, "/api/v1/privacy/consent-violations", 403, "", ""},
		{pia, "/api/v1/privacy/info-requests", 200, `"request_id":"irq-1"`, "RecordViewed:u-pia:disclosures"},
		{ann, "/api/v1/privacy/info-requests", 403, "", ""},
		{cora, "/api/v1/budget/totals?from=2026-01-01&to=2026-12-31", 200, `"by_category"`, ""},
		{cora, "/api/v1/budget/totals?from=2026-01-01", 400, `"field":"to"`, ""},
		{boff, "/api/v1/budget/totals?from=2026-01-01&to=2026-12-31", 403, "", ""},
		{cora, "/api/v1/budget/envelopes?year=2026", 200, `"envelopes":`, ""},
		{cora, "/api/v1/budget/envelopes?year=twenty", 400, `"field":"year"`, ""},
		{ann, "/api/v1/budget/envelopes", 403, "", ""},
		{cora, "/api/v1/budget/cost-avoidance", 200, `"families":`, ""},
		{pia, "/api/v1/budget/cost-avoidance", 403, "", ""},
		{cora, "/api/v1/budget/families", 200, `"family_id":"f-real"`, "RecordViewed:u-cora:budget"},
		{pia, "/api/v1/budget/families", 403, "", ""},
		{ann, "/api/v1/families/f-real/assessments", 200, `"pictures":[]`, "RecordViewed:u-ann:assessments"},
		{cora, "/api/v1/families/f-real/assessments", 200, `"family_id":"f-real"`, "RecordViewed:u-cora:assessments"},
		{pia, "/api/v1/families/f-real/assessments", 403, "", "RecordAccessRefused:u-pia:assessments"},
		{ann, "/api/v1/families/f-real/assessments/leefsituatie-v1", 404, `"field":"instrument"`, "RecordViewed:u-ann:assessments"},
		{ann, "/api/v1/families/f-real/assessments/leefsituatie-v1/history", 404, `"field":"instrument"`, "RecordViewed:u-ann:assessments"},
		{ann, "/api/v1/families/f-real/assessments/leefsituatie-v1?as_of=soon", 400, `"field":"as_of"`, ""},
		{cora, "/api/v1/assessments/overdue?as_of=" + later, 200, `"family_id":"f-real"`, "RecordViewed:u-cora:assessments"},
		{cora, "/api/v1/assessments/overdue?instrument=no%20id", 400, `"field":"instrument"`, ""},
		{ann, "/api/v1/assessments/overdue", 403, "", ""},
		{cora, "/api/v1/parket/open-requests", 200, `"request_id":"prq-1"`, "RecordViewed:u-cora:parket"},
		{cora, "/api/v1/parket/open-requests?within_days=many", 400, `"field":"within_days"`, ""},
		{ann, "/api/v1/parket/open-requests", 403, "", ""},
		{cora, "/api/v1/parket/counts", 200, `"status_requested":1`, ""},
		{pia, "/api/v1/parket/counts", 403, "", ""},
	} {
		before := len(e.accessEvents("f-real"))
		res := tc.c.do("GET", tc.path, nil)
		if res.code != tc.code || !strings.Contains(res.body, tc.want) {
			t.Errorf("%s as %s: %d %.400s", tc.path, tc.c.userID(t), res.code, res.body)
			continue
		}
		evs := e.accessEvents("f-real")
		var got []string
		for _, ev := range evs[before:] {
			got = append(got, fmt.Sprintf("%s:%s:%s", ev["type"], ev["user_id"], ev["part"]))
		}
		want := []string{}
		if tc.part != "" {
			want = []string{tc.part}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s as %s: access events %v, want %v", tc.path, tc.c.userID(t), got, want)
		}
	}
}

// TestFamilyExport exports a family's file as its coach: the sealed parts
// are in the export, an access event and an ExportMade event are written
// first; a coordinator without a reason and the back office are refused.
func TestFamilyExport(t *testing.T) {
	e := newEnv(t, nil)
	e.realFamily("f-real", "u-ann")
	ann, cora, boff := e.login("ann"), e.login("cora"), e.login("boff")
	res := ann.do("GET", "/api/v1/families/f-real/export?purpose=access_request", nil)
	if res.code != 200 || !strings.Contains(res.body, `"family_name":"Familie Janssens"`) || !strings.Contains(res.body, `"type":"FamilyReferred"`) ||
		!strings.Contains(res.header.Get("Content-Disposition"), "family-f-real.json") {
		t.Fatalf("export: %d %.500s", res.code, res.body)
	}
	if res := cora.do("GET", "/api/v1/families/f-real/export", nil); res.code != 403 || res.errorField("code") != "reason_required" {
		t.Fatalf("coordinator without reason: %d %s", res.code, res.body)
	}
	if res := boff.do("GET", "/api/v1/families/f-real/export", nil); res.code != 403 {
		t.Fatalf("back office: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/families/f-real/export?purpose=curiosity", nil); res.code != 400 || res.errorField("field") != "purpose" {
		t.Fatalf("bad purpose: %d %s", res.code, res.body)
	}
	var types []string
	var export domain.ExportMade
	for _, ev := range e.streamEvents("access-f-real") {
		types = append(types, ev.EventType())
		if x, ok := ev.(domain.ExportMade); ok {
			export = x
		}
	}
	if strings.Join(types, " ") != "RecordViewed ExportMade RecordAccessRefused RecordAccessRefused" {
		t.Fatalf("access stream %v", types)
	}
	if export.UserID != "u-ann" || export.Kind != domain.ExportFile || export.Format != "json" || export.Purpose != domain.PurposeAccessRequest || string(export.ExportID) != res.json["export_id"] {
		t.Fatalf("ExportMade %+v", export)
	}
}

// TestTimelineTextSearch: the coach of the family finds a note by its
// text; a coordinator needs a reason (and is recorded reading notes); the
// search is a note access in the log; callers who may not read the
// timeline are refused before anything is searched. (The policy lets
// everyone who reads a timeline read its notes under the same condition,
// so the text_search_forbidden refusal is checked in
// TestTextSearchRefusal.)
func TestTimelineTextSearch(t *testing.T) {
	e := newEnv(t, nil)
	e.realFamily("f-real", "u-ann")
	ann, cora := e.login("ann"), e.login("cora")
	ann.header.Set(CSRFHeader, ann.csrf)
	for _, note := range []string{"De verhuurder belde over de huur", "Schoolbezoek met de leerkracht"} {
		if res := ann.do("POST", "/api/v1/families/f-real/contacts", map[string]any{"kind": "phone", "note": note}); res.code != 201 {
			t.Fatalf("log contact: %d %s", res.code, res.body)
		}
	}
	res := ann.do("GET", "/api/v1/families/f-real/timeline?text=verhuurder", nil)
	if entries, _ := res.json["entries"].([]any); res.code != 200 || len(entries) != 1 {
		t.Fatalf("search: %d %s", res.code, res.body)
	}
	if res := ann.do("GET", "/api/v1/families/f-real/timeline?text="+strings.Repeat("x", 201), nil); res.code != 400 || res.errorField("field") != "text" {
		t.Fatalf("long text: %d %s", res.code, res.body)
	}
	// The coordinator may read the timeline and notes only with a reason.
	if res := cora.do("GET", "/api/v1/families/f-real/timeline?text=verhuurder&reason=team_review", nil); res.code != 200 {
		t.Fatalf("coordinator with a reason: %d %s", res.code, res.body)
	}
	// Another coach without a reason, the privacy officer: refused before
	// any text is searched, and recorded.
	bart, pia := e.login("bart"), e.login("pia")
	if res := bart.do("GET", "/api/v1/families/f-real/timeline?text=verhuurder", nil); res.code != 403 || strings.Contains(res.body, "verhuurder belde") {
		t.Fatalf("another coach: %d %s", res.code, res.body)
	}
	if res := pia.do("GET", "/api/v1/families/f-real/timeline?text=verhuurder", nil); res.code != 403 {
		t.Fatalf("privacy officer: %d %s", res.code, res.body)
	}
	var got []string
	for _, ev := range e.accessEvents("f-real") {
		got = append(got, fmt.Sprintf("%s:%s:%s", ev["type"], ev["user_id"], ev["part"]))
	}
	want := "RecordViewed:u-ann:timeline RecordViewed:u-ann:note RecordViewed:u-cora:timeline RecordViewed:u-cora:note " +
		"RecordAccessRefused:u-bart:timeline RecordAccessRefused:u-pia:timeline"
	if strings.Join(got, " ") != want {
		t.Fatalf("access events\n got %v\nwant %s", got, want)
	}
}

// TestTeamQueryRoutes asks the team-level queries of queries_team.go: a
// coach sees only their own families (and covers), the coordinator all;
// lists write one access event per family, counts none; bad input names
// its field.
func TestTeamQueryRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.busyFamily("f-real", "u-ann")
	today := domain.DateOf(e.clock.Now())
	res, err := e.server.cfg.Ledger.ExecFamily(context.Background(), "f-real", ledger.Meta{Actor: store.Actor{UserID: "u-cora", Role: "coordinator"}},
		domain.ArrangeCover{CoverID: "cov-1", CoachID: "u-bart", ForCoachID: "u-ann", From: today, Until: today.AddDays(7), Reason: domain.CoverHoliday})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.runner.WaitFor(context.Background(), res.LastPosition); err != nil {
		t.Fatal(err)
	}
	ann, bart, cora, pia, boff := e.login("ann"), e.login("bart"), e.login("cora"), e.login("pia"), e.login("boff")
	cora.header.Set(CSRFHeader, cora.csrf)
	pia.header.Set(CSRFHeader, pia.csrf)
	later := today.AddDays(120).String()
	for _, tc := range []struct {
		c      *client
		method string
		path   string
		body   any
		code   int
		want   string
		part   string
	}{
		{bart, "GET", "/api/v1/caseload/covers", nil, 200, `"cover_id":"cov-1"`, "RecordViewed:u-bart:summary"},
		{ann, "GET", "/api/v1/caseload/covers", nil, 200, `"for_coach_id":"u-ann"`, "RecordViewed:u-ann:summary"},
		{cora, "GET", "/api/v1/caseload/covers?on=" + today.AddDays(30).String(), nil, 200, `"covers":[]`, ""},
		{cora, "GET", "/api/v1/caseload/covers?on=soon", nil, 400, `"field":"on"`, ""},
		{boff, "GET", "/api/v1/caseload/covers", nil, 403, "", ""},
		{ann, "GET", "/api/v1/caseload/contacts", nil, 200, `"family_id":"f-real"`, "RecordViewed:u-ann:summary"},
		{e.login("bart"), "GET", "/api/v1/caseload/contacts?as_of=" + today.AddDays(30).String(), nil, 200, `"families":[]`, ""},
		{cora, "GET", "/api/v1/caseload/contacts?no_contact_days=30&as_of=" + later, nil, 200, `"family_id":"f-real"`, "RecordViewed:u-cora:summary"},
		{cora, "GET", "/api/v1/caseload/contacts?no_contact_days=x", nil, 400, `"field":"no_contact_days"`, ""},
		{pia, "GET", "/api/v1/caseload/contacts", nil, 403, "", ""},
		{cora, "GET", "/api/v1/caseload/reviews-due?as_of=" + later, nil, 200, `"family_id":"f-real"`, "RecordViewed:u-cora:summary"},
		{cora, "GET", "/api/v1/caseload/reviews-due?within_days=-2", nil, 400, `"field":"within_days"`, ""},
		{boff, "GET", "/api/v1/caseload/reviews-due", nil, 403, "", ""},
		{cora, "GET", "/api/v1/caseload/summary", nil, 200, `"by_status"`, ""},
		{pia, "GET", "/api/v1/caseload/summary", nil, 403, "", ""},
		{cora, "GET", "/api/v1/caseload/capacity?coach=u-ann&source=police", nil, 200, `"exceeds":`, ""},
		{cora, "GET", "/api/v1/caseload/capacity?coach=u-ann&source=SECRET%20Ann", nil, 400, `"field":"source"`, ""},
		{cora, "GET", "/api/v1/caseload/capacity?source=police", nil, 400, `"field":"coach"`, ""},
		{boff, "GET", "/api/v1/caseload/capacity?coach=u-ann&source=police", nil, 403, "", ""},
		{ann, "GET", "/api/v1/team/settings", nil, 200, `{`, ""},
		{pia, "GET", "/api/v1/team/settings", nil, 403, "", ""},
		{cora, "POST", "/api/v1/outcomes/deprivation", map[string]any{"follow_up_months": 0}, 400, `"error"`, ""},
		{cora, "POST", "/api/v1/outcomes/deprivation", `{"follow_up_months":3,"colour":"red"}`, 400, `"field":"colour"`, ""},
		{pia, "POST", "/api/v1/outcomes/deprivation", map[string]any{}, 403, "", ""},
		{cora, "GET", "/api/v1/parket/states", nil, 200, `"state":"status_requested"`, "RecordViewed:u-cora:parket"},
		{ann, "GET", "/api/v1/parket/states", nil, 403, "", ""},
		{cora, "GET", "/api/v1/parket/disclosures?from=2026-01-01&to=2026-12-31", nil, 200, `"disclosures":[]`, ""},
		{cora, "GET", "/api/v1/parket/disclosures?from=2026-12-01&to=2026-01-01", nil, 400, `"field":"from"`, ""},
		{pia, "GET", "/api/v1/parket/disclosures", nil, 403, "", ""},
	} {
		before := len(e.accessEvents("f-real"))
		res := tc.c.do(tc.method, tc.path, tc.body)
		if res.code != tc.code || !strings.Contains(res.body, tc.want) {
			t.Errorf("%s %s as %s: %d %.400s", tc.method, tc.path, tc.c.userID(t), res.code, res.body)
			continue
		}
		var got []string
		for _, ev := range e.accessEvents("f-real")[before:] {
			got = append(got, fmt.Sprintf("%s:%s:%s", ev["type"], ev["user_id"], ev["part"]))
		}
		want := []string{}
		if tc.part != "" {
			want = []string{tc.part}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s as %s: access events %v, want %v", tc.path, tc.c.userID(t), got, want)
		}
	}
}

// TestTextSearchRefusal calls the text-search check for a caller the
// policy does not let read notes (a back-office worker; through the route
// the timeline's own check refuses first): a 403 with the code
// text_search_forbidden and field text, and a refused note access in the
// log.
func TestTextSearchRefusal(t *testing.T) {
	e := newEnv(t, nil)
	e.realFamily("f-real", "u-ann")
	boff, err := e.dir.UserByID(context.Background(), "u-bo")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/v1/families/f-real/timeline?text=x", nil)
	fr := FamilyRequest{Identity: auth.Identity{User: boff, Method: auth.MethodSession}, Family: auth.FamilyFacts{ID: "f-real", AssignedCoach: "u-ann"},
		Decision: auth.Decision{Allowed: true, Role: auth.RoleBackOffice}, Access: AccessParams{Purpose: "guidance"}}
	err = e.server.allowTextSearch(r, fr)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "text_search_forbidden" || apiErr.Field != "text" {
		t.Fatalf("refusal: %v", err)
	}
	evs := e.accessEvents("f-real")
	if len(evs) != 1 || evs[0]["type"] != "RecordAccessRefused" || evs[0]["part"] != "note" || evs[0]["user_id"] != "u-bo" {
		t.Fatalf("access events %v", evs)
	}
}
