package kurrent

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Config configures a Store. Start from DefaultConfig and set URL; a zero
// field means the default.
type Config struct {
	// URL is the KurrentDB connection string. Accepted schemes:
	//
	//	kurrentdb://host:2113?tls=false              one node (read as esdb://)
	//	kurrentdb+discover://host:2113               cluster, DNS/gossip discovery
	//	kurrentdb://node1:2113,node2:2113,node3:2113 cluster, gossip seeds
	//	esdb://..., esdb+discover://...              the client's own forms
	//
	// with the client's settings as query parameters (tls, tlsCAFile,
	// tlsVerifyCert, userCertFile, userKeyFile, nodePreference,
	// maxDiscoverAttempts, discoveryInterval, gossipTimeout,
	// keepAliveInterval, keepAliveTimeout, defaultDeadline). Credentials
	// may be given as user:password@ in the URL, but Username/Password
	// below are preferred so that the URL can be logged. Required.
	URL string

	// Username and Password, if set, override credentials in URL. Basic
	// authentication needs TLS (the client refuses to send credentials in
	// the clear).
	Username string
	Password string

	// TLSCAFile is a PEM file with the CA that signed the nodes'
	// certificates (overrides tlsCAFile in URL). Empty: the host's roots.
	TLSCAFile string

	// StreamPrefix is put in front of every Spoor stream name to form the
	// KurrentDB stream name; the $all reads and subscriptions keep only
	// streams with this prefix. Default "spoor-". Several Spoor ledgers may
	// share a cluster with different prefixes, provided no prefix is a
	// prefix of another.
	StreamPrefix string

	// KeyStreamPrefix is put in front of a sealing scope to form the name of
	// the stream that holds its wrapped data key. It must not start with
	// StreamPrefix, so that keys never appear in the global order. Default
	// "spoorkey-".
	KeyStreamPrefix string

	// OperationTimeout bounds each call to the cluster (an append, one page
	// of a read). Default 10s. A ctx deadline that comes sooner wins.
	OperationTimeout time.Duration

	// ConnectTimeout bounds how long Open keeps trying to reach the cluster
	// (recreating the client after each failed first connection, with
	// backoff). Default 30s.
	ConnectTimeout time.Duration

	// IdempotencyWindow is how many of a stream's latest events an append
	// looks at for the ids it carries (see the package documentation).
	// Default 64.
	IdempotencyWindow int

	// RecentIDs is how many recently appended event ids (with their
	// stream) the Store keeps in memory to refuse an id reused in another
	// stream. Default 100,000 (a few MB).
	RecentIDs int

	// PageSize is how many events one read call asks for. Default 256.
	PageSize int

	// Now stamps RecordedAt on events that arrive without one. Default
	// time.Now.
	Now func() time.Time

	// Logger receives the client's and the store's messages: connection
	// state, retries, positions and opaque stream names, never event data.
	// Nil discards them.
	Logger *slog.Logger
}

// DefaultConfig is the configuration `spoor serve --store kurrentdb://...`
// starts from (URL still to be set).
func DefaultConfig() Config {
	return Config{
		StreamPrefix:      "spoor-",
		KeyStreamPrefix:   "spoorkey-",
		OperationTimeout:  10 * time.Second,
		ConnectTimeout:    30 * time.Second,
		IdempotencyWindow: 64,
		RecentIDs:         100_000,
		PageSize:          256,
		Now:               time.Now,
	}
}

