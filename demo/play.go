package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// Step is one command of a plan: executed at instant At by Actor. Cmd is a
// domain.FamilyCommand (on Family's stream), a domain.TeamCommand, a
// domain.StaffCommand (on Staff's stream), or an access record:
// domain.ViewRecord, domain.RefuseAccess or domain.MakeExport (on the
// access stream of their family).
type Step struct {
	At     time.Time
	Actor  store.Actor
	Family domain.FamilyID
	Staff  domain.StaffID
	Cmd    any
}

// PlayResult counts what Play appended.
type PlayResult struct {
	Commands     int
	Events       int
	LastPosition uint64
}

// ErrBadPlan: a plan's steps are not in time order or a step holds no known
// command.
var ErrBadPlan = errors.New("demo: bad plan")

// Play executes steps through svc in order, setting clock to each step's
// instant first (svc must read its time from clock.Now). Steps must be in
// non-decreasing At order. It stops at the first error, which names the
// step's index, command type and family or staff id (identifiers only, never
// personal data) and wraps the ledger's error (a *domain.RuleError when a
// rule refused the command).
func Play(ctx context.Context, svc *ledger.Service, clock *Clock, steps []Step) (PlayResult, error) {
	if svc == nil || clock == nil {
		return PlayResult{}, fmt.Errorf("%w: a ledger service and a clock are required", ErrBadPlan)
	}
	var res PlayResult
	for i, s := range steps {
		if i > 0 && s.At.Before(steps[i-1].At) {
			return res, fmt.Errorf("%w: step %d (%T) lies before step %d", ErrBadPlan, i, s.Cmd, i-1)
		}
		clock.Set(s.At)
		meta := ledger.Meta{Actor: s.Actor, CorrelationID: fmt.Sprintf("demo-%d", i)}
		var (
			r   ledger.Result
			err error
		)
		switch c := s.Cmd.(type) {
		case domain.FamilyCommand:
			r, err = svc.ExecFamily(ctx, s.Family, meta, c)
		case domain.TeamCommand:
			r, err = svc.ExecTeam(ctx, meta, c)
		case domain.StaffCommand:
			r, err = svc.ExecStaff(ctx, s.Staff, meta, c)
		case domain.ViewRecord:
			r, err = svc.RecordView(ctx, meta, c)
		case domain.RefuseAccess:
			r, err = svc.RecordRefusal(ctx, meta, c)
		case domain.MakeExport:
			r, err = svc.RecordExport(ctx, meta, c)
		default:
			return res, fmt.Errorf("%w: step %d holds %T", ErrBadPlan, i, s.Cmd)
		}
		if err != nil {
			return res, fmt.Errorf("demo: step %d (%T, family %q, staff %q, %s): %w", i, s.Cmd, s.Family, s.Staff, s.At.Format(time.DateOnly), err)
		}
		res.Commands++
		res.Events += len(r.Events)
		res.LastPosition = max(res.LastPosition, r.LastPosition)
	}
	return res, nil
}
