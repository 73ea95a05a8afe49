package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/google/uuid"

	"spoor/api"
	"spoor/api/web"
	"spoor/auth"
	"spoor/auth/staffdir"
	"spoor/ledger"
	"spoor/ops"
	"spoor/projections"
	"spoor/store"
)

// server is what serve runs.
type server struct {
	url    string
	log    *slog.Logger
	st     store.Store
	be     *backend
	sealer *store.Sealer
	reg    *prometheus.Registry
	dir    *staffdir.Directory
	ledger *ledger.Service
	models *readModels
	runner *projections.Runner
	api    *api.Server
	http   *http.Server
}

// URL returns the address the server listens on, as a URL ("" when not
// serving).
func (m *Main) URL() string {
	if m.serve == nil {
		return ""
	}
	return m.serve.url
}

type serveConfig struct {
	addr, data, kekFile, storeKind string
	checkpointKeyFile              string
	backupDir, backupKeysDir       string
	adminLogin, adminPasswordFile  string
	checkpointEvery, verifyEvery   time.Duration
	secureCookies                  bool
	logFormat, logLevel            string
}

func (m *Main) serveFlags(args []string) (serveConfig, error) {
	var c serveConfig
	fs := m.flagSet("serve", "")
	fs.StringVar(&c.addr, "addr", m.env("SPOOR_ADDR", "127.0.0.1:8080"), "listen address (SPOOR_ADDR)")
	data := m.dataFlag(fs)
	fs.StringVar(&c.kekFile, "kek-file", m.env("SPOOR_KEK_FILE", ""), "key-encryption key file (SPOOR_KEK_FILE; default <data>/kek.key)")
	fs.StringVar(&c.checkpointKeyFile, "checkpoint-key-file", m.env("SPOOR_CHECKPOINT_KEY_FILE", ""), "checkpoint signing key (SPOOR_CHECKPOINT_KEY_FILE; default <data>/checkpoint.key)")
	every, err := time.ParseDuration(m.env("SPOOR_CHECKPOINT_INTERVAL", "10m"))
	if err != nil {
		return c, usageError{"SPOOR_CHECKPOINT_INTERVAL must be a duration such as 10m"}
	}
	fs.DurationVar(&c.checkpointEvery, "checkpoint-interval", every, "sign a checkpoint this often when the log grew; 0: only at shutdown (SPOOR_CHECKPOINT_INTERVAL)")
	vevery, err := time.ParseDuration(m.env("SPOOR_VERIFY_INTERVAL", "24h"))
	if err != nil {
		return c, usageError{"SPOOR_VERIFY_INTERVAL must be a duration such as 24h"}
	}
	fs.DurationVar(&c.verifyEvery, "verify-interval", vevery, "recompute the whole ledger this often and count failures in spoor_ledger_verify_failures_total; 0: never (SPOOR_VERIFY_INTERVAL)")
	fs.StringVar(&c.backupDir, "backup-dir", m.env("SPOOR_BACKUP_DIR", ""), "where POST /api/v1/backups puts log backups (SPOOR_BACKUP_DIR; default <data>-backups)")
	fs.StringVar(&c.backupKeysDir, "backup-keys-dir", m.env("SPOOR_BACKUP_KEYS_DIR", ""), "where online backups put the key store; empty: not backed up (SPOOR_BACKUP_KEYS_DIR)")
	fs.StringVar(&c.adminLogin, "admin-login", m.env("SPOOR_ADMIN_LOGIN", "admin"), "login of the administrator created on first run (SPOOR_ADMIN_LOGIN)")
	fs.StringVar(&c.adminPasswordFile, "admin-password-file", m.env("SPOOR_ADMIN_PASSWORD_FILE", ""), "first run: read the administrator's password from this file instead of printing a random one (SPOOR_ADMIN_PASSWORD_FILE)")
	fs.StringVar(&c.storeKind, "store", m.env("SPOOR_STORE", "embedded"), "event store: embedded or kurrentdb://... (SPOOR_STORE)")
	secure, _ := strconv.ParseBool(m.env("SPOOR_SECURE_COOKIES", "false"))
	fs.BoolVar(&c.secureCookies, "secure-cookies", secure, "mark the session cookie Secure (SPOOR_SECURE_COOKIES)")
	fs.StringVar(&c.logFormat, "log-format", m.env("SPOOR_LOG_FORMAT", "text"), "log format: text or json (SPOOR_LOG_FORMAT)")
	fs.StringVar(&c.logLevel, "log-level", m.env("SPOOR_LOG_LEVEL", "info"), "log level: debug, info, warn, error (SPOOR_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Arg(0))}
	}
	c.data = *data
	if c.storeKind != "embedded" && !isKurrent(c.storeKind) {
		return c, usageError{"-store must be embedded or a kurrentdb:// URL"}
	}
	if c.backupDir == "" {
		c.backupDir = filepath.Clean(c.data) + "-backups"
	}
	if c.backupKeysDir != "" && sameDir(c.backupKeysDir, c.backupDir) {
		return c, usageError{"-backup-keys-dir must differ from -backup-dir: keep key-store backups apart"}
	}
	return c, nil
}