// withDefaults fills zero fields from DefaultConfig and checks the rest.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.StreamPrefix == "" {
		c.StreamPrefix = d.StreamPrefix
	}
	if c.KeyStreamPrefix == "" {
		c.KeyStreamPrefix = d.KeyStreamPrefix
	}
	if c.OperationTimeout <= 0 {
		c.OperationTimeout = d.OperationTimeout
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.IdempotencyWindow <= 0 {
		c.IdempotencyWindow = d.IdempotencyWindow
	}
	if c.RecentIDs <= 0 {
		c.RecentIDs = d.RecentIDs
	}
	if c.PageSize <= 0 {
		c.PageSize = d.PageSize
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.URL == "":
		return c, errors.New("kurrent: config: URL is empty")
	case strings.HasPrefix(c.StreamPrefix, "$"):
		return c, errors.New("kurrent: config: StreamPrefix must not start with '$' (system streams)")
	case strings.HasPrefix(c.KeyStreamPrefix, "$"):
		return c, errors.New("kurrent: config: KeyStreamPrefix must not start with '$' (system streams)")
	case strings.HasPrefix(c.KeyStreamPrefix, c.StreamPrefix) || strings.HasPrefix(c.StreamPrefix, c.KeyStreamPrefix):
		return c, errors.New("kurrent: config: StreamPrefix and KeyStreamPrefix must not be prefixes of each other")
	}
	return c, nil
}

// clientConfig turns c into the client's configuration.
func (c Config) clientConfig() (*esdb.Configuration, error) {
	raw, err := clientURL(c.URL)
	if err != nil {
		return nil, err
	}
	conf, err := esdb.ParseConnectionString(raw)
	if err != nil {
		// The client's message may quote the URL, credentials included.
		return nil, fmt.Errorf("kurrent: config: connection string is not valid (scheme, hosts or settings): %w", errWithoutText(err))
	}
	if c.Username != "" {
		conf.Username = c.Username
		conf.Password = c.Password
	}
	if c.TLSCAFile != "" {
		pem, err := os.ReadFile(c.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("kurrent: config: read TLSCAFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kurrent: config: TLSCAFile %s holds no PEM certificate", c.TLSCAFile)
		}
		conf.RootCAs = pool
	}
	if conf.Username != "" && conf.DisableTLS {
		return nil, errors.New("kurrent: config: credentials need TLS; remove tls=false or the credentials")
	}
	deadline := c.OperationTimeout
	conf.DefaultDeadline = &deadline
	log := c.Logger
	conf.Logger = func(level esdb.LogLevel, format string, args ...any) {
		// The client reports ordinary conditions (a cancelled subscription,
		// a stream that does not exist) at its error level, so its errors
		// become warnings here.
		msg := fmt.Sprintf(format, args...)
		l := slog.LevelDebug
		switch {
		case strings.Contains(msg, "context canceled") || strings.Contains(msg, "Canceled"):
			// A subscription or read we ended ourselves.
		case level == esdb.LogWarn || level == esdb.LogError:
			l = slog.LevelWarn
		case level == esdb.LogInfo:
			l = slog.LevelInfo
		}
		log.Log(context.Background(), l, "kurrentdb client: "+msg)
	}
	return conf, nil
}

// clientURL maps the kurrentdb schemes onto the client's esdb schemes and
// checks that the URL is one of the accepted forms.
func clientURL(raw string) (string, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", errors.New("kurrent: config: URL has no scheme (want kurrentdb://, kurrentdb+discover://, esdb:// or esdb+discover://)")
	}
	switch strings.ToLower(scheme) {
	case "kurrentdb", "kurrent", "esdb":
		scheme = "esdb"
	case "kurrentdb+discover", "kurrent+discover", "esdb+discover":
		scheme = "esdb+discover"
	default:
		return "", fmt.Errorf("kurrent: config: URL scheme %q is not one of kurrentdb, kurrentdb+discover, esdb, esdb+discover", scheme)
	}
	if rest == "" {
		return "", errors.New("kurrent: config: URL has no host")
	}
	return scheme + "://" + rest, nil
}

// Redacted returns the URL with any password replaced, for logs.
func Redacted(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "(unparsable store URL)"
	}
	if at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); at >= 0 {
		user := rest[:at]
		if name, _, hasPw := strings.Cut(user, ":"); hasPw {
			rest = url.PathEscape(name) + ":xxxxx" + rest[at:]
		}
	}
	return scheme + "://" + rest
}

// errWithoutText keeps an error's chain for errors.Is but not its message,
// which may quote secrets.
type redactedError struct{ inner error }

func (e redactedError) Error() string { return "details withheld (they may quote the URL)" }
func (e redactedError) Unwrap() error { return e.inner }

func errWithoutText(err error) error { return redactedError{err} }
