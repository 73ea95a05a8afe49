package domain

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
)

// instrumentFiles holds the instrument definitions shipped with Spoor.
//
//go:embed instruments/*.json
var instrumentFiles embed.FS

// Subject is whom an instrument part is about.
type Subject string

// Subjects.
const (
	SubjectHousehold Subject = "household"
	SubjectAdult     Subject = "adult"
	SubjectChild     Subject = "child"
)

// Valid reports whether s is household, adult or child.
func (s Subject) Valid() bool { return s == SubjectHousehold || s == SubjectAdult || s == SubjectChild }

// Instrument is an assessment instrument as data: its levels (ordered worst
// to best, with the score reported for each), which non-scores it allows,
// and its items in parts about the household, each adult or each child.
// Instruments are versioned: a registration names the id and version it
// used, and a new reading of a scale is a new version.
type Instrument struct {
	ID                 string            `json:"id"`
	Version            int               `json:"version"`
	Name               string            `json:"name"`
	Description        string            `json:"description,omitempty"`
	Levels             []InstrumentLevel `json:"levels"`
	AllowNotAssessed   bool              `json:"allow_not_assessed"`
	AllowNotApplicable bool              `json:"allow_not_applicable"`
	AllowText          bool              `json:"allow_text"`
	Parts              []InstrumentPart  `json:"parts"`
	Deprivation        *DeprivationIndex `json:"deprivation_index,omitempty"`
}

// InstrumentLevel is one level of an instrument's scale: Level runs from 1
// (worst) up; Score is what reports show for it (the leefsituatie scores
// 10 for the worst level down to 0 for the best).
type InstrumentLevel struct {
	Level int     `json:"level"`
	Score float64 `json:"score"`
	Label string  `json:"label"`
}

// InstrumentPart is a group of items about one subject.
type InstrumentPart struct {
	ID      string           `json:"id"`
	Subject Subject          `json:"subject"`
	Items   []InstrumentItem `json:"items"`
}

// InstrumentItem is one item; LevelLabels, when present, describe each level
// for this item (worst first).
type InstrumentItem struct {
	ID          string     `json:"id"`
	Label       string     `json:"label"`
	LifeDomain  LifeDomain `json:"life_domain,omitempty"`
	LevelLabels []string   `json:"level_labels,omitempty"`
}

// DeprivationIndex maps an instrument's items onto Kind & Gezin's
// deprivation index (kansarmoede-index): a family falls short on a dimension
// when any of its items, for any subject of the part, is scored at or below
// ShortAtOrBelow; it counts as deprived when it falls short on at least
// MinDimensions dimensions.
type DeprivationIndex struct {
	MinDimensions int                    `json:"min_dimensions"`
	Dimensions    []DeprivationDimension `json:"dimensions"`
}

// DeprivationDimension is one dimension of the deprivation index.
type DeprivationDimension struct {
	ID             string   `json:"id"`
	Part           string   `json:"part"`
	Items          []string `json:"items"`
	ShortAtOrBelow int      `json:"short_at_or_below"`
}

// Key returns "id@version".
func (in Instrument) Key() string { return fmt.Sprintf("%s@%d", in.ID, in.Version) }

// Part returns the part with the given id.
func (in Instrument) Part(id string) (InstrumentPart, bool) {
	for _, p := range in.Parts {
		if p.ID == id {
			return p, true
		}
	}
	return InstrumentPart{}, false
}

// Item returns the first item with the given id in any part, and that part.
// Item ids are unique within a part but may repeat across parts (leisure
// for adults and for children): use ItemFor to choose by subject.
func (in Instrument) Item(id string) (InstrumentItem, InstrumentPart, bool) {
	for _, p := range in.Parts {
		for _, it := range p.Items {
			if it.ID == id {
				return it, p, true
			}
		}
	}
	return InstrumentItem{}, InstrumentPart{}, false
}

// ItemFor returns the item with the given id in the part about subject.
func (in Instrument) ItemFor(id string, subject Subject) (InstrumentItem, bool) {
	for _, p := range in.Parts {
		if p.Subject != subject {
			continue
		}
		for _, it := range p.Items {
			if it.ID == id {
				return it, true
			}
		}
	}
	return InstrumentItem{}, false
}

