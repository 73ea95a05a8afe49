package domain

// Team is the team stream folded: the settings in force and the budget
// envelopes. Before any TeamSettingsChanged the settings are
// DefaultTeamSettings.
type Team struct {
	Version   uint64
	Settings  TeamSettings
	Envelopes map[EnvelopeKey]int64 // cents
}

// EnvelopeKey names a team budget envelope.
type EnvelopeKey struct {
	Year        int
	FundingLine string
}

// NewTeam returns the team state before any event.
func NewTeam() *Team {
	return &Team{Settings: DefaultTeamSettings(), Envelopes: map[EnvelopeKey]int64{}}
}

// Apply folds one event of the team stream; it increments Version.
func (t *Team) Apply(e Event) {
	t.Version++
	switch e := e.(type) {
	case TeamSettingsChanged:
		t.Settings = e.Settings
	case BudgetEnvelopeSet:
		t.Envelopes[EnvelopeKey{e.Year, e.FundingLine}] = e.AmountCents
	}
}

// ChangeTeamSettings replaces the team's settings.
type ChangeTeamSettings struct {
	Date     Date
	Settings TeamSettings
	By       StaffID
}

// SetBudgetEnvelope sets the team's budget for a year and funding line.
type SetBudgetEnvelope struct {
	Year        int
	FundingLine string
	Instrument  SpendInstrument
	AmountCents int64
	Date        Date
	By          StaffID
}

// TeamCommand is a command on the team stream.
type TeamCommand interface {
	decideTeam(t *Team, env Env) ([]Event, error)
}

// Decide validates cmd against the team's state and returns the events to
// append, or a *RuleError.
func (t *Team) Decide(cmd TeamCommand, env Env) ([]Event, error) { return cmd.decideTeam(t, env) }

func (c ChangeTeamSettings) decideTeam(t *Team, env Env) ([]Event, error) {
	var k checker
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if !k.ok() {
		return nil, k.result()
	}
	if err := c.Settings.Validate(); err != nil {
		return nil, err
	}
	return []Event{TeamSettingsChanged{Date: c.Date, Settings: c.Settings, By: c.By}}, nil
}

func (c SetBudgetEnvelope) decideTeam(t *Team, env Env) ([]Event, error) {
	var k checker
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if c.Year < 2000 || c.Year > env.Today().Year()+5 {
		k.fail(ruleErr("count.range", "year", "the year must lie between 2000 and five years from now"))
	}
	k.code("funding_line", c.FundingLine)
	if k.ok() && !containsStr(t.Settings.FundingSources, c.FundingLine) {
		k.fail(ruleErr("budget.funding_source", "funding_line", "not one of the team's funding sources"))
	}
	k.valid("instrument", c.Instrument.Valid(), string(c.Instrument))
	if c.AmountCents < 0 || c.AmountCents > 100*MaxAmountCents {
		k.fail(ruleErr("amount.range", "amount_cents", "must be between 0 and %d cents", int64(100*MaxAmountCents)))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{BudgetEnvelopeSet{Year: c.Year, FundingLine: c.FundingLine, Instrument: c.Instrument, AmountCents: c.AmountCents, Date: c.Date, By: c.By}}, nil
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
