package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"spoor/auth"
	"spoor/domain"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/privacy"
)

// registerQueryRoutes adds the read-model queries beyond the timeline and
// the caseload (see routes.go), each when its model is configured.
func (s *Server) registerQueryRoutes() {
	m := s.cfg.Models
	family := func(path string, part auth.Part, prepare func(*http.Request) (any, error), h FamilyHandlerFunc) {
		if s.cfg.Families != nil && s.cfg.Access != nil {
			s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: path, Part: part, Read: true, Prepare: prepare, Handle: h})
		}
	}
	if m.Budget != nil {
		family("/api/v1/families/{family}/budget", auth.PartBudget, s.asOfInput, s.familyBudget)
		s.HandleTeam(http.MethodGet, "/api/v1/council-report", auth.PartCouncilReport, s.councilReport)
	}
	if m.Parket != nil {
		family("/api/v1/families/{family}/parket", auth.PartParket, s.asOfInput, s.familyParket)
	}
	if m.Privacy != nil {
		family("/api/v1/families/{family}/access-log", auth.PartAccessLog, s.accessPageInput, s.whoSaw)
		family("/api/v1/families/{family}/art15", auth.PartArt15, s.asOfInput, s.art15)
		s.HandleTeam(http.MethodGet, "/api/v1/staff/{staff}/access-log", auth.PartAccessLog, s.whatUserSaw)
		s.HandleTeam(http.MethodGet, "/api/v1/disclosure-register", auth.PartDisclosureRegister, s.disclosureRegister)
	}
	if m.Outcomes != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/outcomes", auth.PartOutcomes, s.outcomesReport)
	}
	if m.Caseload != nil && s.cfg.Access != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/waiting-list", auth.PartCaseload, s.waitingList)
	}
}

// asOfInput is a Prepare reading as_of.
func (s *Server) asOfInput(r *http.Request) (any, error) { return s.asOf(r) }

type accessPageInput struct {
	page privacy.Page
	asOf time.Time
}

// asOfOf is the as_of instant a Prepare of asOfInput read.
func asOfOf(fr FamilyRequest) time.Time {
	t, _ := fr.Input.(time.Time)
	return t
}

// accessPageInput is a Prepare reading offset, limit (at most 1000) and
// as_of.
func (s *Server) accessPageInput(r *http.Request) (any, error) {
	p, err := privacyPage(r)
	if err != nil {
		return nil, err
	}
	at, err := s.asOf(r)
	if err != nil {
		return nil, err
	}
	return accessPageInput{page: p, asOf: at}, nil
}

func privacyPage(r *http.Request) (privacy.Page, error) {
	q := r.URL.Query()
	var p privacy.Page
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, BadRequest("invalid", "offset", "offset must be a whole number, 0 or more")
		}
		p.Offset = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return p, BadRequest("invalid", "limit", "limit must be a whole number from 1 to 1000")
		}
		p.Limit = n
	}
	return p, nil
}

// periodInput reads from and to (dates, both optional).
func periodInput(r *http.Request) (domain.Date, domain.Date, error) {
	from, err := dateParam(r, "from")
	if err != nil {
		return from, from, err
	}
	to, err := dateParam(r, "to")
	if err != nil {
		return from, to, err
	}
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		return from, to, BadRequest("invalid", "from", "from is after to")
	}
	return from, to, nil
}

