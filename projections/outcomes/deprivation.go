package outcomes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"spoor/domain"
)

// Mapping maps an instrument's items onto the dimensions of Kind & Gezin's
// deprivation index (kansarmoede-index: income, work, education of the
// parents, housing, health, stimulation of the child). It is data: teams
// and researchers write it as JSON (ParseMapping) or take the one an
// instrument ships with (MappingFromInstrument).
//
// A family falls short on a dimension at a moment when, in its picture at
// that moment, any of the dimension's items is scored at a level at or
// below ShortAtOrBelow (levels run from 1, the worst) for the dimension's
// subject: the household's own answer for subject household, any adult
// member's answer for subject adult, any child's for subject child. Members
// who left the household on or before the moment's day are not counted.
// Items not scored (not assessed, not applicable, never answered) never
// make a family fall short. A family is deprived when it falls short on at
// least MinDimensions dimensions.
type Mapping struct {
	InstrumentID  string      `json:"instrument_id"`
	MinDimensions int         `json:"min_dimensions"`
	Dimensions    []Dimension `json:"dimensions"`
}

// Dimension is one dimension of the deprivation index.
type Dimension struct {
	ID             string         `json:"id"`
	Subject        domain.Subject `json:"subject"`
	Items          []string       `json:"items"`
	ShortAtOrBelow int            `json:"short_at_or_below"`
}

// Validate checks the mapping on its own: an instrument id, at least one
// dimension, dimension ids present and unique, known subjects, at least one
// item each, ShortAtOrBelow at least 1 and MinDimensions between 1 and the
// number of dimensions. Errors wrap ErrBadQuery and name the field.
func (mp Mapping) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: mapping: %s", ErrBadQuery, fmt.Sprintf(format, a...))
	}
	if mp.InstrumentID == "" {
		return bad("instrument_id is required")
	}
	if len(mp.Dimensions) == 0 {
		return bad("dimensions: at least one is required")
	}
	if mp.MinDimensions < 1 || mp.MinDimensions > len(mp.Dimensions) {
		return bad("min_dimensions %d is outside 1..%d", mp.MinDimensions, len(mp.Dimensions))
	}
	seen := map[string]bool{}
	for i, d := range mp.Dimensions {
		if d.ID == "" || seen[d.ID] {
			return bad("dimensions[%d].id %q is empty or repeated", i, d.ID)
		}
		seen[d.ID] = true
		if !d.Subject.Valid() {
			return bad("dimensions[%d].subject %q is not household, adult or child", i, d.Subject)
		}
		if len(d.Items) == 0 {
			return bad("dimensions[%d].items: at least one is required", i)
		}
		if d.ShortAtOrBelow < 1 {
			return bad("dimensions[%d].short_at_or_below must be at least 1", i)
		}
	}
	return nil
}

// Check validates the mapping against an instrument definition: the same
// id, every item present for its subject, and ShortAtOrBelow on the scale.
func (mp Mapping) Check(in domain.Instrument) error {
	if err := mp.Validate(); err != nil {
		return err
	}
	if in.ID != mp.InstrumentID {
		return fmt.Errorf("%w: mapping: instrument_id %q, instrument %q", ErrBadQuery, mp.InstrumentID, in.ID)
	}
	for i, d := range mp.Dimensions {
		for _, it := range d.Items {
			if _, ok := in.ItemFor(it, d.Subject); !ok {
				return fmt.Errorf("%w: mapping: dimensions[%d]: instrument %s has no item %q for the %s", ErrBadQuery, i, in.Key(), it, d.Subject)
			}
		}
		if d.ShortAtOrBelow > len(in.Levels) {
			return fmt.Errorf("%w: mapping: dimensions[%d].short_at_or_below %d is beyond the %d levels of %s", ErrBadQuery, i, d.ShortAtOrBelow, len(in.Levels), in.Key())
		}
	}
	return nil
}

// ParseMapping reads a mapping from JSON (unknown fields refused) and
// validates it.
func ParseMapping(data []byte) (Mapping, error) {
	var mp Mapping
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&mp); err != nil {
		return Mapping{}, fmt.Errorf("%w: mapping: %v", ErrBadQuery, err)
	}
	return mp, mp.Validate()
}

