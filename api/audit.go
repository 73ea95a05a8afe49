package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"spoor/auth"
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
	// Reason is the break-the-glass reason, "" if none was given.
	Reason string
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
// purpose and reason given.
type FamilyRequest struct {
	Identity auth.Identity
	Family   auth.FamilyFacts
	Decision auth.Decision
	Purpose  string
	Reason   string
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
	Read   bool
	Handle FamilyHandlerFunc
}

// Purpose and reason request headers. The reason may be percent-encoded
// UTF-8 (headers are ASCII); query parameters purpose and reason are read
// when the headers are absent. Prefer the headers: URLs end up in proxy
// logs.
const (
	PurposeHeader = "X-Spoor-Purpose"
	ReasonHeader  = "X-Spoor-Reason"
)

// HandleFamily registers rt. For each request it: authenticates (as
// Handle); reads and checks the family id, purpose and reason; asks Families
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
			return BadRequest("invalid", "family", "family must be an id of 1 to 64 characters a-z, A-Z, 0-9, '-'")
		}
		purpose, reason, err := accessParams(r)
		if err != nil {
			return err
		}
		facts, err := s.cfg.Families.FamilyFacts(ctx, familyID)
		if err != nil {
			return fmt.Errorf("family %s: %w", familyID, err)
		}
		now := s.now()
		d := s.cfg.Policy.Decide(auth.AccessRequest{User: id.User, Family: &facts, Part: rt.Part, Purpose: purpose, Reason: reason, At: now})
		if purpose == "" {
			purpose = defaultPurpose(d)
		}
		if !d.Allowed || rt.Read {
			ev := AccessEvent{
				FamilyID: familyID, UserID: id.User.ID, Role: d.Role, Part: rt.Part, ItemID: vars["item"],
				Purpose: purpose, Outcome: d.Outcome(), Rule: d.Reason, Flags: d.Flags, Method: id.Method,
				At: now, RequestID: ops.RequestID(ctx),
			}
			if d.Allowed {
				ev.Reason = reason
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
		return rt.Handle(w, r, FamilyRequest{Identity: id, Family: facts, Decision: d, Purpose: purpose, Reason: reason})
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
func accessParams(r *http.Request) (purpose, reason string, err error) {
	purpose = r.Header.Get(PurposeHeader)
	if purpose == "" {
		purpose = r.URL.Query().Get("purpose")
	}
	if purpose != "" && !validCode(purpose) {
		return "", "", BadRequest("invalid", "purpose", "purpose must be a code of 1 to 40 characters a-z and '_'")
	}
	if h := r.Header.Get(ReasonHeader); h != "" {
		reason, err = url.PathUnescape(h)
		if err != nil {
			return "", "", BadRequest("invalid", "reason", "the reason header is not valid percent-encoding")
		}
	} else {
		reason = r.URL.Query().Get("reason")
	}
	if reason != "" && !auth.ValidReason(reason) {
		return "", "", BadRequest("invalid", "reason", fmt.Sprintf("a reason must be %d to %d characters", auth.MinReasonLen, auth.MaxReasonLen))
	}
	return purpose, reason, nil
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

func validCode(s string) bool {
	if len(s) == 0 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// validID accepts opaque ids: 1 to 64 characters a-z, A-Z, 0-9, '-'.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
