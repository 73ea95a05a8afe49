package web

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/ops"
	"spoor/store"
)

// Staff management (admin): the staff list, registering a staff member,
// roles, deactivation, passwords and API tokens. The admin sees no case
// content: these pages hold staff accounts only (auth.PartStaff), and the
// commands run through ledger.ExecStaff and api.Accounts as the JSON API's
// staff routes do.

func (u *UI) registerAdmin() {
	if u.cfg.Staff == nil {
		return
	}
	u.team(http.MethodGet, "/beheer/medewerkers", auth.PartStaff, u.staffListPage)
	u.team(http.MethodPost, "/beheer/medewerkers", auth.PartStaff, u.staffRegisterPost)
	u.team(http.MethodGet, "/beheer/medewerkers/{staff}", auth.PartStaff, u.staffPage)
	u.team(http.MethodPost, "/beheer/medewerkers/{staff}/{action}", auth.PartStaff, u.staffPost)
	if u.cfg.Accounts != nil {
		u.team(http.MethodPost, "/beheer/medewerkers/{staff}/tokens/{token}/intrekken", auth.PartStaff, u.tokenRevokePost)
	}
}

func (u *UI) roleOptions(lang string) []option {
	return options(u.txt, lang, "role", auth.Roles())
}

func (u *UI) staffRegisterForm(lang string) *form {
	return &form{ID: "staff", Title: u.txt.tr(lang, "staff.register"), Submit: u.txt.tr(lang, "staff.register"), Action: "/beheer/medewerkers",
		Fields: []*field{
			{Name: "login", Label: u.txt.tr(lang, "staff.login"), Type: "text", Required: true, Hint: u.txt.tr(lang, "staff.login_hint")},
			{Name: "display_name", Label: u.txt.tr(lang, "staff.name"), Type: "text", Required: true},
			{Name: "email", Label: u.txt.tr(lang, "staff.email"), Type: "text"},
			{Name: "roles", Label: u.txt.tr(lang, "staff.roles"), Type: "checkboxes", Options: u.roleOptions(lang), Required: true},
			{Name: "password", Label: u.txt.tr(lang, "staff.password"), Type: "password", Hint: u.txt.tr(lang, "staff.password_hint")},
		}}
}

type staffRow struct {
	ID, Login, Name string
	Roles           []string
	Disabled        bool
}

func (u *UI) staffListPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	p := u.newPage(r, "staff.title")
	u.renderStaffList(w, http.StatusOK, p, u.staffRegisterForm(p.Lang))
	return nil
}

func (u *UI) renderStaffList(w http.ResponseWriter, status int, p *page, f *form) {
	var rows []staffRow
	for _, s := range u.cfg.Staff.Users() {
		row := staffRow{ID: s.ID, Login: s.Login, Name: s.Name, Disabled: s.Disabled}
		for _, role := range s.Roles {
			row.Roles = append(row.Roles, p.L("role", role))
		}
		rows = append(rows, row)
	}
	p.Data = map[string]any{"Rows": rows, "Form": f}
	u.render(w, status, "staff", p)
}

// staffMeta is who runs a staff command: the admin, in the role the policy
// allowed.
func staffMeta(r *http.Request, tr api.TeamRequest) ledger.Meta {
	return ledger.Meta{Actor: store.Actor{UserID: tr.Identity.User.ID, Role: string(tr.Decision.Role)}, CorrelationID: ops.RequestID(r.Context())}
}

// execStaff runs cmd on the staff stream of id and waits until the
// directory shows it.
func (u *UI) execStaff(r *http.Request, tr api.TeamRequest, id string, cmd domain.StaffCommand) error {
	res, err := u.cfg.Ledger.ExecStaff(r.Context(), domain.StaffID(id), staffMeta(r, tr), cmd)
	if err != nil {
		return err
	}
	return u.cfg.Staff.WaitFor(r.Context(), res.LastPosition)
}

// setPassword checks and hashes pw and records it for id.
func (u *UI) setPassword(r *http.Request, tr api.TeamRequest, id, pw string) error {
	hash, err := auth.HashPassword(pw, u.argon(), u.rand())
	if err != nil {
		return err
	}
	if err := u.execStaff(r, tr, id, domain.SetPassword{Date: u.today(), Hash: hash}); err != nil {
		return err
	}
	u.cfg.Auth.Sessions().DeleteUser(id)
	return nil
}

func (u *UI) argon() auth.Argon2Params {
	if u.cfg.Argon2.Memory == 0 {
		return auth.DefaultArgon2Params()
	}
	return u.cfg.Argon2
}

