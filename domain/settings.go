package domain

import (
	"slices"
)

// TeamSettings are what a team configures (DOMAIN.md: caseload weights,
// capacity, budget defaults, the no-contact threshold, spend categories and
// funding sources). Weights and capacity are in the caseload's units
// (a police-referred family weighs 1.0).
type TeamSettings struct {
	// Weights is the caseload weight of a family per referral source.
	Weights map[ReferralSource]float64 `json:"weights"`
	// CoachCapacity is the caseload weight a coach can carry.
	CoachCapacity float64 `json:"coach_capacity"`
	// Allocations is the default maatbudget per trajectory in cents, per
	// referral source.
	Allocations map[ReferralSource]int64 `json:"allocations"`
	// MaatbudgetFunding is the funding source of maatbudget allocations and
	// spends unless a spend names another.
	MaatbudgetFunding string `json:"maatbudget_funding"`
	// DelegatedFunding is the funding source of delegated decisions.
	DelegatedFunding string `json:"delegated_funding"`
	// FundingSources are the funding lines spends and envelopes may name.
	FundingSources []string `json:"funding_sources"`
	// NoContactDays: families without a contact for longer are flagged.
	NoContactDays int `json:"no_contact_days"`
	// ReviewIntervalDays: trajectories are reviewed this often (quarterly).
	ReviewIntervalDays int `json:"review_interval_days"`
	// SpendCategories are the categories a spend may name (codes).
	SpendCategories []string `json:"spend_categories"`
}

// DefaultTeamSettings are DOMAIN.md's defaults: weight 1.0 for
// police-referred families and 0.5 for others, capacity 6.0, maatbudget
// EUR 2,000 for police-referred families and EUR 300 for others, 21 days
// without contact, a review every 91 days, and the practice's categories.
func DefaultTeamSettings() TeamSettings {
	w := map[ReferralSource]float64{}
	a := map[ReferralSource]int64{}
	for _, s := range ReferralSources() {
		w[s], a[s] = 0.5, 30000
	}
	w[SourcePolice], a[SourcePolice] = 1.0, 200000
	return TeamSettings{
		Weights:            w,
		CoachCapacity:      6.0,
		Allocations:        a,
		MaatbudgetFunding:  "maatbudget",
		DelegatedFunding:   "bcsd_delegated",
		FundingSources:     []string{"maatbudget", "bcsd_delegated"},
		NoContactDays:      21,
		ReviewIntervalDays: 91,
		SpendCategories:    DefaultSpendCategories(),
	}
}

// DefaultSpendCategories is DOMAIN.md's starting list of spend categories
// (maatbudget and delegated decisions).
func DefaultSpendCategories() []string {
	return []string{
		"cleaning_supplies", "waste_container", "recycling_park", "pest_control", "furniture",
		"storage_boxes", "moving_van", "paint", "washing_machine", "reduced_mobility_transport",
		"lice_shampoo", "medicines", "dentist_copayment", "ambulance", "toothbrushes", "glasses",
		"breast_pump", "bike_repair", "clothes_and_shoes", "bus_pass", "infant_formula",
		"school_bills_and_supplies", "sports_and_playground_fees",
		"energy_bill", "orthodontist", "speech_therapy", "developmental_assessment",
		"school_meals", "school_books", "other",
	}
}

// Validate checks settings: positive weights for every referral source,
// positive capacity, non-negative allocations for every source, known
// funding sources as codes, positive day counts, categories as codes
// without duplicates.
func (s TeamSettings) Validate() error {
	for _, src := range ReferralSources() {
		if w, ok := s.Weights[src]; !ok || w <= 0 || w > 10 {
			return ruleErr("settings.weight", "weights."+string(src), "the weight of every referral source must be above 0 and at most 10")
		}
		if a, ok := s.Allocations[src]; !ok || a < 0 || a > MaxAmountCents {
			return ruleErr("settings.allocation", "allocations."+string(src), "the allocation of every referral source must be between 0 and %d cents", MaxAmountCents)
		}
	}
	for k := range s.Weights {
		if !k.Valid() {
			return ruleErr("settings.weight", "weights", "a key is not a referral source")
		}
	}
	for k := range s.Allocations {
		if !k.Valid() {
			return ruleErr("settings.allocation", "allocations", "a key is not a referral source")
		}
	}
	if s.CoachCapacity <= 0 || s.CoachCapacity > 100 {
		return ruleErr("settings.capacity", "coach_capacity", "coach capacity must be above 0 and at most 100")
	}
	if len(s.FundingSources) == 0 {
		return ruleErr("settings.funding", "funding_sources", "at least one funding source is needed")
	}
	if err := checkCodes("funding_sources", s.FundingSources); err != nil {
		return err
	}
	if !slices.Contains(s.FundingSources, s.MaatbudgetFunding) {
		return ruleErr("settings.funding", "maatbudget_funding", "must be one of the funding sources")
	}
	if !slices.Contains(s.FundingSources, s.DelegatedFunding) {
		return ruleErr("settings.funding", "delegated_funding", "must be one of the funding sources")
	}
	if s.NoContactDays < 1 || s.NoContactDays > 366 {
		return ruleErr("settings.days", "no_contact_days", "must be between 1 and 366")
	}
	if s.ReviewIntervalDays < 1 || s.ReviewIntervalDays > 366 {
		return ruleErr("settings.days", "review_interval_days", "must be between 1 and 366")
	}
	if len(s.SpendCategories) == 0 {
		return ruleErr("settings.categories", "spend_categories", "at least one spend category is needed")
	}
	return checkCodes("spend_categories", s.SpendCategories)
}

func checkCodes(field string, codes []string) error {
	seen := map[string]bool{}
	for i, c := range codes {
		if !validCode(c) {
			return ruleErr("settings.code", field, "entry %d is not a code (a-z, 0-9, _; at most 50)", i)
		}
		if seen[c] {
			return ruleErr("settings.code", field, "%q appears twice", c)
		}
		seen[c] = true
	}
	return nil
}

// shownCode returns v for an error message when it is a well-formed code,
// else a placeholder: input that is not a code may hold anything, personal
// data included, and is never echoed.
func shownCode(v string) string {
	if validCode(v) {
		return v
	}
	return "(not a code)"
}

// validCode accepts 1 to 50 bytes of [a-z0-9_], starting with a letter: the
// form of configurable codes (spend categories, funding sources, bases),
// which can therefore never carry personal data.
func validCode(s string) bool {
	if s == "" || len(s) > 50 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
