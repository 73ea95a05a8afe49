package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/projections/assessments"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/projections/timeline"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Config is what the web UI is built from. Every field but Logger, Now,
// SecureCookies and Location is required.
type Config struct {
	// Auth logs users in and holds the sessions (the api.Server's).
	Auth *auth.Service
	// Ledger executes commands and loads a family's file (opened) once
	// access is decided and recorded.
	Ledger *ledger.Service
	// NewID names new things (contacts, spends, ...): UUIDs.
	NewID func() string
	// WaitFor blocks until the read models reached a log position (the
	// projections Runner's WaitFor), so a page after a write shows it.
	WaitFor func(ctx context.Context, position uint64) error

	Caseload    *caseload.Model
	Timeline    *timeline.Model
	Budget      *budget.Model
	Privacy     *privacy.Model
	Parket      *parket.Model
	Assessments *assessments.Model
	Outcomes    *outcomes.Model

	// Staff is the staff directory (staffdir.Directory): with it the
	// admin's staff pages are served and the back office and privacy
	// pages can name staff. Optional.
	Staff api.TokenDirectory
	// Accounts issues and revokes API tokens (api.LedgerAccounts); with it
	// the staff pages offer tokens. Optional.
	Accounts api.Accounts
	// LoginFailures is the record of failed logins; with it the privacy
	// officer's failed-logins page is served. Optional.
	LoginFailures api.LoginFailureLog
	// Hours are the team's working hours, for the flag on accesses the UI
	// decides itself (the back office's team list); auth.DefaultWorkingHours
	// in Location when zero.
	Hours auth.WorkingHours
	// Argon2 are the parameters of passwords the admin sets
	// (auth.DefaultArgon2Params when zero); Rand the source of drawn
	// passwords and tokens (crypto/rand when nil).
	Argon2 auth.Argon2Params
	Rand   io.Reader

	// Location is the team's time zone ("today"); Europe/Brussels when nil.
	Location *time.Location
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// SecureCookies marks the session and language cookies Secure.
	SecureCookies bool
	// Logger receives failures (no personal data); discarded when nil.
	Logger *slog.Logger
}

// UI is the server-rendered web UI. Build it with New and add its routes to
// an api.Server with Register. It is safe for concurrent use.
type UI struct {
	cfg    Config
	log    *slog.Logger
	pages  map[string]*template.Template
	s      *api.Server
	routes map[string]bool
	txt    texts
}

// New parses the embedded templates and returns the UI. Errors: a missing
// dependency or a template that does not parse.
func New(cfg Config) (*UI, error) {
	if cfg.Auth == nil || cfg.Ledger == nil || cfg.NewID == nil || cfg.WaitFor == nil || cfg.Caseload == nil ||
		cfg.Timeline == nil || cfg.Budget == nil || cfg.Privacy == nil || cfg.Parket == nil ||
		cfg.Assessments == nil || cfg.Outcomes == nil {
		return nil, errors.New("web: Config needs Auth, Ledger, NewID, WaitFor and every read model")
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/Brussels")
		if err != nil {
			loc = time.FixedZone("CET", 3600)
		}
		cfg.Location = loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Hours.Location == nil && len(cfg.Hours.Days) == 0 {
		cfg.Hours = auth.DefaultWorkingHours(cfg.Location)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &UI{cfg: cfg, log: log, pages: map[string]*template.Template{}, routes: map[string]bool{}, txt: newTexts()}
	addVocabulary(u.txt)
	addMoreTexts(u.txt)
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs(cfg.Location)).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		u.pages[base] = t
	}
	return u, nil
}

// Register adds the UI's routes to s: every page goes through s.Handle,
// s.HandleTeam or s.HandleFamily, so authentication, CSRF, the policy and
// the access events ("who saw what") are exactly the JSON API's. Errors
// those wrappers answer in JSON (401, 403, 404, 503) are turned into HTML
// pages (a login redirect for 401) by a router middleware that acts only
// on the UI's own routes. Call it once, before serving.
func (u *UI) Register(s *api.Server) {
	u.s = s
	s.Router().Use(u.htmlErrors)
	u.handle(http.MethodGet, "/static/{file}", api.Public(), u.static)
	u.handle(http.MethodGet, "/", api.Public(), u.home)
	u.handle(http.MethodGet, "/login", api.Public(), u.loginPage)
	u.handle(http.MethodPost, "/login", api.Public(), u.loginPost)
	u.handle(http.MethodPost, "/logout", api.Authenticated(), u.logout)
	u.handle(http.MethodGet, "/taal", api.Public(), u.language)
	u.registerCoach()
	u.registerCoordinator()
	u.registerPrivacy()
	u.registerFamilyMore()
	u.registerInfoRequests()
	u.registerPrivacyMore()
	u.registerAdmin()
	u.registerBackOffice()
}

