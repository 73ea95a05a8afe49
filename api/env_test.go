package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"spoor/auth"
	"spoor/auth/staffdir"
	"spoor/domain"
	"spoor/ledger"
	"spoor/ops"
	"spoor/projections"
	"spoor/projections/assessments"
	"spoor/projections/budget"
	"spoor/projections/caseload"
	"spoor/projections/outcomes"
	"spoor/projections/parket"
	"spoor/projections/privacy"
	"spoor/projections/timeline"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

// fastArgon keeps logins in tests quick; the server uses the same
// parameters for its dummy hash.
var fastArgon = auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

const testPassword = "correct horse battery staple"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// families gives fixed facts for two families that exist only for the
// policy (f-ann, f-bart: the audit tests need no case history), and the
// caseload read model's facts for every family in the log.
type families struct {
	fixed map[string]auth.FamilyFacts
	model CaseloadFamilies
}

func (f families) FamilyFacts(ctx context.Context, id string) (auth.FamilyFacts, error) {
	if ff, ok := f.fixed[id]; ok {
		return ff, nil
	}
	return f.model.FamilyFacts(ctx, id)
}

type env struct {
	t        testing.TB
	srv      *httptest.Server
	server   *Server
	dir      *staffdir.Directory
	reg      *prometheus.Registry
	st       *pebble.Store
	sealer   *store.Sealer
	models   ReadModels
	runner   *projections.Runner
	clock    *clock
	mu       sync.Mutex
	failures []auth.LoginFailure
}

// Staff of the test team.
var testUsers = []auth.User{
	{ID: "u-admin", Login: "admin", Roles: []auth.Role{auth.RoleAdmin}},
	{ID: "u-ann", Login: "ann", Name: "Ann Peeters", Roles: []auth.Role{auth.RoleCoach}},
	{ID: "u-bart", Login: "bart", Roles: []auth.Role{auth.RoleCoach}},
	{ID: "u-cora", Login: "cora", Roles: []auth.Role{auth.RoleCoordinator}},
	{ID: "u-pia", Login: "pia", Roles: []auth.Role{auth.RolePrivacyOfficer}},
	{ID: "u-bo", Login: "boff", Roles: []auth.Role{auth.RoleBackOffice}},
}

