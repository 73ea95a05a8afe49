package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/projections/assessments"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/projections/timeline"
)

// ReadModels are the read models the query routes answer from. A nil model
// leaves its routes out.
type ReadModels struct {
	Caseload *caseload.Model
	Timeline *timeline.Model
	Budget   *budget.Model
	Parket   *parket.Model
	Privacy  *privacy.Model
	Outcomes *outcomes.Model
	// Assessments answers the family's assessment pictures and the overdue
	// list.
	Assessments *assessments.Model
}

// registerModelRoutes adds the routes of the read models and of the
// commands that go with them.
func (s *Server) registerModelRoutes() {
	m := s.cfg.Models
	if m.Timeline != nil && s.cfg.Families != nil && s.cfg.Access != nil {
		s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/timeline",
			Part: auth.PartTimeline, Read: true, Prepare: s.timelineQuery, Handle: s.timeline})
	}
	if s.cfg.Ledger != nil && s.cfg.Families != nil && s.cfg.Access != nil {
		s.HandleFamily(FamilyRoute{Method: http.MethodPost, Path: "/api/v1/families/{family}/contacts",
			Part: auth.PartTimeline, Prepare: decodeInto[logContactRequest], Handle: s.logContact})
	}
	if m.Caseload != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/caseload", auth.PartCaseload, s.caseload)
	}
	s.registerQueryRoutes()
	s.registerMoreQueryRoutes()
	s.registerTeamQueryRoutes()
	s.registerCommandRoutes()
	s.registerFileRoutes()
}

// asOfToday reads as_of like asOf and returns with it the day that counts
// as today for "days since" answers: the as_of day, or the current day.
func (s *Server) asOfToday(r *http.Request) (time.Time, domain.Date, error) {
	at, err := s.asOf(r)
	if err != nil {
		return time.Time{}, domain.Date{}, err
	}
	if at.IsZero() {
		return at, domain.DateOf(s.now()), nil
	}
	return at, domain.DateOf(at), nil
}

// asOf reads the as_of query parameter: an RFC 3339 instant, or a date
// (its end in the team's time zone); "" is now (zero).
func (s *Server) asOf(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("as_of")
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := domain.ParseDate(v); err == nil {
		loc := s.cfg.Policy.Hours.Location
		if loc == nil {
			loc = time.UTC
		}
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 999999999, loc), nil
	}
	return time.Time{}, BadRequest("invalid", "as_of", "as_of must be a date (2026-03-31) or an RFC 3339 instant")
}

func dateParam(r *http.Request, name string) (domain.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return domain.Date{}, nil
	}
	d, err := domain.ParseDate(v)
	if err != nil {
		return domain.Date{}, BadRequest("invalid", name, name+" must be a date such as 2026-03-31")
	}
	return d, nil
}