// Score returns the score of a level, and false for a level outside the
// scale.
func (in Instrument) Score(level int) (float64, bool) {
	for _, l := range in.Levels {
		if l.Level == level {
			return l.Score, true
		}
	}
	return 0, false
}

// Validate checks an instrument definition: an id as a code, a positive
// version, levels numbered 1..n (n >= 2), parts with known subjects, item ids
// as codes unique within their part, level labels (when given) one per
// level, and a deprivation index that names existing parts and items.
func (in Instrument) Validate() error {
	if !validCode(in.ID) {
		return fmt.Errorf("instrument: id %q is not a code", in.ID)
	}
	if in.Version < 1 {
		return fmt.Errorf("instrument %s: version must be at least 1", in.ID)
	}
	if len(in.Levels) < 2 {
		return fmt.Errorf("instrument %s: at least two levels are needed", in.Key())
	}
	for i, l := range in.Levels {
		if l.Level != i+1 {
			return fmt.Errorf("instrument %s: levels must be numbered 1..%d in order", in.Key(), len(in.Levels))
		}
	}
	if len(in.Parts) == 0 {
		return fmt.Errorf("instrument %s: no parts", in.Key())
	}
	parts := map[string]bool{}
	for _, p := range in.Parts {
		if !validCode(p.ID) || parts[p.ID] {
			return fmt.Errorf("instrument %s: part id %q is not a code or repeats", in.Key(), p.ID)
		}
		parts[p.ID] = true
		if !p.Subject.Valid() {
			return fmt.Errorf("instrument %s: part %s: unknown subject %q", in.Key(), p.ID, p.Subject)
		}
		if len(p.Items) == 0 {
			return fmt.Errorf("instrument %s: part %s has no items", in.Key(), p.ID)
		}
		seen := map[string]bool{}
		for _, it := range p.Items {
			if !validCode(it.ID) || seen[it.ID] {
				return fmt.Errorf("instrument %s: part %s: item id %q is not a code or repeats", in.Key(), p.ID, it.ID)
			}
			seen[it.ID] = true
			if it.LifeDomain != "" && !it.LifeDomain.Valid() {
				return fmt.Errorf("instrument %s: item %s: unknown life domain %q", in.Key(), it.ID, it.LifeDomain)
			}
			if it.LevelLabels != nil && len(it.LevelLabels) != len(in.Levels) {
				return fmt.Errorf("instrument %s: item %s: %d level labels for %d levels", in.Key(), it.ID, len(it.LevelLabels), len(in.Levels))
			}
		}
	}
	if d := in.Deprivation; d != nil {
		if d.MinDimensions < 1 || d.MinDimensions > len(d.Dimensions) {
			return fmt.Errorf("instrument %s: deprivation index: min_dimensions out of range", in.Key())
		}
		for _, dim := range d.Dimensions {
			p, ok := in.Part(dim.Part)
			if !ok {
				return fmt.Errorf("instrument %s: deprivation dimension %s: unknown part %q", in.Key(), dim.ID, dim.Part)
			}
			for _, id := range dim.Items {
				if !slices.ContainsFunc(p.Items, func(it InstrumentItem) bool { return it.ID == id }) {
					return fmt.Errorf("instrument %s: deprivation dimension %s: unknown item %q in part %s", in.Key(), dim.ID, id, p.ID)
				}
			}
			if dim.ShortAtOrBelow < 1 || dim.ShortAtOrBelow > len(in.Levels) {
				return fmt.Errorf("instrument %s: deprivation dimension %s: short_at_or_below out of range", in.Key(), dim.ID)
			}
		}
	}
	return nil
}

// ParseInstrument reads an instrument definition (JSON, unknown fields
// refused) and validates it.
func ParseInstrument(data []byte) (Instrument, error) {
	var in Instrument
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Instrument{}, fmt.Errorf("parse instrument: %w", err)
	}
	if err := in.Validate(); err != nil {
		return Instrument{}, err
	}
	return in, nil
}

// LeefsituatieID is the id of the GO-team leefsituatie instrument.
const LeefsituatieID = "go_team_leefsituatie"

