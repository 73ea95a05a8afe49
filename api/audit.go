package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"spoor/auth"
	"spoor/domain"
	"spoor/ops"
)

// AccessEvent is one "who saw what" record: a user's access to a part of a
// family's file, allowed or refused. It holds identifiers and codes; the
// break-the-glass Reason is free text typed by staff, which the recorder
// keeps sealed like other personal data.
type AccessEvent struct {
	FamilyID string
	UserID   string
	Role     auth.Role
	Part     auth.Part
	// ItemID is the item seen within the part (a note id), "" for the part
	// as a whole.
	ItemID  string
	Purpose string
	// Reason is the break-the-glass reason code (domain.BreakGlassReason),
	// "" when the glass was not broken.
	Reason string
	// ReasonNote is the break-the-glass explanation typed by the user, ""
	// if none. It is free text: the recorder seals it.
	ReasonNote string
	// Outcome is "allowed" or "refused".
	Outcome string
	// Rule is the policy's reason code (auth.Reason*).
	Rule string
	// Flags are the policy's flags (break the glass, outside hours).
	Flags []auth.Flag
	// Method is how the user authenticated (session or token).
	Method auth.Method
	// At is when the access happened; RequestID correlates it with logs.
	At        time.Time
	RequestID string
}

// AccessRecorder writes access events durably (to the family's access-<id>
// stream). The ledger implements it.
type AccessRecorder interface {
	// Record appends ev durably and returns nil only once it is stored: a
	// caller returns the data it guards only after Record returned nil. It is
	// safe for concurrent use.
	Record(ctx context.Context, ev AccessEvent) error
}

// Families gives the policy what it needs to know about a family. The
// caseload read model implements it.
type Families interface {
	// FamilyFacts returns the facts of family id as they stand now. It
	// returns an error wrapping ErrNotFound (or store.ErrStreamNotFound)
	// when there is no such family.
	FamilyFacts(ctx context.Context, id string) (auth.FamilyFacts, error)
}

// Accounts changes staff accounts by appending events to the staff streams
// (the ledger implements it). After a method returns nil, the Directory
// shows the change.
type Accounts interface {
	// IssueToken records a new bearer token (its hash only) for t.UserID,
	// issued by the identity by. Unknown users are ErrNotFound (wrapped).
	IssueToken(ctx context.Context, by auth.Identity, t auth.Token) error
	// RevokeToken revokes the token with id. Unknown tokens are ErrNotFound
	// (wrapped).
	RevokeToken(ctx context.Context, by auth.Identity, tokenID string) error
}

// FamilyRequest is what a family handler gets once access is decided and
// recorded: who asks, the family's facts, the decision (allowed), and the
// purpose and break-the-glass reason given.
type FamilyRequest struct {
	Identity auth.Identity
	Family   auth.FamilyFacts
	Decision auth.Decision
	Access   AccessParams
	// Input is what the route's Prepare returned (nil without Prepare).
	Input any
}

// FamilyHandlerFunc handles a request about one family that the policy
// allowed (and, for reads, whose access event is written).
type FamilyHandlerFunc func(w http.ResponseWriter, r *http.Request, fr FamilyRequest) error

// FamilyRoute describes a route about one family's file. Path must contain
// the {family} variable; an {item} variable, if present, is recorded as the
// item seen.
type FamilyRoute struct {
	Method string
	Path   string
	// Part is the part of the file the route shows or changes.
	Part auth.Part
	// Read routes return personal data: an access event is written, allowed
	// or refused, before the handler runs. Write routes (commands) record
	// only refusals; the command's own event says who did what.
	Read bool
	// Prepare, if set, reads and checks the request's input (query, body)
	// before anything is decided or written, so that bad input is a 4xx
	// with no access event; its result is FamilyRequest.Input.
	Prepare func(r *http.Request) (any, error)
	Handle  FamilyHandlerFunc
}

// Purpose and break-the-glass request headers: the purpose code
// (domain.Purpose), the reason code (domain.BreakGlassReason) and an
// optional note in words, percent-encoded UTF-8 (headers are ASCII). The
// query parameters purpose, reason and reason_note are read when the
// headers are absent; prefer the headers for the note, since URLs end up in
// proxy logs.
const (
	PurposeHeader    = "X-Spoor-Purpose"
	ReasonHeader     = "X-Spoor-Reason"
	ReasonNoteHeader = "X-Spoor-Reason-Note"
)

