package demo

import (
	"cmp"
	"slices"
	"time"

	"spoor/domain"
	"spoor/store"
)

// absence is a coach's holiday or illness with the colleague who covers.
type absence struct {
	coach, cover int
	from, until  domain.Date
	endEarly     domain.Date // zero: runs to until
	reason       domain.CoverReason
}

// interval is a family's weight on a coach's caseload from..until.
type interval struct {
	from, until domain.Date
	w           float64
}

// teamSim is one team's simulation state.
type teamSim struct {
	g        *gen
	t        int
	coaches  []domain.StaffID
	fams     []*fam
	absences []absence
	loads    [][]interval
	settings domain.TeamSettings
}

func (s *teamSim) weight(src domain.ReferralSource) float64 { return s.settings.Weights[src] }

func (s *teamSim) load(c int, d domain.Date) float64 {
	var l float64
	for _, iv := range s.loads[c] {
		if !d.Before(iv.from) && !d.After(iv.until) {
			l += iv.w
		}
	}
	return l
}

// away reports whether coach c is absent on any day of from..until.
func (s *teamSim) away(c int, from, until domain.Date) bool {
	for _, a := range s.absences {
		last := a.until
		if !a.endEarly.IsZero() {
			last = a.endEarly
		}
		if a.coach == c && !a.from.After(until) && !last.Before(from) {
			return true
		}
	}
	return false
}

// pickCoach returns the available coach with the lowest load on day d that
// can take weight w within capacity, or -1.
func (s *teamSim) pickCoach(d domain.Date, w float64, not int) int {
	best, bestLoad := -1, 0.0
	for c := range s.coaches {
		if c == not || s.away(c, d, d.AddDays(9)) {
			continue
		}
		l := s.load(c, d)
		if l+w > s.settings.CoachCapacity+1e-9 {
			continue
		}
		if best < 0 || l < bestLoad {
			best, bestLoad = c, l
		}
	}
	return best
}

func (g *gen) team(t int) {
	C, n := g.opts.Coaches, g.opts.Families
	s := &teamSim{g: g, t: t, coaches: g.coaches[t*C : (t+1)*C], loads: make([][]interval, C), settings: domain.DefaultTeamSettings()}
	if g.bySource == nil {
		g.bySource = map[domain.ReferralSource]int{}
	}
	srcs := g.sources(n)
	early := n * 2 / 5
	for i := range n {
		day := g.between(21, 300)
		if i < early {
			day = g.between(0, 20)
		}
		f := &fam{
			id:       domain.FamilyID(g.id("gezin")),
			surname:  pick(g, surnames()),
			source:   srcs[i],
			referred: weekday(g.start.AddDays(day)),
			parents:  1 + g.rng.IntN(2),
			kids:     g.between(1, 4),
		}
		doms := domain.LifeDomains()
		g.rng.Shuffle(len(doms), func(i, j int) { doms[i], doms[j] = doms[j], doms[i] })
		f.problems = doms[:g.between(2, 4)]
		if f.source == domain.SourcePolice && !slices.Contains(f.problems, domain.DomainSafety) {
			f.problems = append([]domain.LifeDomain{domain.DomainSafety}, f.problems[:len(f.problems)-1]...)
		}
		s.fams = append(s.fams, f)
	}
	slices.SortStableFunc(s.fams, func(a, b *fam) int { return a.referred.Compare(b.referred) })
	for i, f := range s.fams {
		f.idx = i
		g.families = append(g.families, f.id)
		g.bySource[f.source]++
	}
	for _, f := range s.fams {
		if f.source != domain.SourcePolice && f.referred.DaysSince(g.start) >= 120 {
			f.notTakenIn = true
			break
		}
	}
	s.planAbsences()
	s.simulate()
	for _, f := range s.fams {
		s.familySteps(f)
	}
	s.accessSteps()
}

