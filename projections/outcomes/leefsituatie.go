package outcomes

import (
	"math"
	"slices"
	"time"

	"spoor/domain"
)

// levels is the number of levels of the leefsituatie scale (10, 7.5, 5,
// 2.5, 0).
const levels = 5

// LevelCount is one cell of a domain's row: the families at one level.
type LevelCount struct {
	// Level 1 is the worst situation (score 10), level 5 the best (0).
	Level int     `json:"level"`
	Score Decimal `json:"score"`
	Count int     `json:"count"`
	// Percent is Count over the row's N, one decimal, rounded half up;
	// null when N is 0.
	Percent *Decimal `json:"percent"`
}

// DomainRow is one life domain at one moment.
type DomainRow struct {
	Domain domain.LifeDomain `json:"domain"`
	// Levels holds the five levels, worst (score 10) first, as DOMAIN.md's
	// table.
	Levels []LevelCount `json:"levels"`
	// N is the number of families with a score on this domain at this
	// moment; Missing the families of the table without one (not assessed
	// or never answered). N + Missing is the table's Families.
	N       int `json:"n"`
	Missing int `json:"missing"`
	// Mean is the mean score on 10 over the N families, one decimal,
	// rounded half up; null when N is 0.
	Mean *Decimal `json:"mean"`
}

// MomentTable is the table of one moment (T0 or T1).
type MomentTable struct {
	Moment   domain.AssessmentMoment `json:"moment"`
	Families int                     `json:"families"`
	Domains  []DomainRow             `json:"domains"`
}

// CountRow is one row of a distribution: the families with exactly Domains
// domains improved (worsened, with a problem).
type CountRow struct {
	Domains  int      `json:"domains"`
	Families int      `json:"families"`
	Percent  *Decimal `json:"percent"`
}

// ChangeTable is the number of domains on which each family improved or
// worsened between T0 and T1 (a lower score is better), with its
// distribution (0..9 domains).
type ChangeTable struct {
	// Families counts the families compared: with a T1 in the period and at
	// least one domain scored at both T0 and T1. NotComparable counts those
	// with a T1 in the period but no domain scored at both.
	Families      int        `json:"families"`
	NotComparable int        `json:"not_comparable"`
	Improved      []CountRow `json:"improved"`
	Worsened      []CountRow `json:"worsened"`
	MeanImproved  *Decimal   `json:"mean_improved"`
	MeanWorsened  *Decimal   `json:"mean_worsened"`
}

// ProblemTable is the number of domains with a problem (any level but the
// best, i.e. a score above 0) per family at one moment, over the families
// of that moment's table scored on all nine domains.
type ProblemTable struct {
	Moment domain.AssessmentMoment `json:"moment"`
	// Families: scored on all nine; Excluded: in the moment's table but not
	// scored on all nine.
	Families     int        `json:"families"`
	Excluded     int        `json:"excluded"`
	Distribution []CountRow `json:"distribution"`
	Mean         *Decimal   `json:"mean"`
}

// Tables are the evaluation tables for one group of families.
type Tables struct {
	T0         MomentTable  `json:"t0"`
	T1         MomentTable  `json:"t1"`
	Change     ChangeTable  `json:"change"`
	ProblemsT0 ProblemTable `json:"problems_t0"`
	ProblemsT1 ProblemTable `json:"problems_t1"`
}

// SourceTables are the tables of the families of one referral source.
type SourceTables struct {
	Source domain.ReferralSource `json:"source"`
	Tables
}

// FamilyRow is one trajectory behind the tables, so every figure can be
// traced. Scores hold the nine domains in DOMAIN.md's order (null: missing).
type FamilyRow struct {
	FamilyID   domain.FamilyID       `json:"family_id"`
	Trajectory int                   `json:"trajectory"`
	Source     domain.ReferralSource `json:"source"`
	// T0 and T1 are set when the trajectory is in that moment's table.
	T0Date   domain.Date `json:"t0_date,omitzero"`
	T0Scores []*Decimal  `json:"t0_scores,omitempty"`
	T1Date   domain.Date `json:"t1_date,omitzero"`
	T1Scores []*Decimal  `json:"t1_scores,omitempty"`
	// Compared, Improved and Worsened are set when the trajectory has a T1
	// in the period.
	Compared int `json:"compared"`
	Improved int `json:"improved"`
	Worsened int `json:"worsened"`
	// ProblemsT0/T1: domains with a problem, when scored on all nine.
	ProblemsT0 *int `json:"problems_t0"`
	ProblemsT1 *int `json:"problems_t1"`
}

// Report is the leefsituatie evaluation for a period.
type Report struct {
	Instrument string `json:"instrument"`
	Period     Period `json:"period"`
	// Domains lists the nine life domains in the tables' order.
	Domains  []domain.LifeDomain `json:"domains"`
	Overall  Tables              `json:"overall"`
	BySource []SourceTables      `json:"by_source"`
	Families []FamilyRow         `json:"families"`
}

