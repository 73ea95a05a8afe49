package demo

import (
	cryptorand "crypto/rand"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/store"
)

// Options configure the generated team. Zero fields take defaults.
type Options struct {
	// Families per team (default 50) and Coaches per team (default 7).
	Families, Coaches int
	// Scale is the number of teams of Families and Coaches in one ledger
	// (default 1). Bulk data sets for benchmarks use it: a scale of 80 is
	// about a million events.
	Scale int
	// Start is the first day of the simulated year (default: 365 days
	// before today in Location, so the year ends yesterday).
	Start domain.Date
	// Seed makes the plan (default 1); the same Options give the same plan.
	Seed uint64
	// Location is the team's time zone (default Europe/Brussels, or a fixed
	// UTC+1 when the time zone database is missing).
	Location *time.Location
	// Clock must be the clock the ledger.Service reads (Seed only).
	Clock *Clock
	// Password is the demo password of every staff member; empty: a random
	// one from Random (auth.RandomPassword), reported in the Summary.
	Password string
	// Argon2 are the hashing parameters (default
	// auth.DefaultArgon2Params; tests use cheaper ones).
	Argon2 auth.Argon2Params
	// Random supplies password salts and the random password (default
	// crypto/rand).
	Random io.Reader
	// Now is today, used for the default Start (default time.Now()).
	Now time.Time
}

func (o *Options) defaults() error {
	if o.Families == 0 {
		o.Families = 50
	}
	if o.Coaches == 0 {
		o.Coaches = 7
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	switch {
	case o.Families < 8 || o.Families > 10000:
		return fmt.Errorf("demo: families per team must be between 8 and 10000")
	case o.Coaches < 3 || o.Coaches > 1000:
		return fmt.Errorf("demo: coaches per team must be between 3 and 1000")
	case o.Scale < 1 || o.Scale > 10000:
		return fmt.Errorf("demo: scale must be between 1 and 10000")
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Europe/Brussels")
		if err != nil {
			loc = time.FixedZone("CET", 3600)
		}
		o.Location = loc
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Start.IsZero() {
		o.Start = domain.DateOf(o.Now.In(o.Location)).AddDays(-365)
	}
	if o.Argon2 == (auth.Argon2Params{}) {
		o.Argon2 = auth.DefaultArgon2Params()
	}
	return nil
}

// StaffLogin is a demo user.
type StaffLogin struct {
	Login string         `json:"login"`
	ID    domain.StaffID `json:"id"`
	Role  domain.Role    `json:"role"`
}

// Summary is what a generated plan holds. Password is the plain demo
// password of every staff member (print it once; it is not stored).
type Summary struct {
	From     domain.Date                   `json:"from"`
	To       domain.Date                   `json:"to"`
	Staff    []StaffLogin                  `json:"staff"`
	Password string                        `json:"password"`
	Families []domain.FamilyID             `json:"families"`
	BySource map[domain.ReferralSource]int `json:"by_source"`
	Commands int                           `json:"commands"`
	Events   int                           `json:"events"`
	// LastPosition is the position of the last event appended.
	LastPosition uint64 `json:"last_position"`
}

// Plan builds the plan of opts: the steps in time order and the summary
// (without Events and LastPosition, which playing fills in). It hashes the
// demo password once per staff member.
func Plan(opts Options) ([]Step, Summary, error) {
	if err := opts.defaults(); err != nil {
		return nil, Summary{}, err
	}
	g := &gen{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 0x5eed)), start: opts.Start, end: opts.Start.AddDays(364)}
	if err := g.staff(); err != nil {
		return nil, Summary{}, err
	}
	g.teamSettings()
	for t := range opts.Scale {
		g.team(t)
	}
	slices.SortStableFunc(g.steps, func(a, b Step) int { return a.At.Compare(b.At) })
	sum := Summary{From: g.start, To: g.end, Staff: g.logins, Password: g.password, Families: g.families, BySource: g.bySource, Commands: len(g.steps)}
	return g.steps, sum, nil
}

// gen accumulates a plan.
type gen struct {
	opts       Options
	rng        *rand.Rand
	start, end domain.Date
	steps      []Step
	password   string
	logins     []StaffLogin
	families   []domain.FamilyID
	bySource   map[domain.ReferralSource]int

	coordinator, privacy, backoffice, admin domain.StaffID
	coaches                                 []domain.StaffID // all teams
	ids                                     int
}

// id returns a fresh identifier with prefix (readable, unique in the plan).
func (g *gen) id(prefix string) string {
	g.ids++
	return fmt.Sprintf("%s-%06d", prefix, g.ids)
}

// at is the instant of minute m after 08:00 on day d in the team's zone.
func (g *gen) at(d domain.Date, minute int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, g.opts.Location).Add(time.Duration(minute) * time.Minute)
}

func actor(id domain.StaffID, r domain.Role) store.Actor {
	return store.Actor{UserID: string(id), Role: string(r)}
}