// AccessParams are the purpose and break-the-glass reason of a request.
type AccessParams struct {
	// Purpose is a domain.Purpose code; "" means the role's default.
	Purpose string
	// Reason is a domain.BreakGlassReason code, "" if none.
	Reason string
	// Note explains the reason in words (required for reason "other").
	Note string
}

// MaxReasonNote bounds a break-the-glass note in bytes; MinOtherNote is the
// least number of characters of the note that must explain reason "other".
const (
	MaxReasonNote = 1000
	MinOtherNote  = 10
)

// HandleFamily registers rt. For each request it: authenticates (as
// Handle); reads and checks the family id, purpose and reason, and the
// input (rt.Prepare); asks Families
// for the facts (404 for an unknown family); asks the Policy; records the
// access event through the AccessRecorder (refused always, allowed for
// reads) and answers 503 without data if that fails; answers 403 when
// refused; and only then calls rt.Handle.
func (s *Server) HandleFamily(rt FamilyRoute) {
	if s.cfg.Families == nil || s.cfg.Access == nil {
		panic("api: HandleFamily needs Config.Families and Config.Access")
	}
	s.Handle(rt.Method, rt.Path, Authenticated(), func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id, _ := IdentityFrom(ctx)
		vars := mux.Vars(r)
		familyID := vars["family"]
		if !validID(familyID) {
			return BadRequest("invalid", "family", "family must be an id of 1 to 100 characters A-Z a-z 0-9 . _ : -")
		}
		if item, ok := vars["item"]; ok && !domain.ValidID(item) {
			return BadRequest("invalid", "item", "the item must be an id of 1 to 100 characters A-Z a-z 0-9 . _ : -")
		}
		ap, err := accessParams(r)
		if err != nil {
			return err
		}
		var input any
		if rt.Prepare != nil {
			if input, err = rt.Prepare(r); err != nil {
				return err
			}
		}
		facts, err := s.cfg.Families.FamilyFacts(ctx, familyID)
		if err != nil {
			return fmt.Errorf("family %s: %w", familyID, err)
		}
		now := s.now()
		d := s.cfg.Policy.Decide(auth.AccessRequest{User: id.User, Family: &facts, Part: rt.Part, Purpose: ap.Purpose,
			Reason: ap.Reason, At: now, Write: !rt.Read})
		if ap.Purpose == "" {
			ap.Purpose = defaultPurpose(d)
		}
		// A refusal of a user who holds no role cannot be an access event
		// (it names the role); it is logged instead.
		if !d.Allowed && d.Role == "" {
			s.log.WarnContext(ctx, "access refused to a user without a role", "user", id.User.ID, "family", familyID, "part", string(rt.Part))
			s.cfg.Metrics.ObserveAccess(string(rt.Part), "refused")
		} else if !d.Allowed || rt.Read {
			ev := AccessEvent{
				FamilyID: familyID, UserID: id.User.ID, Role: d.Role, Part: rt.Part, ItemID: vars["item"],
				Purpose: ap.Purpose, Outcome: d.Outcome(), Rule: d.Reason, Flags: d.Flags, Method: id.Method,
				At: now, RequestID: ops.RequestID(ctx),
			}
			if d.Reason == auth.ReasonBreakTheGlass {
				ev.Reason, ev.ReasonNote = ap.Reason, ap.Note
			}
			if err := s.record(ctx, ev); err != nil {
				return err
			}
		}
		if !d.Allowed {
			code := "forbidden"
			field := ""
			if d.Reason == auth.ReasonReasonRequired {
				code, field = "reason_required", "reason"
			}
			return &Error{Status: http.StatusForbidden, Code: code, Field: field,
				Message: "not permitted: " + d.Reason, Err: ErrForbidden}
		}
		return rt.Handle(w, r, FamilyRequest{Identity: id, Family: facts, Decision: d, Access: ap, Input: input})
	})
}

