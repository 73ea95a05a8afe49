package api

import (
	"errors"
	"net/http"
	"strconv"

	"spoor/auth"
	"spoor/domain"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
)

// registerTeamQueryRoutes adds the team-level queries of the caseload,
// outcomes and parket models not served elsewhere: covers, contact
// recency, reviews due, the status summary, the capacity check, the team's
// settings, the deprivation comparison, every family's parket state and
// the disclosures to the parket.
func (s *Server) registerTeamQueryRoutes() {
	m := s.cfg.Models
	if m.Caseload != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/caseload/covers", auth.PartCaseload, s.covers)
		s.HandleTeam(http.MethodGet, "/api/v1/caseload/contacts", auth.PartCaseload, s.contactRecency)
		s.HandleTeam(http.MethodGet, "/api/v1/caseload/reviews-due", auth.PartCaseload, s.reviewsDue)
		s.HandleTeam(http.MethodGet, "/api/v1/caseload/summary", auth.PartCaseload, s.caseloadSummary)
		s.HandleTeam(http.MethodGet, "/api/v1/caseload/capacity", auth.PartCaseload, s.capacity)
		s.HandleTeam(http.MethodGet, "/api/v1/team/settings", auth.PartCaseload, s.teamSettings)
	}
	if m.Outcomes != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodPost, "/api/v1/outcomes/deprivation", auth.PartOutcomes, s.deprivation)
	}
	if m.Parket != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/parket/states", auth.PartParketOverview, s.parketStates)
		s.HandleTeam(http.MethodGet, "/api/v1/parket/disclosures", auth.PartParketOverview, s.parketDisclosures)
	}
}

// visibleTo returns the families a team list may show the caller: nil (no
// limit) for a coordinator; for a coach, the families on their caseload
// and those they cover today.
func (s *Server) visibleTo(tr TeamRequest, r *http.Request) (map[domain.FamilyID]bool, error) {
	if tr.Decision.Role == auth.RoleCoordinator {
		return nil, nil
	}
	at, today, err := s.asOfToday(r)
	if err != nil {
		return nil, err
	}
	load := s.cfg.Models.Caseload.Coach(domain.StaffID(tr.Identity.User.ID), at, today)
	own := map[domain.FamilyID]bool{}
	for _, f := range load.Families {
		own[f.FamilyID] = true
	}
	for _, f := range load.CoverFamilies {
		own[f.FamilyID] = true
	}
	return own, nil
}

// keep filters list to the families in own (all when own is nil).
func keep[T any](list []T, own map[domain.FamilyID]bool, id func(T) domain.FamilyID) []T {
	out := []T{}
	for _, x := range list {
		if own == nil || own[id(x)] {
			out = append(out, x)
		}
	}
	return out
}

// todayOf is the reference day of a query: the as_of day, else today.
func (s *Server) todayOf(r *http.Request) (domain.Date, error) {
	at, err := s.asOf(r)
	if err != nil {
		return domain.Date{}, err
	}
	if at.IsZero() {
		return domain.DateOf(s.now()), nil
	}
	return domain.DateOf(at), nil
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, BadRequest("invalid", name, name+" must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
	}
	return n, nil
}

// covers: GET /api/v1/caseload/covers?on=&as_of= (coach: their own covers;
// coordinator: all) -> the covers in force on a day. One access event per
// family listed.
func (s *Server) covers(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	on, err := dateParam(r, "on")
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	if on.IsZero() {
		if on, err = s.todayOf(r); err != nil {
			return err
		}
	}
	list := s.cfg.Models.Caseload.Covers(at, on)
	if tr.Decision.Role != auth.RoleCoordinator {
		me := domain.StaffID(tr.Identity.User.ID)
		mine := []caseload.Cover{}
		for _, c := range list {
			if c.CoachID == me || c.ForCoach == me {
				mine = append(mine, c)
			}
		}
		list = mine
	}
	return writeListed(s, w, r, tr, auth.PartCaseload, list, func(c caseload.Cover) domain.FamilyID { return c.FamilyID }, map[string]any{"covers": list})
}

