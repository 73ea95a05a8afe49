package domain

import (
	"strings"
	"testing"
)

func TestBuiltinInstruments(t *testing.T) {
	cat, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	ls, ok := cat.Get(LeefsituatieID, 1)
	if !ok {
		t.Fatal("leefsituatie missing")
	}
	if len(ls.Parts) != 1 || len(ls.Parts[0].Items) != 9 {
		t.Fatalf("leefsituatie has %d parts", len(ls.Parts))
	}
	for i, want := range []float64{10, 7.5, 5, 2.5, 0} {
		if got, _ := ls.Score(i + 1); got != want {
			t.Errorf("level %d scores %v, want %v", i+1, got, want)
		}
	}
	if !ls.AllowNotAssessed || ls.AllowNotApplicable || ls.AllowText {
		t.Errorf("leefsituatie allows: %+v", ls)
	}
	if it, ok := ls.ItemFor("housing", SubjectHousehold); !ok || it.LevelLabels[0] != "homeless" || it.LevelLabels[4] != "decent home" {
		t.Errorf("housing item %+v", it)
	}
	cb, ok := cat.Get("cebud_sociale_balans", 1)
	if !ok {
		t.Fatal("CEBUD Sociale Balans missing")
	}
	n := 0
	subjects := map[Subject]int{}
	for _, p := range cb.Parts {
		n += len(p.Items)
		subjects[p.Subject] += len(p.Items)
	}
	if n < 40 || n > 50 || subjects[SubjectHousehold] == 0 || subjects[SubjectAdult] == 0 || subjects[SubjectChild] == 0 {
		t.Errorf("CEBUD has %d items: %v", n, subjects)
	}
	if len(cb.Levels) != 5 || !cb.AllowNotApplicable || !cb.AllowText || cb.Deprivation == nil || len(cb.Deprivation.Dimensions) != 6 {
		t.Errorf("CEBUD definition %+v", cb)
	}
	if _, ok := cb.ItemFor("leisure", SubjectChild); !ok {
		t.Error("child leisure missing")
	}
	if len(cat.All()) != 2 || cat.All()[0].ID != "cebud_sociale_balans" {
		t.Errorf("All: %v", cat.All())
	}
}