// MappingFromInstrument returns the deprivation mapping an instrument
// definition ships with (its deprivation_index, parts resolved to their
// subjects). It fails when the instrument has none.
func MappingFromInstrument(in domain.Instrument) (Mapping, error) {
	if in.Deprivation == nil {
		return Mapping{}, fmt.Errorf("%w: instrument %s has no deprivation index", ErrBadQuery, in.Key())
	}
	mp := Mapping{InstrumentID: in.ID, MinDimensions: in.Deprivation.MinDimensions}
	for _, d := range in.Deprivation.Dimensions {
		p, ok := in.Part(d.Part)
		if !ok {
			return Mapping{}, fmt.Errorf("%w: instrument %s: deprivation dimension %s: unknown part %q", ErrBadQuery, in.Key(), d.ID, d.Part)
		}
		mp.Dimensions = append(mp.Dimensions, Dimension{ID: d.ID, Subject: p.Subject, Items: slices.Clone(d.Items), ShortAtOrBelow: d.ShortAtOrBelow})
	}
	return mp, mp.Check(in)
}

// DeprivationQuery asks for the classification of families between a
// baseline and a follow-up.
type DeprivationQuery struct {
	Mapping Mapping `json:"mapping"`
	// Baseline selects the trajectories whose t0 registration with the
	// mapping's instrument is dated in this period; the picture right after
	// that t0 is the baseline.
	Baseline Period `json:"baseline"`
	// FollowUpMonths (at least 1) sets the follow-up day: the t0's date plus
	// this many calendar months (normalised as time.Date does). The
	// follow-up picture is the family's picture as it stood on that day:
	// after the last registration of the same trajectory and instrument
	// dated on or before it. A trajectory without any registration after
	// its t0 by then has no follow-up and is not classified.
	FollowUpMonths int `json:"follow_up_months"`
}

// Classes of the deprivation comparison.
const (
	ClassImproved          = "improved"            // fewer dimensions short at follow-up
	ClassWorsened          = "worsened"            // more dimensions short at follow-up
	ClassPositiveStatusQuo = "positive_status_quo" // as many, not deprived at either moment
	ClassNegativeStatusQuo = "negative_status_quo" // as many, deprived at both moments
	ClassNoFollowUp        = "no_follow_up"        // not classified
)

// DeprivationRow is one trajectory's classification.
type DeprivationRow struct {
	FamilyID     domain.FamilyID       `json:"family_id"`
	Trajectory   int                   `json:"trajectory"`
	Source       domain.ReferralSource `json:"source"`
	BaselineDate domain.Date           `json:"baseline_date"`
	FollowUpDay  domain.Date           `json:"follow_up_day"`
	// FollowUpRegistration is the date of the last registration in the
	// follow-up picture (zero without follow-up).
	FollowUpRegistration domain.Date `json:"follow_up_registration,omitzero"`
	// ShortAtBaseline and ShortAtFollowUp name the dimensions short, in the
	// mapping's order.
	ShortAtBaseline    []string `json:"short_at_baseline"`
	ShortAtFollowUp    []string `json:"short_at_follow_up"`
	DeprivedAtBaseline bool     `json:"deprived_at_baseline"`
	DeprivedAtFollowUp bool     `json:"deprived_at_follow_up"`
	Class              string   `json:"class"`
	LeftDeprivation    bool     `json:"left_deprivation"`
	EnteredDeprivation bool     `json:"entered_deprivation"`
}

// DimensionCount is the number of classified families short on one
// dimension at each moment.
type DimensionCount struct {
	ID              string `json:"id"`
	ShortAtBaseline int    `json:"short_at_baseline"`
	ShortAtFollowUp int    `json:"short_at_follow_up"`
}

// DeprivationCounts are the counts of a classification.
// Improved + Worsened + PositiveStatusQuo + NegativeStatusQuo = Families.
type DeprivationCounts struct {
	Families int `json:"families"` // classified (with a follow-up)
	Improved int `json:"improved"`
	// LeftDeprivation: improved, deprived at baseline and not at follow-up.
	LeftDeprivation int `json:"left_deprivation"`
	Worsened        int `json:"worsened"`
	// EnteredDeprivation: worsened, not deprived at baseline, deprived at
	// follow-up.
	EnteredDeprivation int `json:"entered_deprivation"`
	PositiveStatusQuo  int `json:"positive_status_quo"`
	NegativeStatusQuo  int `json:"negative_status_quo"`
	// NoFollowUp: selected, but without a registration after the t0 by the
	// follow-up day; not classified.
	NoFollowUp         int `json:"no_follow_up"`
	DeprivedAtBaseline int `json:"deprived_at_baseline"` // of the classified
	DeprivedAtFollowUp int `json:"deprived_at_follow_up"`
}

