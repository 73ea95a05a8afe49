package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/projections/assessments"
	"spoor/projections/budget"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/store"
)

// registerMoreQueryRoutes adds the rest of the read models' queries: the
// privacy officer's reviews, the coordinator's budget views, assessments,
// the parket overview and the family export. Each list that names families
// writes one access event per family before it answers.
func (s *Server) registerMoreQueryRoutes() {
	m := s.cfg.Models
	canFamily := s.cfg.Families != nil && s.cfg.Access != nil
	if m.Privacy != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/privacy/flags", auth.PartAccessLog, s.privacyFlags)
		s.HandleTeam(http.MethodGet, "/api/v1/privacy/unusual-volume", auth.PartAccessLog, s.unusualVolume)
		s.HandleTeam(http.MethodGet, "/api/v1/privacy/not-informed", auth.PartDisclosureRegister, s.notInformed)
		s.HandleTeam(http.MethodGet, "/api/v1/privacy/consent-violations", auth.PartDisclosureRegister, s.consentViolations)
		s.HandleTeam(http.MethodGet, "/api/v1/privacy/info-requests", auth.PartDisclosureRegister, s.infoRequests)
	}
	if m.Budget != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/budget/totals", auth.PartCouncilReport, s.budgetTotals)
		s.HandleTeam(http.MethodGet, "/api/v1/budget/envelopes", auth.PartCouncilReport, s.budgetEnvelopes)
		s.HandleTeam(http.MethodGet, "/api/v1/budget/cost-avoidance", auth.PartCouncilReport, s.costAvoidance)
		s.HandleTeam(http.MethodGet, "/api/v1/budget/families", auth.PartCouncilReport, s.budgetFamilies)
	}
	if m.Assessments != nil && canFamily {
		s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/assessments",
			Part: auth.PartAssessments, Read: true, Prepare: s.asOfInput, Handle: s.familyAssessments})
		s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/assessments/{instrument}",
			Part: auth.PartAssessments, Read: true, Prepare: s.instrumentInput, Handle: s.familyInstrument})
		s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/assessments/{instrument}/history",
			Part: auth.PartAssessments, Read: true, Prepare: s.instrumentInput, Handle: s.familyInstrumentHistory})
		s.HandleTeam(http.MethodGet, "/api/v1/assessments/overdue", auth.PartOutcomes, s.overdueAssessments)
	}
	if m.Parket != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/parket/open-requests", auth.PartParketOverview, s.parketOpenRequests)
		s.HandleTeam(http.MethodGet, "/api/v1/parket/counts", auth.PartParketOverview, s.parketCounts)
	}
	if s.cfg.Ledger != nil && canFamily {
		s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/export",
			Part: auth.PartExport, Read: true, Handle: s.familyExport})
	}
}

// familiesOf returns the distinct family ids of a list, in order.
func familiesOf[T any](list []T, id func(T) domain.FamilyID) []string {
	out := []string{}
	seen := map[domain.FamilyID]bool{}
	for _, x := range list {
		f := id(x)
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, string(f))
		}
	}
	return out
}

// writeListed answers a team-level list that names families: it records one
// access event per family named in list (id picks the family of an entry;
// see familiesOf) and only then writes body with 200. If the access events
// cannot be written it returns that error and writes nothing.
func writeListed[T any](s *Server, w http.ResponseWriter, r *http.Request, tr TeamRequest, part auth.Part, list []T, id func(T) domain.FamilyID, body any) error {
	if err := s.RecordAccess(r, tr, part, familiesOf(list, id)); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, body)
	return nil
}

