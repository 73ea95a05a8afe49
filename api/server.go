package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"spoor/auth"
	"spoor/ledger"
	"spoor/ops"
)

// Config is what a Server is built from. Auth and Gatherer are required;
// the rest have defaults.
type Config struct {
	// Auth logs users in and owns the session table.
	Auth *auth.Service
	// Authenticator authenticates requests; Auth when nil.
	Authenticator auth.Authenticator
	// Accounts changes staff accounts through the log (tokens): use
	// LedgerAccounts. When nil the token routes are not served; GET
	// /api/v1/tokens needs an Accounts that is also a TokenLister.
	Accounts Accounts
	// LoginFailures is the record of failed logins; when set the privacy
	// officer reads it at GET /api/v1/security/login-failures.
	LoginFailures LoginFailureLog
	// Backups makes online backups; when nil POST /api/v1/backups is not
	// served.
	Backups Backuper
	// Ledger executes commands; with Staff it enables the staff routes.
	Ledger *ledger.Service
	// Staff is the staff directory the staff routes read and wait on.
	Staff StaffDirectory
	// WaitFor, if set, waits until the read models have applied a position
	// (projections.Runner.WaitFor); ExecFamily calls it after every command
	// so that the next read sees the write.
	WaitFor func(ctx context.Context, position uint64) error
	// Argon2 are the parameters new passwords are hashed with
	// (auth.DefaultArgon2Params when zero).
	Argon2 auth.Argon2Params
	// Models are the read models of the query routes.
	Models ReadModels
	// Policy decides access.
	Policy auth.Policy
	// Families gives the policy the facts of a family. When nil, no family
	// route may be registered (HandleFamily panics: a wiring error).
	Families Families
	// Access writes access events ("who saw what"). Required by
	// HandleFamily and RecordAccess (a nil Access there is a wiring error).
	Access AccessRecorder
	// Metrics are observed; may be nil.
	Metrics *ops.Metrics
	// Gatherer is served at /metrics.
	Gatherer prometheus.Gatherer
	// Ready is asked by /readyz; nil means always ready.
	Ready ops.ReadyFunc
	// Logger receives request failures; discarded when nil.
	Logger *slog.Logger
	// Now is the clock (time.Now when nil); Rand the source of token
	// randomness (crypto/rand when nil).
	Now  func() time.Time
	Rand io.Reader
	// SecureCookies sets the Secure attribute on the session cookie; set it
	// whenever the server is reached over TLS (directly or via a proxy).
	SecureCookies bool
	// MaxBodyBytes bounds request bodies (DefaultMaxBody when 0).
	MaxBodyBytes int64
}

// Server is Spoor's HTTP server: its router and the routes' plumbing.
// Build it with New, add routes with Handle, HandleTeam and HandleFamily
// before serving, and serve Handler().
type Server struct {
	cfg    Config
	log    *slog.Logger
	router *mux.Router
}

// HandlerFunc handles a request and returns an error instead of writing
// one; the server maps it with WriteError. A handler that returns an error
// must not have written a response.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Access says who may call a route registered with Handle.
type Access struct {
	public bool
	roles  []auth.Role
}

// Public routes need no identity (login, health, metrics, the API document).
func Public() Access { return Access{public: true} }

// Authenticated routes need any logged-in user or valid token.
func Authenticated() Access { return Access{} }

// Roles routes need a user holding one of roles. Prefer HandleTeam and
// HandleFamily, which ask the Policy, for anything that shows case data.
func Roles(roles ...auth.Role) Access { return Access{roles: roles} }

