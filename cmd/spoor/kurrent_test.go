package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spoor/domain"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/kurrent"
	"spoor/store/kurrent/kurrenttest"
)

// These tests run the real program (Main: serve, demo, verify, export,
// import) on KurrentDB, played by the in-process protocol double
// (kurrenttest) on a loopback port.

// openKurrent opens the KurrentDB ledger at url directly, as a second
// opinion on what the program wrote.
func openKurrent(t *testing.T, url string) *kurrent.Store {
	t.Helper()
	cfg := kurrent.DefaultConfig()
	cfg.URL = url
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kurrent.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// serveKurrent starts `spoor serve -store url` with its own data directory
// and the environment env.
func serveKurrent(t *testing.T, url string, env map[string]string) (*Main, *syncBuffer) {
	t.Helper()
	var out, errb syncBuffer
	m := NewMain(&out, &errb, func(k string) string { return env[k] })
	data := filepath.Join(t.TempDir(), "data")
	if err := m.Run(context.Background(), []string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-store", url}); err != nil {
		t.Fatalf("serve on KurrentDB: %v\n%s", err, errb.String())
	}
	t.Cleanup(func() { m.Close() })
	return m, &out
}

// loginSession logs login in on base and returns its session (cookie and
// CSRF token).
func loginSession(t *testing.T, base, login, password string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{t: t, base: base, c: &http.Client{Jar: jar, Timeout: time.Minute}}
	code, res := s.do("POST", "api/v1/login", toJSON(map[string]string{"login": login, "password": password}), "")
	if code != 200 {
		t.Fatalf("login %s on %s: %d %v", login, base, code, res)
	}
	s.csrf, _ = res["csrf_token"].(string)
	return s
}

// TestTwoServesOneCluster: two `spoor serve` instances on one KurrentDB
// (each with its own data directory, the same KEK and checkpoint key)
// serve the same answers and never write conflicting events.
func TestTwoServesOneCluster(t *testing.T) {
	kdb := kurrenttest.NewServer(t)
	tmp := t.TempDir()
	kek, err := store.GenerateKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	skey, _, err := store.GenerateCheckpointKey(rand.Reader, "spoor-cluster")
	if err != nil {
		t.Fatal(err)
	}
	ckFile, pwFile := filepath.Join(tmp, "checkpoint.key"), filepath.Join(tmp, "admin-pw")
	const pw = "een lang genoeg wachtwoord"
	if err := os.WriteFile(ckFile, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"SPOOR_KEK": kek, "SPOOR_CHECKPOINT_KEY_FILE": ckFile, "SPOOR_ADMIN_PASSWORD_FILE": pwFile,
		"SPOOR_LOG_LEVEL": "warn", "SPOOR_CHECKPOINT_INTERVAL": "0",
	}

	// Instance 1 finds an empty ledger and creates the administrator;
	// instance 2, started next, finds the administrator in the cluster.
	m1, out1 := serveKurrent(t, kdb.URL(), env)
	if !strings.Contains(out1.String(), `First run: created the administrator "admin"`) {
		t.Fatalf("instance 1 output: %s", out1.String())
	}
	m2, out2 := serveKurrent(t, kdb.URL(), env)
	if strings.Contains(out2.String(), "First run") {
		t.Fatalf("instance 2 created a second administrator: %s", out2.String())
	}
	for _, m := range []*Main{m1, m2} {
		ready := func() string {
			code, body := get(t, m.URL()+"readyz")
			if code == 200 {
				return "ready"
			}
			return fmt.Sprint(code, " ", body)
		}
		if got := eventually(t, ready, "ready"); got != "ready" {
			t.Fatalf("readyz on %s: %s", m.URL(), got)
		}
	}
	admin := loginSession(t, m1.URL(), "admin", pw)
	loginSession(t, m2.URL(), "admin", pw) // the same credentials on the other instance

	// Staff through instance 1: a coordinator and a coach.
	ids := map[string]string{}
	for login, role := range map[string]string{"cora": "coordinator", "ann": "coach"} {
		code, res := admin.do("POST", "api/v1/staff", toJSON(map[string]any{"login": login, "display_name": login, "roles": []string{role}}), "")
		if code != 201 {
			t.Fatalf("register %s: %d %v", login, code, res)
		}
		ids[login] = res["id"].(string)
		if code, res := admin.do("PUT", "api/v1/staff/"+ids[login]+"/password", toJSON(map[string]string{"password": pw}), ""); code != 204 {
			t.Fatalf("password of %s: %d %v", login, code, res)
		}
	}
	cora := loginSession(t, m1.URL(), "cora", pw)
	today := time.Now().In(mustBrussels(t)).Format("2006-01-02")
	const fam = "f-cluster"
	for _, step := range []struct{ path, body string }{
		{"api/v1/families", toJSON(map[string]any{"family_id": fam, "date": today, "source": "police", "referring_org": "Politie Demostad",
			"consent_given": true, "consent_form": "verbal", "problems": []string{"housing"}, "children": 2, "adults": 1, "family_name": "Familie Janssens"})},
		{"api/v1/families/" + fam + "/hold-intake", toJSON(map[string]any{"date": today, "attendees": []string{"parent"}, "coach_id": ids["ann"],
			"definitive_consent": true, "consent_form": "verbal"})},
		{"api/v1/families/" + fam + "/start-guidance", toJSON(map[string]any{"date": today, "allocation_id": "al-1", "coach_id": ids["ann"]})},
	} {
		if code, res := cora.do("POST", step.path, step.body, ""); code != 201 {
			t.Fatalf("POST %s: %d %v", step.path, code, res)
		}
	}
	// The coach logs a contact through instance 1 and reads the timeline
	// through both; instance 2 gives the same answer once its read models
	// have caught up from the cluster.
	ann1, ann2 := loginSession(t, m1.URL(), "ann", pw), loginSession(t, m2.URL(), "ann", pw)
	if code, res := ann1.do("POST", "api/v1/families/"+fam+"/contacts", toJSON(map[string]any{"kind": "home_visit_announced",
		"duration_minutes": 45, "life_domains": []string{"housing"}, "note": "Huisbezoek, de verhuurder wil renovatie"}), ""); code != 201 {
		t.Fatalf("log contact: %d %v", code, res)
	}
	timeline := func(s *session) string {
		t.Helper()
		code, res := s.do("GET", "api/v1/families/"+fam+"/timeline", "", "")
		if code != 200 {
			t.Fatalf("timeline on %s: %d %v", s.base, code, res)
		}
		return toJSON(res["entries"])
	}
	want := timeline(ann1)
	if !strings.Contains(want, "home_visit_announced") {
		t.Fatalf("instance 1's timeline lacks the contact: %s", want)
	}
	if got := eventually(t, func() string { return timeline(ann2) }, want); got != want {
		t.Fatalf("instance 2's timeline differs:\n%s\nwant\n%s", got, want)
	}

	// Concurrent commands on the same family through both instances: every
	// one lands, the stream's versions stay dense, nothing conflicts.
	const writers, each = 4, 5
	conflictsBefore := kdb.WrongExpectedVersions()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var conflicts atomic.Int64
	errs := make(chan string, writers*each)
	for w := range writers {
		s := ann1
		if w%2 == 1 {
			s = ann2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				body := toJSON(map[string]any{"contact_id": fmt.Sprintf("c-%d-%d", w, i), "kind": "phone", "duration_minutes": 10, "note": "Telefoon"})
				// A 409 (the ledger's own retries ran out under this
				// contention, nothing written) is retried as a client
				// would; every contact must land once in the end.
				var code int
				var res map[string]any
				for try := 0; try < 10; try++ {
					if code, res = s.do("POST", "api/v1/families/"+fam+"/contacts", body, ""); code != 409 {
						break
					}
					conflicts.Add(1)
				}
				if code != 201 {
					errs <- fmt.Sprintf("writer %d contact %d on %s: %d %v", w, i, s.base, code, res)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	t.Logf("%d answers of 409 (nothing written) were retried by the writers", conflicts.Load())
	if t.Failed() {
		t.FailNow()
	}

	// The ledger in the cluster, read directly: one chain per stream, dense
	// versions, every contact once, and it verifies.
	ks := openKurrent(t, kdb.URL())
	ctx := context.Background()
	var version uint64
	contacts := map[string]int{}
	ids2 := map[string]bool{}
	for e, err := range ks.ReadStream(ctx, "family-"+fam, 1) {
		if err != nil {
			t.Fatal(err)
		}
		version++
		if e.Version != version {
			t.Fatalf("family stream: version %d where %d was due", e.Version, version)
		}
		if ids2[e.ID] {
			t.Fatalf("event id %s twice", e.ID)
		}
		ids2[e.ID] = true
		if e.Type == domain.TypeContactLogged {
			m := regexp.MustCompile(`"contact_id":"([^"]*)"`).FindSubmatch(e.Data)
			if m == nil {
				t.Fatalf("ContactLogged without a contact id: %s", e.Data)
			}
			contacts[string(m[1])]++
		}
	}
	if len(contacts) != 1+writers*each {
		t.Fatalf("%d contacts in the family stream, want %d", len(contacts), 1+writers*each)
	}
	for id, n := range contacts {
		if n != 1 {
			t.Fatalf("contact %s logged %d times", id, n)
		}
	}
	// The writers did race: the cluster refused stale appends, and the
	// ledger decided again on the newer version.
	refused := kdb.WrongExpectedVersions() - conflictsBefore
	t.Logf("%d appends refused with wrong expected version while %d contacts landed", refused, writers*each)
	rep, err := store.Verify(ctx, ks, store.VerifyOptions{})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Events == 0 || rep.Streams < 4 {
		t.Fatalf("Verify report %+v", rep)
	}
	// Both instances answer the same again, after the concurrent writes.
	want = timeline(ann1)
	if got := eventually(t, func() string { return timeline(ann2) }, want); got != want {
		t.Fatalf("after the concurrent writes instance 2's timeline differs:\n%s\nwant\n%s", got, want)
	}
	if n := strings.Count(want, `"contact_id":"c-`); n != writers*each {
		t.Fatalf("timeline shows %d phone contacts, want %d\n%s", n, writers*each, want)
	}

	// Stopping both signs checkpoints; `spoor verify -store` agrees with
	// store.Verify, and the checkpoints check out.
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m2.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs2, err := run(t, map[string]string{"SPOOR_STORE": kdb.URL()}, "verify", "-data", filepath.Join(tmp, "none"))
	if err != nil || !strings.Contains(out, "OK: ") || !regexp.MustCompile(`checkpoints: [1-9]\d* matching the tree`).MatchString(out) {
		t.Fatalf("spoor verify on KurrentDB: %v\n%s\n%s", err, out, errs2)
	}
}

// eventually calls f until it returns want or 20 seconds have passed, and
// returns its last answer.
func eventually(t *testing.T, f func() string, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := f()
		if got == want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustBrussels(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// verifyLine extracts the event count and the tree root from the output of
// spoor verify.
func verifyLine(t *testing.T, out string) (events, root string) {
	t.Helper()
	m := regexp.MustCompile(`OK: (\d+) events in \d+ streams`).FindStringSubmatch(out)
	r := regexp.MustCompile(`Merkle tree: size \d+, root ([0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil || r == nil {
		t.Fatalf("verify output without a count or a root:\n%s", out)
	}
	return m[1], r[1]
}

// TestMigrateToKurrentDB follows the README's migration path: a demo
// ledger in an embedded data directory is verified, exported, imported
// with its keys into KurrentDB and verified there: the same events, the
// same tree root, the sealed notes open with the migrated keys, a destroyed
// key stays destroyed, and importing again writes nothing.
func TestMigrateToKurrentDB(t *testing.T) {
	kdb := kurrenttest.NewServer(t)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "embedded")
	demoOut, errs, err := run(t, nil, "demo", "-data", src, "-families", "8", "-coaches", "3")
	if err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, demoOut, errs)
	}
	ctx := context.Background()

	// An erasure before the move: one family's data key destroyed in the
	// embedded key store.
	ks, err := keyfile.Open(dataDir(src).keys())
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := ks.Entries()
	if err != nil || len(keys) < 8 {
		t.Fatalf("demo key store: %d keys, %v", len(keys), err)
	}
	var erased string
	for scope := range keys {
		if strings.HasPrefix(scope, "family-") && (erased == "" || scope < erased) {
			erased = scope
		}
	}
	if err := ks.Destroy(ctx, erased); err != nil {
		t.Fatal(err)
	}
	ks.Close()

	out, _, err := run(t, nil, "verify", "-data", src)
	if err != nil {
		t.Fatalf("verify embedded: %v\n%s", err, out)
	}
	events, root := verifyLine(t, out)
	file := filepath.Join(tmp, "ledger.jsonl")
	if _, _, err := run(t, nil, "export", "-data", src, file); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(tmp, "cluster-data")
	out, errs, err = run(t, nil, "import", "-data", target, "-store", kdb.URL(), "-keys-from", dataDir(src).keys(), file)
	if err != nil || !strings.Contains(out, fmt.Sprintf("imported %s events: %s appended, 0 already present, 0 checkpoints skipped", events, events)) ||
		!strings.Contains(out, fmt.Sprintf("keys: %d copied, 0 already present, 0 destroyed in the target left destroyed; 1 destroyed scopes", len(keys)-1)) {
		t.Fatalf("import into KurrentDB: %v\n%s\n%s", err, out, errs)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("an import into KurrentDB made a local data directory")
	}
	// Verify on the cluster, with the embedded ledger's verifier key: the
	// same events, the same root, the imported checkpoint signed.
	out, _, err = run(t, map[string]string{"SPOOR_STORE": kdb.URL()}, "verify", "-data", src)
	if err != nil {
		t.Fatalf("verify on KurrentDB: %v\n%s", err, out)
	}
	kevents, kroot := verifyLine(t, out)
	if kevents != events || kroot != root || !strings.Contains(out, "1 signed") {
		t.Fatalf("KurrentDB: %s events, root %s; embedded: %s events, root %s\n%s", kevents, kroot, events, root, out)
	}
	// The export of the cluster is the export of the embedded store, but
	// for the positions, which are the cluster's own.
	again := filepath.Join(tmp, "again.jsonl")
	if _, _, err := run(t, map[string]string{"SPOOR_STORE": kdb.URL()}, "export", again); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(file)
	b2, _ := os.ReadFile(again)
	pos := regexp.MustCompile(`"position":\d+,`)
	if !bytes.Equal(pos.ReplaceAll(b1, nil), pos.ReplaceAll(b2, nil)) {
		t.Fatal("the cluster's export differs from the embedded one beyond positions")
	}

	// Importing again writes nothing: no event, no key.
	before, err := openKurrent(t, kdb.URL()).Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, nil, "import", "-store", kdb.URL(), "-keys-from", src, file)
	n := mustAtoi(t, events)
	if err != nil || !strings.Contains(out, fmt.Sprintf("0 appended, %d already present, 1 checkpoints skipped", n-1)) ||
		!strings.Contains(out, fmt.Sprintf("keys: 0 copied, %d already present", len(keys)-1)) {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	kst := openKurrent(t, kdb.URL())
	if after, err := kst.Head(ctx); err != nil || after != before {
		t.Fatalf("head %d after the second import, %d before (%v)", after, before, err)
	}

	// The migrated team works on the cluster: serve with the old KEK and
	// checkpoint key, a coach logs in with the demo password.
	var sout, serr syncBuffer
	srv := NewMain(&sout, &serr, func(k string) string { return map[string]string{"SPOOR_LOG_LEVEL": "warn"}[k] })
	if err := srv.Run(ctx, []string{"serve", "-store", kdb.URL(), "-data", filepath.Join(tmp, "serve-data"), "-addr", "127.0.0.1:0",
		"-kek-file", dataDir(src).kekFile(), "-checkpoint-key-file", dataDir(src).checkpointKey()}); err != nil {
		t.Fatalf("serve the migrated ledger: %v\n%s", err, serr.String())
	}
	defer srv.Close()
	if strings.Contains(sout.String(), "First run") {
		t.Fatal("serve created an administrator on the migrated ledger")
	}
	coach := regexp.MustCompile(`\b(coach[^ ,]*) \(coach\)`).FindStringSubmatch(demoOut)
	if coach == nil {
		t.Fatalf("no coach login in the demo's output:\n%s", demoOut)
	}
	loginSession(t, srv.URL(), coach[1], passwordIn(t, demoOut))
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	// An import interrupted halfway and run again ends with the same
	// ledger, its checkpoint included.
	kdb2 := kurrenttest.NewServer(t)
	lines := bytes.SplitAfter(b1, []byte("\n"))
	half := filepath.Join(tmp, "half.jsonl")
	if err := os.WriteFile(half, bytes.Join(lines[:n/2], nil), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, nil, "import", "-store", kdb2.URL(), half); err != nil || !strings.Contains(out, fmt.Sprintf("%d appended", n/2)) {
		t.Fatalf("half import: %v\n%s", err, out)
	}
	out, _, err = run(t, nil, "import", "-store", kdb2.URL(), file)
	if err != nil || !strings.Contains(out, fmt.Sprintf("%d appended, %d already present, 0 checkpoints skipped", n-n/2, n/2)) {
		t.Fatalf("resumed import: %v\n%s", err, out)
	}
	out, _, err = run(t, nil, "verify", "-store", kdb2.URL(), "-data", src)
	if err != nil {
		t.Fatalf("verify after a resumed import: %v\n%s", err, out)
	}
	if e2, r2 := verifyLine(t, out); e2 != events || r2 != root || !strings.Contains(out, "1 signed") {
		t.Fatalf("after a resumed import: %s events, root %s; want %s, %s\n%s", e2, r2, events, root, out)
	}

	// The sealed parts open on the cluster's side with the migrated keys
	// and the same KEK, exactly as on the embedded side; the erased
	// family's stay erased, its key stream tombstoned.
	kekText, err := os.ReadFile(dataDir(src).kekFile())
	if err != nil {
		t.Fatal(err)
	}
	kek, err := store.ParseKEK(kekText)
	if err != nil {
		t.Fatal(err)
	}
	clusterSealer, err := store.NewSealer(kek, kst.Keys(), nil)
	if err != nil {
		t.Fatal(err)
	}
	est, err := dataDir(src).openLog(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer est.Close()
	eks, err := keyfile.Open(dataDir(src).keys())
	if err != nil {
		t.Fatal(err)
	}
	defer eks.Close()
	embeddedSealer, err := store.NewSealer(kek, eks, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sealed, erasedSeen, notes int
	for e, err := range kst.ReadAll(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if _, isSealed, err := store.SplitPayload(e.Data); err != nil || !isSealed {
			continue
		}
		got, err := clusterSealer.Open(ctx, e.Data)
		if err != nil {
			t.Fatalf("open %s %s v%d on the cluster: %v", e.Type, e.Stream, e.Version, err)
		}
		want, err := embeddedSealer.Open(ctx, e.Data)
		if err != nil {
			t.Fatal(err)
		}
		if got.Erased != want.Erased || !bytes.Equal(got.Secret, want.Secret) {
			t.Fatalf("%s %s v%d opens differently on the cluster (erased %v) and embedded (erased %v)", e.Type, e.Stream, e.Version, got.Erased, want.Erased)
		}
		sealed++
		switch {
		case got.Erased:
			if got.Scope != erased {
				t.Fatalf("%s erased, but only %s was", got.Scope, erased)
			}
			erasedSeen++
		case e.Type == domain.TypeContactLogged && bytes.Contains(got.Secret, []byte(`"note"`)):
			notes++
		}
	}
	if sealed == 0 || notes == 0 || erasedSeen == 0 {
		t.Fatalf("%d sealed payloads, %d contact notes opened, %d erased; want some of each", sealed, notes, erasedSeen)
	}
	t.Logf("%s events, root %s; %d sealed payloads opened alike, %d contact notes, %d erased", events, root, sealed, notes, erasedSeen)
	if !kdb.Tombstoned("spoorkey-" + erased) {
		t.Fatalf("the erased scope's key stream is not tombstoned on the cluster")
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportRefusals: bad -store and -keys-from values are refused before
// anything is written.
func TestImportRefusals(t *testing.T) {
	kdb := kurrenttest.NewServer(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	seed(t, data)
	file := filepath.Join(tmp, "events.jsonl")
	if _, _, err := run(t, nil, "export", "-data", data, file); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify", "-store", "sqlite://x"}, 2, "-store must be embedded or a kurrentdb:// URL"},
		{[]string{"export", "-store", "postgres://u:secret@h/db"}, 2, "-store must be"},
		{[]string{"import", "-store", kdb.URL(), "-keys-from", empty, file}, 1, "is not a key store"},
		{[]string{"import", "-store", kdb.URL(), "-keys-from", filepath.Join(tmp, "missing"), file}, 1, "is not a key store"},
		{[]string{"import", "-data", data, "-keys-from", dataDir(data).keys(), file}, 2, "the target's own key store"},
	} {
		_, _, err := run(t, nil, tc.args...)
		if err == nil || exitCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: %v (exit %d), want exit %d with %q", tc.args, err, exitCode(err), tc.code, tc.want)
		}
	}
	if h, err := openKurrent(t, kdb.URL()).Head(context.Background()); err != nil || h != 0 {
		t.Fatalf("a refused import wrote to the cluster: head %d, %v", h, err)
	}
}
