package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"spoor/domain"
)

// post posts form and fails unless the server redirects (POST-redirect-GET)
// to a page that then shows wantFlash.
func (b *browser) mustPost(path string, form url.Values, wantFlash string) string {
	b.t.Helper()
	r := b.post(path, form)
	if r.code != http.StatusSeeOther {
		b.t.Fatalf("POST %s: %d, want 303\n%s", path, r.code, r.body)
	}
	next := b.get(r.location)
	if next.code != http.StatusOK || !strings.Contains(next.body, wantFlash) {
		b.t.Fatalf("after POST %s: GET %s: %d, lacks %q", path, r.location, next.code, wantFlash)
	}
	return r.location
}

// TestFamilyFileForms walks every form of a family's file on the demo data:
// consent given and withdrawn, disclosure and the family told, parket step,
// leefsituatie, member, spend reversed; and a new family from referral
// through intake, guidance, cover, closure and reopening.
func TestFamilyFileForms(t *testing.T) {
	e := startEnv(t)
	coach := e.user(t, "coach5")
	own, _ := familyOf(t, e, coach)
	b := login(t, e, "coach5")
	today := time.Now().In(e.Loc).Format("2006-01-02")
	f := "/gezin/" + own

	// a member, then a consent from that member, withdrawn again
	b.get(f + "/traject")
	b.mustPost(f+"/gezinslid", url.Values{"name": {"Testouder Janssens"}, "role": {"parent"}, "birth_year": {"1990"}}, "Gezinslid toegevoegd")
	v, err := e.Ledger.Family(t.Context(), domain.FamilyID(own), true)
	if err != nil {
		t.Fatal(err)
	}
	var member string
	for id, m := range v.Family.Members {
		if m.Sealed.Name == "Testouder Janssens" {
			member = string(id)
		}
	}
	if member == "" {
		t.Fatal("member not added")
	}
	b.mustPost(f+"/toestemming", url.Values{"grantor_id": {member}, "action": {"share"}, "recipient_org": {"CLB Testdorp"}, "recipient_category": {"clb"},
		"purpose": {"school"}, "data_categories": {"school", "family_composition"}, "from": {today}, "until": {time.Now().In(e.Loc).AddDate(1, 0, 0).Format("2006-01-02")}, "form": {"written"}}, "Toestemming geregistreerd")
	v, _ = e.Ledger.Family(t.Context(), domain.FamilyID(own), false)
	var consent string
	for id, c := range v.Family.Consents {
		if c.Scope.RecipientOrg == "CLB Testdorp" {
			consent = string(id)
		}
	}
	if consent == "" {
		t.Fatal("consent not recorded")
	}
	// a disclosure on that consent, then the family is told
	b.get(f + "/delen")
	b.mustPost(f+"/delen", url.Values{"date": {today}, "recipient_org": {"CLB Testdorp"}, "recipient_role": {"CLB-medewerker"}, "recipient_category": {"clb"}, "data_categories": {"school"},
		"purpose": {"school"}, "legal_basis": {"consent"}, "consent_id": {consent}, "summary": {"Afspraken huiswerkbegeleiding"}}, "Verstrekking geregistreerd")
	v, _ = e.Ledger.Family(t.Context(), domain.FamilyID(own), false)
	var disclosure string
	for id, d := range v.Family.Disclosures {
		if d.RecipientOrg == "CLB Testdorp" && d.InformedOn.IsZero() {
			disclosure = string(id)
		}
	}
	if disclosure == "" {
		t.Fatal("disclosure not recorded")
	}
	b.get(f + "/delen")
	b.mustPost(f+"/delen/"+disclosure+"/geinformeerd", url.Values{}, "Geregistreerd dat het gezin geïnformeerd is")
	b.get(f + "/toestemming")
	b.mustPost(f+"/toestemming/"+consent+"/intrekken", url.Values{}, "Toestemming ingetrokken")

	// a disclosure on consent without a consent: the error is at the consent field
	r := b.post(f+"/delen", url.Values{"date": {today}, "recipient_org": {"OCMW"}, "recipient_role": {"maatschappelijk werker"}, "recipient_category": {"ocmw"}, "data_categories": {"income"},
		"purpose": {"income_support"}, "legal_basis": {"consent"}})
	if r.code != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="disclosure-consent_id-fout"`).MatchString(r.body) {
		t.Fatalf("disclosure without consent: %d\n%.3000s", r.code, r.body)
	}

	// a parket step allowed in the family's state
	pf, _ := e.Models.Parket.Family(domain.FamilyID(own), time.Time{})
	step := domain.TypeParketInformed
	if pf.State != "" && pf.State != domain.ParketStateNotKnown {
		step = domain.TypeYouthCourtInvolved
	}
	b.get(f + "/parket")
	b.mustPost(f+"/parket", url.Values{"step": {step}, "date": {today}}, "Parketstap geregistreerd")

	// a review registration of the leefsituatie
	b.get(f + "/leefsituatie")
	b.mustPost(f+"/leefsituatie", url.Values{"moment": {"review"}, "date": {today}, "item_safety": {"4"}, "item_housing": {"5"}}, "Leefsituatie geregistreerd")

	// a spend and its reversal
	b.get(f + "/budget")
	b.mustPost(f+"/budget", url.Values{"date": {today}, "amount": {"3"}, "instrument": {"maatbudget"}, "category": {"bus_pass"}, "supplier": {"De Lijn"},
		"path": {"team_decision"}, "decided_on": {today}, "body": {"team"}}, "Uitgave geregistreerd")
	fb, _ := e.Models.Budget.Family(domain.FamilyID(own), time.Time{})
	var spend string
	for _, l := range fb.Lines {
		if l.Supplier == "De Lijn" && !l.Reversed {
			spend = string(l.SpendID)
		}
	}
	if spend == "" {
		t.Fatal("spend not in the budget model")
	}
	b.mustPost(f+"/budget/"+spend+"/terugdraaien", url.Values{"reason": {"recorded_in_error"}}, "Uitgave teruggedraaid")
	after, _ := e.Models.Budget.Family(domain.FamilyID(own), time.Time{})
	if after.LeftCents != fb.LeftCents+300 {
		t.Fatalf("left after reversal %d, want %d", after.LeftCents, fb.LeftCents+300)
	}

	// an urgent purchase, reviewed by the team afterwards
	b.mustPost(f+"/budget", url.Values{"date": {today}, "amount": {"2,00"}, "instrument": {"maatbudget"}, "category": {"lice_shampoo"}, "supplier": {"Kruidvat"},
		"path": {"urgent"}}, "Uitgave geregistreerd")
	fb, _ = e.Models.Budget.Family(domain.FamilyID(own), time.Time{})
	var urgent string
	for _, l := range fb.Lines {
		if l.Supplier == "Kruidvat" {
			urgent = string(l.SpendID)
		}
	}
	b.mustPost(f+"/budget/"+urgent+"/besproken", url.Values{"verdict": {"approved"}}, "Bespreking van de aankoop geregistreerd")
	fb, _ = e.Models.Budget.Family(domain.FamilyID(own), time.Time{})
	for _, l := range fb.Lines {
		if string(l.SpendID) == urgent && (!l.Decision.Reviewed || l.Decision.ReviewVerdict != domain.VerdictApproved) {
			t.Fatalf("urgent spend not reviewed: %+v", l.Decision)
		}
	}
	// a confidential disclosure: not told until its confidentiality is lifted
	b.mustPost(f+"/delen", url.Values{"date": {today}, "recipient_org": {"Parket Demostad"}, "recipient_role": {"jeugdmagistraat"}, "recipient_category": {"parket"},
		"data_categories": {"safety"}, "purpose": {"child_safety"}, "legal_basis": {"danger_458bis"}, "confidential": {"on"}}, "Verstrekking geregistreerd")
	v, _ = e.Ledger.Family(t.Context(), domain.FamilyID(own), false)
	var secret string
	for id, d := range v.Family.Disclosures {
		if d.RecipientOrg == "Parket Demostad" && d.Confidential {
			secret = string(id)
		}
	}
	if secret == "" {
		t.Fatal("confidential disclosure not recorded")
	}
	if r := b.post(f+"/delen/"+secret+"/geinformeerd", url.Values{}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("telling the family of a confidential disclosure: %d", r.code)
	}
	b.get(f + "/delen")
	b.mustPost(f+"/delen/"+secret+"/vrijgeven", url.Values{}, "Vertrouwelijkheid opgeheven")
	b.mustPost(f+"/delen/"+secret+"/geinformeerd", url.Values{}, "Geregistreerd dat het gezin geïnformeerd is")

	// a hulpvraag, noted and closed
	b.get(f + "/hulpvragen")
	b.mustPost(f+"/hulpvragen", url.Values{"note": {"Hoe krijgen we de energiefactuur betaald?"}, "life_domain": {"income"}, "member_id": {member}, "date": {today}}, "Hulpvraag genoteerd")
	v, _ = e.Ledger.Family(t.Context(), domain.FamilyID(own), false)
	var question string
	for id, q := range v.Family.Questions {
		if !q.Answered && q.LifeDomain == domain.DomainIncome && q.Date.String() == today {
			question = string(id)
		}
	}
	if question == "" {
		t.Fatal("question not noted")
	}
	if r := b.get(f + "/hulpvragen"); !strings.Contains(r.body, "Hoe krijgen we de energiefactuur betaald?") {
		t.Fatal("question text not shown")
	}
	b.mustPost(f+"/hulpvragen/"+question+"/beantwoord", url.Values{"outcome": {"partly_answered"}}, "Hulpvraag afgesloten")

	// a new family: the coordinator refers, holds the intake with a coach,
	// starts guidance, arranges cover, closes and reopens
	c := login(t, e, "coordinator")
	c.get("/aanmelding")
	loc := c.mustPost("/aanmelding", url.Values{"family_name": {"Familie Testmans"}, "date": {today}, "source": {"school"}, "referring_org": {"Basisschool De Linde"},
		"consent_given": {"on"}, "problems": {"housing"}, "children": {"2"}, "adults": {"1"}}, "Aanmelding geregistreerd")
	fam := strings.TrimSuffix(strings.TrimPrefix(loc, "/gezin/"), "/traject?ok=referral")
	tr := "/gezin/" + fam + "/traject/"
	c.mustPost(tr+"intake", url.Values{"date": {today}, "attendees": {"parent", "coach"}, "coach_id": {coach}, "definitive_consent": {"on"}}, "Traject bijgewerkt")
	c.mustPost(tr+"start", url.Values{"date": {today}, "coach_id": {coach}}, "Traject bijgewerkt")
	other := e.user(t, "coach6")
	c.mustPost(tr+"vervanging", url.Values{"coach_id": {other}, "from": {today}, "until": {time.Now().In(e.Loc).AddDate(0, 0, 7).Format("2006-01-02")}, "reason": {"holiday"}}, "Traject bijgewerkt")
	// the covering coach sees the family now
	if r := login(t, e, "coach6").get("/gezin/" + fam); r.code != http.StatusOK {
		t.Fatalf("covering coach: %d", r.code)
	}
	c.mustPost(tr+"afsluiten", url.Values{"date": {today}, "reason": {"positive"}}, "Traject bijgewerkt")
	c.mustPost(tr+"heropenen", url.Values{"date": {today}, "source": {"school"}}, "Traject bijgewerkt")
	v, err = e.Ledger.Family(t.Context(), domain.FamilyID(fam), false)
	if err != nil || v.Family.Trajectory != 2 || v.Family.Status != domain.StatusReferred {
		t.Fatalf("after reopening: trajectory %d status %s (%v)", v.Family.Trajectory, v.Family.Status, err)
	}
}
