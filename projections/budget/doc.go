// Package budget is the budget read model: per family the maatbudget
// allocated, spent and left; totals per period, category, instrument,
// referral type, funding source and coach; the council report with the
// spends behind every figure; the team's envelopes per year and funding
// line against what was spent; and the cost-avoidance records.
//
// # What it folds
//
// Family streams: FamilyReferred (referral type and number of children),
// CaseReopened (new trajectory and referral type), IntakeHeld and
// CoachAssigned (the family's coach), BudgetAllocated, SpendProposed,
// SpendDecided, SpendRecorded, SpendReviewed, SpendReversed,
// OverspendApproved and CostAvoidanceRecorded. Team stream:
// TeamSettingsChanged (the default funding lines) and BudgetEnvelopeSet.
// Only public parts are read, so the figures survive erasure.
//
// # Rules
//
//   - All amounts are euro cents (int64); nothing is ever a float.
//   - A spend is a line dated on its spend date. A reversal is a line of its
//     own, dated on the reversal date, with the negative amount and a
//     reference to the spend; the spend line stays and says it was
//     reversed. A period's totals therefore show what was spent in it
//     (gross), what was reversed in it, and the net, and a report over a
//     closed period never changes when a later period reverses one of its
//     spends (it does show the spend as reversed).
//   - A spend's referral type is the family's referral source, and its
//     coach the family's coach, when the spend was recorded; its funding
//     source is the one it names, or else the team's default for its
//     instrument in force when it was recorded.
//   - A family is reached by a figure when it has a spend line in it that
//     is not reversed (as known at asOf); children reached are the
//     children named at referral of the families reached.
//   - A family's maatbudget is per trajectory: allocated is the sum of its
//     allocations for the current trajectory, spent the maatbudget spends
//     of that trajectory minus their reversals, left the difference
//     (negative only after an approved overspend). Delegated decisions are
//     counted apart: they do not draw on the maatbudget.
//   - An envelope's spent is the net of the lines dated in its year with its
//     funding source.
//   - Cost avoidance: avoided = comparison - actual, per record, summed per
//     family, per category and for the team, over the records whose period
//     overlaps the one asked.
//
// # Time travel and performance
//
// Every query takes asOf (zero: everything folded) and sees only facts
// recorded at or before it. Lines are kept sorted by date, so a period
// query visits only its own lines (a year of a 50-family team, about
// 2,000 spends, in well under a millisecond: see BenchmarkCouncilReport).
package budget