// modelError maps a read model's errors: its ErrBadQuery to 400, its
// unknown family to 404.
func modelError(err error) error {
	switch {
	case errors.Is(err, budget.ErrBadQuery), errors.Is(err, privacy.ErrBadQuery), errors.Is(err, outcomes.ErrBadQuery):
		return BadRequest("invalid", "", err.Error())
	case errors.Is(err, budget.ErrUnknownFamily), errors.Is(err, privacy.ErrUnknownFamily), errors.Is(err, caseload.ErrUnknownFamily):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

func (s *Server) familyBudget(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	b, err := s.cfg.Models.Budget.Family(domain.FamilyID(fr.Family.ID), asOfOf(fr))
	if err != nil {
		return modelError(err)
	}
	WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) familyParket(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	p, ok := s.cfg.Models.Parket.Family(domain.FamilyID(fr.Family.ID), asOfOf(fr))
	if !ok {
		return fmt.Errorf("parket of family %s: %w", fr.Family.ID, ErrNotFound)
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) whoSaw(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	in := fr.Input.(accessPageInput)
	p, err := s.cfg.Models.Privacy.WhoSaw(domain.FamilyID(fr.Family.ID), in.page, in.asOf)
	if err != nil {
		return modelError(err)
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) art15(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	rep, err := s.cfg.Models.Privacy.Art15(domain.FamilyID(fr.Family.ID), asOfOf(fr))
	if err != nil {
		return modelError(err)
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// whatUserSaw: GET /api/v1/staff/{staff}/access-log (privacy officer).
// One access event per family in the page.
func (s *Server) whatUserSaw(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	id := mux.Vars(r)["staff"]
	if !validID(id) {
		return BadRequest("invalid", "staff", "staff must be a staff id")
	}
	p, err := privacyPage(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	page, err := s.cfg.Models.Privacy.WhatUserSaw(domain.StaffID(id), p, at)
	if err != nil {
		return modelError(err)
	}
	var ids []string
	seen := map[domain.FamilyID]bool{}
	for _, e := range page.Entries {
		if !seen[e.FamilyID] {
			seen[e.FamilyID] = true
			ids = append(ids, string(e.FamilyID))
		}
	}
	if err := s.RecordAccess(r, tr, auth.PartAccessLog, ids); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page)
	return nil
}

// disclosureRegister: GET /api/v1/disclosure-register?from=&to=&family=
// (privacy officer). One access event per family listed.
func (s *Server) disclosureRegister(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	q := privacy.RegisterQuery{From: from, To: to, WithoutImplied: r.URL.Query().Get("without_implied") == "true"}
	if f := r.URL.Query().Get("family"); f != "" {
		if !validID(f) {
			return BadRequest("invalid", "family", "family must be a family id")
		}
		q.FamilyID = domain.FamilyID(f)
	}
	lines, err := s.cfg.Models.Privacy.Register(q, at)
	if err != nil {
		return modelError(err)
	}
	var ids []string
	seen := map[domain.FamilyID]bool{}
	for _, l := range lines {
		if !seen[l.FamilyID] {
			seen[l.FamilyID] = true
			ids = append(ids, string(l.FamilyID))
		}
	}
	if err := s.RecordAccess(r, tr, auth.PartDisclosureRegister, ids); err != nil {
		return err
	}
	if lines == nil {
		lines = []privacy.DisclosureEntry{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"disclosures": lines})
	return nil
}

// councilReport: GET /api/v1/council-report?from=&to= (coordinator). Its
// lines name families: one access event per family.
func (s *Server) councilReport(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Models.Budget.CouncilReport(from, to, at)
	if err != nil {
		return modelError(err)
	}
	var ids []string
	seen := map[domain.FamilyID]bool{}
	for _, l := range rep.Total.Lines {
		if !seen[l.FamilyID] {
			seen[l.FamilyID] = true
			ids = append(ids, string(l.FamilyID))
		}
	}
	if err := s.RecordAccess(r, tr, auth.PartCouncilReport, ids); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// outcomesReport: GET /api/v1/outcomes?from=&to= (coordinator): counts
// and means only, no family named, so no access event.
func (s *Server) outcomesReport(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	from, to, err := periodInput(r)
	if err != nil {
		return err
	}
	at, err := s.asOf(r)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Models.Outcomes.Report(outcomes.Period{From: from, To: to}, at)
	if err != nil {
		return modelError(err)
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// waitingList: GET /api/v1/waiting-list (coach, coordinator). One access
// event per family listed.
func (s *Server) waitingList(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	at, today, err := s.asOfToday(r)
	if err != nil {
		return err
	}
	list := s.cfg.Models.Caseload.WaitingList(at, today)
	ids := make([]string, 0, len(list))
	for _, f := range list {
		ids = append(ids, string(f.FamilyID))
	}
	if err := s.RecordAccess(r, tr, auth.PartCaseload, ids); err != nil {
		return err
	}
	if list == nil {
		list = []caseload.Waiting{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"waiting": list})
	return nil
}