// cell is one domain of a leefsituatie picture.
type cell struct {
	scored bool
	level  int   // 1..5
	hund   int64 // score in hundredths (1000 for 10)
}

type picture [9]cell

// unit is one trajectory of a family with its T0 and T1 pictures.
type unit struct {
	family domain.FamilyID
	traj   int
	source domain.ReferralSource
	hasT0  bool // the trajectory has a t0 (any date)
	t0In   bool // ... dated in the period
	t0Date domain.Date
	t0     picture
	hasT1  bool // a t1 dated in the period (the latest such)
	t1Date domain.Date
	t1     picture
}

// Report returns the leefsituatie tables of DOMAIN.md for period, overall
// and per referral source, as the ledger stood at asOf (zero: now).
//
// Which families: the T0 table holds every trajectory whose t0
// registration with the leefsituatie is dated in the period, with its
// picture right after that t0. The T1 table holds every trajectory with a
// t1 registration dated in the period, with its picture right after the
// latest such t1 (a trajectory may register t1 more than once, e.g. at a
// review and at closure). The change table compares, for each trajectory
// of the T1 table, that T1 picture with the trajectory's t0 picture (whatever
// the t0's date), domain by domain where both are scored: improved when the
// score went down, worsened when it went up. The problem tables take the
// families of the T0 (T1) table that are scored on all nine domains.
// Percentages and means are over the families with a score on that domain
// at that moment; one decimal, rounded half up.
//
// The referral source is the trajectory's (see the package doc). BySource
// lists only sources with at least one trajectory in the report, in
// domain.ReferralSources order. Families lists the trajectories behind the
// tables ordered by family id and trajectory. Levels outside 1..5 count as
// missing. The error wraps ErrBadQuery for an invalid period.
func (m *Model) Report(period Period, asOf time.Time) (Report, error) {
	if err := period.Validate(); err != nil {
		return Report{}, err
	}
	m.mu.RLock()
	units := m.units(period, asOf)
	m.mu.RUnlock()

	r := Report{Instrument: domain.LeefsituatieID, Period: period, Domains: domain.LifeDomains(), Overall: m.tables(units), BySource: []SourceTables{}, Families: []FamilyRow{}}
	sources := domain.ReferralSources()
	for _, u := range units {
		if !slices.Contains(sources, u.source) {
			sources = append(sources, u.source)
		}
	}
	for _, s := range sources {
		var group []*unit
		for _, u := range units {
			if u.source == s {
				group = append(group, u)
			}
		}
		if len(group) > 0 {
			r.BySource = append(r.BySource, SourceTables{Source: s, Tables: m.tables(group)})
		}
	}
	for _, u := range units {
		r.Families = append(r.Families, familyRow(u))
	}
	return r, nil
}

// units folds every family's leefsituatie registrations recorded by asOf
// and returns the trajectories with a T0 or a T1 in the period. Caller
// holds the read lock.
func (m *Model) units(period Period, asOf time.Time) []*unit {
	var out []*unit
	for _, id := range m.familyIDs() {
		fam := m.st.Families[id]
		var (
			pic    picture
			byTraj = map[int]*unit{}
			trajs  []int
		)
		for i := range fam.Registrations {
			r := &fam.Registrations[i]
			if r.InstrumentID != domain.LeefsituatieID || !visible(r.At, asOf) {
				continue
			}
			in := m.leefsituatie(r.InstrumentVersion)
			for _, a := range r.Answers {
				k, ok := m.domains[a.Item]
				if !ok || a.Member != "" {
					continue
				}
				pic[k] = leefCell(in, a)
			}
			u := byTraj[r.Trajectory]
			if u == nil {
				u = &unit{family: id, traj: r.Trajectory, source: fam.Sources[r.Trajectory]}
				byTraj[r.Trajectory] = u
				trajs = append(trajs, r.Trajectory)
			}
			switch r.Moment {
			case domain.MomentT0:
				u.hasT0, u.t0Date, u.t0, u.t0In = true, r.Date, pic, period.Contains(r.Date)
			case domain.MomentT1:
				if period.Contains(r.Date) {
					u.hasT1, u.t1Date, u.t1 = true, r.Date, pic
				}
			}
		}
		slices.Sort(trajs)
		for _, t := range trajs {
			if u := byTraj[t]; u.t0In || u.hasT1 {
				out = append(out, u)
			}
		}
	}
	return out
}

// leefsituatie returns the leefsituatie at version from the catalogue, or
// the built-in one when the catalogue lacks it.
func (m *Model) leefsituatie(version int) *domain.Instrument {
	if in, ok := m.cat.Get(domain.LeefsituatieID, version); ok {
		return &in
	}
	return &m.leef
}

// leefCell turns an answer into a cell with the score of its instrument.
func leefCell(in *domain.Instrument, a Answer) cell {
	if a.Status != domain.AnswerScored || a.Level < 1 || a.Level > levels {
		return cell{}
	}
	s, ok := in.Score(a.Level)
	if !ok {
		return cell{}
	}
	return cell{scored: true, level: a.Level, hund: int64(math.Round(s * 100))}
}

