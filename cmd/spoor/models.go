package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/ops"
	"spoor/projections"
	"spoor/projections/assessments"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/projections/timeline"
)

// readModels are the server's read models, fed by one projections.Runner.
type readModels struct {
	Caseload    *caseload.Model
	Assessments *assessments.Model
	Parket      *parket.Model
	Privacy     *privacy.Model
	Outcomes    *outcomes.Model
	Budget      *budget.Model
	Timeline    *timeline.Model
	// Hours are the working hours the privacy model flags, also given to
	// the access policy so both agree.
	Hours auth.WorkingHours
}

// newReadModels makes fresh, empty read models for the team in loc.
func newReadModels(loc *time.Location) (*readModels, error) {
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		return nil, fmt.Errorf("instrument catalogue: %w", err)
	}
	popts := privacy.DefaultOptions()
	popts.Location = loc
	return &readModels{
		Caseload:    caseload.New(domain.DefaultTeamSettings()),
		Assessments: assessments.New(cat, assessments.DefaultOptions()),
		Parket:      parket.New(),
		Privacy:     privacy.New(popts),
		Outcomes:    outcomes.New(cat),
		Budget:      budget.New(),
		Timeline:    timeline.New(),
		Hours: auth.WorkingHours{Location: loc, Start: int(popts.WorkStart / time.Hour), End: int(popts.WorkEnd / time.Hour),
			Days: popts.WorkDays},
	}, nil
}

func (m *readModels) all() []projections.Model {
	return []projections.Model{m.Caseload, m.Assessments, m.Parket, m.Privacy, m.Outcomes, m.Budget, m.Timeline}
}

func (d dataDir) snapshots() string { return filepath.Join(string(d), "snapshots") }

// newRunner returns a runner feeding models from src with snapshots in the
// data directory; metrics, if set, get every model's lag after each batch.
func newRunner(d dataDir, src projections.Source, models *readModels, log *slog.Logger, metrics *ops.Metrics) (*projections.Runner, error) {
	opts := projections.DefaultRunnerOptions(d.snapshots())
	opts.Logger = log
	if metrics != nil {
		opts.OnApplied = func(position uint64) {
			head, err := src.Head(context.Background())
			if err != nil {
				return
			}
			lag := uint64(0)
			if head > position {
				lag = head - position
			}
			for _, m := range models.all() {
				metrics.SetProjectionLag(m.Name(), lag)
			}
		}
	}
	return projections.NewRunner(src, models.all(), opts)
}

// runRebuild folds the whole log into fresh read models and writes their
// snapshots, so the next start does not replay everything.
func (m *Main) runRebuild(ctx context.Context, args []string) error {
	fs := m.flagSet("rebuild", "")
	data := m.dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"rebuild takes no arguments"}
	}
	d := dataDir(*data)
	st, err := d.openLog(false, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return err
	}
	models, err := newReadModels(loc)
	if err != nil {
		return err
	}
	r, err := newRunner(d, st, models, nil, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := r.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	fmt.Fprintf(m.stdout, "rebuilt %d read models from %d events in %s; snapshots in %s\n",
		len(models.all()), n, time.Since(start).Round(time.Millisecond), d.snapshots())
	return nil
}
