package keyfile_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"spoor/store"
	"spoor/store/keyfile"
)

var crashKills = flag.Int("keyfile.kills", 10, "how many times the crash test kills the writer")

// keyFor is the wrapped key the crash child stores for scope i: known to the
// parent without talking to the child.
func keyFor(i int) []byte {
	sum := sha256.Sum256([]byte("crash-key-" + strconv.Itoa(i)))
	return append(sum[:], sum[:29]...) // 61 bytes, like a Sealer's
}

// TestCrashChild is the writer that TestKillDuringWrites runs in a child
// process and kills: it stores keys for scope 0, 1, 2, ... (from the index
// in KEYFILE_CRASH_START) and destroys every third one just after, printing
// each acknowledged change.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("KEYFILE_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestKillDuringWrites")
	}
	start, _ := strconv.Atoi(os.Getenv("KEYFILE_CRASH_START"))
	ctx := context.Background()
	s, err := keyfile.Open(dir)
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(2)
	}
	for i := start; ; i++ {
		scope := fmt.Sprintf("family-%d", i)
		if _, err := s.PutIfAbsent(ctx, scope, keyFor(i)); err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(2)
		}
		fmt.Printf("put %d\n", i)
		if i%3 == 0 {
			if err := s.Destroy(ctx, scope); err != nil {
				fmt.Printf("error %v\n", err)
				os.Exit(2)
			}
			fmt.Printf("destroyed %d\n", i)
		}
	}
}

// TestKillDuringWrites kills a writing process with SIGKILL at random
// moments; after every kill the key store must open (never torn), hold
// every acknowledged key and tombstone, and no stale temporary file.
func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	ctx := context.Background()
	next := 0
	put := map[int]bool{}
	destroyed := map[int]bool{}
	midWrite := 0 // kills that left a temporary file: they hit a write
	for kill := range *crashKills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KEYFILE_CRASH_DIR="+dir, "KEYFILE_CRASH_START="+strconv.Itoa(next))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		want := 3 + kill*7%11 // acknowledged changes before the kill
		acked := 0
		for acked < want && lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) < 2 {
				continue
			}
			i, _ := strconv.Atoi(f[1])
			switch f[0] {
			case "put":
				put[i] = true
				next = i + 1
			case "destroyed":
				destroyed[i] = true
			case "error":
				t.Fatalf("child: %s", lines.Text())
			}
			acked++
		}
		// Let it get into the middle of another write, then kill it.
		time.Sleep(time.Duration(kill%4) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() { // changes acknowledged before the kill landed
			f := strings.Fields(lines.Text())
			if len(f) == 2 {
				i, _ := strconv.Atoi(f[1])
				if f[0] == "put" {
					put[i] = true
					next = max(next, i+1)
				} else if f[0] == "destroyed" {
					destroyed[i] = true
				}
			}
		}
		cmd.Wait()
		if tmps, _ := filepath.Glob(filepath.Join(dir, "keys.tmp-*")); len(tmps) > 0 {
			midWrite++
		}

		s, err := keyfile.Open(dir)
		if err != nil {
			t.Fatalf("kill %d: Open after SIGKILL: %v", kill, err)
		}
		for i := range put {
			k, err := s.Get(ctx, fmt.Sprintf("family-%d", i))
			switch {
			case destroyed[i]:
				if !errors.Is(err, store.ErrKeyDestroyed) {
					t.Fatalf("kill %d: acknowledged destroy of %d lost: %v", kill, i, err)
				}
			case errors.Is(err, store.ErrKeyDestroyed):
				// destroyed by the child but killed before it said so
				destroyed[i] = true
			case err != nil || !bytes.Equal(k, keyFor(i)):
				t.Fatalf("kill %d: acknowledged key %d: %x, %v", kill, i, k, err)
			}
		}
		s.Close()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "keys.tmp-") {
				t.Fatalf("kill %d: stale temporary file %s after Open", kill, e.Name())
			}
		}
	}
	t.Logf("%d kills, %d of them in the middle of a write; %d keys, %d destroyed", *crashKills, midWrite, len(put), len(destroyed))
	if len(put) < *crashKills*3 {
		t.Fatalf("only %d keys acknowledged over %d kills", len(put), *crashKills)
	}
}