// localDay returns the start of date d in the team's time zone.
func (s *Server) localDay(d domain.Date) time.Time {
	loc := s.cfg.Policy.Hours.Location
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// registerQuery reads family, from and to for the disclosure reviews.
func registerQuery(r *http.Request) (privacy.RegisterQuery, error) {
	from, to, err := periodInput(r)
	if err != nil {
		return privacy.RegisterQuery{}, err
	}
	q := privacy.RegisterQuery{From: from, To: to}
	if f := r.URL.Query().Get("family"); f != "" {
		if !validID(f) {
			return q, BadRequest("invalid", "family", "family must be a family id")
		}
		q.FamilyID = domain.FamilyID(f)
	}
	return q, nil
}

// privacyFlags: GET /api/v1/privacy/flags?flag=&user=&from=&to=&offset=&limit=&as_of=
// (privacy officer): flagged accesses (outside the caseload, break the
// glass, outside hours, refused, unusual volume), newest first, with counts.
func (s *Server) privacyFlags(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	q := r.URL.Query()
	var fq privacy.FlagQuery
	if f := q.Get("flag"); f != "" {
		fq.Flag = privacy.Flag(f)
		known := false
		for _, k := range privacy.Flags() {
			known = known || k == fq.Flag
		}
		if !known {
			return BadRequest("invalid", "flag", "flag must be outside_caseload, break_glass, outside_hours, unusual_volume or refused")
		}
	}
	if u := q.Get("user"); u != "" {
		if !validID(u) {
			return BadRequest("invalid", "user", "user must be a staff id")
		}
		fq.UserID = domain.StaffID(u)
	}
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	if !from.IsZero() {
		fq.From = s.localDay(from)
	}
	if !to.IsZero() {
		fq.To = s.localDay(to.AddDays(1))
	}
	if fq.Page, err = privacyPage(r); err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Models.Privacy.Flagged(fq, at)
	if err != nil {
		return modelError(err)
	}
	return writeListed(s, w, r, tr, auth.PartAccessLog, rep.Entries, func(e privacy.AccessEntry) domain.FamilyID { return e.FamilyID }, rep)
}

// unusualVolume: GET /api/v1/privacy/unusual-volume?from=&to= (both
// required; privacy officer): staff members and days with more families
// touched than usual. No family is named: no access event.
func (s *Server) unusualVolume(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	if from.IsZero() {
		return BadRequest("required", "from", "from is required (a date such as 2026-03-01)")
	}
	if to.IsZero() {
		return BadRequest("required", "to", "to is required (a date such as 2026-03-31)")
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	days, err := s.cfg.Models.Privacy.UnusualVolume(from, to, at)
	if err != nil {
		return modelError(err)
	}
	if days == nil {
		days = []privacy.VolumeDay{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"days": days})
	return nil
}

// notInformed: GET /api/v1/privacy/not-informed?days=&as_of= (privacy
// officer): disclosures whose family should have been told (after days,
// default 30) and was not.
func (s *Server) notInformed(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	days, err := intParam(r, "days", 30, 0, 3650)
	if err != nil {
		return err
	}
	at, today, err := s.asOfToday(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Models.Privacy.NotInformed(today, days, at)
	if err != nil {
		return modelError(err)
	}
	return s.disclosureList(w, r, tr, list)
}

// consentViolations: GET /api/v1/privacy/consent-violations?from=&to=&family=
// (privacy officer): disclosures on consent without a valid consent.
func (s *Server) consentViolations(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	q, err := registerQuery(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Models.Privacy.ConsentViolations(q, at)
	if err != nil {
		return modelError(err)
	}
	return s.disclosureList(w, r, tr, list)
}

func (s *Server) disclosureList(w http.ResponseWriter, r *http.Request, tr TeamRequest, list []privacy.DisclosureEntry) error {
	if err := s.RecordAccess(r, tr, auth.PartDisclosureRegister, familiesOf(list, func(e privacy.DisclosureEntry) domain.FamilyID { return e.FamilyID })); err != nil {
		return err
	}
	if list == nil {
		list = []privacy.DisclosureEntry{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"disclosures": list})
	return nil
}

// infoRequests: GET /api/v1/privacy/info-requests?from=&to=&family=
// (privacy officer): requests for information from other organisations and
// how they were answered.
func (s *Server) infoRequests(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	q, err := registerQuery(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Models.Privacy.InfoRequests(q, at)
	if err != nil {
		return modelError(err)
	}
	if err := s.RecordAccess(r, tr, auth.PartDisclosureRegister, familiesOf(list, func(e privacy.InfoRequestEntry) domain.FamilyID { return e.FamilyID })); err != nil {
		return err
	}
	if list == nil {
		list = []privacy.InfoRequestEntry{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"info_requests": list})
	return nil
}

// requiredPeriod reads from and to, both required.
func requiredPeriod(r *http.Request) (domain.Date, domain.Date, error) {
	from, to, err := periodInput(r)
	if err != nil {
		return from, to, err
	}
	if from.IsZero() {
		return from, to, BadRequest("required", "from", "from is required (a date such as 2026-01-01)")
	}
	if to.IsZero() {
		return from, to, BadRequest("required", "to", "to is required (a date such as 2026-12-31)")
	}
	return from, to, nil
}

// budgetTotals: GET /api/v1/budget/totals?from=&to= (coordinator): spent,
// reversed and net per category, instrument, funding line, referral type
// and coach. Counts only, no family named: no access event.
func (s *Server) budgetTotals(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := requiredPeriod(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Models.Budget.Totals(from, to, at)
	if err != nil {
		return modelError(err)
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// budgetEnvelopes: GET /api/v1/budget/envelopes?year= (coordinator): each
// envelope with what was spent and what is left.
func (s *Server) budgetEnvelopes(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	year := s.now().Year()
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2200 {
			return BadRequest("invalid", "year", "year must be a year such as 2026")
		}
		year = n
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Models.Budget.Envelopes(year, at)
	if err != nil {
		return modelError(err)
	}
	if list == nil {
		list = []budget.EnvelopeStatus{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"envelopes": list})
	return nil
}

// costAvoidance: GET /api/v1/budget/cost-avoidance?from=&to= (coordinator):
// avoided costs in total, per category and per family (one access event per
// family).
func (s *Server) costAvoidance(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Models.Budget.CostAvoidance(from, to, at)
	if err != nil {
		return modelError(err)
	}
	ids := familiesOf(rep.Families, func(f budget.FamilyCost) domain.FamilyID { return domain.FamilyID(f.Key) })
	if err := s.RecordAccess(r, tr, auth.PartCouncilReport, ids); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// budgetFamilies: GET /api/v1/budget/families?as_of= (coordinator): every
// family's budget (one access event per family).
func (s *Server) budgetFamilies(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	list := s.cfg.Models.Budget.Families(at)
	if err := s.RecordAccess(r, tr, auth.PartCouncilReport, familiesOf(list, func(f budget.FamilyBudget) domain.FamilyID { return f.FamilyID })); err != nil {
		return err
	}
	if list == nil {
		list = []budget.FamilyBudget{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"families": list})
	return nil
}

// familyAssessments: GET /api/v1/families/{family}/assessments?as_of= ->
// the current picture with every instrument the family was assessed with.
func (s *Server) familyAssessments(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	ps := s.cfg.Models.Assessments.Pictures(domain.FamilyID(fr.Family.ID), asOfOf(fr))
	WriteJSON(w, http.StatusOK, map[string]any{"family_id": fr.Family.ID, "pictures": ps})
	return nil
}

type instrumentInput struct {
	instrument string
	asOf       time.Time
}

// instrumentInput is a Prepare reading {instrument} and as_of.
func (s *Server) instrumentInput(r *http.Request) (any, error) {
	id := mux.Vars(r)["instrument"]
	if !domain.ValidID(id) {
		return nil, BadRequest("invalid", "instrument", "instrument must be an instrument id such as leefsituatie-v1")
	}
	at, err := s.asOf(r)
	if err != nil {
		return nil, err
	}
	return instrumentInput{instrument: id, asOf: at}, nil
}

func assessmentError(err error) error {
	if errors.Is(err, assessments.ErrNoRegistration) {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Field: "instrument", Message: "the family has no registration with this instrument", Err: ErrNotFound}
	}
	return err
}

// familyInstrument: GET /api/v1/families/{family}/assessments/{instrument}
// -> the current picture with one instrument.
func (s *Server) familyInstrument(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	in := fr.Input.(instrumentInput)
	p, err := s.cfg.Models.Assessments.Current(domain.FamilyID(fr.Family.ID), in.instrument, in.asOf)
	if err != nil {
		return assessmentError(err)
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

// familyInstrumentHistory: GET .../assessments/{instrument}/history -> the
// picture after each registration, oldest first.
func (s *Server) familyInstrumentHistory(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	in := fr.Input.(instrumentInput)
	h, err := s.cfg.Models.Assessments.History(domain.FamilyID(fr.Family.ID), in.instrument, in.asOf)
	if err != nil {
		return assessmentError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"family_id": fr.Family.ID, "instrument_id": in.instrument, "history": h})
	return nil
}

// overdueAssessments: GET /api/v1/assessments/overdue?instrument=&as_of=
// (coordinator): families whose next registration is overdue (one access
// event per family).
func (s *Server) overdueAssessments(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	inst := r.URL.Query().Get("instrument")
	if inst != "" && !domain.ValidID(inst) {
		return BadRequest("invalid", "instrument", "instrument must be an instrument id such as leefsituatie-v1")
	}
	at, today, err := s.asOfToday(r)
	if err != nil {
		return err
	}
	list := s.cfg.Models.Assessments.Overdue(today, inst, at)
	return writeListed(s, w, r, tr, auth.PartOutcomes, list, func(f assessments.OverdueFamily) domain.FamilyID { return f.FamilyID }, map[string]any{"overdue": list})
}

// parketOpenRequests: GET /api/v1/parket/open-requests?within_days=&as_of=
// (coordinator): status requests of the parket still to answer, due within
// within_days (default 14) or overdue (one access event per family).
func (s *Server) parketOpenRequests(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	within, err := intParam(r, "within_days", 14, 0, 365)
	if err != nil {
		return err
	}
	at, today, err := s.asOfToday(r)
	if err != nil {
		return err
	}
	list := s.cfg.Models.Parket.OpenRequests(at, today, within)
	return writeListed(s, w, r, tr, auth.PartParketOverview, list, func(o parket.OpenRequest) domain.FamilyID { return o.FamilyID }, map[string]any{"open_requests": list})
}

// parketCounts: GET /api/v1/parket/counts?as_of= (coordinator): how many
// families are in each parket state. No family named: no access event.
func (s *Server) parketCounts(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"counts": s.cfg.Models.Parket.Counts(at)})
	return nil
}

// exportedEvent is one event of a family export: its public and (opened)
// sealed parts as the codec writes them.
type exportedEvent struct {
	Version    uint64    `json:"version"`
	Type       string    `json:"type"`
	RecordedAt time.Time `json:"recorded_at"`
	Public     any       `json:"public"`
	Sealed     any       `json:"sealed,omitempty"`
	// Erased says the sealed part was destroyed (the family was erased).
	Erased bool `json:"erased,omitempty"`
}

// familyExport: GET /api/v1/families/{family}/export -> the family's whole
// file as JSON (for a GDPR request or a handover), sealed parts opened. The
// access event (part export) is written before the handler runs; the
// export itself is recorded as ExportMade on the family's access stream
// before the file is returned, and nothing is returned if that fails.
func (s *Server) familyExport(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	ctx := r.Context()
	v, err := s.cfg.Ledger.Family(ctx, domain.FamilyID(fr.Family.ID), true)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("family %s: %w", fr.Family.ID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	events := make([]exportedEvent, 0, len(v.Records))
	for _, rec := range v.Records {
		enc, err := domain.Encode(rec.Event)
		if err != nil {
			return err
		}
		e := exportedEvent{Version: rec.Envelope.Version, Type: rec.Envelope.Type, RecordedAt: rec.Envelope.RecordedAt,
			Public: rawJSON(enc.Public), Erased: rec.Sealed == ledger.SealedErased}
		if enc.Sealed != nil && !e.Erased {
			e.Sealed = rawJSON(enc.Sealed)
		}
		events = append(events, e)
	}
	id, err := newID(s.rand())
	if err != nil {
		return err
	}
	purpose := domain.Purpose(fr.Access.Purpose)
	if !purpose.Valid() {
		purpose = domain.PurposeAccessRequest
	}
	meta := ledger.Meta{Actor: store.Actor{UserID: fr.Identity.User.ID, Role: string(fr.Decision.Role)}, CorrelationID: requestIDOf(ctx)}
	if _, err := s.cfg.Ledger.RecordExport(ctx, meta, domain.MakeExport{
		ExportID: domain.ExportID(id), FamilyID: domain.FamilyID(fr.Family.ID), UserID: domain.StaffID(fr.Identity.User.ID),
		Role: domain.Role(fr.Decision.Role), Kind: domain.ExportFile, Purpose: purpose, Format: "json",
	}); err != nil {
		s.cfg.Metrics.ObserveAuditFailure()
		return fmt.Errorf("%w: record the export: %w", ErrAuditUnavailable, err)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="family-`+fr.Family.ID+`.json"`)
	WriteJSON(w, http.StatusOK, map[string]any{
		"export_id": id, "family_id": fr.Family.ID, "exported_at": s.now().UTC(), "version": v.Version,
		"erased": v.Erased, "events": events,
	})
	return nil
}

// rawJSON keeps an encoded part as it is in the export.
type rawJSON []byte

// MarshalJSON returns the bytes unchanged.
func (j rawJSON) MarshalJSON() ([]byte, error) { return j, nil }

// ledgerOpener opens a family's sealed parts through the ledger for the
// timeline's text search.
func (s *Server) ledgerOpener(ctx context.Context, id domain.FamilyID) (map[string]domain.Event, error) {
	v, err := s.cfg.Ledger.Family(ctx, id, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Event, len(v.Records))
	for _, rec := range v.Records {
		out[rec.Envelope.ID] = rec.Event
	}
	return out, nil
}