// record writes ev and counts it; a failure is ErrAuditUnavailable.
func (s *Server) record(ctx context.Context, ev AccessEvent) error {
	if s.cfg.Access == nil {
		return fmt.Errorf("%w: no access recorder configured", ErrAuditUnavailable)
	}
	if err := s.cfg.Access.Record(ctx, ev); err != nil {
		s.cfg.Metrics.ObserveAuditFailure()
		s.log.ErrorContext(ctx, "access event not written", "family", ev.FamilyID, "part", string(ev.Part), "err", err)
		return fmt.Errorf("%w: %w", ErrAuditUnavailable, err)
	}
	s.cfg.Metrics.ObserveAccess(string(ev.Part), ev.Outcome)
	return nil
}

// RecordAccess writes one allowed access event per family in familyIDs for
// a list that shows their personal data (a caseload, a register). Call it
// after building the list and before writing the response; if it returns an
// error, return that error (503) instead of the list.
func (s *Server) RecordAccess(r *http.Request, tr TeamRequest, part auth.Part, familyIDs []string) error {
	ctx := r.Context()
	now := s.now()
	for _, f := range familyIDs {
		ev := AccessEvent{
			FamilyID: f, UserID: tr.Identity.User.ID, Role: tr.Decision.Role, Part: part,
			Purpose: tr.Purpose, Outcome: "allowed", Rule: tr.Decision.Reason, Flags: tr.Decision.Flags,
			Method: tr.Identity.Method, At: now, RequestID: ops.RequestID(ctx),
		}
		if err := s.record(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// accessParams reads the purpose and break-the-glass reason of a request.
// An empty purpose means "default for the role". Errors are 400 naming the
// parameter.
func accessParams(r *http.Request) (AccessParams, error) {
	q := r.URL.Query()
	header := func(h, param string) string {
		if v := r.Header.Get(h); v != "" {
			return v
		}
		return q.Get(param)
	}
	ap := AccessParams{Purpose: header(PurposeHeader, "purpose"), Reason: header(ReasonHeader, "reason")}
	if ap.Purpose != "" && !domain.Purpose(ap.Purpose).Valid() {
		return AccessParams{}, BadRequest("invalid", "purpose", "purpose must be one of the purposes of the domain (guidance, cover, team_review, audit, ...)")
	}
	if ap.Reason != "" && !domain.BreakGlassReason(ap.Reason).Valid() {
		return AccessParams{}, BadRequest("invalid", "reason", "reason must be urgent_safety, unplanned_cover, parket_request, team_review or other")
	}
	if h := r.Header.Get(ReasonNoteHeader); h != "" {
		note, err := url.PathUnescape(h)
		if err != nil {
			return AccessParams{}, BadRequest("invalid", "reason_note", "the reason note header is not valid percent-encoding")
		}
		ap.Note = note
	} else {
		ap.Note = q.Get("reason_note")
	}
	ap.Note = strings.TrimSpace(ap.Note)
	switch {
	case !utf8.ValidString(ap.Note) || len(ap.Note) > MaxReasonNote:
		return AccessParams{}, BadRequest("invalid", "reason_note", fmt.Sprintf("the reason note must be UTF-8 text of at most %d bytes", MaxReasonNote))
	case ap.Note != "" && ap.Reason == "":
		return AccessParams{}, BadRequest("invalid", "reason", "a reason note needs a reason")
	case ap.Reason == string(domain.GlassOther) && utf8.RuneCountInString(ap.Note) < MinOtherNote:
		return AccessParams{}, BadRequest("required", "reason_note", fmt.Sprintf("reason other needs a note of at least %d characters", MinOtherNote))
	}
	return ap, nil
}

// defaultPurpose is the purpose recorded when the request names none.
func defaultPurpose(d auth.Decision) string {
	switch {
	case d.Reason == auth.ReasonCover:
		return "cover"
	case d.Reason == auth.ReasonBreakTheGlass:
		return "other"
	}
	switch d.Role {
	case auth.RoleCoach:
		return "guidance"
	case auth.RoleCoordinator:
		return "team_review"
	case auth.RolePrivacyOfficer:
		return "audit"
	case auth.RoleBackOffice:
		return "aid_payment"
	}
	return "other"
}

// validID accepts the domain's opaque ids (domain.ValidID: 1 to 100
// characters A-Z a-z 0-9 . _ : -).
func validID(s string) bool { return domain.ValidID(s) }
