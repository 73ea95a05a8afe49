package privacy_test

import (
	"sync"
	"testing"
	"time"

	"spoor/domain"
	"spoor/projections"
	"spoor/projections/privacy"
)

// feeder applies events to a model one hour apart, from 1 March 2026.
type feeder struct {
	m   *privacy.Model
	pos uint64
	t   time.Time
}

func newFeeder(m *privacy.Model) *feeder {
	return &feeder{m: m, t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (f *feeder) add(stream string, e domain.Event) {
	f.pos++
	f.t = f.t.Add(time.Hour)
	fact := projections.Fact{Position: f.pos, Stream: stream, RecordedAt: f.t, Event: e}
	f.m.Apply(&fact)
}

// TestConsentRule checks every way a disclosure on consent can lack a
// valid consent, one disclosure per row, against consents of family c.
func TestConsentRule(t *testing.T) {
	m := privacy.New(testOptions(t))
	f := newFeeder(m)
	s := domain.FamilyStream("c")
	day := domain.MustDate
	f.add(s, domain.FamilyReferred{FamilyID: "c", Date: day("2026-03-01"), Source: domain.SourceCLB})
	f.add(s, domain.MemberAdded{MemberID: "mum", Date: day("2026-03-01"), Role: domain.MemberParent})
	f.add(s, domain.MemberAdded{MemberID: "kid", Date: day("2026-03-01"), Role: domain.MemberChild})
	scope := func(org string, purpose domain.Purpose, action domain.ConsentAction, from, until string, cats ...domain.DataCategory) domain.ConsentScope {
		return domain.ConsentScope{Action: action, RecipientOrg: org, RecipientCategory: domain.RecipientCLB, Purpose: purpose, DataCategories: cats, From: day(from), Until: domain.MustDate(until)}
	}
	school := scope("CLB Gent", domain.PurposeSchool, domain.ActionShare, "2026-03-01", "2026-03-31", domain.DataSchool, domain.DataChildStatements)
	f.add(s, domain.ConsentGiven{ConsentID: "ok", Date: day("2026-03-01"), GrantorID: "mum", Scope: school})
	f.add(s, domain.ConsentGiven{ConsentID: "kid", Date: day("2026-03-01"), GrantorID: "kid", Scope: school})
	f.add(s, domain.ConsentGiven{ConsentID: "any-clb", Date: day("2026-03-01"), GrantorID: "mum", Scope: scope("", domain.PurposeSchool, domain.ActionShare, "2026-03-01", "", domain.DataSchool)})
	f.add(s, domain.ConsentRefused{ConsentID: "no", Date: day("2026-03-01"), GrantorID: "mum", Scope: school})
	f.add(s, domain.ConsentGiven{ConsentID: "exp", Date: day("2026-03-01"), GrantorID: "mum", Scope: scope("CLB Gent", domain.PurposeSchool, domain.ActionShare, "2026-03-01", "", domain.DataSchool)})
	f.add(s, domain.ConsentExpired{ConsentID: "exp", Date: day("2026-03-10")})
	f.add(s, domain.ConsentGiven{ConsentID: "later", Date: day("2026-03-01"), GrantorID: "mum", Scope: scope("CLB Gent", domain.PurposeSchool, domain.ActionShare, "2026-03-20", "", domain.DataSchool)})
	f.add(s, domain.ConsentGiven{ConsentID: "refer", Date: day("2026-03-01"), GrantorID: "mum", Scope: scope("CLB Gent", domain.PurposeReferral, domain.ActionRefer, "2026-03-01", "", domain.DataSchool)})

	tests := []struct {
		id      domain.DisclosureID
		consent domain.ConsentID
		org     string
		purpose domain.Purpose
		date    string
		cats    []domain.DataCategory
		basis   domain.LegalBasis
		want    string
	}{
		{"valid", "ok", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, ""},
		{"same org, other spelling", "ok", "clb gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, ""},
		{"any org of the category", "any-clb", "CLB Brugge", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, ""},
		{"other org", "ok", "CLB Brugge", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "recipient"},
		{"other purpose", "ok", "CLB Gent", domain.PurposeHealth, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "purpose"},
		{"category not covered", "ok", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool, domain.DataHealth}, domain.BasisConsent, "data_categories"},
		{"after the period", "ok", "CLB Gent", domain.PurposeSchool, "2026-04-01", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "expired"},
		{"after expiry", "exp", "CLB Gent", domain.PurposeSchool, "2026-03-10", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "expired"},
		{"before expiry", "exp", "CLB Gent", domain.PurposeSchool, "2026-03-09", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, ""},
		{"before the period", "later", "CLB Gent", domain.PurposeSchool, "2026-03-19", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "not_yet_valid"},
		{"refused consent", "no", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "refused"},
		{"share on a refer consent", "refer", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "action"},
		{"referral", "refer", "CLB Gent", domain.PurposeReferral, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, ""},
		{"child statements, parent's consent", "ok", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataChildStatements}, domain.BasisConsent, "child_consent"},
		{"child statements, child's consent", "kid", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataChildStatements}, domain.BasisConsent, ""},
		{"no consent named", "", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "no_consent_id"},
		{"unknown consent", "ghost", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataSchool}, domain.BasisConsent, "unknown_consent"},
		{"other basis", "", "CLB Gent", domain.PurposeSchool, "2026-03-15", []domain.DataCategory{domain.DataHealth}, domain.BasisSharedSecrecy, ""},
	}
	for _, tt := range tests {
		f.add(s, domain.DisclosureMade{DisclosureID: tt.id, Date: day(tt.date), RecipientOrg: tt.org, RecipientRole: "consulent",
			RecipientCategory: domain.RecipientCLB, DataCategories: tt.cats, Purpose: tt.purpose, LegalBasis: tt.basis, ConsentID: tt.consent, DecidedBy: "c1"})
	}
	reg := map[domain.DisclosureID]privacy.DisclosureEntry{}
	for _, e := range must(m.Register(privacy.RegisterQuery{FamilyID: "c"}, time.Time{}))(t) {
		reg[e.DisclosureID] = e
	}
	for _, tt := range tests {
		if got := reg[tt.id].ConsentProblem; got != tt.want {
			t.Errorf("%s: problem %q, want %q", tt.id, got, tt.want)
		}
	}
}