// newEnv starts the real server wiring on a loopback port with a Pebble
// store in a temporary directory. extra registers routes before serving.
func newEnv(t testing.TB, extra func(*Server)) *env {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	e := &env{t: t, reg: prometheus.NewRegistry(),
		clock: &clock{t: time.Date(2026, 3, 10, 10, 0, 0, 0, loc)}}
	e.st, err = pebble.Open(t.TempDir(), pebble.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	ks, err := keyfile.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	kek := make([]byte, store.KEKSize)
	rand.Read(kek)
	if e.sealer, err = store.NewSealer(kek, ks, nil); err != nil {
		t.Fatal(err)
	}
	m, err := ops.NewMetrics(e.reg)
	if err != nil {
		t.Fatal(err)
	}
	led, err := ledger.New(ops.InstrumentStore(e.st, m, nil), e.sealer, e.clock.Now, uuid.NewString, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The staff live in the log, registered through the ledger, and the
	// directory follows it, as in serve.
	e.dir = staffdir.New(e.st, e.sealer, nil)
	ctx, cancel := context.WithCancel(context.Background())
	dirDone := make(chan struct{})
	go func() { e.dir.Run(ctx); close(dirDone) }()
	t.Cleanup(func() { cancel(); <-dirDone })
	hash, err := auth.HashPassword(testPassword, fastArgon, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	today := domain.DateOf(e.clock.Now())
	var last uint64
	for _, u := range testUsers {
		id := domain.StaffID(u.ID)
		name := u.Name
		if name == "" {
			name = "Staff " + u.Login
		}
		cmds := []domain.StaffCommand{domain.RegisterStaff{StaffID: id, Date: today, Login: u.Login, DisplayName: name}}
		for _, role := range u.Roles {
			cmds = append(cmds, domain.GrantRole{Role: domain.Role(role), Date: today, By: "u-admin"})
		}
		cmds = append(cmds, domain.SetPassword{Date: today, Hash: hash})
		for _, cmd := range cmds {
			res, err := led.ExecStaff(ctx, id, ledger.Meta{Actor: store.Actor{UserID: "system", Role: "system"}}, cmd)
			if err != nil {
				t.Fatalf("%s: %T: %v", u.Login, cmd, err)
			}
			last = res.LastPosition
		}
	}
	if err := e.dir.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	// Read models, fed by a runner as in serve.
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	popts := privacy.DefaultOptions()
	popts.Location = loc
	e.models = ReadModels{Caseload: caseload.New(domain.DefaultTeamSettings()), Timeline: timeline.New(),
		Budget: budget.New(), Parket: parket.New(), Privacy: privacy.New(popts), Outcomes: outcomes.New(cat),
		Assessments: assessments.New(cat, assessments.DefaultOptions())}
	if e.runner, err = projections.NewRunner(e.st, []projections.Model{e.models.Caseload, e.models.Timeline,
		e.models.Budget, e.models.Parket, e.models.Privacy, e.models.Outcomes, e.models.Assessments}, projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	runDone := make(chan struct{})
	go func() { e.runner.Run(ctx); close(runDone) }()
	t.Cleanup(func() { cancel(); <-runDone })
	secLog := staffdir.NewSecurityLog(e.st, e.sealer, uuid.NewString)
	svc := auth.NewService(auth.Config{
		Directory: e.dir,
		Sessions:  auth.NewSessions(auth.DefaultSessionOptions(), rand.Reader, e.clock.Now),
		Throttle:  auth.NewThrottle(auth.ThrottleOptions{PerLogin: 3, PerAddress: 50, Window: 15 * time.Minute, Lockout: 15 * time.Minute}, e.clock.Now),
		Argon2:    fastArgon, Metrics: m, Now: e.clock.Now, Rand: rand.Reader,
		OnLoginFailure: func(ctx context.Context, f auth.LoginFailure) error {
			e.mu.Lock()
			e.failures = append(e.failures, f)
			e.mu.Unlock()
			return secLog.Record(ctx, f)
		},
	})
	e.server, err = New(Config{
		Auth: svc, Accounts: LedgerAccounts{Ledger: led, Dir: e.dir, Now: e.clock.Now}, LoginFailures: e.dir, Ledger: led, Staff: e.dir, Argon2: fastArgon, Backups: storeBackups{e, t.TempDir()}, Policy: auth.Policy{Hours: auth.DefaultWorkingHours(loc)},
		Families: families{
			fixed: map[string]auth.FamilyFacts{
				"f-ann":  {ID: "f-ann", AssignedCoach: "u-ann"},
				"f-bart": {ID: "f-bart", AssignedCoach: "u-bart", Covers: []auth.Cover{{CoachID: "u-ann", From: e.clock.Now().AddDate(0, 0, 1)}}},
			},
			model: CaseloadFamilies{Model: e.models.Caseload, Location: loc},
		},
		Models: e.models, WaitFor: e.runner.WaitFor,
		Access: LedgerRecorder{led}, Metrics: m, Gatherer: e.reg,
		Now: e.clock.Now, MaxBodyBytes: DefaultMaxBody,
	})
	if err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		extra(e.server)
	}
	e.srv = httptest.NewServer(e.server.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser-like client with a cookie jar.
type client struct {
	e    *env
	http *http.Client
	csrf string
	// bearer, if set, is sent as the Authorization header.
	bearer string
	// header is added to every request.
	header http.Header
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar}, header: http.Header{}}
}

// login logs in as login and remembers the CSRF token.
func (e *env) login(login string) *client {
	e.t.Helper()
	c := e.client()
	res := c.do("POST", "/api/v1/login", map[string]string{"login": login, "password": testPassword})
	if res.code != 200 {
		e.t.Fatalf("login %s: %d %s", login, res.code, res.body)
	}
	c.csrf = res.json["csrf_token"].(string)
	return c
}

type response struct {
	code   int
	header http.Header
	body   string
	json   map[string]any
}

// errorField returns error.<name> of an error body.
func (r response) errorField(name string) string {
	e, _ := r.json["error"].(map[string]any)
	s, _ := e[name].(string)
	return s
}

func (c *client) do(method, path string, body any) response {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, _ := json.Marshal(b)
		rd = strings.NewReader(string(js))
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	return c.send(req)
}

func (c *client) send(req *http.Request) response {
	c.e.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := response{code: res.StatusCode, header: res.Header, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &r.json); err != nil {
			c.e.t.Fatalf("%s %s: body is not JSON: %v: %q", req.Method, req.URL.Path, err, b)
		}
	}
	return r
}

// accessEvents returns the access events of family as written by the
// ledger, with the break-the-glass note opened.
func (e *env) accessEvents(family string) []map[string]any {
	e.t.Helper()
	ctx := context.Background()
	var out []map[string]any
	for env, err := range e.st.ReadStream(ctx, "access-"+family, 1) {
		if errors.Is(err, store.ErrStreamNotFound) {
			return nil
		}
		if err != nil {
			e.t.Fatal(err)
		}
		o, err := e.sealer.Open(ctx, env.Data)
		if err != nil {
			e.t.Fatal(err)
		}
		ev, err := domain.Decode(env.Type, o.Public, o.Secret)
		if err != nil {
			e.t.Fatal(err)
		}
		m := map[string]any{"type": env.Type, "actor": env.Actor.UserID}
		switch ev := ev.(type) {
		case domain.RecordViewed:
			m["family_id"], m["user_id"], m["role"], m["part"] = string(ev.FamilyID), string(ev.UserID), string(ev.Role), string(ev.Part)
			m["purpose"], m["break_glass"], m["reason"], m["note"] = string(ev.Purpose), ev.BreakGlass, string(ev.Reason), ev.Sealed.Note
		case domain.RecordAccessRefused:
			m["family_id"], m["user_id"], m["role"], m["part"] = string(ev.FamilyID), string(ev.UserID), string(ev.Role), string(ev.Part)
			m["purpose"], m["rule"], m["break_glass"] = string(ev.Purpose), ev.Rule, false
		default:
			e.t.Fatalf("unexpected event %T in an access stream", ev)
		}
		out = append(out, m)
	}
	return out
}

func storeConflict() error { return store.ErrVersionConflict }

// storeBackups backs the test store up into dir, as serve does.
type storeBackups struct {
	e   *env
	dir string
}

func (b storeBackups) Backup(ctx context.Context) (Backup, error) {
	head, err := b.e.st.Head(ctx)
	if err != nil {
		return Backup{}, err
	}
	res := Backup{LogDir: filepath.Join(b.dir, fmt.Sprintf("b-%d", time.Now().UnixNano())), Head: head, At: b.e.clock.Now()}
	return res, b.e.st.Backup(ctx, res.LogDir)
}
