package api

import (
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"spoor/auth"
)

// userView is a user as the API shows it.
type userView struct {
	ID    string      `json:"id"`
	Login string      `json:"login"`
	Name  string      `json:"name,omitempty"`
	Roles []auth.Role `json:"roles"`
}

func viewUser(u auth.User) userView {
	return userView{ID: u.ID, Login: u.Login, Name: u.Name, Roles: u.Roles}
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type sessionView struct {
	User      userView    `json:"user"`
	Method    auth.Method `json:"method"`
	CSRFToken string      `json:"csrf_token,omitempty"`
}

// login: POST /api/v1/login {"login","password"} -> 200 with the session
// cookie and the CSRF token; 401 for bad credentials; 429 when throttled.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Login == "" {
		return BadRequest("required", "login", "login is required")
	}
	if len(req.Login) > 2*auth.MaxLoginLen {
		return BadRequest("invalid", "login", "login is too long")
	}
	if req.Password == "" {
		return BadRequest("required", "password", "password is required")
	}
	if len(req.Password) > auth.MaxPasswordLen {
		return BadRequest("invalid", "password", "password is too long")
	}
	u, err := s.cfg.Auth.Login(r.Context(), req.Login, req.Password, clientAddr(r))
	if err != nil {
		return err
	}
	cookie, sess, err := s.cfg.Auth.Sessions().Create(u.ID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: cookie, Path: "/",
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	s.log.InfoContext(r.Context(), "login", "user", u.ID, "session", sess.ID)
	WriteJSON(w, http.StatusOK, sessionView{User: viewUser(u), Method: auth.MethodSession, CSRFToken: sess.CSRF})
	return nil
}

// logout: POST /api/v1/logout -> 204, the session ended and its cookie
// cleared. With a bearer token it is 400: tokens are revoked, not logged out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	id, _ := IdentityFrom(r.Context())
	if id.Method != auth.MethodSession {
		return BadRequest("not_a_session", "", "only a browser session can log out; revoke a token with DELETE /api/v1/tokens/{token}")
	}
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		s.cfg.Auth.Sessions().Delete(c.Value)
	}
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me: GET /api/v1/me -> the caller, how they authenticated, and (for a
// session) the CSRF token.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	id, _ := IdentityFrom(r.Context())
	v := sessionView{User: viewUser(id.User), Method: id.Method}
	if id.Method == auth.MethodSession {
		v.CSRFToken = id.Session.CSRF
	}
	WriteJSON(w, http.StatusOK, v)
	return nil
}

type tokenRequest struct {
	UserID        string `json:"user_id"`
	Label         string `json:"label"`
	ExpiresInDays int    `json:"expires_in_days"`
}

type tokenView struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Label     string    `json:"label"`
	Token     string    `json:"token,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Token lifetime bounds, in days.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 365
)

// issueToken: POST /api/v1/tokens {"user_id","label","expires_in_days"}
// (admin) -> 201 with the token, shown this once.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	var req tokenRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	if !validID(req.UserID) {
		return BadRequest("invalid", "user_id", "user_id must be a user id")
	}
	if req.Label == "" || len(req.Label) > 100 {
		return BadRequest("invalid", "label", "label must be 1 to 100 bytes saying what the token is for")
	}
	days := req.ExpiresInDays
	if days == 0 {
		days = DefaultTokenDays
	}
	if days < 1 || days > MaxTokenDays {
		return BadRequest("invalid", "expires_in_days", "expires_in_days must be 1 to 365")
	}
	u, err := s.cfg.Auth.Directory().UserByID(r.Context(), req.UserID)
	if err != nil {
		return err
	}
	if u.Disabled {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "user_disabled", Field: "user_id", Message: "the user is disabled"}
	}
	rnd := s.rand()
	plain, hash, err := auth.NewToken(rnd)
	if err != nil {
		return err
	}
	tid, err := newID(rnd)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	t := auth.Token{ID: tid, UserID: u.ID, Hash: hash, Label: req.Label, CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
	if err := s.cfg.Accounts.IssueToken(r.Context(), tr.Identity, t); err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, tokenView{ID: t.ID, UserID: t.UserID, Label: t.Label, Token: plain, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt})
	return nil
}

// revokeToken: DELETE /api/v1/tokens/{token} (admin) -> 204.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	tid := mux.Vars(r)["token"]
	if !validID(tid) {
		return BadRequest("invalid", "token", "token must be a token id")
	}
	if err := s.cfg.Accounts.RevokeToken(r.Context(), tr.Identity, tid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func newID(rnd io.Reader) (string, error) {
	u, err := uuid.NewRandomFromReader(rnd)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
