package kurrent_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"spoor/store"
	"spoor/store/kurrent"
	"spoor/store/kurrent/kurrenttest"
)

// TestTwoInstancesOneCluster: two Stores (two `spoor serve` instances) on
// one node append concurrently to the same streams; the chains never fork,
// versions have no gaps, Verify passes on both, and each sees the other's
// events in the same global order.
func TestTwoInstancesOneCluster(t *testing.T) {
	d := kurrenttest.NewServer(t)
	a := open(t, testConfig(d.URL()))
	defer a.Close()
	b := open(t, testConfig(d.URL()))
	defer b.Close()
	ctx := context.Background()

	const writers, each = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i, s := range []*kurrent.Store{a, b, a, b, a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				stream := fmt.Sprintf("family-%d", j%3)
				if _, err := s.Append(ctx, stream, store.AnyVersion, []store.Event{ev("A", fmt.Sprintf(`{"w":%d,"j":%d}`, i, j))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	// An exact expectation races too: of two instances, one wins.
	va, _ := a.StreamVersion(ctx, "family-0")
	var wins, conflicts int
	var mu sync.Mutex
	for _, s := range []*kurrent.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Append(ctx, "family-0", store.ExactVersion(va), []store.Event{ev("B", `{}`)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrVersionConflict):
				conflicts++
			default:
				t.Errorf("exact race: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != 1 {
		t.Fatalf("exact race: %d wins, %d conflicts; want 1 and 1", wins, conflicts)
	}
	total := uint64(2*writers*each + 1)
	for name, s := range map[string]*kurrent.Store{"a": a, "b": b} {
		rep, err := store.Verify(ctx, s, store.VerifyOptions{})
		if err != nil {
			t.Fatalf("%s: Verify: %v", name, err)
		}
		if rep.Events != total {
			t.Fatalf("%s: %d events verified, want %d", name, rep.Events, total)
		}
	}
	ha, _ := a.Head(ctx)
	hb, _ := b.Head(ctx)
	if ha != hb || ha == 0 {
		t.Fatalf("heads differ: %d, %d", ha, hb)
	}
}

// TestPrefixIsolation: two ledgers with different prefixes share a node
// without seeing each other's events.
func TestPrefixIsolation(t *testing.T) {
	d := kurrenttest.NewServer(t)
	ca, cb := testConfig(d.URL()), testConfig(d.URL())
	ca.StreamPrefix, cb.StreamPrefix = "cityA-", "cityB-"
	ca.KeyStreamPrefix, cb.KeyStreamPrefix = "keysA-", "keysB-"
	a, b := open(t, ca), open(t, cb)
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := a.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev("A", `{}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev("B", `{}`), ev("B", `{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	for name, tc := range map[string]struct {
		s    *kurrent.Store
		typ  string
		want int
	}{"a": {a, "A", 5}, "b": {b, "B", 10}} {
		n := 0
		for env, err := range tc.s.ReadAll(ctx, 0) {
			if err != nil {
				t.Fatal(err)
			}
			if env.Type != tc.typ || env.Stream != "family-1" {
				t.Fatalf("%s: saw %s in %s", name, env.Type, env.Stream)
			}
			n++
		}
		if n != tc.want {
			t.Fatalf("%s: %d events, want %d", name, n, tc.want)
		}
		if v, _ := tc.s.StreamVersion(ctx, "family-1"); v != uint64(tc.want) {
			t.Fatalf("%s: version %d, want %d", name, v, tc.want)
		}
	}
}

// TestSubscriptionSurvivesDrop: the server drops the subscription twice; it
// is re-opened from the last event delivered, with no gap and no duplicate.
func TestSubscriptionSurvivesDrop(t *testing.T) {
	d := kurrenttest.NewServer(t)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	appendN := func(n int) {
		for i := 0; i < n; i++ {
			if _, err := s.Append(ctx, fmt.Sprintf("family-%d", i%2), store.AnyVersion, []store.Event{ev("A", `{}`)}); err != nil {
				t.Error(err)
				return
			}
		}
	}
	appendN(10)
	got := make(chan store.Envelope, 100)
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(ctx, 0, func(env store.Envelope) error {
			got <- env
			return nil
		})
	}()
	var seen []store.Envelope
	wait := func(n int) {
		for len(seen) < n {
			select {
			case env := <-got:
				seen = append(seen, env)
			case <-ctx.Done():
				t.Fatalf("got %d events, want %d", len(seen), n)
			}
		}
	}
	wait(10)
	d.DropSubscriptions()
	appendN(10)
	wait(20)
	d.DropSubscriptions()
	time.Sleep(50 * time.Millisecond)
	d.DropSubscriptions()
	appendN(5)
	wait(25)
	select {
	case env := <-got:
		t.Fatalf("extra event %+v", env)
	case <-time.After(200 * time.Millisecond):
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Position <= seen[i-1].Position {
			t.Fatalf("event %d at %d after %d: duplicate or out of order", i, seen[i].Position, seen[i-1].Position)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe ended with %v, want context.Canceled", err)
	}
}

// TestAppendTooLargeForCluster: the cluster's MaxAppendSize refusal is
// ErrInvalidEvent and writes nothing.
func TestAppendTooLargeForCluster(t *testing.T) {
	d := kurrenttest.NewServer(t)
	d.SetMaxAppendSize(4 << 10)
	s := open(t, testConfig(d.URL()))
	defer s.Close()
	ctx := context.Background()
	big := ev("A", `{"pad":"`+strings.Repeat("x", 5000)+`"}`)
	if _, err := s.Append(ctx, "family-big", store.NoStream, []store.Event{big}); !errors.Is(err, store.ErrInvalidEvent) {
		t.Fatalf("too large: %v, want ErrInvalidEvent", err)
	}
	if v, err := s.StreamVersion(ctx, "family-big"); err != nil || v != 0 {
		t.Fatalf("version %d, %v after a refused append", v, err)
	}
	if _, err := s.Append(ctx, "family-big", store.NoStream, []store.Event{{ID: big.ID, Type: "$system", Data: []byte("{}")}}); !errors.Is(err, store.ErrInvalidEvent) {
		t.Fatalf("$-type: %v, want ErrInvalidEvent", err)
	}
}

// TestTLSAndCredentials: over TLS with a private CA, the configured
// credentials reach the node on every streams call; wrong ones make Open
// fail at once with an access error that does not quote the password.
func TestTLSAndCredentials(t *testing.T) {
	caFile, serverCert := testCerts(t)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("spoor:right-pw"))
	check := func(ctx context.Context, method string) error {
		if !strings.Contains(method, "streams") {
			return nil // the server-features call is anonymous
		}
		md, _ := metadata.FromIncomingContext(ctx)
		if got := md.Get("authorization"); len(got) != 1 || got[0] != want {
			return status.Error(codes.Unauthenticated, "bad credentials")
		}
		return nil
	}
	d := kurrenttest.NewServer(t,
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{serverCert}})),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := check(ctx, info.FullMethod); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := check(ss.Context(), info.FullMethod); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	)
	url := "kurrentdb://" + d.Addr() + "?maxDiscoverAttempts=1&discoveryInterval=10"
	cfg := testConfig(url)
	cfg.TLSCAFile = caFile
	cfg.Username, cfg.Password = "spoor", "right-pw"
	s := open(t, cfg)
	res, err := s.Append(context.Background(), "family-tls", store.NoStream, []store.Event{ev("A", `{}`)})
	s.Close()
	if err != nil || res.Version != 1 {
		t.Fatalf("append over TLS: %+v, %v", res, err)
	}

	cfg.Password = "wrong-pw"
	cfg.ConnectTimeout = 10 * time.Second
	start := time.Now()
	_, err = kurrent.Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "access denied") || strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("Open with a wrong password: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("Open with a wrong password retried for %v; it should fail at once", time.Since(start))
	}
}

// testCerts makes a CA and a server certificate for 127.0.0.1; it returns
// the CA's PEM file and the server's key pair.
func testCerts(t *testing.T) (string, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "spoor test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "node"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestHead: Head is the last Spoor event, whoever wrote it, past system
// events and other ledgers' events written after it.
func TestHead(t *testing.T) {
	d := kurrenttest.NewServer(t)
	cfg := testConfig(d.URL())
	a, b := open(t, cfg), open(t, cfg)
	defer a.Close()
	defer b.Close()
	other := cfg
	other.StreamPrefix, other.KeyStreamPrefix = "other-", "otherkey-"
	o := open(t, other)
	defer o.Close()
	ctx := context.Background()
	if h, err := a.Head(ctx); err != nil || h != 0 {
		t.Fatalf("empty: Head = %d, %v", h, err)
	}
	for i := 0; i < 20; i++ {
		d.AppendSystemEvent("$stats-x", "$statsCollected")
	}
	if h, err := a.Head(ctx); err != nil || h != 0 {
		t.Fatalf("only system events: Head = %d, %v", h, err)
	}
	ra, err := a.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev("A", `{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := a.Head(ctx); h != ra.LastPosition {
		t.Fatalf("Head = %d, want %d", h, ra.LastPosition)
	}
	rb, err := b.Append(ctx, "family-2", store.AnyVersion, []store.Event{ev("B", `{}`), ev("B", `{}`)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		d.AppendSystemEvent("$stats-x", "$statsCollected")
		if _, err := o.Append(ctx, "family-1", store.AnyVersion, []store.Event{ev("O", `{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*kurrent.Store{a, b} {
		if h, err := s.Head(ctx); err != nil || h != rb.LastPosition {
			t.Fatalf("Head = %d, %v; want %d (b's last event)", h, err, rb.LastPosition)
		}
	}
	ro, _ := o.Head(ctx)
	if ro <= rb.LastPosition {
		t.Fatalf("other ledger's head %d not after %d", ro, rb.LastPosition)
	}
}