// decodeInto is a Prepare that decodes the JSON body into a new T.
func decodeInto[T any](r *http.Request) (any, error) {
	var v T
	if err := DecodeJSON(r, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// timeline: GET /api/v1/families/{family}/timeline?kind=&life_domain=&from=&until=&before=&limit=&as_of=&text=
//
// text searches the notes' sealed texts: only for callers the policy lets
// read notes of this family (part note). The search is recorded as a note
// access of the family, allowed or refused; a refusal is 403 with the code
// text_search_forbidden and the field text.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	query := fr.Input.(timeline.Query)
	var opener timeline.SealedOpener
	if query.Text != "" {
		if err := s.allowTextSearch(r, fr); err != nil {
			return err
		}
		opener = timeline.SealedOpenerFunc(s.ledgerOpener)
	}
	p, err := s.cfg.Models.Timeline.Family(r.Context(), domain.FamilyID(fr.Family.ID), query, opener)
	switch {
	case errors.Is(err, timeline.ErrUnknownFamily):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, timeline.ErrBadQuery):
		return BadRequest("invalid", badQueryField(err), err.Error())
	case err != nil:
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

// timelineQuery reads and checks the timeline's query parameters.
func (s *Server) timelineQuery(r *http.Request) (any, error) {
	q := r.URL.Query()
	var query timeline.Query
	for _, k := range q["kind"] {
		query.Kinds = append(query.Kinds, timeline.Kind(k))
	}
	query.LifeDomain = domain.LifeDomain(q.Get("life_domain"))
	query.Text = q.Get("text")
	if len(query.Text) > timeline.MaxTextLen {
		return nil, BadRequest("invalid", "text", fmt.Sprintf("text must be at most %d bytes", timeline.MaxTextLen))
	}
	if query.Text != "" && s.cfg.Ledger == nil {
		return nil, &Error{Status: http.StatusNotImplemented, Code: "text_search_unavailable", Field: "text", Message: "this server cannot search note texts"}
	}
	var err error
	if query.From, err = dateParam(r, "from"); err != nil {
		return nil, err
	}
	if query.Until, err = dateParam(r, "until"); err != nil {
		return nil, err
	}
	if v := q.Get("before"); v != "" {
		if query.Before, err = strconv.ParseUint(v, 10, 64); err != nil {
			return nil, BadRequest("invalid", "before", "before must be the next cursor of a previous page")
		}
	}
	page, err := ParsePage(r)
	if err != nil {
		return nil, err
	}
	query.Limit = page.Limit
	if query.AsOf, err = s.asOf(r); err != nil {
		return nil, err
	}
	for _, k := range query.Kinds {
		if !k.Valid() {
			return nil, BadRequest("invalid", "kind", "kind must be one of the timeline's kinds (case, contact, question, ...)")
		}
	}
	if query.LifeDomain != "" && !query.LifeDomain.Valid() {
		return nil, BadRequest("invalid", "life_domain", "life_domain must be one of the nine life domains")
	}
	if !query.From.IsZero() && !query.Until.IsZero() && query.From.After(query.Until) {
		return nil, BadRequest("invalid", "from", "from is after until")
	}
	return query, nil
}

// badQueryField extracts the query parameter a timeline.ErrBadQuery names
// (its text reads "timeline: bad query: <field> ...").
func badQueryField(err error) string {
	rest, ok := strings.CutPrefix(err.Error(), timeline.ErrBadQuery.Error()+": ")
	if !ok {
		return ""
	}
	field, _, _ := strings.Cut(rest, " ")
	field = strings.TrimSuffix(field, ":")
	if field == "kinds" {
		return "kind"
	}
	return field
}

type logContactRequest struct {
	ContactID       string   `json:"contact_id"`
	Date            string   `json:"date"`
	Kind            string   `json:"kind"`
	DurationMinutes int      `json:"duration_minutes"`
	LifeDomains     []string `json:"life_domains"`
	Members         []string `json:"members"`
	InConfidenceOf  string   `json:"in_confidence_of"`
	WithWhom        string   `json:"with_whom"`
	Note            string   `json:"note"`
}

// logContact: POST /api/v1/families/{family}/contacts -> 201. The contact
// id is the idempotency key a client may choose (a retried request with the
// same id is refused as a duplicate, never recorded twice); the date
// defaults to today.
func (s *Server) logContact(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	req := fr.Input.(*logContactRequest)
	if req.ContactID == "" {
		id, err := newID(s.rand())
		if err != nil {
			return err
		}
		req.ContactID = id
	}
	date := domain.DateOf(s.now())
	if req.Date != "" {
		d, err := domain.ParseDate(req.Date)
		if err != nil {
			return BadRequest("invalid", "date", "date must be a date such as 2026-03-31")
		}
		date = d
	}
	cmd := domain.LogContact{
		ContactID: domain.ContactID(req.ContactID), Date: date, Kind: domain.ContactKind(req.Kind),
		DurationMinutes: req.DurationMinutes, CoachID: domain.StaffID(fr.Identity.User.ID),
		InConfidenceOf: domain.MemberID(req.InConfidenceOf),
		Sealed:         domain.ContactSealed{WithWhom: req.WithWhom, Note: req.Note},
	}
	for _, ld := range req.LifeDomains {
		cmd.LifeDomains = append(cmd.LifeDomains, domain.LifeDomain(ld))
	}
	for _, m := range req.Members {
		cmd.Members = append(cmd.Members, domain.MemberID(m))
	}
	res, err := s.ExecFamily(r, fr, cmd)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"contact_id": req.ContactID, "family_id": fr.Family.ID, "version": res.Version})
	return nil
}

// caseload: GET /api/v1/caseload?as_of= -> a coach's own caseload, or for a
// coordinator every coach's. One access event per family listed.
func (s *Server) caseload(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	asOf, today, err := s.asOfToday(r)
	if err != nil {
		return err
	}
	var loads []caseload.CoachLoad
	if tr.Decision.Role == auth.RoleCoordinator {
		loads = s.cfg.Models.Caseload.Coaches(asOf, today)
	} else {
		loads = []caseload.CoachLoad{s.cfg.Models.Caseload.Coach(domain.StaffID(tr.Identity.User.ID), asOf, today)}
	}
	var ids []string
	seen := map[domain.FamilyID]bool{}
	for _, l := range loads {
		for _, f := range l.Families {
			if !seen[f.FamilyID] {
				seen[f.FamilyID] = true
				ids = append(ids, string(f.FamilyID))
			}
		}
		for _, f := range l.CoverFamilies {
			if !seen[f.FamilyID] {
				seen[f.FamilyID] = true
				ids = append(ids, string(f.FamilyID))
			}
		}
	}
	if err := s.RecordAccess(r, tr, auth.PartCaseload, ids); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"coaches": loads})
	return nil
}

// allowTextSearch asks the policy whether the caller may read the notes of
// the family (a text search reads them all) and records the answer as a
// note access of the family before anything is searched.
func (s *Server) allowTextSearch(r *http.Request, fr FamilyRequest) error {
	ctx := r.Context()
	now := s.now()
	facts := fr.Family
	d := s.cfg.Policy.Decide(auth.AccessRequest{User: fr.Identity.User, Family: &facts, Part: auth.PartNote,
		Purpose: fr.Access.Purpose, Reason: fr.Access.Reason, At: now})
	ev := AccessEvent{
		FamilyID: fr.Family.ID, UserID: fr.Identity.User.ID, Role: d.Role, Part: auth.PartNote,
		Purpose: fr.Access.Purpose, Outcome: d.Outcome(), Rule: d.Reason, Flags: d.Flags, Method: fr.Identity.Method,
		At: now, RequestID: requestIDOf(ctx),
	}
	if d.Reason == auth.ReasonBreakTheGlass {
		ev.Reason, ev.ReasonNote = fr.Access.Reason, fr.Access.Note
	}
	if ev.Role == "" {
		ev.Role = fr.Decision.Role
	}
	if err := s.record(ctx, ev); err != nil {
		return err
	}
	if !d.Allowed {
		return &Error{Status: http.StatusForbidden, Code: "text_search_forbidden", Field: "text",
			Message: "searching note texts needs the right to read this family's notes: " + d.Reason, Err: ErrForbidden}
	}
	return nil
}