func (u *UI) handle(method, path string, a api.Access, h api.HandlerFunc) {
	u.routes[path] = true
	u.s.Handle(method, path, a, h)
}

func (u *UI) team(method, path string, part auth.Part, h api.TeamHandlerFunc) {
	u.routes[path] = true
	u.s.HandleTeam(method, path, part, h)
}

func (u *UI) family(method, path string, part auth.Part, read bool, h api.FamilyHandlerFunc) {
	u.routes[path] = true
	u.s.HandleFamily(api.FamilyRoute{Method: method, Path: path, Part: part, Read: read, Handle: h})
}

func (u *UI) now() time.Time     { return u.cfg.Now().In(u.cfg.Location) }
func (u *UI) today() domain.Date { return domain.DateOf(u.now()) }

// htmlErrors turns the JSON errors of the api wrappers into HTML for the
// UI's routes.
func (u *UI) htmlErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := mux.CurrentRoute(r)
		tmpl := ""
		if route != nil {
			tmpl, _ = route.GetPathTemplate()
		}
		if !u.routes[tmpl] {
			next.ServeHTTP(w, r)
			return
		}
		cw := &captureWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		if !cw.captured {
			return
		}
		var body struct {
			Error struct {
				Code, Field, Message string
				RequestID            string `json:"request_id"`
			} `json:"error"`
		}
		_ = json.Unmarshal(cw.buf.Bytes(), &body)
		if cw.status == http.StatusUnauthorized {
			// Back to the page after logging in; a form's POST goes back to
			// its page when the same path can be read (GET), else home.
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				probe := r.Clone(r.Context())
				probe.Method = http.MethodGet
				var m mux.RouteMatch
				if !u.s.Router().Match(probe, &m) || m.MatchErr != nil {
					back = "/"
				}
			}
			http.Redirect(w, r, "/login?terug="+url.QueryEscape(back), http.StatusSeeOther)
			return
		}
		u.errorPage(w, r, cw.status, body.Error.Code, body.Error.Field, body.Error.RequestID)
	})
}

