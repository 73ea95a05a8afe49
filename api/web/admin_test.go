package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections/privacy"
)

var secretRE = regexp.MustCompile(`id="geheim" type="text" readonly value="([^"]+)"`)

// TestStaffPages: the admin registers a coach (typed password, then one
// drawn and shown once), grants and revokes a role, issues and revokes an
// API token, deactivates and reactivates; the new coach logs in with each
// password; bad input stays next to its field; other roles are refused and
// the admin is refused case content.
func TestStaffPages(t *testing.T) {
	e := startEnv(t)
	a := login(t, e, "admin")
	r := a.get("/beheer/medewerkers")
	if r.code != http.StatusOK || !strings.Contains(r.body, "<code>coach1</code>") || !strings.Contains(r.body, `href="/beheer/medewerkers"`) {
		t.Fatalf("staff list: %d %.400s", r.code, r.body)
	}
	for _, who := range []string{"coach1", "coordinator", "privacy", "backoffice"} {
		if r := login(t, e, who).get("/beheer/medewerkers"); r.code != http.StatusForbidden {
			t.Fatalf("%s on the staff page: %d", who, r.code)
		}
	}
	// the admin sees no case content
	own, _ := familyOf(t, e, e.user(t, "coach1"))
	if r := a.get("/gezin/" + own); r.code != http.StatusForbidden {
		t.Fatalf("admin on a family: %d", r.code)
	}
	if r := a.get("/team"); r.code != http.StatusForbidden {
		t.Fatalf("admin on the team page: %d", r.code)
	}

	// bad input: errors next to the fields, what was typed kept, nothing written
	n := len(e.Dir.Users())
	r = a.post("/beheer/medewerkers", url.Values{"login": {"coach1"}, "display_name": {"Nieuwe Coach"}, "password": {"kort"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "al in gebruik") || !strings.Contains(r.body, "minstens") ||
		!strings.Contains(r.body, "Kies minstens één geldige rol") || !strings.Contains(r.body, `value="Nieuwe Coach"`) || strings.Contains(r.body, `value="kort"`) {
		t.Fatalf("bad registration: %d %s", r.code, r.body)
	}
	if len(e.Dir.Users()) != n {
		t.Fatal("a refused registration wrote a staff member")
	}

	login := "coach.web" + time.Now().Format("150405")
	pw := "een-heel-lang-wachtwoord-1"
	r = a.post("/beheer/medewerkers", url.Values{"login": {login}, "display_name": {"Web Coach"}, "email": {login + "@voorbeeld.be"}, "roles": {"coach"}, "password": {pw}})
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/beheer/medewerkers/") {
		t.Fatalf("register: %d %s", r.code, r.body)
	}
	staffPath := strings.SplitN(r.location, "?", 2)[0]
	r = a.get(r.location)
	if r.code != http.StatusOK || !strings.Contains(r.body, "Medewerker geregistreerd") || !strings.Contains(r.body, "gezinscoach") {
		t.Fatalf("new staff page: %d %.300s", r.code, r.body)
	}
	nc := newBrowser(t, e)
	nc.get("/login")
	if r := nc.post("/login", url.Values{"login": {login}, "password": {pw}}); r.code != http.StatusSeeOther {
		t.Fatalf("new coach logs in: %d", r.code)
	}
	if r := nc.get("/caseload"); r.code != http.StatusOK {
		t.Fatalf("new coach's caseload: %d", r.code)
	}

	// grant, revoke
	a.mustPost(staffPath+"/rol", url.Values{"role": {"back_office"}}, "Rollen bijgewerkt")
	if r := a.get(staffPath); !strings.Contains(r.body, "back office") {
		t.Fatal("granted role not shown")
	}
	a.mustPost(staffPath+"/rol-intrekken", url.Values{"role": {"back_office"}}, "Rollen bijgewerkt")
	if r := a.post(staffPath+"/rol", url.Values{"role": {"king"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Kies minstens één geldige rol") {
		t.Fatalf("bad role: %d", r.code)
	}

	// a password drawn by Spoor, shown once; the old one stops working,
	// and so does the new coach's session
	r = a.post(staffPath+"/wachtwoord", url.Values{"password": {""}})
	m := secretRE.FindStringSubmatch(r.body)
	if r.code != http.StatusOK || m == nil || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("drawn password: %d %.300s", r.code, r.body)
	}
	if r := nc.get("/caseload"); r.code != http.StatusSeeOther {
		t.Fatalf("session after a password reset: %d", r.code)
	}
	nc = newBrowser(t, e)
	nc.get("/login")
	if r := nc.post("/login", url.Values{"login": {login}, "password": {pw}}); r.code != http.StatusUnauthorized {
		t.Fatalf("old password: %d", r.code)
	}
	if r := nc.post("/login", url.Values{"login": {login}, "password": {m[1]}}); r.code != http.StatusSeeOther {
		t.Fatalf("drawn password: %d", r.code)
	}
	if r := a.post(staffPath+"/wachtwoord", url.Values{"password": {"kort"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "minstens") {
		t.Fatalf("weak password: %d", r.code)
	}

	// an API token, shown once, works as a bearer token until revoked
	r = a.post(staffPath+"/token", url.Values{"label": {"koppeling"}, "days": {"30"}})
	m = secretRE.FindStringSubmatch(r.body)
	if r.code != http.StatusOK || m == nil {
		t.Fatalf("token: %d %.300s", r.code, r.body)
	}
	bearer := func() int {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if c := bearer(); c != http.StatusOK {
		t.Fatalf("new token: %d", c)
	}
	r = a.get(staffPath)
	tm := regexp.MustCompile(`action="(/beheer/medewerkers/[^"]+/tokens/[^"]+/intrekken)"`).FindStringSubmatch(r.body)
	if tm == nil || !strings.Contains(r.body, "koppeling") {
		t.Fatalf("token not listed: %.300s", r.body)
	}
	a.mustPost(tm[1], url.Values{}, "Sleutel ingetrokken")
	if c := bearer(); c != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", c)
	}
	if r := a.post(staffPath+"/token", url.Values{"label": {""}, "days": {"999"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "1 tot 365") {
		t.Fatalf("bad token: %d", r.code)
	}

	// deactivate: the coach cannot log in; reactivate: they can
	a.mustPost(staffPath+"/deactiveren", url.Values{}, "Medewerker gedeactiveerd")
	nc = newBrowser(t, e)
	nc.get("/login")
	if r := nc.post("/login", url.Values{"login": {login}, "password": {m[1]}}); r.code == http.StatusSeeOther {
		t.Fatal("a deactivated coach logged in")
	}
	a.mustPost(staffPath+"/heractiveren", url.Values{}, "Medewerker opnieuw actief")
	// the admin cannot deactivate themselves nor drop their own admin role
	self := "/beheer/medewerkers/" + url.PathEscape(e.user(t, "admin"))
	if r := a.post(self+"/deactiveren", url.Values{}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("admin deactivates self: %d", r.code)
	}
	if r := a.post(self+"/rol-intrekken", url.Values{"role": {"admin"}}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("admin revokes own admin role: %d", r.code)
	}
	// a form without the session's CSRF token is refused
	if r := a.post(staffPath+"/rol", url.Values{"role": {"admin"}, "csrf_token": {"x"}}); r.code != http.StatusForbidden {
		t.Fatalf("staff form without CSRF token: %d", r.code)
	}
}

// TestBackOfficePage: the back office sees the team's spends (no names),
// each family listed writes a budget access event; other roles are refused.
func TestBackOfficePage(t *testing.T) {
	e := startEnv(t)
	b := login(t, e, "backoffice")
	r := b.get("/backoffice?van=2000-01-01")
	if r.code != http.StatusOK || !strings.Contains(r.body, "Te betalen") || !strings.Contains(r.body, "€ ") {
		t.Fatalf("back office page: %d %.300s", r.code, r.body)
	}
	if r.took > 200*time.Millisecond {
		t.Logf("back office page took %v", r.took)
	}
	fid := regexp.MustCompile(`<td><code>([^<]+)</code></td>`).FindStringSubmatch(r.body)
	if fid == nil {
		t.Fatal("no family listed")
	}
	bo := e.user(t, "backoffice")
	found := false
	for deadline := time.Now().Add(5 * time.Second); !found && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		pg, err := e.Models.Privacy.WhatUserSaw(domain.StaffID(bo), privacy.Page{Limit: 10}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range pg.Entries {
			found = found || string(a.Part) == "budget" && a.Outcome == domain.AccessAllowed
		}
	}
	if !found {
		t.Fatal("the back office list wrote no budget access event")
	}
	for _, who := range []string{"coach1", "coordinator", "privacy", "admin"} {
		if r := login(t, e, who).get("/backoffice"); r.code != http.StatusForbidden {
			t.Fatalf("%s on the back office page: %d", who, r.code)
		}
	}
}

// referredName is a family's name from its referral (opened).
func referredName(t testing.TB, e *env, id string) string {
	t.Helper()
	v, err := e.Ledger.Family(t.Context(), domain.FamilyID(id), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range v.Records {
		if ev, ok := r.Event.(domain.FamilyReferred); ok {
			return ev.Sealed.FamilyName
		}
	}
	t.Fatalf("family %s has no referral", id)
	return ""
}

// TestPrivacyMorePages: failed logins, the reviews, and finding a family by
// name, which records an access event for each family it names; other
// roles are refused.
func TestPrivacyMorePages(t *testing.T) {
	e := startEnv(t)
	// a failed login appears in the privacy officer's list
	x := newBrowser(t, e)
	x.get("/login")
	x.post("/login", url.Values{"login": {"coordinator"}, "password": {"niet-het-wachtwoord"}})
	p := login(t, e, "privacy")
	var r reply
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if r = p.get("/privacy/aanmeldingen"); strings.Contains(r.body, "Teamcoördinator (demo)") {
			break
		}
	}
	if r.code != http.StatusOK || !strings.Contains(r.body, "verkeerd wachtwoord") || !strings.Contains(r.body, "Teamcoördinator (demo)") {
		t.Fatalf("failed logins: %d %.500s", r.code, r.body)
	}
	if r := p.get("/privacy/controles"); r.code != http.StatusOK || !strings.Contains(r.body, "Vragen om informatie") || !strings.Contains(r.body, "Ongewoon veel gezinnen") {
		t.Fatalf("reviews: %d", r.code)
	}

	// find a family by (part of) its name, case-insensitively
	own, _ := familyOf(t, e, e.user(t, "coach2"))
	name := referredName(t, e, own)
	word := strings.Fields(name)[len(strings.Fields(name))-1]
	officer := e.user(t, "privacy")
	countFor := func() int {
		pg, err := e.Models.Privacy.WhoSaw(domain.FamilyID(own), privacy.Page{Limit: 1000}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range pg.Entries {
			if string(a.UserID) == officer && string(a.Part) == "summary" && string(a.Purpose) == "access_request" {
				n++
			}
		}
		return n
	}
	before := countFor()
	r = p.get("/privacy/zoeken?naam=" + url.QueryEscape(strings.ToUpper(word)))
	if r.code != http.StatusOK || !strings.Contains(r.body, "/privacy/gezin/"+own+"/art15") {
		t.Fatalf("find %q: %d %.500s", word, r.code, r.body)
	}
	if r.took > time.Second {
		t.Errorf("finding a family took %v", r.took)
	}
	t.Logf("find by name over the demo team: %v", r.took)
	ok := false
	for deadline := time.Now().Add(5 * time.Second); !ok && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ok = countFor() > before
	}
	if !ok {
		t.Fatal("finding a family by name wrote no access event for it")
	}
	if r := p.get("/privacy/zoeken?naam=x"); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "minstens 2 tekens") || !strings.Contains(r.body, `value="x"`) {
		t.Fatalf("too short a name: %d", r.code)
	}
	if r := p.get("/privacy/zoeken?naam=zzzqqq-geen-gezin"); r.code != http.StatusOK || !strings.Contains(r.body, "Geen gezin met die naam") {
		t.Fatalf("no match: %d", r.code)
	}
	for _, who := range []string{"coach1", "coordinator", "admin", "backoffice"} {
		b := login(t, e, who)
		for _, path := range []string{"/privacy/aanmeldingen", "/privacy/zoeken?naam=" + url.QueryEscape(word), "/privacy/controles"} {
			if r := b.get(path); r.code != http.StatusForbidden {
				t.Fatalf("%s on %s: %d", who, path, r.code)
			}
		}
	}
}