func (u *UI) rand() interface{ Read([]byte) (int, error) } {
	if u.cfg.Rand != nil {
		return u.cfg.Rand
	}
	return rand.Reader
}

// newPassword reads the typed password (checked by auth.CheckNewPassword)
// or, when none was typed, draws one to show once.
func (u *UI) newPassword(rd *reader, name string) (pw string, drawn bool) {
	pw = rd.v.Get(name)
	if strings.TrimSpace(pw) == "" {
		gen, err := auth.RandomPassword(u.rand())
		if err != nil {
			rd.f.setError(name, rd.t.tr(rd.lang, "form.save_failed"))
			return "", false
		}
		return gen, true
	}
	if err := auth.CheckNewPassword(pw); err != nil {
		rd.f.setError(name, strings.ReplaceAll(rd.t.tr(rd.lang, "staff.weak_password"), "%d", strconv.Itoa(auth.MinPasswordLen)))
		return "", false
	}
	return pw, false
}

// staffFail puts a failed staff command next to its field (a domain rule)
// or on the form; it reports false for failures that are not the input's.
func (u *UI) staffFail(p *page, f *form, err error) bool {
	if f.ruleError(u.txt, p.Lang, err, map[string]string{"display_name": "display_name", "staff_id": ""}) {
		return true
	}
	return false
}

func (u *UI) staffRegisterPost(w http.ResponseWriter, r *http.Request, tr api.TeamRequest) error {
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "staff.title")
	f := u.staffRegisterForm(p.Lang)
	f.fill(vals)
	f.field("password").Value = "" // never sent back to the browser
	rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
	login := auth.NormalizeLogin(rd.str("login", true, 2*auth.MaxLoginLen))
	name := rd.str("display_name", true, 200)
	email := rd.str("email", false, 254)
	var roles []auth.Role
	for _, s := range rd.list("roles") {
		role := auth.Role(s)
		if !role.Valid() {
			f.setError("roles", u.txt.tr(p.Lang, "form.required"))
			continue
		}
		roles = append(roles, role)
	}
	if len(roles) == 0 {
		f.setError("roles", u.txt.tr(p.Lang, "staff.pick_role"))
	}
	if login != "" {
		if err := auth.ValidateLogin(login); err != nil {
			f.setError("login", u.txt.tr(p.Lang, "staff.bad_login"))
		} else if _, err := u.cfg.Staff.UserByLogin(r.Context(), login); err == nil {
			f.setError("login", u.txt.tr(p.Lang, "staff.login_taken"))
		}
	}
	pw, drawn := u.newPassword(rd, "password")
	if f.hasErrors() {
		f.Error = u.txt.tr(p.Lang, "form.fix")
		u.renderStaffList(w, http.StatusUnprocessableEntity, p, f)
		return nil
	}
	id := uuid.New().String()
	run := func() error {
		if err := u.execStaff(r, tr, id, domain.RegisterStaff{StaffID: domain.StaffID(id), Date: u.today(), Login: login, DisplayName: name, Email: email}); err != nil {
			return err
		}
		for _, role := range roles {
			if err := u.execStaff(r, tr, id, domain.GrantRole{Role: domain.Role(role), Date: u.today(), By: domain.StaffID(tr.Identity.User.ID)}); err != nil {
				return err
			}
		}
		return u.setPassword(r, tr, id, pw)
	}
	if err := run(); err != nil {
		if !u.staffFail(p, f, err) {
			u.log.ErrorContext(r.Context(), "web: staff command failed", "err", err)
			f.Error = u.txt.tr(p.Lang, "form.save_failed")
		}
		u.renderStaffList(w, http.StatusUnprocessableEntity, p, f)
		return nil
	}
	if drawn {
		return u.showSecret(w, r, "staff.password_once", pw, id)
	}
	return redirect(w, r, "/beheer/medewerkers/"+url.PathEscape(id)+"?ok=staff")
}

// showSecret answers a POST that created a secret (a drawn password, a
// token) with a page that shows it this once: it is kept nowhere, so the
// page is not cached and a reload does not show it again.
func (u *UI) showSecret(w http.ResponseWriter, r *http.Request, key, secret, staffID string) error {
	p := u.newPage(r, "staff.secret_title")
	w.Header().Set("Cache-Control", "no-store")
	p.Data = map[string]any{"Message": key, "Secret": secret, "Back": "/beheer/medewerkers/" + url.PathEscape(staffID)}
	u.render(w, http.StatusOK, "secret", p)
	return nil
}