func newLogger(m *Main, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("-log-level must be debug, info, warn or error, got %q", level)}
	}
	switch format {
	case "text":
		return ops.NewLogger(m.stderr, ops.LogText, lvl), nil
	case "json":
		return ops.NewLogger(m.stderr, ops.LogJSON, lvl), nil
	}
	return nil, usageError{fmt.Sprintf("-log-format must be text or json, got %q", format)}
}

// runServe opens the data directory, wires the server and starts serving.
// It returns once the listener is open.
func (m *Main) runServe(ctx context.Context, args []string) error {
	c, err := m.serveFlags(args)
	if err != nil {
		return err
	}
	log, err := newLogger(m, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	d := dataDir(c.data)
	s := &server{log: log}
	be, err := m.openBackend(ctx, d, c.storeKind, true, log.With("component", "store"))
	if err != nil {
		return err
	}
	m.onClose(be.close)
	s.st, s.be = be.st, be
	kek, err := loadKEK(d, kekSource{env: m.getenv("SPOOR_KEK"), file: c.kekFile}, be.fresh, m.stderr)
	if err != nil {
		return err
	}
	signer, _, err := loadCheckpointSigner(d, c.checkpointKeyFile, be.fresh, m.stderr)
	if err != nil {
		return err
	}
	if s.sealer, err = store.NewSealer(kek, be.keys, nil); err != nil {
		return err
	}
	// Failed logins keep unknown logins and client addresses as keyed
	// hashes; the key is derived from the KEK, so pseudonyms stay the same
	// across restarts and cannot be recomputed without the KEK.
	pseudonymKey := derivePseudonymKey(kek)
	clear(kek)

	s.reg = prometheus.NewRegistry()
	if err := s.reg.Register(collectors.NewGoCollector()); err != nil {
		return err
	}
	if err := s.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return err
	}
	metrics, err := ops.NewMetrics(s.reg)
	if err != nil {
		return err
	}
	instrumented := ops.InstrumentStore(s.st, metrics, nil)
	cp, err := store.NewCheckpointer(signer, time.Now)
	if err != nil {
		return err
	}
	m.onClose(startCheckpoints(cp, s.st, c.checkpointEvery, log.With("component", "checkpoints")).Close)

	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return fmt.Errorf("load time zone: %w", err)
	}
	teamNow := func() time.Time { return time.Now().In(loc) }
	s.ledger, err = ledger.New(instrumented, s.sealer, teamNow, uuid.NewString, ledger.Options{})
	if err != nil {
		return err
	}

	// The staff directory follows the log; serve waits until it has caught
	// up with what is stored, then creates the first administrator if there
	// is no staff member at all.
	s.dir = staffdir.New(s.st, s.sealer, log.With("component", "staffdir"))
	bg, stopBG := context.WithCancel(context.Background())
	dirStopped := make(chan struct{})
	var dirErr error
	go func() {
		defer close(dirStopped)
		dirErr = s.dir.Run(bg)
		if bg.Err() == nil {
			log.Error("the staff directory stopped; logins see no changes", "err", dirErr)
		}
	}()
	m.onClose(func() error {
		stopBG()
		<-dirStopped
		if dirErr != nil && !errors.Is(dirErr, context.Canceled) && !errors.Is(dirErr, store.ErrClosed) {
			return fmt.Errorf("staff directory: %w", dirErr)
		}
		return nil
	})
	head, err := s.st.Head(ctx)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = s.dir.WaitFor(wctx, head)
	cancel()
	if err != nil {
		return fmt.Errorf("load the staff directory: %w", err)
	}
	if s.dir.Staff() == 0 {
		password, err := firstAdmin(ctx, s.ledger, s.dir, c.adminLogin, c.adminPasswordFile, teamNow())
		if err != nil {
			return err
		}
		if password != "" {
			fmt.Fprintf(m.stdout, "First run: created the administrator %q with the password\n\n    %s\n\n"+
				"It is shown only now. Log in and give it to nobody; set your own with -admin-password-file next time you start a new data directory.\n", c.adminLogin, password)
		} else {
			fmt.Fprintf(m.stdout, "First run: created the administrator %q with the password from %s\n", c.adminLogin, c.adminPasswordFile)
		}
	}
	go verifyLoop(bg, s.st, c.verifyEvery, log.With("component", "verify"), metrics.ObserveVerifyFailure)

	// The read models: caught up before serving (snapshots make that quick).
	s.models, err = newReadModels(loc)
	if err != nil {
		return err
	}
	s.runner, err = newRunner(d, s.st, s.models, log.With("component", "projections"), metrics)
	if err != nil {
		return err
	}
	runStopped := make(chan struct{})
	var runErr error
	go func() {
		defer close(runStopped)
		runErr = s.runner.Run(bg)
		if bg.Err() == nil {
			log.Error("the read models stopped following the log", "err", runErr)
		}
	}()
	m.onClose(func() error {
		stopBG()
		<-runStopped
		if runErr != nil && !errors.Is(runErr, context.Canceled) && !errors.Is(runErr, store.ErrClosed) {
			return fmt.Errorf("read models: %w", runErr)
		}
		return nil
	})
	if head, err = s.st.Head(ctx); err != nil {
		return err
	}
	wctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
	err = s.runner.WaitFor(wctx, head)
	cancel()
	if err != nil {
		return fmt.Errorf("bring the read models up to date: %w", err)
	}

	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-bg.Done():
				return
			case <-t.C:
				if lag, err := s.dir.Lag(bg); err == nil {
					metrics.SetProjectionLag("staff_directory", lag)
				}
			}
		}
	}()

	argon := auth.DefaultArgon2Params()
	authSvc := auth.NewService(auth.Config{
		Directory: s.dir,
		Sessions:  auth.NewSessions(auth.DefaultSessionOptions(), rand.Reader, time.Now),
		Throttle:  auth.NewThrottle(auth.DefaultThrottleOptions(), time.Now),
		Argon2:    argon, Metrics: metrics, Rand: rand.Reader,
		PseudonymKey:   pseudonymKey,
		OnLoginFailure: staffdir.NewSecurityLog(instrumented, s.sealer, uuid.NewString).Record,
	})
	cfg := api.Config{
		Auth:     authSvc,
		Policy:   auth.Policy{Hours: s.models.Hours},
		Access:   api.LedgerRecorder{Ledger: s.ledger},
		Families: api.CaseloadFamilies{Model: s.models.Caseload, Location: loc},
		Ledger:   s.ledger,
		Staff:    s.dir,
		Accounts: api.LedgerAccounts{Ledger: s.ledger, Dir: s.dir, Now: teamNow},
		// The staff directory folds the security stream too.
		LoginFailures: s.dir,
		WaitFor:       s.runner.WaitFor,
		Models: api.ReadModels{Caseload: s.models.Caseload, Timeline: s.models.Timeline, Budget: s.models.Budget,
			Parket: s.models.Parket, Privacy: s.models.Privacy, Outcomes: s.models.Outcomes, Assessments: s.models.Assessments},
		Metrics:  metrics,
		Gatherer: s.reg,
		Ready: func(ctx context.Context) error {
			select {
			case <-dirStopped:
				return errors.New("the staff directory stopped")
			case <-runStopped:
				return errors.New("the read models stopped")
			default:
			}
			if !s.runner.Ready() {
				return errors.New("the read models are catching up")
			}
			lag, err := s.dir.Lag(ctx)
			if err != nil {
				return errors.New("event store not reachable")
			}
			if lag > 10_000 {
				return fmt.Errorf("the staff directory is %d events behind", lag)
			}
			return nil
		},
		Logger:        log,
		SecureCookies: c.secureCookies,
	}
	if be.embedded != nil {
		// Online backups are Pebble checkpoints; a KurrentDB cluster is
		// backed up with its own tools.
		cfg.Backups = onlineBackups{st: be.embedded, keys: be.keyfile, logRoot: c.backupDir, keysRoot: c.backupKeysDir, now: time.Now}
	}
	if s.api, err = api.New(cfg); err != nil {
		return err
	}
	ui, err := web.New(web.Config{
		Auth: authSvc, Ledger: s.ledger, NewID: uuid.NewString, WaitFor: s.runner.WaitFor,
		Caseload: s.models.Caseload, Timeline: s.models.Timeline, Budget: s.models.Budget,
		Privacy: s.models.Privacy, Parket: s.models.Parket, Assessments: s.models.Assessments,
		Outcomes: s.models.Outcomes, Location: loc, SecureCookies: c.secureCookies, Logger: log.With("component", "web"),
		Staff: s.dir, LoginFailures: s.dir, Hours: s.models.Hours, Argon2: argon,
		Accounts: api.LedgerAccounts{Ledger: s.ledger, Dir: s.dir, Now: teamNow},
	})
	if err != nil {
		return err
	}
	ui.Register(s.api)

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	s.url = "http://" + ln.Addr().String() + "/"
	s.http = &http.Server{
		Handler:           s.api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- s.http.Serve(ln) }()
	m.onClose(func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		err := s.http.Shutdown(sctx)
		if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		log.Info("server stopped")
		return err
	})
	m.serve = s
	log.Info("serving", "addr", ln.Addr().String(), "data", c.data)
	fmt.Fprintf(m.stdout, "Spoor is running at %s (stop with Ctrl-C)\n", s.url)
	return nil
}

// derivePseudonymKey derives the key of failed-login pseudonyms from the
// KEK (HMAC-SHA256 with a fixed label), so the KEK itself is used for
// nothing else.
func derivePseudonymKey(kek []byte) []byte {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("spoor failed-login pseudonyms v1"))
	return m.Sum(nil)
}