// SourceDeprivation are the counts of one referral source.
type SourceDeprivation struct {
	Source domain.ReferralSource `json:"source"`
	DeprivationCounts
}

// DeprivationReport is the classification of every selected trajectory:
// the counts overall and per referral source (only sources with at least
// one selected trajectory, in domain.ReferralSources order), the number of
// classified families short on each dimension, and one row per trajectory.
type DeprivationReport struct {
	Query DeprivationQuery `json:"query"`
	DeprivationCounts
	Dimensions []DimensionCount    `json:"dimensions"`
	BySource   []SourceDeprivation `json:"by_source"`
	Rows       []DeprivationRow    `json:"rows"`
}

// Deprivation classifies, as the ledger stood at asOf (zero: now), every
// trajectory selected by q (see DeprivationQuery) by the number of
// dimensions of q.Mapping it falls short on at baseline (s0) and at
// follow-up (s1): improved when s1 < s0 (LeftDeprivation when it was
// deprived at baseline and no longer is), worsened when s1 > s0
// (EnteredDeprivation when it was not deprived and now is), and when s1 =
// s0 a positive status quo (not deprived at either moment) or a negative
// status quo (deprived at both). Rows are ordered by family id and
// trajectory and include the trajectories without follow-up. When the
// catalogue holds the mapping's instrument (at the version of the t0) the
// mapping is checked against it. Errors wrap ErrBadQuery.
func (m *Model) Deprivation(q DeprivationQuery, asOf time.Time) (DeprivationReport, error) {
	if err := q.Mapping.Validate(); err != nil {
		return DeprivationReport{}, err
	}
	if err := q.Baseline.Validate(); err != nil {
		return DeprivationReport{}, err
	}
	if q.FollowUpMonths < 1 {
		return DeprivationReport{}, fmt.Errorf("%w: follow_up_months must be at least 1", ErrBadQuery)
	}
	mp := q.Mapping
	rep := DeprivationReport{Query: q, Rows: []DeprivationRow{}, BySource: []SourceDeprivation{}, Dimensions: make([]DimensionCount, len(mp.Dimensions))}
	for i, d := range mp.Dimensions {
		rep.Dimensions[i].ID = d.ID
	}
	checked := map[int]bool{}

	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, id := range m.familyIDs() {
		fam := m.st.Families[id]
		regs := fam.Registrations
		for i := range regs {
			t0 := &regs[i]
			if t0.InstrumentID != mp.InstrumentID || t0.Moment != domain.MomentT0 || !visible(t0.At, asOf) || !q.Baseline.Contains(t0.Date) {
				continue
			}
			if !checked[t0.InstrumentVersion] {
				if in, ok := m.cat.Get(mp.InstrumentID, t0.InstrumentVersion); ok {
					if err := mp.Check(in); err != nil {
						return DeprivationReport{}, err
					}
				}
				checked[t0.InstrumentVersion] = true
			}
			// The baseline picture: every registration of the instrument up
			// to and including the t0.
			pic := map[domain.ItemKey]Answer{}
			for j := 0; j <= i; j++ {
				if r := &regs[j]; r.InstrumentID == mp.InstrumentID && visible(r.At, asOf) {
					carry(pic, r)
				}
			}
			row := DeprivationRow{FamilyID: id, Trajectory: t0.Trajectory, Source: fam.Sources[t0.Trajectory], BaselineDate: t0.Date, FollowUpDay: t0.Date.AddMonths(q.FollowUpMonths)}
			s0 := m.short(mp, fam, pic, t0.Date, asOf)
			for j := i + 1; j < len(regs); j++ {
				r := &regs[j]
				if r.InstrumentID != mp.InstrumentID || r.Trajectory != t0.Trajectory || !visible(r.At, asOf) || r.Date.After(row.FollowUpDay) {
					continue
				}
				carry(pic, r)
				row.FollowUpRegistration = r.Date
			}
			row.ShortAtBaseline = names(mp, s0)
			row.DeprivedAtBaseline = len(row.ShortAtBaseline) >= mp.MinDimensions
			if row.FollowUpRegistration.IsZero() {
				row.Class = ClassNoFollowUp
				row.ShortAtFollowUp = []string{}
				rep.count(row, s0, nil)
				rep.Rows = append(rep.Rows, row)
				continue
			}
			s1 := m.short(mp, fam, pic, row.FollowUpDay, asOf)
			row.ShortAtFollowUp = names(mp, s1)
			row.DeprivedAtFollowUp = len(row.ShortAtFollowUp) >= mp.MinDimensions
			n0, n1 := len(row.ShortAtBaseline), len(row.ShortAtFollowUp)
			switch {
			case n1 < n0:
				row.Class = ClassImproved
				row.LeftDeprivation = row.DeprivedAtBaseline && !row.DeprivedAtFollowUp
			case n1 > n0:
				row.Class = ClassWorsened
				row.EnteredDeprivation = !row.DeprivedAtBaseline && row.DeprivedAtFollowUp
			case row.DeprivedAtBaseline:
				row.Class = ClassNegativeStatusQuo
			default:
				row.Class = ClassPositiveStatusQuo
			}
			rep.count(row, s0, s1)
			rep.Rows = append(rep.Rows, row)
		}
	}
	rep.sortSources()
	return rep, nil
}

