package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// TokenDirectory is what LedgerAccounts and the token list read: where a
// token id is found and which tokens a user holds. staffdir.Directory
// implements it.
type TokenDirectory interface {
	StaffDirectory
	// Tokens returns the live tokens of a user, oldest first.
	Tokens(userID string) []auth.Token
}

// LedgerAccounts implements Accounts over the ledger's staff streams: a
// token is a TokenIssued event on staff-<user> holding the token's SHA-256,
// a revocation a TokenRevoked event; the directory folds both. Each call
// waits until the directory shows the change, so the next request sees it.
type LedgerAccounts struct {
	Ledger *ledger.Service
	Dir    TokenDirectory
	// Now is the clock revocations are dated by (the team's time zone;
	// time.Now when nil).
	Now func() time.Time
}

func (a LedgerAccounts) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func actingRole(by auth.Identity) auth.Role {
	if by.User.Has(auth.RoleAdmin) {
		return auth.RoleAdmin
	}
	if len(by.User.Roles) > 0 {
		return by.User.Roles[0]
	}
	return ""
}

func (a LedgerAccounts) exec(ctx context.Context, by auth.Identity, user string, cmd domain.StaffCommand) error {
	meta := ledger.Meta{Actor: store.Actor{UserID: by.User.ID, Role: string(actingRole(by))}, CorrelationID: requestIDOf(ctx)}
	res, err := a.Ledger.ExecStaff(ctx, domain.StaffID(user), meta, cmd)
	if err != nil {
		return err
	}
	return a.Dir.WaitFor(ctx, res.LastPosition)
}

// IssueToken implements Accounts: a TokenIssued event on the user's stream.
// Errors: the domain's *RuleError (unknown user: not found; inactive user,
// malformed hash or expiry: 422; a reused id or hash: conflict), the
// store's errors.
func (a LedgerAccounts) IssueToken(ctx context.Context, by auth.Identity, t auth.Token) error {
	return a.exec(ctx, by, t.UserID, domain.IssueToken{
		TokenID: t.ID, Hash: t.Hash.String(), Label: t.Label, ExpiresAt: t.ExpiresAt, By: domain.StaffID(by.User.ID),
	})
}

// RevokeToken implements Accounts: a TokenRevoked event on the stream of
// the token's user. An unknown (or already revoked) token id is ErrNotFound.
func (a LedgerAccounts) RevokeToken(ctx context.Context, by auth.Identity, tokenID string) error {
	for _, u := range a.Dir.Users() {
		for _, t := range a.Dir.Tokens(u.ID) {
			if t.ID == tokenID {
				return a.exec(ctx, by, u.ID, domain.RevokeToken{TokenID: tokenID, Date: domain.DateOf(a.now()), By: domain.StaffID(by.User.ID)})
			}
		}
	}
	return fmt.Errorf("token %s: %w", tokenID, ErrNotFound)
}

// Tokens implements TokenLister for the list route.
func (a LedgerAccounts) Tokens(userID string) []auth.Token { return a.Dir.Tokens(userID) }

// TokenLister lists the live tokens of a user; an Accounts that implements
// it enables GET /api/v1/tokens.
type TokenLister interface {
	Tokens(userID string) []auth.Token
}

// listTokens: GET /api/v1/tokens?user_id= (admin) -> the live tokens of a
// user (never the token text).
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	lister := s.cfg.Accounts.(TokenLister)
	uid := r.URL.Query().Get("user_id")
	if !validID(uid) {
		return BadRequest("invalid", "user_id", "user_id must be a user id")
	}
	if _, err := s.cfg.Auth.Directory().UserByID(r.Context(), uid); err != nil {
		if errors.Is(err, auth.ErrUserNotFound) {
			return &Error{Status: http.StatusNotFound, Code: "not_found", Field: "user_id", Message: "no such user", Err: ErrNotFound}
		}
		return err
	}
	out := []tokenView{}
	for _, t := range lister.Tokens(uid) {
		out = append(out, tokenView{ID: t.ID, UserID: t.UserID, Label: t.Label, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

// LoginFailureLog is the record of failed logins the privacy officer reads
// (staffdir.Directory implements it).
type LoginFailureLog interface {
	// LoginFailures returns failed logins at or after since (zero: any),
	// newest first, at most limit.
	LoginFailures(since time.Time, limit int) []auth.FailedLogin
}

// loginFailures: GET /api/v1/security/login-failures?since=&limit= (privacy
// officer) -> failed logins, newest first. They hold staff ids and
// pseudonyms only, no family data: no access events.
func (s *Server) loginFailures(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return BadRequest("invalid", "since", "since must be an RFC 3339 instant such as 2026-03-10T08:00:00Z")
		}
		since = t
	}
	p, err := privacyPage(r)
	if err != nil {
		return err
	}
	limit := p.Limit
	if limit == 0 {
		limit = 100
	}
	WriteJSON(w, http.StatusOK, map[string]any{"login_failures": s.cfg.LoginFailures.LoginFailures(since, limit)})
	return nil
}
