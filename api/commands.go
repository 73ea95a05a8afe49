package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"unicode"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// The command routes: one POST route per domain command, whose JSON body
// holds the command's fields in snake_case (ContactID is contact_id, the
// sealed personal data's fields sit next to the others under their own
// names). Two kinds of fields never come from the body: the family, which is
// the route's, and the fields that say who decided, approved, proposed,
// reviewed or set something (By, DecidedBy, ApprovedBy, ...), which are the
// caller. Ids of new things (a consent, a spend) are chosen by the client,
// as UUIDs, which also makes a retried request safe: the domain refuses the
// second one as a conflict instead of recording it twice.

// commandSpec is one command route.
type commandSpec struct {
	// Name is the command's type name (LogContact); the route is its
	// kebab-case form (log-contact).
	Name string
	Part auth.Part
	New  func() any // a pointer to a zero command
}

// familyCommands are the family commands served under
// /api/v1/families/{family}/<name>, with the part of the file each changes.
// LogContact has its own friendlier route (contacts); Refer opens a family
// and is served at POST /api/v1/families.
func familyCommands() []commandSpec {
	c := func(part auth.Part, v any) commandSpec {
		t := reflect.TypeOf(v)
		return commandSpec{Name: t.Name(), Part: part, New: func() any { return reflect.New(t).Interface() }}
	}
	return []commandSpec{
		c(auth.PartSummary, domain.EnterWaitingList{}), c(auth.PartSummary, domain.LeaveWaitingList{}),
		c(auth.PartSummary, domain.HoldIntake{}), c(auth.PartSummary, domain.StartGuidance{}),
		c(auth.PartSummary, domain.AssignCoach{}), c(auth.PartSummary, domain.ArrangeCover{}),
		c(auth.PartSummary, domain.EndCover{}), c(auth.PartSummary, domain.RequestCoachChange{}),
		c(auth.PartSummary, domain.HandleCoachChange{}), c(auth.PartSummary, domain.CloseCase{}),
		c(auth.PartSummary, domain.ReopenCase{}),
		c(auth.PartMembers, domain.AddMember{}), c(auth.PartMembers, domain.CorrectMember{}),
		c(auth.PartMembers, domain.RemoveMember{}),
		c(auth.PartProfessionals, domain.AddProfessional{}), c(auth.PartProfessionals, domain.RemoveProfessional{}),
		c(auth.PartTimeline, domain.CorrectContact{}),
		c(auth.PartQuestions, domain.RaiseQuestion{}), c(auth.PartQuestions, domain.AnswerQuestion{}),
		c(auth.PartAssessments, domain.RegisterAssessment{}),
		c(auth.PartConsents, domain.GiveConsent{}), c(auth.PartConsents, domain.RefuseConsent{}),
		c(auth.PartConsents, domain.WithdrawConsent{}), c(auth.PartConsents, domain.ExpireConsent{}),
		c(auth.PartDisclosures, domain.Disclose{}), c(auth.PartDisclosures, domain.InformFamily{}),
		c(auth.PartDisclosures, domain.LiftConfidentiality{}),
		c(auth.PartArt15, domain.ReceiveInfoRequest{}), c(auth.PartArt15, domain.RefuseInfoRequest{}),
		c(auth.PartParket, domain.RecordParketStep{}), c(auth.PartParket, domain.RecordPoliceFacts{}),
		c(auth.PartParket, domain.ClosePoliceFile{}), c(auth.PartParket, domain.ReopenPoliceFile{}),
		c(auth.PartBudget, domain.AllocateBudget{}), c(auth.PartBudget, domain.ProposeSpend{}),
		c(auth.PartBudget, domain.DecideSpend{}), c(auth.PartBudget, domain.RecordSpend{}),
		c(auth.PartBudget, domain.ApproveOverspend{}), c(auth.PartBudget, domain.ReviewSpend{}),
		c(auth.PartBudget, domain.ReverseSpend{}), c(auth.PartBudget, domain.RecordCostAvoidance{}),
		c(auth.PartErasure, domain.SetRetention{}), c(auth.PartErasure, domain.SetLegalHold{}),
		c(auth.PartErasure, domain.LiftLegalHold{}), c(auth.PartErasure, domain.EraseFamily{}),
	}
}

