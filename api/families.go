package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/projections/caseload"
)

// CaseloadFamilies gives the policy a family's facts from the caseload read
// model (cheap enough for every request). A family referred a moment ago
// may not be in the model yet: a handler that has just written waits for
// the read models (projections.Runner.WaitFor) before it asks.
type CaseloadFamilies struct {
	Model *caseload.Model
	// Location is the team's time zone: cover dates are days there.
	Location *time.Location
}

// FamilyFacts implements Families. Unknown families are ErrNotFound (404).
func (f CaseloadFamilies) FamilyFacts(ctx context.Context, id string) (auth.FamilyFacts, error) {
	ff, err := f.Model.Family(domain.FamilyID(id), time.Time{})
	if errors.Is(err, caseload.ErrUnknownFamily) {
		return auth.FamilyFacts{}, fmt.Errorf("family %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return auth.FamilyFacts{}, err
	}
	facts := auth.FamilyFacts{ID: id, AssignedCoach: string(ff.Coach), Closed: ff.Closed}
	for _, c := range ff.Covers {
		facts.Covers = append(facts.Covers, auth.Cover{
			CoachID: string(c.CoachID),
			From:    dayStart(c.From, f.Location),
			Until:   dayStart(c.Until.AddDays(1), f.Location),
		})
	}
	return facts, nil
}
