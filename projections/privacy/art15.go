package privacy

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"spoor/domain"
)

// Art15Report is what a family gets on an access request (GDPR art. 15),
// from public parts: the API adds the family's sealed data. It names no
// staff member: consultations carry roles, not users. Lists are never nil,
// so a printable page can render every section.
type Art15Report struct {
	FamilyID domain.FamilyID `json:"family_id"`
	// Erased is true when the family's personal data was erased by asOf.
	Erased   bool        `json:"erased"`
	ErasedOn domain.Date `json:"erased_on,omitzero"`
	// Categories are the data categories the ledger holds, in
	// domain.DataCategories order.
	Categories []domain.DataCategory `json:"categories"`
	// Records are the kinds of records held, with how many and their dates.
	Records []HeldRecord `json:"records"`
	// Recipients are the organisations (and roles) information was given
	// to, each once, in name order.
	Recipients []Recipient `json:"recipients"`
	// Disclosures are the disclosures the family may know of, oldest first.
	Disclosures []FamilyDisclosure `json:"disclosures"`
	// Consents are the consents given or refused, oldest first.
	Consents []ConsentLine `json:"consents"`
	// Consultations are the consultations of the file per day, role, part
	// and purpose, oldest first.
	Consultations []Consultation `json:"consultations"`
}

// HeldRecord is a kind of record held about the family.
type HeldRecord struct {
	Kind  RecordKind  `json:"kind"`
	Count int         `json:"count"`
	First domain.Date `json:"first"`
	Last  domain.Date `json:"last"`
}

// Recipient is an organisation that received information about the family.
type Recipient struct {
	Organisation string                   `json:"organisation"`
	Role         string                   `json:"role"`
	Category     domain.RecipientCategory `json:"category"`
	Disclosures  int                      `json:"disclosures"`
}

// FamilyDisclosure is one disclosure as the family sees it.
type FamilyDisclosure struct {
	Date           domain.Date              `json:"date"`
	Organisation   string                   `json:"organisation"`
	Role           string                   `json:"role"`
	Category       domain.RecipientCategory `json:"category"`
	DataCategories []domain.DataCategory    `json:"data_categories"`
	Purpose        domain.Purpose           `json:"purpose"`
	LegalBasis     domain.LegalBasis        `json:"legal_basis"`
	// Payment marks a supplier paid for the family's aid.
	Payment bool `json:"payment"`
}

// ConsentLine is a consent given or refused and what became of it.
type ConsentLine struct {
	ConsentID         domain.ConsentID         `json:"consent_id"`
	Date              domain.Date              `json:"date"`
	Refused           bool                     `json:"refused"`
	Action            domain.ConsentAction     `json:"action"`
	RecipientOrg      string                   `json:"recipient_org,omitempty"`
	RecipientCategory domain.RecipientCategory `json:"recipient_category"`
	Purpose           domain.Purpose           `json:"purpose"`
	DataCategories    []domain.DataCategory    `json:"data_categories"`
	From              domain.Date              `json:"from"`
	Until             domain.Date              `json:"until,omitzero"`
	WithdrawnOn       domain.Date              `json:"withdrawn_on,omitzero"`
	ExpiredOn         domain.Date              `json:"expired_on,omitzero"`
}

// Consultation counts the consultations of the file on one day by staff in
// one role, of one part, for one purpose (exports are part "export").
type Consultation struct {
	Date    domain.Date     `json:"date"`
	Role    domain.Role     `json:"role"`
	Part    domain.FilePart `json:"part"`
	Purpose domain.Purpose  `json:"purpose"`
	Count   int             `json:"count"`
}