// tables computes every table over a group of trajectories.
func (m *Model) tables(units []*unit) Tables {
	var t0, t1 []*picture
	for _, u := range units {
		if u.t0In {
			t0 = append(t0, &u.t0)
		}
		if u.hasT1 {
			t1 = append(t1, &u.t1)
		}
	}
	return Tables{
		T0:         m.momentTable(domain.MomentT0, t0),
		T1:         m.momentTable(domain.MomentT1, t1),
		Change:     changeTable(units),
		ProblemsT0: problemTable(domain.MomentT0, t0),
		ProblemsT1: problemTable(domain.MomentT1, t1),
	}
}

func (m *Model) momentTable(moment domain.AssessmentMoment, pics []*picture) MomentTable {
	t := MomentTable{Moment: moment, Families: len(pics), Domains: make([]DomainRow, 0, 9)}
	for k, d := range domain.LifeDomains() {
		var (
			counts [levels]int
			n      int
			sum    int64
		)
		for _, p := range pics {
			if c := p[k]; c.scored {
				counts[c.level-1]++
				n++
				sum += c.hund
			}
		}
		row := DomainRow{Domain: d, N: n, Missing: len(pics) - n, Mean: meanOfHundredths(sum, n), Levels: make([]LevelCount, levels)}
		for l := range levels {
			score, _ := m.leef.Score(l + 1)
			row.Levels[l] = LevelCount{Level: l + 1, Score: Decimal(math.Round(score * 10)), Count: counts[l], Percent: Percent(counts[l], n)}
		}
		t.Domains = append(t.Domains, row)
	}
	return t
}

// compare returns the domains scored at both moments and, of those, the
// ones improved (score down) and worsened (score up).
func compare(a, b *picture) (compared, improved, worsened int) {
	for k := range a {
		if !a[k].scored || !b[k].scored {
			continue
		}
		compared++
		switch {
		case b[k].hund < a[k].hund:
			improved++
		case b[k].hund > a[k].hund:
			worsened++
		}
	}
	return compared, improved, worsened
}

func changeTable(units []*unit) ChangeTable {
	var (
		t          ChangeTable
		imp, worse [10]int
		sumI, sumW int
	)
	for _, u := range units {
		if !u.hasT1 || !u.hasT0 {
			continue
		}
		c, i, w := compare(&u.t0, &u.t1)
		if c == 0 {
			t.NotComparable++
			continue
		}
		t.Families++
		imp[i]++
		worse[w]++
		sumI += i
		sumW += w
	}
	t.Improved, t.Worsened = distribution(imp, t.Families), distribution(worse, t.Families)
	t.MeanImproved, t.MeanWorsened = meanOfCounts(sumI, t.Families), meanOfCounts(sumW, t.Families)
	return t
}

func distribution(counts [10]int, n int) []CountRow {
	out := make([]CountRow, len(counts))
	for k, c := range counts {
		out[k] = CountRow{Domains: k, Families: c, Percent: Percent(c, n)}
	}
	return out
}

// problems returns the number of domains with a score above 0, and false
// when the picture is not scored on all nine domains.
func problems(p *picture) (int, bool) {
	n := 0
	for _, c := range p {
		if !c.scored {
			return 0, false
		}
		if c.hund > 0 {
			n++
		}
	}
	return n, true
}

func problemTable(moment domain.AssessmentMoment, pics []*picture) ProblemTable {
	var (
		t      = ProblemTable{Moment: moment}
		counts [10]int
		sum    int
	)
	for _, p := range pics {
		n, ok := problems(p)
		if !ok {
			t.Excluded++
			continue
		}
		t.Families++
		counts[n]++
		sum += n
	}
	t.Distribution = distribution(counts, t.Families)
	t.Mean = meanOfCounts(sum, t.Families)
	return t
}

func scores(p *picture) []*Decimal {
	out := make([]*Decimal, len(p))
	for k, c := range p {
		if c.scored {
			d := Decimal(roundDiv(c.hund, 10))
			out[k] = &d
		}
	}
	return out
}

func familyRow(u *unit) FamilyRow {
	r := FamilyRow{FamilyID: u.family, Trajectory: u.traj, Source: u.source}
	if u.t0In {
		r.T0Date, r.T0Scores = u.t0Date, scores(&u.t0)
		if n, ok := problems(&u.t0); ok {
			r.ProblemsT0 = &n
		}
	}
	if u.hasT1 {
		r.T1Date, r.T1Scores = u.t1Date, scores(&u.t1)
		if n, ok := problems(&u.t1); ok {
			r.ProblemsT1 = &n
		}
		if u.hasT0 {
			r.Compared, r.Improved, r.Worsened = compare(&u.t0, &u.t1)
		}
	}
	return r
}
