package privacy

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"spoor/domain"
)

// Flag marks an access for the privacy officer's review.
type Flag string

// Review flags (see the package documentation for their rules).
const (
	FlagOutsideCaseload Flag = "outside_caseload"
	FlagBreakGlass      Flag = "break_glass"
	FlagOutsideHours    Flag = "outside_hours"
	FlagUnusualVolume   Flag = "unusual_volume"
	FlagRefused         Flag = "refused"
)

// Flags lists every Flag.
func Flags() []Flag {
	return []Flag{FlagOutsideCaseload, FlagBreakGlass, FlagOutsideHours, FlagUnusualVolume, FlagRefused}
}

// Page selects a window of a newest-first list: Limit entries after
// skipping Offset. Limit 0 means 50; at most 1000.
type Page struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

const (
	defaultLimit = 50
	maxLimit     = 1000
)

func (p Page) check() (Page, error) {
	if p.Offset < 0 {
		return p, fmt.Errorf("%w: offset must not be negative", ErrBadQuery)
	}
	if p.Limit < 0 || p.Limit > maxLimit {
		return p, fmt.Errorf("%w: limit must be between 0 and %d", ErrBadQuery, maxLimit)
	}
	if p.Limit == 0 {
		p.Limit = defaultLimit
	}
	return p, nil
}

// AccessEntry is one access as the privacy officer sees it.
type AccessEntry struct {
	Position   uint64                  `json:"position"`
	At         time.Time               `json:"at"`
	FamilyID   domain.FamilyID         `json:"family_id"`
	UserID     domain.StaffID          `json:"user_id"`
	Role       domain.Role             `json:"role"`
	Kind       AccessKind              `json:"kind"`
	Part       domain.FilePart         `json:"part"`
	ItemID     string                  `json:"item_id,omitempty"`
	Purpose    domain.Purpose          `json:"purpose"`
	Outcome    domain.AccessOutcome    `json:"outcome"`
	Rule       string                  `json:"rule,omitempty"`
	ExportKind domain.ExportKind       `json:"export_kind,omitempty"`
	Format     string                  `json:"format,omitempty"`
	BreakGlass bool                    `json:"break_glass"`
	Reason     domain.BreakGlassReason `json:"reason,omitempty"`
	Flags      []Flag                  `json:"flags"`
}

// AccessPage is a window of a newest-first access list; Total counts the
// whole list.
type AccessPage struct {
	Total   int           `json:"total"`
	Offset  int           `json:"offset"`
	Limit   int           `json:"limit"`
	Entries []AccessEntry `json:"entries"`
}

// flagger computes flags for a query, memoising volume counts.
type flagger struct {
	m      *Model
	cut    time.Time
	volume map[volKey]int
}

type volKey struct {
	user domain.StaffID
	day  int32
}

func (m *Model) flagger(cut time.Time) *flagger {
	return &flagger{m: m, cut: cut, volume: map[volKey]int{}}
}

func (m *Model) localDay(t time.Time) (domain.Date, time.Time, time.Time) {
	l := t.In(m.opts.Location)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, m.opts.Location)
	return domain.DateOf(l), start, start.AddDate(0, 0, 1)
}

func (m *Model) outsideHours(t time.Time) bool {
	l := t.In(m.opts.Location)
	if !m.workDays[l.Weekday()] {
		return true
	}
	since := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second
	return since < m.opts.WorkStart || since >= m.opts.WorkEnd
}

// familiesOn counts the distinct families user tried to see on the local
// day of t, among accesses recorded by the cut.
func (fl *flagger) familiesOn(user domain.StaffID, t time.Time) int {
	day, start, end := fl.m.localDay(t)
	k := volKey{user, dayKey(day)}
	if n, ok := fl.volume[k]; ok {
		return n
	}
	limit := end
	if after := fl.cut.Add(time.Nanosecond); after.Before(limit) {
		limit = after
	}
	n := 0
	idx := fl.m.byUsr[user]
	if i := fl.m.lastBefore(idx, limit); i >= 0 {
		if a := fl.m.log.at(idx[i]); !a.At.Before(start) {
			n = int(a.DayFamilies)
		}
	}
	fl.volume[k] = n
	return n
}

