// Command chirpy is the Chirpy API server, and `chirpy polka send`, which
// delivers a webhook the way Polka does; see the README. Run is the program.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful shutdown, a second one
		// kills the process at once.
		<-ctx.Done()
		stop()
	}()
	// Run has reported its error on stderr, in the format of the logs.
	if err := Run(ctx, os.Args, os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		os.Exit(1)
	}
}
