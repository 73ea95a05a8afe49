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

// TestFamilyFileMore walks the further parts of a family's file on the
// demo data: professionals (add, remove), members (correct, remove), a
// request for another coach handled by the coordinator, police facts, a
// spend proposal decided by the team with an overspend approved by the
// coordinator, cost-avoidance figures; each page writes its access event,
// bad input stays next to its field, and other roles are refused.
func TestFamilyFileMore(t *testing.T) {
	e := startEnv(t)
	coach := e.user(t, "coach4")
	own, other := familyOf(t, e, coach)
	b := login(t, e, "coach4")
	f := "/gezin/" + own
	today := time.Now().In(e.Loc).Format("2006-01-02")
	accessCount := func(user, part string) int {
		pg, err := e.Models.Privacy.WhoSaw(domain.FamilyID(own), privacy.Page{Limit: 1000}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range pg.Entries {
			if string(a.UserID) == user && string(a.Part) == part && a.Outcome == domain.AccessAllowed {
				n++
			}
		}
		return n
	}
	waitAccess := func(user, part string, want int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if accessCount(user, part) >= want {
				return
			}
		}
		t.Fatalf("%s: no %s access event", user, part)
	}

	// professionals
	before := accessCount(coach, "professionals")
	if r := b.get(f + "/netwerk"); r.code != http.StatusOK || !strings.Contains(r.body, "Betrokken hulpverleners") {
		t.Fatalf("network page: %d", r.code)
	}
	waitAccess(coach, "professionals", before+1)
	b.mustPost(f+"/netwerk", url.Values{"organisation": {"CLB Demostad"}, "category": {"clb"}, "role": {"CLB-medewerker"}, "name": {"Els Demo"}, "phone": {"03 123 45 67"}, "email": {"els@clb.example"}}, "Hulpverlener bewaard")
	r := b.get(f + "/netwerk")
	if !strings.Contains(r.body, "CLB Demostad") || !strings.Contains(r.body, `href="tel:03%20123%2045%2067"`) || !strings.Contains(r.body, "els@clb.example") {
		t.Fatalf("professional not listed: %s", r.body[strings.Index(r.body, "<table"):])
	}
	if r := b.post(f+"/netwerk", url.Values{"organisation": {""}, "category": {"clb"}, "role": {"x"}, "name": {"Bewaard Getypt"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="Bewaard Getypt"`) || !strings.Contains(r.body, "field-error") {
		t.Fatalf("professional without organisation: %d", r.code)
	}
	rm := regexp.MustCompile(`Els Demo</p>.*?action="(/gezin/[^"]+/netwerk/[^"]+/verwijderen)"`).FindStringSubmatch(strings.ReplaceAll(r.body, "\n", " "))
	if rm == nil {
		t.Fatal("no remove button")
	}
	b.mustPost(rm[1], url.Values{}, "niet meer betrokken")
	if r := b.get(f + "/netwerk"); strings.Contains(r.body, "Els Demo") {
		t.Fatal("removed professional still listed")
	}

	// members: correct the first one, then remove one added for the test
	r = b.get(f + "/gezinsleden")
	mm := regexp.MustCompile(`href="(/gezin/[^"/]+/gezinsleden/[^"?]+)"`).FindStringSubmatch(r.body)
	if r.code != http.StatusOK || mm == nil {
		t.Fatalf("members page: %d", r.code)
	}
	r = b.get(mm[1])
	if r.code != http.StatusOK || !strings.Contains(r.body, `name="name"`) {
		t.Fatalf("correct form: %d", r.code)
	}
	nameRE := regexp.MustCompile(`id="correct-name" name="name" value="([^"]*)"`)
	old := nameRE.FindStringSubmatch(r.body)
	if old == nil || old[1] == "" {
		t.Fatalf("the correct form is not filled in: %.500s", r.body)
	}
	role := regexp.MustCompile(`<option value="([a-z_]+)" selected>`).FindStringSubmatch(r.body)
	b.mustPost(mm[1], url.Values{"name": {old[1] + " Gecorrigeerd"}, "role": {role[1]}}, "Correctie bewaard")
	if r := b.get(f + "/gezinsleden"); !strings.Contains(r.body, old[1]+" Gecorrigeerd") {
		t.Fatal("correction not shown")
	}
	if r := b.post(mm[1], url.Values{"name": {""}, "role": {role[1]}, "phone": {"getypt-123"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="getypt-123"`) {
		t.Fatalf("correction without a name: %d", r.code)
	}
	b.mustPost(f+"/gezinslid", url.Values{"name": {"Tijdelijk Lid"}, "role": {"other_adult"}}, "")
	r = b.get(f + "/gezinsleden")
	lm := regexp.MustCompile(`<th scope="row">Tijdelijk Lid</th>.*?action="(/gezin/[^"]+/verwijderen)"`).FindStringSubmatch(strings.ReplaceAll(r.body, "\n", " "))
	if lm == nil {
		t.Fatal("added member not listed with a remove button")
	}
	b.mustPost(lm[1], url.Values{}, "verwijderd uit het gezin")
	if r := b.get(f + "/gezinsleden"); strings.Contains(r.body, "Tijdelijk Lid") {
		t.Fatal("removed member still listed")
	}

	// another coach: the family asks, the coordinator handles
	b.mustPost(f+"/coachwissel", url.Values{"note": {"Klikt niet met de coach."}}, "Vraag genoteerd")
	if r := b.get(f + "/coachwissel"); !strings.Contains(r.body, "Klikt niet met de coach.") || strings.Contains(r.body, `name="verdict"`) {
		t.Fatal("coach: request not shown, or a handle form shown to a coach")
	}
	c := login(t, e, "coordinator")
	r = c.get(f + "/coachwissel")
	hm := regexp.MustCompile(`action="(/gezin/[^"]+/coachwissel/[^"?]+)`).FindStringSubmatch(r.body)
	if r.code != http.StatusOK || hm == nil || strings.Contains(r.body, "Klikt niet met de coach.") {
		t.Fatalf("coordinator's coach-change page: %d (the note is the coach's content)", r.code)
	}
	if r := b.post(hm[1], url.Values{"verdict": {"approved"}}); r.code != http.StatusForbidden {
		t.Fatalf("coach handles a coach change: %d", r.code)
	}
	c.mustPost(hm[1], url.Values{"verdict": {"approved"}}, "Vraag behandeld")

	// police facts
	b.mustPost(f+"/politie", url.Values{"period_from": {"2026-01-01"}, "period_until": {"2026-03-31"}, "interventions": {"13"}, "initial_reports": {"7"}, "follow_up_reports": {"16"}, "kantschriften": {"3"}}, "Politiefeiten bewaard")
	if r := b.get(f + "/politie"); !strings.Contains(r.body, `<td class="num">13</td>`) || !strings.Contains(r.body, `<td class="num">16</td>`) {
		t.Fatal("police facts not shown")
	}
	if r := b.post(f+"/politie", url.Values{"period_from": {"gisteren"}, "period_until": {today}, "interventions": {"2"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="gisteren"`) {
		t.Fatalf("police facts with a bad date: %d", r.code)
	}

	// a proposal, decided by the team; an overspend approved by the coordinator
	r = b.get(f + "/voorstellen")
	cat := regexp.MustCompile(`id="propose-category" name="category"[^>]*>\s*(?:<option value="">[^<]*</option>)?\s*<option value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.code != http.StatusOK || cat == nil {
		t.Fatalf("proposals page: %d", r.code)
	}
	b.mustPost(f+"/voorstellen/voorstel", url.Values{"amount": {"123,45"}, "instrument": {"maatbudget"}, "category": {cat[1]}, "justification": {"Wasmachine kapot"}}, "Voorstel ingediend")
	b.mustPost(f+"/voorstellen/voorstel", url.Values{"amount": {"2500"}, "instrument": {"maatbudget"}, "category": {cat[1]}}, "Voorstel ingediend")
	r = b.get(f + "/voorstellen")
	if !strings.Contains(r.body, "€ 123,45") || !strings.Contains(r.body, "Wasmachine kapot") || !strings.Contains(r.body, "wacht op beslissing") {
		t.Fatal("proposal not listed")
	}
	opts := regexp.MustCompile(`<option value="([^"]+)">[^<]*€ (123,45|2\.500,00)</option>`).FindAllStringSubmatch(r.body, -1)
	ids := map[string]string{}
	for _, o := range opts {
		ids[o[2]] = o[1]
	}
	if ids["123,45"] == "" || ids["2.500,00"] == "" {
		t.Fatalf("proposals not offered for a decision: %v", opts)
	}
	if r := b.post(f+"/voorstellen/beslissing", url.Values{"spend_id": {ids["123,45"]}, "verdict": {"approved"}, "body": {"coordinator"}, "date": {today}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Alleen de coördinator") {
		t.Fatalf("coach decides as coordinator: %d", r.code)
	}
	b.mustPost(f+"/voorstellen/beslissing", url.Values{"spend_id": {ids["123,45"]}, "verdict": {"approved"}, "body": {"team"}, "date": {today}}, "Beslissing bewaard")
	if r := b.post(f+"/voorstellen/overschrijding", url.Values{"spend_id": {ids["2.500,00"]}, "amount": {"500"}}); r.code != http.StatusForbidden {
		t.Fatalf("coach approves an overspend: %d", r.code)
	}
	c.mustPost(f+"/voorstellen/overschrijding", url.Values{"spend_id": {ids["2.500,00"]}, "amount": {"500"}}, "Overschrijding goedgekeurd")
	if r := c.get(f + "/voorstellen"); !strings.Contains(r.body, "goedgekeurde overschrijding") || strings.Contains(r.body, "Wasmachine kapot") {
		t.Fatal("coordinator: approved overspend not shown, or the coach's justification shown")
	}

	// cost avoidance
	b.mustPost(f+"/voorstellen/kosten", url.Values{"category": {"police"}, "period_from": {"2026-01-01"}, "period_until": {"2026-06-30"}, "actual": {"1.983"}, "comparison": {"5.792"}, "basis": {"vergelijkbaar_gezin"}, "interventions": {"0"}}, "Kosten bewaard")
	if r := b.get(f + "/voorstellen"); !strings.Contains(r.body, "€ 1.983,00") || !strings.Contains(r.body, "€ 5.792,00") {
		t.Fatal("cost avoidance not shown")
	}
	if r := b.post(f+"/voorstellen/kosten", url.Values{"category": {"police"}, "period_from": {"2026-01-01"}, "period_until": {"2026-06-30"}, "actual": {"veel"}, "comparison": {"5"}, "basis": {"studie"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="veel"`) {
		t.Fatalf("cost with a bad amount: %d", r.code)
	}

	// refusals: another coach's family without a reason; roles that may not
	o := "/gezin/" + other
	for _, path := range []string{"/netwerk", "/gezinsleden", "/politie", "/voorstellen", "/coachwissel"} {
		if r := b.get(o + path); r.code != http.StatusForbidden {
			t.Fatalf("coach on another family's %s: %d", path, r.code)
		}
	}
	bo := login(t, e, "backoffice")
	for _, path := range []string{"/netwerk", "/gezinsleden", "/politie", "/coachwissel"} {
		if r := bo.get(f + path); r.code != http.StatusForbidden {
			t.Fatalf("back office on %s: %d", path, r.code)
		}
	}
	if r := c.get(f + "/netwerk"); r.code != http.StatusForbidden || !strings.Contains(r.body, `name="reason"`) {
		t.Fatalf("coordinator on the network without a reason: %d", r.code)
	}
}

// TestInfoRequests: the privacy officer records an information request,
// a coach answers one with a disclosure that names it, the officer refuses
// another on professional secrecy; coaches cannot record or refuse.
func TestInfoRequests(t *testing.T) {
	e := startEnv(t)
	own, _ := familyOf(t, e, e.user(t, "coach3"))
	p := login(t, e, "privacy")
	base := "/privacy/gezin/" + own + "/vragen"
	if r := p.get("/privacy/gezin/" + own); !strings.Contains(r.body, base) {
		t.Fatal("who-saw page does not link the information requests")
	}
	for _, org := range []string{"School Beantwoord", "School Geweigerd"} {
		p.mustPost(base, url.Values{"date": {time.Now().In(e.Loc).Format("2006-01-02")}, "from_org": {org}, "from_role": {"directie"}, "from_category": {"school"}, "data_categories": {"school"}, "purpose": {"school"}}, "Vraag genoteerd")
	}
	if r := p.post(base, url.Values{"from_org": {""}, "from_role": {"zorgcoördinator"}, "from_category": {"school"}, "purpose": {"school"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="zorgcoördinator"`) {
		t.Fatalf("request without organisation: %d", r.code)
	}
	c := login(t, e, "coach3")
	if r := c.post(base, url.Values{"from_org": {"x"}, "from_role": {"y"}, "from_category": {"school"}, "purpose": {"school"}}); r.code != http.StatusForbidden {
		t.Fatalf("coach records an information request: %d", r.code)
	}
	r := c.get("/gezin/" + own + "/delen")
	m := regexp.MustCompile(`<option value="([^"]+)">[^<]*School Beantwoord`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("the disclosure form does not offer the open request")
	}
	c.mustPost("/gezin/"+own+"/delen", url.Values{"date": {time.Now().In(e.Loc).Format("2006-01-02")}, "recipient_org": {"School Beantwoord"}, "recipient_role": {"directie"},
		"recipient_category": {"school"}, "data_categories": {"school"}, "purpose": {"school"}, "legal_basis": {"shared_professional_secrecy"}, "info_request_id": {m[1]}}, "")
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if body = p.get(base).body; strings.Contains(body, "beantwoord met een verstrekking") {
			break
		}
	}
	if !strings.Contains(body, "beantwoord met een verstrekking") {
		t.Fatal("the answered request is not shown as answered")
	}
	rf := regexp.MustCompile(`action="(/privacy/gezin/[^"]+/vragen/[^"]+/weigeren)"`).FindStringSubmatch(body)
	if rf == nil {
		t.Fatal("no refuse form for the open request")
	}
	if r := c.post(rf[1], url.Values{"reason": {"professional_secrecy"}}); r.code != http.StatusForbidden {
		t.Fatalf("coach refuses a request: %d", r.code)
	}
	p.mustPost(rf[1], url.Values{"reason": {"professional_secrecy"}}, "Vraag geweigerd")
	if r := p.get(base); !strings.Contains(r.body, "beroepsgeheim") {
		t.Fatal("refusal reason not shown")
	}
}
