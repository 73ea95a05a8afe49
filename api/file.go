package api

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/gorilla/mux"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
)

// The routes that show a family's personal data itself (a contact note,
// the members, the professionals): they load the family's stream with its
// sealed parts opened, through the ledger, once the access is decided and
// recorded. Erased families answer with erased set and no personal data.

func (s *Server) registerFileRoutes() {
	if s.cfg.Ledger == nil || s.cfg.Families == nil || s.cfg.Access == nil {
		return
	}
	s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}", Part: auth.PartSummary, Read: true, Handle: s.familySummary})
	s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/contacts/{item}", Part: auth.PartNote, Read: true, Handle: s.contact})
	s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/members", Part: auth.PartMembers, Read: true, Handle: s.members})
	s.HandleFamily(FamilyRoute{Method: http.MethodGet, Path: "/api/v1/families/{family}/professionals", Part: auth.PartProfessionals, Read: true, Handle: s.professionals})
}

// openFamily loads the family of fr, sealed parts opened when open.
func (s *Server) openFamily(r *http.Request, fr FamilyRequest, open bool) (ledger.FamilyView, error) {
	return s.cfg.Ledger.Family(r.Context(), domain.FamilyID(fr.Family.ID), open)
}

type summaryView struct {
	FamilyID          string                `json:"family_id"`
	Status            domain.CaseStatus     `json:"status"`
	Source            domain.ReferralSource `json:"source"`
	ReferredOn        domain.Date           `json:"referred_on,omitzero"`
	Children          int                   `json:"children"`
	Adults            int                   `json:"adults"`
	Trajectory        int                   `json:"trajectory"`
	CoachID           domain.StaffID        `json:"coach_id,omitempty"`
	GuidanceStartedOn domain.Date           `json:"guidance_started_on,omitzero"`
	LastContactOn     domain.Date           `json:"last_contact_on,omitzero"`
	ClosedOn          domain.Date           `json:"closed_on,omitzero"`
	ClosureReason     domain.ClosureReason  `json:"closure_reason,omitempty"`
	Parket            domain.ParketState    `json:"parket_state"`
	Erased            bool                  `json:"erased"`
}

// familySummary: GET /api/v1/families/{family}: the file's header (public
// facts only).
func (s *Server) familySummary(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	v, err := s.openFamily(r, fr, false)
	if err != nil {
		return err
	}
	f := v.Family
	WriteJSON(w, http.StatusOK, summaryView{
		FamilyID: string(f.ID), Status: f.Status, Source: f.Source, ReferredOn: f.ReferredOn, Children: f.Children,
		Adults: f.Adults, Trajectory: f.Trajectory, CoachID: f.Coach, GuidanceStartedOn: f.GuidanceStartedOn,
		LastContactOn: f.LastContactOn, ClosedOn: f.ClosedOn, ClosureReason: f.ClosureReason, Parket: f.Parket, Erased: v.Erased,
	})
	return nil
}

type contactView struct {
	ContactID       string              `json:"contact_id"`
	Date            domain.Date         `json:"date"`
	Kind            domain.ContactKind  `json:"kind"`
	DurationMinutes int                 `json:"duration_minutes"`
	LifeDomains     []domain.LifeDomain `json:"life_domains"`
	CoachID         domain.StaffID      `json:"coach_id"`
	Members         []domain.MemberID   `json:"members"`
	InConfidenceOf  domain.MemberID     `json:"in_confidence_of,omitempty"`
	Cancelled       bool                `json:"cancelled"`
	Corrections     int                 `json:"corrections"`
	WithWhom        string              `json:"with_whom,omitempty"`
	Note            string              `json:"note,omitempty"`
	Erased          bool                `json:"erased"`
}

// contact: GET /api/v1/families/{family}/contacts/{item}: one contact with
// its note (part note; the access event names the contact).
func (s *Server) contact(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	id := mux.Vars(r)["item"]
	v, err := s.openFamily(r, fr, true)
	if err != nil {
		return err
	}
	c, ok := v.Family.Contacts[domain.ContactID(id)]
	if !ok {
		return fmt.Errorf("contact %s: %w", id, ErrNotFound)
	}
	WriteJSON(w, http.StatusOK, contactView{
		ContactID: id, Date: c.Date, Kind: c.Kind, DurationMinutes: c.DurationMinutes, LifeDomains: c.LifeDomains,
		CoachID: c.CoachID, Members: c.Members, InConfidenceOf: c.InConfidenceOf, Cancelled: c.Cancelled,
		Corrections: c.Corrections, WithWhom: c.Sealed.WithWhom, Note: c.Sealed.Note, Erased: v.Erased,
	})
	return nil
}

type memberView struct {
	MemberID  domain.MemberID   `json:"member_id"`
	Role      domain.MemberRole `json:"role"`
	BirthYear int               `json:"birth_year,omitempty"`
	Left      bool              `json:"left"`
	Name      string            `json:"name,omitempty"`
	Phone     string            `json:"phone,omitempty"`
	Email     string            `json:"email,omitempty"`
}

// members: GET /api/v1/families/{family}/members.
func (s *Server) members(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	v, err := s.openFamily(r, fr, true)
	if err != nil {
		return err
	}
	out := make([]memberView, 0, len(v.Family.Members))
	for id, m := range v.Family.Members {
		out = append(out, memberView{MemberID: id, Role: m.Role, BirthYear: m.BirthYear, Left: m.Left,
			Name: m.Sealed.Name, Phone: m.Sealed.Phone, Email: m.Sealed.Email})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MemberID < out[j].MemberID })
	WriteJSON(w, http.StatusOK, map[string]any{"family_id": fr.Family.ID, "erased": v.Erased, "members": out})
	return nil
}

// professionals: GET /api/v1/families/{family}/professionals.
func (s *Server) professionals(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
	v, err := s.openFamily(r, fr, true)
	if err != nil {
		return err
	}
	type view struct {
		domain.ProfessionalAdded
		Removed bool `json:"removed"`
		Sealed  any  `json:"details,omitempty"`
	}
	out := make([]view, 0, len(v.Family.Professionals))
	for _, p := range v.Family.Professionals {
		out = append(out, view{ProfessionalAdded: p.ProfessionalAdded, Removed: p.Removed, Sealed: p.Sealed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProfessionalID < out[j].ProfessionalID })
	WriteJSON(w, http.StatusOK, map[string]any{"family_id": fr.Family.ID, "erased": v.Erased, "professionals": out})
	return nil
}