func (fl *flagger) flags(a *Access) []Flag {
	out := []Flag{}
	if a.OutsideCaseload {
		out = append(out, FlagOutsideCaseload)
	}
	if a.BreakGlass {
		out = append(out, FlagBreakGlass)
	}
	if fl.m.outsideHours(a.At) {
		out = append(out, FlagOutsideHours)
	}
	if fl.familiesOn(a.UserID, a.At) > fl.m.opts.VolumeThreshold {
		out = append(out, FlagUnusualVolume)
	}
	if a.Kind == KindRefused {
		out = append(out, FlagRefused)
	}
	return out
}

func (fl *flagger) entry(a *Access) AccessEntry {
	outcome := domain.AccessAllowed
	if a.Kind == KindRefused {
		outcome = domain.AccessRefused
	}
	return AccessEntry{
		Position: a.Position, At: a.At, FamilyID: a.FamilyID, UserID: a.UserID, Role: a.Role,
		Kind: a.Kind, Part: a.Part, ItemID: a.ItemID, Purpose: a.Purpose, Outcome: outcome, Rule: a.Rule,
		ExportKind: a.ExportKind, Format: a.Format, BreakGlass: a.BreakGlass, Reason: a.Reason,
		Flags: fl.flags(a),
	}
}

// visible returns how many entries of idx were recorded by cut.
func (m *Model) visible(idx []int32, cut time.Time) int {
	return sort.Search(len(idx), func(i int) bool { return m.log.at(idx[i]).At.After(cut) })
}

func (m *Model) pageOf(idx []int32, p Page, cut time.Time) AccessPage {
	n := m.visible(idx, cut)
	out := AccessPage{Total: n, Offset: p.Offset, Limit: p.Limit, Entries: []AccessEntry{}}
	fl := m.flagger(cut)
	for i := n - 1 - p.Offset; i >= 0 && len(out.Entries) < p.Limit; i-- {
		out.Entries = append(out.Entries, fl.entry(m.log.at(idx[i])))
	}
	return out
}

