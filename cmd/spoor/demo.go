package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"spoor/demo"
	"spoor/ledger"
	"spoor/store"
)

// runDemo fills a new data directory with a realistic, fictitious year of a
// team (demo.Seed: every command through the ledger) and prints the logins
// and the demo password once.
func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.flagSet("demo", "")
	data := m.dataFlag(fs)
	families := fs.Int("families", 50, "families in the team")
	coaches := fs.Int("coaches", 7, "coaches in the team")
	seed := fs.Uint64("seed", 1, "seed of the plan (the same seed gives the same team)")
	pwFile := fs.String("password-file", "", "read the demo password from this file instead of printing a random one")
	kekFile := fs.String("kek-file", m.env("SPOOR_KEK_FILE", ""), "key-encryption key file (SPOOR_KEK_FILE; default <data>/kek.key, generated)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"demo takes no arguments"}
	}
	if *families < 8 || *families > 10_000 || *coaches < 3 || *coaches > 1000 {
		return usageError{"-families must be 8 to 10000 and -coaches 3 to 1000"}
	}
	d := dataDir(*data)
	if d.exists() {
		return fmt.Errorf("%s already holds an event log; the demo needs a new data directory", *data)
	}
	password := ""
	if *pwFile != "" {
		b, err := os.ReadFile(*pwFile)
		if err != nil {
			return fmt.Errorf("read -password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	kek, err := loadKEK(d, kekSource{env: m.getenv("SPOOR_KEK"), file: *kekFile}, true, m.stderr)
	if err != nil {
		return err
	}
	signer, _, err := loadCheckpointSigner(d, m.env("SPOOR_CHECKPOINT_KEY_FILE", ""), true, m.stderr)
	if err != nil {
		return err
	}
	st, err := d.openLog(true, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, sealer, err := openKeys(d, kek)
	if err != nil {
		return err
	}
	defer keys.Close()
	clear(kek)

	clock := demo.NewClock(time.Now)
	led, err := ledger.New(st, sealer, clock.Now, uuid.NewString, ledger.Options{})
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := demo.Seed(ctx, led, demo.Options{Families: *families, Coaches: *coaches, Seed: *seed, Clock: clock, Password: password})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	clock.Release()
	cp, err := store.NewCheckpointer(signer, time.Now)
	if err != nil {
		return err
	}
	if _, err := cp.Sign(ctx, st); err != nil {
		return fmt.Errorf("sign a checkpoint: %w", err)
	}
	var logins []string
	for _, s := range sum.Staff {
		logins = append(logins, fmt.Sprintf("%s (%s)", s.Login, s.Role))
	}
	fmt.Fprintf(m.stdout, "Demo team: %d families from %s to %s, %d commands, %d events, in %s.\n",
		len(sum.Families), sum.From, sum.To, sum.Commands, sum.Events, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(m.stdout, "Logins: %s\n", strings.Join(logins, ", "))
	if password == "" {
		fmt.Fprintf(m.stdout, "Password of every demo user (shown only now):\n\n    %s\n\n", sum.Password)
	} else {
		fmt.Fprintf(m.stdout, "Password of every demo user: the one in %s\n", *pwFile)
	}
	fmt.Fprintf(m.stdout, "Start it with: spoor serve -data %s\n", *data)
	return nil
}