func (s *teamSim) planAbsences() {
	g := s.g
	var july domain.Date
	for y := g.start.Year(); y <= g.end.Year(); y++ {
		if d := domain.NewDate(y, time.July, 1); !d.Before(g.start) && !d.After(g.end) {
			july = nextWeekday(d, time.Monday)
		}
	}
	C := len(s.coaches)
	if !july.IsZero() {
		for c := range C {
			from := july.AddDays(14 * (c % 4))
			if from.AddDays(13).After(g.end) {
				continue
			}
			s.absences = append(s.absences, absence{coach: c, cover: -1, from: from, until: from.AddDays(11), reason: domain.CoverHoliday})
		}
	}
	ill := nextWeekday(g.start.AddDays(70), time.Monday)
	s.absences = append(s.absences, absence{coach: 2, cover: -1, from: ill, until: ill.AddDays(13), endEarly: ill.AddDays(8), reason: domain.CoverIllness})
	for i := range s.absences {
		a := &s.absences[i]
		for k := 1; k < C; k++ {
			j := (a.coach + k) % C
			if !s.away(j, a.from, a.until) {
				a.cover = j
				break
			}
		}
	}
}

// simulate runs the weekly team meetings (Tuesdays): intakes within
// capacity (at most two per seven coaches per meeting), the waiting list,
// closures, the reopened case and the request for another coach.
func (s *teamSim) simulate() {
	g := s.g
	perMeeting := max(2, 2*len(s.coaches)/7)
	type queued struct {
		f *fam
		t *traj
	}
	var queue []queued
	next := 0 // next family not yet queued, in referral order
	reopened, changed := false, false
	var pendingChange *traj
	for d := g.start; !d.After(g.end); d = d.AddDays(1) {
		for next < len(s.fams) && s.fams[next].referred.Before(d) {
			f := s.fams[next]
			t := &traj{number: 1}
			f.trajs = append(f.trajs, t)
			queue = append(queue, queued{f, t})
			next++
		}
		if d.Time().Weekday() != time.Tuesday {
			continue
		}
		if pendingChange != nil && !pendingChange.changeOn.After(d) {
			t := pendingChange
			pendingChange = nil
			to := s.pickCoach(d, t.weight, t.coach)
			if to >= 0 {
				t.changeOn, t.changeTo = d, to
				s.moveLoad(t, d, to)
			} else {
				t.changeRequested = domain.Date{}
				t.changeOn = domain.Date{}
			}
		}
		taken := 0
		var rest []queued
		for _, q := range queue {
			if q.f.notTakenIn {
				switch {
				case q.f.waitFrom.IsZero():
					q.f.waitFrom = d
					rest = append(rest, q)
				case d.DaysSince(q.f.waitFrom) >= 35:
					q.f.waitLeft = d
				default:
					rest = append(rest, q)
				}
				continue
			}
			w := s.weight(q.f.source)
			c := -1
			if taken < perMeeting {
				c = s.pickCoach(d, w, -1)
			}
			if c < 0 {
				if q.t.waitFrom.IsZero() {
					q.t.waitFrom = d
				}
				rest = append(rest, q)
				continue
			}
			taken++
			t := q.t
			t.takenOn, t.coach, t.weight = d, c, w
			t.intake = d.AddDays(2)
			t.start = d.AddDays(7)
			r := g.rng.Float64()
			var dur int
			switch {
			case r < 0.62:
				t.reason, dur = domain.ClosurePositive, g.between(180, 300)
			case r < 0.80:
				t.reason, dur = domain.ClosureUnsuccessful, g.between(170, 200)
			default:
				t.reason, dur = domain.ClosureHandedOver, g.between(200, 280)
			}
			t.closeOn = nextWeekday(t.start.AddDays(dur), time.Tuesday)
			if t.number > 1 || t.closeOn.After(g.end.AddDays(-7)) {
				t.closeOn, t.reason = domain.Date{}, ""
			}
			s.loads[c] = append(s.loads[c], interval{from: d, until: t.last(g.end), w: w})
			if !reopened && t.number == 1 && t.reason == domain.ClosurePositive && !t.closeOn.After(g.end.AddDays(-100)) {
				reopened = true
				q.f.reopenAfter = true
				t2 := &traj{number: 2, reopenOn: weekday(t.closeOn.AddDays(42))}
				q.f.trajs = append(q.f.trajs, t2) // queued when reopened, below
			}
			if !changed && t.number == 1 && !t.start.After(g.end.AddDays(-150)) && (t.closeOn.IsZero() || t.closeOn.DaysSince(t.start) >= 120) {
				changed = true
				t.changeRequested = weekday(t.start.AddDays(56))
				t.changeOn = nextWeekday(t.changeRequested.AddDays(1), time.Tuesday)
				pendingChange = t
			}
		}
		queue = rest
		// reopened trajectories join the queue on their reopening day
		for _, f := range s.fams {
			if len(f.trajs) == 2 && f.trajs[1].takenOn.IsZero() && !f.trajs[1].reopenOn.After(d) && !f.trajs[1].reopenOn.Before(d.AddDays(-6)) {
				queue = append(queue, queued{f, f.trajs[1]})
			}
		}
	}
	// trajectories never taken in stay on the waiting list (or, if the
	// team never met after the referral, merely referred)
	for _, f := range s.fams {
		if len(f.trajs) == 2 && f.trajs[1].reopenOn.After(g.end) {
			f.trajs = f.trajs[:1]
			f.reopenAfter = false
		}
	}
}