// captureWriter passes a response through unless it is a JSON error,
// which it keeps for htmlErrors to render.
type captureWriter struct {
	http.ResponseWriter
	status   int
	captured bool
	wrote    bool
	buf      bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.wrote {
		return
	}
	c.wrote = true
	c.status = code
	if code >= 400 && strings.HasPrefix(c.Header().Get("Content-Type"), "application/json") {
		c.captured = true
		c.Header().Del("Content-Type")
		c.Header().Del("Content-Length")
		return
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	if c.captured {
		return c.buf.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// errorPage renders an error (refusal, not found, audit down) in the
// user's language. A refusal that a reason would lift shows the break the
// glass form.
func (u *UI) errorPage(w http.ResponseWriter, r *http.Request, status int, code, field, reqID string) {
	p := u.newPage(r, "error.title")
	msg := "error." + code
	if _, ok := u.txt[msg]; !ok {
		msg = fmt.Sprintf("error.status%d", status)
		if _, ok := u.txt[msg]; !ok {
			msg = "error.internal"
		}
	}
	p.Data = map[string]any{
		"Status": status, "Message": msg, "Code": code, "RequestID": reqID, "Field": field,
		"ReasonForm": code == "reason_required" && r.Method == http.MethodGet,
		"Path":       r.URL.Path, "Reasons": []domain.BreakGlassReason{domain.GlassUrgentSafety, domain.GlassUnplannedCover, domain.GlassParketRequest, domain.GlassTeamReview, domain.GlassOther},
	}
	u.render(w, status, "error", p)
}

// page is what every template gets.
type page struct {
	txt       texts
	Lang      string
	Title     string
	User      *auth.User
	CSRF      string
	Path      string
	Flash     string
	Nav       []navItem
	Data      any
	FamilyID  string
	FamilyNav []navItem
	// Glass is the break-the-glass query ("reason=...&reason_note=...")
	// the page was opened with, carried on to the file's links and forms so
	// the reason is given once per visit.
	Glass template.URL
}

type navItem struct {
	Href, Label string
	Current     bool
}

// T translates a message key.
func (p *page) T(key string) string { return p.txt.tr(p.Lang, key) }

// L labels a code of a vocabulary (prefix such as "kind", "domain").
func (p *page) L(prefix string, code any) string {
	return p.txt.label(p.Lang, prefix, fmt.Sprint(code))
}

// Other returns the other language's code.
func (p *page) Other() string {
	if p.Lang == "en" {
		return "nl"
	}
	return "en"
}

// HasRole reports whether the user holds role.
func (p *page) HasRole(role string) bool { return p.User != nil && p.User.Has(auth.Role(role)) }

func (u *UI) newPage(r *http.Request, title string) *page {
	p := &page{txt: u.txt, Lang: langOf(r), Path: r.URL.Path}
	p.Title = u.txt.tr(p.Lang, title)
	if id, ok := api.IdentityFrom(r.Context()); ok {
		user := id.User
		p.User = &user
		p.CSRF = id.Session.CSRF
		p.Nav = u.nav(p, user)
	} else if c, err := r.Cookie(auth.SessionCookie); err == nil {
		// Public pages (home, error pages) still know who is logged in.
		if sess, err := u.cfg.Auth.Sessions().Lookup(c.Value); err == nil {
			if user, err := u.cfg.Auth.Directory().UserByID(r.Context(), sess.UserID); err == nil && !user.Disabled {
				p.User = &user
				p.CSRF = sess.CSRF
				p.Nav = u.nav(p, user)
			}
		}
	}
	p.Glass = template.URL(glassQuery(r)) // url.Values.Encode: safe in a query
	if f := r.URL.Query().Get("ok"); f != "" {
		if _, known := u.txt["flash."+f]; known {
			p.Flash = u.txt.tr(p.Lang, "flash."+f)
		}
	}
	return p
}

func (u *UI) nav(p *page, user auth.User) []navItem {
	var items []navItem
	add := func(href, key string) {
		items = append(items, navItem{Href: href, Label: u.txt.tr(p.Lang, key), Current: p.Path == href})
	}
	if user.Has(auth.RoleCoach) {
		add("/caseload", "nav.caseload")
	}
	if user.Has(auth.RoleCoordinator) {
		add("/team", "nav.team")
		add("/budget", "nav.budget")
		add("/raad", "nav.council")
		add("/uitkomsten", "nav.outcomes")
	}
	if user.Has(auth.RolePrivacyOfficer) {
		add("/privacy", "nav.privacy")
		add("/privacy/register", "nav.register")
		add("/privacy/controles", "nav.reviews")
		add("/privacy/zoeken", "nav.find")
		if u.cfg.LoginFailures != nil {
			add("/privacy/aanmeldingen", "nav.failures")
		}
	}
	if user.Has(auth.RoleCoach) || user.Has(auth.RoleCoordinator) {
		add("/aanmelding", "nav.referral")
	}
	if user.Has(auth.RoleBackOffice) {
		add("/backoffice", "nav.backoffice")
	}
	if user.Has(auth.RoleAdmin) && u.cfg.Staff != nil {
		add("/beheer/medewerkers", "nav.staff")
	}
	return items
}

// render executes page name; on a template failure it answers a plain 500
// (the page was not sent yet: templates render into a buffer first).
func (u *UI) render(w http.ResponseWriter, status int, name string, p *page) {
	t, ok := u.pages[name]
	if !ok {
		u.log.Error("web: no such template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		u.log.Error("web: template failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect sends the browser on after a successful POST (POST-redirect-GET).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (u *UI) static(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["file"]
	if name != "style.css" {
		return api.ErrNotFound
	}
	b, err := assets.ReadFile("static/" + name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
	return nil
}

// home sends a logged-in user to the first page of their role, others to
// the login page.
func (u *UI) home(w http.ResponseWriter, r *http.Request) error {
	p := u.newPage(r, "app.name")
	if p.User == nil {
		return redirect(w, r, "/login")
	}
	if len(p.Nav) > 0 {
		return redirect(w, r, p.Nav[0].Href)
	}
	u.render(w, http.StatusOK, "home", p)
	return nil
}

// loginCookie holds the login form's pre-session CSRF token (double
// submit): the form carries the same value in csrf_token, and a POST
// without both, equal, is refused. A site that cannot read or set the
// cookie (another origin) cannot forge a login ("login CSRF").
const loginCookie = "spoor_login"

// loginToken sets a fresh pre-session token on the response and returns it.
func (u *UI) loginToken(w http.ResponseWriter) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(u.rand(), b); err != nil {
		return "", fmt.Errorf("login token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", MaxAge: 2 * 3600,
		HttpOnly: true, Secure: u.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
	return tok, nil
}

// loginTokenOK reports whether the POST carries the pre-session token of
// its cookie.
func loginTokenOK(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) == 1
}

func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) error {
	p := u.newPage(r, "login.title")
	tok, err := u.loginToken(w)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	p.Data = map[string]any{"Back": safeBack(r.URL.Query().Get("terug")), "Login": "", "Error": "", "Token": tok}
	u.render(w, http.StatusOK, "login", p)
	return nil
}

func (u *UI) loginPost(w http.ResponseWriter, r *http.Request) error {
	p := u.newPage(r, "login.title")
	login := strings.TrimSpace(r.PostFormValue("login"))
	pw := r.PostFormValue("password")
	back := safeBack(r.PostFormValue("terug"))
	fail := func(status int, key string) error {
		tok, err := u.loginToken(w)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		p.Data = map[string]any{"Back": back, "Login": login, "Error": u.txt.tr(p.Lang, key), "Token": tok}
		u.render(w, status, "login", p)
		return nil
	}
	if !loginTokenOK(r) {
		// No password is checked (nor a failure logged) for a form that
		// did not come from this site's login page; what was typed as
		// login stays, the password does not.
		return fail(http.StatusForbidden, "login.expired")
	}
	if login == "" || pw == "" || len(login) > 2*auth.MaxLoginLen || len(pw) > auth.MaxPasswordLen {
		return fail(http.StatusBadRequest, "login.missing")
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	user, err := u.cfg.Auth.Login(r.Context(), login, pw, host)
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &te):
		return fail(http.StatusTooManyRequests, "login.throttled")
	case errors.Is(err, auth.ErrBadCredentials):
		return fail(http.StatusUnauthorized, "login.bad")
	case err != nil:
		return err
	}
	cookie, _, err := u.cfg.Auth.Sessions().Create(user.ID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: cookie, Path: "/",
		HttpOnly: true, Secure: u.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1,
		HttpOnly: true, Secure: u.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
	if back == "" {
		back = "/"
	}
	return redirect(w, r, back)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		u.cfg.Auth.Sessions().Delete(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: u.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return redirect(w, r, "/login?ok=logout")
}

// language sets the language cookie (nl or en) and goes back.
func (u *UI) language(w http.ResponseWriter, r *http.Request) error {
	l := r.URL.Query().Get("l")
	if l != "nl" && l != "en" {
		return api.BadRequest("invalid", "l", "l must be nl or en")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: u.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	back := safeBack(r.URL.Query().Get("terug"))
	if back == "" {
		back = "/"
	}
	return redirect(w, r, back)
}

// safeBack keeps only local paths (no open redirects).
func safeBack(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return ""
	}
	return s
}

// glassQuery is the request's break-the-glass reason as a query string, ""
// when none was given.
func glassQuery(r *http.Request) string {
	q := r.URL.Query()
	if q.Get("reason") == "" {
		return ""
	}
	g := url.Values{"reason": {q.Get("reason")}}
	if n := q.Get("reason_note"); n != "" {
		g.Set("reason_note", n)
	}
	return g.Encode()
}

// withGlass adds the break-the-glass query g to the local URL to (before
// its fragment).
func withGlass(to, g string) string {
	if g == "" {
		return to
	}
	frag := ""
	if i := strings.IndexByte(to, '#'); i >= 0 {
		to, frag = to[:i], to[i:]
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	return to + sep + g + frag
}
