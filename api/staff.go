package api

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// StaffDirectory is the directory the staff routes read and wait on: the
// auth.Directory of the server plus the list of users and read-your-writes.
// staffdir.Directory implements it.
type StaffDirectory interface {
	auth.Directory
	// Users returns every user, ordered by login.
	Users() []auth.User
	// WaitFor blocks until the directory has seen position.
	WaitFor(ctx context.Context, position uint64) error
}

// staffView is a staff member as the admin sees it.
type staffView struct {
	ID       string      `json:"id"`
	Login    string      `json:"login"`
	Name     string      `json:"name,omitempty"`
	Roles    []auth.Role `json:"roles"`
	Disabled bool        `json:"disabled"`
}

func viewStaff(u auth.User) staffView {
	roles := u.Roles
	if roles == nil {
		roles = []auth.Role{}
	}
	return staffView{ID: u.ID, Login: u.Login, Name: u.Name, Roles: roles, Disabled: u.Disabled}
}

// registerStaffRoutes adds the staff routes (admin) and the password change
// of the logged-in user; New calls it when Config.Ledger and Config.Staff
// are set.
func (s *Server) registerStaffRoutes() {
	s.HandleTeam(http.MethodGet, "/api/v1/staff", auth.PartStaff, s.listStaff)
	s.HandleTeam(http.MethodPost, "/api/v1/staff", auth.PartStaff, s.registerStaff)
	s.HandleTeam(http.MethodPost, "/api/v1/staff/{staff}/roles", auth.PartStaff, s.grantRole)
	s.HandleTeam(http.MethodDelete, "/api/v1/staff/{staff}/roles/{role}", auth.PartStaff, s.revokeRole)
	s.HandleTeam(http.MethodPost, "/api/v1/staff/{staff}/deactivate", auth.PartStaff, s.deactivateStaff)
	s.HandleTeam(http.MethodPost, "/api/v1/staff/{staff}/reactivate", auth.PartStaff, s.reactivateStaff)
	s.HandleTeam(http.MethodPut, "/api/v1/staff/{staff}/password", auth.PartStaff, s.resetPassword)
	s.Handle(http.MethodPost, "/api/v1/me/password", Authenticated(), s.changePassword)
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	users := s.cfg.Staff.Users()
	out := make([]staffView, 0, len(users))
	for _, u := range users {
		out = append(out, viewStaff(u))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"staff": out})
	return nil
}

type registerStaffRequest struct {
	Login       string      `json:"login"`
	DisplayName string      `json:"display_name"`
	Email       string      `json:"email"`
	Roles       []auth.Role `json:"roles"`
}

// execStaff runs one staff command through the ledger as the caller and
// waits until the directory shows it.
func (s *Server) execStaff(ctx context.Context, by auth.Identity, role auth.Role, id string, cmd domain.StaffCommand) error {
	meta := ledger.Meta{Actor: store.Actor{UserID: by.User.ID, Role: string(role)}, CorrelationID: requestIDOf(ctx)}
	res, err := s.cfg.Ledger.ExecStaff(ctx, domain.StaffID(id), meta, cmd)
	if err != nil {
		return err
	}
	return s.cfg.Staff.WaitFor(ctx, res.LastPosition)
}

func (s *Server) today() domain.Date { return domain.DateOf(s.now()) }

// registerStaff: POST /api/v1/staff -> 201 with the new staff member (no
// password yet: set one with PUT /api/v1/staff/{staff}/password).
func (s *Server) registerStaff(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	var req registerStaffRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	req.Login = auth.NormalizeLogin(req.Login)
	for _, role := range req.Roles {
		if !role.Valid() {
			return BadRequest("invalid", "roles", "roles must be among coach, coordinator, privacy_officer, back_office, admin")
		}
	}
	if req.Login != "" {
		if _, err := s.cfg.Staff.UserByLogin(r.Context(), req.Login); err == nil {
			return &Error{Status: http.StatusConflict, Code: "staff.login_taken", Field: "login", Message: "another staff member has this login"}
		}
	}
	id, err := newID(s.rand())
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.execStaff(ctx, tr.Identity, tr.Decision.Role, id, domain.RegisterStaff{
		StaffID: domain.StaffID(id), Date: s.today(), Login: req.Login, DisplayName: req.DisplayName, Email: req.Email,
	}); err != nil {
		return err
	}
	for _, role := range req.Roles {
		if err := s.execStaff(ctx, tr.Identity, tr.Decision.Role, id, domain.GrantRole{Role: domain.Role(role), Date: s.today(), By: domain.StaffID(tr.Identity.User.ID)}); err != nil {
			return err
		}
	}
	u, err := s.cfg.Staff.UserByID(ctx, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, viewStaff(u))
	return nil
}

// staffTarget reads and checks the {staff} path variable.
func (s *Server) staffTarget(r *http.Request) (auth.User, error) {
	id := mux.Vars(r)["staff"]
	if !validID(id) {
		return auth.User{}, BadRequest("invalid", "staff", "staff must be a staff id")
	}
	return s.cfg.Staff.UserByID(r.Context(), id)
}