// Leefsituatie returns the built-in GO-team leefsituatie instrument, version
// 1: the nine life domains of DOMAIN.md as items of one household part,
// five levels scored 10, 7.5, 5, 2.5 and 0 (level 1 is the worst situation,
// scored 10), "not assessed" allowed (missing, never a level), no "not
// applicable", no open text. Item ids are the LifeDomain codes.
func Leefsituatie() Instrument {
	labels := [][]string{
		{"regular family violence, police intervention", "regular family violence, no police intervention", "rare family violence, no police intervention", "verbal violence only", "no violence"},
		{"homeless", "no decent home, repairs needed", "decent home, repairs under way", "decent home, repairs mostly done", "decent home"},
		{"poor health, very many limitations", "poor health, many limitations", "poor health, some limitations", "fairly good health, few limitations", "good health"},
		{"four problems", "three problems", "two problems", "one problem", "working"},
		{"no income", "too low to care for the family", "just enough, no buffer", "enough, with a buffer", "enough, with savings"},
		{"debts, not repaid, no insight in income and spending", "debts not repaid regularly, little insight", "most debts repaid, insight", "all debts repaid, insight", "no debts, insight"},
		{"no network, no safety net", "small network, no safety net", "network, no safety net", "network, small safety net", "network and safety net"},
		{"no Dutch, 3 or more problems", "limited Dutch, 3 or more problems", "enough Dutch, 3 or more problems", "enough Dutch, 1 or 2 problems", "enough Dutch, no problems"},
		{"four problems", "three problems", "two problems", "one problem", "no problems"},
	}
	names := []string{"Safety (veiligheid)", "Housing (wonen)", "Parents' health (gezondheid ouders)", "Work prospects (tewerkstellingskansen)", "Income (inkomen)", "Debts (schulden)", "Social capital (sociaal kapitaal)", "Cultural capital (cultureel kapitaal)", "Children's situation (leefsituatie kinderen)"}
	var items []InstrumentItem
	for i, d := range LifeDomains() {
		items = append(items, InstrumentItem{ID: string(d), Label: names[i], LifeDomain: d, LevelLabels: labels[i]})
	}
	return Instrument{
		ID:      LeefsituatieID,
		Version: 1,
		Name:    "GO-team leefsituatie",
		Levels: []InstrumentLevel{
			{Level: 1, Score: 10, Label: "worst"},
			{Level: 2, Score: 7.5, Label: ""},
			{Level: 3, Score: 5, Label: ""},
			{Level: 4, Score: 2.5, Label: ""},
			{Level: 5, Score: 0, Label: "best"},
		},
		AllowNotAssessed: true,
		Parts:            []InstrumentPart{{ID: "household", Subject: SubjectHousehold, Items: items}},
	}
}

// Catalogue holds the instruments a team can register with, by id and
// version. It is immutable once built and safe for concurrent use.
type Catalogue struct {
	byKey map[string]Instrument
}

// NewCatalogue returns a catalogue of the given instruments; it refuses an
// invalid instrument or an id@version given twice.
func NewCatalogue(ins ...Instrument) (*Catalogue, error) {
	c := &Catalogue{byKey: map[string]Instrument{}}
	for _, in := range ins {
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if _, dup := c.byKey[in.Key()]; dup {
			return nil, fmt.Errorf("instrument catalogue: %s given twice", in.Key())
		}
		c.byKey[in.Key()] = in
	}
	return c, nil
}

// BuiltinCatalogue returns the leefsituatie and every definition file under
// domain/instruments (embedded in the binary), parsed and validated.
func BuiltinCatalogue() (*Catalogue, error) {
	ins := []Instrument{Leefsituatie()}
	names, err := fs.Glob(instrumentFiles, "instruments/*.json")
	if err != nil {
		return nil, fmt.Errorf("instrument catalogue: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := instrumentFiles.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("instrument catalogue: %w", err)
		}
		in, err := ParseInstrument(b)
		if err != nil {
			return nil, fmt.Errorf("instrument file %s: %w", n, err)
		}
		ins = append(ins, in)
	}
	return NewCatalogue(ins...)
}

// Get returns the instrument id at version.
func (c *Catalogue) Get(id string, version int) (Instrument, bool) {
	if c == nil {
		return Instrument{}, false
	}
	in, ok := c.byKey[fmt.Sprintf("%s@%d", id, version)]
	return in, ok
}

// All returns every instrument, ordered by id and version.
func (c *Catalogue) All() []Instrument {
	if c == nil {
		return nil
	}
	out := make([]Instrument, 0, len(c.byKey))
	for _, in := range c.byKey {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Version < out[j].Version
	})
	return out
}
