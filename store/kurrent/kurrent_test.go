package kurrent_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"spoor/store"
	"spoor/store/kurrent"
	"spoor/store/kurrent/kurrenttest"
	"spoor/store/storetest"
)

// testConfig is the configuration the tests open a Store with.
func testConfig(url string) kurrent.Config {
	cfg := kurrent.DefaultConfig()
	cfg.URL = url
	cfg.ConnectTimeout = 15 * time.Second
	cfg.PageSize = 7 // small pages, so that paging is exercised
	if testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return cfg
}

func open(t *testing.T, cfg kurrent.Config) *kurrent.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kurrent.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// instance wires a fresh store on cfg into the conformance suite.
func instance(t *testing.T, cfg kurrent.Config, rewrite func(uint64, []byte) error) storetest.Instance {
	cur := open(t, cfg)
	keys := open(t, cfg)
	t.Cleanup(func() { keys.Close() })
	return storetest.Instance{
		Store: cur,
		Reopen: func() (store.Store, error) {
			cur.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := kurrent.Open(ctx, cfg)
			if err != nil {
				return nil, err
			}
			cur = s
			return s, nil
		},
		RewriteData: rewrite,
		Keys:        keys.Keys(),
		Now:         cfg.Now,
	}
}

// TestConformanceDouble runs the store conformance suite against the
// adapter on the in-process protocol double.
func TestConformanceDouble(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Instance {
		d := kurrenttest.NewServer(t)
		return instance(t, testConfig(d.URL()), d.RewriteData)
	})
}

// TestConformanceKurrentDB runs the same suite against a real KurrentDB
// named by SPOOR_KURRENTDB_URL: kurrentdb://localhost:2113?tls=false for an
// insecure dev node (docker run -p 2113:2113 -e KURRENTDB_INSECURE=true
// docker.kurrent.io/kurrent-latest/kurrentdb:25.1), or a TLS URL with
// user:password@ (credentials need TLS). Every subtest uses its own stream
// prefixes, so the cluster need not be empty. The tamper subtest skips:
// a real server offers no way to rewrite stored bytes.
func TestConformanceKurrentDB(t *testing.T) {
	url := os.Getenv("SPOOR_KURRENTDB_URL")
	if url == "" {
		t.Skip("SPOOR_KURRENTDB_URL is not set: no real KurrentDB to test against (the protocol double suite ran instead)")
	}
	storetest.Run(t, func(t *testing.T) storetest.Instance {
		cfg := testConfig(url)
		run := strings.ReplaceAll(uuid.NewString()[:8], "-", "")
		cfg.StreamPrefix = "spoortest" + run + "-"
		cfg.KeyStreamPrefix = "spoortestkey" + run + "-"
		cfg.PageSize = 100
		return instance(t, cfg, func(uint64, []byte) error {
			t.Skip("a real KurrentDB offers no way to rewrite a stored event's bytes; the tamper test runs against the protocol double")
			return nil
		})
	})
}

func ev(typ, data string) store.Event {
	return store.Event{ID: uuid.NewString(), Type: typ, Actor: store.Actor{UserID: "staff-1", Role: "coach"}, Data: []byte(data)}
}