// contactRecency: GET /api/v1/caseload/contacts?no_contact_days=&as_of=
// -> the last contact of every family in guidance, or with no_contact_days
// only those without a contact for that long. A coach sees their own
// families. One access event per family listed.
func (s *Server) contactRecency(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	days, err := intParam(r, "no_contact_days", 0, 0, 3650)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	today, err := s.todayOf(r)
	if err != nil {
		return err
	}
	own, err := s.visibleTo(tr, r)
	if err != nil {
		return err
	}
	var list []caseload.ContactRecency
	if r.URL.Query().Get("no_contact_days") != "" {
		list = s.cfg.Models.Caseload.NoContact(at, today, days)
	} else {
		list = s.cfg.Models.Caseload.Contacts(at, today)
	}
	list = keep(list, own, func(c caseload.ContactRecency) domain.FamilyID { return c.FamilyID })
	return writeListed(s, w, r, tr, auth.PartCaseload, list, func(c caseload.ContactRecency) domain.FamilyID { return c.FamilyID }, map[string]any{"families": list})
}

// reviewsDue: GET /api/v1/caseload/reviews-due?within_days=&as_of= ->
// quarterly reviews due within within_days (default 14) or overdue. A
// coach sees their own families. One access event per family listed.
func (s *Server) reviewsDue(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	within, err := intParam(r, "within_days", 14, 0, 365)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	today, err := s.todayOf(r)
	if err != nil {
		return err
	}
	own, err := s.visibleTo(tr, r)
	if err != nil {
		return err
	}
	list := keep(s.cfg.Models.Caseload.ReviewsDue(at, today, within), own, func(d caseload.ReviewDue) domain.FamilyID { return d.FamilyID })
	return writeListed(s, w, r, tr, auth.PartCaseload, list, func(d caseload.ReviewDue) domain.FamilyID { return d.FamilyID }, map[string]any{"reviews_due": list})
}

// caseloadSummary: GET /api/v1/caseload/summary?as_of= -> families per
// status and referral source. Counts only: no access event.
func (s *Server) caseloadSummary(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.cfg.Models.Caseload.Summary(at))
	return nil
}

// capacity: GET /api/v1/caseload/capacity?coach=&source= -> whether one
// more family of that referral source would take the coach above capacity.
// Loads only: no access event.
func (s *Server) capacity(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	q := r.URL.Query()
	coach := q.Get("coach")
	if !validID(coach) {
		return BadRequest("invalid", "coach", "coach must be a staff id")
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	c, err := s.cfg.Models.Caseload.WouldExceed(domain.StaffID(coach), domain.ReferralSource(q.Get("source")), at)
	if errors.Is(err, caseload.ErrUnknownSource) {
		return BadRequest("invalid", "source", "source must be one of the referral sources (police, ocmw, ...)")
	}
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

// teamSettings: GET /api/v1/team/settings?as_of= -> the team's settings
// (weights, capacity, budget rules) in force.
func (s *Server) teamSettings(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.cfg.Models.Caseload.Settings(at))
	return nil
}

// deprivation: POST /api/v1/outcomes/deprivation (coordinator) with a
// DeprivationQuery as body -> the deprivation comparison between baseline
// and follow-up. Its rows name families: one access event per family.
func (s *Server) deprivation(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	var q outcomes.DeprivationQuery
	if err := DecodeJSON(r, &q); err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Models.Outcomes.Deprivation(q, at)
	if err != nil {
		return modelError(err)
	}
	return writeListed(s, w, r, tr, auth.PartOutcomes, rep.Rows, func(x outcomes.DeprivationRow) domain.FamilyID { return x.FamilyID }, rep)
}

// parketStates: GET /api/v1/parket/states?as_of= (coordinator) -> every
// family's parket state. One access event per family.
func (s *Server) parketStates(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	list := s.cfg.Models.Parket.States(at)
	return writeListed(s, w, r, tr, auth.PartParketOverview, list, func(x parket.StateOf) domain.FamilyID { return x.FamilyID }, map[string]any{"families": list})
}

// parketDisclosures: GET /api/v1/parket/disclosures?from=&to=&as_of=
// (coordinator) -> disclosures to the parket in a period, and whether the
// family was told. One access event per family.
func (s *Server) parketDisclosures(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	list := s.cfg.Models.Parket.Disclosures(at, from, to)
	return writeListed(s, w, r, tr, auth.PartParketOverview, list, func(x parket.Disclosure) domain.FamilyID { return x.FamilyID }, map[string]any{"disclosures": list})
}