// kebab turns a Go name into kebab-case (RecordParketStep: record-parket-step).
func kebab(name string) string { return strings.ReplaceAll(snake(name), "_", "-") }

// snake turns a Go field name into snake_case, keeping acronyms whole
// (ContactID: contact_id, InConfidenceOf: in_confidence_of).
func snake(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			acronymEnd := i > 0 && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || acronymEnd {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// commandField is where a JSON key of a command body goes.
type commandField struct {
	index []int
}

// commandShape is how a command's body maps onto its fields.
type commandShape struct {
	fields map[string]commandField
	// by are the "who decided" fields, set to the caller.
	by [][]int
	// family is the FamilyID field, set from the route, if any.
	family []int
}

// shapeOf computes the shape of command type t. It fails when two fields
// would take the same JSON name.
func shapeOf(t reflect.Type) (commandShape, error) {
	sh := commandShape{fields: map[string]commandField{}}
	staffIDType, familyIDType := reflect.TypeOf(domain.StaffID("")), reflect.TypeOf(domain.FamilyID(""))
	add := func(name string, index []int) error {
		if _, dup := sh.fields[name]; dup {
			return fmt.Errorf("api: command %s: two fields named %s", t.Name(), name)
		}
		sh.fields[name] = commandField{index: index}
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch {
		case f.Type == familyIDType && f.Name == "FamilyID":
			sh.family = []int{i}
		case f.Type == staffIDType && (f.Name == "By" || strings.HasSuffix(f.Name, "By")):
			sh.by = append(sh.by, []int{i})
		case f.Name == "Sealed" && f.Type.Kind() == reflect.Struct:
			for j := 0; j < f.Type.NumField(); j++ {
				sf := f.Type.Field(j)
				name := strings.Split(sf.Tag.Get("json"), ",")[0]
				if name == "" || name == "-" {
					name = snake(sf.Name)
				}
				if err := add(name, []int{i, j}); err != nil {
					return sh, err
				}
			}
		default:
			if err := add(snake(f.Name), []int{i}); err != nil {
				return sh, err
			}
		}
	}
	return sh, nil
}

// decodeCommand reads r's JSON body into the command cmd (a pointer to a
// struct) according to sh: unknown keys and values of the wrong type are
// 400s naming the key; "who decided" fields are set to caller and the
// family field to family.
func decodeCommand(r *http.Request, sh commandShape, cmd any, caller, family string) error {
	var body map[string]json.RawMessage
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	v := reflect.ValueOf(cmd).Elem()
	for key, raw := range body {
		f, ok := sh.fields[key]
		if !ok {
			return BadRequest("unknown_field", key, fmt.Sprintf("unknown field %q", key))
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v.FieldByIndex(f.index).Addr().Interface()); err != nil {
			return BadRequest("invalid_type", key, fmt.Sprintf("%s has the wrong type or form", key))
		}
	}
	for _, idx := range sh.by {
		v.FieldByIndex(idx).SetString(caller)
	}
	if sh.family != nil && family != "" {
		v.FieldByIndex(sh.family).SetString(family)
	}
	return nil
}

// registerCommandRoutes adds a route for every family command, POST
// /api/v1/families (Refer), and the team commands.
func (s *Server) registerCommandRoutes() {
	if s.cfg.Ledger == nil || s.cfg.Families == nil || s.cfg.Access == nil {
		return
	}
	for _, spec := range familyCommands() {
		sh, err := shapeOf(reflect.TypeOf(spec.New()).Elem())
		if err != nil {
			panic(err) // a command the table cannot serve: a programming error, caught by the tests
		}
		s.HandleFamily(FamilyRoute{
			Method: http.MethodPost, Path: "/api/v1/families/{family}/" + kebab(spec.Name), Part: spec.Part,
			Prepare: func(r *http.Request) (any, error) {
				cmd := spec.New()
				id, _ := IdentityFrom(r.Context())
				if err := decodeCommand(r, sh, cmd, id.User.ID, ""); err != nil {
					return nil, err
				}
				return cmd, nil
			},
			Handle: func(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error {
				cmd := reflect.ValueOf(fr.Input).Elem().Interface().(domain.FamilyCommand)
				res, err := s.ExecFamily(r, fr, cmd)
				if err != nil {
					return err
				}
				writeResult(w, fr.Family.ID, res)
				return nil
			},
		})
	}
	referShape, err := shapeOf(reflect.TypeOf(domain.Refer{}))
	if err != nil {
		panic(err)
	}
	// Refer opens the family: its family_id comes from the body.
	referShape.fields["family_id"] = commandField{index: referShape.family}
	referShape.family = nil
	s.HandleTeam(http.MethodPost, "/api/v1/families", auth.PartCaseload, func(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
		return s.refer(w, r, tr, referShape)
	})
	for _, spec := range []struct {
		name string
		new  func() any
	}{
		{"change-team-settings", func() any { return &domain.ChangeTeamSettings{} }},
		{"set-budget-envelope", func() any { return &domain.SetBudgetEnvelope{} }},
	} {
		sh, err := shapeOf(reflect.TypeOf(spec.new()).Elem())
		if err != nil {
			panic(err)
		}
		s.Handle(http.MethodPost, "/api/v1/team/"+spec.name, Roles(auth.RoleCoordinator), func(w http.ResponseWriter, r *http.Request) error {
			id, _ := IdentityFrom(r.Context())
			cmd := spec.new()
			if err := decodeCommand(r, sh, cmd, id.User.ID, ""); err != nil {
				return err
			}
			meta := ledger.Meta{Actor: store.Actor{UserID: id.User.ID, Role: string(auth.RoleCoordinator)}, CorrelationID: requestIDOf(r.Context())}
			res, err := s.cfg.Ledger.ExecTeam(r.Context(), meta, reflect.ValueOf(cmd).Elem().Interface().(domain.TeamCommand))
			if err != nil {
				return err
			}
			if err := s.waitFor(r.Context(), res.LastPosition); err != nil {
				return err
			}
			writeResult(w, "", res)
			return nil
		})
	}
}

// refer: POST /api/v1/families (coach, coordinator) opens a family's
// stream. family_id may be chosen by the client (a UUID); it is made when
// absent.
func (s *Server) refer(w http.ResponseWriter, r *http.Request, tr TeamRequest, sh commandShape) error {
	var cmd domain.Refer
	if err := decodeCommand(r, sh, &cmd, tr.Identity.User.ID, ""); err != nil {
		return err
	}
	if cmd.FamilyID == "" {
		id, err := newID(s.rand())
		if err != nil {
			return err
		}
		cmd.FamilyID = domain.FamilyID(id)
	}
	fr := FamilyRequest{Identity: tr.Identity, Family: auth.FamilyFacts{ID: string(cmd.FamilyID)}, Decision: tr.Decision}
	res, err := s.ExecFamily(r, fr, cmd)
	if err != nil {
		return err
	}
	writeResult(w, string(cmd.FamilyID), res)
	return nil
}

// commandResult is the answer to a command: where its events landed.
type commandResult struct {
	FamilyID string   `json:"family_id,omitempty"`
	Version  uint64   `json:"version"`
	Events   []string `json:"events"`
	EventIDs []string `json:"event_ids"`
}

func writeResult(w http.ResponseWriter, family string, res ledger.Result) {
	out := commandResult{FamilyID: family, Version: res.Version, EventIDs: res.EventIDs, Events: []string{}}
	for _, e := range res.Events {
		out.Events = append(out.Events, e.EventType())
	}
	WriteJSON(w, http.StatusCreated, out)
}
