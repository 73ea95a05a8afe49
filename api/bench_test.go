package api

import (
	"crypto/rand"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"spoor/auth"
)

// BenchmarkAuthorisedRead measures authorised reads of a family's file
// through a real HTTP server on loopback: bearer-token authentication, the
// policy, a durable access event appended to the Pebble store for every
// read, and the JSON answer. It reports reads/s; run with -cpu and
// -benchtime to taste, e.g.
//
//	go test -run '^$' -bench AuthorisedRead -benchtime 5s ./api
func BenchmarkAuthorisedRead(b *testing.B) {
	e := newEnvB(b)
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
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				failures.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d reads failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reads/s")
	head, _ := e.st.Head(b.Context())
	if head < uint64(b.N) {
		b.Fatalf("%d reads but only %d access events stored", b.N, head)
	}
}