type tokenRow struct {
	ID, Label          string
	Created, ExpiresAt time.Time
}

func (u *UI) staffForms(lang, id string) map[string]*form {
	base := "/beheer/medewerkers/" + url.PathEscape(id)
	return map[string]*form{
		"role": {ID: "role", Title: u.txt.tr(lang, "staff.grant"), Submit: u.txt.tr(lang, "staff.grant"), Action: base + "/rol",
			Fields: []*field{{Name: "role", Label: u.txt.tr(lang, "staff.role"), Type: "select", Required: true, Options: u.roleOptions(lang)}}},
		"password": {ID: "password", Title: u.txt.tr(lang, "staff.set_password"), Submit: u.txt.tr(lang, "staff.set_password"), Action: base + "/wachtwoord",
			Fields: []*field{{Name: "password", Label: u.txt.tr(lang, "staff.password"), Type: "password", Hint: u.txt.tr(lang, "staff.password_hint")}}},
		"token": {ID: "token", Title: u.txt.tr(lang, "staff.issue_token"), Submit: u.txt.tr(lang, "staff.issue_token"), Action: base + "/token",
			Fields: []*field{
				{Name: "label", Label: u.txt.tr(lang, "staff.token_label"), Type: "text", Required: true},
				{Name: "days", Label: u.txt.tr(lang, "staff.token_days"), Type: "number", Value: strconv.Itoa(api.DefaultTokenDays)},
			}},
	}
}

func (u *UI) staffTarget(r *http.Request) (auth.User, error) {
	id := muxVar(r, "staff")
	if !validStaffID(id) {
		return auth.User{}, api.ErrNotFound
	}
	usr, err := u.cfg.Staff.UserByID(r.Context(), id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return auth.User{}, api.ErrNotFound
	}
	return usr, err
}

// validStaffID accepts the ids staff streams use (UUIDs, or the short
// lower-case ids of seeded users).
func validStaffID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (u *UI) staffPage(w http.ResponseWriter, r *http.Request, tr api.TeamRequest) error {
	target, err := u.staffTarget(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "staff.title")
	u.renderStaff(w, http.StatusOK, p, tr, target, u.staffForms(p.Lang, target.ID))
	return nil
}

func (u *UI) renderStaff(w http.ResponseWriter, status int, p *page, tr api.TeamRequest, target auth.User, forms map[string]*form) {
	name := target.Name
	if name == "" {
		name = target.Login
	}
	p.Title = name + " · " + u.txt.tr(p.Lang, "staff.title")
	type roleRow struct{ Code, Label string }
	var roles []roleRow
	for _, role := range target.Roles {
		roles = append(roles, roleRow{string(role), p.L("role", role)})
	}
	var tokens []tokenRow
	if u.cfg.Accounts != nil {
		for _, t := range u.cfg.Staff.Tokens(target.ID) {
			tokens = append(tokens, tokenRow{ID: t.ID, Label: t.Label, Created: t.CreatedAt, ExpiresAt: t.ExpiresAt})
		}
		sort.Slice(tokens, func(i, j int) bool { return tokens[i].Created.Before(tokens[j].Created) })
	}
	p.Data = map[string]any{"Staff": target, "Name": name, "Roles": roles, "Tokens": tokens, "Forms": forms,
		"Self": target.ID == tr.Identity.User.ID, "HasTokens": u.cfg.Accounts != nil}
	u.render(w, status, "staffone", p)
}