// TestExpectedRevisionMapping checks how our 1-based expected versions
// land on KurrentDB's 0-based revisions, on the wire.
func TestExpectedRevisionMapping(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ctx := context.Background()

	res, err := s.Append(ctx, "family-a", store.NoStream, []store.Event{ev("A", `{"n":1}`), ev("B", "binary\x00")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 || res.FirstPosition == 0 || res.FirstPosition >= res.LastPosition {
		t.Fatalf("result %+v, want version 2 and increasing positions", res)
	}
	// Our version v is KurrentDB revision v-1.
	for rev, typ := range []string{"A", "B"} {
		r, ok := d.Raw("spoor-family-a", uint64(rev))
		if !ok || r.Type != typ {
			t.Fatalf("revision %d: %+v, want type %s", rev, r, typ)
		}
	}
	r0, _ := d.Raw("spoor-family-a", 0)
	r1, _ := d.Raw("spoor-family-a", 1)
	if r0.ContentType != "application/json" || r1.ContentType != "application/octet-stream" {
		t.Fatalf("content types %q, %q; want JSON for JSON data, binary otherwise", r0.ContentType, r1.ContentType)
	}
	if r0.Position != res.FirstPosition || r1.Position != res.LastPosition {
		t.Fatalf("positions %d,%d; result says %d,%d", r0.Position, r1.Position, res.FirstPosition, res.LastPosition)
	}
	if !strings.Contains(string(r0.Metadata), `"version":1`) || !strings.Contains(string(r0.Metadata), `"hash":"`) {
		t.Fatalf("metadata %s lacks our version or hash", r0.Metadata)
	}

	tests := []struct {
		name     string
		expected store.ExpectedVersion
		wantErr  error
		wantVer  uint64
	}{
		{"exact current", store.ExactVersion(2), nil, 3},
		{"exact stale", store.ExactVersion(2), store.ErrVersionConflict, 0},
		{"no stream on existing", store.NoStream, store.ErrVersionConflict, 0},
		{"stream exists", store.StreamExists, nil, 4},
		{"any", store.AnyVersion, nil, 5},
		{"exact ahead", store.ExactVersion(9), store.ErrVersionConflict, 0},
	}
	for _, tc := range tests {
		res, err := s.Append(ctx, "family-a", tc.expected, []store.Event{ev("C", `{}`)})
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("%s: err %v, want %v", tc.name, err, tc.wantErr)
		}
		if err == nil && res.Version != tc.wantVer {
			t.Fatalf("%s: version %d, want %d", tc.name, res.Version, tc.wantVer)
		}
		if err != nil && !strings.Contains(err.Error(), "family-a") {
			t.Fatalf("%s: error %q does not name the stream", tc.name, err)
		}
	}
	if _, err := s.Append(ctx, "family-new", store.StreamExists, []store.Event{ev("C", `{}`)}); !errors.Is(err, store.ErrVersionConflict) {
		t.Fatalf("stream exists on a new stream: %v", err)
	}
	if v, err := s.StreamVersion(ctx, "family-a"); err != nil || v != 5 {
		t.Fatalf("StreamVersion = %d, %v; want 5", v, err)
	}
}

// TestErrorMapping checks the mapping of KurrentDB results to the store's
// sentinel errors, and that error texts carry no event data.
func TestErrorMapping(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	ctx := context.Background()
	secret := `{"name":"Jan Janssens"}`

	for env, err := range s.ReadStream(ctx, "family-none", 1) {
		if !errors.Is(err, store.ErrStreamNotFound) {
			t.Fatalf("read of a missing stream: %+v, %v; want ErrStreamNotFound", env, err)
		}
	}
	if _, err := s.Append(ctx, "family-x", store.NoStream, []store.Event{{ID: "not-a-uuid", Type: "A", Data: []byte(secret)}}); !errors.Is(err, store.ErrInvalidEvent) {
		t.Fatalf("non-UUID id: %v, want ErrInvalidEvent", err)
	}
	e1 := ev("A", secret)
	if _, err := s.Append(ctx, "family-x", store.NoStream, []store.Event{e1}); err != nil {
		t.Fatal(err)
	}
	other := e1
	other.Data = []byte(`{"name":"Piet Peeters"}`)
	_, err := s.Append(ctx, "family-x", store.AnyVersion, []store.Event{other})
	if !errors.Is(err, store.ErrDuplicateEventID) {
		t.Fatalf("same id, other data: %v, want ErrDuplicateEventID", err)
	}
	_, err2 := s.Append(ctx, "family-x", store.NoStream, []store.Event{ev("A", secret)})
	if !errors.Is(err2, store.ErrVersionConflict) {
		t.Fatalf("conflict: %v", err2)
	}
	for _, e := range []error{err, err2} {
		if strings.Contains(e.Error(), "Janssens") || strings.Contains(e.Error(), "Peeters") {
			t.Fatalf("error %q contains event data", e)
		}
	}
	// A tombstoned Spoor stream (an operator's mistake) reads as not found.
	d.TombstoneStream("spoor-family-x")
	for _, err := range s.ReadStream(ctx, "family-x", 1) {
		if !errors.Is(err, store.ErrStreamNotFound) || !strings.Contains(err.Error(), "deleted") {
			t.Fatalf("read of a tombstoned stream: %v", err)
		}
	}
	if _, err := s.Append(ctx, "family-x", store.AnyVersion, []store.Event{ev("A", `{}`)}); !errors.Is(err, store.ErrStreamNotFound) {
		t.Fatalf("append to a tombstoned stream: %v", err)
	}
	s.Close()
	if _, err := s.Append(ctx, "family-y", store.AnyVersion, []store.Event{ev("A", `{}`)}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	if _, err := s.Head(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("head after close: %v", err)
	}
}

// TestReconnectAfterFailedFirstConnection: the client whose first
// connection failed stays closed; Open recreates it and goes on.
func TestReconnectAfterFailedFirstConnection(t *testing.T) {
	d := kurrenttest.NewServer(t)
	d.FailConnections(2)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	if s.ClientsMade() < 3 {
		t.Fatalf("clients made = %d, want at least 3 (two failed first connections)", s.ClientsMade())
	}
	if n := d.ConnectionAttempts(); n < 3 {
		t.Fatalf("connection attempts = %d, want at least 3", n)
	}
	res, err := s.Append(context.Background(), "family-r", store.NoStream, []store.Event{ev("A", `{}`)})
	if err != nil || res.Version != 1 {
		t.Fatalf("append after reconnect: %+v, %v", res, err)
	}
}

// TestReconnectLater: a client that loses its node later and fails to
// rediscover it is closed for good; the next call recreates it.
func TestReconnectLater(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Append(ctx, "family-r", store.NoStream, []store.Event{ev("A", `{}`)}); err != nil {
		t.Fatal(err)
	}
	// The node drops the next call (the client starts a new discovery) and
	// refuses that discovery, which closes the client for good.
	d.FailRPCs(1)
	d.FailConnections(1)
	if _, err := s.Append(ctx, "family-r", store.ExactVersion(1), []store.Event{ev("A", `{}`)}); err != nil {
		t.Fatalf("append after the client died: %v", err)
	}
	if s.ClientsMade() < 2 {
		t.Fatalf("clients made = %d, want a recreated client", s.ClientsMade())
	}
}

// TestOpenGivesUp: with no node, Open fails after ConnectTimeout with an
// error that does not quote the password.
func TestOpenGivesUp(t *testing.T) {
	cfg := testConfig("kurrentdb://127.0.0.1:1?maxDiscoverAttempts=1&discoveryInterval=10")
	cfg.Username, cfg.Password = "spoor", "s3cret-pw"
	cfg.ConnectTimeout = 700 * time.Millisecond
	start := time.Now()
	_, err := kurrent.Open(context.Background(), cfg)
	if err == nil {
		t.Fatal("Open with no node succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error quotes the password: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("Open took %v", time.Since(start))
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"kurrentdb://localhost:2113?tls=false", true},
		{"kurrentdb+discover://cluster.local:2113", true},
		{"kurrentdb://n1:2113,n2:2113,n3:2113?tlsVerifyCert=false", true},
		{"esdb://localhost:2113?tls=false", true},
		{"http://localhost:2113", false},
		{"localhost:2113", false},
		{"", false},
	} {
		cfg := testConfig(tc.url)
		cfg.ConnectTimeout = time.Millisecond
		_, err := kurrent.Open(context.Background(), cfg)
		bad := err != nil && strings.Contains(err.Error(), "config")
		if bad == tc.ok {
			t.Errorf("%q: err %v, want config ok = %v", tc.url, err, tc.ok)
		}
	}
	cfg := testConfig("kurrentdb://localhost:2113?tls=false")
	cfg.Username, cfg.Password = "admin", "changeit"
	if _, err := kurrent.Open(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("credentials without TLS: %v", err)
	}
	cfg = testConfig("kurrentdb://localhost:2113?tls=false")
	cfg.StreamPrefix, cfg.KeyStreamPrefix = "spoor-", "spoor-keys-"
	if _, err := kurrent.Open(context.Background(), cfg); err == nil {
		t.Error("key prefix under the stream prefix accepted")
	}
	if got := kurrent.Redacted("kurrentdb://admin:changeit@n1:2113?tls=true"); strings.Contains(got, "changeit") {
		t.Errorf("Redacted = %q", got)
	}
}

// TestKeyStore: put, first writer wins, get, destroy = tombstone, and a
// destroyed scope never gets a key again.
func TestKeyStore(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ks := s.Keys()
	ctx := context.Background()

	if _, err := ks.Get(ctx, "family-1"); !errors.Is(err, store.ErrKeyNotFound) {
		t.Fatalf("get before put: %v", err)
	}
	got, err := ks.PutIfAbsent(ctx, "family-1", []byte("wrapped-1"))
	if err != nil || string(got) != "wrapped-1" {
		t.Fatalf("put: %q, %v", got, err)
	}
	got, err = ks.PutIfAbsent(ctx, "family-1", []byte("wrapped-2"))
	if err != nil || string(got) != "wrapped-1" {
		t.Fatalf("second put: %q, %v; want the first key", got, err)
	}
	if got, err := ks.Get(ctx, "family-1"); err != nil || string(got) != "wrapped-1" {
		t.Fatalf("get: %q, %v", got, err)
	}
	if err := ks.Destroy(ctx, "family-1"); err != nil {
		t.Fatal(err)
	}
	if err := ks.Destroy(ctx, "family-1"); err != nil {
		t.Fatalf("second destroy: %v", err)
	}
	if _, err := ks.Get(ctx, "family-1"); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("get after destroy: %v", err)
	}
	if _, err := ks.PutIfAbsent(ctx, "family-1", []byte("wrapped-3")); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("put after destroy: %v", err)
	}
	// The key stream is tombstoned on the server, and keys never show in
	// the global order.
	if !d.Tombstoned("spoorkey-family-1") {
		t.Fatal("key stream is not tombstoned")
	}
	if err := ks.Destroy(ctx, "family-never"); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.PutIfAbsent(ctx, "family-never", []byte("k")); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("put on a scope destroyed before it had a key: %v", err)
	}
	for env, err := range s.ReadAll(ctx, 0) {
		t.Fatalf("global order holds %+v, %v; key streams must stay out of it", env, err)
	}
	if _, err := ks.Get(ctx, "bad scope!"); !errors.Is(err, store.ErrInvalidScope) {
		t.Fatalf("bad scope: %v", err)
	}
}

