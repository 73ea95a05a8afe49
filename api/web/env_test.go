package web_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"spoor/api"
	"spoor/api/web"
	"spoor/auth"
	"spoor/auth/staffdir"
	"spoor/demo"
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

// demoPassword is the password of every demo user in these tests.
const demoPassword = "demo-wachtwoord-2026"

// env is the real server wiring (as `spoor serve` does it) on a loopback
// port, over a Pebble store seeded with the demo team's year.
type env struct {
	URL     string
	Summary demo.Summary
	Ledger  *ledger.Service
	Models  models
	Dir     *staffdir.Directory
	Loc     *time.Location
}

type models struct {
	Caseload    *caseload.Model
	Assessments *assessments.Model
	Parket      *parket.Model
	Privacy     *privacy.Model
	Outcomes    *outcomes.Model
	Budget      *budget.Model
	Timeline    *timeline.Model
}

// login returns the demo user id of login.
func (e *env) user(t testing.TB, login string) string {
	t.Helper()
	for _, s := range e.Summary.Staff {
		if s.Login == login {
			return string(s.ID)
		}
	}
	t.Fatalf("no demo user %s", login)
	return ""
}

// shared is the one seeded server of this package's tests (seeding a
// year takes a few seconds); TestMain stops it.
var shared struct {
	once sync.Once
	root string
	env  *env
	err  error
	stop func()
}

func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "spoor-web-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared.root = root
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	os.RemoveAll(root)
	os.Exit(code)
}

func startEnv(t testing.TB) *env {
	t.Helper()
	shared.once.Do(func() {
		n := 0
		shared.env, shared.stop, shared.err = newEnv(func() string {
			n++
			d := filepath.Join(shared.root, fmt.Sprint(n))
			_ = os.MkdirAll(d, 0o700)
			return d
		})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.env
}

// newEnv seeds and starts a server. tempDir gives directories that outlive
// the first test (the caller removes them).
func newEnv(tempDir func() string) (*env, func(), error) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	st, err := pebble.Open(tempDir(), pebble.DefaultOptions())
	if err != nil {
		return nil, nil, err
	}
	ks, err := keyfile.Open(tempDir())
	if err != nil {
		return nil, nil, err
	}
	kek := make([]byte, store.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		return nil, nil, err
	}
	sealer, err := store.NewSealer(kek, ks, nil)
	if err != nil {
		return nil, nil, err
	}
	clock := demo.NewClock(time.Now)
	led, err := ledger.New(st, sealer, func() time.Time { return clock.Now().In(loc) }, uuid.NewString, ledger.Options{})
	if err != nil {
		return nil, nil, err
	}
	fast := auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	sum, err := demo.Seed(ctx, led, demo.Options{Clock: clock, Password: demoPassword, Argon2: fast, Location: loc})
	if err != nil {
		return nil, nil, err
	}
	clock.Release()

	bg, cancel := context.WithCancel(ctx)
	dir := staffdir.New(st, sealer, nil)
	go func() { _ = dir.Run(bg) }()
	cat, err := domain.BuiltinCatalogue()
	if err != nil {
		cancel()
		return nil, nil, err
	}
	popts := privacy.DefaultOptions()
	popts.Location = loc
	m := models{
		Caseload: caseload.New(domain.DefaultTeamSettings()), Assessments: assessments.New(cat, assessments.DefaultOptions()),
		Parket: parket.New(), Privacy: privacy.New(popts), Outcomes: outcomes.New(cat), Budget: budget.New(), Timeline: timeline.New(),
	}
	runner, err := projections.NewRunner(st, []projections.Model{m.Caseload, m.Assessments, m.Parket, m.Privacy, m.Outcomes, m.Budget, m.Timeline}, projections.RunnerOptions{})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	go func() { _ = runner.Run(bg) }()
	head, err := st.Head(ctx)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := dir.WaitFor(wctx, head); err != nil {
		cancel()
		return nil, nil, err
	}
	if err := runner.WaitFor(wctx, head); err != nil {
		cancel()
		return nil, nil, err
	}

	reg := prometheus.NewRegistry()
	metrics, err := ops.NewMetrics(reg)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	authSvc := auth.NewService(auth.Config{
		Directory: dir,
		Sessions:  auth.NewSessions(auth.DefaultSessionOptions(), rand.Reader, time.Now),
		Throttle:  auth.NewThrottle(auth.DefaultThrottleOptions(), time.Now),
		Argon2:    fast, Metrics: metrics, Rand: rand.Reader,
		OnLoginFailure: staffdir.NewSecurityLog(st, sealer, uuid.NewString).Record,
	})
	accounts := api.LedgerAccounts{Ledger: led, Dir: dir}
	hours := auth.WorkingHours{Location: loc, Start: int(popts.WorkStart / time.Hour), End: int(popts.WorkEnd / time.Hour), Days: popts.WorkDays}
	srv, err := api.New(api.Config{
		Auth: authSvc, Policy: auth.Policy{Hours: hours},
		Access:   api.LedgerRecorder{Ledger: led},
		Families: api.CaseloadFamilies{Model: m.Caseload, Location: loc},
		Ledger:   led, Staff: dir, WaitFor: runner.WaitFor, Argon2: fast,
		Accounts: accounts, LoginFailures: dir,
		Models:  api.ReadModels{Caseload: m.Caseload, Timeline: m.Timeline},
		Metrics: metrics, Gatherer: reg, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	ui, err := web.New(web.Config{
		Auth: authSvc, Ledger: led, NewID: uuid.NewString, WaitFor: runner.WaitFor,
		Caseload: m.Caseload, Timeline: m.Timeline, Budget: m.Budget, Privacy: m.Privacy, Parket: m.Parket,
		Assessments: m.Assessments, Outcomes: m.Outcomes, Location: loc,
		Staff: dir, Accounts: accounts, LoginFailures: dir, Hours: hours, Argon2: fast,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	ui.Register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	stop := func() {
		_ = hs.Close()
		cancel()
		time.Sleep(50 * time.Millisecond)
		_ = st.Close()
		_ = ks.Close()
	}
	return &env{URL: "http://" + ln.Addr().String(), Summary: sum, Ledger: led, Models: m, Dir: dir, Loc: loc}, stop, nil
}