// New returns a server with the built-in routes: /healthz, /readyz,
// /metrics, and under /api/v1 login, logout, me, the OpenAPI document,
// with Accounts token issuance and revocation, and with Backups online
// backups.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil || cfg.Gatherer == nil {
		return nil, errors.New("api: Config needs Auth and Gatherer")
	}
	if cfg.Authenticator == nil {
		cfg.Authenticator = cfg.Auth
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBody
	}
	s := &Server{cfg: cfg, log: loggerOrDiscard(cfg.Logger), router: mux.NewRouter()}
	s.router.Use(recordRoute)
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, nil, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such route"})
	})
	s.router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "method not allowed on this route"})
	})

	s.router.Handle("/healthz", ops.HealthzHandler()).Methods(http.MethodGet)
	s.router.Handle("/readyz", ops.ReadyzHandler(cfg.Ready, 2*time.Second)).Methods(http.MethodGet)
	s.router.Handle("/metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{})).Methods(http.MethodGet)
	s.Handle(http.MethodGet, "/api/v1/openapi.yaml", Public(), s.openAPI)
	s.Handle(http.MethodPost, "/api/v1/login", Public(), s.login)
	s.Handle(http.MethodPost, "/api/v1/logout", Authenticated(), s.logout)
	s.Handle(http.MethodGet, "/api/v1/me", Authenticated(), s.me)
	if cfg.Accounts != nil {
		s.HandleTeam(http.MethodPost, "/api/v1/tokens", auth.PartStaff, s.issueToken)
		s.HandleTeam(http.MethodDelete, "/api/v1/tokens/{token}", auth.PartStaff, s.revokeToken)
		if _, ok := cfg.Accounts.(TokenLister); ok {
			s.HandleTeam(http.MethodGet, "/api/v1/tokens", auth.PartStaff, s.listTokens)
		}
	}
	if cfg.LoginFailures != nil {
		s.HandleTeam(http.MethodGet, "/api/v1/security/login-failures", auth.PartSecurityLog, s.loginFailures)
	}
	if cfg.Ledger != nil && cfg.Staff != nil {
		s.registerStaffRoutes()
	}
	s.registerModelRoutes()
	if cfg.Backups != nil {
		s.Handle(http.MethodPost, "/api/v1/backups", Roles(auth.RoleAdmin), s.backup)
	}
	return s, nil
}

// Handler returns the server's root handler, with request ids, security
// headers, metrics, panic recovery and body limits around the router.
func (s *Server) Handler() http.Handler { return s.outer(s.router) }

// Router returns the router, for packages that add routes of their own (the
// web UI) and for tests that walk it. Routes added directly get the outer
// middleware but not authentication: use Handle where possible.
func (s *Server) Router() *mux.Router { return s.router }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

func (s *Server) now() time.Time { return s.cfg.Now() }

// Handle registers h for method and path (a mux template such as
// /api/v1/staff/{staff}) with access a. For non-public routes it
// authenticates the request (401 otherwise), checks the CSRF token of
// cookie-authenticated state-changing requests (403), checks the roles of a
// (403), and puts the identity in the context (IdentityFrom).
func (s *Server) Handle(method, path string, a Access, h HandlerFunc) {
	s.router.Handle(path, s.wrap(a, h)).Methods(method)
}

func (s *Server) wrap(a Access, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.public {
			id, err := s.cfg.Authenticator.Authenticate(r)
			if err != nil {
				WriteError(w, r, s.log, err)
				return
			}
			if err := CheckCSRF(r, id); err != nil {
				WriteError(w, r, s.log, err)
				return
			}
			if len(a.roles) > 0 && !slices.ContainsFunc(a.roles, id.User.Has) {
				WriteError(w, r, s.log, ErrForbidden)
				return
			}
			r = r.WithContext(WithIdentity(r.Context(), id))
		}
		if err := h(w, r); err != nil {
			WriteError(w, r, s.log, err)
		}
	})
}

// TeamRequest is what a team-level handler gets: the identity and the
// policy's decision (allowed) for the route's part.
type TeamRequest struct {
	Identity auth.Identity
	Decision auth.Decision
	Purpose  string
}

// TeamHandlerFunc handles a team-level request the policy allowed.
type TeamHandlerFunc func(w http.ResponseWriter, r *http.Request, tr TeamRequest) error

// HandleTeam registers a route for a team-level part (caseload, council
// report, outcomes, disclosure register, access log, staff): the request is
// authenticated as by Handle and the Policy decides for part with no family;
// a refusal is 403. Handlers that list families' personal data must call
// RecordAccess for each family before writing the response.
func (s *Server) HandleTeam(method, path string, part auth.Part, h TeamHandlerFunc) {
	s.Handle(method, path, Authenticated(), func(w http.ResponseWriter, r *http.Request) error {
		id, _ := IdentityFrom(r.Context())
		ap, err := accessParams(r)
		if err != nil {
			return err
		}
		d := s.cfg.Policy.Decide(auth.AccessRequest{User: id.User, Part: part, Purpose: ap.Purpose, Reason: ap.Reason, At: s.now()})
		if !d.Allowed {
			s.cfg.Metrics.ObserveAccess(string(part), d.Outcome())
			return &Error{Status: http.StatusForbidden, Code: "forbidden", Field: "", Message: "not permitted: " + d.Reason, Err: ErrForbidden}
		}
		if ap.Purpose == "" {
			ap.Purpose = defaultPurpose(d)
		}
		return h(w, r, TeamRequest{Identity: id, Decision: d, Purpose: ap.Purpose})
	})
}

// ServeHTTP serves the server's root handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Handler().ServeHTTP(w, r) }
