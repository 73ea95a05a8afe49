// Package demo generates a realistic, clearly fictitious year of a Flemish
// family-support team (gezinsondersteuningsteam) so that a new user of Spoor
// sees a living system, and so that benchmarks run on realistic data.
//
// # What it generates
//
// A plan: staff (coaches coach1..coachN, a coordinator, a privacy officer, a
// back-office user and an admin, each with the demo password hashed with
// auth.HashPassword), the team's settings and budget envelopes, and a year of
// families (about 40% referred by the police, the others by CLB, schools,
// Kind & Gezin, an inloopteam, the OCMW): members and professionals,
// waiting list (one family is not taken in and is notified to the OCJ),
// intake, guidance with a coach within capacity (at most two intakes per
// weekly team meeting), cover during the coaches' summer
// holidays and one illness, home visits and phone calls with short Dutch
// notes, hulpvragen, consents and the disclosures made on them, status
// requests of the parket and their reports, one confidential worry report,
// maatbudget spends (team decisions, a few urgent purchases reviewed
// afterwards, one reversal), delegated decisions of the coordinator,
// leefsituatie registrations at T0 and T1 (and CEBUD's Sociale Balans for a
// third of the families), closures (positive, unsuccessful, handed over), a
// reopened case, a request for another coach, and access events: coaches
// viewing their families, a break-the-glass view at night, a refused attempt
// by the back office, the privacy officer's audits and an art. 15 export.
// Names, addresses and phone numbers are fictitious ("Familie Peeters",
// Demostad, 0470 00 xx xx, @voorbeeld.be).
//
// The plan is deterministic: the same Options give the same commands (math/rand/v2
// seeded with Options.Seed); only event ids (chosen by the ledger's id
// generator) and password salts (Options.Random) differ.
//
// # Two ways to play it
//
// Seed plays the plan through a ledger.Service, command by command, with the
// service's clock set to each command's instant (Options.Clock): every rule of
// the domain is checked by the real decision path and each command costs a
// load, a decision and a durable append. That is what `spoor demo` runs
// (a 50-family year: about ten thousand commands).
//
// Bulk plays the same plan (scaled with Options.Scale: Scale teams of
// Families families and Coaches coaches in one ledger) through the domain in
// memory (fold, Decide: the same rules, no store reads), seals each event's
// personal data with a store.Sealer under the same scopes as the ledger, and
// appends the events straight to a store: per stream, the events of each
// BulkWindow (four weeks) of simulated time in one Append, several streams
// in parallel. Every event of a window is recorded at the window's last
// instant, so RecordedAt never decreases along positions; time travel on
// such a store is exact at window boundaries only. That is the path for
// large data sets such as the 1,000,000-event store of the read models'
// benchmarks (about 3,440 events per team-year: scale 291; generated in
// about 45 s), where going through the ledger would pay a load and a
// durable append per command.
//
// # Use
//
//	clock := demo.NewClock(time.Now)
//	svc, err := ledger.New(st, sealer, clock.Now, uuid.NewString, ledger.Options{})
//	...
//	sum, err := demo.Seed(ctx, svc, demo.Options{Clock: clock}) // the year up to yesterday
//	clock.Release()
//	fmt.Println("log in as coach1 .. coach7, coordinator, privacy, backoffice or admin with", sum.Password)
//
// Plan returns the steps without playing them, and Play plays any plan
// (tests script their own).
package demo