// add counts a row.
func (c *DeprivationCounts) add(row DeprivationRow) {
	switch row.Class {
	case ClassNoFollowUp:
		c.NoFollowUp++
		return
	case ClassImproved:
		c.Improved++
	case ClassWorsened:
		c.Worsened++
	case ClassPositiveStatusQuo:
		c.PositiveStatusQuo++
	case ClassNegativeStatusQuo:
		c.NegativeStatusQuo++
	}
	c.Families++
	if row.LeftDeprivation {
		c.LeftDeprivation++
	}
	if row.EnteredDeprivation {
		c.EnteredDeprivation++
	}
	if row.DeprivedAtBaseline {
		c.DeprivedAtBaseline++
	}
	if row.DeprivedAtFollowUp {
		c.DeprivedAtFollowUp++
	}
}

// count adds a row to the overall counts, its source's counts and, when
// classified, the dimension counts.
func (rep *DeprivationReport) count(row DeprivationRow, s0, s1 []bool) {
	rep.DeprivationCounts.add(row)
	i := slices.IndexFunc(rep.BySource, func(s SourceDeprivation) bool { return s.Source == row.Source })
	if i < 0 {
		rep.BySource = append(rep.BySource, SourceDeprivation{Source: row.Source})
		i = len(rep.BySource) - 1
	}
	rep.BySource[i].add(row)
	if row.Class == ClassNoFollowUp {
		return
	}
	for i := range rep.Dimensions {
		if s0[i] {
			rep.Dimensions[i].ShortAtBaseline++
		}
		if s1[i] {
			rep.Dimensions[i].ShortAtFollowUp++
		}
	}
}

// sortSources orders BySource as domain.ReferralSources, unknown sources
// last by code.
func (rep *DeprivationReport) sortSources() {
	order := domain.ReferralSources()
	rank := func(s domain.ReferralSource) int {
		if i := slices.Index(order, s); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(rep.BySource, func(a, b SourceDeprivation) int {
		if ra, rb := rank(a.Source), rank(b.Source); ra != rb {
			return ra - rb
		}
		return strings.Compare(string(a.Source), string(b.Source))
	})
}

// carry applies a registration's answers to a picture.
func carry(pic map[domain.ItemKey]Answer, r *Registration) {
	for _, a := range r.Answers {
		pic[domain.ItemKey{Item: a.Item, Member: a.Member}] = a
	}
}

// short returns, per dimension of the mapping, whether the picture falls
// short on it on day (members who left on or before day, as recorded by
// asOf, do not count). Caller holds the read lock.
func (m *Model) short(mp Mapping, fam *Family, pic map[domain.ItemKey]Answer, day domain.Date, asOf time.Time) []bool {
	out := make([]bool, len(mp.Dimensions))
	for _, a := range pic {
		if a.Status != domain.AnswerScored {
			continue
		}
		if a.Member != "" {
			if mem := fam.Members[a.Member]; mem != nil && !mem.LeftOn.IsZero() && !mem.LeftOn.After(day) && visible(mem.LeftAt, asOf) {
				continue
			}
		}
		for i, d := range mp.Dimensions {
			if !out[i] && a.Subject == d.Subject && a.Level >= 1 && a.Level <= d.ShortAtOrBelow && slices.Contains(d.Items, a.Item) {
				out[i] = true
			}
		}
	}
	return out
}

// names returns the ids of the dimensions marked short, in mapping order.
func names(mp Mapping, short []bool) []string {
	out := []string{}
	for i, s := range short {
		if s {
			out = append(out, mp.Dimensions[i].ID)
		}
	}
	return out
}