type roleRequest struct {
	Role auth.Role `json:"role"`
}

func (s *Server) grantRole(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	u, err := s.staffTarget(r)
	if err != nil {
		return err
	}
	var req roleRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	if !req.Role.Valid() {
		return BadRequest("invalid", "role", "role must be one of coach, coordinator, privacy_officer, back_office, admin")
	}
	return s.staffChanged(w, r, tr, u.ID, domain.GrantRole{Role: domain.Role(req.Role), Date: s.today(), By: domain.StaffID(tr.Identity.User.ID)})
}

func (s *Server) revokeRole(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	u, err := s.staffTarget(r)
	if err != nil {
		return err
	}
	role := auth.Role(mux.Vars(r)["role"])
	if !role.Valid() {
		return BadRequest("invalid", "role", "role must be one of coach, coordinator, privacy_officer, back_office, admin")
	}
	if u.ID == tr.Identity.User.ID && role == auth.RoleAdmin {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "staff.last_admin", Field: "role", Message: "you cannot revoke your own admin role"}
	}
	return s.staffChanged(w, r, tr, u.ID, domain.RevokeRole{Role: domain.Role(role), Date: s.today(), By: domain.StaffID(tr.Identity.User.ID)})
}

func (s *Server) deactivateStaff(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	u, err := s.staffTarget(r)
	if err != nil {
		return err
	}
	if u.ID == tr.Identity.User.ID {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "staff.self", Field: "staff", Message: "you cannot deactivate yourself"}
	}
	if err := s.staffChanged(w, r, tr, u.ID, domain.DeactivateStaff{Date: s.today(), By: domain.StaffID(tr.Identity.User.ID)}); err != nil {
		return err
	}
	s.cfg.Auth.Sessions().DeleteUser(u.ID)
	return nil
}

func (s *Server) reactivateStaff(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	u, err := s.staffTarget(r)
	if err != nil {
		return err
	}
	return s.staffChanged(w, r, tr, u.ID, domain.ReactivateStaff{Date: s.today(), By: domain.StaffID(tr.Identity.User.ID)})
}

// staffChanged executes cmd and answers 200 with the staff member as now
// known.
func (s *Server) staffChanged(w http.ResponseWriter, r *http.Request, tr TeamRequest, id string, cmd domain.StaffCommand) error {
	if err := s.execStaff(r.Context(), tr.Identity, tr.Decision.Role, id, cmd); err != nil {
		return err
	}
	u, err := s.cfg.Staff.UserByID(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewStaff(u))
	return nil
}

type passwordRequest struct {
	Password string `json:"password"`
}

// resetPassword: PUT /api/v1/staff/{staff}/password (admin) sets a
// password and ends the user's sessions.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, tr TeamRequest) error {
	u, err := s.staffTarget(r)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.setPassword(r.Context(), tr.Identity, tr.Decision.Role, u.ID, req.Password, "password"); err != nil {
		return err
	}
	s.cfg.Auth.Sessions().DeleteUser(u.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword: POST /api/v1/me/password -> 204; every session of the
// user ends (log in again with the new password).
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	id, _ := IdentityFrom(r.Context())
	var req changePasswordRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" {
		return BadRequest("required", "current_password", "current_password is required")
	}
	if _, err := s.cfg.Auth.Login(r.Context(), id.User.Login, req.CurrentPassword, clientAddr(r)); err != nil {
		if errors.Is(err, auth.ErrBadCredentials) {
			return &Error{Status: http.StatusUnprocessableEntity, Code: "wrong_password", Field: "current_password", Message: "the current password is not right", Err: err}
		}
		return err
	}
	role := auth.Role("")
	if len(id.User.Roles) > 0 {
		role = id.User.Roles[0]
	}
	if err := s.setPassword(r.Context(), id, role, id.User.ID, req.NewPassword, "new_password"); err != nil {
		return err
	}
	s.cfg.Auth.Sessions().DeleteUser(id.User.ID)
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setPassword(ctx context.Context, by auth.Identity, role auth.Role, userID, password, field string) error {
	if err := auth.CheckNewPassword(password); err != nil {
		return BadRequest("weak_password", field, err.Error())
	}
	hash, err := auth.HashPassword(password, s.argon(), s.rand())
	if err != nil {
		return err
	}
	return s.execStaff(ctx, by, role, userID, domain.SetPassword{Date: s.today(), Hash: hash})
}

func (s *Server) rand() interface{ Read([]byte) (int, error) } {
	if s.cfg.Rand != nil {
		return s.cfg.Rand
	}
	return rand.Reader
}

func (s *Server) argon() auth.Argon2Params {
	if s.cfg.Argon2.Memory == 0 {
		return auth.DefaultArgon2Params()
	}
	return s.cfg.Argon2
}
