package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// run runs one command through Main, as the binary would, with env as the
// environment, and returns its output.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb syncBuffer
	m := NewMain(&out, &errb, func(k string) string { return env[k] })
	err = m.Run(context.Background(), args)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), errb.String(), err
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "spoor-data")
	var out, errb syncBuffer
	m := NewMain(&out, &errb, func(k string) string {
		return map[string]string{"SPOOR_DATA": data, "SPOOR_LOG_LEVEL": "warn"}[k]
	})
	if err := m.Run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0"}); err != nil {
		t.Fatalf("serve: %v\n%s", err, errb.String())
	}
	defer m.Close()
	if !m.Serving() || !strings.Contains(out.String(), "Spoor is running at "+m.URL()) {
		t.Fatalf("serve printed %q, URL %q", out.String(), m.URL())
	}
	fi, err := os.Stat(filepath.Join(data, "kek.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated KEK: %v, %v", fi, err)
	}
	if !strings.Contains(errb.String(), "generated a key-encryption key") {
		t.Errorf("no warning about the generated KEK: %s", errb.String())
	}
	// The first administrator: a random password printed once.
	pw := passwordIn(t, out.String())
	if code, body := login(t, m.URL(), "admin", pw); code != 200 || !strings.Contains(body, `"roles":["admin"]`) {
		t.Fatalf("admin login: %d %s", code, body)
	}
	if code, _ := login(t, m.URL(), "admin", pw+"x"); code != 401 {
		t.Fatalf("wrong admin password: %d", code)
	}
	for path, want := range map[string]int{"healthz": 200, "readyz": 200, "api/v1/me": 401, "api/v1/openapi.yaml": 200, "login": 200} {
		if code, body := get(t, m.URL()+path); code != want {
			t.Errorf("GET /%s = %d %s, want %d", path, code, body, want)
		}
	}
	code, metrics := get(t, m.URL()+"metrics")
	if code != 200 || !strings.Contains(metrics, `spoor_http_requests_total{code="401",method="GET",route="/api/v1/me"} 1`) ||
		!strings.Contains(metrics, "go_goroutines") || !strings.Contains(metrics, "process_cpu_seconds_total") {
		t.Fatalf("metrics: %d\n%s", code, metrics)
	}
	if promtool, err := exec.LookPath("promtool"); err == nil {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(metrics)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("promtool check metrics: %v\n%s", err, out)
		}
	} else {
		t.Log("promtool not installed; exposition format not checked")
	}
	// A second server on the same data directory is refused (the log is locked).
	if _, _, err := run(t, map[string]string{"SPOOR_DATA": data}, "serve", "-addr", "127.0.0.1:0"); err == nil {
		t.Fatal("second serve on the same data directory started")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(m.URL() + "healthz"); err == nil && m.URL() != "" {
		t.Fatal("server still answers after Close")
	}

	// Restart: the key is found again, no second administrator; without
	// the key, serve refuses.
	if outs, errs, err := run(t, map[string]string{"SPOOR_DATA": data}, "serve", "-addr", "127.0.0.1:0"); err != nil || strings.Contains(errs, "generated") || strings.Contains(outs, "First run") {
		t.Fatalf("restart: %v %s %s", err, outs, errs)
	}
	os.Rename(filepath.Join(data, "kek.key"), filepath.Join(data, "kek.moved"))
	if _, _, err := run(t, map[string]string{"SPOOR_DATA": data}, "serve", "-addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "no key-encryption key") {
		t.Fatalf("serve without its KEK: %v", err)
	}
	if _, _, err := run(t, map[string]string{"SPOOR_DATA": data}, "serve", "-addr", "127.0.0.1:0", "-kek-file", filepath.Join(data, "kek.moved")); err != nil {
		t.Fatalf("serve with -kek-file: %v", err)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no command"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"serve", "-store", "sqlite"}, 2, "-store must be embedded or a kurrentdb:// URL"},
		{[]string{"serve", "-log-level", "loud"}, 2, "-log-level"},
		{[]string{"backup"}, 2, "one argument"},
		{[]string{"verify", "-data", "/nonexistent/spoor"}, 1, "no event log"},
	} {
		_, _, err := run(t, nil, tc.args...)
		if err == nil || exitCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v (exit %d), want exit %d containing %q", tc.args, err, exitCode(err), tc.code, tc.want)
		}
	}
	out, _, err := run(t, nil, "help")
	if err != nil || !strings.Contains(out, "spoor serve") || !strings.Contains(out, "spoor demo") || !strings.Contains(out, "spoor rebuild") {
		t.Fatalf("help lists commands that do not exist or misses serve: %v\n%s", err, out)
	}
}