func TestParseInstrumentRefusesBadDefinitions(t *testing.T) {
	base := `{"id":"x","version":1,"name":"X","levels":[{"level":1,"score":1,"label":"a"},{"level":2,"score":2,"label":"b"}],"allow_not_assessed":true,"allow_not_applicable":false,"allow_text":false,"parts":[{"id":"h","subject":"household","items":[{"id":"i1","label":"I"}]}]}`
	if _, err := ParseInstrument([]byte(base)); err != nil {
		t.Fatalf("valid definition refused: %v", err)
	}
	for name, def := range map[string]string{
		"unknown field":   strings.Replace(base, `"name"`, `"nmae"`, 1),
		"bad id":          strings.Replace(base, `"id":"x"`, `"id":"X Y"`, 1),
		"version 0":       strings.Replace(base, `"version":1`, `"version":0`, 1),
		"levels skip":     strings.Replace(base, `"level":2`, `"level":3`, 1),
		"bad subject":     strings.Replace(base, `"household"`, `"street"`, 1),
		"duplicate item":  strings.Replace(base, `{"id":"i1","label":"I"}`, `{"id":"i1","label":"I"},{"id":"i1","label":"J"}`, 1),
		"labels mismatch": strings.Replace(base, `"label":"I"`, `"label":"I","level_labels":["a"]`, 1),
		"not json":        "{",
	} {
		if _, err := ParseInstrument([]byte(def)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewCatalogue(Leefsituatie(), Leefsituatie()); err == nil {
		t.Error("catalogue accepted an instrument twice")
	}
}

func TestCarryForward(t *testing.T) {
	cur := map[ItemKey]ItemAnswer{{Item: "safety"}: scored("safety", 1), {Item: "housing"}: scored("housing", 2)}
	next := CarryForward(cur, AssessmentRegistered{Items: []ItemAnswer{scored("housing", 4), {Item: "work", Status: AnswerNotAssessed}}})
	if len(next) != 3 || next[ItemKey{Item: "safety"}].Level != 1 || next[ItemKey{Item: "housing"}].Level != 4 || next[ItemKey{Item: "work"}].Status != AnswerNotAssessed {
		t.Fatalf("carried forward %v", next)
	}
	if cur[ItemKey{Item: "housing"}].Level != 2 {
		t.Fatal("CarryForward changed its input")
	}
}

func TestSpendDisclosure(t *testing.T) {
	s := spent("sp-1", 5000, PathUrgent).(SpendRecorded)
	dm := SpendDisclosure(s)
	if dm.DisclosureID != "spend:sp-1" || dm.RecipientOrg != "Shop" || dm.RecipientCategory != RecipientSupplier || dm.LegalBasis != BasisAidPayment || len(dm.DataCategories) != 1 || dm.DataCategories[0] != DataAidReceived || dm.Date != s.Date {
		t.Fatalf("implied disclosure %+v", dm)
	}
}

func TestDates(t *testing.T) {
	if d("2026-03-01").DaysSince(d("2026-02-01")) != 28 || !d("2026-01-31").Before(d("2026-02-01")) || d("2026-02-28").AddDays(1) != d("2026-03-01") {
		t.Fatal("date arithmetic")
	}
	for _, c := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-15", 3, "2026-04-15"},
		{"2025-08-31", 6, "2026-03-03"},
		{"2025-11-30", 3, "2026-03-02"},
		{"2026-03-31", -1, "2026-03-03"},
		{"2026-12-01", 1, "2027-01-01"},
		{"2026-12-31", 1, "2027-01-31"},
	} {
		if got := d(c.from).AddMonths(c.months); got != d(c.want) {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got, c.want)
		}
	}
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Fatal("February 30 accepted")
	}
	var z Date
	if b, _ := z.MarshalText(); string(b) != "" || !z.IsZero() {
		t.Fatal("zero date")
	}
	if got, _ := ParseDate(""); !got.IsZero() {
		t.Fatal("empty date")
	}
}

func TestConsentCoversReasons(t *testing.T) {
	c := Consent{Date: d("2026-02-01"), Scope: consentScope()}
	for _, tc := range []struct {
		why  string
		date Date
		mod  func(*Consent)
		act  ConsentAction
		org  string
		cat  RecipientCategory
		p    Purpose
		data []DataCategory
	}{
		{"", d("2026-03-01"), nil, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, []DataCategory{DataHealth}},
		{"refused", d("2026-03-01"), func(c *Consent) { c.Refused = true }, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, nil},
		{"not_yet_valid", d("2026-01-31"), nil, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, nil},
		{"withdrawn", d("2026-03-01"), func(c *Consent) { c.WithdrawnOn = d("2026-03-01") }, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, nil},
		{"expired", d("2026-03-01"), func(c *Consent) { c.ExpiredOn = d("2026-02-15") }, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, nil},
		{"expired", d("2027-01-01"), nil, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, nil},
		{"action", d("2026-03-01"), nil, ActionCollect, "CLB Gent", RecipientCLB, PurposeSchool, nil},
		{"recipient", d("2026-03-01"), nil, ActionShare, "CLB Brugge", RecipientCLB, PurposeSchool, nil},
		{"purpose", d("2026-03-01"), nil, ActionShare, "CLB Gent", RecipientCLB, PurposeHealth, nil},
		{"data_categories", d("2026-03-01"), nil, ActionShare, "CLB Gent", RecipientCLB, PurposeSchool, []DataCategory{DataIncome}},
	} {
		cc := c
		if tc.mod != nil {
			tc.mod(&cc)
		}
		if got := ConsentCovers(cc, tc.date, tc.act, tc.org, tc.cat, tc.p, tc.data); got != tc.why {
			t.Errorf("want %q, got %q", tc.why, got)
		}
	}
}
