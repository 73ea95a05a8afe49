package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usage is the help text. It lists only subcommands that are built.
const usage = `spoor: the case ledger of a family-support team

Usage:
  spoor serve   [flags]            start the server (default address 127.0.0.1:8080)
  spoor verify  [flags]            recompute hash chains, Merkle tree and checkpoints;
                                   exit 1 naming the first event that does not match
  spoor backup  [flags] <dir>      copy the event log to <dir> (a Pebble checkpoint) with the
                                   server stopped (it holds the lock; while it runs, use
                                   POST /api/v1/backups); with -keys <dir2>, also the key
                                   store, to keep apart
  spoor restore [flags] <dir>      restore a backup into an empty -data directory; with
                                   -keys <dir2>, also the key store backup
  spoor demo    [flags]            fill a new data directory with a fictitious year of a team
                                   (7 coaches, a coordinator, a privacy officer, back office,
                                   admin, 50 families) and print the logins and password once
  spoor rebuild [flags]            fold the whole log into fresh read models and write their
                                   snapshots (the server must be stopped)
  spoor export  [flags] [file]     write every event as JSON lines (default: standard output)
  spoor import  [flags] <file>     append the events of an export, validated first,
                                   idempotent by event id; with -keys-from <dir>, also copy
                                   an embedded key store (<data>/keys) into the target's

Common flags (each also read from the environment variable shown):
  -data dir        data directory (SPOOR_DATA; default ./spoor-data)
  -store kind      serve, verify, export, import: the event store, embedded or a KurrentDB
                   cluster kurrentdb://host:2113,... (SPOOR_STORE; default embedded)
Serve flags:
  -addr host:port  listen address (SPOOR_ADDR; default 127.0.0.1:8080)
  -kek-file file   key-encryption key file (SPOOR_KEK_FILE; default <data>/kek.key,
                   generated on first run; SPOOR_KEK may hold the key itself)
  -store kind      event store: embedded, or a KurrentDB cluster kurrentdb://host:2113,...
                   (SPOOR_STORE; default embedded; credentials from SPOOR_KURRENTDB_USERNAME
                   and SPOOR_KURRENTDB_PASSWORD, CA from SPOOR_KURRENTDB_CA_FILE)
  -checkpoint-key-file file   Ed25519 key signing Merkle tree checkpoints (SPOOR_CHECKPOINT_KEY_FILE;
                   default <data>/checkpoint.key, generated on first run with checkpoint.pub)
  -checkpoint-interval d      sign a checkpoint this often when the log grew, and at shutdown
                   (SPOOR_CHECKPOINT_INTERVAL; default 10m)
Verify flags:
  -verifier-key file          checkpoint verifier key (default <data>/checkpoint.pub if present)
  -admin-login name           first run only: login of the administrator created when the log
                   has no staff (SPOOR_ADMIN_LOGIN; default admin); its password is printed
                   once, or read from -admin-password-file (SPOOR_ADMIN_PASSWORD_FILE)
  -secure-cookies  mark the session cookie Secure, for TLS (SPOOR_SECURE_COOKIES=true)
  -verify-interval d          recompute the whole ledger this often in the background and count
                   failures in spoor_ledger_verify_failures_total (SPOOR_VERIFY_INTERVAL; default 24h)
  -backup-dir dir  online backups (POST /api/v1/backups, admin) go here (SPOOR_BACKUP_DIR;
                   default <data>-backups)
  -backup-keys-dir dir        online backups of the key store go here; empty: none
                   (SPOOR_BACKUP_KEYS_DIR)
  -log-format fmt  text or json (SPOOR_LOG_FORMAT; default text)
  -log-level lvl   debug, info, warn or error (SPOOR_LOG_LEVEL; default info)

Run "spoor <command> -h" for the flags of one command.
`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// exitCode maps an error of Run to the process's exit status: 2 for usage
// errors, 1 otherwise.
func exitCode(err error) int {
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

// Main is the program: it runs one subcommand with the arguments,
// environment and output streams it is given. Run starts the work; Close
// releases everything (for serve: a graceful shutdown). Tests create a Main,
// Run it and talk to it.
type Main struct {
	stdout, stderr io.Writer
	getenv         func(string) string

	serve   *server // non-nil while serving
	closers []func() error
}

// NewMain returns a Main writing to stdout and stderr and reading the
// environment through getenv.
func NewMain(stdout, stderr io.Writer, getenv func(string) string) *Main {
	return &Main{stdout: stdout, stderr: stderr, getenv: getenv}
}

// Run runs the subcommand named by args[0]. For serve it returns once the
// server listens (see Serving and URL) and serving goes on until Close; the
// other subcommands do their work and return.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return m.runServe(ctx, rest)
	case "verify":
		return m.runVerify(ctx, rest)
	case "backup":
		return m.runBackup(ctx, rest)
	case "restore":
		return m.runRestore(ctx, rest)
	case "demo":
		return m.runDemo(ctx, rest)
	case "rebuild":
		return m.runRebuild(ctx, rest)
	case "export":
		return m.runExport(ctx, rest)
	case "import":
		return m.runImport(ctx, rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(m.stdout, usage)
		return nil
	}
	fmt.Fprint(m.stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// Serving reports whether Run started a server that runs until Close.
func (m *Main) Serving() bool { return m.serve != nil }

// Close stops what Run started, in reverse order, and returns the first
// error. It is safe to call more than once.
func (m *Main) Close() error {
	var first error
	for i := len(m.closers) - 1; i >= 0; i-- {
		if err := m.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	m.closers = nil
	m.serve = nil
	return first
}

func (m *Main) onClose(f func() error) { m.closers = append(m.closers, f) }

// flagSet returns a FlagSet for cmd that writes its help to stderr and
// returns errors instead of exiting.
func (m *Main) flagSet(cmd, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.stderr, "Usage: spoor %s [flags] %s\n", cmd, args)
		fs.PrintDefaults()
	}
	return fs
}

// env returns the environment variable name, or def when it is unset or
// empty.
func (m *Main) env(name, def string) string {
	if v := strings.TrimSpace(m.getenv(name)); v != "" {
		return v
	}
	return def
}

// dataFlag adds -data to fs.
func (m *Main) dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", m.env("SPOOR_DATA", "./spoor-data"), "data directory (SPOOR_DATA)")
}