// staffPost handles the actions on one staff member: rol (grant),
// rol-intrekken (revoke, role in the form), deactiveren, heractiveren,
// wachtwoord, token.
func (u *UI) staffPost(w http.ResponseWriter, r *http.Request, tr api.TeamRequest) error {
	target, err := u.staffTarget(r)
	if err != nil {
		return err
	}
	vals, err := parseForm(r)
	if err != nil {
		return err
	}
	p := u.newPage(r, "staff.title")
	forms := u.staffForms(p.Lang, target.ID)
	back := "/beheer/medewerkers/" + url.PathEscape(target.ID)
	by := domain.StaffID(tr.Identity.User.ID)
	fail := func(f *form, err error) error {
		if err != nil && !u.staffFail(p, f, err) {
			u.log.ErrorContext(r.Context(), "web: staff command failed", "err", err)
			f.Error = u.txt.tr(p.Lang, "form.save_failed")
		}
		if f.Error == "" {
			f.Error = u.txt.tr(p.Lang, "form.fix")
		}
		u.renderStaff(w, http.StatusUnprocessableEntity, p, tr, target, forms)
		return nil
	}
	switch muxVar(r, "action") {
	case "rol":
		f := forms["role"]
		f.fill(vals)
		role := auth.Role(vals.Get("role"))
		if !role.Valid() {
			f.setError("role", u.txt.tr(p.Lang, "staff.pick_role"))
			return fail(f, nil)
		}
		if err := u.execStaff(r, tr, target.ID, domain.GrantRole{Role: domain.Role(role), Date: u.today(), By: by}); err != nil {
			return fail(f, err)
		}
		return redirect(w, r, back+"?ok=role")
	case "rol-intrekken":
		f := forms["role"]
		role := auth.Role(vals.Get("role"))
		if !role.Valid() {
			f.Error = u.txt.tr(p.Lang, "staff.pick_role")
			return fail(f, nil)
		}
		if target.ID == tr.Identity.User.ID && role == auth.RoleAdmin {
			f.Error = u.txt.tr(p.Lang, "staff.own_admin")
			return fail(f, nil)
		}
		if err := u.execStaff(r, tr, target.ID, domain.RevokeRole{Role: domain.Role(role), Date: u.today(), By: by}); err != nil {
			return fail(f, err)
		}
		return redirect(w, r, back+"?ok=role")
	case "deactiveren":
		f := forms["role"]
		if target.ID == tr.Identity.User.ID {
			f.Error = u.txt.tr(p.Lang, "staff.self")
			return fail(f, nil)
		}
		if err := u.execStaff(r, tr, target.ID, domain.DeactivateStaff{Date: u.today(), By: by}); err != nil {
			return fail(f, err)
		}
		u.cfg.Auth.Sessions().DeleteUser(target.ID)
		return redirect(w, r, back+"?ok=deactivated")
	case "heractiveren":
		if err := u.execStaff(r, tr, target.ID, domain.ReactivateStaff{Date: u.today(), By: by}); err != nil {
			return fail(forms["role"], err)
		}
		return redirect(w, r, back+"?ok=reactivated")
	case "wachtwoord":
		f := forms["password"]
		rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
		pw, drawn := u.newPassword(rd, "password")
		if f.hasErrors() {
			return fail(f, nil)
		}
		if err := u.setPassword(r, tr, target.ID, pw); err != nil {
			return fail(f, err)
		}
		if drawn {
			return u.showSecret(w, r, "staff.password_once", pw, target.ID)
		}
		return redirect(w, r, back+"?ok=password")
	case "token":
		if u.cfg.Accounts == nil {
			return api.ErrNotFound
		}
		f := forms["token"]
		f.fill(vals)
		rd := &reader{t: u.txt, f: f, v: vals, lang: p.Lang}
		label := rd.str("label", true, 100)
		days := api.DefaultTokenDays
		if strings.TrimSpace(vals.Get("days")) != "" {
			days = rd.int("days", false)
			if days < 1 || days > api.MaxTokenDays {
				f.setError("days", strings.ReplaceAll(u.txt.tr(p.Lang, "staff.token_days_range"), "%d", strconv.Itoa(api.MaxTokenDays)))
			}
		}
		if target.Disabled {
			f.Error = u.txt.tr(p.Lang, "staff.disabled_no_token")
		}
		if f.hasErrors() {
			return fail(f, nil)
		}
		plain, hash, err := auth.NewToken(u.rand())
		if err != nil {
			return err
		}
		now := u.cfg.Now().UTC()
		t := auth.Token{ID: uuid.New().String(), UserID: target.ID, Hash: hash, Label: label, CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
		if err := u.cfg.Accounts.IssueToken(r.Context(), tr.Identity, t); err != nil {
			return fail(f, err)
		}
		return u.showSecret(w, r, "staff.token_once", plain, target.ID)
	}
	return api.ErrNotFound
}

func (u *UI) tokenRevokePost(w http.ResponseWriter, r *http.Request, tr api.TeamRequest) error {
	target, err := u.staffTarget(r)
	if err != nil {
		return err
	}
	tid := muxVar(r, "token")
	owned := false
	for _, t := range u.cfg.Staff.Tokens(target.ID) {
		owned = owned || t.ID == tid
	}
	if !owned {
		return api.ErrNotFound
	}
	if err := u.cfg.Accounts.RevokeToken(r.Context(), tr.Identity, tid); err != nil {
		return err
	}
	return redirect(w, r, "/beheer/medewerkers/"+url.PathEscape(target.ID)+"?ok=token_revoked")
}