// TestErasure: after FamilyErased the art. 15 report says so, the register
// and the access log stay, and the family drops out of the not-informed list.
func TestErasure(t *testing.T) {
	m := privacy.New(testOptions(t))
	f := newFeeder(m)
	s := domain.FamilyStream("e")
	f.add(s, domain.FamilyReferred{FamilyID: "e", Date: domain.MustDate("2026-03-01"), Source: domain.SourceOCMW})
	f.add(s, domain.DisclosureMade{DisclosureID: "d", Date: domain.MustDate("2026-03-01"), RecipientOrg: "OCMW", RecipientRole: "maatschappelijk werker",
		RecipientCategory: domain.RecipientOCMW, DataCategories: []domain.DataCategory{domain.DataIncome}, Purpose: domain.PurposeIncomeSupport, LegalBasis: domain.BasisLegalDuty, DecidedBy: "k1"})
	f.add(domain.AccessStream("e"), domain.RecordViewed{FamilyID: "e", UserID: "k1", Role: domain.RoleCoordinator, Part: domain.PartSummary, Purpose: domain.PurposeTeamReview})
	today := domain.MustDate("2026-06-01")
	if n := must(m.NotInformed(today, 14, time.Time{}))(t); len(n) != 1 {
		t.Fatalf("before erasure: %d not informed, want 1", len(n))
	}
	f.add(s, domain.FamilyErased{Date: domain.MustDate("2026-05-01"), Reason: domain.ErasureRequest, ApprovedBy: "p1"})
	r := must(m.Art15("e", time.Time{}))(t)
	if !r.Erased || r.ErasedOn != domain.MustDate("2026-05-01") || len(r.Disclosures) != 1 || len(r.Consultations) != 1 {
		t.Errorf("art. 15 after erasure = %+v", r)
	}
	if n := must(m.NotInformed(today, 14, time.Time{}))(t); len(n) != 0 {
		t.Errorf("an erased family is still to be told: %+v", n)
	}
	if p := must(m.WhoSaw("e", privacy.Page{}, time.Time{}))(t); p.Total != 1 {
		t.Errorf("access log after erasure: %d", p.Total)
	}
}

// TestConcurrentQueries runs queries while facts are applied (run with
// -race).
func TestConcurrentQueries(t *testing.T) {
	m := privacy.New(testOptions(t))
	facts := manyFacts(20_000)
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := m.WhoSaw("fam-001", privacy.Page{}, time.Time{}); err != nil {
				t.Error(err)
				return
			}
			if _, err := m.Register(privacy.RegisterQuery{FamilyID: "fam-002"}, time.Time{}); err != nil {
				t.Error(err)
				return
			}
			if _, err := m.Flagged(privacy.FlagQuery{Page: privacy.Page{Limit: 5}}, time.Time{}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range facts {
		m.Apply(&facts[i])
	}
	close(done)
	wg.Wait()
	if p := must(m.WhoSaw("fam-001", privacy.Page{}, time.Time{}))(t); p.Total == 0 {
		t.Errorf("no accesses of fam-001 after 20,000 facts")
	}
}
