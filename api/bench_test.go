package api

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// BenchmarkAuthorisedRead measures authorised reads of a family's file
// through a real HTTP server on loopback: bearer-token authentication, the
// policy, a durable access event appended to the Pebble store for every
// read, and the JSON answer of the real timeline route from the read model. It reports reads/s; run with -cpu and
// -benchtime to taste, e.g.
//
//	go test -run '^$' -bench AuthorisedRead -benchtime 5s ./api
func BenchmarkAuthorisedRead(b *testing.B) {
	e := newEnv(b, nil)
	ctx := context.Background()
	coord := ledger.Meta{Actor: store.Actor{UserID: "u-cora", Role: "coordinator"}}
	if _, err := e.server.cfg.Ledger.ExecFamily(ctx, "f-ann", coord, domain.Refer{
		FamilyID: "f-ann", Date: domain.DateOf(e.clock.Now()), Source: domain.SourcePolice, ReferringOrg: "Politie Demostad",
		ConsentGiven: true, ConsentForm: domain.FormVerbal, Problems: []domain.LifeDomain{domain.DomainHousing}, Children: 2, Adults: 1,
	}); err != nil {
		b.Fatal(err)
	}
	head, err := e.st.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.runner.WaitFor(ctx, head); err != nil {
		b.Fatal(err)
	}
	tok, hash, err := auth.NewToken(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.dir.PutToken(auth.Token{ID: "bench", UserID: "u-ann", Hash: hash, CreatedAt: e.clock.Now()}); err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	client := &http.Client{Transport: tr}
	url := e.srv.URL + "/api/v1/families/f-ann/timeline"
	var failures atomic.Int64
	b.SetParallelism(32) // 32 x GOMAXPROCS concurrent clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := client.Do(req)
			if err != nil {
				failures.Add(1)
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				if failures.Add(1) == 1 {
					b.Logf("first failure: %d %.300s", res.StatusCode, body)
				}
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d reads failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reads/s")
	after, _ := e.st.Head(b.Context())
	if after < head+uint64(b.N) {
		b.Fatalf("%d reads but only %d access events stored", b.N, after-head)
	}
}