func (g *gen) staff() error {
	pw := g.opts.Password
	random := g.opts.Random
	if random == nil {
		random = cryptoReader{}
	}
	if pw == "" {
		p, err := auth.RandomPassword(random)
		if err != nil {
			return fmt.Errorf("demo: password: %w", err)
		}
		pw = p
	}
	g.password = pw
	type member struct {
		login, name string
		role        domain.Role
	}
	var ms []member
	ms = append(ms, member{"admin", "Beheerder (demo)", domain.RoleAdmin})
	first, last := firstNames(), surnames()
	for i := range g.opts.Coaches * g.opts.Scale {
		ms = append(ms, member{fmt.Sprintf("coach%d", i+1), fmt.Sprintf("%s %s (demo)", first[i%len(first)], last[(i*7+3)%len(last)]), domain.RoleCoach})
	}
	ms = append(ms, member{"coordinator", "Teamcoördinator (demo)", domain.RoleCoordinator},
		member{"privacy", "Functionaris gegevensbescherming (demo)", domain.RolePrivacyOfficer},
		member{"backoffice", "Dienst schuldbemiddeling (demo)", domain.RoleBackOffice})
	day := g.start
	for i, m := range ms {
		id := domain.StaffID("staff-" + m.login)
		switch m.role {
		case domain.RoleAdmin:
			g.admin = id
		case domain.RoleCoach:
			g.coaches = append(g.coaches, id)
		case domain.RoleCoordinator:
			g.coordinator = id
		case domain.RolePrivacyOfficer:
			g.privacy = id
		case domain.RoleBackOffice:
			g.backoffice = id
		}
		hash, err := auth.HashPassword(pw, g.opts.Argon2, random)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		at := g.at(day, -60).Add(time.Duration(i) * time.Second)
		by := actor(g.admin, domain.RoleAdmin)
		g.steps = append(g.steps,
			Step{At: at, Actor: by, Staff: id, Cmd: domain.RegisterStaff{StaffID: id, Date: day, Login: m.login, DisplayName: m.name, Email: m.login + "@voorbeeld.be"}},
			Step{At: at, Actor: by, Staff: id, Cmd: domain.GrantRole{Role: m.role, Date: day, By: g.admin}},
			Step{At: at, Actor: by, Staff: id, Cmd: domain.SetPassword{Date: day, Hash: hash}},
		)
		g.logins = append(g.logins, StaffLogin{Login: m.login, ID: id, Role: m.role})
	}
	return nil
}

func (g *gen) teamSettings() {
	s := domain.DefaultTeamSettings()
	at := g.at(g.start, -30)
	by := actor(g.coordinator, domain.RoleCoordinator)
	g.steps = append(g.steps, Step{At: at, Actor: by, Cmd: domain.ChangeTeamSettings{Date: g.start, Settings: s, By: g.coordinator}})
	for y := g.start.Year(); y <= g.end.Year(); y++ {
		sc := int64(g.opts.Scale)
		g.steps = append(g.steps,
			Step{At: at, Actor: by, Cmd: domain.SetBudgetEnvelope{Year: y, FundingLine: s.MaatbudgetFunding, Instrument: domain.InstrumentMaatbudget, AmountCents: 1_500_000 * sc, Date: g.start, By: g.coordinator}},
			Step{At: at, Actor: by, Cmd: domain.SetBudgetEnvelope{Year: y, FundingLine: s.DelegatedFunding, Instrument: domain.InstrumentDelegatedDecision, AmountCents: 500_000 * sc, Date: g.start, By: g.coordinator}},
		)
	}
}

// between returns a uniform integer in [lo, hi].
// pick returns one element of xs, drawn from g's random source.
func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func (g *gen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func (g *gen) between64(lo, hi int64) int64 { return lo + g.rng.Int64N(hi-lo+1) }

// weekday moves d forward to a Monday..Friday.
func weekday(d domain.Date) domain.Date {
	for {
		switch d.Time().Weekday() {
		case time.Saturday:
			d = d.AddDays(2)
		case time.Sunday:
			d = d.AddDays(1)
		default:
			return d
		}
	}
}

// nextWeekday returns the first day on or after d that is weekday wd.
func nextWeekday(d domain.Date, wd time.Weekday) domain.Date {
	for d.Time().Weekday() != wd {
		d = d.AddDays(1)
	}
	return d
}

// sources returns n referral sources in realistic proportions (police
// about 40%), shuffled.
func (g *gen) sources(n int) []domain.ReferralSource {
	shares := []struct {
		s domain.ReferralSource
		p float64
	}{
		{domain.SourcePolice, 0.40}, {domain.SourceCLB, 0.14}, {domain.SourceSchool, 0.12}, {domain.SourceKindEnGezin, 0.14},
		{domain.SourceInloopteam, 0.08}, {domain.SourceOCMW, 0.10},
	}
	var out []domain.ReferralSource
	for _, sh := range shares {
		for range int(sh.p*float64(n) + 0.5) {
			out = append(out, sh.s)
		}
	}
	for len(out) < n {
		out = append(out, domain.SourceOtherReferer)
	}
	out = out[:n]
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// traj is one trajectory of a family as the team simulation decided it.
type traj struct {
	number          int
	reopenOn        domain.Date // zero for the first
	waitFrom        domain.Date // zero: never waited
	takenOn         domain.Date // the team meeting that took the family in
	intake, start   domain.Date
	coach           int     // index into the team's coaches
	weight          float64 // the family's caseload weight
	changeRequested domain.Date
	changeOn        domain.Date
	changeTo        int
	closeOn         domain.Date // zero: open at the end of the year
	reason          domain.ClosureReason
}

// fam is a family of the plan.
type fam struct {
	idx                int
	id                 domain.FamilyID
	surname            string
	source             domain.ReferralSource
	referred           domain.Date
	parents, kids      int
	problems           []domain.LifeDomain
	notTakenIn         bool
	waitFrom, waitLeft domain.Date
	trajs              []*traj
	reopenAfter        bool // its first trajectory closes positive and it comes back
}

// coachOn returns the team coach index of t on day d.
func (t *traj) coachOn(d domain.Date) int {
	if !t.changeOn.IsZero() && !d.Before(t.changeOn) {
		return t.changeTo
	}
	return t.coach
}

// last is the last day of guidance of t within the year.
func (t *traj) last(end domain.Date) domain.Date {
	if t.closeOn.IsZero() {
		return end
	}
	return t.closeOn
}

// cryptoReader reads crypto/rand.
type cryptoReader struct{}

func (cryptoReader) Read(p []byte) (int, error) { return cryptorand.Read(p) }