// TestVerify: store.Verify passes on this backend and names an event whose
// bytes were rewritten in the database.
func TestVerify(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ctx := context.Background()
	var target store.AppendResult
	for i := 0; i < 20; i++ {
		res, err := s.Append(ctx, "family-v"+string(rune('a'+i%3)), store.AnyVersion, []store.Event{ev("A", `{"i":1}`), ev("B", `{"i":2}`)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 11 {
			target = res
		}
		if i%5 == 0 {
			d.AppendSystemEvent("$stats-127.0.0.1:2113", "$statsCollected")
		}
	}
	rep, err := store.Verify(ctx, s, store.VerifyOptions{})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Events != 40 || rep.Streams != 3 {
		t.Fatalf("report %+v, want 40 events in 3 streams", rep)
	}
	if err := d.RewriteData(target.LastPosition, []byte(`{"i":3}`)); err != nil {
		t.Fatal(err)
	}
	_, err = store.Verify(ctx, s, store.VerifyOptions{})
	var ve *store.VerifyError
	if !errors.As(err, &ve) || ve.Position != target.LastPosition || ve.Version != target.Version {
		t.Fatalf("Verify after rewrite: %v; want a VerifyError at position %d version %d", err, target.LastPosition, target.Version)
	}
}

// TestReadAllFromNonBoundary: positions are byte offsets; reading from a
// position inside a record (not one we returned, nor one past it) still
// yields exactly the events at or after it.
func TestReadAllFromNonBoundary(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ctx := context.Background()
	var all []store.AppendResult
	for i := 0; i < 10; i++ {
		res, err := s.Append(ctx, "family-p", store.AnyVersion, []store.Event{ev("A", `{"pad":"0123456789"}`)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res)
	}
	for i, res := range all {
		for _, from := range []uint64{res.FirstPosition, res.FirstPosition + 1, res.FirstPosition + 7} {
			want := len(all) - i
			if from > res.FirstPosition {
				want--
			}
			n := 0
			for env, err := range s.ReadAll(ctx, from) {
				if err != nil {
					t.Fatal(err)
				}
				if env.Position < from {
					t.Fatalf("from %d yielded position %d", from, env.Position)
				}
				n++
			}
			if n != want {
				t.Fatalf("from %d: %d events, want %d", from, n, want)
			}
		}
	}
	if h, err := s.Head(ctx); err != nil || h != all[len(all)-1].LastPosition {
		t.Fatalf("Head = %d, %v; want %d", h, err, all[len(all)-1].LastPosition)
	}
}

// TestDeepRetry: a retried append with an exact expectation is recognised
// even when its events lie far deeper than the idempotency window (an
// interrupted import run again).
func TestDeepRetry(t *testing.T) {
	d := kurrenttest.NewServer(t)
	cfg := testConfig(d.URL())
	cfg.IdempotencyWindow = 2
	s := open(t, cfg)
	defer s.Close()
	ctx := context.Background()
	first := []store.Event{ev("A", `{"n":1}`), ev("A", `{"n":2}`)}
	r1, err := s.Append(ctx, "family-deep", store.NoStream, first)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := s.Append(ctx, "family-deep", store.AnyVersion, []store.Event{ev("B", `{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	r2, err := s.Append(ctx, "family-deep", store.NoStream, first)
	if err != nil || r2 != r1 {
		t.Fatalf("deep retry: %+v, %v; want %+v", r2, err, r1)
	}
	// With AnyVersion only the window is searched: documented limit.
	if v, _ := s.StreamVersion(ctx, "family-deep"); v != 12 {
		t.Fatalf("version %d after the retry, want 12 (nothing written)", v)
	}
	other := first[0]
	other.Data = []byte(`{"n":9}`)
	if _, err := s.Append(ctx, "family-deep", store.NoStream, []store.Event{other}); !errors.Is(err, store.ErrDuplicateEventID) {
		t.Fatalf("deep retry with other data: %v", err)
	}
}