// seed writes events to a new data directory: three family streams with
// JSON payloads (one with characters JSON encoders like to escape) and a
// signed checkpoint (whose data is not JSON); it returns the event count.
func seed(t *testing.T, data string) int {
	t.Helper()
	st, err := dataDir(data).openLog(true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	n := 0
	for f := range 3 {
		for v := range 4 {
			payload := fmt.Sprintf(`{"public":{"family_id":"f-%d","n":%d,"note":"<b>&amp;</b>"}}`, f, v)
			_, err := st.Append(ctx, fmt.Sprintf("family-f-%d", f), store.ExactVersion(uint64(v)), []store.Event{{
				ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", f*10+v), Type: "ContactLogged",
				Actor: store.Actor{UserID: "u-ann", Role: "coach"}, Data: []byte(payload),
			}})
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	skey, _, err := store.GenerateCheckpointKey(rand.Reader, "seed")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := store.NewCheckpointer(signer, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cp.Sign(ctx, st); err != nil {
		t.Fatal(err)
	}
	n++
	ks, err := keyfile.Open(dataDir(data).keys())
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if _, err := ks.PutIfAbsent(ctx, "family-f-0", bytes.Repeat([]byte{7}, 61)); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExportImportVerify(t *testing.T) {
	tmp := t.TempDir()
	src, dst := filepath.Join(tmp, "src"), filepath.Join(tmp, "dst")
	n := seed(t, src)
	out, _, err := run(t, nil, "verify", "-data", src)
	if err != nil || !strings.Contains(out, fmt.Sprintf("OK: %d events in 4 streams", n)) {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	file := filepath.Join(tmp, "events.jsonl")
	if _, _, err := run(t, nil, "export", "-data", src, file); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != n || !strings.Contains(lines[0], `"data":{"public":{"family_id":"f-0","n":0,"note":"<b>&amp;</b>"}}`) ||
		!strings.Contains(lines[n-1], `"data_b64":`) {
		t.Fatalf("export: %d lines\n%s\n%s", len(lines), lines[0], lines[n-1])
	}
	out, _, err = run(t, nil, "import", "-data", dst, file)
	if err != nil || !strings.Contains(out, fmt.Sprintf("imported %d events: %d appended, 0 already present", n, n)) {
		t.Fatalf("import: %v %s", err, out)
	}
	out, _, err = run(t, nil, "import", "-data", dst, file)
	// The checkpoint is imported only into an empty store (its tree sizes
	// are positions); on a repeat it is skipped.
	if err != nil || !strings.Contains(out, fmt.Sprintf("0 appended, %d already present, 1 checkpoints skipped", n-1)) {
		t.Fatalf("second import: %v %s", err, out)
	}
	// The copy is the same ledger: same hashes, so the same export.
	file2 := filepath.Join(tmp, "again.jsonl")
	if _, _, err := run(t, nil, "export", "-data", dst, file2); err != nil {
		t.Fatal(err)
	}
	b2, _ := os.ReadFile(file2)
	if !bytes.Equal(b, b2) {
		t.Fatal("export of the imported store differs from the original export")
	}
	if out, _, err := run(t, nil, "verify", "-data", dst); err != nil || !strings.Contains(out, "OK:") {
		t.Fatalf("verify imported: %v %s", err, out)
	}

	// A tampered line is refused before anything is written.
	bad := strings.Replace(string(b), `"n":2`, `"n":9`, 1)
	badFile := filepath.Join(tmp, "bad.jsonl")
	os.WriteFile(badFile, []byte(bad), 0o600)
	empty := filepath.Join(tmp, "empty")
	_, _, err = run(t, nil, "import", "-data", empty, badFile)
	if err == nil || !strings.Contains(err.Error(), "line 3 (stream family-f-0, version 3): hash does not match") {
		t.Fatalf("tampered import: %v", err)
	}
	if dataDir(empty).exists() {
		t.Fatal("a refused import created an event log")
	}
	unknown := strings.Replace(lines[0], `"position"`, `"positon"`, 1)
	os.WriteFile(badFile, []byte(unknown+"\n"), 0o600)
	if _, _, err := run(t, nil, "import", "-data", empty, badFile); err == nil || !strings.Contains(err.Error(), `unknown field "positon"`) {
		t.Fatalf("unknown field: %v", err)
	}
	os.WriteFile(badFile, []byte(strings.Join(lines[1:], "\n")), 0o600)
	if _, _, err := run(t, nil, "import", "-data", empty, badFile); err == nil || !strings.Contains(err.Error(), "starts at version 2") {
		t.Fatalf("incomplete stream: %v", err)
	}
	// An event Spoor does not know is refused, with a valid hash or not.
	var l exportLine
	json.Unmarshal([]byte(lines[0]), &l)
	l.Type = "SomethingElse"
	env := store.Envelope{ID: l.ID, Type: l.Type, Stream: l.Stream, Version: l.Version, RecordedAt: l.RecordedAt, Actor: l.Actor, Data: l.Data}
	l.Hash = store.ComputeHash(&env, store.Hash{}).String()
	var b3 bytes.Buffer
	enc := json.NewEncoder(&b3)
	enc.SetEscapeHTML(false) // keep the data bytes the hash covers
	enc.Encode(l)
	os.WriteFile(badFile, b3.Bytes(), 0o600)
	if _, _, err := run(t, nil, "import", "-data", empty, badFile); err == nil || !strings.Contains(err.Error(), "unknown event type") {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestBackupRestore(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	n := seed(t, data)
	logBackup, keyBackup := filepath.Join(tmp, "b-log"), filepath.Join(tmp, "b-keys")
	if _, _, err := run(t, nil, "backup", "-data", data, "-keys", logBackup, logBackup); err == nil {
		t.Fatal("backup with keys and log in one directory accepted")
	}
	out, _, err := run(t, nil, "backup", "-data", data, "-keys", keyBackup, logBackup)
	if err != nil || !strings.Contains(out, fmt.Sprintf("head %d", n)) {
		t.Fatalf("backup: %v %s", err, out)
	}
	if _, _, err := run(t, nil, "restore", "-data", data, logBackup); err == nil {
		t.Fatal("restore over an existing data directory accepted")
	}
	restored := filepath.Join(tmp, "restored")
	if out, _, err := run(t, nil, "restore", "-data", restored, "-keys", keyBackup, logBackup); err != nil || !strings.Contains(out, "key store restored") {
		t.Fatalf("restore: %v %s", err, out)
	}
	if out, _, err := run(t, nil, "verify", "-data", restored); err != nil || !strings.Contains(out, fmt.Sprintf("OK: %d events", n)) {
		t.Fatalf("verify restored: %v %s", err, out)
	}
	ks, err := keyfile.Open(dataDir(restored).keys())
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if k, err := ks.Get(context.Background(), "family-f-0"); err != nil || len(k) != 61 {
		t.Fatalf("restored key store: %v", err)
	}
	st, err := pebble.Open(dataDir(restored).log(), pebble.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, _ := st.StreamVersion(context.Background(), "family-f-1"); v != 4 {
		t.Fatalf("restored stream version %d, want 4", v)
	}
}

func TestExitCodes(t *testing.T) {
	ve := &store.VerifyError{Stream: "family-1", Version: 3, Position: 9, What: "hash"}
	if exitCode(exitError{code: 1, err: ve}) != 1 || exitCode(usageError{"x"}) != 2 || exitCode(errors.New("x")) != 1 {
		t.Fatal("exit codes wrong")
	}
}

func TestCheckpoints(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SPOOR_DATA": data, "SPOOR_LOG_LEVEL": "warn"}
	_, errs, err := run(t, env, "serve", "-addr", "127.0.0.1:0")
	if err != nil || !strings.Contains(errs, "generated a checkpoint signing key") {
		t.Fatalf("first serve: %v %s", err, errs)
	}
	pub, err := os.ReadFile(filepath.Join(data, "checkpoint.pub"))
	if err != nil || !strings.HasPrefix(string(pub), "spoor-ledger+") {
		t.Fatalf("verifier key: %q %v", pub, err)
	}
	if fi, err := os.Stat(filepath.Join(data, "checkpoint.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signer key file: %v %v", fi, err)
	}
	n := appendEvents(t, data, 5)
	// Serving and stopping signs a checkpoint over the grown log.
	if _, _, err := run(t, env, "serve", "-addr", "127.0.0.1:0", "-checkpoint-interval", "0"); err != nil {
		t.Fatal(err)
	}
	// 3 events of the first administrator, a checkpoint at the first
	// shutdown, n events, a checkpoint at the second.
	total := 3 + 1 + n + 1
	out, _, err := run(t, nil, "verify", "-data", data)
	if err != nil || !strings.Contains(out, fmt.Sprintf("OK: %d events", total)) || !strings.Contains(out, "checkpoints: 2 matching the tree, 2 signed") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	// Another key does not verify the checkpoint.
	_, other, _ := store.GenerateCheckpointKey(rand.Reader, "someone-else")
	otherFile := filepath.Join(t.TempDir(), "other.pub")
	os.WriteFile(otherFile, []byte(other), 0o600)
	out, _, err = run(t, nil, "verify", "-data", data, "-verifier-key", otherFile)
	if err == nil || exitCode(err) != 1 || !strings.Contains(out, "FAILED at position") {
		t.Fatalf("verify with a foreign key: %v\n%s", err, out)
	}
	// No new events: stopping again signs nothing.
	if _, _, err := run(t, env, "serve", "-addr", "127.0.0.1:0", "-checkpoint-interval", "0"); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := run(t, nil, "verify", "-data", data); !strings.Contains(out, fmt.Sprintf("OK: %d events", total)) {
		t.Fatalf("a checkpoint was signed over an unchanged log:\n%s", out)
	}
}

// appendEvents appends n events to one family stream of an existing log.
func appendEvents(t *testing.T, data string, n int) int {
	t.Helper()
	st, err := dataDir(data).openLog(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range n {
		_, err := st.Append(context.Background(), "family-x", store.AnyVersion, []store.Event{{
			ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i), Type: "ContactLogged",
			Actor: store.Actor{UserID: "u", Role: "coach"}, Data: []byte(`{"public":{}}`),
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestOnlineBackups(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	n := seed(t, data)
	st, err := dataDir(data).openLog(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ks, err := keyfile.Open(dataDir(data).keys())
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	b := onlineBackups{st: st, keys: ks, logRoot: filepath.Join(tmp, "logs"), keysRoot: filepath.Join(tmp, "keys"), now: time.Now}
	res, err := b.Backup(context.Background())
	if err != nil || res.Head != uint64(n) || filepath.Dir(res.LogDir) != b.logRoot || filepath.Dir(res.KeysDir) != b.keysRoot {
		t.Fatalf("backup = %+v, %v", res, err)
	}
	restored := filepath.Join(tmp, "restored")
	if out, _, err := run(t, nil, "restore", "-data", restored, "-keys", res.KeysDir, res.LogDir); err != nil {
		t.Fatalf("restore online backup: %v %s", err, out)
	}
	if out, _, err := run(t, nil, "verify", "-data", restored); err != nil || !strings.Contains(out, fmt.Sprintf("OK: %d events", n)) {
		t.Fatalf("verify: %v %s", err, out)
	}
}

// passwordIn finds the password printed on first run.
func passwordIn(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "    ") && len(strings.TrimSpace(line)) == 24 {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no password printed:\n%s", out)
	return ""
}

func login(t *testing.T, base, login, password string) (int, string) {
	t.Helper()
	body := fmt.Sprintf(`{"login":%q,"password":%q}`, login, password)
	res, err := http.Post(base+"api/v1/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestFirstAdminFromFile(t *testing.T) {
	tmp := t.TempDir()
	pwFile := filepath.Join(tmp, "pw")
	os.WriteFile(pwFile, []byte("short\n"), 0o600)
	data := filepath.Join(tmp, "data")
	if _, _, err := run(t, nil, "serve", "-data", data, "-addr", "127.0.0.1:0", "-admin-password-file", pwFile); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Fatalf("weak admin password accepted: %v", err)
	}
	os.WriteFile(pwFile, []byte("een lang genoeg wachtwoord\n"), 0o600)
	var out, errb syncBuffer
	m := NewMain(&out, &errb, func(string) string { return "" })
	if err := m.Run(context.Background(), []string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-admin-password-file", pwFile, "-admin-login", "beheer"}); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if strings.Contains(out.String(), "een lang") || !strings.Contains(out.String(), `administrator "beheer"`) {
		t.Fatalf("output: %s", out.String())
	}
	if code, body := login(t, m.URL(), "beheer", "een lang genoeg wachtwoord"); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
}

func TestRebuild(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SPOOR_DATA": data, "SPOOR_LOG_LEVEL": "warn"}
	if _, _, err := run(t, env, "serve", "-addr", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "rebuild")
	if err != nil || !strings.Contains(out, "rebuilt 7 read models from") {
		t.Fatalf("rebuild: %v %s", err, out)
	}
	entries, err := os.ReadDir(filepath.Join(data, "snapshots"))
	if err != nil || len(entries) < 7 {
		t.Fatalf("snapshots: %v %v", entries, err)
	}
	// The server starts from the snapshots.
	if _, _, err := run(t, env, "serve", "-addr", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
}

func TestDemo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out, _, err := run(t, nil, "demo", "-data", data, "-families", "8", "-coaches", "3")
	if err != nil || !strings.Contains(out, "Demo team: 8 families") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	pw := passwordIn(t, out)
	if _, _, err := run(t, nil, "demo", "-data", data); err == nil {
		t.Fatal("demo over an existing data directory accepted")
	}
	if out, _, err := run(t, nil, "verify", "-data", data); err != nil || !strings.Contains(out, "1 signed") {
		t.Fatalf("verify demo: %v\n%s", err, out)
	}
	// The demo team logs in on the server; no first-run administrator is made.
	var sout, serr syncBuffer
	m := NewMain(&sout, &serr, func(k string) string { return map[string]string{"SPOOR_LOG_LEVEL": "warn"}[k] })
	if err := m.Run(context.Background(), []string{"serve", "-data", data, "-addr", "127.0.0.1:0"}); err != nil {
		t.Fatalf("serve demo: %v\n%s", err, serr.String())
	}
	defer m.Close()
	if strings.Contains(sout.String(), "First run") {
		t.Fatal("serve created an administrator on the demo data")
	}
	login := ""
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "coach") {
			login = strings.TrimSuffix(f, ",")
			break
		}
	}
	if code, body := login2(t, m.URL(), login, pw); code != 200 {
		t.Fatalf("login %s: %d %s", login, code, body)
	}
}

func login2(t *testing.T, base, l, pw string) (int, string) { return login(t, base, l, pw) }

// TestServeKurrentDB starts the server on a real KurrentDB node when
// SPOOR_KURRENTDB_URL names one (as the store suite does), e.g.
// kurrentdb://localhost:2113?tls=false.
func TestServeKurrentDB(t *testing.T) {
	url := os.Getenv("SPOOR_KURRENTDB_URL")
	if url == "" {
		t.Skip("SPOOR_KURRENTDB_URL not set: no KurrentDB node to serve from")
	}
	data := filepath.Join(t.TempDir(), "data")
	var out, errb syncBuffer
	prefix := fmt.Sprintf("spoortest%d", time.Now().UnixNano())
	m := NewMain(&out, &errb, func(k string) string {
		if k == "SPOOR_KURRENTDB_PREFIX" {
			return prefix
		}
		return os.Getenv(k)
	})
	if err := m.Run(context.Background(), []string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-store", url}); err != nil {
		t.Fatalf("serve on KurrentDB: %v\n%s", err, errb.String())
	}
	defer m.Close()
	if code, body := get(t, m.URL()+"readyz"); code != 200 {
		t.Fatalf("readyz: %d %s", code, body)
	}
	if code, body := login(t, m.URL(), "admin", passwordIn(t, out.String())); code != 200 {
		t.Fatalf("admin login on KurrentDB: %d %s", code, body)
	}
}

func TestVerifyLoopCountsFailures(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	seed(t, data)
	st, err := dataDir(data).openLog(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A reader that changes one event's data on the way: what tampering
	// with the stored bytes looks like to Verify.
	var failures atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		verifyLoop(ctx, tamperingReader{st}, 10*time.Millisecond, slog.New(slog.DiscardHandler), func() { failures.Add(1) })
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for failures.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if failures.Load() == 0 {
		t.Fatal("a tampered ledger was not counted as a verify failure")
	}
	// The untampered ledger verifies: no failure counted.
	failures.Store(0)
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	verifyLoop(ctx, st, 10*time.Millisecond, slog.New(slog.DiscardHandler), func() { failures.Add(1) })
	if failures.Load() != 0 {
		t.Fatalf("%d failures on a sound ledger", failures.Load())
	}
}

// tamperingReader flips a byte of the data of position 2 in ReadAll.
type tamperingReader struct{ store.Reader }

func (r tamperingReader) ReadAll(ctx context.Context, from uint64) iter.Seq2[store.Envelope, error] {
	return func(yield func(store.Envelope, error) bool) {
		for e, err := range r.Reader.ReadAll(ctx, from) {
			if err == nil && e.Position == 2 {
				e.Data = bytes.Replace(e.Data, []byte(`"n":1`), []byte(`"n":7`), 1)
			}
			if !yield(e, err) {
				return
			}
		}
	}
}
