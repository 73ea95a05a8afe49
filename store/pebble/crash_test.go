package pebble_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"spoor/store"
	"spoor/store/pebble"
)

var crashKills = flag.Int("crash.kills", 20, "how many times TestCrash kills a writer process")

// crashChildEnv names the data directory a TestCrashChild process appends
// to; crashRoundEnv is the round number, which makes its event ids unique.
const (
	crashChildEnv = "SPOOR_CRASH_CHILD"
	crashRoundEnv = "SPOOR_CRASH_ROUND"
)

// crashData is the data of the event with this id: 40..615 bytes derived
// from the id, so the parent can check every stored event byte for byte.
func crashData(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	n := 40 + int(sum[0])*2 + int(sum[1])%64
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, sum[:]...)
	}
	return out[:n]
}

// TestCrashChild is the writer process of TestCrash; it runs only when
// crashChildEnv is set. It opens the store with DefaultOptions (WAL
// warm-up included), then 6 goroutines append in a loop, each to its own
// stream with ExactVersion and to the shared stream "team" with AnyVersion,
// in appends of 1 to 3 events. After an Append returns, it prints one line
// per event: "ack <stream> <version> <position> <id>", written with one
// unbuffered write. It runs until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("only runs as TestCrash's child process")
	}
	round := os.Getenv(crashRoundEnv)
	ctx := context.Background()
	s, err := pebble.Open(dir, pebble.DefaultOptions())
	if err != nil {
		fmt.Printf("error open: %v\n", err)
		os.Exit(2)
	}
	var out sync.Mutex
	print := func(line string) {
		out.Lock()
		defer out.Unlock()
		if _, err := os.Stdout.WriteString(line); err != nil {
			os.Exit(3)
		}
	}
	fail := func(err error) {
		print(fmt.Sprintf("error %v\n", err))
		os.Exit(2)
	}
	print("ready\n")
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			own := fmt.Sprintf("family-%d", g)
			version, err := s.StreamVersion(ctx, own)
			if err != nil {
				fail(err)
			}
			r := rand.New(rand.NewPCG(uint64(g), uint64(len(round))))
			for i := 0; ; i++ {
				stream, expected := own, store.ExactVersion(version)
				if i%3 == 2 {
					stream, expected = "team", store.AnyVersion
				}
				events := make([]store.Event, 1+r.IntN(3))
				for j := range events {
					id := fmt.Sprintf("r%s-g%d-%d-%d", round, g, i, j)
					events[j] = store.Event{ID: id, Type: "CrashTested", Data: crashData(id), Actor: store.Actor{UserID: "crash", Role: "test"}}
				}
				res, err := s.Append(ctx, stream, expected, events)
				if err != nil {
					fail(fmt.Errorf("append to %s: %w", stream, err))
				}
				if stream == own {
					version = res.Version
				}
				var b strings.Builder
				for j, e := range events {
					fmt.Fprintf(&b, "ack %s %d %d %s\n", stream, res.Version-uint64(len(events)-1-j), res.FirstPosition+uint64(j), e.ID)
				}
				print(b.String())
			}
		})
	}
	wg.Wait()
}

type ack struct {
	stream   string
	version  uint64
	position uint64
	id       string
}

// TestCrash kills a writer process (TestCrashChild) with SIGKILL at a
// random moment, -crash.kills times (default 20), on the same data
// directory. After each kill it reopens the store and checks: every append
// the child acknowledged is there byte for byte (id, stream, version,
// position, data); every stored event's data is what its id says (nothing
// half-written); positions are dense; each stream's versions run 1..n with
// linking hashes; CheckIndex and store.Verify pass.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	total := 0
	start := time.Now()
	for round := range *crashKills {
		acks := runAndKill(t, dir, round)
		total += len(acks)
		checkAfterCrash(t, dir, acks)
	}
	t.Logf("%d kills, %d acknowledged events checked, %v", *crashKills, total, time.Since(start).Round(time.Millisecond))
}

// runAndKill starts a child, kills it 10..200 ms after its store is open,
// and returns what it acknowledged.
func runAndKill(t *testing.T, dir string, round int) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var acks []ack
	parse := func(line string) {
		switch {
		case strings.HasPrefix(line, "ack "):
			var a ack
			if _, err := fmt.Sscanf(line, "ack %s %d %d %s", &a.stream, &a.version, &a.position, &a.id); err != nil {
				t.Fatalf("round %d: bad line %q: %v", round, line, err)
			}
			acks = append(acks, a)
		case strings.HasPrefix(line, "error "):
			t.Fatalf("round %d: child failed: %s", round, line)
		}
	}
	// Wait until the child has opened the store, then give it a random
	// time to append.
	timeout := time.After(30 * time.Second)
	for ready := false; !ready; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("round %d: child exited before it was ready: %v", round, cmd.Wait())
			}
			ready = line == "ready"
			parse(line)
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("round %d: child not ready after 30 s", round)
		}
	}
	kill := time.After(time.Duration(10+rand.IntN(190)) * time.Millisecond)
	for killed := false; ; {
		select {
		case line, ok := <-lines:
			if !ok {
				err := cmd.Wait()
				if !killed {
					t.Fatalf("round %d: child exited on its own: %v", round, err)
				}
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("round %d: child did not die of SIGKILL: %v", round, err)
				}
				return acks
			}
			parse(line)
		case <-kill:
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed, kill = true, nil
		}
	}
}

func checkAfterCrash(t *testing.T, dir string, acks []ack) {
	t.Helper()
	ctx := context.Background()
	o := pebble.DefaultOptions()
	o.ColdWAL = true
	s, err := pebble.Open(dir, o)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	var all []store.Envelope
	for e, err := range s.ReadAll(ctx, 0) {
		if err != nil {
			t.Fatalf("ReadAll after kill: %v", err)
		}
		all = append(all, e)
	}
	checkChains(t, all) // dense positions, versions 1..n, linked hashes
	for _, e := range all {
		if want := crashData(e.ID); string(e.Data) != string(want) || e.Type != "CrashTested" {
			t.Fatalf("position %d (%s): data or type is not what was appended", e.Position, e.ID)
		}
	}
	for _, a := range acks {
		if a.position == 0 || a.position > uint64(len(all)) {
			t.Fatalf("acknowledged %s at position %d is missing (%d events stored)", a.id, a.position, len(all))
		}
		e := all[a.position-1]
		if e.ID != a.id || e.Stream != a.stream || e.Version != a.version {
			t.Fatalf("position %d holds %s %s v%d, acknowledged %s %s v%d", a.position, e.ID, e.Stream, e.Version, a.id, a.stream, a.version)
		}
	}
	if err := s.CheckIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Verify(ctx, s, store.VerifyOptions{}); err != nil {
		t.Fatalf("Verify after kill: %v", err)
	}
}