// Art15 returns family's art. 15 report as the ledger stood at asOf.
// Confidential disclosures whose confidentiality was not lifted by asOf are
// left out (they stay in the register); refused access attempts are not
// consultations. Errors: ErrUnknownFamily when nothing of the family was
// recorded by asOf.
func (m *Model) Art15(family domain.FamilyID, asOf time.Time) (Art15Report, error) {
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	fam, ok := m.st.Families[family]
	if ok && fam.FirstAt.After(cut) {
		ok = false
	}
	idx := m.byFam[family]
	n := m.visible(idx, cut)
	if !ok && n == 0 {
		return Art15Report{}, fmt.Errorf("%w: %s", ErrUnknownFamily, family)
	}
	rep := Art15Report{
		FamilyID: family, Categories: []domain.DataCategory{}, Records: []HeldRecord{}, Recipients: []Recipient{},
		Disclosures: []FamilyDisclosure{}, Consents: []ConsentLine{}, Consultations: []Consultation{},
	}
	if ok {
		fam.art15(&rep, cut)
	}
	type ckey struct {
		day     int32
		role    domain.Role
		part    domain.FilePart
		purpose domain.Purpose
	}
	counts := map[ckey]int{}
	for _, i := range idx[:n] {
		a := m.log.at(i)
		if a.Kind == KindRefused {
			continue
		}
		d, _, _ := m.localDay(a.At)
		counts[ckey{dayKey(d), a.Role, a.Part, a.Purpose}]++
	}
	for k, c := range counts {
		rep.Consultations = append(rep.Consultations, Consultation{Date: keyDate(k.day), Role: k.role, Part: k.part, Purpose: k.purpose, Count: c})
	}
	slices.SortFunc(rep.Consultations, func(a, b Consultation) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Role, b.Role), cmp.Compare(a.Part, b.Part), cmp.Compare(a.Purpose, b.Purpose))
	})
	return rep, nil
}

func (fam *Family) art15(rep *Art15Report, cut time.Time) {
	if !fam.ErasedAt.IsZero() && !fam.ErasedAt.After(cut) {
		rep.Erased, rep.ErasedOn = true, fam.ErasedOn
	}
	for _, c := range domain.DataCategories() {
		if at, ok := fam.CatSince[c]; ok && !at.After(cut) {
			rep.Categories = append(rep.Categories, c)
		}
	}
	cutNano := cut.UnixNano()
	for kind, h := range fam.Held {
		var r HeldRecord
		var first, last int32
		for i, at := range h.Ats {
			if at > cutNano {
				continue
			}
			d := h.Days[i]
			if r.Count == 0 || d < first {
				first = d
			}
			if r.Count == 0 || d > last {
				last = d
			}
			r.Count++
		}
		if r.Count > 0 {
			r.Kind, r.First, r.Last = kind, keyDate(first), keyDate(last)
			rep.Records = append(rep.Records, r)
		}
	}
	slices.SortFunc(rep.Records, func(a, b HeldRecord) int { return cmp.Compare(a.Kind, b.Kind) })

	type rkey struct {
		org, role string
		cat       domain.RecipientCategory
	}
	recips := map[rkey]int{}
	for _, d := range fam.Disclosures {
		if d.At.After(cut) {
			continue
		}
		if d.Confidential && (d.LiftedOn.IsZero() || d.LiftedAt.After(cut)) {
			continue
		}
		cats := slices.Clone(d.DataCategories)
		if cats == nil {
			cats = []domain.DataCategory{}
		}
		rep.Disclosures = append(rep.Disclosures, FamilyDisclosure{Date: d.Date, Organisation: d.RecipientOrg, Role: d.RecipientRole,
			Category: d.RecipientCategory, DataCategories: cats, Purpose: d.Purpose, LegalBasis: d.LegalBasis, Payment: d.Implied})
		recips[rkey{d.RecipientOrg, d.RecipientRole, d.RecipientCategory}]++
	}
	slices.SortStableFunc(rep.Disclosures, func(a, b FamilyDisclosure) int { return a.Date.Compare(b.Date) })
	for k, n := range recips {
		rep.Recipients = append(rep.Recipients, Recipient{Organisation: k.org, Role: k.role, Category: k.cat, Disclosures: n})
	}
	slices.SortFunc(rep.Recipients, func(a, b Recipient) int {
		return cmp.Or(cmp.Compare(a.Organisation, b.Organisation), cmp.Compare(a.Role, b.Role), cmp.Compare(a.Category, b.Category))
	})

	for _, c := range fam.Consents {
		if c.At.After(cut) {
			continue
		}
		dc := c.asOf(cut)
		cats := slices.Clone(c.Scope.DataCategories)
		if cats == nil {
			cats = []domain.DataCategory{}
		}
		rep.Consents = append(rep.Consents, ConsentLine{ConsentID: c.ID, Date: c.Date, Refused: c.Refused, Action: c.Scope.Action,
			RecipientOrg: c.Scope.RecipientOrg, RecipientCategory: c.Scope.RecipientCategory, Purpose: c.Scope.Purpose,
			DataCategories: cats, From: c.Scope.From, Until: c.Scope.Until, WithdrawnOn: dc.WithdrawnOn, ExpiredOn: dc.ExpiredOn})
	}
	slices.SortFunc(rep.Consents, func(a, b ConsentLine) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.ConsentID, b.ConsentID))
	})
}