// moveLoad moves t's weight from its first coach to coach to from day d.
func (s *teamSim) moveLoad(t *traj, d domain.Date, to int) {
	ivs := s.loads[t.coach]
	for i := len(ivs) - 1; i >= 0; i-- {
		if ivs[i].from == t.takenOn {
			until, w := ivs[i].until, ivs[i].w
			ivs[i].until = d.AddDays(-1)
			s.loads[to] = append(s.loads[to], interval{from: d, until: until, w: w})
			return
		}
	}
}

// pstep is a step of one family before instants are given: day, priority
// within the day, and an optional fixed instant.
type pstep struct {
	day   domain.Date
	prio  int
	step  Step
	order int
}

// Priorities within a family's day, in the order the commands must run.
const (
	pReopen = iota
	pRefer
	pMember
	pProfessional
	pWaiting
	pIntake
	pGuidance
	pParketInformed
	pAssign
	pCover
	pAssessment
	pContact
	pView
	pQuestion
	pConsent
	pDisclose
	pInform
	pParket
	pSpend
	pSpendFollow
	pPolice
	pClose
	pAfterClose
)

// famBuilder collects one family's steps.
type famBuilder struct {
	s     *teamSim
	f     *fam
	steps []pstep
}

func (b *famBuilder) add(day domain.Date, prio int, by domainActor, cmd any) {
	b.steps = append(b.steps, pstep{day: day, prio: prio, order: len(b.steps), step: Step{Actor: by.actor(), Family: b.f.id, Cmd: cmd}})
}

// domainActor is a staff member acting in a role.
type domainActor struct {
	id   domain.StaffID
	role domain.Role
}

func (a domainActor) actor() store.Actor {
	return store.Actor{UserID: string(a.id), Role: string(a.role)}
}

// flush gives the family's steps their instants (working hours, in order
// within each day) and adds them to the plan.
func (b *famBuilder) flush() {
	g := b.s.g
	slices.SortStableFunc(b.steps, func(x, y pstep) int {
		return cmp.Or(x.day.Compare(y.day), cmp.Compare(x.prio, y.prio), cmp.Compare(x.order, y.order))
	})
	base := 30 + (b.f.idx*17+b.s.t*7)%300
	k := 0
	for i, p := range b.steps {
		if i > 0 && p.day != b.steps[i-1].day {
			k = 0
		}
		st := p.step
		st.At = g.at(p.day, base+3*k)
		k++
		g.steps = append(g.steps, st)
	}
}
