// Command spoor is Spoor's only program: the server and its maintenance
// subcommands. main only reads the process's arguments, environment and
// signals and hands them to Main; everything else lives in Main so that
// tests start the real wiring.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the working hours are in Europe/Brussels, also in a scratch image
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr, os.Getenv)
	err := m.Run(ctx, os.Args[1:])
	if err == nil && m.Serving() {
		<-ctx.Done()
		fmt.Fprintln(os.Stderr, "spoor: shutting down")
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "spoor: %v\n", err)
		os.Exit(exitCode(err))
	}
}
