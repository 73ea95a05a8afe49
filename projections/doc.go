// Package projections keeps Spoor's read models up to date from the event
// log and answers their queries.
//
// # Design
//
// A read model is a fold over the global order: a Model receives every Fact
// (an envelope's metadata plus its domain event, decoded from the public
// part only) in position order and updates its own state. Because only
// public parts are folded, every statistic survives crypto-shredding.
//
// One Runner feeds all models of a server: it decodes each envelope once and
// hands the Fact to every model in turn, so all models stand at the same
// position at every moment the runner is between two facts. It starts from
// the snapshots it wrote last time (a file per model with the position it
// stands for, checked by a CRC-32C sum) and catches up from there, then
// follows the store live through store.Subscriber. When a snapshot is
// missing, stale, corrupt or of another model version, all models are rebuilt
// from position 0 (that takes seconds, see BenchmarkRebuild).
//
// Models guard their own state: Apply is called by the runner's goroutine
// only, queries may run concurrently from any goroutine (each model uses a
// sync.RWMutex). A caller that just appended an event and wants to read its
// own write calls Runner.WaitFor with the append's last position.
//
// # Time travel
//
// Every query takes an "as of" instant (zero: now) and answers as the ledger
// stood then, judged by the events' RecordedAt: what the team knew at that
// moment, not what it learned later about that moment. Models keep the
// history they need for that (intervals, dated entries) rather than only the
// latest state.
//
// The read models live in subpackages, one per question: caseload, parket,
// privacy, budget, timeline, assessments and outcomes.
package projections
