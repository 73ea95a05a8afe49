package privacy

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"spoor/domain"
)

// DisclosureEntry is one line of the disclosure register.
type DisclosureEntry struct {
	FamilyID          domain.FamilyID          `json:"family_id"`
	DisclosureID      domain.DisclosureID      `json:"disclosure_id"`
	Date              domain.Date              `json:"date"`
	RecordedAt        time.Time                `json:"recorded_at"`
	RecipientOrg      string                   `json:"recipient_org"`
	RecipientRole     string                   `json:"recipient_role"`
	RecipientCategory domain.RecipientCategory `json:"recipient_category"`
	DataCategories    []domain.DataCategory    `json:"data_categories"`
	Purpose           domain.Purpose           `json:"purpose"`
	LegalBasis        domain.LegalBasis        `json:"legal_basis"`
	// BasisRef is the consent id for a disclosure on consent, otherwise the
	// statutory reference of the basis (e.g. "art. 458ter Sw.").
	BasisRef      string               `json:"basis_ref"`
	ConsentID     domain.ConsentID     `json:"consent_id,omitempty"`
	DecidedBy     domain.StaffID       `json:"decided_by"`
	Confidential  bool                 `json:"confidential"`
	LiftedOn      domain.Date          `json:"confidentiality_lifted_on,omitzero"`
	Informed      bool                 `json:"informed"`
	InformedOn    domain.Date          `json:"informed_on,omitzero"`
	InfoRequestID domain.InfoRequestID `json:"info_request_id,omitempty"`
	// Implied marks the disclosure a spend implies to its supplier.
	Implied bool           `json:"implied"`
	SpendID domain.SpendID `json:"spend_id,omitempty"`
	// ConsentProblem is set on a disclosure on consent without a valid
	// consent on its date: "no_consent_id", "unknown_consent",
	// "child_consent" or a reason of domain.ConsentCovers.
	ConsentProblem string `json:"consent_problem,omitempty"`
	// DaysUntold is set by NotInformed: the days since the family could
	// have been told.
	DaysUntold int `json:"days_untold,omitempty"`
}

// statuteRef is the statutory reference of a legal basis.
func statuteRef(b domain.LegalBasis) string {
	switch b {
	case domain.BasisSharedSecrecy:
		return "art. 458 Sw. (gedeeld beroepsgeheim)"
	case domain.BasisCaseConference458ter:
		return "art. 458ter Sw."
	case domain.BasisDanger458bis:
		return "art. 458bis Sw."
	case domain.BasisParketRequest:
		return "vordering parket"
	case domain.BasisLegalDuty:
		return "wettelijke plicht"
	case domain.BasisAidPayment:
		return "betaling steun (OCMW)"
	}
	return string(b)
}

// consentProblem checks a disclosure on consent against the family's
// consents as known at cut; "" when valid or not on consent.
func (fam *Family) consentProblem(d *Disclosure, cut time.Time) string {
	if d.LegalBasis != domain.BasisConsent {
		return ""
	}
	if d.ConsentID == "" {
		return "no_consent_id"
	}
	c, ok := fam.Consents[d.ConsentID]
	if !ok || c.At.After(cut) {
		return "unknown_consent"
	}
	if why := domain.ConsentCovers(c.asOf(cut), d.Date, domain.ActionFor(d.Purpose), d.RecipientOrg, d.RecipientCategory, d.Purpose, d.DataCategories); why != "" {
		return why
	}
	if slices.Contains(d.DataCategories, domain.DataChildStatements) && fam.Members[c.GrantorID] != domain.MemberChild {
		return "child_consent"
	}
	return ""
}