// WhoSaw returns who saw (or tried to see, or exported) family's file,
// newest first, as recorded by asOf (zero: everything folded), with each
// access's review flags. An unknown family gives an empty page. Errors:
// ErrBadQuery for a bad page.
func (m *Model) WhoSaw(family domain.FamilyID, p Page, asOf time.Time) (AccessPage, error) {
	p, err := p.check()
	if err != nil {
		return AccessPage{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pageOf(m.byFam[family], p, cutoff(asOf)), nil
}

// WhatUserSaw returns the accesses of one staff member over all families,
// newest first, as recorded by asOf, with their review flags. Errors:
// ErrBadQuery for a bad page.
func (m *Model) WhatUserSaw(user domain.StaffID, p Page, asOf time.Time) (AccessPage, error) {
	p, err := p.check()
	if err != nil {
		return AccessPage{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pageOf(m.byUsr[user], p, cutoff(asOf)), nil
}

// FlagQuery selects accesses for review.
type FlagQuery struct {
	// From and To bound the accesses' instants: [From, To); zero is
	// unbounded.
	From, To time.Time
	// Flag keeps only accesses with this flag; "" keeps every flagged one.
	Flag Flag
	// UserID keeps only this user's accesses when set.
	UserID domain.StaffID
	Page
}

// FlagReport is the review list: the counts of accesses per flag in the
// window, and a newest-first page of the accesses selected.
type FlagReport struct {
	Counts map[Flag]int `json:"counts"`
	AccessPage
}

// Flagged returns the accesses in q's window that carry q.Flag (or any
// flag), newest first, as recorded by asOf. Counts covers every flag in the
// window (for the user when q.UserID is set). Errors: ErrBadQuery for an
// unknown flag, From after To, or a bad page.
func (m *Model) Flagged(q FlagQuery, asOf time.Time) (FlagReport, error) {
	p, err := q.Page.check()
	if err != nil {
		return FlagReport{}, err
	}
	if q.Flag != "" && !slices.Contains(Flags(), q.Flag) {
		return FlagReport{}, fmt.Errorf("%w: unknown flag %q", ErrBadQuery, q.Flag)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return FlagReport{}, fmt.Errorf("%w: from is after to", ErrBadQuery)
	}
	cut := cutoff(asOf)
	if !q.To.IsZero() && !q.To.After(cut) {
		cut = q.To.Add(-time.Nanosecond)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	fl := m.flagger(cutoff(asOf))
	rep := FlagReport{Counts: map[Flag]int{}, AccessPage: AccessPage{Offset: p.Offset, Limit: p.Limit, Entries: []AccessEntry{}}}
	for _, f := range Flags() {
		rep.Counts[f] = 0
	}
	byUser := q.UserID != ""
	idx := m.byUsr[q.UserID]
	n := m.log.len()
	if byUser {
		n = len(idx)
	}
	at := func(i int) *Access {
		if byUser {
			return m.log.at(idx[i])
		}
		return m.log.at(int32(i))
	}
	hi := sort.Search(n, func(i int) bool { return at(i).At.After(cut) })
	skipped := 0
	for i := hi - 1; i >= 0; i-- {
		a := at(i)
		if !q.From.IsZero() && a.At.Before(q.From) {
			break
		}
		flags := fl.flags(a)
		for _, f := range flags {
			rep.Counts[f]++
		}
		if len(flags) == 0 || (q.Flag != "" && !slices.Contains(flags, q.Flag)) {
			continue
		}
		rep.Total++
		if skipped < p.Offset {
			skipped++
			continue
		}
		if len(rep.Entries) < p.Limit {
			e := fl.entry(a)
			rep.Entries = append(rep.Entries, e)
		}
	}
	return rep, nil
}

// VolumeDay is one user's day with unusual volume.
type VolumeDay struct {
	UserID   domain.StaffID `json:"user_id"`
	Day      domain.Date    `json:"day"`
	Families int            `json:"families"`
	Accesses int            `json:"accesses"`
}

// UnusualVolume returns the (user, local day) pairs from from to to
// (inclusive local days) on which the user touched more than the
// configured number of distinct families, counted over accesses recorded
// by asOf; ordered by day, then user. Errors: ErrBadQuery when a date is
// missing or from is after to.
func (m *Model) UnusualVolume(from, to domain.Date, asOf time.Time) ([]VolumeDay, error) {
	if from.IsZero() || to.IsZero() || from.After(to) {
		return nil, fmt.Errorf("%w: from and to are required and from must not be after to", ErrBadQuery)
	}
	loc := m.opts.Location
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	cut := cutoff(asOf)
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := m.log.len()
	lo := sort.Search(n, func(i int) bool { return !m.log.at(int32(i)).At.Before(start) })
	type tally struct {
		fams map[domain.FamilyID]struct{}
		n    int
	}
	days := map[volKey]*tally{}
	for i := lo; i < n; i++ {
		a := m.log.at(int32(i))
		if !a.At.Before(end) || a.At.After(cut) {
			break
		}
		d, _, _ := m.localDay(a.At)
		k := volKey{a.UserID, dayKey(d)}
		t, ok := days[k]
		if !ok {
			t = &tally{fams: map[domain.FamilyID]struct{}{}}
			days[k] = t
		}
		t.fams[a.FamilyID] = struct{}{}
		t.n++
	}
	out := []VolumeDay{}
	for k, t := range days {
		if len(t.fams) > m.opts.VolumeThreshold {
			out = append(out, VolumeDay{UserID: k.user, Day: keyDate(k.day), Families: len(t.fams), Accesses: t.n})
		}
	}
	slices.SortFunc(out, func(a, b VolumeDay) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if a.UserID < b.UserID {
			return -1
		}
		if a.UserID > b.UserID {
			return 1
		}
		return 0
	})
	return out, nil
}