func (fam *Family) entry(id domain.FamilyID, d *Disclosure, cut time.Time) DisclosureEntry {
	e := DisclosureEntry{
		FamilyID: id, DisclosureID: d.DisclosureID, Date: d.Date, RecordedAt: d.At,
		RecipientOrg: d.RecipientOrg, RecipientRole: d.RecipientRole, RecipientCategory: d.RecipientCategory,
		DataCategories: slices.Clone(d.DataCategories), Purpose: d.Purpose, LegalBasis: d.LegalBasis,
		ConsentID: d.ConsentID, DecidedBy: d.DecidedBy, Confidential: d.Confidential,
		InfoRequestID: d.InfoRequestID, Implied: d.Implied, SpendID: d.SpendID,
	}
	if e.DataCategories == nil {
		e.DataCategories = []domain.DataCategory{}
	}
	if d.LegalBasis == domain.BasisConsent {
		e.BasisRef = string(d.ConsentID)
	} else {
		e.BasisRef = statuteRef(d.LegalBasis)
	}
	if !d.LiftedOn.IsZero() && !d.LiftedAt.After(cut) {
		e.LiftedOn = d.LiftedOn
	}
	if !d.InformedOn.IsZero() && !d.InformedAt.After(cut) {
		e.Informed, e.InformedOn = true, d.InformedOn
	}
	e.ConsentProblem = fam.consentProblem(d, cut)
	return e
}

// RegisterQuery selects lines of the disclosure register.
type RegisterQuery struct {
	// FamilyID keeps one family's disclosures when set.
	FamilyID domain.FamilyID
	// From and To bound the disclosure dates (inclusive); zero: unbounded.
	From, To domain.Date
	// WithoutImplied leaves out the disclosures implied by spends.
	WithoutImplied bool
}

func (q RegisterQuery) check() error {
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return fmt.Errorf("%w: from is after to", ErrBadQuery)
	}
	return nil
}

func (q RegisterQuery) keep(d *Disclosure, cut time.Time) bool {
	return !d.At.After(cut) &&
		!(q.WithoutImplied && d.Implied) &&
		(q.From.IsZero() || !d.Date.Before(q.From)) &&
		(q.To.IsZero() || !d.Date.After(q.To))
}

// each calls fn for every family selected by q, in family id order.
func (m *Model) each(q RegisterQuery, fn func(id domain.FamilyID, fam *Family)) {
	if q.FamilyID != "" {
		if fam, ok := m.st.Families[q.FamilyID]; ok {
			fn(q.FamilyID, fam)
		}
		return
	}
	for _, id := range slices.Sorted(maps.Keys(m.st.Families)) {
		fn(id, m.st.Families[id])
	}
}

func newestFirst(out []DisclosureEntry) {
	slices.SortStableFunc(out, func(a, b DisclosureEntry) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		if c := b.RecordedAt.Compare(a.RecordedAt); c != 0 {
			return c
		}
		if c := cmp.Compare(b.FamilyID, a.FamilyID); c != 0 {
			return c
		}
		return cmp.Compare(b.DisclosureID, a.DisclosureID)
	})
}

// Register returns the disclosure register: every disclosure selected by q
// and recorded by asOf, explicit ones and those implied by spends, with
// what was known at asOf about consent validity, confidentiality and
// informing the family. Newest first by date, then by recording instant.
// Errors: ErrBadQuery when From is after To.
func (m *Model) Register(q RegisterQuery, asOf time.Time) ([]DisclosureEntry, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []DisclosureEntry{}
	m.each(q, func(id domain.FamilyID, fam *Family) {
		for _, d := range fam.Disclosures {
			if q.keep(d, cut) {
				out = append(out, fam.entry(id, d, cut))
			}
		}
	})
	newestFirst(out)
	return out, nil
}

// ConsentViolations returns the disclosures on consent (selected by q,
// recorded by asOf) that had no valid consent on their date, judged with
// the consent events recorded by asOf; each has ConsentProblem set.
// Newest first. Errors: ErrBadQuery when From is after To.
func (m *Model) ConsentViolations(q RegisterQuery, asOf time.Time) ([]DisclosureEntry, error) {
	all, err := m.Register(q, asOf)
	if err != nil {
		return nil, err
	}
	out := []DisclosureEntry{}
	for _, e := range all {
		if e.ConsentProblem != "" {
			out = append(out, e)
		}
	}
	return out, nil
}

// NotInformed returns the explicit disclosures the family could have been
// told of more than days days before today (from the disclosure date, or
// from the day confidentiality was lifted) and was not, as known at asOf;
// DaysUntold says how long. Implied supplier disclosures and families
// erased by asOf are left out. Most overdue first. Errors: ErrBadQuery for
// a zero today or negative days.
func (m *Model) NotInformed(today domain.Date, days int, asOf time.Time) ([]DisclosureEntry, error) {
	if today.IsZero() {
		return nil, fmt.Errorf("%w: today is required", ErrBadQuery)
	}
	if days < 0 {
		return nil, fmt.Errorf("%w: days must not be negative", ErrBadQuery)
	}
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []DisclosureEntry{}
	m.each(RegisterQuery{}, func(id domain.FamilyID, fam *Family) {
		if !fam.ErasedAt.IsZero() && !fam.ErasedAt.After(cut) {
			return
		}
		for _, d := range fam.Disclosures {
			if d.Implied || d.At.After(cut) {
				continue
			}
			e := fam.entry(id, d, cut)
			if e.Informed {
				continue
			}
			start := d.Date
			if d.Confidential {
				if e.LiftedOn.IsZero() {
					continue
				}
				start = e.LiftedOn
			}
			if n := today.DaysSince(start); n > days {
				e.DaysUntold = n
				out = append(out, e)
			}
		}
	})
	slices.SortStableFunc(out, func(a, b DisclosureEntry) int {
		if c := cmp.Compare(b.DaysUntold, a.DaysUntold); c != 0 {
			return c
		}
		if c := cmp.Compare(a.FamilyID, b.FamilyID); c != 0 {
			return c
		}
		return cmp.Compare(a.DisclosureID, b.DisclosureID)
	})
	return out, nil
}

// InfoRequestEntry is an information request received and its outcome.
type InfoRequestEntry struct {
	FamilyID       domain.FamilyID          `json:"family_id"`
	RequestID      domain.InfoRequestID     `json:"request_id"`
	Date           domain.Date              `json:"date"`
	FromOrg        string                   `json:"from_org"`
	FromRole       string                   `json:"from_role"`
	FromCategory   domain.RecipientCategory `json:"from_category"`
	DataCategories []domain.DataCategory    `json:"data_categories"`
	Purpose        domain.Purpose           `json:"purpose"`
	// Status is "open", "answered" or "refused".
	Status     string               `json:"status"`
	AnsweredBy domain.DisclosureID  `json:"answered_by,omitempty"`
	AnsweredOn domain.Date          `json:"answered_on,omitzero"`
	RefusedOn  domain.Date          `json:"refused_on,omitzero"`
	Refusal    domain.RefusalReason `json:"refusal,omitempty"`
	RefusedBy  domain.StaffID       `json:"refused_by,omitempty"`
}

// InfoRequests returns the information requests received (selected by q's
// family and dates; WithoutImplied is ignored) and recorded by asOf, with
// their outcome as known at asOf; newest first. Errors: ErrBadQuery when
// From is after To.
func (m *Model) InfoRequests(q RegisterQuery, asOf time.Time) ([]InfoRequestEntry, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []InfoRequestEntry{}
	m.each(q, func(id domain.FamilyID, fam *Family) {
		for _, r := range fam.InfoRequests {
			if r.At.After(cut) || (!q.From.IsZero() && r.Date.Before(q.From)) || (!q.To.IsZero() && r.Date.After(q.To)) {
				continue
			}
			e := InfoRequestEntry{FamilyID: id, RequestID: r.RequestID, Date: r.Date, FromOrg: r.FromOrg, FromRole: r.FromRole,
				FromCategory: r.FromCategory, DataCategories: slices.Clone(r.DataCategories), Purpose: r.Purpose, Status: "open"}
			if e.DataCategories == nil {
				e.DataCategories = []domain.DataCategory{}
			}
			switch {
			case r.AnsweredBy != "" && !r.AnsweredAt.After(cut):
				e.Status, e.AnsweredBy, e.AnsweredOn = "answered", r.AnsweredBy, r.AnsweredOn
			case !r.RefusedOn.IsZero() && !r.RefusedAt.After(cut):
				e.Status, e.RefusedOn, e.Refusal, e.RefusedBy = "refused", r.RefusedOn, r.Refusal, r.RefusedBy
			}
			out = append(out, e)
		}
	})
	slices.SortStableFunc(out, func(a, b InfoRequestEntry) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		if c := cmp.Compare(a.FamilyID, b.FamilyID); c != 0 {
			return c
		}
		return cmp.Compare(a.RequestID, b.RequestID)
	})
	return out, nil
}
